"""Functional core: exact risks, expansions for exponential families, tolerances, n_min.

References: closed forms re-derived here (digamma formulas by direct 1-D quadrature over
the sampling distribution of the MLE), the spec's closed-form coefficients, scipy's
k-statistics.
"""

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from probstat.infoproj import (
    ExponentialFamily,
    cumulant_invariants,
    exact_risk_exponential,
    exact_risk_gamma,
    exact_risk_mvn,
    exact_risk_normal_known_var,
    kl_tolerance,
    min_sample_size,
    risk_expansion_expfam,
    sample_cumulants,
)


# ------------------------------------------------------------------ exact risks (T1-T4)
def _gamma_risk_by_quadrature(alpha, n):
    """E[KL(rate 1 || rate_hat)] with rate_hat = alpha / xbar, xbar ~ Gamma(n alpha, n alpha).

    KL(Gamma(a, 1) || Gamma(a, r)) = a (log(1/r) + r - 1), an independent route to the
    digamma closed form.
    """
    dist = stats.gamma(n * alpha, scale=1.0 / (n * alpha))

    def f(xbar):
        r = 1.0 / xbar  # rate_hat / true rate
        return alpha * (-math.log(r) + r - 1.0) * dist.pdf(xbar)

    lo, hi = dist.ppf(1e-15), dist.isf(1e-15)
    val, _ = scipy.integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-13, limit=500,
                                  points=[dist.mean()])
    return val


@pytest.mark.parametrize("n", [10, 20, 50, 100])
def test_exact_risk_exponential_matches_quadrature(n):  # T1
    # quad reaches ~1e-12 relative here; the tails beyond 1e-15 mass are negligible
    assert exact_risk_exponential(n) == pytest.approx(_gamma_risk_by_quadrature(1.0, n),
                                                      rel=1e-9)
    assert exact_risk_exponential(n) == pytest.approx(
        scipy.special.digamma(n) - math.log(n) + 1 / (n - 1), rel=1e-14)


def test_exact_risk_exponential_expansion():  # T2
    # n^2 (R - 1/(2n)) = 11/12 + O(1/n): at n = 1e5 the O(1/n) term is ~1e-5
    n = 1000
    val = n**2 * (exact_risk_exponential(n) - 0.5 / n)
    assert val == pytest.approx(11 / 12, abs=2e-3)
    vals = [m**2 * (exact_risk_exponential(m) - 0.5 / m) for m in (1e4, 2e4)]
    assert 2 * vals[1] - vals[0] == pytest.approx(11 / 12, abs=1e-6)  # Richardson


def test_exact_risk_gamma_known_shape():  # T3
    alpha, n = 2.5, 20
    assert exact_risk_gamma(alpha, n) == pytest.approx(_gamma_risk_by_quadrature(alpha, n),
                                                       rel=1e-9)
    fam = ExponentialFamily.named("gamma_known_shape", shape=alpha)
    G, p3, p4 = fam.cumulants([-1.3])
    c1, c2 = risk_expansion_expfam(G, p3, p4, G, p3)
    assert c1 == pytest.approx(0.5, abs=1e-12)
    assert c2 == pytest.approx(11 / (12 * alpha), abs=1e-12)
    vals = [m**2 * (exact_risk_gamma(alpha, m) - 0.5 / m) for m in (1e4, 2e4)]
    assert 2 * vals[1] - vals[0] == pytest.approx(c2, abs=1e-6)


def _mvn_risk_d1_by_quadrature(n):
    """Normal model, exact risk by 1-D quadrature over s^2 (xbar part analytic).

    KL(N(0,1) || N(m, v)) = (1 + m^2)/(2v) - 1/2 + log(v)/2 with m ~ N(0, 1/n) independent
    of n v ~ chi2(n-1).
    """
    chi = stats.chi2(n - 1)

    def f(u):
        v = u / n
        return ((1 + 1 / n) / (2 * v) - 0.5 + 0.5 * math.log(v)) * chi.pdf(u)

    val, _ = scipy.integrate.quad(f, chi.ppf(1e-16), chi.isf(1e-16), epsabs=0, epsrel=1e-13,
                                  limit=500, points=[n - 1.0])
    return val


