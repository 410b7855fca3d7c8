"""Regression tests: probstat.bayesopt follows the package contract (arrays, parameters,
inputs, shared numerics, layout)."""

import importlib
import inspect
import warnings

import numpy as np
import pytest

import probstat
from probstat import bayesopt as bo
from probstat.backend import HostFallbackWarning
from probstat.bayesopt import acquisition as acq
from probstat.bayesopt.test_functions import get_test_function
from probstat.utils._param_validation import InvalidParameterError

xps = pytest.importorskip("array_api_strict")
DEVICE = xps.Device("device1")


def _strict(x):
    return xps.asarray(np.asarray(x, dtype=float), device=DEVICE)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(10, 2))
    return X, np.sin(3 * X[:, 0]) + X[:, 1]


# ------------------------------------------------------------------ arrays


def test_closed_forms_use_the_shared_host_round_trip():
    import probstat.bayesopt._closed_forms as cf

    assert not hasattr(cf, "_host") and not hasattr(cf, "warn_host_fallback")
    mean, std = _strict([0.1, -0.3]), _strict([1.0, 0.5])
    with probstat.config_context(array_api_dispatch=True):
        with pytest.warns(HostFallbackWarning, match="expected_improvement"):
            ei = acq.expected_improvement(mean, std, 0.0)
    assert isinstance(ei, xps._array_object.Array) and ei.device == DEVICE
    np.testing.assert_allclose(np.asarray(xps.asarray(ei, device=xps.Device("CPU_DEVICE"))),
                               acq.expected_improvement([0.1, -0.3], [1.0, 0.5], 0.0))
    # dispatch off: foreign input is converted silently, NumPy comes back
    with warnings.catch_warnings():
        warnings.simplefilter("error", HostFallbackWarning)
        assert isinstance(acq.expected_improvement(mean, std, 0.0), np.ndarray)


def test_gaussian_process_returns_arrays_in_the_input_namespace(data):
    X, y = data
    gp = bo.GaussianProcess(noise=0.01, optimizer=None)
    assert gp.__sklearn_tags__().array_api_support
    with probstat.config_context(array_api_dispatch=True):
        with pytest.warns(HostFallbackWarning, match="GaussianProcess.fit"):
            gp.fit(_strict(X), _strict(y))
        for name in ("X_train_", "y_train_", "theta_", "L_", "alpha_", "length_scale_"):
            value = getattr(gp, name)
            assert isinstance(value, xps._array_object.Array), name
            assert value.device == DEVICE, name
        with pytest.warns(HostFallbackWarning, match="GaussianProcess.predict"):
            mean, std = gp.predict(_strict(X[:3]), return_std=True)
        assert mean.device == DEVICE and std.device == DEVICE
        # the bound acquisitions still work on NumPy points, without warnings
        with warnings.catch_warnings():
            warnings.simplefilter("error", HostFallbackWarning)
            values = bo.ExpectedImprovement().bind(gp)(X[:3])
    assert isinstance(values, np.ndarray) and np.all(np.isfinite(values))
    ref = bo.GaussianProcess(noise=0.01, optimizer=None).fit(X, y).predict(X[:3])
    np.testing.assert_allclose(np.asarray(xps.asarray(mean, device=xps.Device("CPU_DEVICE"))),
                               ref, rtol=1e-12)


# ------------------------------------------------------------------ inputs


@pytest.mark.parametrize("X, y, name", [
    ([[0.0], [1.0], [2.0]], [1.0, None, 2.0], "y"),
    ([[0.0], [None], [2.0]], [1.0, 0.0, 2.0], "X"),
])
def test_gaussian_process_refuses_none_instead_of_fitting_nan(X, y, name):
    with pytest.raises((TypeError, ValueError), match=rf"{name} must hold numbers \(found None\)"):
        bo.GaussianProcess().fit(X, y)


