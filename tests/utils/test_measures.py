import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from probstat.backend import to_numpy
from probstat.utils import (
    binary_entropy,
    conditional_entropy,
    cross_entropy,
    entropy,
    kl_divergence,
    mutual_information,
)


def _simplex(n_min=1, n_max=12):
    weights = arrays(np.float64, st.integers(n_min, n_max),
                     elements=st.floats(0, 1, allow_subnormal=False))
    return weights.filter(lambda w: w.sum() > 1e-3).map(lambda w: w / w.sum())


def test_entropy_matches_scipy(rng):
    for n in (1, 2, 7, 50):
        p = rng.dirichlet(np.ones(n))
        assert entropy(p) == pytest.approx(scipy.stats.entropy(p, base=2), rel=1e-12, abs=1e-15)
        assert entropy(p, base=math.e) == pytest.approx(scipy.stats.entropy(p), rel=1e-12,
                                                        abs=1e-15)
        assert entropy(p, base=None) == pytest.approx(scipy.stats.entropy(p), rel=1e-12,
                                                      abs=1e-15)


def test_zeros_contribute_nothing():
    assert entropy([0.5, 0.0, 0.5]) == 1.0
    assert kl_divergence([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(1.0)
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert cross_entropy([1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)
    assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf


def test_kl_matches_scipy_and_brute_force(rng):
    p, q = rng.dirichlet(np.ones(9), size=2)
    brute = sum(pi * math.log2(pi / qi) for pi, qi in zip(p, q))
    assert kl_divergence(p, q) == pytest.approx(brute, rel=1e-12)
    assert kl_divergence(p, q, base=math.e) == pytest.approx(scipy.stats.entropy(p, q), rel=1e-12)
    assert cross_entropy(p, q) == pytest.approx(entropy(p) + kl_divergence(p, q), rel=1e-12)


def test_mutual_information_brute_force(rng):
    P = rng.dirichlet(np.ones(12)).reshape(3, 4)
    px, py = P.sum(1), P.sum(0)
    brute = sum(P[i, j] * math.log2(P[i, j] / (px[i] * py[j]))
                for i in range(3) for j in range(4))
    assert mutual_information(P) == pytest.approx(brute, rel=1e-12)
    # I = H(X) + H(Y) - H(X, Y) and H(Y|X) = H(X, Y) - H(X)
    hxy = entropy(P.ravel())
    assert mutual_information(P) == pytest.approx(entropy(px) + entropy(py) - hxy, rel=1e-10)
    assert conditional_entropy(P) == pytest.approx(hxy - entropy(px), rel=1e-12)
    assert mutual_information(np.outer(px, py)) == pytest.approx(0.0, abs=1e-14)


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


@pytest.mark.parametrize("bad, match", [
    ([0.5, 0.43], r"p must sum to 1 \(got 0.93\)"),
    ([0.5, -0.1, 0.6], "non-negative"),
    ([np.nan, 1.0], "finite"),
    ([], "empty"),
    ([[0.5, 0.5]], "1-D"),
])
def test_bad_input_is_named(bad, match):
    with pytest.raises(ValueError, match=match):
        entropy(bad)


def test_bad_base_and_shapes():
    with pytest.raises(ValueError, match="base"):
        entropy([1.0], base=1)
    with pytest.raises(ValueError, match="same length"):
        kl_divergence([1.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="2-D"):
        mutual_information([0.5, 0.5])


@settings(max_examples=60, deadline=None)
@given(_simplex(), st.data())
def test_measure_invariants(p, data):
    n = p.shape[0]
    q = data.draw(_simplex(n, n))
    assert -1e-12 <= entropy(p) <= math.log2(n) + 1e-9
    assert kl_divergence(p, q) >= 0
    assert cross_entropy(p, q) >= entropy(p) - 1e-9
    assert kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    perm = data.draw(st.permutations(range(n)))
    assert entropy(p[list(perm)]) == pytest.approx(entropy(p), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(_simplex(4, 16))
def test_mutual_information_bounds(flat):
    n = flat.shape[0] - flat.shape[0] % 2
    P = flat[:n] / flat[:n].sum()
    P = P.reshape(2, n // 2)
    if not np.isclose(P.sum(), 1.0):
        return
    mi = mutual_information(P)
    assert -1e-12 <= mi <= min(entropy(P.sum(1)), entropy(P.sum(0))) + 1e-9


def test_array_api_namespaces(xp):
    p_np = np.array([0.1, 0.2, 0.3, 0.4])
    q_np = np.array([0.25, 0.25, 0.25, 0.25])
    P_np = np.array([[0.1, 0.2], [0.3, 0.4]])
    p, q, P = xp.asarray(p_np), xp.asarray(q_np), xp.asarray(P_np)
    for got, want in [
        (entropy(p), scipy.stats.entropy(p_np, base=2)),
        (kl_divergence(p, q), scipy.stats.entropy(p_np, q_np, base=2)),
        (cross_entropy(p, q), 2.0),
        (mutual_information(P), mutual_information(P_np)),
        (conditional_entropy(P), conditional_entropy(P_np)),
    ]:
        assert float(to_numpy(got)) == pytest.approx(want, rel=1e-12)
    h = binary_entropy(xp.asarray([0.0, 0.5]))
    np.testing.assert_allclose(to_numpy(h), [0.0, 1.0])
