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
from _common import write_block
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
    ours = []
    opt = BayesianOptimizer([(0.0, 1.0)] * d, n_initial=1, random_state=seed)
    opt.tell([list(x) for x in X[:n]], list(y[:n]))
    for r in range(reps):
        t = time.perf_counter()
        opt.ask()
        ours.append(time.perf_counter() - t)
        opt.pending = []
        opt.tell(list(X[n + r]), float(y[n + r]))
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
FIDELITY_START, FIDELITY_END = "<!-- fidelity:start -->", "<!-- fidelity:end -->"


FIDELITY_KERNELS = (("linear_truncated", "linear truncated"), ("rbf", "stationary RBF"))
FIDELITY_RULES = ("box", "evaluated")
BOTORCH_MF_JSON = ROOT / "bench-output" / "botorch_mfkg.json"


def _fidelity_run(seed, cost, budget, raw_samples, z_kernel="linear_truncated",
                  with_ei=True, problem="hartmann6"):
    """One seed of the cost-aware KG (and of log-EI at s = 1) under ``cost``, same budget.

    Returns a dict for the KG run (regret at s = 1 of each recommendation rule from the
    same final model, seconds per iteration, evaluations, share at s < 0.5) and, with
    ``with_ei``, a tuple for log-EI (regret of the best point, seconds per iteration,
    evaluations).
    """
    from probstat.bayesopt import test_functions as tf

    if problem == "hartmann6":
        box, fn, base = [(0.0, 1.0)] * 6, tf.augmented_hartmann6, hartmann6
    else:
        box, fn, base = [(-5.0, 10.0), (0.0, 15.0)], tf.augmented_branin, branin
    opt = BayesianOptimizer(box, fidelity=(0.0, 1.0), cost=cost,
                            raw_samples=raw_samples, random_state=seed)
    opt._mf.z_kernel = z_kernel
    spent = 0.0
    while True:
        x = opt.ask()
        if spent + cost(x[-1]) > budget:
            break
        opt.tell(x, fn(x))
        spent += cost(x[-1])
    res = opt.result()
    plan, model = opt._mf, opt.models[-1]
    regret = {}
    for rule in FIDELITY_RULES:
        u = plan._recommend(model, plan.target, opt, rule)
        regret[rule] = float(base.regret(fn(plan.xspace.decode(u)[0] + [1.0])))
    mf = {"regret": regret, "x_target_regret": float(base.regret(fn(res.x_target))),
          "sec": float(np.mean([t["fit"] + t["acquisition"] for t in opt.timings])),
          "n": len(res.x_iters), "share_low": float(np.mean([p[-1] < 0.5
                                                             for p in res.x_iters]))}
    if not with_ei:
        return mf, None
    n_target = int(budget // cost(1.0))
    ei = BayesianOptimizer(box, raw_samples=raw_samples, random_state=seed)
    ei.run(lambda x: base(x), n_target)
    ei_out = (base.regret(float(np.min(ei.func_vals))),
              np.mean([t["fit"] + t["acquisition"] for t in ei.timings]), n_target)
    return mf, ei_out


def fidelity_section(seeds, budget=150.0, raw_samples=256,
                     costs=((5.0, 1.0), (1.0, 9.0)), botorch_json=BOTORCH_MF_JSON):
    """Multi-fidelity augmented Hartmann-6 at a fixed total cost, two cost models.

    probstat's cost-aware KG over (x, s) with the linear truncated and the stationary
    fidelity kernel against single-fidelity log-EI at s = 1, same seeds, for each cost
    model ``c0 + c1 s``; simple regret at the target fidelity of each method's final
    answer and the mean seconds per model-based iteration. If ``botorch_json`` holds
    BoTorch MF-KG runs (``--fidelity-botorch-only``), a second table compares them with
    the same seeds' probstat runs.
    """
    seeds = list(seeds)
    n = len(seeds)
    rows, per_seed, runs_all = [], [], {}
    for c0, c1 in costs:
        def cost(s, c0=c0, c1=c1):
            return c0 + c1 * s

        runs = {k: [] for k, _ in FIDELITY_KERNELS}
        ei = []
        for seed in seeds:
            for i, (k, _) in enumerate(FIDELITY_KERNELS):
                mf, e = _fidelity_run(seed, cost, budget, raw_samples, k, with_ei=i == 0)
                runs[k].append(mf)
                if e is not None:
                    ei.append(e)
            print(f"  augmented Hartmann-6, cost {c0:g} + {c1:g} s, seed {seed}: KG "
                  + ", ".join(f"{k} {runs[k][-1]['regret']}" for k, _ in FIDELITY_KERNELS)
                  + f" ({runs['linear_truncated'][-1]['n']} evals), log-EI {ei[-1][0]:.3g}",
                  flush=True)
        runs_all[c0, c1] = runs
        le = _log10([e[0] for e in ei])
        for k, label in FIDELITY_KERNELS:
            r = runs[k]
            lb = _log10([x["regret"]["box"] for x in r])
            lv = _log10([x["regret"]["evaluated"] for x in r])
            rows.append(
                f"| {c0:g} + {c1:g} s | cost-aware KG, {label} fidelity kernel | "
                f"{np.median(lb):.2f} | {np.median(lv):.2f} | {int(np.sum(lb <= le))}/{n} | "
                f"{np.mean([x['n'] for x in r]):.1f} | "
                f"{np.mean([x['share_low'] for x in r]):.2f} | "
                f"{np.mean([x['sec'] for x in r]):.2f} |")
            if k == "linear_truncated":
                per_seed.append(f"cost {c0:g} + {c1:g} s: " + ", ".join(
                    f"{a:.2f} / {b:.2f}" for a, b in zip(lb, le)))
        rows.append(f"| {c0:g} + {c1:g} s | log-EI at s = 1 only | | {np.median(le):.2f} | | "
                    f"{np.mean([e[2] for e in ei]):.1f} | 0 | "
                    f"{np.mean([e[1] for e in ei]):.2f} |")
    block = [
        FIDELITY_START,
        f"### Multi-fidelity augmented Hartmann-6 ({n} seeds, total cost {budget:g})",
        "",
        "Cost c0 + c1 s per evaluation (s in [0, 1], target s = 1), total cost including "
        "the 14-point initial design in (x, s); one BLAS thread; "
        f"raw_samples = {raw_samples}; same seeds for all methods; 2-core VM shared with "
        "other jobs. Regret at s = 1 of the final answer. For the cost-aware KG, two "
        "answers from the same final model: the maximiser of the posterior mean at s = 1 "
        "over the box, kept when its mean - sd beats that of the best evaluated x (`box`, "
        "the default `x_target`), and the evaluated x with the best posterior mean at "
        "s = 1 (`evaluated`); for log-EI the best evaluated point. The KG is maximised by "
        "multistart L-BFGS-B over (x, s) (8 starts from the best quasi-random candidates, "
        "central-difference gradients).",
        "",
        "| cost | method | median log10 regret, box | median log10 regret, evaluated | "
        "seeds where KG (box) <= log-EI | mean evaluations | share at s < 0.5 | "
        "mean seconds per iteration |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "Per-seed log10 regret (KG with the linear truncated kernel, box / log-EI): "
        + "; ".join(per_seed) + ".",
    ]
    block += _fidelity_branin_rows(seeds, raw_samples)
    block += _fidelity_botorch_rows(runs_all, seeds, botorch_json)
    return block + [FIDELITY_END]


def _fidelity_branin_rows(seeds, raw_samples, c0=1.0, c1=9.0, budget=80.0):
    """Augmented Branin (a fidelity bias that grows with x), both fidelity kernels."""
    def cost(s):
        return c0 + c1 * s

    runs = {k: [] for k, _ in FIDELITY_KERNELS}
    ei = []
    for seed in seeds:
        for i, (k, _) in enumerate(FIDELITY_KERNELS):
            mf, e = _fidelity_run(seed, cost, budget, raw_samples, k, with_ei=i == 0,
                                  problem="branin")
            runs[k].append(mf)
            if e is not None:
                ei.append(e)
        print(f"  augmented Branin, cost {c0:g} + {c1:g} s, seed {seed}: KG "
              + ", ".join(f"{k} {runs[k][-1]['regret']}" for k, _ in FIDELITY_KERNELS)
              + f", log-EI {ei[-1][0]:.3g}", flush=True)
    n = len(seeds)
    le = _log10([e[0] for e in ei])
    rows = []
    for k, label in FIDELITY_KERNELS:
        lb = _log10([x["regret"]["box"] for x in runs[k]])
        lv = _log10([x["regret"]["evaluated"] for x in runs[k]])
        rows.append(f"| cost-aware KG, {label} fidelity kernel | {np.median(lb):.2f} | "
                    f"{np.median(lv):.2f} | {int(np.sum(lb <= le))}/{n} | "
                    f"{np.mean([x['n'] for x in runs[k]]):.1f} | "
                    f"{np.mean([x['share_low'] for x in runs[k]]):.2f} | "
                    f"{np.mean([x['sec'] for x in runs[k]]):.2f} |")
    rows.append(f"| log-EI at s = 1 only | | {np.median(le):.2f} | | "
                f"{np.mean([e[2] for e in ei]):.1f} | 0 | {np.mean([e[1] for e in ei]):.2f} |")
    lt = _log10([x["regret"]["box"] for x in runs["linear_truncated"]])
    st = _log10([x["regret"]["box"] for x in runs["rbf"]])
    return [
        "",
        f"Augmented Branin ({n} seeds, cost {c0:g} + {c1:g} s, total cost {budget:g}, "
        "6-point initial design; the fidelity shifts the coefficient of x1^2, so the "
        "low-fidelity bias grows with x1):",
        "",
        "| method | median log10 regret, box | median log10 regret, evaluated | "
        "seeds where KG (box) <= log-EI | mean evaluations | share at s < 0.5 | "
        "mean seconds per iteration |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Linear truncated kernel at least as good as the stationary one on "
        f"{int(np.sum(lt <= st))}/{n} seeds (box answers). Per-seed log10 regret "
        "(linear truncated / stationary): "
        + ", ".join(f"{a:.2f} / {b:.2f}" for a, b in zip(lt, st)) + ".",
    ]


def fidelity_section_cached(seeds, cache=ROOT / "bench-output" / "fidelity_runs.json",
                            rerun=True, **kw):
    """:func:`fidelity_section`, caching its runs so the tables can be rebuilt alone.

    With ``rerun=False`` the runs are read back from ``cache`` (``--fidelity-table-only``,
    e.g. once the BoTorch runs have finished); with ``rerun="missing"`` only the runs not
    in it are computed (``--fidelity-resume``).
    """
    import json

    cache = Path(cache)
    global _fidelity_run
    run = _fidelity_run
    store = json.loads(cache.read_text()) if (cache.exists() and rerun is not True) else {}

    def cached(seed, cost, budget, raw_samples, z_kernel="linear_truncated", with_ei=True,
               problem="hartmann6"):
        key = f"{seed}|{cost(0.0):g}|{cost(1.0):g}|{budget:g}|{raw_samples}|{z_kernel}|{with_ei}"
        key += "" if problem == "hartmann6" else f"|{problem}"
        if key not in store:
            if not rerun:
                raise SystemExit(f"no cached run {key} in {cache}: run --fidelity-only first")
            store[key] = run(seed, cost, budget, raw_samples, z_kernel, with_ei, problem)
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(store))
        return store[key]

    _fidelity_run = cached
    try:
        return fidelity_section(seeds, **kw)
    finally:
        _fidelity_run = run


