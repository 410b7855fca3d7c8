"""Contract cases for probstat.bayesopt (acquisition closed forms, GP, acquisitions, loop)."""

from __future__ import annotations

import functools

import numpy as np

from probstat import bayesopt as bo
from probstat.bayesopt import acquisition as acq
from probstat.bayesopt import test_functions as tf

from ._cases import Case

_RNG = np.random.default_rng(0)
X_TRAIN = _RNG.uniform(size=(8, 2))
Y_TRAIN = np.sin(3 * X_TRAIN[:, 0]) + X_TRAIN[:, 1] ** 2
C_TRAIN = X_TRAIN[:, 0] - 0.5  # a constraint, feasible where <= 0
X_QUERY = np.array([[0.2, 0.3], [0.7, 0.1], [0.5, 0.9]])
X_BATCH = np.array([[[0.2, 0.3], [0.6, 0.6]], [[0.7, 0.1], [0.4, 0.8]]])  # (m, q, d)
MEAN = np.array([0.1, -0.4, 1.2])
STD = np.array([0.5, 1.0, 0.3])
# mean, std and best broadcast together: a 0-d or a leading length-1 axis is legitimate
BROADCAST = {"mean": {"zero_d", "extra_dim"}, "std": {"zero_d", "extra_dim"}}
BAD_BEST = [float("nan"), float("inf"), "0.2", None]
BAD_COUNT = [0, 2.5, "8"]


@functools.cache
def _gp():
    return bo.GaussianProcess(noise=1e-4, random_state=0).fit(X_TRAIN, Y_TRAIN)


def _gp_like(x):
    """The surrogate fitted in the namespace and device of ``x``: with dispatch on, a
    model refuses to predict on arrays of another namespace than its fit's."""
    from probstat.backend import device, get_namespace, is_numpy_namespace, move_to

    xp = get_namespace(x)
    if is_numpy_namespace(xp):
        return _gp()
    dev = device(x)
    return bo.GaussianProcess(noise=1e-4, random_state=0).fit(
        move_to(X_TRAIN, xp=xp, device=dev), move_to(Y_TRAIN, xp=xp, device=dev))


@functools.cache
def _cgp():
    return bo.GaussianProcess(noise=1e-4, random_state=0).fit(X_TRAIN, C_TRAIN)


@functools.cache
def _gp1d():
    X = np.array([[0.1], [0.4], [0.8]])
    return bo.GaussianProcess(noise=1e-4, optimizer=None).fit(X, np.sin(4 * X[:, 0]))


class _PosteriorMean(bo.AcquisitionFunction):
    def _value(self, X):
        return self.model_.predict(X)


def _closed(name, f, **kw):
    return Case(f"probstat.bayesopt.{name}", lambda mean, std, best: f(mean, std, best),
                arrays={"mean": MEAN, "std": STD}, params={"best": 0.2}, host=True,
                paired=(("mean", "std"),), accepts=BROADCAST, bad_params={"best": BAD_BEST},
                **kw)


def _acq(cls, params=None, bad=None, id="", X=X_QUERY, **bind):
    name = f"probstat.bayesopt.{cls.__name__}"
    return Case(name, lambda X, **p: cls(**p).bind(_gp(), random_state=0, **bind)(X),
                arrays={"X": X}, params=dict(params or {}), host=True,
                bad_params=dict(bad or {}), id=id)


def _quad(x):
    return (x[0] - 0.3) ** 2


def _run_optimizer(**params):
    opt = bo.BayesianOptimizer([(-1.0, 1.0)], **params)
    return opt.run(_quad, 4).func_vals


def _sphere(X):
    return np.sum(X**2, axis=1)


def _fixed_fn(fn, X):
    return Case(f"probstat.bayesopt.test_functions.{fn.name}", lambda x: fn(x),
                arrays={"x": X}, host=True)


NO_ARRAYS = "takes Python points and values; the optimizer keeps a host record"

