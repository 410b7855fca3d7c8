"""probstat.bayesopt against scikit-optimize and BoTorch: time per iteration and regret.

Run from the repository root::

    .venv/bin/python benchmarks/bench_bayesopt.py            # full: 20 seeds
    .venv/bin/python benchmarks/bench_bayesopt.py --quick    # 3 seeds, for a smoke test

Both libraries run in this one process on the same inputs with one BLAS thread
(threadpoolctl), so the ratios compare algorithms, not thread counts. Prints Markdown
tables and writes them to ``docs/performance/bayesopt.md``.

1. Time per iteration at n = 300 observations, d = 6 (Hartmann-6 values at uniform
   random points): probstat ``BayesianOptimizer.ask`` (GP fit + log-EI maximisation)
   against scikit-optimize ``Optimizer.tell`` of one point (its GP fit + EI maximisation),
   3 iterations each, median.
2. GP fit alone at n = 1000, d = 6: probstat ``GaussianProcess.fit`` (MAP, one start)
   against scikit-optimize's surrogate (scikit-learn GP with skopt's kernel and 2 restarts).
   BoTorch's fit at the same size is in table 5.
3. Regret: median log10 simple regret over the seeds on Branin after 30 evaluations and
   Hartmann-6 after 60, probstat ``minimize`` (log-EI) against ``skopt.gp_minimize``
   (defaults, ``n_initial_points`` equal to probstat's initial design), same seeds.
4. Random search with the same budget and seeds (uniform points in the box), the
   baseline BO must beat to be worth its overhead.

5. BoTorch (``--botorch-only``, its own marked block): one iteration at n = 300, d = 6
   against BoTorch's documented loop (SingleTaskGP, fit_gpytorch_mll,
   LogExpectedImprovement, optimize_acqf with num_restarts=10, raw_samples=512) and the
   GP fit at n = 1000, one torch and one BLAS thread, same inputs; regret on Branin (30)
   and Hartmann-6 (60) from the same initial design, as many seeds as fit in 7 minutes
   (at least 5); multi-fidelity augmented Hartmann-6 (cost 5 + s, total cost 150)
   against BoTorch's ``qMultiFidelityKnowledgeGradient`` as in its continuous
   multi-fidelity tutorial (64 fantasies, q = 1), as many seeds as fit in 10 minutes
   (at least 3). torch and BoTorch are not probstat dependencies: run this part with
   the python of a separate environment holding probstat, torch and botorch
   (``python -m venv env && env/bin/pip install -e . botorch``); about 25 minutes on a
   shared 2-core machine, half of it BoTorch's multi-fidelity KG (about 20 s per
   iteration). The BoTorch loops live in ``_botorch_loops.py``.

``--botorch-only --iteration-only`` recomputes only the time rows of the BoTorch block
(about a minute; add ``--with-regret 16`` for its regret rows on 16 seeds, about ten
minutes) and keeps its other rows. The iteration rows time a running loop: probstat and
BoTorch alternate on the same observations, one iteration each at n, n + 1, ...

``--random-only`` recomputes only table 4 (seconds) and rewrites that subsection of the
existing ``docs/performance/bayesopt.md``, leaving the other tables as they were.
``--fidelity-only`` and ``--derivative-only`` do the same for their blocks. The
multi-fidelity block (10 seeds; about 40 minutes on a shared 2-core machine) caches its
runs in ``bench-output/fidelity_runs.json`` (``--fidelity-resume`` reuses them,
``--fidelity-table-only`` only rebuilds the tables). ``--fidelity-botorch-only``, run with
the python of the BoTorch environment, runs BoTorch's multi-fidelity KG on the same 10
seeds and initial designs (about 5 minutes per seed on an idle core, far more on a busy
one), saving each seed to ``bench-output/botorch_mfkg.json``; the multi-fidelity block
then adds a table against it.
"""

from __future__ import annotations

import argparse
import datetime
import math
import platform
import re
import time
import warnings
from pathlib import Path

import numpy as np
from _botorch_loops import (
    botorch_fit,
    botorch_logei_next,
    botorch_mfkg_run,
    import_botorch,
)
from _common import replace_marked, write_block
from _fidelity_bench import (
    FIDELITY_END,
    FIDELITY_START,
    _fidelity_run,
    _write_fidelity_block,
    botorch_fidelity_seeds,
    fidelity_section_cached,
)
from threadpoolctl import threadpool_limits

from probstat.bayesopt import BayesianOptimizer, GaussianProcess, minimize
from probstat.bayesopt.test_functions import branin, hartmann6

ROOT = Path(__file__).resolve().parents[1]


def _skopt():
    import skopt

    return skopt


