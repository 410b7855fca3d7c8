"""What scikit-optimize and SciPy users expect: real bounds, skopt's names, skopt's result.

One regression test per user report, plus field-by-field comparisons with
``skopt.gp_minimize`` (installed) on a 1-D problem.
"""

import inspect
import pickle
import warnings

import numpy as np
import pytest
from scipy.optimize import OptimizeResult

from probstat.bayesopt import (
    BayesianOptimizer,
    Categorical,
    GaussianProcess,
    Integer,
    Real,
    Space,
    UpperConfidenceBound,
    minimize,
)


def _f1(x):
    return (x[0] - 0.3) ** 2


# ---------------------------------------------------------------- 1. (low, high) is real
def test_int_pair_is_a_real_interval_regression():
    # reported: minimize(f, [(0, 1)], n_calls=10) tried only 0 and 1 and returned x=[0]
    res = minimize(_f1, [(0, 1)], n_calls=10, random_state=0)
    assert isinstance(res.space.dimensions[0], Real)
    assert len({round(x[0], 9) for x in res.x_iters}) == 10  # ten distinct reals
    assert not set(x[0] for x in res.x_iters) <= {0, 1}
    assert abs(res.x[0] - 0.3) < 0.02 and res.fun < 4e-4
    # same run as with float bounds: the number type of the bounds does not matter
    ref = minimize(_f1, [(0.0, 1.0)], n_calls=10, random_state=0)
    assert res.x_iters == ref.x_iters


def test_int_pair_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = Space([(0, 1), (1, 10, "log-uniform")])
    assert [type(d) for d in s.dimensions] == [Real, Real]
    assert s.dimensions[1].prior == "log-uniform"


def test_explicit_integer_and_categorical_dimensions():
    s = Space([Integer(0, 1), Categorical([0, 1]), Integer(1, 1000, prior="log-uniform")])
    assert s.decode(s.encode([[1, 0, 10]])) == [[1, 0, 10]]
    # log-uniform integers: the encoding is linear in log(x) (10 is 1/3 of log 1000)
    np.testing.assert_allclose(s.dimensions[2].encode([1, 10, 1000])[:, 0],
                               [0.0, 1 / 3, 1.0], atol=1e-12)
    assert all(isinstance(v, int) for v in s.dimensions[2].decode(np.linspace(0, 1, 7)[:, None]))
    with pytest.raises(ValueError, match="low must be > 0 for a log-uniform Integer"):
        Integer(0, 5, prior="log-uniform")
    # skopt spells the prior "log-uniform"; the underscore spelling is accepted too
    assert Real(1e-3, 1.0, prior="log_uniform").prior == "log-uniform"
    res = minimize(lambda x: (x[0] - 3) ** 2, [Integer(0, 6)], n_calls=8, random_state=0)
    assert all(isinstance(x[0], int) for x in res.x_iters) and res.x == [3]


def test_space_matches_skopt_dimensions_for_explicit_classes():
    skopt = pytest.importorskip("skopt")
    ours = Space([Real(0, 1), Integer(2, 9), Categorical(["a", "b"]),
                  Real(1e-3, 1.0, prior="log-uniform")])
    theirs = skopt.space.Space([skopt.space.Real(0, 1), skopt.space.Integer(2, 9),
                                skopt.space.Categorical(["a", "b"]),
                                skopt.space.Real(1e-3, 1.0, prior="log-uniform",
                                                  transform="normalize")])
    assert ours.bounds == theirs.bounds
    assert ours.n_dims == theirs.n_dims == 4
    for d_ours, d_theirs in zip(ours.dimensions, theirs.dimensions):
        assert type(d_ours).__name__ == type(d_theirs).__name__
    pts = theirs.rvs(20, random_state=0)
    for p in pts:
        ours.check_point(p)  # every skopt sample is a valid probstat point
    # the log-uniform encoding agrees with skopt's normalized transform
    col = [p[3] for p in pts]
    np.testing.assert_allclose(ours.dimensions[3].encode(col)[:, 0],
                               theirs.dimensions[3].transform(col), atol=1e-12)


