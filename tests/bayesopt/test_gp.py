"""GaussianProcess against scikit-learn, finite differences and direct linear algebra."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import WhiteKernel

from probstat.bayesopt import GaussianProcess

from ._reference import sklearn_equivalent

KERNELS = ["rbf", "matern12", "matern32", "matern52"]


@pytest.fixture
def data(rng):
    X = rng.uniform(-1, 2, size=(25, 3))
    y = np.sin(X @ np.array([2.0, 1.0, -1.5])) + 0.1 * rng.standard_normal(25)
    return X, y


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("kernel", KERNELS)
def test_lml_gradient_matches_finite_differences(data, rng, kernel):
    X, y = data
    gp = GaussianProcess(kernel, prior=None, max_iter=20).fit(X, y)
    theta = gp.theta_ + 0.2 * rng.standard_normal(gp.theta_.size)
    theta[-1] = max(theta[-1], -8.0)  # keep the noise away from the jitter regime
    _, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    e = 1e-6
    fd = np.array([(gp.log_marginal_likelihood(theta + e * np.eye(theta.size)[i])
                    - gp.log_marginal_likelihood(theta - e * np.eye(theta.size)[i])) / (2 * e)
                   for i in range(theta.size)])
    # central differences with step 1e-6 on an O(10) function: error ~1e-8 absolute
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kernel", KERNELS)
def test_predictions_equal_sklearn(data, rng, kernel):
    X, y = data
    ls, sv, noise = np.array([0.4, 0.9, 1.3]), 1.7, 0.05
    ours = GaussianProcess(kernel, length_scale=ls, signal_variance=sv, noise=noise,
                           mean="zero", normalize_x=False, normalize_y=False,
                           optimizer=None).fit(X, y)
    Xq = rng.uniform(-1, 2, size=(7, 3))
    # latent function: sklearn's alpha adds the noise to the training diagonal only
    sk = GaussianProcessRegressor(sklearn_equivalent(kernel, ls, sv), alpha=noise,
                                  optimizer=None).fit(X, y)
    m1, s1 = ours.predict(Xq, return_std=True)
    m2, s2 = sk.predict(Xq, return_std=True)
    np.testing.assert_allclose(m1, m2, atol=1e-8)
    np.testing.assert_allclose(s1, s2, atol=1e-8)
    _, c1 = ours.predict(Xq, return_cov=True)
    _, c2 = sk.predict(Xq, return_cov=True)
    np.testing.assert_allclose(c1, c2, atol=1e-8)
    # observations: ConstantKernel * Matern + WhiteKernel, the reference model
    sk2 = GaussianProcessRegressor(sklearn_equivalent(kernel, ls, sv)
                                   + WhiteKernel(noise, "fixed"), optimizer=None).fit(X, y)
    m3, s3 = sk2.predict(Xq, return_std=True)
    m4, s4 = ours.predict(Xq, return_std=True, add_noise=True)
    np.testing.assert_allclose(m4, m3, atol=1e-8)
    np.testing.assert_allclose(s4, s3, atol=1e-8)
    # log marginal likelihood (unnormalised y: same units)
    assert ours.log_marginal_likelihood_value_ == pytest.approx(
        sk.log_marginal_likelihood_value_, rel=1e-10)


def test_normalize_y_equals_sklearn(data, rng):
    X, y = data
    y = 50 + 20 * y
    ls, sv, noise = np.array([0.5, 0.8, 1.1]), 0.9, 0.01
    ours = GaussianProcess(length_scale=ls, signal_variance=sv, noise=noise * np.var(y),
                           normalize_x=False, optimizer=None).fit(X, y)
    sk = GaussianProcessRegressor(sklearn_equivalent("matern52", ls, sv), alpha=noise,
                                  normalize_y=True, optimizer=None).fit(X, y)
    Xq = rng.uniform(-1, 2, size=(5, 3))
    m1, s1 = ours.predict(Xq, return_std=True)
    m2, s2 = sk.predict(Xq, return_std=True)
    np.testing.assert_allclose(m1, m2, atol=1e-8 * np.std(y))
    np.testing.assert_allclose(s1, s2, atol=1e-8 * np.std(y))


@pytest.mark.parametrize("kernel", ["rbf", "matern32", "matern52"])
def test_predict_with_grad_matches_finite_differences(data, rng, kernel):
    X, y = data
    gp = GaussianProcess(kernel, max_iter=30).fit(X, y)
    Xq = rng.uniform(-1, 2, size=(6, 3))
    mu, sd, dmu, dsd = gp.predict_with_grad(Xq)
    m2, s2 = gp.predict(Xq, return_std=True)
    np.testing.assert_allclose(mu, m2, rtol=1e-12)
    np.testing.assert_allclose(sd, s2, rtol=1e-10)
    e = 1e-6
    I = np.eye(3)
    fdm = np.stack([(gp.predict(Xq + e * I[i]) - gp.predict(Xq - e * I[i])) / (2 * e)
                    for i in range(3)], axis=1)
    fds = np.stack([(gp.predict(Xq + e * I[i], return_std=True)[1]
                     - gp.predict(Xq - e * I[i], return_std=True)[1]) / (2 * e)
                    for i in range(3)], axis=1)
    np.testing.assert_allclose(dmu, fdm, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dsd, fds, rtol=1e-5, atol=1e-7)


def test_noise_free_interpolates(rng):
    X = rng.uniform(size=(12, 2))
    y = np.cos(4 * X[:, 0]) + X[:, 1] ** 2
    gp = GaussianProcess(noise=0.0).fit(X, y)
    mu, sd = gp.predict(X, return_std=True)
    np.testing.assert_allclose(mu, y, atol=1e-6)
    assert np.all(sd <= 1e-6)
    from probstat.bayesopt.acquisition import expected_improvement

    assert np.all(expected_improvement(mu, sd, y.max()) <= 1e-6)


def test_condition_on_equals_refactorisation(data, rng):
    X, y = data
    gp = GaussianProcess(max_iter=30).fit(X[:18], y[:18])
    new = gp.condition_on(X[18:], y[18:])
    # direct computation with the same hyperparameters and scalings
    U = (X - gp._x_lo) / gp._x_span
    from probstat.bayesopt._covariance import kernel_matrix

    K = kernel_matrix(gp.kernel, U, U, gp._ls, gp._sv)
    K[np.diag_indices(25)] += gp._noise_std[0] + gp.jitter_
    L = linalg.cholesky(K, lower=True)
    np.testing.assert_allclose(new.L_, L, atol=1e-10)
    Xq = rng.uniform(-1, 2, size=(5, 3))
    Uq = (Xq - gp._x_lo) / gp._x_span
    Ks = kernel_matrix(gp.kernel, Uq, U, gp._ls, gp._sv)
    ys = (y - gp._y_mean) / gp._y_std
    mean = Ks @ linalg.cho_solve((L, True), ys) * gp._y_std + gp._y_mean
    np.testing.assert_allclose(new.predict(Xq), mean, atol=1e-10)
    assert new.X_train_.shape == (25, 3) and gp.X_train_.shape == (18, 3)


def test_posterior_cov_and_sample_y(data, rng):
    X, y = data
    gp = GaussianProcess(max_iter=30, random_state=0).fit(X, y)
    Xq = rng.uniform(-1, 2, size=(4, 3))
    mean, cov = gp.predict(Xq, return_cov=True)
    np.testing.assert_allclose(gp.posterior_cov(Xq), cov, atol=1e-12)
    draws = gp.sample_y(Xq, n_samples=20000, random_state=1)
    assert draws.shape == (4, 20000)
    se = np.sqrt(np.diag(cov) / 20000)
    assert np.all(np.abs(draws.mean(axis=1) - mean) < 5 * se + 1e-12)
    # sample covariance within 10 % of the diagonal scale (20000 draws: ~1 % noise)
    np.testing.assert_allclose(np.cov(draws), cov, atol=0.05 * np.diag(cov).max())
    np.testing.assert_array_equal(gp.sample_y(Xq, 3, random_state=7),
                                  gp.sample_y(Xq, 3, random_state=7))


def test_duplicate_points_get_jitter():
    X = np.array([[0.0], [0.0], [1.0]])
    gp = GaussianProcess(noise=0.0, optimizer=None).fit(X, [1.0, 1.0, 2.0])
    assert gp.jitter_ > 0
    assert np.all(np.isfinite(gp.predict([[0.5]])))


def test_fit_recovers_noise_and_reproducible(rng):
    X = rng.uniform(size=(80, 1))
    y = np.sin(6 * X[:, 0]) + 0.2 * rng.standard_normal(80)
    gp = GaussianProcess(n_restarts=2, random_state=0).fit(X, y)
    # 80 points: the noise variance 0.04 is recovered within a factor 2
    assert 0.02 < gp.noise_ < 0.08
    gp2 = GaussianProcess(n_restarts=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(gp.theta_, gp2.theta_)


@pytest.mark.parametrize("kwargs, match", [
    ({"kernel": "cubic"}, "'kernel' parameter of GaussianProcess"),
    ({"mean": "linear"}, "'mean' parameter"),
    ({"noise": -1.0}, "'noise' parameter"),
    ({"noise": "fit"}, "'noise' parameter"),
    ({"noise": [0.1, -0.1] * 12 + [0.1]}, "noise must be >= 0"),
    ({"noise": [0.1, 0.1]}, "noise must be a scalar or have one entry per sample"),
    ({"length_scale": [1.0, 2.0]}, "length_scale must be a scalar or have 3"),
    ({"length_scale": [1.0, np.nan, 1.0]}, "length_scale must be finite"),
    ({"signal_variance": 0.0}, "'signal_variance' parameter"),
    ({"max_iter": "5"}, "'max_iter' parameter"),
    ({"bounds": [[0, 1]]}, r"bounds must have shape \(3, 2\)"),
])
def test_bad_parameters(data, kwargs, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        GaussianProcess(**kwargs).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_bad_data(data):
    X, y = data
    y = y.copy()
    y[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GaussianProcess().fit(X, y)
    gp = GaussianProcess(max_iter=5).fit(X, np.nan_to_num(y))
    with pytest.raises(ValueError, match="features"):
        gp.predict(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="finite"):
        gp.condition_on(X[:1], [np.inf])


def test_cov_with_grad_matches_posterior_cov_and_finite_differences(data, rng):
    X, y = data
    gp = GaussianProcess(max_iter=30).fit(X, y)
    P = rng.uniform(-1, 2, size=(5, 3))
    x = rng.uniform(-1, 2, size=3)
    cov, grad = gp._cov_with_grad(P, x)
    np.testing.assert_allclose(cov, gp.posterior_cov(P, x[None])[:, 0], atol=1e-12)
    e = 1e-6
    fd = np.stack([(gp._cov_with_grad(P + e * np.eye(3)[i], x)[0]
                    - gp._cov_with_grad(P - e * np.eye(3)[i], x)[0]) / (2 * e)
                   for i in range(3)], axis=1)
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-8)


def _dense_lml(gp, theta):
    """The marginal likelihood and its gradient with dense matrices (R&W eqs. 2.30, 5.9):
    every ``dK/dtheta_j`` formed explicitly and contracted with ``alpha alpha^T - K^-1``."""
    from probstat.bayesopt._covariance import kernel_g_G, sq_dist
    from probstat.utils._numerics import cholesky

    U, ys = gp._U, gp._ys
    ls, sv, noise = gp._unpack(theta)
    n, d = U.shape
    g, G = kernel_g_G(gp.kernel, sq_dist(U, U, ls))
    K = sv * g + np.diag(noise)
    L, _ = cholesky(K, jitter=gp.jitter)
    alpha = linalg.cho_solve((L, True), ys)
    lml = -0.5 * ys @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * np.log(2 * np.pi)
    W = np.outer(alpha, alpha) - linalg.cho_solve((L, True), np.eye(n))
    dK = [sv * G * (U[:, None, i] - U[None, :, i]) ** 2 / ls[i] ** 2 for i in range(d)]
    dK.append(sv * g)
    if gp._fixed_noise is None:
        dK.append(np.diag(noise))
    return lml, np.array([0.5 * np.sum(W * D) for D in dK])


@pytest.mark.filterwarnings("ignore::probstat.utils.ConvergenceWarning")
@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("noise", ["auto", "per-sample"])
def test_lml_equals_dense_computation(data, rng, kernel, noise):
    X, y = data
    noise = rng.uniform(0.01, 0.1, len(y)) if noise == "per-sample" else noise
    gp = GaussianProcess(kernel, noise=noise, max_iter=5).fit(X, y)
    for _ in range(3):
        theta = gp.theta_ + 0.5 * rng.standard_normal(gp.theta_.size)
        lml, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
        ref, ref_grad = _dense_lml(gp, theta)
        assert lml == pytest.approx(ref, rel=1e-10)
        assert gp.log_marginal_likelihood(theta) == lml
        # the gradient is a sum of terms of both signs: relative to its largest entry
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-10,
                                   atol=1e-10 * np.abs(ref_grad).max())


def test_lml_with_jitter_equals_dense_computation():
    X = np.array([[0.0, 0.2], [0.0, 0.2], [0.5, 0.9], [1.0, 0.1]])
    y = np.array([1.0, 1.0, 2.0, 0.5])
    for jitter in ("auto", 1e-6):
        gp = GaussianProcess(noise=0.0, jitter=jitter, optimizer=None).fit(X, y)
        assert gp.jitter_ > 0
        lml, grad = gp.log_marginal_likelihood(gp.theta_, eval_gradient=True)
        ref, ref_grad = _dense_lml(gp, gp.theta_)
        assert lml == pytest.approx(ref, rel=1e-10)
        assert lml == pytest.approx(gp.log_marginal_likelihood_value_, rel=1e-12)
        if jitter != "auto":
            # "auto" stops at the smallest jitter that factorises (condition number ~1e12,
            # so any two gradient computations agree to only ~1e-4); 1e-6 keeps it ~1e6
            np.testing.assert_allclose(grad, ref_grad, rtol=1e-8,
                                       atol=1e-10 * np.abs(ref_grad).max())


@pytest.mark.filterwarnings("ignore::probstat.utils.ConvergenceWarning")
@pytest.mark.parametrize("kernel, nu", [("rbf", None), ("matern12", 0.5),
                                        ("matern32", 1.5), ("matern52", 2.5)])
def test_lml_and_gradient_equal_sklearn(data, rng, kernel, nu):
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern

    X, y = data
    gp = GaussianProcess(kernel, max_iter=5).fit(X, y)
    d = X.shape[1]
    base = RBF(np.ones(d)) if nu is None else Matern(np.ones(d), nu=nu)
    sk = GaussianProcessRegressor(ConstantKernel() * base + WhiteKernel(), alpha=0.0,
                                  optimizer=None).fit(gp._U, gp._ys)
    for _ in range(3):
        theta = gp.theta_ + 0.5 * rng.standard_normal(gp.theta_.size)
        theta[-1] = max(theta[-1], -6.0)
        # scikit-learn orders the log hyperparameters (signal variance, length scales, noise)
        theta_sk = np.concatenate([[theta[d]], theta[:d], [theta[d + 1]]])
        ref, ref_grad = sk.log_marginal_likelihood(theta_sk, eval_gradient=True)
        lml, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
        assert lml == pytest.approx(ref, rel=1e-10)
        ref_grad = np.concatenate([ref_grad[1:d + 1], [ref_grad[0], ref_grad[-1]]])
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-8,
                                   atol=1e-9 * np.abs(ref_grad).max())


def test_lml_of_one_point():
    gp = GaussianProcess(optimizer=None, normalize_y=False, mean="zero").fit([[0.3]], [0.5])
    lml, grad = gp.log_marginal_likelihood(gp.theta_, eval_gradient=True)
    var = gp.signal_variance_ + gp.noise_
    assert lml == pytest.approx(-0.5 * 0.25 / var - 0.5 * np.log(2 * np.pi * var), rel=1e-12)
    assert grad[0] == 0.0  # no pair of points: the length scale does not enter


@pytest.mark.filterwarnings("ignore::probstat.utils.ConvergenceWarning")
def test_warm_start_reruns_the_default_start_when_the_data_grew(rng, monkeypatch):
    import types

    from probstat.bayesopt import _gp

    starts = []
    real = _gp.optimize.minimize

    def record(fun, x0, **kwargs):
        starts.append(np.array(x0, dtype=float))
        return real(fun, x0, **kwargs)

    monkeypatch.setattr(_gp, "optimize", types.SimpleNamespace(minimize=record))
    X = rng.uniform(size=(30, 2))
    y = np.sin(5 * X[:, 0]) + X[:, 1]
    gp = GaussianProcess(warm_start=True, max_iter=50).fit(X[:20], y[:20])
    assert len(starts) == 1  # first fit: the default start only
    default = starts[0]
    # 10 % growth since the last default start (20 points): at 22, then at 25 (>= 24.2)
    for n, expected in [(21, 1), (22, 2), (23, 1), (24, 1), (25, 2), (12, 2)]:
        previous = gp.theta_.copy()
        starts.clear()
        gp.fit(X[:n], y[:n])
        assert len(starts) == expected, n
        np.testing.assert_array_equal(starts[-1], previous)  # the warm start
        if expected == 2:
            np.testing.assert_array_equal(starts[0], default)
    starts.clear()
    GaussianProcess(max_iter=50).fit(X, y)
    assert len(starts) == 1


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 12), d=st.integers(1, 3), kernel=st.sampled_from(KERNELS),
       seed=st.integers(0, 2**32 - 1))
def test_lml_is_invariant_to_the_order_of_the_points(n, d, kernel, seed):
    r = np.random.default_rng(seed)
    X = r.uniform(size=(n, d))
    y = r.standard_normal(n)
    theta = np.concatenate([r.uniform(-2, 1, d), r.uniform(-1, 1, 1), [-3.0]])
    perm = r.permutation(n)
    gp = GaussianProcess(kernel, optimizer=None).fit(X, y)
    gq = GaussianProcess(kernel, optimizer=None).fit(X[perm], y[perm])
    lml, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    lmq, grq = gq.log_marginal_likelihood(theta, eval_gradient=True)
    assert lmq == pytest.approx(lml, rel=1e-10, abs=1e-10)
    np.testing.assert_allclose(grq, grad, rtol=1e-8, atol=1e-9 * (1 + np.abs(grad).max()))
