"""BayesianOptimizer, minimize, Space: behaviour, errors, executors, convergence."""

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy.optimize import OptimizeResult

from probstat.bayesopt import (
    BayesianOptimizer,
    Categorical,
    Integer,
    ObjectiveError,
    Real,
    Space,
    minimize,
)
from probstat.bayesopt.test_functions import branin, hartmann6


def _quad(x):
    return (x[0] - 0.3) ** 2 + (x[1] + 0.2) ** 2


def test_space_roundtrip_and_checks():
    s = Space([(-5.0, 10.0), Integer(1, 4), ["a", "b", "c"], Real(1e-3, 1.0, prior="log-uniform")])
    assert isinstance(s.dimensions[1], Integer) and isinstance(s.dimensions[2], Categorical)
    pts = [[0.0, 2, "b", 0.01], [10.0, 4, "c", 1.0]]
    U = s.encode(pts)
    assert U.shape == (2, 1 + 1 + 3 + 1)
    assert np.all((U >= 0) & (U <= 1))
    back = s.decode(U)
    assert back[0][1:3] == [2, "b"] and back[1][1:3] == [4, "c"]
    np.testing.assert_allclose([b[0] for b in back], [0.0, 10.0], atol=1e-12)
    np.testing.assert_allclose([b[3] for b in back], [0.01, 1.0], rtol=1e-12)
    with pytest.raises(ValueError, match=r"x\[1\] = 7 is outside dimension 1"):
        s.check_point([0.0, 7, "a", 0.1])
    with pytest.raises(ValueError, match="must have 4 entries"):
        s.check_point([0.0, 1])
    with pytest.raises(ValueError, match="low < high"):
        Real(1.0, 0.0)
    assert isinstance(Space([[1, 2, 3]]).dimensions[0], Categorical)
    assert Space([(1e-3, 1.0, "log-uniform")]).dimensions[0].prior == "log-uniform"
    with pytest.raises(TypeError, match=r"dimensions\[0\] must be"):
        Space([object()])


def test_minimize_returns_optimize_result_like_skopt():
    res = minimize(_quad, [(-1.0, 1.0), (-1.0, 1.0)], n_calls=15, random_state=0)
    assert isinstance(res, OptimizeResult)
    skopt = pytest.importorskip("skopt")
    ref = skopt.gp_minimize(_quad, [(-1.0, 1.0), (-1.0, 1.0)], n_calls=6, random_state=0,
                            n_initial_points=5)
    for key in ("x", "fun", "x_iters", "func_vals", "models", "space"):
        assert key in res and key in ref
    assert len(res.x_iters) == 15 and res.func_vals.shape == (15,)
    assert res.fun == res.func_vals.min() and res.x == res.x_iters[int(np.argmin(res.func_vals))]
    # 15 evaluations of a 2-D quadratic: BO gets within 1e-3 of the minimum 0
    assert res.fun < 1e-3
    # one model per model-based proposal, plus the final one fitted on all 15 points
    assert res.nit == len(res.models) - 1 == 15 - 5


def test_seeded_reproducibility():
    a = minimize(_quad, [(-1.0, 1.0), (-1.0, 1.0)], n_calls=9, random_state=3)
    b = minimize(_quad, [(-1.0, 1.0), (-1.0, 1.0)], n_calls=9, random_state=3)
    assert a.x_iters == b.x_iters


def test_ask_tell_pending_and_batches():
    opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial=4, random_state=0)
    first = opt.ask(4)
    assert len(opt.pending) == 4
    opt.tell(first, [_quad(x) for x in first])
    assert opt.pending == []
    batch = opt.ask(3)  # kriging believer: distinct points
    assert len({tuple(np.round(x, 6)) for x in batch}) == 3
    # a pending point is not proposed again
    nxt = opt.ask()
    assert all(np.linalg.norm(np.subtract(nxt, p)) > 1e-6 for p in batch)
    opt.tell(batch + [nxt], [_quad(x) for x in batch + [nxt]])
    assert len(opt.x_iters) == 8 and opt.incumbent_[1] == min(opt.func_vals)