def time_per_iteration(n=300, d=6, reps=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n + reps, d))
    y = hartmann6(X)
    ours = _ours_ask_times(X, y, n, reps, seed)
    skopt = _skopt()
    theirs = []
    sk = skopt.Optimizer([(0.0, 1.0)] * d, base_estimator="GP", n_initial_points=1,
                         random_state=seed)
    sk.tell([list(x) for x in X[: n - 1]], list(y[: n - 1]), fit=False)
    for r in range(reps):
        i = n - 1 + r
        t = time.perf_counter()
        sk.tell(list(X[i]), float(y[i]))  # fit + next-point search
        theirs.append(time.perf_counter() - t)
    return float(np.median(ours)), float(np.median(theirs))


def time_fit(n=1000, d=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, d))
    y = hartmann6(X)
    t = time.perf_counter()
    GaussianProcess(bounds=np.tile([0.0, 1.0], (d, 1))).fit(X, y)
    ours = time.perf_counter() - t
    from skopt.learning import GaussianProcessRegressor
    from skopt.learning.gaussian_process.kernels import ConstantKernel, Matern

    # skopt's cook_estimator("GP") surrogate for a 6-D box
    kernel = ConstantKernel(1.0, (0.01, 1000.0)) * Matern(
        length_scale=np.ones(d), length_scale_bounds=[(0.01, 100)] * d, nu=2.5)
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, noise="gaussian",
                                  n_restarts_optimizer=2, random_state=seed)
    t = time.perf_counter()
    gp.fit(X, y)
    theirs = time.perf_counter() - t
    return ours, theirs


def regret(fn, n_calls, seeds):
    skopt = _skopt()
    ours, theirs, t_ours, t_theirs = [], [], 0.0, 0.0
    n_initial = max(5, 2 * fn.dim)
    for s in seeds:
        t = time.perf_counter()
        res = minimize(fn, fn.bounds, n_calls=n_calls, random_state=s)
        t_ours += time.perf_counter() - t
        ours.append(fn.regret(res.fun))
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = skopt.gp_minimize(lambda x: float(fn(x)), list(fn.bounds), n_calls=n_calls,
                                    n_initial_points=n_initial, random_state=s)
        t_theirs += time.perf_counter() - t
        theirs.append(fn.regret(ref.fun))
        print(f"  {fn.name} seed {s}: probstat {ours[-1]:.3g}  skopt {theirs[-1]:.3g}",
              flush=True)
    lo, lt = np.log10(np.maximum(ours, 1e-12)), np.log10(np.maximum(theirs, 1e-12))
    return (float(np.median(lo)), float(np.median(lt)), int(np.sum(lo <= lt)),
            t_ours / len(seeds), t_theirs / len(seeds))


RANDOM_HEADING = "### Random search baseline"
def random_search(fn, n_calls, seeds):
    """Median log10 simple regret and mean seconds of uniform random search."""
    lo, hi = np.array(fn.bounds, dtype=float).T
    regrets, t0 = [], time.perf_counter()
    for s in seeds:
        X = lo + np.random.default_rng(s).uniform(size=(n_calls, fn.dim)) * (hi - lo)
        regrets.append(fn.regret(np.min(fn(X))))
    secs = (time.perf_counter() - t0) / len(seeds)
    return float(np.median(np.log10(np.maximum(regrets, 1e-12)))), secs


