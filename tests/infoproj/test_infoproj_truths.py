"""Frozen scipy truths: discrete laws with infinite support and multivariate laws.

References are written here by another hand: closed-form cumulants of the truths, the
exact risk by summation over the law of the sufficient statistic, the exact risk of the
univariate normal MLE (chi-square moments), and Dirichlet/Beta moments.
"""

import math
import warnings

import numpy as np
import pytest
import scipy.special as sp
from scipy import stats

from probstat.infoproj import (
    ExponentialFamily,
    exact_risk_mvn,
    information_projection,
    monte_carlo_risk,
    risk_coefficients,
)
from probstat.infoproj._truths import TAIL_MASS, discrete_grid


# ------------------------------------------------------------------ discrete, infinite support
def _poisson_model_c(mean, var, k3):
    """Poisson model (theta = log m): R(n) = E[m log(m/mhat) - m + mhat], mhat = xbar.

    With u = (xbar - m)/m, -m E log(1 + u) = m (E u^2/2 - E u^3/3 + E u^4/4 + ...) and
    E u^2 = var/(n m^2), E u^3 = k3/(n^2 m^3), E u^4 = 3 var^2/(n^2 m^4) + O(n^-3).
    """
    return var / (2 * mean), -k3 / (3 * mean**2) + 3 * var**2 / (4 * mean**3)


TRUTHS = [
    # (law, mean, variance, third cumulant, law of the sum of n draws)
    (stats.poisson(2.0), 2.0, 2.0, 2.0, lambda n: stats.poisson(2.0 * n)),
    (stats.geom(0.3), 1 / 0.3, 0.7 / 0.3**2, 0.7 * 1.7 / 0.3**3,
     lambda n: stats.nbinom(n, 0.3, loc=n)),
    (stats.nbinom(2, 0.4), 2 * 0.6 / 0.4, 2 * 0.6 / 0.4**2, 2 * 0.6 * 1.6 / 0.4**3,
     lambda n: stats.nbinom(2 * n, 0.4)),
]


@pytest.mark.parametrize("law, mean, var, k3, total", TRUTHS,
                         ids=["poisson", "geometric", "negative_binomial"])
def test_infinite_support_closed_form(law, mean, var, k3, total):
    c1, c2 = risk_coefficients("poisson", law)
    r1, r2 = _poisson_model_c(mean, var, k3)
    assert c1 == pytest.approx(r1, rel=1e-10)
    assert c2 == pytest.approx(r2, rel=1e-8, abs=1e-10)
    theta = information_projection("poisson", law)
    assert theta[0] == pytest.approx(math.log(mean), rel=1e-12)


@pytest.mark.parametrize("law, mean, var, k3, total", TRUTHS,
                         ids=["poisson", "geometric", "negative_binomial"])
def test_infinite_support_against_exact_risk(law, mean, var, k3, total):
    # exact R(n) by summing over the law of the sum of n draws (zero sums have mass < 1e-100)
    c1, c2 = risk_coefficients("poisson", law)

    def exact(n):
        s_law = total(n)
        s = np.arange(max(1, s_law.ppf(1e-16)), s_law.isf(1e-16) + 1)
        mhat = s / n
        kl = mean * np.log(mean / mhat) - mean + mhat
        return float(np.sum(s_law.pmf(s) * kl))

    # n^2 (R - c1/n) = c2 + O(1/n): one Richardson step removes the O(1/n)
    a1, a2 = (n * n * (exact(n) - c1 / n) for n in (400, 800))
    assert 2 * a2 - a1 == pytest.approx(c2, rel=2e-2, abs=2e-3)


def test_truncation_states_and_respects_its_tail_mass():
    law = stats.poisson(50.0)
    k, pmf = discrete_grid(law)
    assert law.cdf(k[0, 0] - 1) <= TAIL_MASS and law.sf(k[-1, 0]) <= TAIL_MASS
    assert TAIL_MASS <= 1e-14
    # a law with infinite support on both sides (Skellam) is cut on both sides
    sk = stats.skellam(3.0, 2.0)
    k, pmf = discrete_grid(sk)
    assert sk.cdf(k[0, 0] - 1) <= TAIL_MASS and sk.sf(k[-1, 0]) <= TAIL_MASS
    nodes_mean = float(np.sum(k[:, 0] * pmf))
    assert nodes_mean == pytest.approx(1.0, abs=1e-12)


