"""Closed-form acquisitions against mpmath, quadrature and Monte Carlo."""

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from probstat.bayesopt.acquisition import (
    discrete_knowledge_gradient,
    expected_improvement,
    log_expected_improvement,
    log_h,
    log_probability_of_improvement,
    max_value_entropy_search,
    noisy_expected_improvement,
    probability_of_improvement,
    q_expected_improvement,
    upper_confidence_bound,
)


def _mp_h(z):
    z = mp.mpf(z)
    return mp.npdf(z) + z * mp.ncdf(z)


@pytest.fixture(scope="module")
def mp_precision():
    with mp.workdps(80):
        yield


def test_ei_matches_mpmath(mp_precision):
    # relative 1e-12: the target tolerance for EI; z down to -30 where EI ~ 1e-200
    for mean, std, best in [(0.3, 1.2, 0.0), (-2.0, 0.5, 1.0), (5.0, 2.0, -1.0),
                            (-30.0, 1.0, 0.0), (-7.0, 1.0, 0.0), (1e-3, 1e-4, 0.0)]:
        ref = mp.mpf(std) * _mp_h((mp.mpf(mean) - best) / std)
        got = expected_improvement(mean, std, best)
        assert got == pytest.approx(float(ref), rel=1e-12)


def test_log_h_matches_mpmath_from_5_down_to_minus_1e7(mp_precision):
    zs = np.concatenate([np.linspace(5, -1, 13), -np.logspace(0.01, 7, 60)])
    got = log_h(zs)
    ref = np.array([float(mp.log(_mp_h(z))) for z in zs])
    # relative 1e-13 (target) and absolute 1e-10 on log EI
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-10)
    assert np.all(np.isfinite(got))


def test_log_ei_finite_where_ei_underflows(mp_precision):
    z = np.array([-40.0, -1e3, -1e5, -1e7])
    assert np.all(expected_improvement(z, 1.0, 0.0) == 0.0)  # plain EI underflows
    lei = log_expected_improvement(z, 1.0, 0.0)
    ref = [float(mp.log(_mp_h(v))) for v in z]
    np.testing.assert_allclose(lei, ref, rtol=1e-13)
    # the derivative d log h / dz = Phi(z)/h(z) ~ -1/z stays finite and non-zero
    from probstat.bayesopt._closed_forms import _dlog_h

    d = _dlog_h(z)
    assert np.all(np.isfinite(d)) and np.all(d > 0)
    # Phi/h against mpmath (asymptotically |z|)
    ref_d = [float(mp.ncdf(v) / _mp_h(v)) for v in z]
    np.testing.assert_allclose(d, ref_d, rtol=1e-12)


def test_log_h_derivative_by_finite_differences():
    from probstat.bayesopt._closed_forms import _dlog_h

    z = np.array([3.0, 0.5, -0.99, -1.01, -4.0, -30.0, -500.0])
    e = 1e-6 * np.maximum(1.0, np.abs(z))
    fd = (log_h(z + e) - log_h(z - e)) / (2 * e)
    np.testing.assert_allclose(_dlog_h(z), fd, rtol=1e-6)


def test_ei_against_monte_carlo(rng):
    mean, std, best = 0.4, 1.3, 1.0
    f = rng.normal(mean, std, 400_000)
    imp = np.maximum(f - best, 0)
    se = imp.std() / math.sqrt(imp.size)
    assert abs(expected_improvement(mean, std, best) - imp.mean()) < 4 * se
    p = (f > best).mean()
    assert abs(probability_of_improvement(mean, std, best) - p) < 4 * math.sqrt(p * (1 - p) /
                                                                             f.size)


def test_pi_and_log_pi(mp_precision):
    for z in [2.0, 0.0, -3.0, -40.0, -1e4]:
        ref = mp.log(mp.ncdf(z))
        assert log_probability_of_improvement(z, 1.0, 0.0) == pytest.approx(float(ref), rel=1e-13)
    assert probability_of_improvement(0.0, 1.0, -1.0) == pytest.approx(stats.norm.cdf(1.0),
                                                                        rel=1e-15)


