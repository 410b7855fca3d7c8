"""CMGaussianMixture: EM mode equals scikit-learn, CM-EM reaches the same optimum, identities."""

import math
import warnings

import numpy as np
import pytest
from sklearn.mixture import GaussianMixture

from probstat.semantic import CMGaussianMixture
from probstat.utils import ConvergenceWarning


def two_gaussians(rng, n=(950, 50), mu=(0.0, 3.0)):
    return np.concatenate([rng.normal(mu[0], 1, (n[0], 1)),
                           rng.normal(mu[1], 1, (n[1], 1))])


INIT_1D = dict(weights_init=[0.5, 0.5], means_init=[[-1.0], [4.0]],
               precisions_init=[[[1.0]], [[1.0]]])


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
def test_em_mode_reproduces_sklearn(rng, cov):
    X = np.vstack([rng.normal([0, 0], 1, (120, 2)), rng.normal([3, 1], 0.7, (80, 2))])
    means = np.array([[-0.5, 0.2], [2.5, 1.5]])
    prec = {"full": np.stack([np.eye(2)] * 2), "tied": np.eye(2), "diag": np.ones((2, 2)),
            "spherical": np.ones(2)}[cov]
    init = dict(weights_init=[0.5, 0.5], means_init=means, precisions_init=prec)
    sk = GaussianMixture(2, covariance_type=cov, tol=1e-8, max_iter=1000, **init).fit(X)
    em = CMGaussianMixture(2, covariance_type=cov, algorithm="em", tol=1e-8, max_iter=1000,
                           **init).fit(X)
    # the same EM map, step for step: identical iteration count, round-off agreement
    assert em.n_iter_ == sk.n_iter_
    assert em.lower_bound_ == pytest.approx(sk.lower_bound_, rel=1e-12)
    np.testing.assert_allclose(em.means_, sk.means_, atol=1e-9)
    np.testing.assert_allclose(em.covariances_, sk.covariances_, atol=1e-9)
    np.testing.assert_allclose(em.predict_proba(X), sk.predict_proba(X), atol=1e-9)
    assert em.score(X) == pytest.approx(sk.score(X), rel=1e-12)


def test_cm_reaches_sklearn_optimum_from_same_init(rng):
    X = two_gaussians(rng)
    sk = GaussianMixture(2, tol=1e-10, max_iter=5000, **INIT_1D).fit(X)
    cm = CMGaussianMixture(2, tol=1e-10, max_iter=5000, **INIT_1D).fit(X)
    assert cm.converged_ and sk.converged_
    # both stop when the per-iteration gain is < 1e-10; near a non-degenerate optimum that
    # leaves the log-likelihood within ~1e-8 of it (linear convergence)
    assert cm.lower_bound_ == pytest.approx(sk.lower_bound_, abs=1e-7)
    order_cm, order_sk = np.argsort(cm.means_[:, 0]), np.argsort(sk.means_[:, 0])
    np.testing.assert_allclose(cm.means_[order_cm], sk.means_[order_sk], atol=1e-3)
    np.testing.assert_allclose(cm.weights_[order_cm], sk.weights_[order_sk], atol=1e-3)
    np.testing.assert_allclose(cm.covariances_[order_cm], sk.covariances_[order_sk], atol=1e-3)


@pytest.mark.parametrize("algorithm", ["cm", "em"])
def test_log_likelihood_is_monotone(rng, algorithm):
    X = np.vstack([rng.normal([0, 0], 1, (150, 2)), rng.normal([2, 2], 1, (50, 2)),
                   rng.normal([-2, 3], 0.5, (30, 2))])
    gm = CMGaussianMixture(3, algorithm=algorithm, tol=1e-7, max_iter=200,
                           init_params="random", random_state=3).fit(X)
    ll = gm.history_["log_likelihood"]
    assert np.all(np.diff(ll) >= -1e-12)  # round-off only
    # R is the Shannon MI between samples and components: 0 <= R <= log2(k)
    assert np.all((gm.history_["R"] >= 0) & (gm.history_["R"] <= math.log2(3) + 1e-12))


def test_imbalanced_mixture_cm_needs_fewer_iterations(rng):
    # Lu's claim for imbalanced weights, checked at a tight tolerance from a 50/50 start
    X = two_gaussians(rng)
    em = CMGaussianMixture(2, algorithm="em", tol=1e-8, max_iter=5000, **INIT_1D).fit(X)
    cm = CMGaussianMixture(2, algorithm="cm", tol=1e-8, max_iter=5000, **INIT_1D).fit(X)
    assert cm.n_iter_ < em.n_iter_
    assert cm.lower_bound_ == pytest.approx(em.lower_bound_, abs=1e-6)