@pytest.mark.parametrize("call, match", [
    (lambda: acq.q_expected_improvement([0.0], [[1.0]], np.nan), "best must be finite"),
    (lambda: acq.q_expected_improvement([0.0], [[1.0]], "0"), "best must be a real number"),
    (lambda: acq.expected_improvement(0.0, 1.0, np.nan), "best must be finite"),
    (lambda: acq.log_expected_improvement(0.0, 1.0, np.inf), "best must be finite"),
    (lambda: acq.probability_of_improvement(0.0, 1.0, None), "best must be an array"),
    (lambda: acq.upper_confidence_bound(0.0, 1.0, beta=np.nan), "beta must be finite"),
    (lambda: acq.noisy_expected_improvement([0.0], [0.0], [[0.0]], [1.0], np.nan),
     "noise_var must be finite"),
    (lambda: acq.max_value_entropy_search([0.0], [0.0], [1.0]), "std must be > 0"),
    (lambda: acq.normal_base_samples(0, 2), "n_samples must be >= 1"),
    (lambda: bo.ExpectedImprovement(xi=np.nan), "xi must be finite"),
    (lambda: bo.UpperConfidenceBound(beta=-1.0), "beta must be >= 0"),
])
def test_closed_forms_and_acquisitions_check_their_scalars(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_q_expected_improvement_non_psd_cov_is_a_named_value_error():
    with pytest.raises(ValueError, match="cov must be positive semi-definite"):
        acq.q_expected_improvement([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], 0.0)


def test_minimize_refuses_batch_size_zero_before_evaluating():
    calls = []

    def f(x):
        calls.append(x)
        return x[0] ** 2

    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        bo.minimize(f, [(-1.0, 1.0)], n_calls=3, batch_size=0)
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        bo.minimize(f, [(-1.0, 1.0)], n_calls=3, batch_size="2")
    opt = bo.BayesianOptimizer([(-1.0, 1.0)], random_state=0)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        opt.run(f, 2, batch_size=0)
    assert calls == []


def test_get_test_function_checks_dim():
    with pytest.raises(ValueError, match="dim must be >= 1"):
        get_test_function("levy", 0)
    with pytest.raises(TypeError, match="dim must be an integer"):
        get_test_function("levy", "3")
    with pytest.raises(ValueError, match="dim must be 2 for branin"):
        get_test_function("branin", 3)
    with pytest.raises(ValueError, match="dim must be >= 2"):
        bo.test_functions.rosenbrock(1)


def test_max_iter_as_a_string_is_a_type_error_everywhere(data):
    X, y = data
    with pytest.raises(InvalidParameterError, match="'max_iter' parameter") as info:
        bo.GaussianProcess(max_iter="5").fit(X, y)
    assert isinstance(info.value, TypeError)
    gp = bo.GaussianProcess(noise=0.01, optimizer=None).fit(X, y)
    bound = bo.ExpectedImprovement().bind(gp)
    with pytest.raises(TypeError, match="maxiter must be an integer"):
        bo.maximize_acquisition(bound, 2, rng=0, maxiter="5")
    for kwargs in ({"raw_samples": "5"}, {"n_restarts": "5"}, {"n_initial": "5"},
                   {"refit_every": "5"}, {"maximize": "yes"}, {"verbose": "yes"},
                   {"model": "gp"}, {"acquisition": 3}):
        with pytest.raises(TypeError, match=next(iter(kwargs))):
            bo.BayesianOptimizer([(0.0, 1.0)], **kwargs)
    for cls, kwargs in ((bo.qExpectedImprovement, {"n_samples": "5"}),
                        (bo.KnowledgeGradient, {"n_candidates": "5"}),
                        (bo.MaxValueEntropySearch, {"n_max_samples": "5"}),
                        (bo.EntropySearch, {"n_paths": "5"})):
        with pytest.raises(TypeError, match=next(iter(kwargs))):
            cls(**kwargs)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: bo.Real("0", 1.0), TypeError, "low must be a real number"),
    (lambda: bo.Real(0.0, np.inf), ValueError, "high must be finite"),
    (lambda: bo.Real(0.0, 1.0, prior="normal"), ValueError, "prior must be one of"),
    (lambda: bo.Integer(0.0, 5), TypeError, "low must be an integer"),
    (lambda: bo.Categorical("abc"), TypeError, "categories must be a sequence"),
    (lambda: bo.Space(None), TypeError, "dimensions must be a sequence"),
    (lambda: bo.Space([(0.0, np.nan)]), ValueError, r"dimensions\[0\]: high must be finite"),
    (lambda: bo.BayesianOptimizer([(0.0, 1.0)]).tell([0.5], "1.0"), TypeError,
     "y must be a real number"),
    (lambda: bo.BayesianOptimizer([(0.0, 1.0)]).tell(["a"], 1.0), TypeError,
     r"x\[0\] must be a number"),
    (lambda: bo.minimize(lambda x: 0.0, [(0.0, 1.0)], x0=[[2.0]]), ValueError,
     r"x0\[0\]\[0\] = 2.0 is outside"),
])
def test_space_and_loop_arguments_are_checked(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_objective_returning_a_string_is_a_type_error():
    with pytest.raises(TypeError, match="the objective must return a number"):
        bo.minimize(lambda x: "1.0", [(0.0, 1.0)], n_calls=2)


def test_bayesian_optimizer_options_are_keyword_only():
    params = inspect.signature(bo.BayesianOptimizer).parameters
    assert [p for p in params if params[p].kind != inspect.Parameter.KEYWORD_ONLY] == ["space"]
    with pytest.raises(TypeError):
        bo.BayesianOptimizer([(0.0, 1.0)], "ei")
    for cls in (bo.KnowledgeGradient, bo.MaxValueEntropySearch, bo.EntropySearch):
        kinds = [p.kind for p in list(inspect.signature(cls).parameters.values())[1:]]
        assert all(k == inspect.Parameter.KEYWORD_ONLY for k in kinds), cls.__name__


def test_sample_y_random_state_is_keyword_only(data):
    gp = bo.GaussianProcess(noise=0.01, optimizer=None).fit(*data)
    with pytest.raises(TypeError):
        gp.sample_y(data[0][:2], 3, 7)
    draws = gp.sample_y(data[0][:2], 3, random_state=7)
    np.testing.assert_array_equal(draws, gp.sample_y(data[0][:2], 3, random_state=7))


def test_discrete_kg_with_subnormal_slopes_is_not_nan():
    # the envelope's breakpoint overflows to -inf / +inf: one line is never the maximum
    tiny = 2.2250738585e-313
    assert acq.discrete_knowledge_gradient([0.0, 1.0], [0.0, tiny]) == 0.0
    kg, ga, gb = acq.discrete_knowledge_gradient([1.0, 0.0], [0.0, tiny], return_grad=True)
    assert kg == 0.0 and np.all(np.isfinite(ga)) and np.all(np.isfinite(gb))


def test_read_only_and_non_contiguous_inputs_are_not_modified():
    a = np.array([0.1, 0.5, -0.2, 0.3])
    b = np.repeat(np.array([0.4, -0.3, 1.0, 0.2])[:, None], 2, axis=1)[:, 0]
    a.flags.writeable = False
    ref = acq.discrete_knowledge_gradient(a.copy(), b.copy())
    assert acq.discrete_knowledge_gradient(a, b) == ref
    np.testing.assert_array_equal(a, [0.1, 0.5, -0.2, 0.3])


# ------------------------------------------------------------------ numerics and layout


def test_shared_numerics_replace_the_local_copies():
    import probstat.bayesopt._acquisition as acq_mod
    import probstat.bayesopt._gp as gp_mod
    import probstat.bayesopt._lookahead as look_mod
    from probstat.utils import _numerics

    assert not hasattr(gp_mod, "_cholesky")
    assert gp_mod.cholesky is _numerics.cholesky and look_mod.cholesky is _numerics.cholesky
    assert acq_mod.logsumexp is _numerics.logsumexp
    with pytest.raises(ImportError):
        importlib.import_module("probstat.bayesopt._threads")
    # one BLAS thread for small models, threads for large ones
    assert type(gp_mod._blas_limit(10)).__name__ != "nullcontext"
    assert type(gp_mod._blas_limit(gp_mod.MAX_SINGLE_THREAD_N + 1)).__name__ == "nullcontext"


def test_jittered_cholesky_failure_is_a_named_value_error():
    X = np.array([[0.0], [0.0], [1.0]])
    gp = bo.GaussianProcess(noise=0.0, optimizer=None, jitter=0.0)
    with pytest.raises(ValueError, match="kernel matrix of X is not positive definite"):
        gp.fit(X, [1.0, 2.0, 0.0])
    assert bo.GaussianProcess(noise=0.0, optimizer=None).fit(X, [1.0, 2.0, 0.0]).jitter_ > 0


def test_test_only_reference_left_the_package():
    import probstat.bayesopt._covariance as cov

    assert not hasattr(cov, "sklearn_equivalent")


def test_one_plotting_home():
    with pytest.raises(ImportError):
        importlib.import_module("probstat.bayesopt._plotting")
    assert bo.plot_convergence.__module__ == "probstat.bayesopt._plot"
    assert bo.plot_posterior_1d.__module__ == "probstat.bayesopt._plot"


def test_benchmark_function_is_exempt_from_the_result_convention():
    from tests.contract.cases_bayesopt import EXEMPT

    for name in ("probstat.bayesopt.BenchmarkFunction",
                 "probstat.bayesopt.test_functions.BenchmarkFunction"):
        assert "not a result" in EXEMPT[name]
    with pytest.raises(ValueError, match="bounds must hold 2"):
        bo.BenchmarkFunction("f", 2, ((0.0, 1.0),), 0.0, (), lambda X: X[:, 0])


# ------------------------------------------------------------------ speed


def test_the_inner_optimisation_loop_skips_public_validation(monkeypatch):
    """Validation happens at the public entry points, not per acquisition evaluation."""
    counts = {"public": 0}
    for cls, name in ((bo.AcquisitionFunction, "__call__"),
                      (bo.AcquisitionFunction, "value_and_grad"),
                      (bo.GaussianProcess, "predict"),
                      (bo.GaussianProcess, "predict_with_grad"),
                      (bo.GaussianProcess, "posterior_cov")):
        original = getattr(cls, name)

        def spy(*args, _original=original, **kwargs):
            counts["public"] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(cls, name, spy)
    opt = bo.BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial=4, random_state=0,
                               raw_samples=64, n_restarts=3)
    pts = opt.ask(4)
    opt.tell(pts, [x[0] ** 2 + x[1] ** 2 for x in pts])
    opt.ask(2)
    assert len(opt.models) == 1
    assert counts["public"] == 0
