"""Gradient observations: the joint GP against independent references, d-KG, the loop."""

import numpy as np
import pytest
from scipy import stats

from probstat.bayesopt import (
    BayesianOptimizer,
    DerivativeGaussianProcess,
    DerivativeKnowledgeGradient,
    GaussianProcess,
    KnowledgeGradient,
)

from ._reference import sklearn_equivalent

LS = np.array([0.4, 0.7])
SV = 1.3


def _f(X):
    return np.sin(3 * X[:, 0]) + X[:, 1] ** 2


def _grad(X):
    return np.c_[3 * np.cos(3 * X[:, 0]), 2 * X[:, 1]]


def _data(n=5, seed=0):
    X = np.random.default_rng(seed).uniform(size=(n, 2))
    return X, _f(X), _grad(X)


def _fixed(kernel, **kw):
    """A model with the hyperparameters LS, SV and no scaling: in the units of the data."""
    return DerivativeGaussianProcess(kernel, length_scale=LS, signal_variance=SV,
                                     optimizer=None, normalize_x=False, normalize_y=False,
                                     mean="zero", **kw)


def _joint_reference(kernel, X, y, G, Q, noise, gnoise, h=1e-4):
    """Posterior mean and variance at ``Q`` by direct Gaussian conditioning, with every
    derivative of the (scikit-learn) kernel taken by finite differences."""
    k = sklearn_equivalent(kernel, LS, SV)
    d = X.shape[1]
    E = np.eye(d) * h

    def kv(A, B):
        return k(np.atleast_2d(A), np.atleast_2d(B))[0, 0]

    def cov(p, i, q, j):
        """Cov(D_i f(p), D_j f(q)); i or j = -1 is the value."""
        if i < 0 and j < 0:
            return kv(p, q)
        if i < 0:
            return (kv(p, q + E[j]) - kv(p, q - E[j])) / (2 * h)
        if j < 0:
            return (kv(p + E[i], q) - kv(p - E[i], q)) / (2 * h)
        return (kv(p + E[i], q + E[j]) - kv(p + E[i], q - E[j]) - kv(p - E[i], q + E[j])
                + kv(p - E[i], q - E[j])) / (4 * h * h)

    train = [(x, -1) for x in X] + [(x, j) for x in X for j in range(d)]
    K = np.array([[cov(p, i, q, j) for (q, j) in train] for (p, i) in train])
    K += np.diag([noise] * len(X) + [gnoise] * (len(X) * d))
    t = np.concatenate([y, G.ravel()])
    C = np.array([[cov(p, -1, q, j) for (q, j) in train] for p in Q])
    mean = C @ np.linalg.solve(K, t)
    var = SV - np.einsum("ij,ji->i", C, np.linalg.solve(K, C.T))
    return mean, var, K, t


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_posterior_matches_direct_joint_gaussian(kernel):
    X, y, G = _data()
    Q = np.random.default_rng(1).uniform(size=(4, 2))
    gp = _fixed(kernel, noise=1e-3, gradient_noise=2e-3).fit(X, y, gradients=G)
    mean, sd = gp.predict(Q, return_std=True)
    ref_mean, ref_var, K, t = _joint_reference(kernel, X, y, G, Q, 1e-3, 2e-3)
    np.testing.assert_allclose(mean, ref_mean, atol=1e-5)
    np.testing.assert_allclose(sd**2, ref_var, atol=1e-5)
    # the log marginal likelihood is that of the joint Gaussian of values and gradients
    ref_lml = stats.multivariate_normal(np.zeros(t.size), K).logpdf(t)
    assert gp.log_marginal_likelihood_value_ == pytest.approx(ref_lml, abs=1e-4)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_gradient_posterior_is_the_derivative_of_the_value_posterior(kernel):
    X, y, G = _data()
    gp = DerivativeGaussianProcess(kernel, noise=1e-3, random_state=0).fit(
        X, y, gradients=G)
    Q = np.random.default_rng(2).uniform(size=(3, 2))
    gmean, gcov = gp.predict_gradient(Q, return_cov=True)
    h = 1e-4
    for i in range(2):
        e = np.eye(2)[i] * h
        fd = (gp.predict(Q + e) - gp.predict(Q - e)) / (2 * h)
        np.testing.assert_allclose(gmean[:, i], fd, rtol=1e-5, atol=1e-6)
    # Cov(d_i f, d_j f) as the mixed finite difference of the value posterior covariance
    for q in Q:
        for i in range(2):
            for j in range(2):
                ei, ej = np.eye(2)[i] * 1e-3, np.eye(2)[j] * 1e-3
                c = [gp.posterior_cov((q + si * ei)[None], (q + sj * ej)[None])[0, 0]
                     for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1))]
                fd = (c[0] - c[1] - c[2] + c[3]) / 4e-6
                k = list(map(tuple, Q)).index(tuple(q))
                assert gcov[k, i, j] == pytest.approx(fd, rel=1e-3, abs=1e-4)
    # predict_with_grad against central differences of predict
    mu, sd, dmu, dsd = gp.predict_with_grad(Q)
    for i in range(2):
        e = np.eye(2)[i] * 1e-6
        up, down = gp.predict(Q + e, return_std=True), gp.predict(Q - e, return_std=True)
        np.testing.assert_allclose(dmu[:, i], (up[0] - down[0]) / 2e-6, atol=1e-5)
        np.testing.assert_allclose(dsd[:, i], (up[1] - down[1]) / 2e-6, atol=1e-5)