def _fidelity_botorch_rows(runs_all, seeds, path):
    """The table against BoTorch's MF-KG from its per-seed JSON (same seeds and designs)."""
    import json

    if path is None or not Path(path).exists():
        return []
    data = json.loads(Path(path).read_text())
    lines = []
    for (c0, c1), runs in runs_all.items():
        key = f"{c0:g}+{c1:g}"
        bt = data.get(key, {})
        common = [i for i, s in enumerate(seeds) if str(s) in bt]
        if not common:
            continue
        ours = runs["linear_truncated"]
        lo = _log10([ours[i]["regret"]["box"] for i in common])
        lb = _log10([bt[str(seeds[i])]["regret"] for i in common])
        m = len(common)
        meta = next(iter(bt.values()))
        lines += [
            "",
            f"Against BoTorch {meta.get('botorch', '')} `qMultiFidelityKnowledgeGradient`, "
            f"cost {c0:g} + {c1:g} s, {m} seeds (the same seeds and initial designs; "
            "BoTorch's continuous multi-fidelity tutorial loop: "
            "`SingleTaskMultiFidelityGP(data_fidelities=[6])` with its linear truncated "
            "kernel, `AffineFidelityCostModel`, `InverseCostWeightedUtility`, "
            f"`project_to_target_fidelity`, {meta.get('num_fantasies', 64)} fantasies, "
            "q = 1, one-shot initial conditions; its answer is the maximiser of the "
            "posterior mean at s = 1). One torch thread, one BLAS thread; BoTorch ran in "
            "its own process (`--fidelity-botorch-only`) on the same shared VM, so the "
            "seconds compare only roughly.",
            "",
            "| method | median log10 regret | seeds where probstat <= BoTorch | "
            "mean evaluations | share at s < 0.5 | mean seconds per iteration |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            f"| probstat cost-aware KG (linear truncated, box) | {np.median(lo):.2f} | "
            f"{int(np.sum(lo <= lb))}/{m} | {np.mean([ours[i]['n'] for i in common]):.1f} | "
            f"{np.mean([ours[i]['share_low'] for i in common]):.2f} | "
            f"{np.mean([ours[i]['sec'] for i in common]):.2f} |",
            f"| BoTorch qMultiFidelityKnowledgeGradient | {np.median(lb):.2f} | | "
            f"{np.mean([bt[str(seeds[i])]['n'] for i in common]):.1f} | "
            f"{np.mean([bt[str(seeds[i])]['share_low'] for i in common]):.2f} | "
            f"{np.mean([bt[str(seeds[i])]['sec_per_iter'] for i in common]):.2f} |",
            "",
            "Per-seed log10 regret (probstat / BoTorch): " + ", ".join(
                f"{a:.2f} / {b:.2f}" for a, b in zip(lo, lb)) + ".",
        ]
    return lines