def random_section(seeds):
    rows = []
    for fn, budget in ((branin, 30), (hartmann6, 60)):
        med, secs = random_search(fn, budget, seeds)
        rows.append(f"| {fn.name.capitalize() if fn.name == 'branin' else 'Hartmann-6'} | "
                    f"{budget} | {med:.2f} | {secs:.4f} |")
    return [
        RANDOM_HEADING,
        "",
        f"Uniform random search in the box, same budgets and the same {len(seeds)} seeds "
        "(numpy `default_rng(seed)`); compare with the probstat column above. Random search "
        "costs nothing per point, so BO pays off only when one evaluation costs more than "
        "BO's own seconds per run (last column of the regret table) divided by the budget.",
        "",
        "| problem | budget | random search median log10 regret | seconds per run |",
        "| --- | ---: | ---: | ---: |",
        *rows,
        "",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 seeds instead of 20")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--random-only", action="store_true",
                        help="recompute only the random-search table (20 seeds) in place")
    parser.add_argument("--fidelity-only", action="store_true",
                        help="recompute only the multi-fidelity block (10 seeds) in place")
    parser.add_argument("--fidelity-resume", action="store_true",
                        help="like --fidelity-only, reusing the runs it already cached")
    parser.add_argument("--fidelity-table-only", action="store_true",
                        help="rebuild the multi-fidelity block from the runs cached by "
                             "--fidelity-only (and BoTorch's, if saved)")
    parser.add_argument("--fidelity-botorch-only", action="store_true",
                        help="run only BoTorch's multi-fidelity KG on 10 seeds (needs torch "
                             "and botorch), saving per-seed results for --fidelity-only")
    parser.add_argument("--botorch-only", action="store_true",
                        help="run only the BoTorch comparison (needs torch and botorch) "
                             "and rewrite its block in place")
    parser.add_argument("--iteration-only", action="store_true",
                        help="with --botorch-only: recompute only the time rows of the "
                             "BoTorch block and keep its other rows")
    parser.add_argument("--with-regret", type=int, default=0, metavar="SEEDS",
                        help="with --iteration-only: also the regret rows, on SEEDS seeds")
    args = parser.parse_args()
    if args.fidelity_botorch_only:
        botorch_fidelity_seeds(range(3) if args.quick else range(10))
        return
    if args.botorch_only and args.iteration_only:
        torch, _ = import_botorch()
        reg_rows = None
        with threadpool_limits(limits=1):
            rows = _iteration_rows(_botorch_iteration_and_fit(torch))
            print("\n".join(rows), flush=True)
            if args.with_regret:
                reg, n_reg = _botorch_regret(torch, ((branin, 30), (hartmann6, 60)),
                                             args.with_regret, 0.0)
                reg_rows = _regret_rows(reg, n_reg)
                print("\n".join(reg_rows))
        path = ROOT / "docs" / "performance" / "bayesopt.md"
        start, end = f"<!-- {BOTORCH_KEY}:start -->", f"<!-- {BOTORCH_KEY}:end -->"
        old = path.read_text() if path.exists() else ""
        if not args.no_write and start in old:
            date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            body = old.split(start, 1)[1].split(end, 1)[0]
            write_block("bayesopt", BOTORCH_KEY,
                        _replace_rows(body, rows, date, reg_rows, args.with_regret))
        return
    if args.botorch_only:
        quick = dict(regret_seconds=0.0, min_regret_seeds=1, fidelity_seconds=0.0,
                     min_fidelity_seeds=1)
        body = botorch_section(**(quick if args.quick else {}))
        if args.no_write:
            print(body)
        else:
            write_block("bayesopt", BOTORCH_KEY, body)
        return
    seeds = range(3) if args.quick else range(20)
    out = ROOT / "docs" / "performance" / "bayesopt.md"
    if args.fidelity_only or args.fidelity_table_only or args.fidelity_resume:
        with threadpool_limits(limits=1):
            block = fidelity_section_cached(
                range(3) if args.quick else range(10),
                rerun="missing" if args.fidelity_resume else args.fidelity_only)
        print("\n".join(block))
        if not args.no_write:
            _write_fidelity_block(out, block)
        return
    if args.random_only:
        old = out.read_text()
        head = old.split(RANDOM_HEADING)[0].rstrip("\n")
        tail = old.split(RANDOM_HEADING)[1].split("\n### ", 1) if RANDOM_HEADING in old else []
        rest = ("\n### " + tail[1]) if len(tail) == 2 else ""
        text = head + "\n\n" + "\n".join(random_section(range(20))) + rest
        print(text)
        if not args.no_write:
            out.write_text(text)
        return
    lines = []
    with threadpool_limits(limits=1):
        print("time per iteration, n=300, d=6 ...", flush=True)
        it_ours, it_theirs = time_per_iteration()
        print("GP fit, n=1000, d=6 ...", flush=True)
        fit_ours, fit_theirs = time_fit()
        print("regret ...", flush=True)
        br = regret(branin, 30, seeds)
        h6 = regret(hartmann6, 60, seeds)
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    import skopt

    lines += [
        "## Bayesian optimisation (probstat.bayesopt) vs scikit-optimize",
        "",
        f"Machine: 2-core CI-class VM shared with other jobs ({platform.processor() or 'x86_64'}), "
        f"one BLAS thread; date {date}; scikit-optimize {skopt.__version__}. "
        "Generated by `benchmarks/bench_bayesopt.py`"
        + (" --quick" if args.quick else "") + ".",
        "",
        "### Time (seconds)",
        "",
        "| case | probstat | scikit-optimize | ratio (skopt / probstat) |",
        "| --- | ---: | ---: | ---: |",
        f"| one BO iteration (fit + acquisition), n = 300, d = 6 | {it_ours:.3f} | "
        f"{it_theirs:.3f} | {it_theirs / it_ours:.1f}x |",
        f"| GP hyperparameter fit, n = 1000, d = 6 | {fit_ours:.2f} | {fit_theirs:.2f} | "
        f"{fit_theirs / fit_ours:.1f}x |",
        "",
        "BoTorch's loop and fit at the same sizes are compared in the BoTorch block "
        "below (`--botorch-only`).",
        "",
        f"### Regret ({len(seeds)} seeds, same seeds for both)",
        "",
        "| problem | budget | probstat median log10 regret | skopt median log10 regret | "
        "seeds where probstat <= skopt | mean seconds per run probstat / skopt |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        f"| Branin | 30 | {br[0]:.2f} | {br[1]:.2f} | {br[2]}/{len(seeds)} | "
        f"{br[3]:.1f} / {br[4]:.1f} |",
        f"| Hartmann-6 | 60 | {h6[0]:.2f} | {h6[1]:.2f} | {h6[2]}/{len(seeds)} | "
        f"{h6[3]:.1f} / {h6[4]:.1f} |",
        "",
        "Targets: Branin median <= -2, Hartmann-6 median <= -0.5, no worse "
        "than scikit-optimize; one iteration at n = 300, d = 6 at least 10x faster.",
        "",
        *random_section(seeds),
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        old = out.read_text() if out.exists() else ""
        out.parent.mkdir(parents=True, exist_ok=True)
        old = out.read_text() if out.exists() else ""
        if DERIV_START in old and DERIV_END in old:  # keep the derivative section's block
            text += "\n" + DERIV_START + old.split(DERIV_START, 1)[1].split(DERIV_END)[0] \
                + DERIV_END + "\n"
        out.write_text(text)
        if FIDELITY_START in old:  # keep the multi-fidelity block (--fidelity-only)
            _write_fidelity_block(out, [FIDELITY_START + old.split(FIDELITY_START, 1)[1]
                                        .split(FIDELITY_END, 1)[0] + FIDELITY_END])
        start, end = f"<!-- {BOTORCH_KEY}:start -->", f"<!-- {BOTORCH_KEY}:end -->"
        if start in old and end in old:  # keep the BoTorch block (--botorch-only)
            write_block("bayesopt", BOTORCH_KEY, old.split(start, 1)[1].split(end, 1)[0])




# --------------------------------------------------------------------------------------
# Derivative observations and analytic acquisition gradients
# (``--derivative-only`` runs this section alone and rewrites its marked block)
# --------------------------------------------------------------------------------------
DERIV_START, DERIV_END = "<!-- derivative:start -->", "<!-- derivative:end -->"


def hartmann6_with_grad(x):
    """Hartmann-6 and its analytic gradient (checked against the library's values)."""
    from probstat.bayesopt.test_functions import _H6_A, _H6_P, _H_ALPHA

    x = np.asarray(x, dtype=float)
    e = _H_ALPHA * np.exp(-np.sum(_H6_A * (x[None] - _H6_P) ** 2, axis=1))
    return float(-e.sum()), 2.0 * (e[:, None] * _H6_A * (x[None] - _H6_P)).sum(axis=0)


def derivative_regret(n_calls, seeds, n_initial=4):
    """Hartmann-6: log-EI on a value GP vs log-EI on a value-and-gradient GP, same seeds."""
    f0 = hartmann6(np.full((1, 6), 0.3))[0]
    assert abs(hartmann6_with_grad(np.full(6, 0.3))[0] - f0) < 1e-12
    out = {"value": [], "gradient": []}
    secs = {"value": 0.0, "gradient": 0.0}
    for seed in seeds:
        for kind in out:
            fn = (hartmann6_with_grad if kind == "gradient"
                  else (lambda x: hartmann6_with_grad(x)[0]))
            t = time.perf_counter()
            res = minimize(fn, [(0.0, 1.0)] * 6, n_calls=n_calls, n_initial=n_initial,
                           random_state=seed, raw_samples=256, n_restarts=5)
            secs[kind] += time.perf_counter() - t
            out[kind].append(math.log10(max(res.fun - hartmann6.optimal_value, 1e-12)))
    return out, {k: v / len(seeds) for k, v in secs.items()}


def gradient_speed(n=60, d=6, m=10, reps=5, seed=0):
    """Seconds per ``value_and_grad`` of m points: analytic vs batched central differences."""
    from probstat.bayesopt import (
        KnowledgeGradient,
        MaxValueEntropySearch,
        NoisyExpectedImprovement,
        qExpectedImprovement,
    )
    from probstat.bayesopt._acquisition import _fd_grad

    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, d))
    gp = GaussianProcess(noise=1e-3, random_state=0).fit(X, -hartmann6(X))
    rows = []
    cases = [("noisy EI", NoisyExpectedImprovement(), (m, d)),
             ("KG, discrete (256 candidates)", KnowledgeGradient(), (m, d)),
             ("MES (16 maxima)", MaxValueEntropySearch(), (m, d)),
             ("q-EI, q = 4 (256 samples)", qExpectedImprovement(), (m, 4, d))]
    for name, acq, shape in cases:
        b = acq.bind(gp, random_state=0)
        Q = rng.uniform(size=shape)
        b._value_and_grad(Q)  # compile / warm up
        t = time.perf_counter()
        for _ in range(reps):
            _, g = b._value_and_grad(Q)
        ana = (time.perf_counter() - t) / reps
        t = time.perf_counter()
        for _ in range(reps):
            fd = _fd_grad(b._value, Q)
        num = (time.perf_counter() - t) / reps
        err = float(np.abs(g - fd).max() / max(np.abs(g).max(), 1e-300))
        rows.append((name, ana, num, err))
    return rows