def test_grid_information_identities():
    # Lu's setting: x on a grid, sample_weight the sampling distribution P(x)
    grid = np.linspace(-6, 10, 321)
    step = grid[1] - grid[0]
    dens = 0.8 * np.exp(-0.5 * grid ** 2) / math.sqrt(2 * math.pi) \
        + 0.2 * np.exp(-0.5 * ((grid - 4) / 1.5) ** 2) / (1.5 * math.sqrt(2 * math.pi))
    px = dens / dens.sum()
    init = dict(weights_init=[0.5, 0.5], means_init=[[-1.0], [5.0]],
                precisions_init=[[[1.0]], [[1.0]]])
    kw = dict(n_components=2, tol=1e-9, max_iter=2000, bin_volume=step, **init)
    cm = CMGaussianMixture(algorithm="cm", **kw).fit(grid[:, None], sample_weight=px)
    h = cm.history_
    # after each E2 step the weights equal the channel's marginal, so R - G = KL(P_X||P_theta)
    np.testing.assert_allclose(h["R"] - h["G"], h["R_minus_G"], atol=1e-8)
    assert cm.G_ == pytest.approx(h["G"][-1]) and cm.R_ >= cm.G_ - 1e-8
    # at the end P_theta matches the discretised source up to the grid's Riemann-sum and
    # truncation error (sum_i p_theta(x_i) * step differs from 1 by ~1e-5): KL ~ 0
    assert 0 <= h["R_minus_G"][-1] < 1e-4
    order = np.argsort(cm.means_[:, 0])
    np.testing.assert_allclose(cm.means_[order, 0], [0.0, 4.0], atol=2e-3)
    np.testing.assert_allclose(cm.weights_[order], [0.8, 0.2], atol=2e-3)
    # plain EM: the weights lag behind the marginal, and R - G = KL - KL(P(y) || w) <= KL
    em = CMGaussianMixture(algorithm="em", **kw).fit(grid[:, None], sample_weight=px)
    gap = em.history_["R_minus_G"] - (em.history_["R"] - em.history_["G"])
    assert np.all(gap >= -1e-12) and gap[0] > 1e-3


def test_sample_weight_equals_repetition(rng):
    X = two_gaussians(rng, n=(60, 40))
    counts = rng.integers(1, 4, size=X.shape[0])
    init = dict(weights_init=[0.5, 0.5], means_init=[[-1.0], [4.0]],
                precisions_init=[[[1.0]], [[1.0]]])
    a = CMGaussianMixture(2, tol=1e-10, **init).fit(X, sample_weight=counts)
    b = CMGaussianMixture(2, tol=1e-10, **init).fit(np.repeat(X, counts, axis=0))
    np.testing.assert_allclose(a.means_, b.means_, atol=1e-8)
    np.testing.assert_allclose(a.weights_, b.weights_, atol=1e-8)


def test_reproducible_and_sampling(rng):
    X = two_gaussians(rng, n=(100, 100))
    a = CMGaussianMixture(2, random_state=5).fit(X)
    b = CMGaussianMixture(2, random_state=5).fit(X)
    np.testing.assert_array_equal(a.means_, b.means_)
    Xa, ya = a.sample(500)
    Xb, yb = b.sample(500)
    np.testing.assert_array_equal(Xa, Xb)
    assert Xa.shape == (500, 1) and set(np.unique(ya)) <= {0, 1}
    # draws follow the fitted mixture: sample mean within 5 standard errors
    mix_mean = float(a.weights_ @ a.means_[:, 0])
    mix_var = float(a.weights_ @ (a.covariances_[:, 0, 0] + a.means_[:, 0] ** 2)) - mix_mean ** 2
    assert abs(Xa.mean() - mix_mean) < 5 * math.sqrt(mix_var / 500)
    proba = a.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(a.predict(X), proba.argmax(1))
    assert a.bic(X) > a.aic(X) - 1e9  # both finite
    assert np.isfinite(a.bic(X))


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="'algorithm' parameter of CMGaussianMixture"):
        CMGaussianMixture(2, algorithm="fast").fit(X)
    with pytest.raises(ValueError, match="'covariance_type' parameter of CMGaussianMixture"):
        CMGaussianMixture(2, covariance_type="banana").fit(X)
    with pytest.raises(ValueError, match="'n_init' parameter of CMGaussianMixture"):
        CMGaussianMixture(2, n_init=0).fit(X)
    with pytest.raises(ValueError, match=r"precisions_init must have shape \(2, 2\)"):
        CMGaussianMixture(2, covariance_type="tied",
                          precisions_init=np.stack([np.eye(2)] * 2)).fit(X)
    with pytest.raises(ValueError, match="n_samples >= n_components"):
        CMGaussianMixture(30).fit(X)
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        CMGaussianMixture(2).fit(X, sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="means_init must have shape"):
        CMGaussianMixture(2, means_init=np.zeros((3, 2))).fit(X)
    with pytest.raises(ValueError, match="weights_init must sum to 1"):
        CMGaussianMixture(2, weights_init=[0.5, 0.6]).fit(X)
    with pytest.raises(ValueError, match="precisions_init must hold invertible"):
        CMGaussianMixture(2, precisions_init=np.zeros((2, 2, 2))).fit(X)
    with pytest.raises(ValueError, match="'bin_volume' parameter of CMGaussianMixture"):
        CMGaussianMixture(2, bin_volume=0.0).fit(X)
    with pytest.raises(ValueError, match="X must be finite"):
        CMGaussianMixture(2).fit(np.full((5, 2), np.nan))