def botorch_fidelity_seeds(seeds, path=BOTORCH_MF_JSON, c0=5.0, c1=1.0, budget=150.0,
                           num_fantasies=64, raw_samples=256):
    """BoTorch's MF-KG loop per seed from probstat's initial design, saved to ``path``.

    Seeds already in the file are skipped, so an interrupted run resumes.
    """
    import json

    torch, botorch = import_botorch()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.exists() else {}
    key = f"{c0:g}+{c1:g}"
    data.setdefault(key, {})
    with threadpool_limits(limits=1):
        for seed in seeds:
            if str(seed) in data[key]:
                continue
            opt = BayesianOptimizer([(0.0, 1.0)] * 6, fidelity=(0.0, 1.0),
                                    cost=lambda s: c0 + c1 * s, raw_samples=raw_samples,
                                    random_state=seed)
            r, secs, n, low = botorch_mfkg_run(torch, opt.ask(opt.n_initial), c0, c1, budget,
                                               num_fantasies, seed)
            data[key][str(seed)] = {"regret": r, "sec_per_iter": secs, "n": n,
                                    "share_low": low, "botorch": botorch.__version__,
                                    "num_fantasies": num_fantasies}
            path.write_text(json.dumps(data, indent=1))
            print(f"  BoTorch MF-KG, cost {c0:g} + {c1:g} s, seed {seed}: regret {r:.3g} "
                  f"({n} evals, {secs:.1f} s/iteration)", flush=True)
    return data


