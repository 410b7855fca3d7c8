"""Parameters, inputs and errors of probstat.cluster: named, checked first, never internal."""

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from probstat.cluster import ILASDP, KMeansSDP
from probstat.datasets import make_heterogeneous_gmm
from probstat.utils._param_validation import InvalidParameterError

CLUSTER_DIR = Path(__file__).resolve().parents[2] / "probstat" / "cluster"


@pytest.fixture(scope="module")
def X():
    return make_heterogeneous_gmm(20, 2, 2, separation=6.0, random_state=0)[0]


# ------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("est, name", [
    (KMeansSDP(subsample_size=-1), "subsample_size"),
    (ILASDP(weights="bogus"), "weights"),
    (ILASDP(max_iter="5"), "max_iter"),
    (KMeansSDP(store_Z="yes"), "store_Z"),
    (ILASDP(shrinkage="lw"), "shrinkage"),
])
def test_bad_hyperparameters_are_invalid_parameter_errors(est, name, X):
    # subsample_size=-1 and weights="bogus" used to be accepted.
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of"):
        est.fit(X)


@pytest.mark.parametrize("options, match", [
    ({"max_iter": "5"}, r"solver_options\['max_iter'\] must be an integer"),
    ({"eps": -1.0}, r"solver_options\['eps'\] must be > 0"),
    ({"rank": 0}, r"solver_options\['rank'\] must be >= 1"),
    ({"cvxpy_solver": "MOSEK"}, r"solver_options\['cvxpy_solver'\] must be one of"),
])
def test_solver_option_values_are_checked_before_solving(options, match, X):
    # {"max_iter": "5"} used to reach the low-rank solver's loop as a bare comparison error.
    for est in (KMeansSDP(solver="bm", solver_options=options),
                ILASDP(solver="bm", solver_options=options)):
        with pytest.raises((TypeError, ValueError), match=match):
            est.fit(X)


def test_init_labels_are_checked_against_n_clusters(X):
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match=r"init must lie in \[0, 2\)"):
        ILASDP(2, init=y + 1, solver="cvxpy").fit(X)
    with pytest.raises(ValueError, match="init must be finite integers"):
        ILASDP(2, init=np.where(y == 0, np.nan, 1.0), solver="cvxpy").fit(X)
    with pytest.raises(ValueError, match="every label"):
        ILASDP(2, init=np.zeros(20, dtype=int), solver="cvxpy").fit(X)


# ----------------------------------------------------------------------------- inputs


@pytest.mark.parametrize("bad, error, match", [
    (lambda X: X.astype(str), TypeError, "X must hold numbers, not strings"),
    (lambda X: X.astype(complex), ValueError, "X must hold real numbers.*Complex data not"),
    (lambda X: X[None], ValueError, "X must be 2-D"),
    (lambda X: X[:0], ValueError, "X must not be empty"),
    (lambda X: X[:1], ValueError, "X is not valid: Found array with 1 sample"),
    (lambda X: None, (TypeError, ValueError), r"X must be an array of numbers \(got None\)"),
])
def test_bad_X_is_refused_by_name(bad, error, match, X):
    # Numeric strings used to be parsed, and several messages did not name X.
    for est in (KMeansSDP(solver="cvxpy"), ILASDP(solver="cvxpy")):
        with pytest.raises(error, match=match):
            est.fit(bad(X))


@pytest.mark.parametrize("make", [KMeansSDP, ILASDP])
def test_read_only_non_contiguous_and_narrow_inputs_give_the_same_fit(make, X):
    ref = make(2, solver="cvxpy", random_state=0).fit(X)
    ro = X.copy()
    ro.flags.writeable = False
    wide = np.repeat(X[..., None], 2, axis=-1)[..., 0]
    assert not wide.flags.c_contiguous
    for variant in (ro, wide, X.astype(np.longdouble)):
        est = make(2, solver="cvxpy", random_state=0).fit(variant)
        np.testing.assert_array_equal(est.labels_, ref.labels_)
    np.testing.assert_array_equal(make(2, solver="cvxpy", random_state=0).fit(
        X.astype(np.float32)).labels_, ref.labels_)


