"""Shannon measures against scipy.stats.entropy, scikit-learn's mutual_info_score,
brute-force sums and high-precision (mpmath) references."""

import math

import mpmath
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import mutual_info_score

from probstat.backend import to_numpy
from probstat.utils import (
    binary_entropy,
    check_joint,
    check_probability_vector,
    check_stochastic_matrix,
    conditional_entropy,
    cross_entropy,
    entropy,
    kl_divergence,
    mutual_information,
)

REL = dict(rel=1e-12, abs=1e-14)


def _simplex(n_min=1, n_max=12):
    weights = arrays(np.float64, st.integers(n_min, n_max),
                     elements=st.floats(0, 1, allow_subnormal=False))
    return weights.filter(lambda w: w.sum() > 1e-3).map(lambda w: w / w.sum())


# ------------------------------------------------------- what users of scipy expect


def test_regression_entropy_axis_matches_scipy(rng):
    """entropy(P, axis=1) used to be a TypeError."""
    P = rng.random((5, 7))
    np.testing.assert_allclose(entropy(P, axis=1), scipy.stats.entropy(P, axis=1, base=2),
                               rtol=1e-12)
    np.testing.assert_allclose(entropy(P, axis=0), scipy.stats.entropy(P, axis=0, base=2),
                               rtol=1e-12)
    assert entropy(P, axis=1).shape == (5,)


def test_regression_entropy_normalises_weights_like_scipy():
    """entropy([1, 2, 1]) used to raise 'p must sum to 1 (got 4)'."""
    assert entropy([1, 2, 1]) == pytest.approx(scipy.stats.entropy([1, 2, 1], base=2), **REL)
    assert entropy([1, 2, 1]) == pytest.approx(1.5, **REL)
    assert entropy([1, 2, 1], base=np.e) == pytest.approx(scipy.stats.entropy([1, 2, 1]),
                                                          **REL)


def test_regression_mutual_information_of_counts_matches_sklearn():
    """mutual_information([[40, 10], [10, 40]]) used to refuse a table of counts."""
    table = np.array([[40, 10], [10, 40]])
    want = mutual_info_score(None, None, contingency=table)  # nats
    assert mutual_information(table, base=np.e) == pytest.approx(want, **REL)
    assert mutual_information(table) == pytest.approx(want / math.log(2), **REL)


def test_regression_entropy_with_qk_is_relative_entropy():
    """entropy(p, q) used to be a TypeError where scipy returns D(p || q)."""
    p, q = [0.5, 0.5], [0.9, 0.1]
    assert entropy(p, q) == pytest.approx(scipy.stats.entropy(p, q, base=2), **REL)
    # the third positional argument is the base, as in scipy
    assert entropy(p, q, np.e) == pytest.approx(scipy.stats.entropy(p, q), **REL)
    assert entropy([2, 1], None, 10) == pytest.approx(scipy.stats.entropy([2, 1], None, 10),
                                                      **REL)


def test_scipy_defaults_differ_only_in_base(rng):
    p = rng.dirichlet(np.ones(6))
    assert entropy(p) * math.log(2) == pytest.approx(scipy.stats.entropy(p), **REL)
    assert entropy(p, base=None) == pytest.approx(scipy.stats.entropy(p), **REL)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3, None])
def test_nd_entropy_and_kl_match_scipy(rng, axis):
    pk = rng.random((3, 4, 5)) * 10
    qk = rng.random((3, 4, 5)) + 0.1
    np.testing.assert_allclose(entropy(pk, axis=axis),
                               scipy.stats.entropy(pk, axis=axis, base=2), rtol=1e-12)
    np.testing.assert_allclose(entropy(pk, qk, axis=axis),
                               scipy.stats.entropy(pk, qk, axis=axis, base=2), rtol=1e-11)
    np.testing.assert_allclose(kl_divergence(pk, qk, axis=axis, base=np.e),
                               scipy.stats.entropy(pk, qk, axis=axis), rtol=1e-11)


