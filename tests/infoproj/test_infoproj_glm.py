"""Gamma and inverse-Gaussian GLMs (log and canonical links, frequency and variance
weights, offsets and exposure) through PNCriterion.from_statsmodels.

References: statsmodels' own fit (its MLE zeroes our scores; its score_obs, Hessian and
log-likelihood match ours), finite differences of statsmodels' log-likelihood for the
third and fourth derivatives, and a Monte Carlo risk with statsmodels refits.
"""

import math

import numpy as np
import pytest

from probstat.infoproj import LikelihoodModel, PNCriterion

sm = pytest.importorskip("statsmodels.api")
links = sm.families.links

CASES = [
    ("Gamma", "Log"), ("Gamma", "InversePower"),
    ("InverseGaussian", "Log"), ("InverseGaussian", "InverseSquared"),
    ("Gaussian", "Log"),
]


def _data(family, link, n=400, seed=0, *, offset=False, exposure=False, var_weights=False,
          freq_weights=False):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    exog = sm.add_constant(x)
    off = rng.uniform(-0.2, 0.2, size=n) if offset else None
    expo = rng.uniform(0.5, 2.0, size=n) if exposure else None
    vw = rng.uniform(0.5, 2.0, size=n) if var_weights else None
    fw = rng.integers(1, 4, size=n).astype(float) if freq_weights else None
    if link == "Log":
        eta = 0.3 + 0.4 * x[:, 0] - 0.3 * x[:, 1]
        eta = eta + (0 if off is None else off) + (0 if expo is None else np.log(expo))
        mu = np.exp(eta)
    else:                                   # canonical: 1/mu or 1/mu^2 must stay positive
        eta = 1.0 + 0.3 * x[:, 0] - 0.2 * x[:, 1] + (0 if off is None else off)
        mu = 1.0 / eta if link == "InversePower" else eta**-0.5
    w = 1.0 if vw is None else vw
    if family == "Gamma":
        shape = 3.0 * w
        y = rng.gamma(shape, mu / shape)
    elif family == "InverseGaussian":
        y = rng.wald(mu, 4.0 * w)
    else:
        y = rng.normal(mu, 0.3 / np.sqrt(w))
    fam = getattr(sm.families, family)(link=getattr(links, link)())
    kw = dict(offset=off, exposure=expo, var_weights=vw, freq_weights=fw)
    res = sm.GLM(y, exog, family=fam, **kw).fit(tol=1e-13)
    return res, y, exog, kw


def _full(res, y, exog, kw):
    """The weighted score, Hessian and log-likelihood of statsmodels at its MLE."""
    scale = res.scale
    return (res.model.score(res.params, scale=scale),
            res.model.hessian(res.params, scale=scale, observed=True),
            res.model.loglike(res.params, scale=scale))


@pytest.mark.parametrize("family,link", CASES)
@pytest.mark.parametrize("extra", ["plain", "offset", "exposure", "weights"])
def test_derivatives_against_statsmodels(family, link, extra):
    if extra == "exposure" and link != "Log":
        pytest.skip("exposure enters through log(exposure), meaningful with the log link")
    opts = {"plain": {}, "offset": {"offset": True}, "exposure": {"exposure": True},
            "weights": {"var_weights": True, "freq_weights": True}}[extra]
    res, y, exog, kw = _data(family, link, **opts)
    crit = PNCriterion.from_statsmodels(res, tol=0.01)
    model = crit.family_
    fw = kw["freq_weights"]
    # the data the criterion saw: rows repeated by frequency weight
    n_rows = int(fw.sum()) if fw is not None else y.size
    assert crit.n_samples_ == n_rows
    assert np.allclose(crit.theta_, res.params, rtol=0, atol=0)
    from probstat.infoproj._glm import glm_model
    _, Z = glm_model(res)
    l1, l2, l3, l4 = model.derivatives(res.params, Z)
    score, hess, llf = _full(res, y, exog, kw)
    assert np.allclose(l1.sum(axis=0), score, rtol=1e-8, atol=1e-8)
    assert np.allclose(l1.sum(axis=0), 0.0, atol=1e-6 * np.abs(l1).sum())   # the MLE
    assert np.allclose(l2.sum(axis=0), hess, rtol=1e-9)
    assert crit.loglik_ == pytest.approx(llf, rel=1e-10)
    p = exog.shape[1]
    assert crit.aic_ == pytest.approx(-2 * llf + 2 * p, rel=1e-10)
    # third and fourth derivatives against finite differences of statsmodels' loglike
    fd = LikelihoodModel(model.loglike_obs, theta0=res.params)
    f1, f2, f3, f4 = fd.derivatives(res.params, Z[:40])
    m1, m2, m3, m4 = model.derivatives(res.params, Z[:40])
    for a, b, tol in ((m2, f2, 1e-6), (m3, f3, 1e-4), (m4, f4, 1e-3)):
        assert np.allclose(a, b, rtol=tol, atol=tol * np.abs(a).max())


