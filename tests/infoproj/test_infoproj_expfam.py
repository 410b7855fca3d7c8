"""Exponential families: cumulants, moment matching, KL, log-densities.

References: Gauss-Hermite product rules (exact for the polynomial moments of t under a
Gaussian), scipy.stats log-densities and KL closed forms, finite differences, exact
enumeration for discrete families.
"""

import itertools
import math

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from probstat.infoproj import ExponentialFamily, risk_coefficients, risk_expansion_expfam
from probstat.infoproj._core import sample_cumulants
from probstat.infoproj._sandwich import mvn_sandwich_coefficients


def _gauss_hermite_rule(mu, cov, k=6):
    z, w = scipy.special.roots_hermitenorm(k)
    w = w / w.sum()
    d = len(mu)
    Z = np.array(list(itertools.product(z, repeat=d)))
    W = np.prod(np.array(list(itertools.product(w, repeat=d))), axis=1)
    return np.asarray(mu) + Z @ np.linalg.cholesky(cov).T, W


@pytest.mark.parametrize("d", [1, 2, 3])
def test_mvn_cumulants_against_quadrature(d):
    rng = np.random.default_rng(d)
    fam = ExponentialFamily.named("mvn", d=d)
    mu = rng.normal(size=d)
    A = rng.normal(size=(d, d))
    cov = A @ A.T + np.eye(d)
    th = fam.to_natural(mu, cov)
    X, W = _gauss_hermite_rule(mu, cov)         # exact up to degree 11 >= 8
    mean, k2, k3, k4 = sample_cumulants(fam.stat(X), weights=W, order=4)
    G, p3, p4 = fam.cumulants(th)
    scale = max(1.0, np.abs(k4).max())
    assert np.allclose(fam.mean(th), mean, rtol=1e-10, atol=1e-10)
    assert np.allclose(G, k2, rtol=1e-10, atol=1e-10 * scale)
    assert np.allclose(p3, k3, rtol=1e-9, atol=1e-10 * scale)
    assert np.allclose(p4, k4, rtol=1e-9, atol=1e-9 * scale)


def test_mvn_maps_roundtrip_and_psi_gradient():
    fam = ExponentialFamily.named("mvn", d=2)
    mu, cov = np.array([1.0, -2.0]), np.array([[2.0, 0.6], [0.6, 1.0]])
    th = fam.to_natural(mu, cov)
    m2, c2 = fam.from_natural(th)
    assert np.allclose(m2, mu, rtol=1e-13) and np.allclose(c2, cov, rtol=1e-13)
    assert np.allclose(fam.natural_from_mean(fam.mean(th)), th, rtol=1e-12)
    h = 1e-6
    grad = [(fam.psi(th + h * e) - fam.psi(th - h * e)) / (2 * h) for e in np.eye(5)]
    assert np.allclose(grad, fam.mean(th), rtol=1e-7, atol=1e-7)


def test_mvn_logpdf_kl_against_scipy():
    fam = ExponentialFamily.named("mvn", d=2)
    mu0, S0 = np.array([0.5, 1.0]), np.array([[1.0, 0.3], [0.3, 2.0]])
    mu1, S1 = np.array([0.0, 1.5]), np.array([[1.5, -0.2], [-0.2, 1.0]])
    t0, t1 = fam.to_natural(mu0, S0), fam.to_natural(mu1, S1)
    X = np.random.default_rng(0).normal(size=(7, 2))
    assert np.allclose(fam.logpdf(t0, X), stats.multivariate_normal(mu0, S0).logpdf(X),
                       rtol=1e-12)
    S1i = np.linalg.inv(S1)
    kl = 0.5 * (np.trace(S1i @ S0) + (mu1 - mu0) @ S1i @ (mu1 - mu0) - 2
                + np.log(np.linalg.det(S1) / np.linalg.det(S0)))
    assert fam.kl(t0, t1) == pytest.approx(kl, rel=1e-12)
    # the Bregman divergence of psi gives the same number
    bregman = ExponentialFamily._kl(fam, t0, t1)   # the generic route, not the override
    assert bregman == pytest.approx(kl, rel=1e-10)
    T = fam.stat(np.vstack([np.zeros(2), np.ones(2)]))
    assert np.allclose(fam._batch_kl(t0, fam.mean(t1)[None, :]), kl, rtol=1e-10)
    assert T.shape == (2, 5)