@pytest.mark.parametrize("make", [
    lambda: KMeansSDP(2, solver="cvxpy"),
    lambda: ILASDP(2, solver="cvxpy"),
    lambda: KMeansSDP(2, solver="bm", random_state=0),
], ids=["kmeans-cvxpy", "ilasdp-cvxpy", "kmeans-bm"])
def test_huge_X_is_refused_before_the_solver(make, X):
    # cvxpy's "Problem data contains NaN or Inf" used to reach the user.
    with pytest.raises(ValueError, match="X is too large in magnitude"):
        make().fit(X * 1e160)


@pytest.mark.parametrize("solver", ["cvxpy", "bm"])
def test_singular_covariance_names_reg_covar(solver, X):
    # Collinear features with reg_covar=0 used to raise a bare numpy LinAlgError.
    Xc = np.column_stack([X[:, 0], 2.0 * X[:, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="not positive definite.*reg_covar > 0"):
            ILASDP(2, solver=solver, reg_covar=0.0, random_state=0).fit(Xc)


def test_inputs_are_not_modified(X):
    X0 = X.copy()
    y = (np.arange(20) % 2).astype(np.int64)
    y0 = y.copy()
    ILASDP(2, solver="cvxpy", init=y, random_state=0).fit(X)
    KMeansSDP(2, solver="bm", random_state=0).fit(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


# ------------------------------------------------------------------- the house rules


def test_verbose_logs_instead_of_printing(X, capsys, caplog):
    with caplog.at_level("INFO", logger="probstat.cluster"):
        KMeansSDP(2, solver="bm", verbose=2, random_state=0).fit(X)
        ILASDP(2, solver="bm", max_iter=2, verbose=2, random_state=0).fit(X)
    assert capsys.readouterr().out == ""
    assert "solver='bm' was requested" in caplog.text
    assert "low-rank solver, outer 1" in caplog.text


def test_no_print_no_dead_helpers_and_one_plotting_home():
    from probstat.cluster import _common, _solvers

    for name in ("split_input", "fit_on_host", "to_input_namespace", "like_input",
                 "gaussian_log_density", "precision_cholesky"):
        assert not hasattr(_common, name), name
    assert not hasattr(_common.Memberships, "n_blocks")
    assert not hasattr(_solvers, "is_numpy")
    for path in CLUSTER_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Name) and n.func.id == "print"]
        assert not calls, f"print in {path.name}"
        imports = [a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                   for a in n.names] + [n.module or "" for n in ast.walk(tree)
                                        if isinstance(n, ast.ImportFrom)]
        if path.name != "_plot.py":
            assert not any(m.startswith("matplotlib") for m in imports), path.name


def test_import_loads_neither_cvxpy_nor_matplotlib():
    code = ("import sys, probstat.cluster; "
            "print(sorted(m for m in ('cvxpy', 'matplotlib', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_shared_numerics_define_the_gaussian_rule():
    from scipy.stats import multivariate_normal

    from probstat.utils._numerics import precision_cholesky

    X, _ = make_heterogeneous_gmm(40, 3, 2, separation=5.0, anisotropy=3.0, random_state=1)
    model = ILASDP(2, solver="cvxpy", weights=True, random_state=0).fit(X)
    np.testing.assert_allclose(model.precisions_cholesky_,
                               precision_cholesky(model.covariances_), rtol=1e-12)
    logp = np.column_stack([multivariate_normal(m, S).logpdf(X) + np.log(w) for m, S, w in
                            zip(model.means_, model.covariances_, model.weights_)])
    np.testing.assert_array_equal(model.predict(X), logp.argmax(axis=1))
    assert model.score(X) == pytest.approx(logp.max(axis=1).mean(), rel=1e-10)
