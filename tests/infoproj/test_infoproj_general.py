"""General-model expansion: reparametrisation invariance, agreement with the exponential
family formula, curved models against exact risks, the AICc link, GLMs.

References: hand-derived log-likelihood derivatives, Gauss quadrature (exact for the
polynomial integrands used), exact enumeration of multinomial samples, statsmodels' scores
and Hessians, and Richardson extrapolation of exact risks.
"""

import itertools
import math

import numpy as np
import pytest
import scipy.special
from scipy import stats
from scipy.special import roots_genlaguerre, roots_hermitenorm

from probstat.infoproj import (
    ExponentialFamily,
    LikelihoodModel,
    PNCriterion,
    loglik_moments,
    risk_coefficients,
    risk_expansion_expfam,
    risk_expansion_general,
)


def _sym(n, p, order, values):
    """Fill a symmetric per-observation tensor from {sorted index tuple: (n,) values}."""
    out = np.zeros((n,) + (p,) * order)
    for key, val in values.items():
        for perm in set(itertools.permutations(key)):
            out[(slice(None),) + perm] = val
    return out


# ---------------------------------------------------------------- normal model, 3 charts
def _derivs_mean_var(x, mu, v):
    y, z = x - mu, 0 * x
    l1 = np.stack([y / v, -1 / (2 * v) + y**2 / (2 * v**2)], 1)
    n = x.size
    l2 = _sym(n, 2, 2, {(0, 0): z - 1 / v, (0, 1): -y / v**2,
                        (1, 1): 1 / (2 * v**2) - y**2 / v**3})
    l3 = _sym(n, 2, 3, {(0, 0, 0): z, (0, 0, 1): z + 1 / v**2, (0, 1, 1): 2 * y / v**3,
                        (1, 1, 1): -1 / v**3 + 3 * y**2 / v**4})
    l4 = _sym(n, 2, 4, {(0, 0, 0, 0): z, (0, 0, 0, 1): z, (0, 0, 1, 1): z - 2 / v**3,
                        (0, 1, 1, 1): -6 * y / v**4, (1, 1, 1, 1): 3 / v**4 - 12 * y**2 / v**5})
    return l1, l2, l3, l4


def _derivs_mean_logsd(x, mu, s):
    # l = -s - y^2 w / 2 with y = x - mu, w = exp(-2 s); d(y^k w)/dmu = -k y^(k-1) w,
    # d(y^k w)/ds = -2 y^k w: differentiate the monomials symbolically
    y, w = x - mu, math.exp(-2 * s)

    def diff(terms, i):
        if i == 0:
            return [(-k * c, k - 1) for c, k in terms if k > 0]
        return [(-2 * c, k) for c, k in terms]

    def ev(terms):
        return sum((c * y**k * w for c, k in terms), 0 * x)

    base = [(-0.5, 2)]
    n = x.size
    l1 = np.stack([ev(diff(base, 0)), ev(diff(base, 1)) - 1.0], 1)
    l2, l3, l4 = (np.zeros((n,) + (2,) * k) for k in (2, 3, 4))
    for idx in itertools.product(range(2), repeat=4):
        t = base
        for k, i in enumerate(idx):
            t = diff(t, i)
            if k == 1:
                l2[(slice(None),) + idx[:2]] = ev(t)
            elif k == 2:
                l3[(slice(None),) + idx[:3]] = ev(t)
            elif k == 3:
                l4[(slice(None),) + idx] = ev(t)
    return l1, l2, l3, l4


def _derivs_natural(x, t1, t2):
    # l = t1 x + t2 x^2 - psi(t1, t2), psi = -t1^2/(4 t2) - log(-2 t2)/2
    fam = ExponentialFamily.named("normal")
    th = np.array([t1, t2])
    G, p3, p4 = fam.cumulants(th)
    n = x.size
    T = np.stack([x, x**2], 1)
    return (T - fam.mean(th), -np.broadcast_to(G, (n, 2, 2)),
            -np.broadcast_to(p3, (n, 2, 2, 2)), -np.broadcast_to(p4, (n, 2, 2, 2, 2)))


