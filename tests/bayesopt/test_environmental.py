"""Environmental-condition BO: the posterior on F(x) = E_w f(x, w) against quadrature,
Monte Carlo and direct sums; the knowledge gradient over (x, w) against Monte Carlo."""

import math

import numpy as np
import pytest

from probstat.bayesopt import EnvironmentalOptimizer
from probstat.bayesopt import test_functions as tf
from probstat.bayesopt._environmental import (
    _Environment,
    environmental_knowledge_gradient,
    integrated_posterior,
)
from probstat.bayesopt._product_gp import ProductGP


def _model(z_kernel="rbf", n=15, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, 2))
    Z = rng.standard_normal((n, 1))
    y = np.sin(3 * X[:, 0] + Z[:, 0]) + X[:, 1] ** 2 + 0.5 * Z[:, 0] * X[:, 1]
    return ProductGP("continuous", z_kernel=z_kernel, random_state=0).fit(X, Z, y)


def _gaussian(n_quadrature=12):
    return _Environment(np.array([0.0]), np.array([1.0]), None, None, n_quadrature)


XQ = np.array([[0.2, 0.3], [0.6, 0.9], [0.9, 0.1]])


def _brute_force(model, nodes, weights, X):
    """F's posterior from the joint posterior of f at (x, node): p^T mu and p^T S p (the
    variances only when there are many nodes)."""
    K = nodes.shape[0]
    means, blocks = [], []
    for x in X:
        Xr = np.repeat(x[None], K, axis=0)
        means.append(model.predict(Xr, nodes) @ weights)
        blocks.append(Xr)
    if K > 100:
        var = [weights @ model.posterior_cov(b, nodes, b, nodes) @ weights for b in blocks]
        return np.array(means), np.diag(var)
    Xr, Zr = np.vstack(blocks), np.tile(nodes, (len(X), 1))
    P = np.kron(np.eye(len(X)), weights[None, :])
    return np.array(means), P @ model.posterior_cov(Xr, Zr, Xr, Zr) @ P.T


def test_closed_form_matches_gauss_hermite_quadrature():
    model = _model()
    mean, cov = integrated_posterior(model, _gaussian(), XQ, return_cov=True)
    t, w = np.polynomial.hermite_e.hermegauss(40)
    qm, qc = _brute_force(model, t[:, None], w / w.sum(), XQ)
    assert np.allclose(mean, qm, atol=1e-9)
    assert np.allclose(cov, qc, atol=1e-9)


def test_closed_form_matches_monte_carlo_over_w():
    model = _model()
    mean, cov = integrated_posterior(model, _gaussian(), XQ, return_cov=True)
    w = np.random.default_rng(3).standard_normal(1500)
    mc_mean, mc_cov = _brute_force(model, w[:, None], np.full(w.size, 1 / w.size), XQ)
    # the MC estimate of int mu(x, w) p(w) dw has sd <= sd(mu over w)/sqrt(1500) ~ 0.015
    assert np.allclose(mean, mc_mean, atol=0.05)
    assert np.allclose(np.diag(cov), np.diag(mc_cov), atol=0.02)


def test_matern_kernel_over_w_uses_quadrature():
    model = _model("matern52")
    mean, cov = integrated_posterior(model, _gaussian(30), XQ, return_cov=True)
    w = np.random.default_rng(4).standard_normal(1500)
    mc_mean, mc_cov = _brute_force(model, w[:, None], np.full(w.size, 1 / w.size), XQ)
    assert np.allclose(mean, mc_mean, atol=0.05)
    assert np.allclose(np.diag(cov), np.diag(mc_cov), atol=0.02)


def test_discrete_w_is_the_weighted_sum():
    model = _model()
    values = np.array([-1.0, 0.2, 1.5])
    weights = np.array([0.2, 0.5, 0.3])
    env = _Environment(None, None, values, weights, 12)
    # the model lives in standardised w: pass it the standardised support
    env.center, env.scale = np.zeros(1), np.ones(1)
    env.nodes = values[:, None]
    mean, cov = integrated_posterior(model, env, XQ, return_cov=True)
    bm, bc = _brute_force(model, values[:, None], weights, XQ)
    assert np.allclose(mean, bm, atol=1e-10)
    assert np.allclose(cov, bc, atol=1e-10)