@pytest.mark.parametrize(("p_shape", "q_shape", "axis"), [
    ((4, 5), (5,), 1), ((4, 5), (4, 1), 0), ((4, 1), (1, 6), 0), ((5,), (1,), 0),
    ((1,), (5,), 0), ((2, 3, 4), (3, 4), -1),
])
def test_broadcasting_matches_scipy(rng, p_shape, q_shape, axis):
    pk = rng.random(p_shape) + 0.05
    qk = rng.random(q_shape) + 0.05
    want = scipy.stats.entropy(pk, qk, axis=axis, base=2)
    np.testing.assert_allclose(entropy(pk, qk, axis=axis), want, rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(kl_divergence(pk, qk, axis=axis), want, rtol=1e-11,
                               atol=1e-15)


def test_zero_mass_in_q_gives_inf_as_scipy():
    p, q = [0.5, 0.5, 0.0], [1.0, 0.0, 1.0]
    assert entropy(p, q) == math.inf == scipy.stats.entropy(p, q)
    P = np.array([[1.0, 1.0], [1.0, 0.0]])
    Q = np.array([[1.0, 0.0], [1.0, 1.0]])
    got = entropy(P, Q, axis=1)
    np.testing.assert_array_equal(np.isinf(got), np.isinf(scipy.stats.entropy(P, Q, axis=1)))
    assert got[1] == pytest.approx(1.0)  # D([1, 0] || [0.5, 0.5]) = 1 bit


def test_zeros_contribute_nothing():
    assert entropy([0.5, 0.0, 0.5]) == 1.0
    assert kl_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(1.0)
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert cross_entropy([1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)
    assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf


def test_kl_and_cross_entropy_against_brute_force(rng):
    p, q = rng.dirichlet(np.ones(9), size=2)
    brute = sum(pi * math.log2(pi / qi) for pi, qi in zip(p, q))
    assert kl_divergence(p, q) == pytest.approx(brute, rel=1e-12)
    assert kl_divergence(3 * p, 7 * q) == pytest.approx(brute, rel=1e-12)  # normalised
    cross = -sum(pi * math.log2(qi) for pi, qi in zip(p, q))
    assert cross_entropy(p, q) == pytest.approx(cross, rel=1e-12)
    assert cross_entropy(p, q) == pytest.approx(entropy(p) + kl_divergence(p, q), rel=1e-12)
    rows = rng.random((4, 9))
    np.testing.assert_allclose(cross_entropy(rows, q, axis=1),
                               [cross_entropy(r, q) for r in rows], rtol=1e-12)


def test_large_weights_do_not_overflow():
    assert entropy([1e308, 1e308]) == pytest.approx(1.0, **REL)
    assert kl_divergence([1e308, 1e308], [1, 3]) == pytest.approx(
        kl_divergence([1, 1], [1, 3]), **REL)


def test_normalised_input_is_returned_unchanged_in_value(rng):
    p = rng.dirichlet(np.ones(50))
    brute = -sum(x * math.log2(x) for x in p)
    assert entropy(p) == pytest.approx(brute, rel=1e-13)


# --------------------------------------------------------------- tables and stacks


def _brute_mi(P):
    P = np.asarray(P, float) / np.sum(P)
    px, py = P.sum(1), P.sum(0)
    return sum(P[i, j] * math.log2(P[i, j] / (px[i] * py[j]))
               for i in range(P.shape[0]) for j in range(P.shape[1]) if P[i, j] > 0)


def _brute_cond(P):
    """H(Y | X) with X on rows, from the definition -sum p(x, y) log p(y | x)."""
    P = np.asarray(P, float) / np.sum(P)
    px = P.sum(1)
    return -sum(P[i, j] * math.log2(P[i, j] / px[i])
                for i in range(P.shape[0]) for j in range(P.shape[1]) if P[i, j] > 0)


def test_mutual_information_brute_force(rng):
    P = rng.dirichlet(np.ones(12)).reshape(3, 4)
    assert mutual_information(P) == pytest.approx(_brute_mi(P), rel=1e-12)
    px, py = P.sum(1), P.sum(0)
    hxy = entropy(P, axis=None)
    assert mutual_information(P) == pytest.approx(entropy(px) + entropy(py) - hxy, rel=1e-10)
    assert conditional_entropy(P) == pytest.approx(hxy - entropy(px), rel=1e-12)
    assert conditional_entropy(P) == pytest.approx(_brute_cond(P), rel=1e-12)
    assert mutual_information(np.outer(px, py)) == pytest.approx(0.0, abs=1e-14)


def test_counts_against_sklearn_labels(rng):
    x = rng.integers(0, 4, size=500)
    y = (x + rng.integers(0, 3, size=500)) % 5
    table = np.zeros((4, 5))
    np.add.at(table, (x, y), 1)
    want = mutual_info_score(x, y)  # nats, from the labels
    assert mutual_information(table, base=np.e) == pytest.approx(want, rel=1e-12)
    # H(Y | X) = H(Y) - I(X; Y), with H(Y) from the label frequencies
    h_y = scipy.stats.entropy(np.bincount(y))
    assert conditional_entropy(table, base=None) == pytest.approx(h_y - want, rel=1e-10)


@pytest.mark.parametrize("axis", [(-2, -1), (-1, -2), (0, 2), (2, 0), (1, 0)])
def test_stacks_of_tables_follow_axis(rng, axis):
    T = rng.integers(0, 20, size=(3, 4, 5)).astype(float)
    T[..., 0, 0] += 1  # no all-zero table
    ax, ay = (a % 3 for a in axis)
    stack = [k for k in range(3) if k not in (ax, ay)][0]
    tables = np.moveaxis(T, (stack, ax, ay), (0, 1, 2))
    got_mi = mutual_information(T, axis=axis)
    got_h = conditional_entropy(T, axis=axis)
    assert got_mi.shape == got_h.shape == (T.shape[stack],)
    np.testing.assert_allclose(got_mi, [_brute_mi(t) for t in tables], rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(got_h, [_brute_cond(t) for t in tables], rtol=1e-12)


def test_conditional_entropy_both_directions():
    table = np.array([[1, 1], [2, 0]])
    # H(X | Y) by hand: Y=0 has X-weights (1, 2): h(1/3); Y=1 has (1, 0): 0; P(Y=0) = 3/4
    assert conditional_entropy(table, axis=(-1, -2)) == pytest.approx(
        0.75 * scipy.stats.entropy([1, 2], base=2), **REL)
    assert conditional_entropy(table, axis=(-1, -2)) == pytest.approx(_brute_cond(table.T),
                                                                      **REL)


def test_tiny_mutual_information_is_accurate():
    eps = 1e-7
    P = np.array([[0.25 + eps, 0.25 - eps], [0.25 - eps, 0.25 + eps]])
    mpmath.mp.dps = 50
    Pm = [[mpmath.mpf(float(v)) for v in row] for row in P]
    total = sum(sum(r) for r in Pm)
    Pm = [[v / total for v in row] for row in Pm]
    px = [sum(r) for r in Pm]
    py = [Pm[0][j] + Pm[1][j] for j in range(2)]
    want = sum(Pm[i][j] * mpmath.log(Pm[i][j] / (px[i] * py[j]), 2)
               for i in range(2) for j in range(2))
    assert mutual_information(P) == pytest.approx(float(want), rel=1e-6)


def test_tiny_entries_do_not_underflow():
    # p(x) p(y) underflows to 0 where p(x, y) > 0 if formed as a product
    tiny = 1e-200
    P = np.array([[tiny, 0.0], [0.0, 1.0 - tiny]])
    h = -(tiny * math.log2(tiny) + (1 - tiny) * math.log2(1 - tiny))
    assert mutual_information(P) == pytest.approx(h, rel=1e-10)
    assert math.isfinite(mutual_information(P))


# ------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("bad", "match"), [
    ([0.5, -0.1, 0.6], "pk must be non-negative"),
    ([np.nan, 1.0], "pk must be finite .found NaN"),
    ([np.inf, 1.0], "pk must be finite .found inf"),
    ([-np.inf, 1.0], "pk must be finite .found inf"),
    ([], "pk must not be empty"),
    ([0.0, 0.0], "pk must have a positive sum"),
    (np.float64(0.5), "pk must be an array with at least one axis"),
])
def test_bad_weights_are_named(bad, match):
    with pytest.raises(ValueError, match=match):
        entropy(bad)


def test_all_zero_slice_names_the_axis():
    with pytest.raises(ValueError, match="pk must have a positive sum along axis 1"):
        entropy([[1.0, 2.0], [0.0, 0.0]], axis=1)
    with pytest.raises(ValueError, match="q must have a positive sum"):
        kl_divergence([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="joint must have a positive total"):
        mutual_information(np.zeros((2, 2, 2)))


@pytest.mark.parametrize(("axis", "error", "match"), [
    (2, ValueError, r"axis must lie in \[-2, 2\) for pk with 2 dimensions \(got 2\)"),
    (-3, ValueError, "axis must lie in"),
    (1.0, TypeError, "axis must be an integer or None"),
    (True, TypeError, "axis must be an integer or None"),
    ("0", TypeError, "axis must be an integer"),
])
def test_bad_axis(axis, error, match):
    with pytest.raises(error, match=match):
        entropy(np.ones((2, 3)), axis=axis)


@pytest.mark.parametrize(("axis", "error", "match"), [
    ((0, 0), ValueError, "two different axes"),
    ((-1, -3), ValueError, "axis must lie in"),
    (0, TypeError, "pair of integers"),
    ((0, 1, 2), TypeError, "pair of integers"),
    ((0, None), TypeError, "pair of integers"),
    ((0, 1.5), TypeError, "axis must be an integer"),
])
def test_bad_table_axis(axis, error, match):
    with pytest.raises(error, match=match):
        mutual_information(np.ones((2, 2)), axis=axis)


@pytest.mark.parametrize("base", [1, 0, -2.0, float("nan"), float("inf")])
def test_bad_base(base):
    with pytest.raises(ValueError, match="base"):
        entropy([1.0, 1.0], base=base)
    with pytest.raises(ValueError, match="base"):
        mutual_information([[1.0, 1.0], [1.0, 1.0]], base=base)


def test_bad_shapes():
    with pytest.raises(ValueError, match="pk and qk must have broadcastable shapes"):
        entropy([1.0, 1.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="p and q must have broadcastable shapes"):
        kl_divergence([1.0, 2.0], [0.5, 0.5, 1.0])
    with pytest.raises(ValueError, match="joint must be a table with at least 2 dim"):
        mutual_information([0.5, 0.5])


def test_strict_checks_say_how_to_normalise():
    with pytest.raises(ValueError, match=r"^p must sum to 1 \(got 4\); divide it by its sum"):
        check_probability_vector([1, 2, 1])
    with pytest.raises(ValueError, match=r"^joint must sum to 1 .*entropy"):
        check_joint([[40, 10], [10, 40]])
    with pytest.raises(ValueError, match=r"^W must sum to 1 along each row .*divide each row"):
        check_stochastic_matrix([[1, 2], [0.5, 0.5]], name="W")


def test_inputs_are_not_modified(rng):
    P = rng.random((3, 4))
    Q = rng.random((3, 4))
    P0, Q0 = P.copy(), Q.copy()
    entropy(P, Q, axis=1)
    mutual_information(P)
    np.testing.assert_array_equal(P, P0)
    np.testing.assert_array_equal(Q, Q0)


# ---------------------------------------------------------------- binary entropy


def test_binary_entropy():
    assert binary_entropy(0.5) == 1.0
    assert binary_entropy(0.0) == 0.0
    grid = np.linspace(0, 1, 11)
    expected = [scipy.stats.entropy([g, 1 - g], base=2) for g in grid]
    np.testing.assert_allclose(binary_entropy(grid), expected, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="p must lie in"):
        binary_entropy(1.5)
    with pytest.raises(ValueError, match="finite"):
        binary_entropy(np.nan)


# --------------------------------------------------------------- invariants


@settings(max_examples=60, deadline=None)
@given(_simplex(), st.data())
def test_measure_invariants(p, data):
    n = p.shape[0]
    q = data.draw(_simplex(n, n))
    assert -1e-12 <= entropy(p) <= math.log2(n) + 1e-9
    assert kl_divergence(p, q) >= 0
    assert cross_entropy(p, q) >= entropy(p) - 1e-9
    assert kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    scale = data.draw(st.floats(1e-3, 1e3))
    assert entropy(scale * p) == pytest.approx(entropy(p), abs=1e-12)
    perm = data.draw(st.permutations(range(n)))
    assert entropy(p[list(perm)]) == pytest.approx(entropy(p), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(_simplex(4, 16))
def test_mutual_information_bounds(flat):
    n = flat.shape[0] - flat.shape[0] % 2
    P = flat[:n].reshape(2, n // 2)
    if not P.sum() > 0:
        return
    mi = mutual_information(P)
    px, py = P.sum(1), P.sum(0)
    assert -1e-12 <= mi <= min(entropy(px), entropy(py)) + 1e-9
    # chain rule: H(X, Y) = H(X) + H(Y | X)
    assert entropy(P, axis=None) == pytest.approx(entropy(px) + conditional_entropy(P),
                                                  abs=1e-9)


# ------------------------------------------------------------------ array API


def test_array_api_namespaces(xp):
    p_np = np.array([1.0, 2.0, 3.0, 4.0])
    q_np = np.array([0.25, 0.25, 0.25, 0.25])
    P_np = np.array([[1.0, 2.0], [3.0, 4.0]])
    S_np = np.stack([P_np, P_np.T, np.ones((2, 2))])
    p, q, P, S = (xp.asarray(a) for a in (p_np, q_np, P_np, S_np))
    for got, want in [
        (entropy(p), scipy.stats.entropy(p_np, base=2)),
        (entropy(p, q), scipy.stats.entropy(p_np, q_np, base=2)),
        (kl_divergence(p, q), scipy.stats.entropy(p_np, q_np, base=2)),
        (cross_entropy(p, q), 2.0),
        (mutual_information(P), _brute_mi(P_np)),
        (conditional_entropy(P), _brute_cond(P_np)),
    ]:
        assert float(to_numpy(got)) == pytest.approx(want, rel=1e-12)
    np.testing.assert_allclose(to_numpy(entropy(P, axis=1)),
                               scipy.stats.entropy(P_np, axis=1, base=2), rtol=1e-12)
    np.testing.assert_allclose(to_numpy(mutual_information(S)),
                               [_brute_mi(t) for t in S_np], rtol=1e-11, atol=1e-15)
    h = binary_entropy(xp.asarray([0.0, 0.5]))
    np.testing.assert_allclose(to_numpy(h), [0.0, 1.0])