@pytest.fixture(scope="module")
def gamma4_rule():
    """Gauss-Laguerre rule for Gamma(4): exact for polynomials of degree < 80."""
    x, w = roots_genlaguerre(40, 3.0)
    return x, w / math.gamma(4)


def _general(dfun, par, truth_rule, model_rule):
    x, w = truth_rule
    xm, wm = model_rule
    t = dfun(x, *par)
    m = dfun(xm, *par)
    return risk_expansion_general(**loglik_moments(*t, weights=w, model=(m[1], m[2], m[3], wm)))


def test_reparametrisation_invariance_and_expfam_agreement(gamma4_rule):  # T11, V3
    mu, v = 4.0, 4.0  # projection of Gamma(4) onto the normal family
    z, wz = roots_hermitenorm(40)
    model_rule = (mu + math.sqrt(v) * z, wz / wz.sum())
    results = [
        _general(_derivs_mean_var, (mu, v), gamma4_rule, model_rule),
        _general(_derivs_mean_logsd, (mu, 0.5 * math.log(v)), gamma4_rule, model_rule),
        _general(_derivs_natural, (mu / v, -0.5 / v), gamma4_rule, model_rule),
    ]
    fam = ExponentialFamily.named("normal")
    x, w = gamma4_rule
    expfam = risk_coefficients(fam, (x[:, None], w))
    # spec closed form: c1 = 1 + k4/4 (k4 = 6/alpha = 1.5), c2 = 201/32
    for c1, c2 in results + [expfam]:
        assert c1 == pytest.approx(1.375, abs=1e-8)
        assert c2 == pytest.approx(201 / 32, abs=1e-8)


def test_normal_model_misspecified_closed_form(gamma4_rule):  # T9 formula
    # c2 = 61/12 + k4 + (9/8) k4^2 - k3^2/3 - k6/3 with standardized Gamma(alpha) cumulants
    alpha = 4.0
    k3, k4, k6 = 2 / math.sqrt(alpha), 6 / alpha, 120 / alpha**2
    ref = 61 / 12 + k4 + 9 / 8 * k4**2 - k3**2 / 3 - k6 / 3
    assert ref == pytest.approx(201 / 32, abs=1e-14)
    c1, c2 = risk_coefficients("normal", stats.gamma(alpha))
    assert c1 == pytest.approx(1 + k4 / 4, abs=1e-8)
    assert c2 == pytest.approx(ref, abs=1e-8)


def test_uniform_truth_normal_model():  # T10
    c1, c2 = risk_coefficients("normal", stats.uniform(-1, 2))
    assert c1 == pytest.approx(7 / 10, abs=1e-10)
    assert c2 == pytest.approx(6757 / 2100, abs=1e-9)


def test_poisson_negbin_truth():  # T8
    # NegBin(size 2, mean 3): var 7.5, third cumulant 30
    truth = stats.nbinom(2, 2 / 5)
    assert truth.stats("mvs")[:2] == pytest.approx((3.0, 7.5))
    mu, var, k3 = 3.0, 7.5, 30.0
    c1, c2 = risk_coefficients("poisson", truth)
    assert c1 == pytest.approx(var / (2 * mu), abs=1e-10)
    assert c2 == pytest.approx(-k3 / (3 * mu**2) + 3 * var**2 / (4 * mu**3), abs=1e-10)
    # the general formula on the exact pmf (log-rate chart, natural) agrees
    k, pmf = np.arange(0, 400), truth.pmf(np.arange(0, 400))
    th = math.log(mu)
    n = k.size
    l1 = (k - mu)[:, None]
    l2 = np.full((n, 1, 1), -mu)
    l3, l4 = np.full((n, 1, 1, 1), -mu), np.full((n, 1, 1, 1, 1), -mu)
    gen = risk_expansion_general(**loglik_moments(l1, l2, l3, l4, weights=pmf))
    assert gen == pytest.approx((c1, c2), abs=1e-10)
    assert th == pytest.approx(math.log(3.0))