def derivative_section(seeds, n_calls=30):
    with threadpool_limits(limits=1):
        print("gradient speed ...", flush=True)
        speed = gradient_speed()
        print("derivative-enabled BO, Hartmann-6 ...", flush=True)
        reg, secs = derivative_regret(n_calls, seeds)
    v, g = np.array(reg["value"]), np.array(reg["gradient"])
    lines = [
        DERIV_START,
        "",
        "### Gradient observations and analytic acquisition gradients",
        "",
        f"Hartmann-6 (d = 6), {n_calls} evaluations including a 4-point Sobol design, "
        f"{len(seeds)} seeds (the same for both); log-EI in both runs, the only difference "
        "is the surrogate: a value GP, or a `DerivativeGaussianProcess` told the analytic "
        "gradient at every point (the objective returns `(value, gradient)`). "
        "Machine: 2-core VM shared with other jobs, one BLAS thread.",
        "",
        "| surrogate | median log10 regret | mean log10 regret | seeds better | "
        "mean seconds per run |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| values only | {np.median(v):.2f} | {v.mean():.2f} | {int(np.sum(v < g))}/"
        f"{len(seeds)} | {secs['value']:.1f} |",
        f"| values and gradients | {np.median(g):.2f} | {g.mean():.2f} | "
        f"{int(np.sum(g < v))}/{len(seeds)} | {secs['gradient']:.1f} |",
        "",
        "Per-seed log10 regret (values only / with gradients): "
        + ", ".join(f"{a:.2f} / {b:.2f}" for a, b in zip(v, g)) + ".",
        "",
        "Acquisition gradients at 10 points, GP with n = 60, d = 6 (seconds per call; the "
        "central differences are the batched ones used before, 2 d extra evaluations):",
        "",
        "| acquisition | analytic | central differences | speed-up | max relative "
        "difference |",
        "| --- | ---: | ---: | ---: | ---: |",
        *[f"| {name} | {a:.4f} | {b:.4f} | {b / a:.1f}x | {e:.1e} |"
          for name, a, b, e in speed],
        "",
        DERIV_END,
    ]
    return lines