def test_exact_risk_mvn_d1_quadrature():  # T4, d = 1
    assert exact_risk_mvn(1, 20) == pytest.approx(_mvn_risk_d1_by_quadrature(20), rel=1e-9)


@pytest.mark.parametrize("d,n", [(2, 50), (3, 100), (5, 1000)])
def test_exact_risk_mvn_by_bartlett(d, n):  # T4, d > 1
    # Independent route by 1-D quadratures: E tr(S^-1) from E[1/chi2] of the Schur
    # complement and E log det(nS) = sum_i E log chi2_{n-i} (Bartlett decomposition).
    def expect_chi2(k, g):
        dist = stats.chi2(k)
        return scipy.integrate.quad(lambda u: g(u) * dist.pdf(u), dist.ppf(1e-17),
                                    dist.isf(1e-17), epsabs=0, epsrel=1e-13, limit=500,
                                    points=[k - 2.0, k])[0]

    def e_log_chi2(k):
        return expect_chi2(k, math.log)

    def e_inv_chi2(k):
        return expect_chi2(k, lambda u: 1.0 / u)

    # W = n S ~ Wishart_d(I, n-1): a diagonal entry of W^-1 is 1/(Schur complement), and
    # the Schur complement is chi2 with n-1-(d-1) = n-d degrees of freedom
    inv_mean = e_inv_chi2(n - d)
    e_tr = n * d * inv_mean                    # E tr(S^-1 Sigma)
    e_quad = d * inv_mean                      # E (xbar-mu)' S^-1 (xbar-mu)
    e_logdet = sum(e_log_chi2(n - i) for i in range(1, d + 1)) - d * math.log(n)
    ref = 0.5 * (e_tr + e_quad - d + e_logdet)
    assert exact_risk_mvn(d, n) == pytest.approx(ref, rel=1e-9)


def test_exact_risk_mvn_monte_carlo():
    # 4000 replications of the Gaussian MLE in d = 2 at n = 15: the MC mean is within
    # 4 standard errors of the closed form
    rng = np.random.default_rng(3)
    d, n, reps = 2, 15, 4000
    X = rng.standard_normal((reps, n, d))
    m = X.mean(axis=1)
    R = X - m[:, None, :]
    S = np.einsum("rna,rnb->rab", R, R) / n
    Si = np.linalg.inv(S)
    kl = 0.5 * (np.trace(Si, axis1=1, axis2=2) + np.einsum("ra,rab,rb->r", m, Si, m) - d
                + np.linalg.slogdet(S)[1])
    assert abs(kl.mean() - exact_risk_mvn(d, n)) < 4 * kl.std() / math.sqrt(reps)


def test_exact_risk_vectorised_and_known_var():
    ns = np.array([10, 20, 40])
    assert np.allclose(exact_risk_mvn(2, ns), [exact_risk_mvn(2, int(k)) for k in ns],
                       rtol=1e-14)
    assert exact_risk_normal_known_var(25, 3.0) == pytest.approx(3.0 / 50, rel=1e-15)  # T20


def test_exact_risk_bad_input():
    with pytest.raises(ValueError, match="n must be > 4"):
        exact_risk_mvn(2, 4)
    with pytest.raises(ValueError, match="d must be >= 1"):
        exact_risk_mvn(0, 10)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        exact_risk_gamma(-1.0, 10)
    with pytest.raises(ValueError, match="n must be > 1"):
        exact_risk_exponential(1)
    with pytest.raises(TypeError, match="n must be an array of numbers, not a string"):
        exact_risk_mvn(1, "ten")