def test_mvn_mle_is_moment_matching():
    X = np.random.default_rng(1).normal(size=(50, 3))
    fam = ExponentialFamily.named("mvn")
    th = fam.fit(X)
    mu, cov = ExponentialFamily.named("mvn", d=3).from_natural(th)
    assert np.allclose(mu, X.mean(0), rtol=1e-12)
    assert np.allclose(cov, np.cov(X, rowvar=False, bias=True), rtol=1e-12)
    with pytest.raises(ValueError, match="singular"):
        fam.fit(np.c_[X[:, :2], X[:, 0] + X[:, 1]])
    with pytest.raises(ValueError, match="X: the mvn family has d=3 but the data have 2"):
        ExponentialFamily.named("mvn", d=3).stat(X[:, :2])


@pytest.mark.parametrize("name,kw,theta,truth", [
    ("poisson", {}, math.log(2.5), stats.poisson(2.5)),
    ("bernoulli", {}, scipy.special.logit(0.3), stats.bernoulli(0.3)),
    ("gamma_known_shape", {"shape": 2.5}, -1.7, stats.gamma(2.5, scale=1 / 1.7)),
    ("exponential", {}, -0.5, stats.expon(scale=2.0)),
    ("normal_known_var", {"variance": 2.0}, 0.7, stats.norm(1.4, math.sqrt(2.0))),
])
def test_univariate_families_against_scipy(name, kw, theta, truth):
    fam = ExponentialFamily.named(name, **kw)
    G, p3, p4 = fam.cumulants([theta])
    m, v, s, k = truth.stats("mvsk")
    assert fam.mean([theta])[0] == pytest.approx(m, rel=1e-12)
    assert G[0, 0] == pytest.approx(v, rel=1e-12)
    assert p3.item() == pytest.approx(s * v**1.5, rel=1e-10, abs=1e-12)
    assert p4.item() == pytest.approx(k * v**2, rel=1e-10, abs=1e-12)
    x = truth.rvs(size=20, random_state=0).reshape(-1, 1).astype(float)
    logpdf = truth.logpmf(x[:, 0]) if hasattr(truth, "logpmf") else truth.logpdf(x[:, 0])
    assert np.allclose(fam.logpdf([theta], x), logpdf, rtol=1e-12)
    # moment matching inverts the mean map
    assert fam.natural_from_mean(fam.mean([theta]))[0] == pytest.approx(theta, rel=1e-12)


def test_multinomial_family():
    fam = ExponentialFamily.named("multinomial", k=3)
    pi = np.array([0.2, 0.3, 0.5])
    th = np.log(pi[:2] / pi[2])
    labels = np.array([[0], [1], [2], [2]], dtype=float)
    assert np.allclose(fam.logpdf(th, labels), np.log(pi[[0, 1, 2, 2]]), rtol=1e-13)
    assert np.allclose(fam.mean(th), pi[:2], rtol=1e-13)
    G = fam.cumulants(th)[0]
    assert np.allclose(G, np.diag(pi[:2]) - np.outer(pi[:2], pi[:2]), rtol=1e-13)
    assert np.allclose(fam.fit(np.array([[0], [1], [1], [2]])), [0.0, math.log(2)],
                       atol=1e-13)
    with pytest.raises(ValueError, match="never observed"):
        fam.fit(np.array([[0], [0], [2]]))
    with pytest.raises(ValueError, match=r"X: labels must be integers \(got 0.5\)"):
        fam.stat(np.array([[0.5]]))
    with pytest.raises(ValueError, match=r"X: labels must lie in \[0, 3\) \(got 3\)"):
        fam.stat(np.array([[0.0], [3.0]]))
    auto = ExponentialFamily.named("multinomial")
    assert auto.stat(np.array([[0], [3]])).shape == (2, 3)


