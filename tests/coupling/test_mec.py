"""Greedy MEC, the Coupling result, lower bounds and the exact solver.

References: the O(n^2) argmax greedy of the research code and an exact-rational greedy
(tests/coupling/_reference.py), vertex enumeration over spanning trees for the exact
optimum, closed forms for hand-checkable cases (spec mec_b.md section 5.1), and
probstat.utils measures for entropies and mutual information.
"""

import json
import math
import os
import subprocess
import sys
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.coupling import (
    Coupling,
    exact_mec,
    greedy_mec,
    greedy_mec_batch,
    mec_lower_bound,
)
from probstat.utils import check_probability_vector, entropy, mutual_information

from ._reference import (
    greedy_mec_argmax,
    greedy_mec_exact,
    mec_vertex_enumeration,
)

LOG2E_OVER_E = math.log2(math.e) / math.e  # 0.5307..., Compton et al. (2023), m = 2
METHODS = ("max_entropy", "majorization", "profile", "majorize_profile")


def _bounds(*ps):
    return {m: mec_lower_bound(*ps, method=m) for m in METHODS}


# Random marginals: positive weights, some exact zeros, normalised.
def _marginal(min_size=1, max_size=8):
    weights = st.lists(
        st.one_of(st.just(0.0), st.floats(0.01, 1.0)), min_size=min_size, max_size=max_size
    ).filter(lambda w: sum(w) > 0)
    return weights.map(lambda w: np.array(w) / np.sum(w))


# --------------------------------------------------------------------------- hand cases


def test_t1_uniform_pair():
    c = greedy_mec([0.5, 0.5], [0.5, 0.5])
    assert c.indices.tolist() == [[0, 0], [1, 1]]
    assert c.masses.tolist() == [0.5, 0.5]
    assert c.entropy() == 1.0
    assert exact_mec([0.5, 0.5], [0.5, 0.5]).entropy() == pytest.approx(1.0, abs=1e-12)
    for value in _bounds([0.5, 0.5], [0.5, 0.5]).values():
        assert value == pytest.approx(1.0, abs=1e-12)


def test_t3_greedy_suboptimal():
    p, q = [0.6, 0.4], [0.4, 0.3, 0.3]
    c = greedy_mec(p, q)
    assert c.indices.tolist() == [[0, 0], [1, 1], [0, 2], [1, 2]]
    # Atoms 0.4, 0.3, 0.2, 0.1 up to one rounding of 0.6 - 0.4.
    np.testing.assert_allclose(c.masses, [0.4, 0.3, 0.2, 0.1], rtol=0, atol=1e-15)
    assert c.entropy() == pytest.approx(1.8464393447, abs=1e-10)
    h_q = entropy(q)
    assert h_q == pytest.approx(1.5709505945, abs=1e-10)
    opt = exact_mec(p, q)
    assert opt.entropy() == pytest.approx(h_q, abs=1e-12)
    np.testing.assert_allclose(opt.to_dense(), [[0, 0.3, 0.3], [0.4, 0, 0]], atol=1e-15)
    for value in _bounds(p, q).values():
        assert value == pytest.approx(h_q, abs=1e-12)
    gap = c.entropy() - opt.entropy()
    assert 0.27 < gap < LOG2E_OVER_E


def test_exact_rational_greedy_matches_float():
    p = [Fraction(6, 10), Fraction(4, 10)]
    q = [Fraction(4, 10), Fraction(3, 10), Fraction(3, 10)]
    atoms = greedy_mec_exact(p, q)
    assert atoms == [((0, 0), Fraction(2, 5)), ((1, 1), Fraction(3, 10)),
                     ((0, 2), Fraction(1, 5)), ((1, 2), Fraction(1, 10))]
    c = greedy_mec([float(v) for v in p], [float(v) for v in q])
    for (idx, mass), got_idx, got_mass in zip(atoms, c.indices, c.masses):
        assert tuple(got_idx) == idx
        assert abs(got_mass - float(mass)) <= 2e-16  # one subtraction of round-off


def test_certified_optimal_case():
    # Greedy reaches H(p) = max_i H(p_i), so every bound certifies it as optimal.
    p, q = [0.5, 0.25, 0.25], [0.5, 0.5]
    c = greedy_mec(p, q)
    assert c.entropy() == pytest.approx(1.5, abs=1e-15)
    assert mec_lower_bound(p, q) == pytest.approx(1.5, abs=1e-12)


def test_reversed_marginals_track_indices():
    rng = np.random.default_rng(3)
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(5))
    c = greedy_mec(p, q)
    r = greedy_mec(p[::-1], q[::-1])
    assert r.entropy() == pytest.approx(c.entropy(), abs=1e-13)
    np.testing.assert_allclose(r.to_dense()[::-1, ::-1], c.to_dense(), atol=1e-15)
    np.testing.assert_allclose(r.marginals()[0], p[::-1], atol=1e-15)