CASES = [
    # closed forms
    _closed("expected_improvement", acq.expected_improvement),
    _closed("log_expected_improvement", acq.log_expected_improvement),
    _closed("probability_of_improvement", acq.probability_of_improvement),
    _closed("log_probability_of_improvement", acq.log_probability_of_improvement),
    Case("probstat.bayesopt.acquisition.upper_confidence_bound",
         lambda mean, std, beta: acq.upper_confidence_bound(mean, std, beta=beta),
         arrays={"mean": MEAN, "std": STD}, params={"beta": 2.0}, paired=(("mean", "std"),),
         accepts=BROADCAST, bad_params={"beta": [-1.0, float("nan"), "2", None]}),
    Case("probstat.bayesopt.acquisition.log_h", lambda z: acq.log_h(z),
         arrays={"z": np.array([-50.0, -2.0, 0.5])}, host=True,
         # elementwise: any shape, a 0-d value included, is a valid input
         accepts={"z": {"zero_d", "extra_dim"}}),
    Case("probstat.bayesopt.discrete_knowledge_gradient",
         lambda a, b, return_grad: acq.discrete_knowledge_gradient(a, b,
                                                                   return_grad=return_grad),
         arrays={"a": np.array([0.1, 0.5, -0.2, 0.3]), "b": np.array([0.4, -0.3, 1.0, 0.2])},
         params={"return_grad": True}, paired=(("a", "b"),), host=True,
         bad_params={"return_grad": [1, "yes", None]}),
    Case("probstat.bayesopt.noisy_expected_improvement",
         lambda mean_obs, mean, cov_obs, var, noise_var: acq.noisy_expected_improvement(
             mean_obs, mean, cov_obs, var, noise_var),
         arrays={"mean_obs": np.array([0.2, 0.5, -0.1]), "mean": np.array([0.4, 0.1]),
                 "cov_obs": np.array([[0.1, 0.05, 0.0], [0.02, 0.2, 0.1]]),
                 "var": np.array([0.3, 0.5])},
         params={"noise_var": 0.1}, paired=(("mean", "cov_obs"), ("mean", "var")),
         host=True, bad_params={"noise_var": [-0.1, float("nan"), "0.1", None]}),
    Case("probstat.bayesopt.max_value_entropy_search",
         lambda mean, std, max_samples: acq.max_value_entropy_search(mean, std, max_samples),
         arrays={"mean": MEAN, "std": STD, "max_samples": np.array([1.5, 2.0])},
         paired=(("mean", "std"),), host=True),
    Case("probstat.bayesopt.acquisition.normal_base_samples",
         lambda n_samples, dim, qmc, random_state: acq.normal_base_samples(
             n_samples, dim, qmc=qmc, random_state=random_state),
         params={"n_samples": 8, "dim": 2, "qmc": True, "random_state": 0},
         bad_params={"n_samples": BAD_COUNT, "dim": [0, "2"], "qmc": [1, "yes"]}),
    Case("probstat.bayesopt.q_expected_improvement",
         lambda mean, cov, best, n_samples, random_state: acq.q_expected_improvement(
             mean, cov, best, n_samples=n_samples, random_state=random_state),
         arrays={"mean": np.array([0.2, -0.1]), "cov": np.array([[1.0, 0.3], [0.3, 0.8]])},
         params={"best": 0.0, "n_samples": 64, "random_state": 0}, paired=(("mean", "cov"),),
         bad_params={"best": BAD_BEST, "n_samples": BAD_COUNT}),
    # the surrogate
    Case("probstat.bayesopt.GaussianProcess",
         lambda X, y: bo.GaussianProcess(noise=0.01, optimizer=None).fit(X, y),
         arrays={"X": X_TRAIN, "y": Y_TRAIN}, paired=(("X", "y"),), host=True, id="fixed"),
    Case("probstat.bayesopt.GaussianProcess",
         lambda X, y, max_iter, random_state: bo.GaussianProcess(
             max_iter=max_iter, random_state=random_state).fit(X, y).predict(
             X[:3, :], return_std=True),
         arrays={"X": X_TRAIN, "y": Y_TRAIN}, params={"max_iter": 50, "random_state": 0},
         paired=(("X", "y"),), host=True, id="fitted", rtol=1e-6, atol=1e-8, tol32=1e-3),
    Case("probstat.bayesopt.GaussianProcess",
         lambda X, return_std: _gp_like(X).predict(X, return_std=return_std),
         arrays={"X": X_QUERY}, params={"return_std": True}, host=True, id="predict",
         bad_params={"return_std": [1, "yes"]}),
    Case("probstat.bayesopt.GaussianProcess", lambda X: _gp_like(X).predict_with_grad(X),
         arrays={"X": X_QUERY}, host=True, id="predict_with_grad"),
    Case("probstat.bayesopt.GaussianProcess", lambda X1, X2: _gp_like(X1).posterior_cov(X1, X2),
         arrays={"X1": X_QUERY, "X2": X_TRAIN[:2]}, host=True, id="posterior_cov",
         accepts={"X2": {"none"}}),  # X2=None means X2 = X1
    Case("probstat.bayesopt.GaussianProcess",
         lambda X, n_samples, random_state: _gp_like(X).sample_y(X, n_samples,
                                                           random_state=random_state),
         arrays={"X": X_QUERY}, params={"n_samples": 3, "random_state": 0}, host=True,
         id="sample_y", bad_params={"n_samples": BAD_COUNT}),
    Case("probstat.bayesopt.GaussianProcess",
         lambda X_new, y_new: _gp_like(X_new).condition_on(X_new, y_new),
         arrays={"X_new": X_QUERY[:2], "y_new": np.array([0.3, -0.2])},
         paired=(("X_new", "y_new"),), host=True, id="condition_on"),
    Case("probstat.bayesopt.GaussianProcess",
         lambda theta, eval_gradient: _gp().log_marginal_likelihood(
             theta, eval_gradient=eval_gradient),
         arrays={"theta": np.array([-0.3, 0.2, 0.1])}, params={"eval_gradient": True},
         host=True, id="log_marginal_likelihood", bad_params={"eval_gradient": [1, "no"]},
         accepts={"theta": {"none"}}),  # theta=None means the fitted theta_
    # acquisition objects
    Case("probstat.bayesopt.AcquisitionFunction",
         lambda X: _PosteriorMean().bind(_gp())(X), arrays={"X": X_QUERY}, host=True),
    Case("probstat.bayesopt.ExpectedImprovement",
         lambda X, xi, best: bo.ExpectedImprovement(xi=xi).bind(_gp(), best=best)(X),
         arrays={"X": X_QUERY}, params={"xi": 0.01, "best": 1.0}, host=True,
         bad_params={"xi": [-0.1, float("nan"), "0", None], "best": BAD_BEST[:3]}),
    Case("probstat.bayesopt.ExpectedImprovement",
         lambda X: bo.ExpectedImprovement().bind(_gp()).value_and_grad(X),
         arrays={"X": X_QUERY}, host=True, id="value_and_grad"),
    _acq(bo.LogExpectedImprovement, {"xi": 0.0}, {"xi": [-1.0, "0"]}),
    _acq(bo.ProbabilityOfImprovement, {"xi": 0.0}, {"xi": [-1.0, "0"]}),
    _acq(bo.LogProbabilityOfImprovement, {"xi": 0.0}, {"xi": [-1.0, "0"]}),
    _acq(bo.UpperConfidenceBound, {"beta": 2.0}, {"beta": [-1.0, float("inf"), "2"]}),
    Case("probstat.bayesopt.ConstrainedExpectedImprovement",
         lambda X: bo.ConstrainedExpectedImprovement([_cgp()]).bind(_gp())(X),
         arrays={"X": X_QUERY}, host=True),
    _acq(bo.NoisyExpectedImprovement),
    _acq(bo.KnowledgeGradient, {"method": "discrete", "n_candidates": 16},
         {"method": ["sga", 1], "n_candidates": BAD_COUNT}),
    Case("probstat.bayesopt.KnowledgeGradient",
         lambda X, candidates: bo.KnowledgeGradient(candidates=candidates).bind(_gp())(X),
         arrays={"X": X_QUERY, "candidates": X_TRAIN[:4] + 0.05}, host=True,
         id="candidates", accepts={"candidates": {"none"}}),  # None: Sobol candidates
    _acq(bo.MaxValueEntropySearch, {"n_max_samples": 4, "n_candidates": 32},
         {"n_max_samples": BAD_COUNT, "n_candidates": [0, "32"]}),
    _acq(bo.EntropySearch, {"n_candidates": 8, "n_paths": 32, "n_fantasies": 2},
         {"n_paths": BAD_COUNT, "n_fantasies": [0, "2"]}),
    _acq(bo.qExpectedImprovement, {"n_samples": 32}, {"n_samples": BAD_COUNT}, X=X_BATCH),
    _acq(bo.qLogExpectedImprovement, {"n_samples": 32}, {"n_samples": BAD_COUNT},
         X=X_BATCH),
    Case("probstat.bayesopt.maximize_acquisition",
         lambda dim, rng, raw_samples, n_restarts, maxiter, q: bo.maximize_acquisition(
             bo.ExpectedImprovement().bind(_gp()), dim, rng=rng, raw_samples=raw_samples,
             n_restarts=n_restarts, maxiter=maxiter, q=q),
         params={"dim": 2, "rng": 0, "raw_samples": 16, "n_restarts": 2, "maxiter": 5, "q": 1},
         bad_params={"dim": [0, 3, "2"], "rng": ["seed", -1], "raw_samples": BAD_COUNT,
                     "n_restarts": [-1, 1.5], "maxiter": [0, "5"], "q": [0, 2, "1"]}),
    # the loop
    Case("probstat.bayesopt.BayesianOptimizer", _run_optimizer,
         params={"n_initial": 2, "raw_samples": 16, "n_restarts": 1, "random_state": 0,
                 "verbose": False, "acquisition": "ei", "batch_strategy": "kriging_believer",
                 "maximize": False, "n_constraints": 0, "refit_every": 1},
         bad_params={"n_initial": BAD_COUNT, "raw_samples": BAD_COUNT,
                     "n_restarts": [-1, "1"], "acquisition": ["magic", 3],
                     "batch_strategy": ["greedy", 1], "maximize": ["yes", 1],
                     "n_constraints": [-1, "0"], "refit_every": [0, 2.5],
                     "model": ["gp", 1]}),
    Case("probstat.bayesopt.BayesianOptimizer",
         lambda y: bo.BayesianOptimizer([(-1.0, 1.0)], random_state=0).tell(
             [[0.1], [0.5]], y).func_vals,
         arrays={"y": np.array([0.3, 0.1])}, id="tell", array_api=NO_ARRAYS),
    Case("probstat.bayesopt.minimize",
         lambda **p: bo.minimize(_quad, [(-1.0, 1.0)], **p).func_vals,
         params={"n_calls": 4, "n_initial": 2, "batch_size": 1, "random_state": 0,
                 "verbose": False, "acquisition": "ei", "raw_samples": 16, "n_restarts": 1,
                 "maximize": False, "refit_every": 1, "batch_strategy": "kriging_believer"},
         bad_params={"n_calls": [0, "4", 2.5], "batch_size": [0, "1", 1.5],
                     "n_initial": [0, "2"], "acquisition": ["magic", 3, "LCB", "gp_hedge"],
                     "raw_samples": BAD_COUNT, "n_restarts": [-1, "1"],
                     "maximize": ["yes", 1], "refit_every": [0, 2.5],
                     "batch_strategy": ["greedy", 1],
                     "callback": ["yes", 3], "x0": ["abc", [[5.0]], [["a"]]],
                     "y0": ["a", [1.0, 2.0]]}),
    # search spaces
    Case("probstat.bayesopt.Real",
         lambda low, high, prior: bo.Real(low, high, prior=prior).encode([low, high]),
         params={"low": 0.1, "high": 2.0, "prior": "log-uniform"},
         bad_params={"low": [float("nan"), "0", None, -1.0], "high": [float("inf"), 0.05],
                     "prior": ["normal", 1]}),
    Case("probstat.bayesopt.Integer",
         lambda low, high, prior: bo.Integer(low, high, prior=prior).encode([low, high]),
         params={"low": 1, "high": 5, "prior": "log-uniform"},
         bad_params={"low": [1.5, "0", None, 0], "high": [-3, 2.5],
                     "prior": ["normal", 1]}),
    Case("probstat.bayesopt.Categorical",
         lambda categories: bo.Categorical(categories).encode(categories),
         params={"categories": ["a", "b", "c"]},
         bad_params={"categories": ["abc", ["a"], None, 5]}),
    Case("probstat.bayesopt.Space",
         lambda dimensions: bo.Space(dimensions).encode([[0.0, 1, "a"]]),
         params={"dimensions": [(-1.0, 1.0), bo.Integer(0, 3), ["a", "b"]]},
         bad_params={"dimensions": [[], None, "ab", [object()], [(1.0, float("nan"))]]}),
    # test functions
    _fixed_fn(tf.branin, np.array([[0.0, 5.0], [3.0, 2.0], [-2.0, 12.0]])),
    _fixed_fn(tf.six_hump_camel, np.array([[0.5, -0.5], [-1.0, 1.0]])),
    _fixed_fn(tf.goldstein_price, np.array([[0.5, -0.5], [-1.0, 1.0]])),
    _fixed_fn(tf.hartmann3, X_QUERY[:, [0, 1, 0]]),
    _fixed_fn(tf.hartmann6, np.hstack([X_QUERY, X_QUERY[:, ::-1], X_QUERY])),
    Case("probstat.bayesopt.test_functions.ackley", lambda x, dim: tf.ackley(dim)(x),
         arrays={"x": X_QUERY}, params={"dim": 2}, host=True,
         bad_params={"dim": [0, "2", 2.5]}),
    Case("probstat.bayesopt.test_functions.levy", lambda x, dim: tf.levy(dim)(x),
         arrays={"x": X_QUERY}, params={"dim": 2}, host=True,
         bad_params={"dim": [0, "2", 2.5]}),
    Case("probstat.bayesopt.test_functions.rosenbrock", lambda x, dim: tf.rosenbrock(dim)(x),
         arrays={"x": X_QUERY}, params={"dim": 2}, host=True,
         bad_params={"dim": [1, "2", 2.5]}),
    Case("probstat.bayesopt.get_test_function",
         lambda name, dim: bo.get_test_function(name, dim).bounds,
         params={"name": "levy", "dim": 3},
         bad_params={"name": ["sphere", 1], "dim": [0, "3", 2.5]}),
    Case("probstat.bayesopt.BenchmarkFunction",
         lambda x: bo.BenchmarkFunction("sphere", 2, ((-1.0, 1.0),) * 2, 0.0, ((0.0, 0.0),),
                                        _sphere)(x),
         arrays={"x": X_QUERY}, host=True),
    Case("probstat.bayesopt.BenchmarkFunction", lambda values: tf.branin.regret(values),
         arrays={"values": np.array([1.0, 0.5, 3.0])}, host=True, id="regret",
         # elementwise: any shape, a 0-d value included, is a valid input
         accepts={"values": {"zero_d", "extra_dim"}}),
    # plots
    Case("probstat.bayesopt.plot_convergence",
         lambda runs, optimal_value: bo.plot_convergence(
             runs, optimal_value=optimal_value).get_lines()[0].get_ydata(),
         arrays={"runs": np.array([3.0, 2.0, 2.5, 1.0])}, params={"optimal_value": 0.5},
         bad_params={"optimal_value": [float("nan"), "0"]},
         array_api="draws a figure; returns matplotlib data"),
    Case("probstat.bayesopt.plot_posterior_1d",
         lambda n_grid, bounds: len(bo.plot_posterior_1d(
             _gp1d(), n_grid=n_grid, bounds=bounds).get_lines()),
         params={"n_grid": 20, "bounds": (0.0, 1.0)},
         bad_params={"n_grid": [1, "20", 2.5], "bounds": [(1.0, 0.0), "ab", (0.0, np.nan)]}),
]