def test_value_gp_on_close_pairs_approaches_the_derivative_gp():
    """A value GP told f(x) and f(x + h e_j) = f(x) + h g_j tends to the derivative GP."""
    X, y, G = _data(n=3)
    Q = np.random.default_rng(3).uniform(size=(5, 2))
    gp = _fixed("rbf", noise=1e-10, gradient_noise=0.0).fit(X, y, gradients=G)
    target = gp.predict(Q)
    errs = []
    for h in (1e-2, 1e-3):
        Xa = np.vstack([X] + [X + h * np.eye(2)[j] for j in range(2)])
        ya = np.concatenate([y] + [y + h * G[:, j] for j in range(2)])
        vgp = GaussianProcess("rbf", length_scale=LS, signal_variance=SV, noise=1e-12,
                              optimizer=None, normalize_x=False, normalize_y=False,
                              mean="zero").fit(Xa, ya)
        errs.append(np.abs(vgp.predict(Q) - target).max())
    assert errs[1] < 2e-3
    assert errs[1] < errs[0] / 3  # first-order convergence in h


def test_gradients_make_the_surrogate_exact_on_a_quadratic():
    rng = np.random.default_rng(4)
    X = rng.uniform(size=(6, 3))
    gp_d = DerivativeGaussianProcess("rbf", noise=1e-6, random_state=0).fit(
        X, np.sum(X**2, axis=1), gradients=2 * X)
    gp_v = GaussianProcess("rbf", noise=1e-6, random_state=0).fit(X, np.sum(X**2, axis=1))
    Q = rng.uniform(size=(50, 3))
    err_d = np.abs(gp_d.predict(Q) - np.sum(Q**2, axis=1)).mean()
    err_v = np.abs(gp_v.predict(Q) - np.sum(Q**2, axis=1)).mean()
    assert err_d < err_v / 3


def test_condition_on_with_gradients_equals_a_fit_on_all_data():
    X, y, G = _data(n=6)
    gp = _fixed("matern52", noise=1e-4).fit(X[:4], y[:4], gradients=G[:4])
    both = gp.condition_on(X[4:], y[4:], gradients=G[4:])
    full = _fixed("matern52", noise=1e-4).fit(X, y, gradients=G)
    Q = np.random.default_rng(5).uniform(size=(4, 2))
    np.testing.assert_allclose(both.predict(Q, return_std=True),
                               full.predict(Q, return_std=True), atol=1e-8)
    values_only = gp.condition_on(X[4:], y[4:])
    assert values_only.gradients_train_.shape == (4, 2)
    assert not np.allclose(values_only.predict(Q), both.predict(Q))


def test_without_gradients_it_is_the_value_gp():
    X, y, _ = _data(n=7)
    a = DerivativeGaussianProcess(noise=1e-3, random_state=0).fit(X, y)
    b = GaussianProcess(noise=1e-3, random_state=0).fit(X, y)
    Q = np.random.default_rng(6).uniform(size=(3, 2))
    np.testing.assert_allclose(a.predict(Q, return_std=True), b.predict(Q, return_std=True),
                               rtol=1e-6, atol=1e-8)
    assert a.gradients_train_ is None


def test_fitted_hyperparameters_raise_the_joint_likelihood():
    X, y, G = _data(n=8)
    gp = DerivativeGaussianProcess(noise=1e-4, random_state=0).fit(X, y, gradients=G)
    start = DerivativeGaussianProcess(noise=1e-4, optimizer=None).fit(X, y, gradients=G)
    assert gp.log_marginal_likelihood_value_ > start.log_marginal_likelihood_value_
    lml, grad = gp.log_marginal_likelihood(eval_gradient=True)
    assert np.isfinite(lml) and grad.shape == gp.theta_.shape