def test_zeros_keep_their_index_and_delta_marginal():
    c = greedy_mec([0.0, 0.5, 0.0, 0.5], [1.0])
    assert sorted(c.indices[:, 0].tolist()) == [1, 3]
    assert c.shape == (4, 1)
    np.testing.assert_allclose(c.marginals()[0], [0, 0.5, 0, 0.5], atol=0)
    d = greedy_mec([1.0], [0.2, 0.0, 0.8])
    assert d.entropy() == pytest.approx(entropy([0.2, 0.8]), abs=1e-15)
    # 1.0 - 0.8 rounds to 0.19999999999999996: one ulp.
    np.testing.assert_allclose(d.to_dense(), [[0.2, 0.0, 0.8]], rtol=0, atol=1e-15)


# ------------------------------------------------------------------ reference agreement


@pytest.mark.parametrize("m", [2, 3, 4])
def test_kernel_equals_argmax_reference_tie_free(m):
    rng = np.random.default_rng(m)
    for _ in range(20):
        ps = [rng.dirichlet(np.ones(n)) for n in rng.integers(1, 300, size=m)]
        c = greedy_mec(*ps)
        # The same numbers as the kernel: accepted marginals are renormalised in float64.
        idx, masses = greedy_mec_argmax(*[check_probability_vector(p) for p in ps])
        # Same comparisons and subtractions in the same order: bit-identical.
        assert np.array_equal(c.indices, idx)
        assert np.array_equal(c.masses, masses)


def test_kernel_equals_reference_with_ties():
    rng = np.random.default_rng(7)
    for _ in range(30):
        ps = [rng.integers(0, 4, size=n).astype(float) for n in (12, 9)]
        ps = [p / p.sum() if p.sum() > 0 else np.full(p.size, 1 / p.size) for p in ps]
        c = greedy_mec(*ps)
        idx, masses = greedy_mec_argmax(*[check_probability_vector(p) for p in ps])
        assert np.array_equal(c.indices, idx)  # lowest index wins ties, as argmax
        assert c.entropy() == pytest.approx(entropy(masses), abs=1e-13)


def test_numba_disabled_gives_same_answers():
    script = (
        "import json, numpy as np\n"
        "from probstat.coupling import greedy_mec, greedy_mec_batch, exact_mec, "
        "mec_lower_bound\n"
        "rng = np.random.default_rng(0)\n"
        "p, q = rng.dirichlet(np.ones(7)), rng.dirichlet(np.ones(5))\n"
        "c = greedy_mec(p, q, rng.dirichlet(np.ones(4)))\n"
        "b = greedy_mec_batch(rng.dirichlet(np.ones(3), 4), rng.dirichlet(np.ones(6), 4))\n"
        "print(json.dumps({'idx': c.indices.tolist(), 'mass': c.masses.tolist(),\n"
        "  'batch': b.masses.tolist(), 'exact': exact_mec(p, q).entropy(),\n"
        "  'lb': mec_lower_bound(p, q)}))\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, check=True, timeout=300)
    plain = json.loads(out.stdout)
    rng = np.random.default_rng(0)  # the same draws, compiled kernels in this process
    p, q = rng.dirichlet(np.ones(7)), rng.dirichlet(np.ones(5))
    c = greedy_mec(p, q, rng.dirichlet(np.ones(4)))
    b = greedy_mec_batch(rng.dirichlet(np.ones(3), 4), rng.dirichlet(np.ones(6), 4))
    assert c.indices.tolist() == plain["idx"]
    assert c.masses.tolist() == plain["mass"]
    assert b.masses.tolist() == plain["batch"]
    assert exact_mec(p, q).entropy() == pytest.approx(plain["exact"], abs=1e-12)
    assert mec_lower_bound(p, q) == pytest.approx(plain["lb"], abs=1e-12)


def test_exact_equals_vertex_enumeration():
    rng = np.random.default_rng(11)
    for _ in range(40):
        n, k = rng.integers(1, 5, size=2)
        if n * k > 12:
            n, k = 3, 4
        p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(k))
        opt = exact_mec(p, q)
        assert opt.entropy() == pytest.approx(mec_vertex_enumeration(p, q), abs=1e-9)
        assert opt.marginal_error < 1e-12
        assert np.all(opt.masses > 0)


def test_exact_is_fast_enough_and_beats_greedy():
    rng = np.random.default_rng(5)
    p, q = rng.dirichlet(np.ones(7)), rng.dirichlet(np.ones(7))
    opt = exact_mec(p, q)  # n + k = 14
    g = greedy_mec(p, q)
    assert opt.entropy() <= g.entropy() + 1e-12
    assert g.entropy() - opt.entropy() <= LOG2E_OVER_E
    assert opt.entropy() >= mec_lower_bound(p, q) - 1e-12
    assert opt.n_atoms <= 13