def test_boundary_mles_raise():
    with pytest.raises(ValueError, match="boundary"):
        ExponentialFamily.named("poisson").fit(np.zeros((5, 1)))
    with pytest.raises(ValueError, match="boundary"):
        ExponentialFamily.named("bernoulli").fit(np.ones((5, 1)))
    with pytest.raises(ValueError, match="X: the exponential family needs positive values"):
        ExponentialFamily.named("exponential").fit(-np.ones((5, 1)))
    with pytest.raises(ValueError, match="non-negative integer"):
        ExponentialFamily.named("poisson").fit(np.array([[0.5]]))
    with pytest.raises(ValueError, match="name must be one of"):
        ExponentialFamily.named("cauchy")
    with pytest.raises(TypeError, match="bad keyword"):
        ExponentialFamily.named("poisson", rate=2)


def test_grid_family_equals_named_poisson():
    # quadrature/enumeration route: psi = logsumexp over the support with log h = -log k!
    k = np.arange(0, 200.0)
    fam = ExponentialFamily(lambda X: X, grid=(k[:, None], -scipy.special.gammaln(k + 1)),
                            log_base_measure=lambda X: -scipy.special.gammaln(X[:, 0] + 1))
    named = ExponentialFamily.named("poisson")
    th = np.array([math.log(3.3)])
    assert fam.cumulant_method == "quadrature"
    assert fam.psi(th) == pytest.approx(named.psi(th), rel=1e-12)
    for a, b in zip(fam.cumulants(th), named.cumulants(th)):
        assert np.allclose(a, b, rtol=1e-10)
    X = np.random.default_rng(0).poisson(3.0, size=(100, 1)).astype(float)
    assert fam.fit(X) == pytest.approx(named.fit(X), rel=1e-10)
    assert np.allclose(fam.logpdf(th, X), named.logpdf(th, X), rtol=1e-10)
    assert risk_coefficients(fam, X) == pytest.approx(risk_coefficients(named, X), rel=1e-8)


def test_finite_difference_family_matches_analytic():
    fam = ExponentialFamily(lambda X: np.c_[X, X**2],
                            log_partition=lambda t: -t[0] ** 2 / (4 * t[1])
                            - 0.5 * np.log(-2 * t[1]))
    named = ExponentialFamily.named("normal")
    th = named.to_natural([0.7], [[1.8]])
    assert fam.cumulant_method == "finite_difference"
    G, p3, p4 = fam.cumulants(th)
    G0, q3, q4 = named.cumulants(th)
    # Richardson-extrapolated central differences: observed ~1e-10 (G), 3e-8 (psi3) and
    # 1e-6 (psi4) relative to the largest entry
    assert np.allclose(G, G0, rtol=1e-8, atol=1e-8 * np.abs(G0).max())
    assert np.allclose(p3, q3, rtol=1e-6, atol=1e-6 * np.abs(q3).max())
    assert np.allclose(p4, q4, rtol=1e-5, atol=1e-5 * np.abs(q4).max())
    X = np.random.default_rng(0).gamma(3.0, size=(300, 1))
    assert np.allclose(fam.fit(X), named.fit(X), rtol=1e-7)
    c = risk_coefficients(fam, X)
    c0 = risk_coefficients(named, X)
    # c2 cancels large psi4 entries (x^4 moments ~ 1e3 here): ~1e3 amplification
    assert c[0] == pytest.approx(c0[0], rel=1e-7)
    assert c[1] == pytest.approx(c0[1], rel=2e-3)


def test_importance_sampling_family():
    # base measure exp(-|x|^3) on the line (no closed-form normaliser), Monte Carlo nodes;
    # checked against a deterministic Gauss-Legendre rule on [-8, 8]
    def logh(X):
        return -np.abs(X[:, 0]) ** 3

    mc = ExponentialFamily.from_proposal(lambda X: np.c_[X, X**2], logh, stats.norm(scale=1.5),
                                         n_draws=200000, random_state=0)
    x, w = np.polynomial.legendre.leggauss(400)
    x, w = 8 * x, 8 * w
    quad = ExponentialFamily(lambda X: np.c_[X, X**2],
                             grid=(x[:, None], np.log(w) + logh(x[:, None])))
    th = np.array([0.4, -0.3])
    for a, b in zip(mc.cumulants(th), quad.cumulants(th)):
        # 2e5 importance draws: a few 1e-3 relative error
        assert np.allclose(a, b, rtol=0.03, atol=0.03 * np.abs(b).max())
    data = quad.sample(th, 3000, random_state=1)
    assert np.allclose(mc.fit(data), quad.fit(data), rtol=0.05, atol=0.02)


