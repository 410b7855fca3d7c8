"""The joint-distribution results convert like SciPy sparse arrays.

``np.asarray(coupling)`` used to give a 0-d object array. Now ``Coupling``,
``CouplingBatch`` and ``MECBResult`` follow NumPy 2's ``__array__(dtype, copy)`` protocol
and offer ``toarray()`` and ``to_scipy_sparse(format)``. References: the input marginals
themselves, a loop over the atoms, ``scipy.stats.entropy`` and SciPy's own conversions.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse
import scipy.stats

import probstat
from probstat.backend import HostFallbackWarning
from probstat.coupling import exact_mec, greedy_mec, greedy_mec_batch, mec_b

xps = pytest.importorskip("array_api_strict")


def _pairs():
    rng = np.random.default_rng(7)
    for n, k in [(2, 3), (5, 5), (9, 4), (30, 17)]:
        yield rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(k))


def _loop_dense(c):
    """Dense joint by a plain loop over the atoms (another hand than np.add.at)."""
    out = np.zeros(c.shape)
    for idx, mass in zip(c.indices.tolist(), c.masses.tolist()):
        out[tuple(idx)] += mass
    return out


def test_asarray_is_the_dense_joint_not_an_object_array():
    """Regression: np.asarray(greedy_mec(p, q)) was a 0-d object array."""
    p, q = [0.6, 0.4], [0.4, 0.3, 0.3]
    dense = np.asarray(greedy_mec(p, q))
    assert dense.dtype == np.float64
    assert dense.shape == (2, 3)
    np.testing.assert_allclose(dense, [[0.4, 0.0, 0.2], [0.0, 0.3, 0.1]], atol=1e-15)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_dense_and_sparse_marginals_are_p_and_q(fmt):
    for p, q in _pairs():
        c = greedy_mec(p, q)
        dense = np.asarray(c)
        np.testing.assert_allclose(dense, _loop_dense(c), atol=0)
        np.testing.assert_allclose(c.toarray(), dense, atol=0)
        np.testing.assert_allclose(dense.sum(axis=1), p, atol=1e-14)  # rows: p's outcomes
        np.testing.assert_allclose(dense.sum(axis=0), q, atol=1e-14)
        sp = c.to_scipy_sparse(format=fmt)
        assert scipy.sparse.issparse(sp) and sp.format == fmt
        assert isinstance(sp, scipy.sparse.sparray)  # a sparse array, not a matrix
        assert sp.shape == (p.size, q.size) and sp.dtype == np.float64
        np.testing.assert_allclose(np.asarray(sp.sum(axis=1)).ravel(), p, atol=1e-14)
        np.testing.assert_allclose(np.asarray(sp.sum(axis=0)).ravel(), q, atol=1e-14)
        assert sp.nnz == np.count_nonzero(dense)
        np.testing.assert_array_equal(sp.toarray(), dense)


def test_entropy_of_the_array_is_the_coupling_entropy():
    for p, q in _pairs():
        for c in (greedy_mec(p, q), greedy_mec(p, q, p[::-1])):
            ref = scipy.stats.entropy(np.asarray(c).ravel(), base=2)
            assert ref == pytest.approx(c.entropy(), abs=1e-12)
    small = exact_mec([0.6, 0.4], [0.4, 0.3, 0.3])
    assert scipy.stats.entropy(np.asarray(small).ravel(), base=2) == pytest.approx(
        small.entropy(), abs=1e-12)


def test_sparse_form_holds_only_the_nonzero_cells():
    # Zero-mass outcomes keep their index but get no stored cell.
    c = greedy_mec([0.5, 0.0, 0.5], [0.0, 1.0])
    sp = c.to_scipy_sparse()
    assert sp.shape == (3, 2)
    assert sp.nnz == 2
    assert np.all(sp.data > 0)
    np.testing.assert_allclose(sp.toarray(), [[0, 0.5], [0, 0], [0, 0.5]], atol=0)


def test_copy_semantics_of_a_sparse_coupling():
    c = greedy_mec([0.6, 0.4], [0.4, 0.3, 0.3])
    # Its dense form must be built: copy=False cannot be honoured (NumPy 2 protocol).
    with pytest.raises(ValueError, match="copy"):
        np.asarray(c, copy=False)
    with pytest.raises(ValueError, match="copy"):
        np.array(c, copy=False)
    first = np.asarray(c)
    first[:] = -1.0  # the caller owns the array: the coupling does not change
    second = np.array(c, copy=True)
    assert not np.shares_memory(first, second)
    np.testing.assert_allclose(second.sum(axis=1), [0.6, 0.4], atol=1e-15)
    assert c.entropy() == pytest.approx(scipy.stats.entropy(second.ravel(), base=2))
    out = c.toarray()
    out[0, 0] = 7.0
    assert c.toarray()[0, 0] == pytest.approx(0.4)
    assert np.asarray(c, dtype=np.float32).dtype == np.float32


def test_copy_semantics_of_a_stored_joint():
    m = mec_b([0.7, 0.2, 0.1], [0.5, 0.3, 0.2], rate=0.9)
    view = np.asarray(m, copy=False)  # the stored float64 joint: no copy needed
    assert view is m.joint
    assert np.asarray(m) is m.joint  # copy=None: only when needed
    fresh = np.array(m, copy=True)
    assert not np.shares_memory(fresh, m.joint)
    assert not np.shares_memory(m.toarray(), m.joint)
    with pytest.raises(ValueError, match="float32"):
        np.asarray(m, dtype=np.float32, copy=False)
    assert np.asarray(m, dtype=np.float32).dtype == np.float32


def test_mecb_result_converts_as_its_joint():
    p_x, p_y = np.array([0.4, 0.3, 0.2, 0.1]), np.array([0.5, 0.25, 0.25])
    for rate in (0.0, 1.0, 2.5):
        m = mec_b(p_x, p_y, rate)
        dense = np.asarray(m)
        np.testing.assert_allclose(dense.sum(axis=1), p_x, atol=1e-14)
        np.testing.assert_allclose(dense.sum(axis=0), p_y, atol=1e-14)
        sp = m.to_scipy_sparse("csc")
        np.testing.assert_allclose(sp.toarray(), m.joint, atol=0)
        assert sp.nnz == np.count_nonzero(m.joint)
    # rate 0: the independent joint, every cell positive.
    assert mec_b(p_x, p_y, 0.0).to_scipy_sparse().nnz == 12


def test_more_marginals_and_batches():
    c3 = greedy_mec([0.5, 0.5], [0.25, 0.75], [0.2, 0.3, 0.5])
    dense = np.asarray(c3)
    assert dense.shape == (2, 2, 3)
    np.testing.assert_allclose(dense.sum(axis=(1, 2)), [0.5, 0.5], atol=1e-15)
    np.testing.assert_allclose(dense.sum(axis=(0, 1)), [0.2, 0.3, 0.5], atol=1e-15)
    with pytest.raises(ValueError, match="2 variables"):
        c3.to_scipy_sparse()
    P = np.array([[0.6, 0.4], [0.5, 0.5], [0.9, 0.1]])
    Q = np.array([[0.4, 0.3, 0.3], [0.5, 0.25, 0.25], [0.2, 0.2, 0.6]])
    batch = greedy_mec_batch(P, Q)
    stacked = np.asarray(batch)
    assert stacked.shape == (3, 2, 3)
    for b in range(3):
        np.testing.assert_allclose(stacked[b], np.asarray(greedy_mec(P[b], Q[b])), atol=0)
        np.testing.assert_allclose(stacked[b].sum(axis=1), P[b], atol=1e-15)
        np.testing.assert_allclose(stacked[b].sum(axis=0), Q[b], atol=1e-15)
        assert batch[b].to_scipy_sparse().nnz == np.count_nonzero(stacked[b])
    with pytest.raises(ValueError, match="2 variables"):
        batch.to_scipy_sparse()
    with pytest.raises(ValueError, match="copy"):
        np.asarray(batch, copy=False)


def test_bad_arguments_are_named():
    c = greedy_mec([0.6, 0.4], [0.4, 0.3, 0.3])
    with pytest.raises(ValueError, match="format"):
        c.to_scipy_sparse(format="dense")
    with pytest.raises(ValueError, match="max_size"):
        c.toarray(max_size=1)
    with pytest.raises(TypeError, match="max_size"):
        c.toarray(max_size="6")
    rng = np.random.default_rng(0)
    big = greedy_mec(rng.dirichlet(np.ones(20_000)), rng.dirichlet(np.ones(20_000)))
    with pytest.raises(ValueError, match="to_scipy_sparse"):  # 4e8 cells: refused, not OOM
        np.asarray(big)
    assert big.to_scipy_sparse().nnz == np.count_nonzero(big.masses)


def test_array_api_results_convert_to_numpy_without_warning():
    p, q = np.array([0.5, 0.375, 0.125]), np.array([0.625, 0.25, 0.125])
    want = np.asarray(greedy_mec(p, q))
    device = xps.Device("device1")
    with probstat.config_context(array_api_dispatch=True):
        with pytest.warns(HostFallbackWarning):
            c = greedy_mec(xps.asarray(p, device=device), xps.asarray(q, device=device))
            m = mec_b(xps.asarray(p, device=device), xps.asarray(q, device=device), 1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an explicit conversion: no fallback warning
            got = np.asarray(c)
            dense = c.toarray()
            sp = c.to_scipy_sparse()
            joint = np.asarray(m)
    assert isinstance(got, np.ndarray)
    np.testing.assert_allclose(got, want, atol=0)
    np.testing.assert_allclose(dense, want, atol=0)
    np.testing.assert_allclose(sp.toarray(), want, atol=0)
    np.testing.assert_allclose(joint, np.asarray(mec_b(p, q, 1.0)), atol=0)
    with pytest.raises(ValueError, match="copy"):
        np.asarray(m, copy=False)  # the joint lives on another device