def test_aicc_link():  # T12, V7
    # forward c2 + reverse c2 (spec 3.1, via the Legendre dual phi) equals the n^-2
    # coefficient of the exact bias d(d+3)/(2(n-d-2)), i.e. d(d+3)(d+2)/2 (= 6 for d = 1,
    # the AICc coefficient of 2/(n-3) = 2/n + 6/n^2 + ...)
    es = lambda s, *o: np.einsum(s, *o, optimize=True)  # noqa: E731
    for d in (1, 2, 3):
        fam = ExponentialFamily.named("mvn", d=d)
        G, p3, p4 = fam.cumulants(fam.to_natural(np.arange(d) * 0.3, np.eye(d) + 0.2))
        Gi = np.linalg.inv(G)
        T = es("ijk,ai,bj,ck->abc", p3, Gi, Gi, Gi)
        Q = es("ijkl,ai,bj,ck,dl->abcd", p4, Gi, Gi, Gi, Gi)
        phi3 = -T
        phi4 = -Q + es("adm,mn,nbc->abcd", T, G, T) + es("bdm,mn,nac->abcd", T, G, T) \
            + es("cdm,mn,nab->abcd", T, G, T)
        fwd = es("abc,abc->", phi3, p3) / 3 + 0.375 * es("abcd,ab,cd->", phi4, G, G)
        rev = es("abc,abc->", phi3, p3) / 6 + 0.125 * es("abcd,ab,cd->", phi4, G, G)
        # the dual form of the forward coefficient equals the contracted form
        assert fwd == pytest.approx(risk_expansion_expfam(G, p3, p4, G, p3)[1], rel=1e-9)
        assert fwd + rev == pytest.approx(d * (d + 3) * (d + 2) / 2, rel=1e-9)


def test_dual_third_derivative_by_finite_differences():
    # phi_abc = d^2 theta / d eta^2 (theta(eta) = natural_from_mean) equals -T^{abc}
    fam = ExponentialFamily.named("mvn", d=2)
    th = fam.to_natural([0.5, -0.2], [[1.5, 0.3], [0.3, 0.8]])
    eta = fam.mean(th)
    G, p3, _ = fam.cumulants(th)
    Gi = np.linalg.inv(G)
    T = np.einsum("ijk,ai,bj,ck->abc", p3, Gi, Gi, Gi)
    p = eta.size
    inv = fam.natural_from_mean

    def second_difference(h):
        fd = np.zeros((p, p, p))
        for b in range(p):
            for c in range(p):
                eb, ec = np.eye(p)[b] * h, np.eye(p)[c] * h
                fd[:, b, c] = (inv(eta + eb + ec) - inv(eta + eb - ec) - inv(eta - eb + ec)
                               + inv(eta - eb - ec)) / (4 * h * h)
        return fd

    h = 2e-3
    fd = (4 * second_difference(h) - second_difference(2 * h)) / 3  # Richardson: O(h^4)
    # without Richardson the O(h^2) error is ~1e-5 relative; with it, ~1e-9 + rounding 1e-9
    assert np.max(np.abs(fd + T)) < 1e-7 * np.max(np.abs(T))


# ---------------------------------------------------------------- curved normal N(mu, mu^2)
def _curved_normal_derivs(x, mu):
    l1 = -1 / mu + x**2 / mu**3 - x / mu**2
    l2 = 1 / mu**2 - 3 * x**2 / mu**4 + 2 * x / mu**3
    l3 = -2 / mu**3 + 12 * x**2 / mu**5 - 6 * x / mu**4
    l4 = 6 / mu**4 - 60 * x**2 / mu**6 + 24 * x / mu**5
    return (l1[:, None], l2[:, None, None], l3[:, None, None, None],
            l4[:, None, None, None, None])


