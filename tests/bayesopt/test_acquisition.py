"""Acquisition objects: gradients, reductions to closed forms, Monte-Carlo checks."""

import math

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from probstat.bayesopt import (
    ConstrainedExpectedImprovement,
    EntropySearch,
    ExpectedImprovement,
    GaussianProcess,
    KnowledgeGradient,
    LogExpectedImprovement,
    LogProbabilityOfImprovement,
    MaxValueEntropySearch,
    NoisyExpectedImprovement,
    ProbabilityOfImprovement,
    UpperConfidenceBound,
    qExpectedImprovement,
    qLogExpectedImprovement,
)
from probstat.bayesopt.acquisition import (
    discrete_knowledge_gradient,
    expected_improvement,
    max_value_entropy_search,
)


@pytest.fixture(scope="module")
def gp():
    rng = np.random.default_rng(3)
    X = rng.uniform(size=(10, 2))
    y = np.sin(5 * X[:, 0]) * np.cos(3 * X[:, 1])
    return GaussianProcess(noise=0.0, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def noisy_gp():
    rng = np.random.default_rng(4)
    X = rng.uniform(size=(12, 2))
    y = np.sin(5 * X[:, 0]) * np.cos(3 * X[:, 1]) + 0.1 * rng.standard_normal(12)
    return GaussianProcess(noise=0.01, random_state=0).fit(X, y)


def _fd(fun, X, e=1e-6):
    g = np.zeros_like(X)
    for j in range(X.shape[1]):
        E = np.zeros_like(X)
        E[:, j] = e
        g[:, j] = (fun(X + E) - fun(X - E)) / (2 * e)
    return g


@pytest.mark.parametrize("acq", [ExpectedImprovement(), LogExpectedImprovement(),
                                 ProbabilityOfImprovement(), LogProbabilityOfImprovement(),
                                 UpperConfidenceBound(beta=2.0), ExpectedImprovement(xi=0.1)])
def test_analytic_gradients(gp, acq):
    bound = acq.bind(gp)
    X = np.random.default_rng(0).uniform(0.05, 0.95, size=(8, 2))
    val, grad = bound.value_and_grad(X)
    np.testing.assert_allclose(val, bound(X), rtol=1e-12)
    np.testing.assert_allclose(grad, _fd(bound, X), rtol=1e-4, atol=1e-8)


def test_ei_object_equals_closed_form(gp):
    X = np.random.default_rng(1).uniform(size=(6, 2))
    mu, sd = gp.predict(X, return_std=True)
    ei = ExpectedImprovement().bind(gp)
    np.testing.assert_allclose(ei(X), expected_improvement(mu, sd, gp.y_train_.max()),
                               rtol=1e-12)


def test_log_ei_gradient_far_from_the_incumbent(gp):
    # an incumbent 60 posterior standard deviations away: EI underflows, log EI does not
    bound = LogExpectedImprovement().bind(gp, best=gp.y_train_.max() + 60.0)
    X = np.array([[0.5, 0.5], [0.9, 0.1]])
    v, g = bound.value_and_grad(X)
    assert np.all(np.isfinite(v)) and np.all(np.isfinite(g))
    assert np.all(np.abs(g).sum(axis=1) > 0)
    assert np.all(ExpectedImprovement().bind(gp, best=gp.y_train_.max() + 60.0)(X) == 0)


def test_noisy_ei_reduces_to_ei_without_noise(gp):
    X = np.random.default_rng(2).uniform(size=(6, 2))
    nei = NoisyExpectedImprovement().bind(gp)
    mu, sd = gp.predict(X, return_std=True)
    best = gp.predict(gp.X_train_).max()
    np.testing.assert_allclose(nei(X), expected_improvement(mu, sd, best), rtol=1e-8,
                               atol=1e-10)


def test_noisy_ei_monte_carlo(noisy_gp):
    rng = np.random.default_rng(5)
    x = np.array([[0.3, 0.6]])
    val = NoisyExpectedImprovement().bind(noisy_gp)(x)[0]
    Xo = noisy_gp.X_train_
    S = np.vstack([Xo, x])
    mu = noisy_gp.predict(S)
    c = noisy_gp.posterior_cov(S, x)[:, 0]
    noise = noisy_gp.noise_
    y = mu[-1] + math.sqrt(c[-1] + noise) * rng.standard_normal(200_000)
    upd = mu[None, :] + np.outer((y - mu[-1]) / (c[-1] + noise), c)
    gains = upd.max(axis=1) - mu[:-1].max()
    assert abs(val - gains.mean()) < 4 * gains.std() / math.sqrt(gains.size)


def test_discrete_kg_object(gp):
    cand = np.random.default_rng(6).uniform(size=(30, 2))
    kg = KnowledgeGradient(candidates=cand).bind(gp)
    x = np.array([[0.4, 0.2]])
    A = np.vstack([gp.X_train_, cand, x])
    a = gp.predict(A)
    _, sd = gp.predict(x, return_std=True)
    b = gp.posterior_cov(A, x)[:, 0] / math.sqrt(sd[0] ** 2 + gp.noise_)
    ref = discrete_knowledge_gradient(a, b)
    assert kg(x)[0] == pytest.approx(ref, rel=1e-10)
    assert kg(x)[0] >= 0


def test_fantasy_kg_at_least_discrete_at_same_points(gp):
    kg_c = KnowledgeGradient(method="fantasy", n_fantasies=4, n_candidates=16).bind(
        gp, random_state=0)
    x = np.array([[0.7, 0.7]])
    val = kg_c(x)[0]
    assert np.isfinite(val) and val >= 0
    with pytest.raises(ValueError, match="method must be"):
        KnowledgeGradient(method="sga").bind(gp)


def test_mes_object(gp):
    mes = MaxValueEntropySearch(n_max_samples=8, n_candidates=64).bind(gp, random_state=0)
    X = np.random.default_rng(7).uniform(size=(5, 2))
    mu, sd = gp.predict(X, return_std=True)
    np.testing.assert_allclose(mes(X), max_value_entropy_search(mu, sd, mes.max_samples_),
                               rtol=1e-12)
    assert np.all(mes.max_samples_ >= gp.y_train_.max())
    # the sampled maxima are seeded
    mes2 = MaxValueEntropySearch(n_max_samples=8, n_candidates=64).bind(gp, random_state=0)
    np.testing.assert_array_equal(mes.max_samples_, mes2.max_samples_)


def test_entropy_search_is_larger_away_from_data(gp):
    es = EntropySearch(n_candidates=32, n_paths=128, n_fantasies=4).bind(gp, random_state=0)
    at_data = es(gp.X_train_[:1])[0]
    assert abs(at_data) < 0.05  # a noise-free repeat teaches nothing
    away = es(np.array([[0.5, 0.5], [0.0, 1.0], [1.0, 0.0]])).max()
    assert away > at_data


def test_q_ei_object_q1_equals_ei(gp):
    X = np.random.default_rng(8).uniform(size=(4, 1, 2))
    q = qExpectedImprovement(n_samples=4096).bind(gp, random_state=0)
    mu, sd = gp.predict(X[:, 0], return_std=True)
    ref = expected_improvement(mu, sd, gp.y_train_.max())
    np.testing.assert_allclose(q(X), ref, rtol=0.02, atol=1e-4)
    ql = qLogExpectedImprovement(n_samples=4096).bind(gp, random_state=0)
    big = ref > 1e-2
    # the softplus smoothing (tau = 1e-3 sd) changes log EI by well under 5 %
    np.testing.assert_allclose(np.exp(ql(X))[big], ref[big], rtol=0.05)
    v, g = ql.value_and_grad(np.random.default_rng(9).uniform(size=(2, 3, 2)))
    assert g.shape == (2, 3, 2) and np.all(np.isfinite(g))


def test_constrained_ei(gp):
    rng = np.random.default_rng(10)
    X = gp.X_train_
    c = np.sin(3 * X[:, 0]) + X[:, 1] - 1.0  # feasible when c <= 0
    cm = GaussianProcess(noise=1e-2, random_state=0).fit(X, c)
    acq = ConstrainedExpectedImprovement([cm]).bind(gp)
    feas = c <= 0
    assert acq.best_ == pytest.approx(gp.y_train_[feas].max())
    Xq = rng.uniform(0.05, 0.95, size=(6, 2))
    v, g = acq.value_and_grad(Xq)
    np.testing.assert_allclose(g, _fd(acq, Xq), rtol=1e-4, atol=1e-8)
    # value = log EI(best feasible) + log P(c <= 0)
    from scipy.special import log_ndtr

    mu, sd = gp.predict(Xq, return_std=True)
    mc, sc = cm.predict(Xq, return_std=True)
    from probstat.bayesopt.acquisition import log_expected_improvement

    ref = log_expected_improvement(mu, sd, acq.best_) + log_ndtr(-mc / sc)
    np.testing.assert_allclose(v, ref, rtol=1e-10)


def test_unbound_and_bad_parameters(gp):
    # an unbound acquisition is like an unfitted estimator: NotFittedError (a ValueError)
    with pytest.raises(NotFittedError, match="bound"):
        ExpectedImprovement()(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="beta must be >= 0"):
        UpperConfidenceBound(beta=-1)
    with pytest.raises(ValueError, match="constraint_models"):
        ConstrainedExpectedImprovement().bind(gp)


def test_fantasy_kg_matches_grid_brute_force():
    """Continuous KG in 1-D: the same fixed fantasies Z_j maximised on a fine grid."""
    rng = np.random.default_rng(11)
    X = rng.uniform(size=(6, 1))
    y = np.sin(6 * X[:, 0]) + 0.05 * rng.standard_normal(6)
    gp1 = GaussianProcess(noise=0.01, random_state=0).fit(X, y)
    kg = KnowledgeGradient(method="fantasy", n_fantasies=8, n_candidates=32).bind(
        gp1, random_state=0)
    lo, hi = kg.box_
    grid = np.linspace(lo[0], hi[0], 4001)[:, None]
    mu_g = gp1.predict(grid)
    for xq in (0.2, 0.55, 0.9):
        x = np.array([[lo[0] + xq * (hi[0] - lo[0])]])
        _, sd = gp1.predict(x, return_std=True)
        c = gp1.posterior_cov(grid, x)[:, 0] / np.sqrt(sd[0] ** 2 + gp1.noise_)
        brute = np.mean([np.max(mu_g + c * z) for z in kg.Z_]) - mu_g.max()
        # grid spacing 2.5e-4 of the range: the maxima agree to ~1e-6
        assert kg(x)[0] == pytest.approx(max(brute, 0.0), abs=1e-5)