# ------------------------------------------------------------------ closed-form coefficients
def test_mvn_coefficients_parameter_free():  # T5, T18
    rng = np.random.default_rng(7)
    for d in (1, 2, 3):
        fam = ExponentialFamily.named("mvn", d=d)
        mu = rng.normal(size=d) * 3
        A = rng.normal(size=(d, d))
        cov = A @ A.T + 0.5 * np.eye(d)
        G, p3, p4 = fam.cumulants(fam.to_natural(mu, cov))
        c1, c2 = risk_expansion_expfam(G, p3, p4, G, p3)
        target = d * (10 * d * d + 51 * d + 61) / 24
        # conditioning of the natural parametrisation costs a few digits at random cov
        assert c1 == pytest.approx(d * (d + 3) / 4, rel=1e-8)
        assert c2 == pytest.approx(target, rel=1e-8)
        assert cumulant_invariants(G, p3, p4)[3] == pytest.approx(target, rel=1e-8)
    assert [d * (10 * d * d + 51 * d + 61) / 24 for d in range(1, 6)] == pytest.approx(
        [61 / 12, 203 / 12, 38, 425 / 6, 1415 / 12], rel=1e-15)


def test_mvn_expansion_matches_exact_richardson():
    # V1: n^2 (R_exact - c1/n) -> c2; Richardson over n = 1e4, 2e4 removes the 1/n term
    for d in (1, 2, 3):
        c1, c2 = d * (d + 3) / 4, d * (10 * d * d + 51 * d + 61) / 24
        f = [m**2 * (exact_risk_mvn(d, m) - c1 / m) for m in (1e4, 2e4)]
        assert 2 * f[1] - f[0] == pytest.approx(c2, rel=1e-5)


@pytest.mark.parametrize("pi", [(0.2, 0.3, 0.5), (0.1, 0.15, 0.25, 0.5)])
def test_multinomial_coefficients(pi):  # T6
    pi = np.asarray(pi)
    k = pi.size
    fam = ExponentialFamily.named("multinomial", k=k)
    G, p3, p4 = fam.cumulants(np.log(pi[:-1] / pi[-1]))
    c1, c2 = risk_expansion_expfam(G, p3, p4, G, p3)
    assert c1 == pytest.approx((k - 1) / 2, abs=1e-10)
    assert c2 == pytest.approx((5 * np.sum(1 / pi) - 6 * k + 1) / 12, abs=1e-10)


def test_bernoulli_poisson_coefficients():  # T7
    fam = ExponentialFamily.named("bernoulli")
    G, p3, p4 = fam.cumulants([scipy.special.logit(0.3)])
    c1, c2 = risk_expansion_expfam(G, p3, p4, G, p3)
    assert c2 == pytest.approx((5 / (0.3 * 0.7) - 11) / 12, abs=1e-10)
    fam = ExponentialFamily.named("poisson")
    G, p3, p4 = fam.cumulants([math.log(2.0)])
    assert risk_expansion_expfam(G, p3, p4, G, p3)[1] == pytest.approx(5 / 24, abs=1e-10)


def test_one_parameter_misspecified_formula():
    # spec: c1 = s2/(2 psi2), c2 = -psi3 k3/(3 psi2^3) + (3/8) s2^2 (3 psi3^2/psi2^5 - psi4/psi2^4)
    psi2, psi3, psi4, s2, k3 = 1.7, -0.4, 2.2, 2.9, 1.3
    c1, c2 = risk_expansion_expfam([[psi2]], [[[psi3]]], [[[[psi4]]]], [[s2]], [[[k3]]])
    assert c1 == pytest.approx(s2 / (2 * psi2), rel=1e-14)
    ref = -psi3 * k3 / (3 * psi2**3) + 0.375 * s2**2 * (3 * psi3**2 / psi2**5 - psi4 / psi2**4)
    assert c2 == pytest.approx(ref, rel=1e-13)