def write_derivative_block(lines, out):
    """Replace (or append) the marked derivative block of ``out``."""
    replace_marked(out, DERIV_START, DERIV_END, "\n".join(lines))


def _derivative_main():
    parser = argparse.ArgumentParser(description="derivative section only")
    parser.add_argument("--derivative-only", action="store_true")
    parser.add_argument("--quick", action="store_true", help="2 seeds instead of 8")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    lines = derivative_section(range(2) if args.quick else range(8))
    print("\n".join(lines))
    if not args.no_write:
        write_derivative_block(lines, ROOT / "docs" / "performance" / "bayesopt.md")


# --------------------------------------------------------------------------------------
# BoTorch: single-fidelity loop, regret, multi-fidelity KG
# (``--botorch-only`` runs this section alone and rewrites its marked block; BoTorch and
# torch are not probstat dependencies: install them in a separate environment)
# --------------------------------------------------------------------------------------
BOTORCH_KEY = "botorch"






def _running_optimizer(X, y, n, seed):
    """A ``BayesianOptimizer`` as it is inside a loop at ``n`` observations: told the first
    ``n - 1`` points, asked once (untimed: the cold fit of a loop's first model, and numba's
    compilation), then told point ``n - 1``, so that its next ask refits warm-started from
    the previous hyperparameters as every iteration of a running loop does."""
    opt = BayesianOptimizer([(0.0, 1.0)] * X.shape[1], n_initial=1, random_state=seed)
    opt.tell([list(x) for x in X[: n - 1]], list(y[: n - 1]))
    opt.ask()
    opt.pending = []
    opt.tell(list(X[n - 1]), float(y[n - 1]))
    return opt


def _timed_ask(opt, x_next, y_next):
    """Seconds of one ``ask`` (fit + acquisition); then ``x_next`` is told."""
    t = time.perf_counter()
    opt.ask()
    dt = time.perf_counter() - t
    opt.pending = []
    opt.tell(list(x_next), float(y_next))
    return dt


def _ours_ask_times(X, y, n, reps, seed):
    """Seconds of ``BayesianOptimizer.ask`` after n, n + 1, ... observations (running loop)."""
    opt = _running_optimizer(X, y, n, seed)
    return [_timed_ask(opt, X[n + r], y[n + r]) for r in range(reps)]