@pytest.mark.parametrize("strategy", ["constant_liar", "qei"])
def test_other_batch_strategies(strategy):
    opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial=5, batch_strategy=strategy,
                            raw_samples=128, n_restarts=3, random_state=0)
    xs = opt.ask(5)
    opt.tell(xs, [_quad(x) for x in xs])
    batch = opt.ask(2)
    assert len(batch) == 2 and all(len(x) == 2 for x in batch)
    assert all(-1 <= v <= 1 for x in batch for v in x)


def test_maximize_flag():
    res = minimize(lambda x: -_quad(x), [(-1.0, 1.0), (-1.0, 1.0)], n_calls=14,
                   random_state=0, maximize=True)
    assert res.fun > -1e-2  # the maximum of -quad is 0


def test_mixed_space():
    def f(x):
        return (x[0] - 0.5) ** 2 + (x[1] - 3) ** 2 + {"a": 1.0, "b": 0.0, "c": 2.0}[x[2]]

    res = minimize(f, [(-2.0, 2.0), Integer(0, 6), ["a", "b", "c"]], n_calls=22, random_state=0)
    assert isinstance(res.x[1], int) and res.x[2] in "abc"
    assert all(isinstance(x[1], int) for x in res.x_iters)
    # optimum 0 at (0.5, 3, "b"): the integer and category are found
    assert res.x[1] == 3 and res.x[2] == "b"
    assert res.fun < 0.05


def test_constrained_optimisation():
    def f(x):
        # minimise x0 + x1 subject to c = 0.5 - x0^2 - x1^2 <= 0 (outside a disc)
        return x[0] + x[1], [0.5 - x[0] ** 2 - x[1] ** 2]

    opt = BayesianOptimizer([(0.0, 1.0), (0.0, 1.0)], n_constraints=1, n_initial=6,
                            random_state=0, raw_samples=256)
    res = opt.run(f, 18)
    c = res.constraint_vals[:, 0]
    assert np.all(c[res.func_vals == res.fun] <= 0)
    # constrained optimum sqrt(0.5) = 0.7071 at (0.7071, 0) or (0, 0.7071)
    assert res.fun < 0.76
    with pytest.raises(ValueError, match="constraints must be given"):
        opt.tell([0.5, 0.5], 1.0)


def test_failing_objective_names_point_and_keeps_history():
    calls = []

    def f(x):
        calls.append(x)
        if len(calls) == 7:
            raise ZeroDivisionError("boom")
        return _quad(x)

    opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial=4, random_state=0)
    with pytest.raises(ObjectiveError, match=r"ZeroDivisionError at x=\[.*\]: boom") as info:
        opt.run(f, 10)
    assert info.value.x == calls[-1]
    assert len(opt.x_iters) == 6 and info.value.optimizer is opt
    assert opt.pending == []
    with pytest.raises(ObjectiveError, match="division by zero"):
        minimize(lambda x: 1 / 0 if x[0] > -2 else 0.0, [(-1.0, 1.0)], n_calls=3)


@pytest.mark.parametrize("x, y, exc, match", [
    ([0.0, 0.0], np.nan, ValueError, "y must be a finite number"),
    ([0.0, 0.0], np.inf, ValueError, "y must be a finite number"),
    ([5.0, 0.0], 1.0, ValueError, "outside dimension 0"),
    ([0.0], 1.0, ValueError, "must have 2 entries"),
])
def test_bad_tell(x, y, exc, match):
    opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], random_state=0)
    with pytest.raises(exc, match=match):
        opt.tell(x, y)
    assert opt.x_iters == []


def test_bad_arguments():
    with pytest.raises(ValueError, match="acquisition must be one of"):
        BayesianOptimizer([(0.0, 1.0)], acquisition="magic")
    with pytest.raises(ValueError, match="batch_strategy"):
        BayesianOptimizer([(0.0, 1.0)], batch_strategy="greedy")
    with pytest.raises(ValueError, match="n_calls must be"):
        minimize(_quad, [(0.0, 1.0)], n_calls=0)
    with pytest.raises(ValueError, match="y0 must have one value"):
        minimize(_quad, [(0.0, 1.0)], x0=[[0.5]], y0=[1.0, 2.0])