def test_bad_input_is_named():
    X, y, G = _data()
    with pytest.raises(ValueError, match="gradients must have the shape of X"):
        DerivativeGaussianProcess(noise=0.0).fit(X, y, gradients=G[:, :1])
    with pytest.raises(ValueError, match="gradients"):
        DerivativeGaussianProcess(noise=0.0).fit(X, y, gradients=np.full_like(G, np.nan))
    with pytest.raises(ValueError, match="kernel"):
        DerivativeGaussianProcess("matern32").fit(X, y, gradients=G)
    with pytest.raises(ValueError, match="gradient_noise"):
        DerivativeGaussianProcess(gradient_noise=-1.0).fit(X, y, gradients=G)
    gp = GaussianProcess("matern32", noise=0.0, optimizer=None).fit(X, y)
    with pytest.raises(ValueError, match="twice-differentiable"):
        DerivativeKnowledgeGradient().bind(gp)


# ------------------------------------------------------------------------------- d-KG
def _dkg_model():
    X = np.array([[0.15], [0.5], [0.85]])
    y = np.sin(6 * X[:, 0])
    return DerivativeGaussianProcess("rbf", noise=0.01, gradient_noise=0.05, length_scale=0.25,
                                     optimizer=None).fit(X, y, gradients=6 * np.cos(6 * X))


def test_dkg_matches_brute_force_monte_carlo():
    """Sample (y, grad) from the predictive, condition the GP, take the maximum of the new
    mean over the same set: the average gain is d-KG."""
    gp = _dkg_model()
    acq = DerivativeKnowledgeGradient(n_candidates=32, n_fantasies=2048).bind(
        gp, random_state=0)
    rng = np.random.default_rng(1)
    for x in (0.25, 0.45):
        xq = np.array([[x]])
        value = acq(xq)[0]
        from probstat.bayesopt._derivatives import value_gradient_moments

        mean_o, S = value_gradient_moments(gp, xq)
        L = np.linalg.cholesky(S[0] + np.diag([0.01, 0.05]))
        A = np.vstack([acq.A_, xq])
        base = gp.predict(A).max()
        gains = []
        for _ in range(3000):
            o = mean_o[0] + L @ rng.standard_normal(2)
            new = gp.condition_on(xq, [o[0]], gradients=[[o[1]]])
            gains.append(new.predict(A).max() - base)
        se = np.std(gains) / np.sqrt(len(gains))
        assert value > 0.005
        assert abs(value - np.mean(gains)) < 4 * se + 2e-3


def test_dkg_values_gradients_at_least_as_much_as_kg():
    gp = _dkg_model()
    dkg = DerivativeKnowledgeGradient(n_candidates=32, n_fantasies=4096).bind(
        gp, random_state=0)
    kg = KnowledgeGradient(candidates=dkg.A_[3:]).bind(gp)
    X = np.linspace(0.0, 1.0, 9)[:, None]
    assert np.all(dkg(X) >= kg(X) - 2e-3)
    assert np.mean(dkg(X)) > 1.2 * np.mean(kg(X))


# ------------------------------------------------------------------------------- the loop
def _quad_with_grad(x):
    x = np.asarray(x, dtype=float)
    return float(np.sum((x - 0.3) ** 2)), 2 * (x - 0.3)


def test_optimizer_takes_value_gradient_objectives():
    opt = BayesianOptimizer([(-2.0, 2.0), (-2.0, 2.0)], n_initial=3, raw_samples=64,
                            n_restarts=2, random_state=0)
    res = opt.run(_quad_with_grad, 6)
    assert isinstance(res.models[-1], DerivativeGaussianProcess)
    gp = opt._final_model()
    # gradients are stored in the unit-cube encoding and the sign of the maximised model
    X = np.asarray(res.x_iters)
    np.testing.assert_allclose(gp.gradients_train_, -2 * (X - 0.3) * 4.0)
    assert res.fun < 0.05


def test_optimizer_gradient_encoding_for_log_dimensions():
    from probstat.bayesopt import Real

    opt = BayesianOptimizer([Real(1e-2, 1e2, prior="log-uniform")], n_initial=2,
                            random_state=0)
    opt.tell([[1.0], [10.0]], [0.0, 1.0], gradient=[[0.5], [0.2]])
    gp = opt._fit_models()[0]
    span = np.log(1e2) - np.log(1e-2)
    np.testing.assert_allclose(gp.gradients_train_[:, 0], -np.array([0.5, 2.0]) * span)
    with pytest.raises(ValueError, match="gradient must have one entry per dimension"):
        opt.tell([3.0], 0.1, gradient=[1.0, 2.0])


def test_optimizer_runs_dkg():
    res = BayesianOptimizer([(-1.0, 1.0)], acquisition="dkg", n_initial=2, raw_samples=32,
                            n_restarts=1, random_state=0).run(_quad_with_grad, 4)
    assert len(res.func_vals) == 4 and np.all(np.isfinite(res.func_vals))
