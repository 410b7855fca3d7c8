"""Batches of couplings and coding-game sweeps give the same numbers on 1 or 2 workers, on
a Dask cluster and (for the batch) on dask arrays as in one process."""

import numpy as np
import pytest

from probstat.coupling import greedy_mec, greedy_mec_batch
from probstat.coupling._coupling import BATCH_CHUNK_ROWS
from probstat.coupling.games import GridWorld, mcg_sweep, play, soft_q_iteration

joblib = pytest.importorskip("joblib")

# three chunks, the last one short: the chunk edges are inside the batch
ROWS = 2 * BATCH_CHUNK_ROWS + 123
_FIELDS = ("indices", "masses", "n_atoms")


@pytest.fixture(scope="module")
def marginals():
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.full(6, 0.7), size=ROWS)
    Q = rng.dirichlet(np.full(5, 0.3), size=ROWS)
    # ties and zeros inside one row exercise the kernel's tie-breaking
    P[7] = [0.25, 0.25, 0.25, 0.25, 0.0, 0.0]
    Q[BATCH_CHUNK_ROWS] = [0.2, 0.2, 0.2, 0.2, 0.2]
    return P, Q


@pytest.fixture(scope="module")
def in_memory(marginals):
    """The reference: the one-process ``prange`` kernel over the whole batch."""
    return greedy_mec_batch(*marginals)


def _assert_same(batch, reference):
    assert batch.shape == reference.shape
    for name in _FIELDS:
        got = getattr(batch, name)
        assert type(got) is np.ndarray, name
        np.testing.assert_array_equal(got, getattr(reference, name), err_msg=name)


def test_in_memory_rows_match_greedy_mec(marginals, in_memory):
    # reference: the single-coupling routine, row by row, around the chunk edges
    P, Q = marginals
    for b in (0, 7, BATCH_CHUNK_ROWS - 1, BATCH_CHUNK_ROWS, ROWS - 1):
        one = greedy_mec(P[b], Q[b])
        k = int(in_memory.n_atoms[b])
        np.testing.assert_array_equal(in_memory.indices[b, :k], one.indices)
        np.testing.assert_array_equal(in_memory.masses[b, :k], one.masses)
        assert not in_memory.masses[b, k:].any()


def test_batch_is_independent_of_the_workers(marginals, in_memory, dask_client):
    P, Q = marginals
    _assert_same(greedy_mec_batch(P, Q, n_jobs=1), in_memory)
    with joblib.parallel_config(backend="threading"):
        _assert_same(greedy_mec_batch(P, Q, n_jobs=2), in_memory)
        _assert_same(greedy_mec_batch(P, Q), in_memory)        # follows the config
    with joblib.parallel_config(backend="dask"):
        _assert_same(greedy_mec_batch(P, Q), in_memory)


def test_batch_on_worker_processes(marginals, in_memory):
    # joblib's default process backend (loky): the chunks are pickled to the workers
    _assert_same(greedy_mec_batch(*marginals, n_jobs=2), in_memory)


@pytest.mark.parametrize("chunks", [(ROWS, 3000), (1000, 4096)])
def test_batch_on_dask_arrays(marginals, in_memory, dask_client, chunks):
    da = pytest.importorskip("dask.array")
    P, Q = marginals
    # row blocks of P and Q that do not line up, Q split by columns too
    dP = da.from_array(P, chunks=(chunks[0], 3))
    dQ = da.from_array(Q, chunks=(chunks[1], 2))
    _assert_same(greedy_mec_batch(dP, dQ), in_memory)
    _assert_same(greedy_mec_batch(P, dQ), in_memory)           # NumPy P, dask Q


def test_batch_on_dask_arrays_of_unknown_block_sizes(marginals, dask_client):
    da = pytest.importorskip("dask.array")
    P, Q = marginals
    keep = np.arange(ROWS) % 3 != 0
    dP = da.from_array(P, chunks=(2000, 6))[da.from_array(keep, chunks=2000)]
    dQ = da.from_array(Q, chunks=(2000, 5))[da.from_array(keep, chunks=2000)]
    assert np.isnan(dP.chunks[0][0])
    _assert_same(greedy_mec_batch(dP, dQ), greedy_mec_batch(P[keep], Q[keep]))