# ---------------------------------------------------------------- 2. skopt's argument names
SKOPT_NAMES = {
    "n_initial_points": "n_initial=", "n_random_starts": "n_initial=",
    "acq_func": "acquisition=", "base_estimator": "model=", "n_points": "raw_samples=",
    "n_restarts_optimizer": "n_restarts=", "kappa": "UpperConfidenceBound(beta=kappa**2)",
    "xi": "LogExpectedImprovement(xi=", "noise": "GaussianProcess(noise=",
    "n_jobs": "executor=", "acq_optimizer": "no equivalent",
    "initial_point_generator": "no equivalent", "model_queue_size": "no equivalent",
}


@pytest.mark.parametrize("name, hint", sorted(SKOPT_NAMES.items()))
def test_skopt_keyword_to_minimize_names_minimize_and_the_probstat_name(name, hint):
    with pytest.raises(TypeError) as err:
        minimize(_f1, [(0.0, 1.0)], n_calls=3, **{name: 1})
    msg = str(err.value)
    assert msg.startswith(f"minimize() got an unexpected keyword argument '{name}'")
    assert "__init__" not in msg and "BayesianOptimizer" not in msg
    assert hint in msg


@pytest.mark.parametrize("name, hint", sorted(SKOPT_NAMES.items()))
def test_skopt_keyword_to_optimizer_names_the_class(name, hint):
    with pytest.raises(TypeError) as err:
        BayesianOptimizer([(0.0, 1.0)], **{name: 1})
    msg = str(err.value)
    assert msg.startswith(f"BayesianOptimizer() got an unexpected keyword argument '{name}'")
    assert hint in msg


@pytest.mark.parametrize("name, hint", [("n_calls", "opt.run(func, n_iter)"),
                                        ("x0", "opt.tell(x0, y0)"),
                                        ("callback", "ask()/tell()")])
def test_minimize_only_keywords_to_optimizer(name, hint):
    with pytest.raises(TypeError, match=r"BayesianOptimizer\(\) got an unexpected") as err:
        BayesianOptimizer([(0.0, 1.0)], **{name: 1})
    assert hint in str(err.value)


def test_misspelled_keyword_suggests_the_name_and_the_rest_still_works():
    with pytest.raises(TypeError, match=r"minimize\(\).*'n_inital'; did you mean 'n_initial'"):
        minimize(_f1, [(0.0, 1.0)], n_inital=3)
    with pytest.raises(TypeError, match=r"^BayesianOptimizer\(\).*'colour'$"):
        BayesianOptimizer([(0.0, 1.0)], colour=3)
    # the real signatures stay visible to help() and IDEs
    assert "n_initial" in inspect.signature(minimize).parameters
    assert list(inspect.signature(BayesianOptimizer).parameters)[:2] == ["space",
                                                                        "acquisition"]
    opt = pickle.loads(pickle.dumps(BayesianOptimizer([(0.0, 1.0)], random_state=0)))
    assert isinstance(opt, BayesianOptimizer)


@pytest.mark.parametrize("value, hint", [("LCB", "UpperConfidenceBound(beta=kappa**2)"),
                                         ("gp_hedge", "no portfolio"),
                                         ("EIps", "no per-second")])
def test_skopt_acquisition_strings(value, hint):
    with pytest.raises(ValueError, match="acquisition must be one of") as err:
        minimize(_f1, [(0.0, 1.0)], acquisition=value)
    assert hint in str(err.value)
    # "EI" and "PI" are the same names in any case
    assert BayesianOptimizer([(0.0, 1.0)], acquisition="EI").acquisition == "EI"


def test_the_probstat_equivalents_run():
    # what the messages advise does run: kappa -> UCB(beta=kappa**2), noise -> model
    res = minimize(_f1, [(0.0, 1.0)], n_calls=7, n_initial=4, raw_samples=64, n_restarts=2,
                   acquisition=UpperConfidenceBound(beta=1.96**2),
                   model=GaussianProcess(noise=1e-6), random_state=0)
    assert res.nfev == 7 and res.models[-1].noise_ == 1e-6