def test_model_side_for_non_canonical_links():
    # with a non-canonical link, G is the model's information E*[-l2], not the sample's
    res, y, exog, _ = _data("Gamma", "Log", n=600, seed=3)
    crit = PNCriterion.from_statsmodels(res, tol=0.01)
    mu = res.mu
    # Gamma, log link: E*[-l2 | x] = (1/phi) x x' (Fisher scoring weight 1/phi)
    G = exog.T @ exog / (res.scale * y.size)
    from probstat.infoproj._glm import glm_model
    model, Z = glm_model(res)
    nodes, w = model.model_expect(res.params)
    assert np.allclose(nodes[:, 0], mu, rtol=1e-12)
    _, m2, _, _ = model.derivatives(res.params, nodes)
    assert np.allclose(-m2.mean(axis=0), G, rtol=1e-10)
    assert crit.c1_ > 0


def test_frequency_weights_equal_repeated_rows():
    res, y, exog, kw = _data("InverseGaussian", "Log", n=200, seed=5, freq_weights=True)
    fw = kw["freq_weights"].astype(int)
    crit = PNCriterion.from_statsmodels(res, tol=0.01)
    res_rep = sm.GLM(np.repeat(y, fw), np.repeat(exog, fw, axis=0),
                     family=sm.families.InverseGaussian(links.Log())).fit(tol=1e-13)
    crit_rep = PNCriterion.from_statsmodels(res_rep, tol=0.01)
    assert crit.c1_ == pytest.approx(crit_rep.c1_, rel=1e-6)
    assert crit.c2_ == pytest.approx(crit_rep.c2_, rel=1e-5)


def test_non_integer_frequency_weights_refused():
    rng = np.random.default_rng(0)
    y = rng.gamma(2.0, size=50)
    res = sm.GLM(y, np.ones((50, 1)), family=sm.families.Gamma(links.Log()),
                 freq_weights=np.full(50, 1.5)).fit()
    with pytest.raises(ValueError, match="freq_weights must be non-negative integers"):
        PNCriterion.from_statsmodels(res)


def _gamma_kl(mu0, mu1, shape):
    """KL(Gamma(shape, mean mu0) || Gamma(shape, mean mu1)), per observation."""
    r = mu0 / mu1
    return shape * (r - 1.0 - np.log(r))


@pytest.mark.slow
def test_monte_carlo_risk_gamma_log_link_with_offset():
    # truth: x from a fixed population, y | x from the fitted Gamma GLM (log link, offset);
    # R(n) = E_x KL(model(beta*) || model(beta_hat)) over refits on n rows
    res, y, exog, kw = _data("Gamma", "Log", n=3000, seed=11, offset=True)
    beta = res.params
    off = kw["offset"]
    shape = 1.0 / res.scale
    rng = np.random.default_rng(12)
    mu_pop = np.exp(exog @ beta + off)
    y_pop = rng.gamma(shape, mu_pop / shape)
    pop = sm.GLM(y_pop, exog, family=sm.families.Gamma(links.Log()), offset=off).fit(
        tol=1e-13)
    crit = PNCriterion.from_statsmodels(pop, tol=0.01)
    beta_star = pop.params
    mu_star = np.exp(exog @ beta_star + off)
    n, reps = 120, 1500
    kls = np.empty(reps)
    fam = sm.families.Gamma(links.Log())
    for r in range(reps):
        idx = rng.integers(0, y.size, size=n)
        yy = rng.gamma(shape, mu_star[idx] / shape)
        b = sm.GLM(yy, exog[idx], family=fam, offset=off[idx]).fit(tol=1e-10).params
        kls[r] = np.mean(_gamma_kl(mu_star, np.exp(exog @ b + off), shape))
    risk, se = kls.mean(), kls.std(ddof=1) / math.sqrt(reps)
    pred = crit.c1_ / n + crit.c2_ / n**2
    assert crit.c1_ == pytest.approx(1.5, rel=0.1)           # correct model: p/2
    assert abs(risk - pred) < 4 * se + 0.05 * pred