def test_zero_std_limits():
    np.testing.assert_array_equal(expected_improvement([1.0, -1.0], 0.0, 0.0), [1.0, 0.0])
    assert log_expected_improvement(-1.0, 0.0, 0.0) == -np.inf
    np.testing.assert_array_equal(probability_of_improvement([1.0, -1.0], 0.0, 0.0), [1.0, 0.0])
    assert upper_confidence_bound(1.0, 2.0, beta=4.0) == 5.0


@settings(max_examples=60, deadline=None)
@given(st.floats(-50, 50), st.floats(1e-3, 10), st.floats(-50, 50))
def test_ei_properties(mean, std, best):
    ei = expected_improvement(mean, std, best)
    # EI >= max(mean - best, 0) (Jensen) and EI >= 0
    assert ei >= max(mean - best, 0.0) - 1e-12 * max(1.0, abs(mean - best))
    # increasing in the mean: dEI/dmean = Phi(z) > 0
    assert expected_improvement(mean + 0.1, std, best) >= ei
    lei = log_expected_improvement(mean, std, best)
    if ei > 1e-300:
        assert lei == pytest.approx(math.log(ei), rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("bad, match", [
    ((np.nan, 1.0, 0.0), "mean must be finite"),
    ((0.0, -1.0, 0.0), "std must be >= 0"),
    ((0.0, 1.0, np.inf), "best must be finite"),
])
def test_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        expected_improvement(*bad)
    with pytest.raises(ValueError, match=match):
        log_expected_improvement(*bad)


# ------------------------------------------------------------------ discrete KG
def _kg_quad(a, b):
    def f(z):
        return (np.max(a + b * z) - a.max()) * stats.norm.pdf(z)
    # split at the envelope's kinks for an accurate quadrature
    pts = []
    for i in range(a.size):
        for j in range(a.size):
            if b[i] != b[j]:
                pts.append((a[i] - a[j]) / (b[j] - b[i]))
    pts = sorted(p for p in pts if abs(p) < 30)
    edges = [-40.0] + pts + [40.0]
    return sum(integrate.quad(f, lo, hi, epsabs=1e-14, epsrel=1e-12)[0]
               for lo, hi in zip(edges[:-1], edges[1:]) if hi > lo)


@pytest.mark.parametrize("M", [1, 2, 3, 6, 10])
def test_discrete_kg_against_quadrature(rng, M):
    for _ in range(5):
        a = rng.normal(size=M)
        b = rng.normal(size=M)
        if M >= 4:  # ties in the slopes and in the intercepts
            b[1] = b[0]
            a[3] = a[2]
            b[3] = b[2]
        assert discrete_knowledge_gradient(a, b) == pytest.approx(_kg_quad(a, b), abs=1e-9)


def test_discrete_kg_gradient_by_finite_differences(rng):
    a, b = rng.normal(size=7), rng.normal(size=7)
    kg, ga, gb = discrete_knowledge_gradient(a, b, return_grad=True)
    e = 1e-6
    I = np.eye(7)
    fa = [(discrete_knowledge_gradient(a + e * I[i], b)
           - discrete_knowledge_gradient(a - e * I[i], b)) / (2 * e) for i in range(7)]
    fb = [(discrete_knowledge_gradient(a, b + e * I[i])
           - discrete_knowledge_gradient(a, b - e * I[i])) / (2 * e) for i in range(7)]
    np.testing.assert_allclose(ga, fa, atol=1e-7)
    np.testing.assert_allclose(gb, fb, atol=1e-7)


def test_discrete_kg_rows_and_special_cases():
    # E|Z| = sqrt(2/pi) for two symmetric lines; equal slopes give 0
    assert discrete_knowledge_gradient([0.0, 0.0], [-1.0, 1.0]) == pytest.approx(
        math.sqrt(2 / math.pi), rel=1e-14)
    assert discrete_knowledge_gradient([0.0, 1.0], [0.5, 0.5]) == 0.0
    rows = discrete_knowledge_gradient([[0.0, 0.0], [0.0, 1.0]], [[-1.0, 1.0], [0.5, 0.5]])
    np.testing.assert_allclose(rows, [math.sqrt(2 / math.pi), 0.0], atol=1e-15)
    with pytest.raises(ValueError, match="same shape"):
        discrete_knowledge_gradient([0.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="finite"):
        discrete_knowledge_gradient([np.nan], [1.0])


def test_discrete_kg_matches_monte_carlo_of_gp_update(rng):
    """KG on a grid equals the MC mean of max mu_{n+1} - max mu_n under the rank-1 update."""
    grid = np.linspace(0, 1, 25)
    K = np.exp(-0.5 * (grid[:, None] - grid[None, :]) ** 2 / 0.15**2)
    mu = np.sin(6 * grid)
    x, noise = 11, 0.1
    b = K[:, x] / math.sqrt(K[x, x] + noise)
    y = mu[x] + math.sqrt(K[x, x] + noise) * rng.standard_normal(200_000)
    mu_next = mu[None, :] + np.outer((y - mu[x]) / (K[x, x] + noise), K[:, x])
    gains = mu_next.max(axis=1) - mu.max()
    se = gains.std() / math.sqrt(gains.size)
    assert abs(discrete_knowledge_gradient(mu, b) - gains.mean()) < 4 * se


# ------------------------------------------------------------------ Frazier's noisy EI
def test_noisy_ei_reduces_to_ei_without_noise(rng):
    mean_obs = rng.normal(size=6)
    mean = rng.normal(size=9)
    var = rng.uniform(0.1, 2.0, 9)
    got = noisy_expected_improvement(mean_obs, mean, np.zeros((9, 6)), var, 0.0)
    ref = expected_improvement(mean, np.sqrt(var), mean_obs.max())
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-14)


def test_noisy_ei_monte_carlo_and_monotone(rng):
    # a joint Gaussian over (x_1..x_n, x) with posterior covariance S
    n = 4
    A = rng.normal(size=(n + 1, n + 1))
    S = A @ A.T / (n + 1)
    mu = rng.normal(size=n + 1)
    noise = 0.3
    val = noisy_expected_improvement(mu[:n], mu[n:], S[n:, :n], S[n:, n], noise)[0]
    y = mu[n] + math.sqrt(S[n, n] + noise) * rng.standard_normal(300_000)
    upd = mu[None, :] + np.outer((y - mu[n]) / (S[n, n] + noise), S[:, n])
    gains = upd.max(axis=1) - mu[:n].max()
    se = gains.std() / math.sqrt(gains.size)
    assert val >= 0
    assert abs(val - gains.mean()) < 4 * se
    # with b_i = 0 for i <= n it is non-decreasing in sigma_n(x)
    vals = noisy_expected_improvement(mu[:n], np.full(5, mu[n]), np.zeros((5, n)),
                                      np.linspace(0.1, 3, 5), noise)
    assert np.all(np.diff(vals) >= -1e-14)


# ------------------------------------------------------------------ MES
def test_mes_against_monte_carlo_entropies(rng):
    """H(f) - E_{y*}[H(f | f <= y*)] by Monte Carlo of -E log p (truncated normals)."""
    mean, std = 0.3, 0.8
    ystar = np.array([0.5, 1.0, 2.2])
    val = max_value_entropy_search([mean], [std], ystar)[0]
    h_full = 0.5 * math.log(2 * math.pi * math.e * std**2)
    h_trunc = []
    for ys in ystar:
        dist = stats.truncnorm(-np.inf, (ys - mean) / std, loc=mean, scale=std)
        s = dist.rvs(200_000, random_state=rng)
        lp = -dist.logpdf(s)
        h_trunc.append((lp.mean(), lp.std() / math.sqrt(s.size)))
    mc = h_full - np.mean([h for h, _ in h_trunc])
    se = math.sqrt(sum(e**2 for _, e in h_trunc)) / len(h_trunc)
    assert abs(val - mc) < 4 * se + 1e-12
    with pytest.raises(ValueError, match="std must be > 0"):
        max_value_entropy_search([0.0], [0.0], [1.0])


# ------------------------------------------------------------------ q-EI
def test_qei_q1_equals_ei():
    mean, var, best = np.array([0.2, -1.0]), np.array([1.5, 0.3]), 0.0
    got = q_expected_improvement(mean[:, None], var[:, None, None], best, n_samples=2**14,
                                 random_state=0)
    ref = expected_improvement(mean, np.sqrt(var), best)
    # scrambled Sobol with 16384 points: error far below 1e-3 for these smooth integrands
    np.testing.assert_allclose(got, ref, rtol=2e-3)


def test_qei_q2_against_quadrature_and_bounds():
    mean = np.array([0.1, -0.2])
    cov = np.array([[1.0, 0.6], [0.6, 0.5]])
    best = 0.3
    # reference: E[max(f1, f2) - best]^+ = integral over f1 of E[max(..)^+ | f1] (1-D quad)
    s1 = math.sqrt(cov[0, 0])
    beta = cov[1, 0] / cov[0, 0]
    sc = math.sqrt(cov[1, 1] - beta * cov[0, 1])

    def inner(f1):
        m2 = mean[1] + beta * (f1 - mean[0])
        t = max(f1, best)
        # E[max(f1, f2) - best | f1]^+ = (t - best) + E[(f2 - t)^+]
        return ((t - best) + float(expected_improvement(m2, sc, t))) * stats.norm.pdf(
            f1, mean[0], s1)

    ref = integrate.quad(inner, mean[0] - 12 * s1, mean[0] + 12 * s1, epsabs=1e-12,
                         points=[best])[0]
    got = q_expected_improvement(mean, cov, best, n_samples=2**15, random_state=1)
    assert got == pytest.approx(ref, rel=3e-3)
    singles = expected_improvement(mean, np.sqrt(np.diag(cov)), best)
    assert singles.max() <= got <= singles.sum()


def test_qei_array_api(xp):
    mean = xp.asarray([[0.2, -0.1]], dtype=xp.float64)
    cov = xp.asarray([[[1.0, 0.3], [0.3, 0.8]]], dtype=xp.float64)
    got = q_expected_improvement(mean, cov, 0.0, n_samples=1024, random_state=0)
    ref = q_expected_improvement(np.array([[0.2, -0.1]]), np.array([[[1.0, 0.3], [0.3, 0.8]]]),
                                 0.0, n_samples=1024, random_state=0)
    from probstat.backend import to_numpy

    np.testing.assert_allclose(to_numpy(got), ref, rtol=1e-12)


def test_qei_seeded_and_validated():
    a = q_expected_improvement([0.0, 0.1], np.eye(2), 0.0, random_state=3)
    b = q_expected_improvement([0.0, 0.1], np.eye(2), 0.0, random_state=3)
    assert a == b
    with pytest.raises(ValueError, match="cov must have shape"):
        q_expected_improvement([0.0, 0.1], np.eye(3), 0.0)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(-3, 3)), min_size=1, max_size=12),
       st.floats(-10, 10), st.randoms(use_true_random=False))
def test_discrete_kg_invariants(lines, shift, rnd):
    a = np.array([p[0] for p in lines])
    b = np.array([p[1] for p in lines])
    kg = discrete_knowledge_gradient(a, b)
    assert kg >= 0
    # shifting every intercept or permuting the lines changes nothing
    assert discrete_knowledge_gradient(a + shift, b) == pytest.approx(kg, abs=1e-9)
    perm = list(range(a.size))
    rnd.shuffle(perm)
    assert discrete_knowledge_gradient(a[perm], b[perm]) == pytest.approx(kg, abs=1e-12)
    # KG <= E[max_i b_i Z] = (max b - min b) E[Z+] = (max b - min b) / sqrt(2 pi)
    assert kg <= (b.max() - b.min()) * math.sqrt(2 / math.pi) / 2 + 1e-12
