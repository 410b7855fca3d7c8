"""Regression tests: arrays in the input's namespace, validated inputs, shared numerics,
lazy imports and one plotting module for probstat.semantic."""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

import probstat
from probstat.backend import HostFallbackWarning, to_numpy
from probstat.semantic import (
    CMGaussianMixture,
    LogicalBayesClassifier,
    MMIClassifier,
    information_efficiency,
    medical_test_confirmation,
    mmi_partition,
    rate_distortion,
    rate_fidelity,
    semantic_information,
    semantic_information_loss,
    semantic_mutual_information,
)

xps = pytest.importorskip("array_api_strict")
DEVICE = xps.Device("device1")


def _two_groups(rng, n=(30, 20), d=2):
    X = np.concatenate([rng.normal(0.0, 1.0, (n[0], d)), rng.normal(3.0, 1.0, (n[1], d))])
    return X, np.repeat([0, 1], n)


def _on_device(x):
    return isinstance(x, xps._array_object.Array) and x.device == DEVICE


ESTIMATORS = [
    (CMGaussianMixture(2, random_state=0),
     ("weights_", "means_", "covariances_", "precisions_cholesky_"),
     ("predict", "predict_proba", "score_samples")),
    (MMIClassifier(),
     ("classes_", "class_prior_", "means_", "covariances_", "semantic_information_",
      "history_"),
     ("predict", "predict_information")),
    (LogicalBayesClassifier(),
     ("classes_", "label_prior_", "logical_probabilities_", "semantic_kl_", "centers_",
      "widths_"),
     ("predict", "predict_truth", "predict_information", "predict_channel")),
]


@pytest.mark.parametrize(("estimator", "attributes", "methods"), ESTIMATORS,
                         ids=lambda v: type(v).__name__ if hasattr(v, "fit") else "")