def _curved_normal_exact_risk(n, mu_star, K=80):
    """E KL(N(a, a^2) || N(b, b^2)) with b the MLE from n draws of N(1, 4): 2-D Gauss rule
    (Hermite for xbar ~ N(1, 4/n), Legendre over the bulk of S/4 ~ chi2(n-1))."""
    z, wz = roots_hermitenorm(K)
    wz = wz / wz.sum()
    chi = stats.chi2(n - 1)
    lo, hi = chi.ppf(1e-19), chi.isf(1e-19)
    u, wu = np.polynomial.legendre.leggauss(4 * K)
    u = lo + (hi - lo) * (u + 1) / 2
    wv = wu * (hi - lo) / 2 * chi.pdf(u)
    xbar = 1 + 2 / math.sqrt(n) * z[:, None]
    S = 4 * u[None, :]                         # sum of squares = 4 chi2(n-1)
    m2 = S / n + xbar**2
    b = (-xbar + np.sqrt(xbar**2 + 4 * m2)) / 2
    a = mu_star
    kl = np.log(b / a) + (a * a + (a - b) ** 2) / (2 * b * b) - 0.5
    return float(np.sum(wz[:, None] * wv[None, :] * kl))


def test_curved_normal_against_exact_risk():  # T13, V4
    mu_star = (-1 + math.sqrt(21)) / 2          # root of mu^2 + mu - 5 = 0 (E l1 = 0)
    z, wz = roots_hermitenorm(30)
    wz = wz / wz.sum()
    truth = (1 + 2 * z, wz)                     # N(1, 4)
    model = (mu_star + mu_star * z, wz)         # N(mu*, mu*^2)
    t = _curved_normal_derivs(truth[0], mu_star)
    assert float(t[0][:, 0] @ wz) == pytest.approx(0.0, abs=1e-12)
    m = _curved_normal_derivs(model[0], mu_star)
    c1, c2 = risk_expansion_general(**loglik_moments(*t, weights=wz,
                                                     model=(m[1], m[2], m[3], wz)))
    ns = [1600, 3200, 6400]
    f = [k * k * (_curved_normal_exact_risk(k, mu_star) - c1 / k) for k in ns]
    r1 = [2 * f[1] - f[0], 2 * f[2] - f[1]]
    limit = (4 * r1[1] - r1[0]) / 3               # two Richardson steps
    # observed agreement ~1.5e-8 (spec V4: ~8 digits); 1e-6 leaves room for quadrature noise
    assert c2 == pytest.approx(limit, rel=1e-6)
    # and the first-order term: n R(n) -> c1
    assert ns[-1] * _curved_normal_exact_risk(ns[-1], mu_star) == pytest.approx(c1, rel=1e-3)


# ---------------------------------------------------------------- curved trinomial
def _trinomial_exact_risk(n, q, theta_star):
    """Exact E KL over all count vectors (boundary samples with theta_hat = 0 excluded)."""
    n1, n2 = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    keep = n1 + n2 <= n
    n1, n2 = n1[keep].astype(float), n2[keep].astype(float)
    n3 = n - n1 - n2
    logp = (scipy.special.gammaln(n + 1) - scipy.special.gammaln(n1 + 1)
            - scipy.special.gammaln(n2 + 1) - scipy.special.gammaln(n3 + 1)
            + n1 * math.log(q[0]) + n2 * math.log(q[1]) + n3 * math.log(q[2]))
    a = n1 + 2 * n2
    ok = (a > 0) & (n3 > 0)      # boundary samples: theta_hat = 0 or p_3(theta_hat) = 0
    A, B = a + 2 * n3, a + n3
    th = (-B + np.sqrt(B * B + 4 * a * A)) / (2 * A)
    ps = np.array([theta_star, theta_star**2, 1 - theta_star - theta_star**2])
    ph = np.stack([th, th**2, 1 - th - th**2])
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.sum(ps[:, None] * np.log(ps[:, None] / ph), axis=0)
    return float(np.sum(np.exp(logp[ok]) * kl[ok]))