def test_order_one_and_bad_input():
    assert risk_expansion_expfam([[2.0]], None, None, [[1.0]], None, order=1) == (0.25, 0.0)
    with pytest.raises(ValueError, match="positive definite"):
        risk_expansion_expfam(np.zeros((2, 2)), np.zeros((2,) * 3), np.zeros((2,) * 4),
                              np.eye(2), np.zeros((2,) * 3))
    with pytest.raises(ValueError, match="Sigma must have shape"):
        risk_expansion_expfam(np.eye(2), np.zeros((2,) * 3), np.zeros((2,) * 4),
                              np.eye(3), np.zeros((2,) * 3))
    with pytest.raises(ValueError, match="psi4 must be 4-D"):
        risk_expansion_expfam(np.eye(2), np.zeros((2,) * 3), np.zeros((2,) * 3),
                              np.eye(2), np.zeros((2,) * 3))
    with pytest.raises(ValueError, match="finite"):
        risk_expansion_expfam([[np.nan]], [[[0.0]]], [[[[0.0]]]], [[1.0]], [[[0.0]]])
    with pytest.raises(ValueError, match="order must be one of 1, 2"):
        risk_expansion_expfam([[1.0]], [[[0.0]]], [[[[0.0]]]], [[1.0]], [[[0.0]]], order=3)


def test_risk_expansion_expfam_array_api(xp):
    rng = np.random.default_rng(0)
    fam = ExponentialFamily.named("mvn", d=2)
    G, p3, p4 = fam.cumulants(fam.to_natural([0.3, -1.0], [[2.0, 0.5], [0.5, 1.0]]))
    S = G + 0.1 * np.diag(rng.random(5))
    k3 = p3 * 1.1
    ref = risk_expansion_expfam(G, p3, p4, S, k3)
    got = risk_expansion_expfam(*(xp.asarray(a) for a in (G, p3, p4, S, k3)))
    assert got == pytest.approx(ref, rel=1e-12)


# ------------------------------------------------------------------ tolerances and n_min
def test_kl_tolerance():  # T17
    for eps in (0.05, 0.1, 0.2):
        assert kl_tolerance(eps, "pinsker") == pytest.approx(2 * eps**2, abs=1e-15)
        assert kl_tolerance(eps, "bretagnolle_huber") == pytest.approx(-math.log(1 - eps**2),
                                                                       abs=1e-15)
        assert kl_tolerance(eps, "best") == pytest.approx(2 * eps**2, abs=1e-15)
    # Bretagnolle-Huber wins once eps^2 > 0.797 (2x = -log(1-x) at x = 0.7968)
    assert kl_tolerance(0.95, "best") == pytest.approx(-math.log(1 - 0.95**2), abs=1e-12)
    assert np.allclose(kl_tolerance(np.array([0.05, 0.1]), "pinsker"), [0.005, 0.02],
                       rtol=1e-14)
    with pytest.raises(ValueError, match=r"eps must be in \(0, 1\)"):
        kl_tolerance(0.0)
    with pytest.raises(ValueError, match="bound must be one of"):
        kl_tolerance(0.1, "chernoff")


@given(eps=st.floats(0.001, 0.999))
@settings(max_examples=50, deadline=None)
def test_kl_tolerance_guarantees_tv(eps):
    # any KL <= delta gives TV <= eps through the chosen (valid) inequality
    delta = kl_tolerance(eps, "best")
    tv_bound = min(math.sqrt(delta / 2), math.sqrt(1 - math.exp(-delta)))
    assert tv_bound <= eps * (1 + 1e-12)


def _brute_nmin(f, delta, start=1):
    n = start
    while f(n) > delta:
        n += 1
    return n


@pytest.mark.parametrize("d,delta", [(3, 0.01), (1, 0.005), (5, 0.01)])
def test_min_sample_size_vs_exact_mvn(d, delta):  # T16
    c1, c2 = d * (d + 3) / 4, d * (10 * d * d + 51 * d + 61) / 24
    n1 = min_sample_size(c1, c2, delta, order=1)
    n2 = min_sample_size(c1, c2, delta, order=2)
    assert n1 == math.ceil(c1 / delta)
    assert n2 == _brute_nmin(lambda m: c1 / m + c2 / m**2, delta)
    n_exact = _brute_nmin(lambda m: exact_risk_mvn(d, m), delta, start=d + 3)
    assert exact_risk_mvn(d, n_exact) <= delta < exact_risk_mvn(d, n_exact - 1)
    assert n1 <= n2  # c2 > 0: the second order asks for more
    if (d, delta) == (1, 0.005):
        # second order is not conservative here: the exact risk at its n_min exceeds delta
        assert exact_risk_mvn(d, n2) > delta