def test_heavy_tail_without_third_moment_is_refused():
    # zipf(a): E x^3 is infinite for a <= 4, so c2 (which needs it) does not exist
    with pytest.raises(ValueError, match="truth: .*too heavy"):
        risk_coefficients("poisson", stats.zipf(3.5))


def test_huge_finite_support_is_truncated():
    # binomial with 10^9 trials: the support is far too long to enumerate, the mass is not
    law = stats.binom(10**9, 0.3)
    c1, c2 = risk_coefficients("poisson", law)
    m, v = law.mean(), law.var()
    assert c1 == pytest.approx(v / (2 * m), rel=1e-8)


# ------------------------------------------------------------------ multivariate normal
def _normal_exact_risk(n):
    """Exact risk of the univariate normal MLE (n sigma_hat^2 / sigma^2 ~ chi2_{n-1})."""
    return 0.5 * (n / (n - 3) + 1 / (n - 3) - 1 + sp.digamma((n - 1) / 2) + math.log(2 / n))


def test_mvn_truth_mvn_family_closed_form():
    cov = np.array([[1.0, 0.9, 0.0], [0.9, 2.0, 0.3], [0.0, 0.3, 0.5]])
    truth = stats.multivariate_normal([1.0, -2.0, 0.5], cov)
    fam = ExponentialFamily.named("mvn", d=3)
    c1, c2 = risk_coefficients(fam, truth)
    assert c1 == 9 / 2
    # exact finite-n risk of the Gaussian MLE: n^2 (R - c1/n) -> c2
    a1, a2 = (n * n * (float(exact_risk_mvn(3, n)) - c1 / n) for n in (4000, 8000))
    assert 2 * a2 - a1 == pytest.approx(c2, rel=1e-3)
    mu, S = fam.from_natural(information_projection(fam, truth))
    assert np.allclose(mu, truth.mean, atol=1e-10) and np.allclose(S, cov, atol=1e-10)
    for mode in ("correct", "cumulant"):
        assert risk_coefficients(fam, truth, mode=mode) == pytest.approx((c1, c2), rel=1e-9)


def test_mvn_truth_quadrature_is_exact_for_the_statistic():
    # independent normals on a correlated truth: each block's KL depends only on its own
    # marginal MLE, so R(n) = d x (univariate normal risk), whatever the correlation
    cov = np.array([[1.0, 0.8], [0.8, 3.0]])
    truth = stats.multivariate_normal([0.0, 1.0], cov)
    c1, c2 = risk_coefficients("independent_normal", truth)
    a1, a2 = (n * n * (_normal_exact_risk(n) - 1.0 / n) for n in (10**5, 2 * 10**5))
    assert c1 == pytest.approx(2.0, rel=1e-12)
    assert c2 == pytest.approx(2 * (2 * a2 - a1), rel=1e-5)
    assert c2 == pytest.approx(2 * 61 / 12, rel=1e-10)       # the same by hand


def test_mvn_truth_high_dimension():
    truth = stats.multivariate_normal(np.zeros(12), np.eye(12) + 0.1)
    c1, c2 = risk_coefficients("mvn", truth)
    assert c1 == 12 * 15 / 4
    with pytest.raises(ValueError, match="pass a sample"):
        risk_coefficients("independent_normal", truth)


# ------------------------------------------------------------------ multinomial
def test_multinomial_single_trial_is_the_categorical_grid():
    p = np.array([0.2, 0.3, 0.5])
    got = risk_coefficients("multinomial", stats.multinomial(1, p))
    ref = risk_coefficients("multinomial", (np.arange(3.0)[:, None], p))
    assert got == pytest.approx(ref, rel=1e-12)
    assert got[0] == pytest.approx(1.0, rel=1e-12)


