"""Information projection, risk coefficients for a truth, Monte Carlo and bootstrap risks.

References: closed-form projections (moment matching by hand), exact risks, the numba
kernel's pure-Python original, Monte Carlo with standard errors.
"""

import math

import numpy as np
import pytest
from scipy import stats

from probstat.infoproj import (
    ExponentialFamily,
    bootstrap_risk,
    exact_risk_exponential,
    exact_risk_mvn,
    information_projection,
    monte_carlo_risk,
    risk_coefficients,
)
from probstat.infoproj._kernels import mvn_kl_batch


def test_projection_of_distributions():
    fam = ExponentialFamily.named("normal")
    mu, cov = fam.from_natural(information_projection(fam, stats.gamma(4)))
    assert mu[0] == pytest.approx(4.0, rel=1e-10) and cov[0, 0] == pytest.approx(4.0, rel=1e-9)
    th = information_projection("poisson", stats.nbinom(2, 0.4))
    assert th[0] == pytest.approx(math.log(3.0), rel=1e-10)
    th = information_projection("exponential", stats.uniform(0, 2))
    assert th[0] == pytest.approx(-1.0, rel=1e-10)       # rate 1 / mean
    # a pmf on a grid
    th = information_projection("bernoulli", (np.array([[0.0], [1.0]]), [0.25, 0.75]))
    assert th[0] == pytest.approx(math.log(3.0), rel=1e-12)


def test_projection_of_a_sample_is_the_mle():
    X = np.random.default_rng(0).normal(size=(100, 2))
    fam = ExponentialFamily.named("mvn", d=2)
    assert np.allclose(information_projection(fam, X), fam.fit(X), rtol=1e-12)


def test_projection_minimises_kl_by_brute_force():
    # KL(truth || g_theta) over a grid of rates: the minimiser is the projection
    truth = stats.gamma(2.0, scale=1.5)
    th = information_projection("exponential", truth)[0]
    rates = np.linspace(0.05, 1.5, 2901)
    # D = const - E log g = const - (log r - r E x); E x = 3
    cross = -(np.log(rates) - rates * 3.0)
    assert -rates[np.argmin(cross)] == pytest.approx(th, abs=1e-3)


def test_truth_input_errors():
    with pytest.raises(ValueError, match="pmf must"):
        information_projection("bernoulli", (np.array([[0.0], [1.0]]), [0.5, 0.6]))
    with pytest.raises(ValueError, match="one entry per support"):
        information_projection("bernoulli", (np.array([[0.0], [1.0]]), [1.0]))
    with pytest.raises(TypeError, match="pass a sample for other multivariate laws"):
        information_projection("mvn", stats.multivariate_t(np.zeros(2), df=5))
    with pytest.raises(ValueError, match="finite"):
        information_projection("normal", np.array([[1.0], [np.inf]]))
    with pytest.raises(TypeError, match="family must be"):
        information_projection(3, np.ones((3, 1)))
    with pytest.raises(ValueError, match="mode must be"):
        risk_coefficients("normal", np.ones((3, 1)), mode="robust")
    with pytest.raises(ValueError, match="needs a sample, a \\(support, pmf\\) grid"):
        risk_coefficients("normal", stats.norm(), mode="cumulant")


def test_known_variance_normal_any_truth():  # T20
    truth = stats.gamma(3.0)
    c1, c2 = risk_coefficients(ExponentialFamily.named("normal_known_var", variance=2.0), truth)
    assert c1 == pytest.approx(3.0 / (2 * 2.0), rel=1e-10)
    assert c2 == 0.0
    mc = monte_carlo_risk(ExponentialFamily.named("normal_known_var", variance=2.0), 10, 40000,
                          truth=truth, random_state=0)
    assert abs(mc.risk - 3.0 / (2 * 2.0 * 10)) < 4 * mc.std_error