# ---------------------------------------------------------------- 3. the result, field by field
def test_result_fields_match_skopt_gp_minimize_1d():
    skopt = pytest.importorskip("skopt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = skopt.gp_minimize(_f1, [(0.0, 1.0)], n_calls=8, n_initial_points=5,
                                random_state=0)
    res = minimize(_f1, [(0.0, 1.0)], n_calls=8, n_initial=5, random_state=0)
    assert isinstance(res, OptimizeResult) and isinstance(ref, OptimizeResult)
    assert set(ref.keys()) <= set(res.keys())  # every skopt field is there
    # x: a list with one value per dimension, the argmin of func_vals
    assert type(res.x) is type(ref.x) is list and len(res.x) == len(ref.x) == 1
    assert isinstance(res.x[0], float) and isinstance(ref.x[0], float)
    # fun: a float, the minimum of func_vals, equal to func(x)
    for r in (res, ref):
        assert isinstance(r.fun, float) and r.fun == np.min(r.func_vals)
        assert r.fun == pytest.approx(_f1(r.x), abs=1e-15)
        assert r.x == r.x_iters[int(np.argmin(r.func_vals))]
    # x_iters: list of lists, one per evaluation; func_vals: a float ndarray
    assert type(res.x_iters) is type(ref.x_iters) is list
    assert [len(p) for p in res.x_iters] == [len(p) for p in ref.x_iters] == [1] * 8
    assert res.func_vals.shape == ref.func_vals.shape == (8,)
    assert res.func_vals.dtype == ref.func_vals.dtype == np.float64
    np.testing.assert_array_equal(res.func_vals, [_f1(x) for x in res.x_iters])
    # models: one per model-based proposal plus the final one, as skopt
    assert len(res.models) == len(ref.models) == 8 - 5 + 1
    grid = np.linspace(0, 1, 5)[:, None]
    for r in (res, ref):
        mu = r.models[-1].predict(r.space.dimensions[0].encode(grid[:, 0])
                                  if r is res else r.space.transform(grid.tolist()))
        assert mu.shape == (5,)
    # the last model saw every evaluation
    assert res.models[-1].n_features_in_ == 1 and res.models[-1]._X.shape[0] == 8
    # space: same bounds and dimension types
    assert res.space.bounds == ref.space.bounds == [(0.0, 1.0)]
    assert [type(d).__name__ for d in res.space.dimensions] == ["Real"]
    # specs: the call's arguments and the function name
    assert res.specs["function"] == "minimize" and res.specs["args"]["n_calls"] == 8
    assert set(ref.specs) == set(res.specs)
    # random_state: the run's generator (skopt keeps a RandomState)
    assert isinstance(res.random_state, np.random.Generator)
    # probstat's extras
    assert res.nfev == 8 and res.nit == 3 and res.success


def test_result_random_space_is_real_like_scipy():
    # the same int-pair box in scipy.optimize.minimize is real; here too
    from scipy.optimize import minimize as sp_minimize

    sp = sp_minimize(_f1, x0=[0.9], bounds=[(0, 1)], method="L-BFGS-B")
    ours = minimize(_f1, [(0, 1)], n_calls=12, random_state=1)
    assert ours.x[0] == pytest.approx(sp.x[0], abs=0.02)


# ---------------------------------------------------------------- 5. the posterior figure
def _wiggly(x):
    return np.sin(3 * x) + 0.5 * np.cos(7 * x)


@pytest.mark.parametrize("n, leaves", [(6, True), (8, False)])
def test_posterior_plot_labels_and_says_when_truth_leaves_the_band(n, leaves):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from probstat.bayesopt import LogExpectedImprovement, plot_posterior_1d

    X = np.random.default_rng(0).uniform(0, 2, size=(n, 1))
    gp = GaussianProcess(noise=0.0).fit(X, _wiggly(X[:, 0]))
    top, low = plot_posterior_1d(gp, LogExpectedImprovement().bind(gp), bounds=(0, 2),
                                 truth=_wiggly, xlabel="x [m]")
    # reported: the lower axis was labelled with a class name, the top one not at all
    assert top.get_ylabel() == "f(x)" and top.get_title().startswith("GP posterior after")
    assert low.get_ylabel() == "log expected improvement" and low.get_xlabel() == "x [m]"
    assert low.get_title() and low.get_legend() is not None and top.get_legend() is not None
    # the note is there exactly when the truth leaves the band (checked independently)
    grid = np.linspace(0, 2, 400)[:, None]
    mu, sd = gp.predict(grid, return_std=True)
    frac = np.mean(np.abs(_wiggly(grid[:, 0]) - mu) > 1.96 * sd + 1e-6)
    assert bool(frac > 0.05) is leaves
    assert ("truth outside the band" in top.get_title()) is leaves
    plt.close("all")
