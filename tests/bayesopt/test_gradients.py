"""Analytic acquisition gradients against central differences; one-shot vs simulated KG."""

import numpy as np
import pytest

from probstat.bayesopt import (
    DerivativeGaussianProcess,
    GaussianProcess,
    KnowledgeGradient,
    MaxValueEntropySearch,
    NoisyExpectedImprovement,
    OneShotKnowledgeGradient,
    maximize_acquisition,
    qExpectedImprovement,
    qLogExpectedImprovement,
)


def _central(fun, X, h):
    flat = X.reshape(X.shape[0], -1)
    out = np.empty_like(flat)
    for j in range(flat.shape[1]):
        e = np.zeros(flat.shape[1])
        e[j] = h
        out[:, j] = (fun((flat + e).reshape(X.shape)) - fun((flat - e).reshape(X.shape))) / (
            2 * h)
    return out.reshape(X.shape)


@pytest.fixture(scope="module", params=["value", "derivative"])
def model(request):
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(5, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    if request.param == "value":
        return GaussianProcess(noise=0.05, optimizer=None, length_scale=0.4).fit(X, y)
    G = np.c_[3 * np.cos(3 * X[:, 0]), 2 * X[:, 1]]
    return DerivativeGaussianProcess(noise=0.05, gradient_noise=0.1, optimizer=None,
                                     length_scale=0.4).fit(X, y, gradients=G)


QUERY = np.random.default_rng(7).uniform(size=(6, 2))

ACQUISITIONS = {
    "noisy_ei": (NoisyExpectedImprovement, {}),
    "kg_discrete": (KnowledgeGradient, {"n_candidates": 32}),
    "mes": (MaxValueEntropySearch, {"n_candidates": 64}),
}


@pytest.mark.parametrize("name", sorted(ACQUISITIONS))
def test_closed_form_gradients_match_central_differences(model, name):
    cls, params = ACQUISITIONS[name]
    acq = cls(**params).bind(model, random_state=0)
    assert acq.analytic_gradient
    v, g = acq.value_and_grad(QUERY)
    np.testing.assert_allclose(v, acq(QUERY), rtol=1e-12, atol=1e-15)
    assert np.abs(g).max() > 1e-9  # the check is not vacuous
    fd = _central(acq._value, QUERY, 1e-6)
    np.testing.assert_allclose(g, fd, atol=1e-4 * np.abs(g).max() + 1e-9)


def test_simulated_kg_gradient_holds_the_fantasy_maximisers(model):
    acq = KnowledgeGradient("fantasy", n_fantasies=8).bind(model, random_state=0)
    v, g = acq.value_and_grad(QUERY)
    assert np.abs(g).max() > 1e-5
    # the inner maximisation is numerical: compare at the scale of its accuracy
    fd = _central(acq._value, QUERY, 1e-5)
    np.testing.assert_allclose(g, fd, atol=2e-3 * np.abs(g).max() + 1e-7)


@pytest.mark.parametrize("cls", [qExpectedImprovement, qLogExpectedImprovement])
def test_batch_gradient_is_the_sample_path_derivative(model, cls):
    acq = cls(n_samples=64).bind(model, random_state=0,
                                 X_pending=model.X_train_[:1] + 0.05)
    Xb = np.random.default_rng(2).uniform(size=(3, 3, 2))
    v, g = acq.value_and_grad(Xb)
    assert g.shape == Xb.shape
    np.testing.assert_allclose(v, acq(Xb), rtol=1e-12)
    fd = _central(acq._value, Xb, 1e-7)
    np.testing.assert_allclose(g, fd, rtol=1e-4, atol=1e-5 * np.abs(g).max())


def test_batch_gradient_against_an_independent_cholesky_derivative(model):
    """The Cholesky-derivative formula against differencing the factor itself."""
    from probstat.bayesopt._gradients import _chol_derivatives

    rng = np.random.default_rng(0)
    A = rng.normal(size=(4, 4))
    S = A @ A.T + np.eye(4)
    D = rng.normal(size=(4, 4))
    D = D + D.T
    h = 1e-6
    fd = (np.linalg.cholesky(S + h * D) - np.linalg.cholesky(S - h * D)) / (2 * h)
    np.testing.assert_allclose(_chol_derivatives(np.linalg.cholesky(S), D[None])[0], fd,
                               atol=1e-7)


def test_one_shot_gradient_matches_central_differences(model):
    acq = OneShotKnowledgeGradient(n_fantasies=5).bind(model, random_state=0)
    Xb = np.random.default_rng(3).uniform(size=(2, 6, 2))
    v, g = acq.value_and_grad(Xb)
    fd = _central(acq._value, Xb, 1e-6)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)