# ------------------------------------------------------------------------- properties


@settings(max_examples=60, deadline=None)
@given(st.lists(_marginal(), min_size=2, max_size=4))
def test_greedy_properties(ps):
    c = greedy_mec(*ps)
    m = len(ps)
    assert c.n_atoms <= sum(p.size for p in ps) - m + 1
    assert np.all(c.masses > 0)
    for got, want in zip(c.marginals(), ps):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * c.n_atoms)
    h = c.entropy()
    b = _bounds(*ps)
    slack = 1e-9
    assert h >= b["majorize_profile"] - slack
    assert b["majorize_profile"] >= max(b["profile"], b["majorization"]) - slack
    assert min(b["profile"], b["majorization"]) >= -slack
    assert b["majorization"] >= b["max_entropy"] - slack
    # Additive guarantees against the majorization bound (Rossi 2019; Compton 2022).
    assert h - b["majorization"] <= (1.0 if m == 2 else math.log2(math.e)) + slack


@settings(max_examples=40, deadline=None)
@given(_marginal(1, 4), _marginal(1, 4))
def test_greedy_within_log2e_over_e_of_exact(p, q):
    opt = exact_mec(p, q)
    g = greedy_mec(p, q)
    assert g.entropy() - opt.entropy() <= LOG2E_OVER_E + 1e-9
    assert opt.entropy() <= g.entropy() + 1e-9
    for value in _bounds(p, q).values():
        assert opt.entropy() >= value - 1e-9


@settings(max_examples=40, deadline=None)
@given(st.lists(_marginal(2, 7), min_size=2, max_size=3), st.randoms(use_true_random=False))
def test_permutation_invariance(ps, random):
    perms = [np.array(random.sample(range(p.size), p.size)) for p in ps]
    c = greedy_mec(*ps)
    d = greedy_mec(*[p[perm] for p, perm in zip(ps, perms)])
    assert d.entropy() == pytest.approx(c.entropy(), abs=1e-12)
    # The permuted coupling's marginals are the permuted inputs.
    for got, p, perm in zip(d.marginals(), ps, perms):
        np.testing.assert_allclose(got, p[perm], atol=1e-12)


def test_profile_bound_against_numerical_integral():
    # Independent evaluation of LB = int_0^1 log2(1/f(u)) du on a fine midpoint grid.
    rng = np.random.default_rng(2)
    ps = [rng.dirichlet(np.ones(n)) for n in (5, 8, 3)]
    u = (np.arange(200_000) + 0.5) / 200_000
    f = np.full(u.size, np.inf)
    for p in ps:
        s = np.sort(p)
        c = np.cumsum(s)
        f = np.minimum(f, s[np.minimum(np.searchsorted(c, u), s.size - 1)])
    numeric = float(np.mean(-np.log2(f)))
    # Midpoint rule on a step function: error <= (number of steps) * max jump / grid.
    assert mec_lower_bound(*ps, method="profile") == pytest.approx(numeric, abs=1e-3)


def test_majorization_bound_is_entropy_of_meet():
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.4, 0.4, 0.2])
    # Partial sums: p 0.5, 0.8, 1; q 0.4, 0.8, 1 -> meet 0.4, 0.4, 0.2.
    assert mec_lower_bound(p, q, method="majorization") == pytest.approx(
        entropy([0.4, 0.4, 0.2]), abs=1e-12)


def test_bounds_base():
    p, q = [0.6, 0.4], [0.4, 0.3, 0.3]
    for method in METHODS:
        bits = mec_lower_bound(p, q, method=method)
        nats = mec_lower_bound(p, q, method=method, base=math.e)
        assert nats == pytest.approx(bits * math.log(2), rel=1e-12)


# --------------------------------------------------------------------- Coupling object


def test_coupling_methods_against_dense():
    rng = np.random.default_rng(1)
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(4))
    c = greedy_mec(p, q)
    dense = c.to_dense()
    np.testing.assert_allclose(c.to_scipy().toarray(), dense, atol=0)
    assert c.mutual_information() == pytest.approx(mutual_information(dense), abs=1e-12)
    assert c.entropy(base=math.e) == pytest.approx(c.entropy() * math.log(2), rel=1e-12)
    for x in range(6):
        np.testing.assert_allclose(c.conditional(0, x), dense[x] / dense[x].sum(), atol=1e-15)
    for y in range(4):
        np.testing.assert_allclose(c.conditional(1, y), dense[:, y] / dense[:, y].sum(),
                                   atol=1e-15)
    assert "entropy_bits" in c.summary()
    assert "<table>" in c._repr_html_()