def test_non_convergence_warning(rng):
    X = two_gaussians(rng)
    with pytest.warns(ConvergenceWarning, match="did not converge in 2 iterations"):
        gm = CMGaussianMixture(2, max_iter=2, tol=0.0, random_state=0).fit(X)
    assert gm.n_iter_ == 2 and not gm.converged_
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CMGaussianMixture(2, random_state=0).fit(X)


def test_component_with_zero_weight_is_revived():
    # From this start the E2 optimum for the current components puts the second weight
    # exactly at 0 (a boundary optimum). The component keeps its parameters and a later
    # E2 revives it: CM-EM still reaches EM's optimum (KL(P_X || P_theta) ~ 3.5e-7 bits,
    # the grid's discretisation floor). Measured: CM-EM needs 12 iterations to get below
    # Lu's 0.001-bit stopping level here, EM 5 - CM-EM is not always faster.
    grid = np.linspace(-10, 20, 601)
    step = grid[1] - grid[0]
    dens = 0.9 * np.exp(-0.5 * (grid / 2) ** 2) + 0.1 * np.exp(-0.5 * ((grid - 6) / 2) ** 2)
    px = dens / dens.sum()
    init = dict(weights_init=[0.5, 0.5], means_init=[[2.0], [9.0]],
                precisions_init=[[[1 / 9]], [[1 / 9]]])
    kw = dict(n_components=2, tol=1e-12, max_iter=300, bin_volume=step, **init)
    cm = CMGaussianMixture(algorithm="cm", **kw).fit(grid[:, None], sample_weight=px)
    em = CMGaussianMixture(algorithm="em", **kw).fit(grid[:, None], sample_weight=px)
    assert cm.history_["R_minus_G"][-1] == pytest.approx(em.history_["R_minus_G"][-1],
                                                         abs=1e-8)
    np.testing.assert_allclose(np.sort(cm.weights_), [0.1, 0.9], atol=1e-3)
    first_cm = int(np.argmax(cm.history_["R_minus_G"] < 1e-3)) + 1
    first_em = int(np.argmax(em.history_["R_minus_G"] < 1e-3)) + 1
    assert first_cm > first_em  # measured 12 and 5