def _trinomial_derivs(theta):
    """Derivatives of log p_j(theta) for the three cells (rows)."""
    f, f1, f2 = 1 - theta - theta**2, -1 - 2 * theta, -2.0
    g1, g2 = f1 / f, f2 / f - (f1 / f) ** 2
    g3 = -3 * f1 * f2 / f**2 + 2 * (f1 / f) ** 3
    g4 = -3 * f2**2 / f**2 + 12 * f1**2 * f2 / f**3 - 6 * (f1 / f) ** 4
    logt = np.array([1 / theta, -1 / theta**2, 2 / theta**3, -6 / theta**4])
    rows = np.array([logt, 2 * logt, [g1, g2, g3, g4]])
    return [rows[:, k].reshape((3,) + (1,) * (k + 1)) for k in range(4)]


def test_curved_trinomial_against_enumeration():  # T14, V5
    q = np.array([0.3, 0.25, 0.45])
    a, n3 = q[0] + 2 * q[1], q[2]
    theta_star = (-(a + n3) + math.sqrt((a + n3) ** 2 + 4 * a * (a + 2 * n3))) / (2 * (a + 2 * n3))
    l1, l2, l3, l4 = _trinomial_derivs(theta_star)
    assert float(q @ l1[:, 0]) == pytest.approx(0.0, abs=1e-13)
    pm = np.array([theta_star, theta_star**2, 1 - theta_star - theta_star**2])
    c1, c2 = risk_expansion_general(**loglik_moments(l1, l2, l3, l4, weights=q,
                                                     model=(l2, l3, l4, pm)))
    ns = [200, 400, 800]
    f = [k * k * (_trinomial_exact_risk(k, q, theta_star) - c1 / k) for k in ns]
    r1 = [2 * f[1] - f[0], 2 * f[2] - f[1]]
    limit = (4 * r1[1] - r1[0]) / 3
    # observed agreement ~1.2e-6 with n <= 800 (the remainder after two Richardson steps)
    assert c2 == pytest.approx(limit, rel=1e-5)


# ---------------------------------------------------------------- logistic regression
def test_logistic_regression_closed_form():  # T15, V6
    w1, pis = 0.65, np.array([0.3, 0.8])
    wx = np.array([1 - w1, w1])
    # observations (x, y) enumerated with their probabilities
    xs = np.array([0, 0, 1, 1.0])
    ys = np.array([0, 1, 0, 1.0])
    prob = wx[xs.astype(int)] * np.where(ys == 1, pis[xs.astype(int)], 1 - pis[xs.astype(int)])
    beta = np.array([scipy.special.logit(pis[0]),
                     scipy.special.logit(pis[1]) - scipy.special.logit(pis[0])])
    A = np.stack([np.ones(4), xs], 1)
    m = scipy.special.expit(A @ beta)
    v = m * (1 - m)
    es = np.einsum
    l1 = (ys - m)[:, None] * A
    l2 = -es("n,ni,nj->nij", v, A, A)
    l3 = -es("n,ni,nj,nk->nijk", v * (1 - 2 * m), A, A, A)
    l4 = -es("n,ni,nj,nk,nl->nijkl", v * (1 - 6 * v), A, A, A, A)
    c1, c2 = risk_expansion_general(**loglik_moments(l1, l2, l3, l4, weights=prob))
    c2_bern = (5 / (pis * (1 - pis)) - 11) / 12
    ref = float(np.sum((c2_bern + 0.5 * (1 - wx)) / wx))
    assert c1 == pytest.approx(1.0, abs=1e-12)
    assert c2 == pytest.approx(ref, abs=1e-8)