def test_correct_and_cumulant_modes():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4000, 2))
    c1, c2 = risk_coefficients("mvn", X, mode="correct")
    assert (c1, c2) == pytest.approx((2.5, 203 / 12), rel=1e-12)
    # sample cumulants of t estimate the same invariants (consistency, n = 4000)
    c1k, c2k = risk_coefficients("mvn", X, mode="cumulant")
    assert c1k == 2.5
    assert c2k == pytest.approx(203 / 12, rel=0.15)
    # the contracted O(n^2 p) route (used for p > 30) equals the dense-tensor route
    from probstat.infoproj import cumulant_invariants, sample_cumulants
    from probstat.infoproj._risk import _cumulant_c2_contracted

    T = ExponentialFamily.named("mvn", d=2).stat(X[:500])
    _, k2, k3, k4 = sample_cumulants(T, order=4)
    assert _cumulant_c2_contracted(T) == pytest.approx(cumulant_invariants(k2, k3, k4)[3],
                                                       rel=1e-9)


def test_mvn_kernel_matches_python_and_direct_kl():
    rng = np.random.default_rng(0)
    Z = rng.standard_normal((30, 12, 3))
    got = mvn_kl_batch(Z)
    py_func = getattr(mvn_kl_batch, "py_func", mvn_kl_batch)  # plain under NUMBA_DISABLE_JIT
    assert np.allclose(got, py_func(Z), rtol=1e-12)
    # affine invariance: the same numbers from data mu + L z against N(mu, L L')
    mu = np.array([1.0, -1.0, 0.5])
    L = np.linalg.cholesky(np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 0.5]]))
    fam = ExponentialFamily.named("mvn", d=3)
    t0 = fam.to_natural(mu, L @ L.T)
    ref = [fam.kl(t0, fam.fit(mu + z @ L.T)) for z in Z]
    assert np.allclose(got, ref, rtol=1e-10)
    # a singular sample covariance (n = 2 < d + 1) gives +inf
    assert np.all(np.isinf(mvn_kl_batch(rng.standard_normal((3, 2, 3)))))


def test_monte_carlo_risk_mvn_exact_and_reproducible():
    fam = ExponentialFamily.named("mvn", d=3)
    th = fam.to_natural([0, 0, 0], np.eye(3))
    a = monte_carlo_risk(fam, 30, 3000, theta=th, random_state=5)
    b = monte_carlo_risk(fam, 30, 3000, theta=th, random_state=5)
    assert a.risk == b.risk
    assert abs(a.risk - exact_risk_mvn(3, 30)) < 4 * a.std_error
    # the control-variate route (numpy) agrees as well
    c = monte_carlo_risk(fam, 30, 3000, theta=th, control_variate=True, random_state=6)
    assert abs(c.risk - exact_risk_mvn(3, 30)) < 4 * c.std_error
    assert c.std_error < a.std_error


def test_monte_carlo_risk_univariate_exact():
    mc = monte_carlo_risk("exponential", 20, 100000, theta=[-2.0], random_state=0)
    assert abs(mc.risk - exact_risk_exponential(20)) < 4 * mc.std_error
    # Poisson: samples with mean 0 make the MLE infinite; they are counted and excluded
    mc = monte_carlo_risk("poisson", 3, 2000, theta=[math.log(0.5)], random_state=0)
    assert mc.n_failed > 0 and mc.n_rep + mc.n_failed == 2000


def test_monte_carlo_misspecified_normal_gamma_truth():  # T9, Monte Carlo side (fast part)
    fam = ExponentialFamily.named("normal")
    c1, c2 = 1.375, 201 / 32
    n = 40
    mc = monte_carlo_risk(fam, n, 40000, truth=stats.gamma(4), control_variate=True,
                          random_state=3)
    # the O(n^-3) remainder at n = 40 is ~1e-4 (see the slow test for the fit in 1/n)
    assert abs(mc.risk - (c1 / n + c2 / n**2)) < 4 * mc.std_error + 3e-4