def test_estimators_return_the_input_namespace(rng, estimator, attributes, methods):
    # they used to return NumPy silently for array-api-strict input
    X, y = _two_groups(rng)
    Xs, ys = xps.asarray(X, device=DEVICE), xps.asarray(y, device=DEVICE)
    with probstat.config_context(array_api_dispatch=True):
        with pytest.warns(HostFallbackWarning, match="runs on the CPU"):
            est = estimator.fit(Xs, ys)
        for name in attributes:
            assert _on_device(getattr(est, name)), name
        if isinstance(est, CMGaussianMixture):
            assert all(_on_device(v) for v in est.history_.values())
            with pytest.warns(HostFallbackWarning):
                Xd, yd = est.sample(5)
            assert _on_device(Xd) and _on_device(yd)
        for name in methods:
            with pytest.warns(HostFallbackWarning):
                out = getattr(est, name)(Xs)
            assert _on_device(out), name
    # the same values as a NumPy fit, and no warning when dispatch is off
    ref = type(estimator)(**estimator.get_params()).fit(X, y)
    for name in methods:
        np.testing.assert_allclose(to_numpy(getattr(est, name)(Xs)), getattr(ref, name)(X),
                                   rtol=1e-10, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", HostFallbackWarning)
        plain = type(estimator)(**estimator.get_params()).fit(Xs, ys)
    assert isinstance(getattr(plain, attributes[1]), np.ndarray)


def test_mmi_partition_checks_the_label_range():
    W = np.array([[0.5, 0.3, 0.15, 0.05], [0.05, 0.15, 0.3, 0.5]])
    # label 5 with three distinct labels used to give -inf columns and converged=True
    with pytest.raises(ValueError, match=r"init_labels must lie in \[0, 3\) \(got 5\)"):
        mmi_partition([0.5, 0.5], W, [0, 5, 0, 1])
    with pytest.raises(ValueError, match=r"init_labels must lie in \[0, 2\) \(got 5\)"):
        mmi_partition([0.5, 0.5], W, [0, 5, 0, 1], n_labels=2)
    with pytest.raises(ValueError, match="init_labels must be integers"):
        mmi_partition([0.5, 0.5], W, [0, 0.5, 0, 1])
    # a declared label no cell uses says nothing (information 0), not -inf
    res = mmi_partition([0.5, 0.5], W, [0, 1, 0, 1], n_labels=3)
    assert np.all(np.isfinite(res.semantic_information))


def test_mmi_classifier_constant_feature_gives_finite_information():
    # every point identical: the Bayes partition leaves a label empty, whose information
    # used to be -inf
    X = np.ones((40, 1))
    y = np.repeat([0, 1], 20)
    clf = MMIClassifier().fit(X, y)
    assert np.all(np.isfinite(clf.semantic_information_))
    np.testing.assert_allclose(clf.semantic_information_, 0.0, atol=1e-12)
    assert np.all(np.isfinite(clf.predict_information(X)))
    # and a constant column beside an informative one changes nothing
    rng = np.random.default_rng(0)
    Z = np.c_[np.r_[rng.normal(0, 1, 20), rng.normal(2, 1, 20)], np.ones(40)]
    assert np.all(np.isfinite(MMIClassifier().fit(Z, y).semantic_information_))


@pytest.mark.parametrize("truth_model", ["gaussian", "logistic"])
def test_logical_bayes_is_scale_invariant(rng, truth_model):
    # X * 1e200 used to overflow to NaN centres and inf widths
    X, y = _two_groups(rng, d=1)
    ref = LogicalBayesClassifier(truth_model=truth_model).fit(X, y)
    big = LogicalBayesClassifier(truth_model=truth_model).fit(X * 1e200, y)
    np.testing.assert_array_equal(big.predict(X * 1e200), ref.predict(X))
    np.testing.assert_allclose(big.logical_probabilities_, ref.logical_probabilities_,
                               rtol=1e-8)
    if truth_model == "gaussian":
        np.testing.assert_allclose(big.centers_, ref.centers_ * 1e200, rtol=1e-8)
        np.testing.assert_allclose(big.widths_, ref.widths_ * 1e200, rtol=1e-8)
    else:
        np.testing.assert_allclose(big.coef_ * 1e200, ref.coef_, rtol=1e-8)
    # values near the largest float: finite parameters, no overflow on the way
    extreme = np.r_[X, [[1.7e308], [-1.7e308]]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        clf = LogicalBayesClassifier(truth_model=truth_model).fit(extreme, np.r_[y, 0, 1])
        assert np.all(np.isfinite(clf.predict_information(extreme)))
    # where the model itself cannot be finite, the error says so
    with pytest.raises(ValueError, match="X is too large in magnitude"):
        MMIClassifier().fit(X * 1e200, y)
    with pytest.raises(ValueError, match="X is too large in magnitude"):
        CMGaussianMixture(2, random_state=0).fit(X * 1e200)


def test_narrow_dtypes_are_accepted():
    # float32 [0.6, 0.3, 0.1] sums to 1 + 1.2e-7: it used to be refused with "p must sum
    # to 1 (got 1)"
    p_x = np.array([0.6, 0.3, 0.1], dtype=np.float32)
    W = np.full((3, 4), 0.25, dtype=np.float32)
    res = mmi_partition(p_x, W, [0, 1, 0, 1])
    assert res.history.dtype == np.float64
    # float32 distortions used to be a numba TypingError
    d = np.array([[0.0, 1.0], [1.0, 0.0]])
    a = rate_distortion(d.astype(np.float32), np.float32([0.3, 0.7]), [-1.0, -2.0])
    b = rate_distortion(d, [0.3, 0.7], [-1.0, -2.0])
    np.testing.assert_allclose(a.R, b.R, rtol=1e-6)
    assert a.R.dtype == np.float64
    # longdouble used to fail inside scipy.special.entr
    T = np.array([[1.0, 0.5], [0.5, 1.0]])
    p_xy = np.array([[0.4, 0.1], [0.1, 0.4]])
    ld = np.longdouble
    assert semantic_mutual_information(T.astype(ld), p_xy.astype(ld)) == pytest.approx(
        semantic_mutual_information(T, p_xy), rel=1e-12)
    assert semantic_information_loss(T.astype(ld), p_xy.astype(ld)) == pytest.approx(
        semantic_information_loss(T, p_xy), rel=1e-12)
    np.testing.assert_allclose(semantic_information(T.astype(ld), [ld(0.5), ld(0.5)]),
                               semantic_information(T, [0.5, 0.5]), rtol=1e-12)
    curve = rate_fidelity(T.astype(np.float16), np.float16([0.5, 0.5]), 2.0)
    assert curve.R.dtype == np.float64


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_information_efficiency_refuses_non_finite(bad):
    with pytest.raises(ValueError, match="G must be finite"):
        information_efficiency(bad, 1.0)
    with pytest.raises(ValueError, match="R must be finite"):
        information_efficiency(0.5, [1.0, bad])
    with pytest.raises(ValueError, match="G and R must have broadcastable shapes"):
        information_efficiency([0.1, 0.2, 0.3], [1.0, 2.0])


def test_medical_test_that_is_never_positive_warns_instead_of_failing():
    # it used to raise an error about p_e_given_h, an argument the caller never passed
    with pytest.warns(RuntimeWarning, match="never positive"):
        res = medical_test_confirmation(0.0, 1.0, 0.2)
    assert math.isnan(res.b1) and math.isnan(res.c1) and math.isnan(res.ppv)
    assert res.b0 == 0.0 and res.npv == pytest.approx(0.8)


def test_estimators_refuse_strings_by_name(rng):
    # numeric strings used to be converted silently by scikit-learn's validation
    X, y = _two_groups(rng)
    for est in (CMGaussianMixture(2), MMIClassifier(), LogicalBayesClassifier()):
        with pytest.raises(TypeError, match="X must hold numbers, not strings"):
            est.fit(X.astype(str), y)


def test_shared_numerics_replace_local_copies(rng):
    from probstat.semantic import _cm, _kernels, _logical_bayes, _mixture, _rate
    from probstat.utils._numerics import gaussian_log_density, logsumexp, precision_cholesky

    for module, name in ((_mixture, "_log_gaussian"), (_mixture, "_precision_cholesky"),
                         (_mixture, "_logsumexp_rows")):
        assert not hasattr(module, name), f"{module.__name__}.{name} is back"
    for module in (_logical_bayes, _rate):
        assert "threadpool_limits" not in vars(module)
    assert "logsumexp" in vars(_cm) and "precision_cholesky" in vars(_cm)
    # the in-kernel Cholesky solve stays (nopython code cannot call SciPy); it agrees
    A = rng.normal(size=(4, 4))
    A = A @ A.T + np.eye(4)
    np.testing.assert_allclose(_kernels._spd_solve(A, np.eye(4)), np.linalg.inv(A),
                               rtol=1e-10)
    # the mixture's one-pass E-step normalisation (shared) agrees with the log-sum-exp
    from probstat.utils._numerics import log_normalize

    a = rng.normal(size=(50, 3)) * 30
    a[0] = -np.inf
    log_norm, prob = log_normalize(a, axis=1)
    assert log_norm[0] == -np.inf
    a, log_norm, prob = a[1:], log_norm[1:], prob[1:]
    np.testing.assert_allclose(log_norm, logsumexp(a, axis=1), rtol=1e-13)
    np.testing.assert_allclose(prob, np.exp(a - logsumexp(a, axis=1, keepdims=True)),
                               rtol=1e-12)
    # CMGaussianMixture's density is the shared Gaussian log-density
    X, _ = _two_groups(rng)
    gm = CMGaussianMixture(2, random_state=0).fit(X)
    log_comp = gaussian_log_density(X, gm.means_, precision_cholesky(gm.covariances_))
    np.testing.assert_allclose(gm.score_samples(X),
                               logsumexp(log_comp + np.log(gm.weights_), axis=1), rtol=1e-12)


def test_import_loads_no_kernel_compiler():
    code = ("import sys, probstat.semantic; "
            "print([m for m in ('numba', 'cvxpy', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_result_plots_are_drawn_in_plot_module(monkeypatch):
    from probstat.semantic import _plot

    calls = []
    for name in ("plot_rate_fidelity", "plot_rate_distortion", "plot_partition_history"):
        monkeypatch.setattr(_plot, name,
                            lambda result, ax=None, _n=name, **kw: calls.append(_n) or _n)
    T = np.array([[1.0, 0.2], [0.5, 1.0]])
    assert rate_fidelity(T, [0.5, 0.5], [1.0, 2.0]).plot() == "plot_rate_fidelity"
    assert rate_distortion(1 - np.eye(2), [0.5, 0.5], -1.0).plot() == "plot_rate_distortion"
    W = np.array([[0.5, 0.3, 0.15, 0.05], [0.05, 0.15, 0.3, 0.5]])
    assert mmi_partition([0.5, 0.5], W, [0, 1, 0, 1]).plot() == "plot_partition_history"
    assert calls == ["plot_rate_fidelity", "plot_rate_distortion", "plot_partition_history"]


def test_result_plots_accept_array_api_results():
    T = np.array([[1.0, 0.2], [0.5, 1.0]])
    with probstat.config_context(array_api_dispatch=True):
        curve = rate_fidelity(xps.asarray(T, device=DEVICE),
                              xps.asarray([0.5, 0.5], device=DEVICE), [0.5, 1.0, 2.0])
    assert _on_device(curve.R) and _on_device(curve.efficiency)
    ax = curve.plot()
    assert ax.get_xlabel().startswith("G")


def test_logical_bayes_keeps_underflowing_logical_probabilities_in_logs():
    # On this split the information maximisation sends one Gaussian truth function far
    # away (an exponential tilt): T(theta) underflows to 0, log T(theta) does not. The
    # predictions used log(0) = -inf (a RuntimeWarning and +inf information) before.
    X = np.random.default_rng(0).normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = LogicalBayesClassifier().fit(X, y)
        info = clf.predict_information(X)
        pred = clf.predict(X)
    assert np.all(np.isfinite(clf.log_logical_probabilities_)) and np.all(np.isfinite(info))
    np.testing.assert_allclose(np.exp(clf.log_logical_probabilities_),
                               clf.logical_probabilities_)
    assert np.mean(pred == y) >= 0.9