def _botorch_iteration_and_fit(torch, n=300, d=6, reps=7, n_fit=1000, seed=0):
    """One iteration at n of both loops on the same data, interleaved, and the GP fits.

    Returns a dict: ``ours`` and ``theirs`` (seconds of each of ``reps`` iterations at n,
    n + 1, ...: probstat, BoTorch, probstat, BoTorch, ... on the same observations),
    ``ours_default`` (seconds of probstat's iterations that also rerun the default
    hyperparameter start, which a loop at n does once every ~n/10 iterations; two of
    them, interleaved with the others), ``default_every`` and the fits at ``n_fit``
    (``fit_ours``, ``fit_theirs``, cold fits of both).
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n + reps + 2, d))
    y = hartmann6(X)
    opt = _running_optimizer(X, y, n, seed)
    growth = type(opt.model or GaussianProcess())._DEFAULT_START_GROWTH
    torch.manual_seed(seed)
    ours, theirs, ours_default = [], [], []
    for r in range(reps + 2):
        m = n + r
        if r in (1, 4):  # make this refit rerun the default start, as one in ~n/10 does
            opt._gp._default_start_n = None
            ours_default.append(_timed_ask(opt, X[m], y[m]))
            continue
        ours.append(_timed_ask(opt, X[m], y[m]))
        t = time.perf_counter()
        botorch_logei_next(torch, X[:m], y[:m], np.zeros(d), np.ones(d))
        theirs.append(time.perf_counter() - t)
    Xf = rng.uniform(size=(n_fit, d))
    yf = hartmann6(Xf)
    t = time.perf_counter()
    GaussianProcess(bounds=np.tile([0.0, 1.0], (d, 1))).fit(Xf, yf)
    fit_ours = time.perf_counter() - t
    t = time.perf_counter()
    botorch_fit(torch, Xf, yf, np.zeros(d), np.ones(d))
    fit_theirs = time.perf_counter() - t
    return dict(ours=ours, theirs=theirs, ours_default=ours_default,
                default_every=max(1, round(growth * n)), fit_ours=fit_ours,
                fit_theirs=fit_theirs, n=n, d=d, n_fit=n_fit)


def _iteration_rows(it):
    """The time rows of the BoTorch block from :func:`_botorch_iteration_and_fit`."""
    o, t, od = (np.asarray(it[k]) for k in ("ours", "theirs", "ours_default"))
    k = it["default_every"]
    mo, mt, mod = float(np.median(o)), float(np.median(t)), float(np.median(od))
    amort = ((k - 1) * mo + mod) / k

    def spread(v):
        return f"{np.median(v):.3f} ({v.min():.3f}-{v.max():.3f})"

    n, d = it["n"], it["d"]
    return [
        f"| one BO iteration (fit + acquisition), n = {n}, d = {d}, median (min-max) of "
        f"{o.size}, interleaved, seconds | {spread(o)} | {spread(t)} | {mt / mo:.2f}x |",
        f"| the same, an iteration that also reruns the default hyperparameter start "
        f"(one in {k} at n = {n}; median of {od.size}) | {spread(od)} | | {mt / mod:.2f}x |",
        f"| the same, amortised over {k} iterations at n = {n} | {amort:.3f} | {mt:.3f} | "
        f"{mt / amort:.2f}x |",
        f"| GP hyperparameter fit, n = {it['n_fit']}, d = {d}, seconds | "
        f"{it['fit_ours']:.2f} | {it['fit_theirs']:.2f} | "
        f"{it['fit_theirs'] / it['fit_ours']:.2f}x |",
    ]


_ITERATION_NOTE = (
    "probstat's iterations are those of a running loop: each refit starts from the previous "
    "hyperparameters (`warm_start`), and reruns the default start only when the data have "
    "grown by 10 % since it last ran; the second row times such an iteration and the third "
    "spreads it over the iterations between two of them. BoTorch's documented loop refits "
    "from its default hyperparameters every iteration.")


def _replace_rows(body, rows, date, reg_rows=None, n_reg=None):
    """``body`` (the BoTorch block) with its time rows and note replaced by ``rows`` and,
    given ``reg_rows``, its regret rows and their seed count too."""
    drop = ("| one BO iteration", "| the same, ", "| GP hyperparameter fit",
            "probstat's iterations are") + (("| Branin |", "| Hartmann-6 |") if reg_rows
                                            else ())
    out = [ln for ln in body.strip("\n").split("\n") if not ln.startswith(drop)]
    at = out.index("| --- | ---: | ---: | ---: |") + 1
    flag = "--iteration-only" + (" --with-regret" if reg_rows else "")
    out[at:at] = rows + ["", _ITERATION_NOTE + f" Rows regenerated {date} "
                         f"(`--botorch-only {flag}`)."]
    if reg_rows:
        at = next(i for i, ln in enumerate(out) if ln.startswith("| problem | budget")) + 2
        out[at:at] = reg_rows
        out = [re.sub(r"^Regret \(\d+ seeds, as many as fitted in \d+ minutes, at least \d+",
                      f"Regret ({n_reg} seeds", ln) for ln in out]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out))


def _botorch_minimize(torch, fn, n_calls, seed):
    """BoTorch's loop from probstat's initial design (the same points); best value."""
    n0 = max(5, 2 * fn.dim)
    lo, hi = np.array(fn.bounds, dtype=float).T
    X = np.array(BayesianOptimizer(list(fn.bounds), n_initial=n0,
                                   random_state=seed).ask(n0), dtype=float)
    y = fn(X)
    torch.manual_seed(seed)
    while len(y) < n_calls:
        x = botorch_logei_next(torch, X, y, lo, hi)
        X, y = np.vstack([X, x]), np.append(y, fn(x[None])[0])
    return X[:n0], float(np.min(y))


def _botorch_regret(torch, problems, min_seeds, seconds):
    """Seeds 0, 1, ... until ``seconds`` have passed (at least ``min_seeds``)."""
    out = {fn.name: ([], [], [0.0, 0.0]) for fn, _ in problems}
    t0, seed = time.perf_counter(), 0
    while seed < min_seeds or time.perf_counter() - t0 < seconds:
        for fn, n_calls in problems:
            ours, theirs, secs = out[fn.name]
            t = time.perf_counter()
            res = minimize(fn, fn.bounds, n_calls=n_calls, random_state=seed)
            secs[0] += time.perf_counter() - t
            t = time.perf_counter()
            design, best = _botorch_minimize(torch, fn, n_calls, seed)
            secs[1] += time.perf_counter() - t
            if not np.allclose(design, np.array(res.x_iters[: len(design)], dtype=float)):
                raise RuntimeError("the initial designs differ")
            ours.append(fn.regret(res.fun))
            theirs.append(fn.regret(best))
            print(f"  {fn.name} seed {seed}: probstat {ours[-1]:.3g}  BoTorch "
                  f"{theirs[-1]:.3g}", flush=True)
        seed += 1
    return out, seed




def _botorch_fidelity(torch, c0, c1, budget, min_seeds, seconds, num_fantasies,
                      raw_samples=256):
    """probstat's cost-aware KG and log-EI (``_fidelity_run``) and BoTorch's MFKG per seed."""
    def cost(s):
        return c0 + c1 * s

    rows, t0, seed = [], time.perf_counter(), 0
    while seed < min_seeds or time.perf_counter() - t0 < seconds:
        mfd, ei = _fidelity_run(seed, cost, budget, raw_samples)
        mf = (mfd["x_target_regret"], mfd["sec"], mfd["n"], mfd["share_low"])
        opt = BayesianOptimizer([(0.0, 1.0)] * 6, fidelity=(0.0, 1.0), cost=cost,
                                raw_samples=raw_samples, random_state=seed)
        bt = botorch_mfkg_run(torch, opt.ask(opt.n_initial), c0, c1, budget,
                               num_fantasies, seed)
        rows.append((mf, ei, bt))
        print(f"  augmented Hartmann-6, cost {c0:g} + {c1:g} s, seed {seed}: probstat KG "
              f"{mf[0]:.3g} ({mf[2]} evals), log-EI {ei[0]:.3g}, BoTorch MFKG {bt[0]:.3g} "
              f"({bt[2]} evals, {bt[1]:.1f} s/iteration)", flush=True)
        seed += 1
    return rows


def _regret_rows(reg, n_reg):
    """Markdown rows of the BoTorch regret table from :func:`_botorch_regret`."""
    rows = []
    for (fn, n_calls), label in (((branin, 30), "Branin"), ((hartmann6, 60), "Hartmann-6")):
        ours, theirs, secs = reg[fn.name]
        lo, lt = _log10(ours), _log10(theirs)
        rows.append(f"| {label} | {n_calls} | {np.median(lo):.2f} | {np.median(lt):.2f} | "
                    f"{int(np.sum(lo <= lt))}/{n_reg} | {secs[0] / n_reg:.1f} / "
                    f"{secs[1] / n_reg:.1f} |")
    return rows


def _log10(values):
    return np.log10(np.maximum(np.asarray(values, dtype=float), 1e-12))


def botorch_section(regret_seconds=420.0, min_regret_seeds=5, fidelity_seconds=600.0,
                    min_fidelity_seeds=3, budget=150.0, num_fantasies=64,
                    costs=()):
    """probstat against BoTorch: one iteration, regret, multi-fidelity KG (Markdown block).

    Everything runs in this process with one torch thread and one BLAS thread. The seeds
    run while the time budgets last (at least the minimum numbers); the tables state how
    many ran.
    """
    torch, botorch = import_botorch()
    with threadpool_limits(limits=1):
        print("BoTorch: one iteration at n = 300, d = 6; GP fit at n = 1000 ...", flush=True)
        it = _botorch_iteration_and_fit(torch)
        print("BoTorch: regret ...", flush=True)
        reg, n_reg = _botorch_regret(torch, ((branin, 30), (hartmann6, 60)),
                                     min_regret_seeds, regret_seconds)
        mf = {}
        for c0, c1 in costs:
            print(f"BoTorch: multi-fidelity, cost {c0:g} + {c1:g} s ...", flush=True)
            mf[c0, c1] = _botorch_fidelity(torch, c0, c1, budget, min_fidelity_seeds,
                                           fidelity_seconds, num_fantasies)
    reg_rows = _regret_rows(reg, n_reg)
    mf_rows, mf_seeds = [], []
    for (c0, c1), rows in mf.items():
        n = len(rows)
        mf_seeds.append(n)
        lm = _log10([r[0][0] for r in rows])
        le = _log10([r[1][0] for r in rows])
        lb = _log10([r[2][0] for r in rows])
        tag = f"{c0:g} + {c1:g} s"
        mf_rows += [
            f"| {tag} | probstat cost-aware KG over (x, s) | {n} | {np.median(lm):.2f} | "
            f"{int(np.sum(lm <= lb))}/{n} | {np.mean([r[0][2] for r in rows]):.1f} | "
            f"{np.mean([r[0][3] for r in rows]):.2f} | "
            f"{np.mean([r[0][1] for r in rows]):.2f} |",
            f"| {tag} | BoTorch qMultiFidelityKnowledgeGradient | {n} | {np.median(lb):.2f} | "
            f" | {np.mean([r[2][2] for r in rows]):.1f} | "
            f"{np.mean([r[2][3] for r in rows]):.2f} | "
            f"{np.mean([r[2][1] for r in rows]):.2f} |",
            f"| {tag} | probstat log-EI at s = 1 only | {n} | {np.median(le):.2f} | | "
            f"{np.mean([r[1][2] for r in rows]):.1f} | 0 | "
            f"{np.mean([r[1][1] for r in rows]):.2f} |",
        ]
    per_seed = "; ".join(
        f"cost {c0:g} + {c1:g} s: " + ", ".join(
            f"{a:.2f} / {b:.2f}" for a, b in zip(_log10([r[0][0] for r in rows]),
                                                 _log10([r[2][0] for r in rows])))
        for (c0, c1), rows in mf.items())
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "### Against BoTorch",
        "",
        f"BoTorch {botorch.__version__} with torch {torch.__version__.split('+')[0]} "
        "(CPU, `torch.set_num_threads(1)`) and probstat in one process, one BLAS thread "
        f"(threadpoolctl); 2-core VM shared with other jobs; {date}. Generated by "
        "`benchmarks/bench_bayesopt.py --botorch-only`. BoTorch's loop is its documented "
        "one: `SingleTaskGP` (inputs normalised to the box, outputs standardised), "
        "`fit_gpytorch_mll`, `LogExpectedImprovement`, `optimize_acqf` with "
        "num_restarts = 10 and raw_samples = 512.",
        "",
        "| case | probstat | BoTorch | ratio (BoTorch / probstat) |",
        "| --- | ---: | ---: | ---: |",
        *_iteration_rows(it),
        "",
        _ITERATION_NOTE,
        "",
        f"Regret ({n_reg} seeds, as many as fitted in {regret_seconds / 60:.0f} minutes, "
        f"at least {min_regret_seeds}; "
        "BoTorch starts from probstat's initial design, the same points, and runs its "
        "loop to the same number of evaluations; regret of the best evaluated point):",
        "",
        "| problem | budget | probstat median log10 regret | BoTorch median log10 regret | "
        "seeds where probstat <= BoTorch | mean seconds per run probstat / BoTorch |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
        *reg_rows,
        "",
    ]
    if not costs:  # the 10-seed comparison lives in the multi-fidelity block
        lines.append("Multi-fidelity augmented Hartmann-6 against BoTorch's "
                     "`qMultiFidelityKnowledgeGradient`: see the multi-fidelity block above "
                     "(same seeds and initial designs).")
        return "\n".join(lines)
    lines += [
        f"Multi-fidelity augmented Hartmann-6, total cost {budget:g} including the initial "
        "design (probstat's 14 points in (x, s), the same for both), cost c0 + c1 s per "
        "evaluation, one point per iteration (q = 1). BoTorch follows its continuous "
        "multi-fidelity KG tutorial: `SingleTaskMultiFidelityGP(data_fidelities=[6])`, "
        "`qMultiFidelityKnowledgeGradient` with `AffineFidelityCostModel`, "
        "`InverseCostWeightedUtility` and `project_to_target_fidelity`, one-shot initial "
        f"conditions, the tutorial's optimiser options, but {num_fantasies} fantasies "
        "instead of 128 and q = 1 instead of 4 to fit the time here; its answer is the "
        "maximiser of the posterior mean at s = 1. probstat's answer is `x_target` (the "
        "guarded maximiser of the posterior mean at s = 1 over the box); log-EI at s = 1 "
        "spends the same budget on target evaluations only. Regret is measured at s = 1; "
        "seconds per iteration are fit plus acquisition. Seeds: as many as fitted in "
        f"{fidelity_seconds / 60:.0f} minutes, at least {min_fidelity_seeds}.",
        "",
        "| cost | method | seeds | median log10 regret | seeds where probstat KG <= BoTorch | "
        "mean evaluations | share at s < 0.5 | mean seconds per iteration |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *mf_rows,
        "",
        "Per-seed log10 regret (probstat KG / BoTorch MFKG), " + per_seed + ".",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    if "--derivative-only" in sys.argv:
        _derivative_main()
    else:
        main()
