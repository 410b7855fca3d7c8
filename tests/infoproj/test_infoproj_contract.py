"""Regression tests: probstat.infoproj under the package's contract (arrays, parameters,
inputs, results, numerics, layout), one focused test per problem that was seen."""

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import probstat
from probstat.backend import HostFallbackWarning
from probstat.infoproj import (
    ExpansionWarning,
    ExponentialFamily,
    LikelihoodModel,
    PNCriterion,
    cumulant_invariants,
    exact_risk_mvn,
    gaussian_dimension_scan,
    loglik_moments,
    monte_carlo_risk,
    multinomial_merge_scan,
    risk_coefficients,
    risk_expansion_expfam,
    risk_expansion_general,
    sample_cumulants,
)

xps = pytest.importorskip("array_api_strict")
DEVICE = xps.Device("device1")
INFOPROJ = Path(probstat.__file__).parent / "infoproj"


def _strict(x):
    return xps.asarray(np.asarray(x), device=DEVICE)


# ------------------------------------------------------------------------------ arrays
def test_family_fit_does_not_warn_with_dispatch_off():
    X = np.random.default_rng(0).gamma(2.0, size=(50, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error", HostFallbackWarning)
        theta = ExponentialFamily.named("exponential").fit(_strict(X))
    assert isinstance(theta, np.ndarray)
    assert theta[0] == pytest.approx(-1 / X.mean(), rel=1e-12)


def test_family_fit_round_trips_with_dispatch_on():
    X = np.random.default_rng(0).gamma(2.0, size=(50, 1))
    with probstat.config_context(array_api_dispatch=True):
        with pytest.warns(HostFallbackWarning, match="ExponentialFamily.fit"):
            theta = ExponentialFamily.named("exponential").fit(_strict(X))
    assert isinstance(theta, xps._array_object.Array) and theta.device == DEVICE


def test_pn_criterion_returns_the_input_namespace():
    X = np.random.default_rng(1).normal(size=(200, 2))
    ref = PNCriterion().fit(X)
    with probstat.config_context(array_api_dispatch=True):
        with pytest.warns(HostFallbackWarning):
            crit = PNCriterion().fit(_strict(X))
        with pytest.warns(HostFallbackWarning):
            logp = crit.score_samples(_strict(X))
    for arr in (crit.theta_, logp):
        assert isinstance(arr, xps._array_object.Array) and arr.device == DEVICE
    np.testing.assert_allclose(np.asarray(xps.asarray(crit.theta_, device=xps.Device(
        "CPU_DEVICE"))), ref.theta_, rtol=1e-12)
    assert crit.c1_ == pytest.approx(ref.c1_, rel=1e-12)
    assert PNCriterion().__sklearn_tags__().array_api_support


# -------------------------------------------------------------------------- parameters
def test_pn_criterion_options_are_keyword_only():
    with pytest.raises(TypeError):
        PNCriterion("mvn", 0.01)
    assert PNCriterion("mvn", tol=0.01).tol == 0.01


def test_pn_criterion_validates_its_parameters_in_fit():
    X = np.random.default_rng(0).normal(size=(50, 1))
    crit = PNCriterion(order=3, bootstrap="many")          # __init__ only stores
    assert crit.order == 3
    with pytest.raises(ValueError, match="'(order|bootstrap)' parameter of PNCriterion"):
        crit.fit(X)


def test_sample_keyword_only_random_state():
    fam = ExponentialFamily.named("poisson")
    with pytest.raises(TypeError):
        fam.sample([0.0], 5, 0)
    a = fam.sample([0.0], 5, random_state=0)
    assert np.array_equal(a, fam.sample([0.0], 5, random_state=0))


# ------------------------------------------------------------------------------ results
def test_results_compare_by_identity():
    X = np.random.default_rng(2).normal(size=(40, 3))
    scan = gaussian_dimension_scan(X, tol=0.05)
    other = gaussian_dimension_scan(X, tol=0.05)
    assert scan == scan and scan != other          # no "truth value of an array" error
    assert "DimensionScan" in scan.summary()
    assert isinstance(scan.summary(), probstat.base.Summary)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExpansionWarning)
        assert isinstance(PNCriterion().fit(X).summary(), probstat.base.Summary)


# ------------------------------------------------------------------------------- inputs
@pytest.mark.parametrize("bad", [np.nan, np.inf, None])
def test_sample_cumulants_refuses_non_finite_T(bad):
    T = np.random.default_rng(0).normal(size=(10, 2)).tolist()
    T[3][1] = bad
    with pytest.raises((ValueError, TypeError), match="T must"):
        sample_cumulants(T)


@pytest.mark.parametrize("weights, rule", [(np.zeros(6), "must not be all zero"),
                                           (np.r_[-1.0, np.ones(5)], "must be non-negative")])
def test_weights_are_checked_everywhere(weights, rule):
    T = np.random.default_rng(0).normal(size=(6, 1))
    with pytest.raises(ValueError, match=f"weights {rule}"):
        sample_cumulants(T, weights=weights)
    l2, l3, l4 = np.zeros((6, 1, 1)) - 1, np.zeros((6, 1, 1, 1)), np.zeros((6, 1, 1, 1, 1))
    with pytest.raises(ValueError, match=f"weights {rule}"):
        loglik_moments(T, l2, l3, l4, weights)


def test_multinomial_merge_scan_refuses_nan_two_d_and_strings():
    y = np.array([0, 1, 1, 2, 2, 2, 0, 1])
    with pytest.raises(ValueError, match="labels must be finite"):
        multinomial_merge_scan(np.r_[y, np.nan])
    with pytest.raises(ValueError, match="labels must be 1-D"):
        multinomial_merge_scan(y.reshape(2, 4))
    with pytest.raises(TypeError, match="labels must hold numbers, not strings"):
        multinomial_merge_scan(y.astype(str))
    with pytest.raises(ValueError, match="labels must be integers"):
        multinomial_merge_scan(y + 0.5)


def test_ragged_and_mismatched_inputs_are_named():
    with pytest.raises(ValueError, match="G must be a rectangular array"):
        risk_expansion_expfam([[1.0, 0.0], [0.0]], np.zeros((2,) * 3), np.zeros((2,) * 4),
                              np.eye(2), np.zeros((2,) * 3))
    l1 = np.ones((5, 2))
    with pytest.raises(ValueError, match="l2 must have shape"):
        loglik_moments(l1, np.ones((4, 2, 2)), np.ones((5, 2, 2, 2)), np.ones((5,) + (2,) * 4))
    with pytest.raises(ValueError, match="weights must have one weight per sample"):
        sample_cumulants(np.ones((5, 2)), weights=np.ones(4))


def test_non_positive_definite_matrices_are_named_value_errors():
    bad = np.array([[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="cov"):
        ExponentialFamily.named("mvn", d=2).to_natural([0.0, 0.0], bad)
    with pytest.raises(ValueError, match="G .*positive definite"):
        cumulant_invariants(bad, np.zeros((2,) * 3), np.zeros((2,) * 4))
    with pytest.raises(ValueError, match="J .*positive definite"):
        risk_expansion_general(bad, np.eye(2), *([None] * 7), np.eye(2), None, None, order=1)
    with pytest.raises(ValueError, match="theta must lie in the natural parameter space"):
        ExponentialFamily.named("mvn", d=1).mean([0.0, 0.5])   # precision -1


def test_read_only_and_non_contiguous_inputs_are_not_modified():
    X = np.random.default_rng(3).normal(size=(30, 4))[:, ::2]
    X.flags.writeable = False
    before = X.copy()
    crit = PNCriterion().fit(X)
    assert risk_coefficients("mvn", X) == pytest.approx((crit.c1_, crit.c2_), rel=1e-12)
    np.testing.assert_array_equal(X, before)


def test_theta_and_truth_together_are_refused():
    from scipy import stats

    with pytest.raises(ValueError, match="either theta .* or truth"):
        monte_carlo_risk("exponential", 10, 20, theta=[-1.0], truth=stats.expon())


def test_exact_risk_refuses_an_empty_grid():
    with pytest.raises(ValueError, match="n must not be empty"):
        exact_risk_mvn(2, np.array([]))


# --------------------------------------------------------------------- warnings and NaN
def test_expansion_warning_points_at_the_callers_line():
    X = np.random.default_rng(4).standard_t(3, size=(400, 2))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        PNCriterion().fit(X)
    ours = [w for w in seen if issubclass(w.category, ExpansionWarning)]
    assert ours and all(w.filename == __file__ for w in ours)


def test_likelihood_without_loglike_warns_instead_of_silent_nan():
    X = np.random.default_rng(5).exponential(size=(300, 1))

    def derivs(th, X):
        n, r = X.shape[0], th[0]
        return (1 / r - X, np.full((n, 1, 1), -1 / r**2), np.full((n, 1, 1, 1), 2 / r**3),
                np.full((n, 1, 1, 1, 1), -6 / r**4))

    model = LikelihoodModel(derivs=derivs, fit=lambda X: 1 / X.mean(axis=0))
    with pytest.raises(ValueError, match="no loglike_obs"):
        model.logpdf([1.0], X)
    with pytest.warns(UserWarning, match="aic_"):
        crit = PNCriterion(model, tol=0.01).fit(X)
    assert np.isnan(crit.aic_) and np.isfinite(crit.c1_)


# ----------------------------------------------------------------------------- numerics
def _calls(path):
    """Dotted names of every call in a module, e.g. 'np.linalg.cholesky'."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            parts, f = [], node.func
            while isinstance(f, ast.Attribute):
                parts.append(f.attr)
                f = f.value
            if isinstance(f, ast.Name):
                out.add(".".join([f.id, *reversed(parts)]))
    return out


def test_no_local_copies_of_shared_numerics():
    banned = {"np.linalg.cholesky", "scipy.special.logsumexp", "threadpool_limits",
              "multivariate_normal"}
    for path in INFOPROJ.glob("*.py"):
        assert not (_calls(path) & banned), f"{path.name}: {_calls(path) & banned}"


def test_gaussian_sandwich_runs_with_one_blas_thread(monkeypatch):
    from probstat.infoproj import _sandwich

    used = []
    original = _sandwich.limit_blas_threads
    monkeypatch.setattr(_sandwich, "limit_blas_threads",
                        lambda n: used.append(n) or original(n))
    PNCriterion().fit(np.random.default_rng(6).normal(size=(50, 2)))
    assert used == [1]


# ------------------------------------------------------------------------------- layout
def test_modules_are_short_and_import_is_lazy():
    long = [p.name for p in INFOPROJ.glob("*.py") if len(p.read_text().splitlines()) > 800]
    assert not long
    code = ("import sys, probstat.infoproj; "
            "print([m for m in ('numba', 'cvxpy', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_one_finite_difference_routine_matches_closed_form_derivatives():
    # psi(theta) = log sum_j exp(a_j . theta): the gradient is softmax-weighted a, the
    # Hessian the weighted covariance of a; also per-observation (vector-valued) f.
    from probstat.infoproj._expfam import richardson_derivative

    rng = np.random.default_rng(4)
    A = rng.normal(size=(5, 3))
    theta = rng.normal(size=3) * 0.3

    def psi(t):
        return float(np.log(np.exp(A @ t).sum()))

    w = np.exp(A @ theta)
    w /= w.sum()
    mean = w @ A
    cov = (A * w[:, None]).T @ A - np.outer(mean, mean)
    h = np.full(3, 1e-3)
    np.testing.assert_allclose(richardson_derivative(psi, theta, h, 1), mean, atol=1e-9)
    np.testing.assert_allclose(richardson_derivative(psi, theta, 10 * h, 2), cov, atol=1e-7)
    X = rng.normal(size=(4, 3))
    d2 = richardson_derivative(lambda t: np.sin(X @ t), theta, 10 * h, 2)
    want = -np.sin(X @ theta)[:, None, None] * X[:, :, None] * X[:, None, :]
    np.testing.assert_allclose(d2, want, atol=1e-7)