EXEMPT = {
    "probstat.bayesopt.demo": "exercised by tests/test_tour.py",
    "probstat.bayesopt.BenchmarkFunction": (
        "a callable test problem, not a result (a frozen dataclass with a function)"),
    "probstat.bayesopt.test_functions.BenchmarkFunction": (
        "a callable test problem, not a result (a frozen dataclass with a function)"),
}


# multi-fidelity, multi-source and environmental-condition BO
def _run_fidelity(**params):
    opt = bo.BayesianOptimizer([(-1.0, 1.0)], **params)
    return opt.run(lambda p: (p[0] - 0.3) ** 2 + 0.1 * (1 - p[-1]), 4).func_vals


def _run_environmental(w_mean, w_std, **params):
    opt = bo.EnvironmentalOptimizer([(-1.0, 1.0)], w_mean=w_mean, w_std=w_std, **params)
    return opt.run(lambda p: (p[0] - 0.3) ** 2 + 0.1 * p[1], 4).func_vals


CASES += [
    Case("probstat.bayesopt.BayesianOptimizer", _run_fidelity, id="fidelity",
         params={"n_initial": 2, "raw_samples": 16, "random_state": 0,
                 "fidelity": (0.0, 1.0), "cost": lambda s: 1.0 + s},
         bad_params={"fidelity": [(1.0, 0.0), 1.0, "ab", (0.0, float("nan"))],
                     "cost": [3.0, lambda s: -1.0], "sources": [2],
                     "fidelity_kernel": ["matern", 3]}),
    Case("probstat.bayesopt.BayesianOptimizer",
         lambda **p: bo.BayesianOptimizer([(-1.0, 1.0)], **p).run(
             lambda x: x[0] ** 2 + 0.1 * x[-1], 4).total_cost,
         id="sources", params={"n_initial": 2, "raw_samples": 16, "random_state": 0,
                               "sources": 2},
         bad_params={"sources": [1, 2.5, "2"]}),
    Case("probstat.bayesopt.EnvironmentalOptimizer", _run_environmental,
         arrays={"w_mean": np.array([0.0]), "w_std": np.array([0.5])},
         params={"n_initial": 2, "raw_samples": 16, "random_state": 0, "maximize": False,
                 "w_kernel": "rbf", "n_quadrature": 8},
         paired=(("w_mean", "w_std"),), host=True, array_api=NO_ARRAYS,
         accepts={"w_mean": {"zero_d"}, "w_std": {"zero_d"}},
         bad_params={"n_initial": BAD_COUNT, "raw_samples": BAD_COUNT,
                     "maximize": ["yes", 1], "w_kernel": ["cubic", 1],
                     "n_quadrature": [1, "8", 2.5]}),
    _fixed_fn(tf.augmented_branin, np.array([[0.0, 5.0, 1.0], [3.0, 2.0, 0.5]])),
    _fixed_fn(tf.augmented_hartmann6,
              np.hstack([X_QUERY, X_QUERY[:, ::-1], X_QUERY, X_QUERY[:, :1]])),
    _fixed_fn(tf.multi_source_rosenbrock, np.array([[0.5, 1.0, 0.0], [1.0, -1.0, 2.0]])),
    _fixed_fn(tf.environmental_sine, np.array([[0.5, 1.0, 0.1], [1.5, 0.5, -0.4]])),
    Case("probstat.bayesopt.test_functions.environmental_sine_mean",
         lambda x: tf.environmental_sine_mean(x), arrays={"x": X_QUERY[:, :2]}, host=True),
]