def test_conditional_three_marginals():
    rng = np.random.default_rng(4)
    ps = [rng.dirichlet(np.ones(n)) for n in (3, 4, 2)]
    c = greedy_mec(*ps)
    dense = c.to_dense()
    sub = c.conditional(1, 2)
    assert isinstance(sub, Coupling)
    np.testing.assert_allclose(sub.to_dense(), dense[:, 2, :] / dense[:, 2, :].sum(),
                               atol=1e-15)


def test_sample_matches_masses_and_is_seeded():
    c = greedy_mec([0.6, 0.4], [0.4, 0.3, 0.3])
    draws = c.sample(40_000, random_state=0)
    assert draws.shape == (40_000, 2)
    freq = np.array([np.mean((draws == atom).all(axis=1)) for atom in c.indices])
    # Binomial standard error sqrt(m(1-m)/n) <= 0.0025; allow 5 standard errors.
    np.testing.assert_allclose(freq, c.masses, atol=0.0125)
    assert np.array_equal(draws, c.sample(40_000, random_state=0))
    assert not np.array_equal(draws, c.sample(40_000, random_state=1))


def test_plot_returns_axes():
    import matplotlib

    matplotlib.use("Agg")
    ax = greedy_mec([0.6, 0.4], [0.4, 0.3, 0.3]).plot()
    assert ax.get_xlabel() == "outcome of the second variable (index)"


def test_batch_equals_single():
    rng = np.random.default_rng(9)
    P, Q = rng.dirichlet(np.ones(4), size=50), rng.dirichlet(np.ones(30), size=50)
    batch = greedy_mec_batch(P, Q)
    assert len(batch) == 50
    dense = batch.to_dense()
    for b in range(50):
        single = greedy_mec(P[b], Q[b])
        assert np.array_equal(batch[b].indices, single.indices)
        assert np.array_equal(batch[b].masses, single.masses)
        np.testing.assert_allclose(dense[b], single.to_dense(), atol=0)
    np.testing.assert_allclose(batch.entropy(), [greedy_mec(P[b], Q[b]).entropy()
                                                 for b in range(50)], atol=1e-12)


def test_scale_smoke():
    rng = np.random.default_rng(0)
    n = 200_000
    p, q = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(n))
    c = greedy_mec(p, q)
    assert c.n_atoms <= 2 * n - 1
    assert c.marginal_error < 1e-12
    assert c.entropy() >= mec_lower_bound(p, q) - 1e-9


@pytest.mark.slow
def test_scale_million():
    rng = np.random.default_rng(0)
    p, q = rng.dirichlet(np.ones(10**6), size=2)
    c = greedy_mec(p, q)
    assert c.n_atoms <= 2 * 10**6 - 1
    assert c.marginal_error < 1e-12


def test_array_api_input(xp):
    p = xp.asarray([0.6, 0.4])
    q = xp.asarray([0.4, 0.3, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = greedy_mec(p, q)
    assert c.entropy() == pytest.approx(1.8464393447, abs=1e-10)


# -------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "bad, match",
    [
        ([0.5, -0.1, 0.6], "non-negative"),
        ([0.5, np.nan, 0.5], "finite"),
        ([0.5, 0.4], "sum to 1"),
        ([], "empty"),
        ([[0.5, 0.5]], "1-D"),
    ],
)
def test_bad_marginals(bad, match):
    with pytest.raises(ValueError, match=match):
        greedy_mec([0.5, 0.5], bad)
    with pytest.raises(ValueError, match=match):
        mec_lower_bound(bad, [1.0])
    with pytest.raises(ValueError, match=match):
        exact_mec([1.0], bad)


def test_bad_arguments():
    with pytest.raises(ValueError, match="marginals must hold at least 1"):
        greedy_mec()
    with pytest.raises(ValueError, match="tol must be >= 0"):
        greedy_mec([1.0], [1.0], tol=-1)
    with pytest.raises(ValueError, match="method must be one of"):
        mec_lower_bound([1.0], method="nope")
    with pytest.raises(ValueError, match="base must be"):
        mec_lower_bound([1.0], base=1)
    with pytest.raises(ValueError, match="max_atoms=14"):
        exact_mec(np.full(8, 1 / 8), np.full(8, 1 / 8))
    with pytest.raises(ValueError, match="same number of rows"):
        greedy_mec_batch(np.ones((2, 2)) / 2, np.ones((3, 2)) / 2)
    with pytest.raises(ValueError, match="sum to 1 along each row"):
        greedy_mec_batch(np.ones((2, 2)), np.ones((2, 2)) / 2)
    c = greedy_mec([0.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="probability 0"):
        c.conditional(0, 0)
    with pytest.raises(ValueError, match="index must be <= 1"):
        c.conditional(0, 2)
    with pytest.raises(ValueError, match="2 marginals"):
        greedy_mec([1.0], [1.0], [1.0]).mutual_information()
    with pytest.raises(ValueError, match="max_size"):
        c.to_dense(max_size=1)