def _write_fidelity_block(path, block):
    """Replace (or append) the marked multi-fidelity block of ``path``."""
    old = path.read_text() if path.exists() else ""
    text = "\n".join(block)
    if FIDELITY_START in old and FIDELITY_END in old:
        head, rest = old.split(FIDELITY_START, 1)
        new = head + text + rest.split(FIDELITY_END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(new)


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
    args = parser.parse_args()
    if args.fidelity_botorch_only:
        botorch_fidelity_seeds(range(3) if args.quick else range(10))
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
    old = out.read_text() if out.exists() else ""
    block = "\n".join(lines)
    if DERIV_START in old and DERIV_END in old:
        head, rest = old.split(DERIV_START, 1)
        text = head + block + rest.split(DERIV_END, 1)[1]
    else:
        text = old.rstrip("\n") + "\n\n" + block + "\n"
    out.write_text(text)


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






def _ours_ask_times(X, y, n, reps, seed):
    """Seconds of ``BayesianOptimizer.ask`` after n, n + 1, ... observations."""
    times = []
    opt = BayesianOptimizer([(0.0, 1.0)] * X.shape[1], n_initial=1, random_state=seed)
    opt.tell([list(x) for x in X[:n]], list(y[:n]))
    for r in range(reps):
        t = time.perf_counter()
        opt.ask()
        times.append(time.perf_counter() - t)
        opt.pending = []
        opt.tell(list(X[n + r]), float(y[n + r]))
    return times


def _botorch_iteration_and_fit(torch, n=300, d=6, reps=3, n_fit=1000, seed=0):
    """Median seconds of one iteration at n (both), and one GP fit at n_fit (both)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n + reps, d))
    y = hartmann6(X)
    ours = _ours_ask_times(X, y, n, reps, seed)
    theirs = []
    torch.manual_seed(seed)
    for r in range(reps):
        t = time.perf_counter()
        botorch_logei_next(torch, X[: n + r], y[: n + r], np.zeros(d), np.ones(d))
        theirs.append(time.perf_counter() - t)
    Xf = rng.uniform(size=(n_fit, d))
    yf = hartmann6(Xf)
    t = time.perf_counter()
    GaussianProcess(bounds=np.tile([0.0, 1.0], (d, 1))).fit(Xf, yf)
    fit_ours = time.perf_counter() - t
    t = time.perf_counter()
    botorch_fit(torch, Xf, yf, np.zeros(d), np.ones(d))
    fit_theirs = time.perf_counter() - t
    return (float(np.median(ours)), float(np.median(theirs)), fit_ours, fit_theirs)


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


def _log10(values):
    return np.log10(np.maximum(np.asarray(values, dtype=float), 1e-12))


def botorch_section(regret_seconds=420.0, min_regret_seeds=5, fidelity_seconds=600.0,
                    min_fidelity_seeds=3, budget=150.0, num_fantasies=64,
                    costs=((5.0, 1.0),)):
    """probstat against BoTorch: one iteration, regret, multi-fidelity KG (Markdown block).

    Everything runs in this process with one torch thread and one BLAS thread. The seeds
    run while the time budgets last (at least the minimum numbers); the tables state how
    many ran.
    """
    torch, botorch = import_botorch()
    with threadpool_limits(limits=1):
        print("BoTorch: one iteration at n = 300, d = 6; GP fit at n = 1000 ...", flush=True)
        it_ours, it_theirs, fit_ours, fit_theirs = _botorch_iteration_and_fit(torch)
        print("BoTorch: regret ...", flush=True)
        reg, n_reg = _botorch_regret(torch, ((branin, 30), (hartmann6, 60)),
                                     min_regret_seeds, regret_seconds)
        mf = {}
        for c0, c1 in costs:
            print(f"BoTorch: multi-fidelity, cost {c0:g} + {c1:g} s ...", flush=True)
            mf[c0, c1] = _botorch_fidelity(torch, c0, c1, budget, min_fidelity_seeds,
                                           fidelity_seconds, num_fantasies)
    reg_rows = []
    for (fn, n_calls), label in (((branin, 30), "Branin"), ((hartmann6, 60), "Hartmann-6")):
        ours, theirs, secs = reg[fn.name]
        lo, lt = _log10(ours), _log10(theirs)
        reg_rows.append(f"| {label} | {n_calls} | {np.median(lo):.2f} | {np.median(lt):.2f} | "
                        f"{int(np.sum(lo <= lt))}/{n_reg} | {secs[0] / n_reg:.1f} / "
                        f"{secs[1] / n_reg:.1f} |")
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
    body = "\n".join([
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
        f"| one BO iteration (fit + acquisition), n = 300, d = 6, median of 3, seconds | "
        f"{it_ours:.3f} | {it_theirs:.3f} | {it_theirs / it_ours:.2f}x |",
        f"| GP hyperparameter fit, n = 1000, d = 6, seconds | {fit_ours:.2f} | "
        f"{fit_theirs:.2f} | {fit_theirs / fit_ours:.2f}x |",
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
        f"Multi-fidelity augmented Hartmann-6, total cost {budget:g} including the initial "
        "design (probstat's 14 points in (x, s), the same for both), cost c0 + c1 s per "
        "evaluation, one point per iteration (q = 1). BoTorch follows its continuous "
        "multi-fidelity KG tutorial: `SingleTaskMultiFidelityGP(data_fidelities=[6])`, "
        "`qMultiFidelityKnowledgeGradient` with `AffineFidelityCostModel`, "
        "`InverseCostWeightedUtility` and `project_to_target_fidelity`, one-shot initial "
        f"conditions, the tutorial's optimiser options, but {num_fantasies} fantasies "
        "instead of 128 and q = 1 instead of 4 to fit the time here; its answer is the "
        "maximiser of the posterior mean at s = 1. probstat's answer is the evaluated x with "
        "the best posterior mean at s = 1 (`x_target`); log-EI at s = 1 spends the same "
        "budget on target evaluations only. Regret is measured at s = 1; seconds per "
        "iteration are fit plus acquisition. Seeds: as many as fitted in "
        f"{fidelity_seconds / 60:.0f} minutes, at least {min_fidelity_seeds}.",
        "",
        "| cost | method | seeds | median log10 regret | seeds where probstat KG <= BoTorch | "
        "mean evaluations | share at s < 0.5 | mean seconds per iteration |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *mf_rows,
        "",
        "Per-seed log10 regret (probstat KG / BoTorch MFKG), " + per_seed + ".",
    ])
    return body


if __name__ == "__main__":
    import sys

    if "--derivative-only" in sys.argv:
        _derivative_main()
    else:
        main()