def test_independent_normal_equals_sum_of_univariate_and_dense():
    rng = np.random.default_rng(4)
    X = rng.gamma(2.0, size=(500, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 1.0]])
    fam = ExponentialFamily.named("independent_normal").bind(3)
    th = fam.fit(X)
    G, p3, p4 = fam.cumulants(th)
    _, S, k3 = sample_cumulants(fam.stat(X))
    dense = risk_expansion_expfam(G, p3, p4, S, k3)
    parts = [mvn_sandwich_coefficients(X[:, [j]]) for j in range(3)]
    assert dense[0] == pytest.approx(sum(a for a, _ in parts), rel=1e-10)
    assert dense[1] == pytest.approx(sum(b for _, b in parts), rel=1e-10)
    assert fam.kl(th, th) == pytest.approx(0.0, abs=1e-14)
    assert np.allclose(fam.logpdf(th, X).sum(),
                       sum(stats.norm(X[:, j].mean(), X[:, j].std()).logpdf(X[:, j]).sum()
                           for j in range(3)), rtol=1e-12)


@given(mu=st.floats(-3, 3), logv=st.floats(-2, 2), shift=st.floats(-2, 2),
       scale=st.floats(0.3, 3))
@settings(max_examples=25, deadline=None)
def test_gaussian_sandwich_affine_invariance(mu, logv, shift, scale):
    # c1 and c2 are invariant under affine maps of the data (the family is closed under them)
    X = np.random.default_rng(0).gamma(3.0, size=(200, 2))
    A = np.array([[scale, 0.3], [0.1, 1.0]])
    Y = X @ A.T + np.array([shift, mu]) * math.exp(logv)
    assert mvn_sandwich_coefficients(Y) == pytest.approx(mvn_sandwich_coefficients(X),
                                                         rel=1e-8)


def test_custom_family_validation():
    with pytest.raises(ValueError, match="log_partition, psi_derivs or grid"):
        ExponentialFamily(lambda X: X)
    with pytest.raises(TypeError, match="sufficient_stat must be callable"):
        ExponentialFamily(3, log_partition=np.exp)
    fam = ExponentialFamily(lambda X: X, log_partition=lambda t: np.exp(t[0]))
    with pytest.raises(ValueError, match="finite"):
        fam.fit(np.array([[np.nan]]))
    assert fam.fit(np.ones((3, 1)))[0] == pytest.approx(0.0, abs=1e-10)  # log(mean 1)
    with pytest.raises(ValueError, match="theta must have 1"):
        fam.psi([1.0, 2.0])


def test_gaussian_coefficients_stable_for_near_collinear_columns():
    # c1 and c2 are affine invariant, so a badly conditioned mixing A (cond ~ 4e4) must give
    # the coefficients of the unmixed data. The whitening goes through a QR factorisation of
    # the centred data, whose error is O(cond(A) eps) ~ 1e-11 (observed 3e-11 on c2 after
    # the contractions); a Cholesky factor of the covariance squares the conditioning
    # (cond(A)^2 eps ~ 4e-7, observed 1.2e-6), and the dense natural-parameter tensors are
    # worse still. rel=1e-9 keeps a factor 30 of margin over the QR route.
    X = np.random.default_rng(9).gamma(3.0, size=(2000, 4))
    A = np.eye(4)
    A[3] = [1.0, 1.0, 1.0, 1e-4]     # 4th column = sum of the others + a tiny own part
    assert np.linalg.cond(A) > 1e4
    assert risk_coefficients("mvn", X @ A.T) == pytest.approx(risk_coefficients("mvn", X),
                                                               rel=1e-9)