def test_x0_y0_and_callback():
    seen = []
    res = minimize(_quad, [(-1.0, 1.0), (-1.0, 1.0)], n_calls=8, x0=[[0.3, -0.2]],
                   y0=[0.0], callback=lambda r: seen.append(r.nfev) or r.nfev >= 5,
                   random_state=0)
    assert res.x_iters[0] == [0.3, -0.2] and res.fun == 0.0
    assert seen[-1] == 5


def test_thread_executor():
    with ThreadPoolExecutor(max_workers=3) as ex:
        opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial=4, random_state=0,
                                raw_samples=128, n_restarts=4)
        res = opt.run(_quad, 10, executor=ex, batch_size=3)
    assert res.nfev == 10 and opt.pending == []


def test_dask_executor():
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None) as client:
        opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial=3, random_state=0,
                                raw_samples=128, n_restarts=4)
        res = opt.run(_quad, 6, executor=client.get_executor(), batch_size=2)
    assert res.nfev == 6
    assert all(np.isclose(_quad(x), y) for x, y in zip(res.x_iters, res.func_vals))


@pytest.mark.parametrize("acq", ["ei", "pi", "logpi", "ucb", "noisy_ei", "kg", "mes"])
def test_every_acquisition_runs(acq):
    res = minimize(_quad, [(-1.0, 1.0), (-1.0, 1.0)], n_calls=8, n_initial=5, acquisition=acq,
                   random_state=0, raw_samples=64, n_restarts=2)
    assert res.nfev == 8 and np.isfinite(res.fun)


def test_branin_small_run_beats_random():
    res = minimize(branin, branin.bounds, n_calls=25, random_state=0)
    rng = np.random.default_rng(0)
    lo, hi = np.array(branin.bounds).T
    rand = branin(lo + rng.uniform(size=(25, 2)) * (hi - lo)).min()
    assert branin.regret(res.fun) < 0.1 * branin.regret(rand)


@pytest.mark.slow
def test_convergence_branin_and_hartmann6_against_random_search():
    reg_bo, reg_rs = [], []
    for seed in range(5):
        res = minimize(branin, branin.bounds, n_calls=30, random_state=seed)
        reg_bo.append(branin.regret(res.fun))
        rng = np.random.default_rng(seed)
        lo, hi = np.array(branin.bounds).T
        reg_rs.append(branin.regret(branin(lo + rng.uniform(size=(30, 2)) * (hi - lo)).min()))
    assert np.median(np.log10(reg_bo)) <= -2
    assert np.median(reg_bo) < 0.01 * np.median(reg_rs)
    reg_bo, reg_rs = [], []
    for seed in range(3):
        res = minimize(hartmann6, hartmann6.bounds, n_calls=60, random_state=seed)
        reg_bo.append(hartmann6.regret(res.fun))
        rng = np.random.default_rng(seed)
        reg_rs.append(hartmann6.regret(hartmann6(rng.uniform(size=(60, 6))).min()))
    assert np.median(np.log10(reg_bo)) <= -0.5
    assert np.median(reg_bo) < 0.3 * np.median(reg_rs)


@pytest.mark.slow
def test_runtime_guard_branin():
    start = time.perf_counter()
    res = minimize(branin, branin.bounds, n_calls=30, random_state=0)
    total = time.perf_counter() - start
    assert total <= 5.0
    assert max(t["fit"] + t["acquisition"] for t in res.timings) <= 0.5


def test_no_initial_design_after_enough_tells():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(8, 2))
    opt = BayesianOptimizer([(-1.0, 1.0), (-1.0, 1.0)], n_initial=5, random_state=0,
                            raw_samples=64, n_restarts=2)
    opt.tell([list(x) for x in X], [_quad(x) for x in X])
    opt.ask()
    assert len(opt.models) == 1  # the first ask already used the model