def test_knowledge_gradient_matches_monte_carlo():
    model = _model()
    env = _gaussian()
    rng = np.random.default_rng(5)
    A = rng.uniform(size=(15, 2))
    xc, zc = np.array([[0.5, 0.5]]), np.array([[0.7]])
    kg = environmental_knowledge_gradient(model, env, xc, zc, A)[0]
    Aall = np.vstack([A, xc])
    base = integrated_posterior(model, env, Aall).max()
    mu, sd = model.predict(xc, zc, return_std=True)
    draws = mu[0] + np.sqrt(sd[0] ** 2 + model.noise_) * rng.standard_normal(3000)
    gains = np.array([integrated_posterior(model.condition_on(xc, zc, [yk]), env, Aall).max()
                      - base for yk in draws])
    assert kg > 0
    assert abs(kg - gains.mean()) < 4 * gains.std() / math.sqrt(gains.size) + 1e-9


def test_optimizer_finds_the_optimum_of_the_expectation():
    opt = EnvironmentalOptimizer([(0.0, 2.0), (0.0, 2.0)], w_mean=[0.0],
                                 w_std=[tf.ENV_SIGMA], raw_samples=128, random_state=0)
    res = opt.run(tf.environmental_sine, 22)
    regret = tf.environmental_sine_mean(res.x) - tf.environmental_sine.optimal_value
    assert regret < 0.02
    mean, sd = opt.predict_objective([res.x], return_std=True)
    assert mean[0] == pytest.approx(res.fun, abs=1e-6) and sd[0] >= 0
    again = EnvironmentalOptimizer([(0.0, 2.0), (0.0, 2.0)], w_mean=[0.0],
                                   w_std=[tf.ENV_SIGMA], raw_samples=128, random_state=0)
    assert again.run(tf.environmental_sine, 8).x_iters == res.x_iters[:8]


def test_discrete_environment_loop():
    opt = EnvironmentalOptimizer([(0.0, 2.0), (0.0, 2.0)], w_values=[-0.5, 0.0, 0.5],
                                 w_weights=[0.25, 0.5, 0.25], raw_samples=64, random_state=1)
    res = opt.run(tf.environmental_sine, 12)
    assert all(p[2] in (-0.5, 0.0, 0.5) for p in res.x_iters)
    assert len(res.x) == 2


@pytest.mark.parametrize("kw, err, match", [
    ({}, ValueError, "either as w_mean"),
    ({"w_mean": [0.0]}, ValueError, "w_std must be given"),
    ({"w_mean": [0.0], "w_std": [-1.0]}, ValueError, "w_std must be > 0"),
    ({"w_mean": [0.0], "w_std": [1.0, 2.0]}, ValueError, "one entry per component"),
    ({"w_mean": [float("nan")], "w_std": [1.0]}, ValueError, "w_mean"),
    ({"w_values": [0.0, 1.0], "w_weights": [1.0]}, ValueError, "w_weights"),
    ({"w_values": [0.0, 1.0], "w_weights": [-1.0, 2.0]}, ValueError, "w_weights"),
    ({"w_mean": [0.0], "w_std": [1.0], "w_kernel": "cubic"}, ValueError, "w_kernel"),
    ({"w_mean": [0.0], "w_std": [1.0], "n_quadrature": 1}, ValueError, "n_quadrature"),
    ({"w_mean": [0.0], "w_std": [1.0], "raw_samples": "8"}, TypeError, "raw_samples"),
])
def test_bad_environment_arguments(kw, err, match):
    with pytest.raises(err, match=match):
        EnvironmentalOptimizer([(0.0, 1.0)], **kw)


def test_bad_tell():
    opt = EnvironmentalOptimizer([(0.0, 1.0)], w_mean=[0.0], w_std=[1.0])
    with pytest.raises(ValueError, match="1 decision and 1 environmental"):
        opt.tell([0.5], 1.0)
    with pytest.raises(ValueError, match="y"):
        opt.tell([0.5, 0.0], float("nan"))
    with pytest.raises(ValueError, match="outside"):
        opt.tell([1.5, 0.0], 1.0)