def test_batch_on_dask_arrays_without_a_client(marginals):
    # the default (threaded) Dask scheduler, no distributed client
    da = pytest.importorskip("dask.array")
    P, Q = marginals
    small = greedy_mec_batch(P[:500], Q[:500])
    got = greedy_mec_batch(da.from_array(P[:500], chunks=(128, 6)),
                           da.from_array(Q[:500], chunks=(128, 5)))
    _assert_same(got, small)


def test_dask_input_is_checked():
    da = pytest.importorskip("dask.array")
    P = np.full((10, 2), 0.5)
    bad = P.copy()
    bad[3] = [1.5, -0.5]
    with pytest.raises(ValueError, match="P must be non-negative"):
        greedy_mec_batch(da.from_array(bad, chunks=4), P)
    with pytest.raises(ValueError, match="Q must sum to 1"):
        greedy_mec_batch(P, da.from_array(np.full((10, 2), 0.4), chunks=4))
    with pytest.raises(ValueError, match="same number of rows"):
        greedy_mec_batch(da.from_array(P), P[:9])
    with pytest.raises(ValueError, match="P must be 2-D"):
        greedy_mec_batch(da.from_array(P[0]), P)
    with pytest.raises(ValueError, match="P and Q must not be empty"):
        greedy_mec_batch(da.from_array(P[:0]), P[:0])
    with pytest.raises(TypeError, match="tol"):
        greedy_mec_batch(da.from_array(P), P, tol="1e-3")


# ------------------------------------------------------------------ coding-game sweeps
_WORLD = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
_SWEEP = dict(encoders=("greedy", "fixed_bins"), n_messages=8, n_episodes=6, max_steps=40,
              n_iter=30, random_state=11)
_SWEEP_FIELDS = ("mean_reward", "accuracy", "information", "reward_se", "accuracy_se",
                 "information_se", "policy_entropy")


def _sweep(n_jobs):
    return mcg_sweep(_WORLD, [0.05, 0.5], [0.5, 1.0], n_jobs=n_jobs, **_SWEEP)


def test_sweep_cells_are_the_games_of_their_seeds():
    # reference: each cell played by hand with `play` from the cell's documented seed
    sweep = _sweep(1)
    betas, fractions = [0.05, 0.5], [0.5, 1.0]
    seeds = np.random.default_rng(11).integers(0, 2**63 - 1, size=8)
    cell = 0
    for i, encoder in enumerate(_SWEEP["encoders"]):
        for j, fraction in enumerate(fractions):
            for k, beta in enumerate(betas):
                pol = soft_q_iteration(_WORLD, beta, n_iter=30)
                res = play(_WORLD, pol, n_messages=8, rate_fraction=fraction,
                           encoder=encoder, n_episodes=6, max_steps=40,
                           random_state=np.random.default_rng(int(seeds[cell])))
                assert sweep.mean_reward[i, j, k] == res.mean_reward
                assert sweep.accuracy[i, j, k] == res.accuracy
                assert sweep.information[i, j, k] == res.information
                cell += 1


def test_sweep_is_independent_of_the_workers(dask_client):
    serial = _sweep(1)
    with joblib.parallel_config(backend="threading"):
        threads = _sweep(2)
    with joblib.parallel_config(backend="dask"):
        on_dask = _sweep(None)
    for other in (threads, on_dask):
        for name in _SWEEP_FIELDS:
            np.testing.assert_array_equal(getattr(other, name), getattr(serial, name),
                                          err_msg=name)


@pytest.mark.parametrize("call", [
    lambda n_jobs: greedy_mec_batch(np.full((3, 2), 0.5), np.full((3, 2), 0.5),
                                    n_jobs=n_jobs),
    lambda n_jobs: mcg_sweep(_WORLD, [0.5], n_messages=4, n_episodes=2, max_steps=5,
                             n_iter=5, n_jobs=n_jobs),
])
@pytest.mark.parametrize("bad, error", [(0, ValueError), (1.5, TypeError), ("2", TypeError),
                                        (True, TypeError)])
def test_functions_refuse_bad_n_jobs(call, bad, error):
    with pytest.raises(error, match="n_jobs must be"):
        call(bad)