@given(c1=st.floats(0.01, 100), c2=st.floats(-50, 500), delta=st.floats(1e-4, 0.5))
@settings(max_examples=60, deadline=None)
def test_min_sample_size_is_smallest(c1, c2, delta):
    n = min_sample_size(c1, c2, delta)
    f = lambda m: c1 / m + c2 / m**2  # noqa: E731
    if c1 * c1 + 4 * delta * c2 < 0:
        assert n == 1
        return
    assert f(n) <= delta
    if n > 1:
        # n-1 fails unless it lies below the smaller root (only possible when c2 < 0)
        assert f(n - 1) > delta or c2 < 0


def test_min_sample_size_bad_input():
    with pytest.raises(ValueError, match="delta must be > 0"):
        min_sample_size(1.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="c1 must be > 0"):
        min_sample_size(-1.0, 0.0, 0.1)
    with pytest.raises(TypeError, match="delta"):
        min_sample_size(1.0, 0.0)


# ------------------------------------------------------------------ cumulants
def test_sample_cumulants_match_scipy_kstat():
    x = np.random.default_rng(2).gamma(2.0, size=60)
    _, k2, k3, k4 = sample_cumulants(x[:, None], estimator="kstat", order=4)
    for k, val in ((2, k2), (3, k3), (4, k4)):
        assert val.ravel()[0] == pytest.approx(stats.kstat(x, k), rel=1e-12)
    _, m2, m3 = sample_cumulants(x[:, None])
    assert m2[0, 0] == pytest.approx(np.var(x), rel=1e-12)
    assert m3[0, 0, 0] == pytest.approx(stats.moment(x, 3), rel=1e-12)


def test_multivariate_kstat_unbiased_on_exact_enumeration():
    # k-statistics are unbiased: average over every sample of size 5 drawn with
    # replacement from a 3-point bivariate law equals the law's cumulants
    import itertools

    pts = np.array([[0.0, 1.0], [1.0, -1.0], [2.5, 0.5]])
    w = np.array([0.5, 0.3, 0.2])
    _, K2, K3, K4 = sample_cumulants(pts, weights=w, order=4)
    acc = [np.zeros_like(K2), np.zeros_like(K3), np.zeros_like(K4)]
    for idx in itertools.product(range(3), repeat=5):
        prob = np.prod(w[list(idx)])
        _, a, b, c = sample_cumulants(pts[list(idx)], estimator="kstat", order=4)
        acc[0] += prob * a
        acc[1] += prob * b
        acc[2] += prob * c
    for got, ref in zip(acc, (K2, K3, K4)):
        assert np.max(np.abs(got - ref)) < 1e-12


def test_cumulant_invariants_one_dimensional():
    # p = 1: c2 = (19/24) gamma1^2 - (3/8) gamma2 (standardised skewness / excess kurtosis)
    g, k3, k4 = 2.0, 1.5, 4.0
    g3a, g3b, g4, c2 = cumulant_invariants([[g]], [[[k3]]], [[[[k4]]]])
    gamma1, gamma2 = k3 / g**1.5, k4 / g**2
    assert c2 == pytest.approx(19 / 24 * gamma1**2 - 0.375 * gamma2, rel=1e-13)


def test_spec_breakdown_example():
    # spec 1.8: MVN d = 5, n = 20 has exact R = 0.972 against 0.500 / 0.795 (1st / 2nd order)
    c1, c2 = 5 * 8 / 4, 5 * (250 + 255 + 61) / 24
    assert exact_risk_mvn(5, 20) == pytest.approx(0.972, abs=5e-4)
    assert c1 / 20 == pytest.approx(0.5, abs=1e-12)
    assert c1 / 20 + c2 / 400 == pytest.approx(0.795, abs=5e-4)