EXEMPT["probstat.bayesopt.test_functions.multi_fidelity_problems"] = (
    "takes no argument; returns the four BenchmarkFunction objects exercised above")
# --------------------------------------------------------------------- gradient observations
G_TRAIN = np.c_[3 * np.cos(3 * X_TRAIN[:, 0]), 2 * X_TRAIN[:, 1]]
X_ONE_SHOT = np.random.default_rng(1).uniform(size=(2, 4, 2))  # (m, 1 + n_fantasies, d)


@functools.cache
def _dgp():
    return bo.DerivativeGaussianProcess(noise=1e-4, random_state=0, max_iter=30).fit(
        X_TRAIN, Y_TRAIN, gradients=G_TRAIN)


def _dgp_like(x):
    from probstat.backend import device, get_namespace, is_numpy_namespace, move_to

    xp = get_namespace(x)
    if is_numpy_namespace(xp):
        return _dgp()
    dev = device(x)
    return bo.DerivativeGaussianProcess(noise=1e-4, random_state=0, max_iter=30).fit(
        *(move_to(a, xp=xp, device=dev) for a in (X_TRAIN, Y_TRAIN, G_TRAIN)))


def _tell_gradient(gradient):
    opt = bo.BayesianOptimizer([(-1.0, 1.0), (0.0, 2.0)], random_state=0)
    opt.tell([[0.1, 0.5], [0.5, 1.0]], [0.3, 0.1], gradient=gradient)
    return np.asarray(opt._g)