# ---------------------------------------------------------------- likelihood models / GLMs
def test_finite_difference_likelihood_matches_analytic():
    rng = np.random.default_rng(5)
    X = rng.gamma(3.0, size=(400, 1))

    def ll(th, X):
        return np.log(th[0]) - th[0] * X[:, 0]   # exponential, rate chart

    theta = np.array([1 / X.mean()])
    fd = LikelihoodModel(ll, fit=lambda X: np.array([1 / X.mean()]))
    l1, l2, l3, l4 = fd.derivatives(theta, X)
    r = theta[0]
    assert np.allclose(l1[:, 0], 1 / r - X[:, 0], rtol=1e-8, atol=1e-8)
    assert np.allclose(l2.ravel(), -1 / r**2, rtol=1e-7)
    assert np.allclose(l3.ravel(), 2 / r**3, rtol=1e-6)
    assert np.allclose(l4.ravel(), -6 / r**4, rtol=1e-4)
    # general expansion (rate chart, finite differences) = exp-family (natural chart)
    c1, c2, _, _ = fd.coefficients(theta, X)
    ref = risk_coefficients("exponential", X)
    assert c1 == pytest.approx(ref[0], rel=1e-7)
    assert c2 == pytest.approx(ref[1], rel=1e-4)


def test_from_loglik_numerical_mle():
    X = np.random.default_rng(1).exponential(2.0, size=(1500, 1))
    crit = PNCriterion.from_loglik(lambda th, X: np.log(th[0]) - th[0] * X[:, 0], X,
                                   theta0=[1.0], tol=0.01)
    assert crit.theta_[0] == pytest.approx(1 / X.mean(), rel=1e-5)
    ref = risk_coefficients("exponential", X)
    assert crit.c1_ == pytest.approx(ref[0], rel=1e-4)
    assert crit.c2_ == pytest.approx(ref[1], rel=1e-3)
    crit2 = PNCriterion.from_loglik(lambda th, X: np.log(th[0]) - th[0] * X[:, 0], X,
                                    theta_hat=[1 / X.mean()], tol=0.01)
    assert crit2.c1_ == pytest.approx(crit.c1_, rel=1e-4)


def test_statsmodels_poisson_glm():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 2))
    y = rng.poisson(np.exp(0.2 + 0.4 * x[:, 0] - 0.3 * x[:, 1]))
    exog = sm.add_constant(x)
    res = sm.GLM(y, exog, family=sm.families.Poisson()).fit()
    crit = PNCriterion.from_statsmodels(res, tol=0.01)
    # scores and Hessian against statsmodels
    Z = np.column_stack([y, exog])
    l1, l2, _, _ = crit.family_.derivatives(res.params, Z)
    assert np.allclose(l1, res.model.score_obs(res.params), rtol=1e-10, atol=1e-10)
    assert np.allclose(l2.sum(axis=0), res.model.hessian(res.params), rtol=1e-10)
    n = y.size
    J = -res.model.hessian(res.params) / n
    S = res.model.score_obs(res.params)
    K = S.T @ S / n
    assert crit.c1_ == pytest.approx(0.5 * np.trace(np.linalg.solve(J, K)), rel=1e-10)
    assert crit.aic_ == pytest.approx(res.aic, rel=1e-12)
    assert crit.bic_ == pytest.approx(-2 * res.llf + 3 * math.log(n), rel=1e-12)
    assert crit.tic_ == pytest.approx(-2 * res.llf + 2 * np.trace(np.linalg.solve(J, K)),
                                      rel=1e-10)


@pytest.mark.parametrize("family,name", [("Poisson", "poisson"), ("Binomial", "bernoulli")])
def test_statsmodels_intercept_only_equals_expfam(family, name):
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(2)
    y = rng.negative_binomial(3, 0.4, size=800).astype(float) if name == "poisson" \
        else (rng.random(800) < 0.3).astype(float)
    res = sm.GLM(y, np.ones((y.size, 1)), family=getattr(sm.families, family)()).fit()
    crit = PNCriterion.from_statsmodels(res, tol=0.01)
    ref = risk_coefficients(name, y[:, None])
    assert crit.c1_ == pytest.approx(ref[0], rel=1e-9)
    assert crit.c2_ == pytest.approx(ref[1], rel=1e-8)