def test_multinomial_trials_against_exact_enumeration():
    # n count vectors of N trials: exact R(n) = N E KL(p || S/(n N)), S ~ Mult(n N, p),
    # by enumerating every S (a zero cell has mass < 1e-19 here)
    p = np.array([0.5, 0.3, 0.2])
    N = 4
    c1, c2 = risk_coefficients("multinomial", stats.multinomial(N, p))
    assert c1 == pytest.approx(1.0, rel=1e-12)

    def exact(n):
        m = n * N
        a, b = np.meshgrid(np.arange(1, m), np.arange(1, m), indexing="ij")
        keep = a + b < m
        S = np.stack([a[keep], b[keep], m - a[keep] - b[keep]], axis=1).astype(float)
        w = stats.multinomial(m, p).pmf(S)
        kl = np.sum(p * np.log(p / (S / m)), axis=1)
        return N * float(np.sum(w * kl))

    a1, a2 = (n * n * (exact(n) - c1 / n) for n in (50, 100))
    assert 2 * a2 - a1 == pytest.approx(c2, rel=2e-2)


def test_multinomial_truth_other_family_exact_moments():
    p = np.array([0.2, 0.3, 0.5])
    N = 5
    fam = ExponentialFamily.named("independent_normal", d=3)
    theta = information_projection(fam, stats.multinomial(N, p))
    b = theta.reshape(-1, 2)
    var = -0.5 / b[:, 1]
    assert np.allclose(b[:, 0] * var, N * p, rtol=1e-12)
    assert np.allclose(var, N * p * (1 - p), rtol=1e-12)


# ------------------------------------------------------------------ dirichlet
def _beta_excess_kurtosis(a, b):
    return 6 * ((a - b) ** 2 * (a + b + 1) - a * b * (a + b + 2)) / (
        a * b * (a + b + 2) * (a + b + 3))


def test_dirichlet_truth_polynomial_statistic_is_exact():
    alpha = np.array([2.0, 3.0, 4.0])
    a0 = alpha.sum()
    fam = ExponentialFamily.named("independent_normal", d=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theta = information_projection(fam, stats.dirichlet(alpha))
        c1, _ = risk_coefficients(fam, stats.dirichlet(alpha))
    b = theta.reshape(-1, 2)
    var = -0.5 / b[:, 1]
    assert np.allclose(b[:, 0] * var, alpha / a0, rtol=1e-12)
    assert np.allclose(var, alpha * (a0 - alpha) / (a0**2 * (a0 + 1)), rtol=1e-10)
    # sandwich c1 of a univariate normal block is (kurtosis + 1)/4 (marginals are Beta)
    ref = sum((_beta_excess_kurtosis(a, a0 - a) + 4.0) / 4.0 for a in alpha)
    assert c1 == pytest.approx(ref, rel=1e-10)


def test_dirichlet_truth_log_statistic_within_stated_error():
    # the Dirichlet family itself (t = log x): its projection of a Dirichlet truth is
    # alpha - 1, and E log x_j = digamma(alpha_j) - digamma(alpha_0)
    alpha = np.array([1.5, 2.5, 4.0])

    def psi(th):
        a = th + 1.0
        return float(np.sum(sp.gammaln(a)) - sp.gammaln(a.sum()))

    fam = ExponentialFamily(lambda X: np.log(X), log_partition=psi, theta0=np.zeros(3),
                            name="dirichlet")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        theta = information_projection(fam, stats.dirichlet(alpha))
    stated = [str(w.message) for w in rec if "Gauss-Jacobi" in str(w.message)]
    tol = 1e-6
    if stated:                              # the warning states the error it estimates
        tol = 10 * float(stated[0].split("error is ")[1].split(" ")[0])
    assert np.allclose(theta, alpha - 1.0, rtol=max(tol, 1e-6), atol=max(tol, 1e-6))


def test_monte_carlo_risk_with_multivariate_truth():
    cov = np.array([[1.0, 0.4], [0.4, 1.0]])
    truth = stats.multivariate_normal([0.0, 0.0], cov)
    c1, c2 = risk_coefficients("independent_normal", truth)
    n = 200
    mc = monte_carlo_risk("independent_normal", n, 6000, truth=truth, random_state=0)
    assert abs(mc.risk - (c1 / n + c2 / n**2)) < 4 * mc.std_error