def _three_blobs(rng, n=300, d=3):
    centers = np.array([[0.0] * d, [3.0] + [0.5] * (d - 1), [-1.0, 3.0] + [-0.5] * (d - 2)])
    A = rng.normal(size=(3, d, d)) * 0.4 + np.eye(d)
    return np.concatenate([rng.normal(size=(m, d)) @ A[j] + centers[j]
                           for j, m in enumerate((n // 2, n // 3, n - n // 2 - n // 3))])


def _sklearn_init(rng, cov, k, d):
    """A random start in scikit-learn's layout, precisions included."""
    B = rng.normal(size=(k, d, d)) * 0.3 + np.eye(d)
    full = np.einsum("kij,klj->kil", B, B)
    prec = {"full": full, "tied": full[0], "diag": rng.uniform(0.5, 2.0, (k, d)),
            "spherical": rng.uniform(0.5, 2.0, k)}[cov]
    return dict(weights_init=rng.dirichlet(np.full(k, 3.0)),
                means_init=rng.normal(0, 1.5, (k, d)), precisions_init=prec)


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("steps", [1, 2, 7])
def test_em_steps_equal_sklearn(rng, cov, steps):
    # Step for step: after the same number of EM iterations from the same start, every
    # parameter equals scikit-learn's (which runs its own E- and M-steps) to round-off.
    X = _three_blobs(rng)
    init = _sklearn_init(rng, cov, 3, X.shape[1])
    kw = dict(covariance_type=cov, tol=0.0, max_iter=steps, reg_covar=1e-5, **init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = GaussianMixture(3, **kw).fit(X)
        em = CMGaussianMixture(3, algorithm="em", **kw).fit(X)
    assert em.n_iter_ == sk.n_iter_ == steps
    assert abs(em.lower_bound_ - sk.lower_bound_) < 1e-10
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_allclose(getattr(em, name), getattr(sk, name), rtol=0, atol=1e-10,
                                   err_msg=name)
    np.testing.assert_allclose(em.score_samples(X), sk.score_samples(X), rtol=0, atol=1e-10)
    assert em.covariances_.shape == sk.covariances_.shape
    assert em._n_parameters() == sk._n_parameters()
    np.testing.assert_allclose(em.bic(X), sk.bic(X), rtol=1e-12)


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
def test_fused_pass_equals_numpy_reference(rng, cov):
    # The kernel's moments about the old means give the textbook M-step about the new
    # means (the numpy _m_step, written the direct way), and its scalars the direct sums.
    from probstat.semantic._mixture import (
        _kernel_factors,
        _log_density,
        _m_step,
        _m_step_from_stats,
        _precision_factors,
    )
    from probstat.semantic._mixture_kernels import em_pass, log_components

    X = _three_blobs(rng, n=120)
    px = rng.dirichlet(np.ones(X.shape[0]))
    px[:5] = 0.0
    px /= px.sum()
    k, d = 3, X.shape[1]
    _, means, cov0 = _m_step(X, px[:, None] * rng.dirichlet(np.ones(k), X.shape[0]), 1e-6,
                             cov)
    weights = np.array([0.2, 0.3, 0.5])
    pc = _precision_factors(cov0, cov)
    Lt, prec, const, full = _kernel_factors(pc, cov, k, d)
    log_comp = _log_density(X, means, pc, cov)
    np.testing.assert_allclose(log_components(X, means, Lt, prec, const, full, cov == "tied"),
                               log_comp, rtol=1e-12, atol=1e-12)
    lj = log_comp + np.log(weights)
    log_mix = np.logaddexp.reduce(lj, axis=1)
    resp = np.exp(lj - log_mix[:, None])
    for use_comp in (False, True):
        nk, sx, S, ll, ent, cross = em_pass(X, px, means, Lt, prec, const, np.log(weights),
                                            full, cov == "tied", log_comp, use_comp,
                                            cov != "tied")
        assert ll == pytest.approx(px @ log_mix, rel=1e-12)
        joint = px[:, None] * resp
        assert ent == pytest.approx(np.sum(joint * np.log(resp)), rel=1e-12)
        assert cross == pytest.approx(np.sum(joint * log_comp), rel=1e-12)
        ref = _m_step(X, joint, 1e-6, cov)
        centre = X[0]  # any centre: the pooled scatter does not depend on it
        scatter = (centre, ((px[:, None] * (X - centre)).T @ (X - centre)))
        got = _m_step_from_stats(nk, sx, S, means, 1e-6, cov, scatter)
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("cov", ["tied", "spherical"])
def test_n_init_keeps_the_best_start(rng, cov):
    # Eight blobs, eight components, one k-means start each: some starts end in a local
    # optimum (two components sharing a blob). More starts can only help, since the first
    # start of n_init=m is the n_init=1 start (the random stream is shared).
    centers = rng.uniform(-6, 6, (8, 2))
    X = np.concatenate([rng.normal(c, 0.6, (40, 2)) for c in centers])
    kw = dict(covariance_type=cov, tol=1e-6, max_iter=1000)
    singles = np.array([CMGaussianMixture(8, random_state=s, **kw).fit(X).lower_bound_
                        for s in range(12)])
    assert singles.max() - singles.min() > 1e-2  # the starts do reach different optima
    gains = []
    for seed in range(4):
        one = CMGaussianMixture(8, random_state=seed, **kw).fit(X)
        many = CMGaussianMixture(8, random_state=seed, n_init=5, **kw).fit(X)
        assert many.lower_bound_ >= one.lower_bound_ - 1e-12
        # here the best of 5 starts is the best optimum any of 12 single starts found
        assert many.lower_bound_ == pytest.approx(singles.max(), abs=1e-4)
        assert many.history_["log_likelihood"][-1] == many.lower_bound_
        gains.append(many.lower_bound_ - one.lower_bound_)
    assert max(gains) > 5e-3  # at least one of these single starts was a poor one
    again = CMGaussianMixture(8, random_state=0, n_init=5, **kw).fit(X)
    np.testing.assert_array_equal(again.means_, CMGaussianMixture(
        8, random_state=0, n_init=5, **kw).fit(X).means_)


def test_tied_sample_and_predict(rng):
    X = _three_blobs(rng, n=300, d=2)
    gm = CMGaussianMixture(3, covariance_type="tied", random_state=0).fit(X)
    assert gm.covariances_.shape == (2, 2) and gm.precisions_cholesky_.shape == (2, 2)
    np.testing.assert_allclose(gm.precisions_cholesky_ @ gm.precisions_cholesky_.T,
                               np.linalg.inv(gm.covariances_), rtol=1e-10)
    Xs, ys = gm.sample(4000)
    # within-component scatter of the draws estimates the tied covariance
    within = sum(np.cov(Xs[ys == j].T, bias=True) * np.mean(ys == j) for j in range(3))
    np.testing.assert_allclose(within, gm.covariances_, atol=0.15)


@pytest.mark.parametrize("cov", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("n", [120, 1100])
def test_cm_passes_equal_numpy_reference(rng, cov, n):
    # CM-EM's two passes (log-densities and E2 matrix; responsibilities from E and the
    # weights, moments by blocks of rows for full/tied) against the direct NumPy sums.
    # n = 1100 spans two whole blocks of rows and a partial one; one weight is exactly 0.
    from probstat.semantic._mixture import (
        _kernel_factors,
        _log_density,
        _m_step,
        _m_step_from_stats,
        _precision_factors,
    )
    from probstat.semantic._mixture_kernels import _CHUNK, cm_components, cm_pass, em_pass

    assert n < _CHUNK or n > 2 * _CHUNK
    X = _three_blobs(rng, n=n)
    px = rng.dirichlet(np.ones(n))
    px[:5] = 0.0
    px /= px.sum()
    k, d = 3, X.shape[1]
    _, means, cov0 = _m_step(X, px[:, None] * rng.dirichlet(np.ones(k), n), 1e-6, cov)
    pc = _precision_factors(cov0, cov)
    Lt, prec, const, full = _kernel_factors(pc, cov, k, d)
    log_comp = _log_density(X, means, pc, cov)
    lc, E = np.empty((n, k)), np.empty((n, k))
    cm_components(X, means, Lt, prec, const, full, cov == "tied", lc, E)
    np.testing.assert_allclose(lc, log_comp, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.exp(E), np.exp(log_comp - log_comp.max(1, keepdims=True)),
                               rtol=1e-12)
    centre = X[0]
    scatter = (centre, ((px[:, None] * (X - centre)).T @ (X - centre)))
    for weights in (np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.0, 0.6])):
        with np.errstate(divide="ignore"):
            lj = log_comp + np.log(weights)
        log_mix = np.logaddexp.reduce(lj, axis=1)
        resp = np.exp(lj - log_mix[:, None])
        joint = px[:, None] * resp
        ref = _m_step(X, joint, 1e-6, cov)
        pos = joint > 0
        outs = [cm_pass(X, px, means, lc, np.exp(E), weights, cov != "tied", full)]
        if weights.min() > 0:
            outs.append(em_pass(X, px, means, Lt, prec, const, np.log(weights), full,
                                cov == "tied", np.empty((0, 0)), False, cov != "tied"))
        for nk, sx, S, ll, ent, cross in outs:
            assert ll == pytest.approx(px @ log_mix, rel=1e-12)
            assert ent == pytest.approx(np.sum(joint[pos] * np.log(resp[pos])), rel=1e-12)
            assert cross == pytest.approx(np.sum(joint * log_comp), rel=1e-12)
            np.testing.assert_allclose(nk, joint.sum(0), rtol=1e-12, atol=1e-15)
            got = _m_step_from_stats(nk, sx, S, means, 1e-6, cov, scatter)
            for a, b in zip(got, ref):
                if weights.min() == 0:  # the empty component keeps no M-step
                    a, b = np.delete(a, 1, axis=0), np.delete(b, 1, axis=0)
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