def test_statsmodels_bad_input():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(0)
    y = rng.gamma(2.0, size=100)
    res = sm.GLM(y, np.ones((100, 1)), family=sm.families.Tweedie(var_power=1.5)).fit()
    with pytest.raises(ValueError, match="family Tweedie is not supported"):
        PNCriterion.from_statsmodels(res)
    res = sm.GLM(rng.poisson(2.0, size=100), np.ones((100, 1)),
                 family=sm.families.Poisson(sm.families.links.Identity())).fit()
    with pytest.raises(ValueError, match="Identity link is not supported.*canonical"):
        PNCriterion.from_statsmodels(res)
    with pytest.raises(TypeError, match="GLM"):
        PNCriterion.from_statsmodels(sm.OLS(y, np.ones(100)).fit())


def test_likelihood_model_bad_input():
    with pytest.raises(ValueError, match="loglike_obs or derivs"):
        LikelihoodModel()
    with pytest.raises(ValueError, match="fit"):
        LikelihoodModel(lambda th, X: X[:, 0])
    with pytest.raises(TypeError, match="callable"):
        LikelihoodModel(3.0, theta0=[1.0])
    with pytest.raises(ValueError, match="shape"):
        risk_expansion_general(np.eye(2), np.eye(3), *([None] * 10))
    with pytest.raises(ValueError, match="positive definite|singular"):
        risk_expansion_general(np.zeros((1, 1)), np.eye(1), *([None] * 7), np.eye(1), None,
                               None, order=1)


def _logistic_exact_risk(n, w1, pis):
    """Exact enumeration: n_1 ~ Bin(n, w1) covariates at x = 1, successes ~ Bin(n_x, pi_x);
    samples with a boundary MLE (no data or 0/all successes in a cell) are excluded."""
    lg = scipy.special.gammaln(np.arange(n + 2))

    def bern_kl_mean(m, pi):
        if m < 2:
            return 0.0
        k = np.arange(1, m)
        q = k / m
        kl = pi * np.log(pi / q) + (1 - pi) * np.log((1 - pi) / (1 - q))
        logpmf = lg[m + 1] - lg[k + 1] - lg[m - k + 1] + k * np.log(pi) \
            + (m - k) * np.log1p(-pi)
        return float(np.sum(np.exp(logpmf) * kl))

    w = np.array([1 - w1, w1])
    f0 = np.array([bern_kl_mean(m, pis[0]) for m in range(n + 1)])
    f1 = np.array([bern_kl_mean(m, pis[1]) for m in range(n + 1)])
    n1 = np.arange(n + 1)
    pmf = stats.binom(n, w1).pmf(n1)
    return float(np.sum(pmf * (w[0] * f0[n - n1] + w[1] * f1[n1])))


def test_logistic_regression_exact_enumeration():  # T15, V6 (exact side)
    w1, pis = 0.65, np.array([0.3, 0.8])
    wx = np.array([1 - w1, w1])
    c2_bern = (5 / (pis * (1 - pis)) - 11) / 12
    c2 = float(np.sum((c2_bern + 0.5 * (1 - wx)) / wx))   # = the general formula (above)
    ns = [200, 400, 800]
    f = [k * k * (_logistic_exact_risk(k, w1, pis) - 1.0 / k) for k in ns]
    r1 = [2 * f[1] - f[0], 2 * f[2] - f[1]]
    limit = (4 * r1[1] - r1[0]) / 3
    # two Richardson steps at n <= 800 leave a remainder of order 1e-4 relative
    assert c2 == pytest.approx(limit, rel=1e-3)