CASES += [
    Case("probstat.bayesopt.DerivativeGaussianProcess",
         lambda X, y, gradients, gradient_noise: bo.DerivativeGaussianProcess(
             noise=0.01, optimizer=None, gradient_noise=gradient_noise).fit(
             X, y, gradients=gradients),
         arrays={"X": X_TRAIN, "y": Y_TRAIN, "gradients": G_TRAIN},
         params={"gradient_noise": 0.01}, paired=(("X", "y"), ("X", "gradients")), host=True,
         id="fit", accepts={"gradients": {"none"}},  # None: a value-only GP
         bad_params={"gradient_noise": [-1.0, "0.1", None]}),
    Case("probstat.bayesopt.DerivativeGaussianProcess",
         lambda X, return_cov: _dgp_like(X).predict_gradient(X, return_cov=return_cov),
         arrays={"X": X_QUERY}, params={"return_cov": True}, host=True,
         id="predict_gradient", bad_params={"return_cov": [1, "yes"]}),
    Case("probstat.bayesopt.DerivativeGaussianProcess",
         lambda X_new, y_new, gradients: _dgp_like(X_new).condition_on(
             X_new, y_new, gradients=gradients).predict(X_new),
         arrays={"X_new": X_QUERY[:2], "y_new": np.array([0.3, -0.2]),
                 "gradients": np.array([[0.5, 0.1], [-0.2, 0.4]])},
         paired=(("X_new", "y_new"), ("X_new", "gradients")), host=True, id="condition_on",
         accepts={"gradients": {"none"}}),  # None: values only
    Case("probstat.bayesopt.DerivativeKnowledgeGradient",
         lambda X, n_candidates, n_fantasies: bo.DerivativeKnowledgeGradient(
             n_candidates, n_fantasies=n_fantasies).bind(_dgp(), random_state=0)(X),
         arrays={"X": X_QUERY}, params={"n_candidates": 16, "n_fantasies": 32}, host=True,
         bad_params={"n_candidates": BAD_COUNT, "n_fantasies": BAD_COUNT}),
    Case("probstat.bayesopt.OneShotKnowledgeGradient",
         lambda X, n_fantasies, n_candidates: bo.OneShotKnowledgeGradient(
             n_fantasies, n_candidates=n_candidates).bind(_gp(), random_state=0
                                                           ).value_and_grad(X),
         arrays={"X": X_ONE_SHOT}, params={"n_fantasies": 3, "n_candidates": 16},
         host=True, bad_params={"n_fantasies": BAD_COUNT, "n_candidates": BAD_COUNT}),
    Case("probstat.bayesopt.BayesianOptimizer", _tell_gradient,
         arrays={"gradient": np.array([[0.5, -1.0], [0.2, 0.3]])}, id="tell_gradient",
         array_api=NO_ARRAYS, accepts={"gradient": {"none"}}),  # None: no gradients
]