# --------------------------------------------------------------------- one-shot vs simulated
@pytest.fixture(scope="module")
def gp1d():
    X = np.array([[0.1], [0.45], [0.8]])
    return GaussianProcess("rbf", noise=0.02, optimizer=None, length_scale=0.2,
                           bounds=[[0.0, 1.0]]).fit(
        X, np.sin(6 * X[:, 0]))


def _mc_kg(gp, x, n, rng):
    """Brute-force KG: fantasise y at x, condition, maximise the new mean on a fine grid."""
    base = gp.predict(GRID).max()
    mu, sd = gp.predict([[x]], return_std=True)
    ys = mu[0] + np.sqrt(sd[0] ** 2 + gp.noise_) * rng.standard_normal(n)
    gains = np.array([gp.condition_on([[x]], [yv]).predict(GRID).max() - base for yv in ys])
    return gains.mean(), gains.std() / np.sqrt(n)


GRID = np.linspace(0, 1, 2001)[:, None]


def _fantasy_means(gp, x, Z):
    """The fantasised posterior means on GRID, one column per fantasy, from the public
    predict / posterior_cov (an implementation independent of the acquisitions)."""
    _, sd = gp.predict([[x]], return_std=True)
    c = gp.posterior_cov(GRID, [[x]])[:, 0]
    return gp.predict(GRID)[:, None] + np.outer(c, Z) / np.sqrt(sd[0] ** 2 + gp.noise_)


def _kg_grid(gp, x, Z, mu_star):
    """Simulated KG with the inner maximum taken on GRID."""
    return _fantasy_means(gp, x, Z).max(axis=0).mean() - mu_star


def test_one_shot_equals_the_simulation_at_the_fantasy_maximisers(gp1d):
    sim = KnowledgeGradient("fantasy", n_fantasies=16).bind(gp1d, random_state=4)
    one = OneShotKnowledgeGradient(n_fantasies=16).bind(gp1d, random_state=4)
    np.testing.assert_array_equal(sim.Z_, one.Z_)
    for x in (0.3, 0.6):
        value, P = sim._fantasy(np.array([x]))
        assert one(np.vstack([[x], P])[None])[0] == pytest.approx(value, abs=1e-9)
        # any other fantasy points give less (the simulation maximised over them)
        assert one(np.vstack([[x], P + 0.1])[None])[0] < value
        # and the simulation found the maxima a fine grid finds
        assert value == pytest.approx(_kg_grid(gp1d, x, sim.Z_, sim.mu_star_), abs=1e-5)


def test_one_shot_and_simulated_kg_agree_with_monte_carlo(gp1d):
    from scipy.optimize import minimize

    rng = np.random.default_rng(0)
    for x in (0.3, 0.62):
        ref, se = _mc_kg(gp1d, x, 1500, rng)
        sim = KnowledgeGradient("fantasy", n_fantasies=64).bind(gp1d, random_state=1)
        one = OneShotKnowledgeGradient(n_fantasies=64).bind(gp1d, random_state=2)

        # the one-shot value at x: maximise over the fantasy points with x held fixed,
        # from each fantasy's best grid point
        def obj(p, x=x, one=one):
            v, g = one.value_and_grad(np.vstack([[x], p[:, None]])[None])
            return -v[0], -g[0, 1:, 0]

        p0 = GRID[np.argmax(_fantasy_means(gp1d, x, one.Z_), axis=0), 0]
        res = minimize(obj, p0, jac=True, method="L-BFGS-B", bounds=[(0, 1)] * 64)
        assert ref > 0.01
        # 64 quasi-random fantasies against 1500 random ones: four standard errors of the
        # reference plus the sampling error of 64 fantasies (a quarter of the value)
        tol = 4 * se + 0.25 * ref
        assert abs(sim(np.array([[x]]))[0] - ref) < tol
        assert abs(-res.fun - ref) < tol


def test_maximised_one_shot_finds_the_kg_maximum(gp1d):
    one = OneShotKnowledgeGradient(n_fantasies=8).bind(gp1d, random_state=0)
    Xb, value = maximize_acquisition(one, 1, rng=0, raw_samples=256, n_restarts=8, q=9)
    at_x = _kg_grid(gp1d, Xb[0, 0], one.Z_, one.mu_star_)
    best = max(_kg_grid(gp1d, x, one.Z_, one.mu_star_) for x in np.linspace(0, 1, 201))
    # the one-shot value never exceeds the KG at its own point (which maximises over the
    # fantasy points) and equals the largest KG on a fine grid of x
    assert value <= at_x + 1e-6
    assert value == pytest.approx(best, rel=1e-3)
    sim = KnowledgeGradient("fantasy", n_fantasies=8).bind(gp1d, random_state=0)
    assert sim(Xb[:1])[0] == pytest.approx(at_x, rel=1e-4)