def test_monte_carlo_bad_input():
    with pytest.raises(ValueError, match="give theta"):
        monte_carlo_risk("exponential", 10, 10)
    with pytest.raises(ValueError, match="n must exceed"):
        monte_carlo_risk(ExponentialFamily.named("mvn", d=3), 9, 10, theta=np.r_[0, 0, 0,
                         -0.5, 0, 0, -0.5, 0, -0.5])
    with pytest.raises(ValueError, match="n_rep must be >= 2"):
        monte_carlo_risk("exponential", 10, 1, theta=[-1.0])


def test_bootstrap_risk_tracks_exact_risk():
    x = np.random.default_rng(0).exponential(size=(2000, 1))
    b = bootstrap_risk("exponential", x, m=50, n_boot=3000, random_state=1)
    # the empirical law is close to the truth: the bootstrap risk at m is close to R(m)
    assert b.risk == pytest.approx(exact_risk_exponential(50), rel=0.1)
    b2 = bootstrap_risk("exponential", x, m=50, n_boot=3000, random_state=1)
    assert b.risk == b2.risk
    X = np.random.default_rng(1).normal(size=(1000, 2))
    bm = bootstrap_risk("mvn", X, m=40, n_boot=1500, random_state=2)
    assert bm.risk == pytest.approx(exact_risk_mvn(2, 40), rel=0.1)
    assert "BootstrapRisk" in bm.summary()


@pytest.mark.slow
def test_monte_carlo_second_order_fit_normal_gamma():  # T9, V2
    fam = ExponentialFamily.named("normal")
    c1, c2 = 1.375, 201 / 32
    ns = np.array([25, 50, 100])
    ys, ses = [], []
    for k, n in enumerate(ns):
        mc = monte_carlo_risk(fam, int(n), 400000, truth=stats.gamma(4), control_variate=True,
                              random_state=10 + k)
        ys.append(n**2 * (mc.risk - c1 / n))
        ses.append(n**2 * mc.std_error)
    # n^2 (R - c1/n) = c2 + c3/n: weighted straight-line fit in 1/n
    A = np.c_[np.ones(3), 1 / ns]
    W = np.diag(1 / np.square(ses))
    cov = np.linalg.inv(A.T @ W @ A)
    coef = cov @ A.T @ W @ np.asarray(ys)
    assert abs(coef[0] - c2) < 3 * math.sqrt(cov[0, 0])


@pytest.mark.slow
def test_monte_carlo_property_random_expfam_cases():  # T22
    rng = np.random.default_rng(2024)
    cases = []
    for _ in range(2):
        cases.append(("poisson", [math.log(rng.uniform(2, 6))], {}))
        cases.append(("gamma_known_shape", [-rng.uniform(0.5, 2)], {"shape": rng.uniform(1, 4)}))
        cases.append(("bernoulli", [rng.uniform(-1, 1)], {}))
    for name, theta, kw in cases:
        fam = ExponentialFamily.named(name, **kw)
        G, p3, p4 = fam.cumulants(theta)
        from probstat.infoproj import risk_expansion_expfam

        c1, c2 = risk_expansion_expfam(G, p3, p4, G, p3)
        ns = np.array([60, 120, 240])
        ys, ses = [], []
        for n in ns:
            mc = monte_carlo_risk(fam, int(n), 300000, theta=theta, control_variate=True,
                                  random_state=int(rng.integers(1 << 31)))
            ys.append(n**2 * (mc.risk - c1 / n))
            ses.append(n**2 * mc.std_error)
        A = np.c_[np.ones(3), 1 / ns]
        W = np.diag(1 / np.square(ses))
        cov = np.linalg.inv(A.T @ W @ A)
        coef = cov @ A.T @ W @ np.asarray(ys)
        assert abs(coef[0] - c2) < 3 * math.sqrt(cov[0, 0]) + 0.02 * abs(c2), (name, kw)
