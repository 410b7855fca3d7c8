"""The multi-fidelity block of ``bench_bayesopt.py`` (``--fidelity-only`` and friends).

Cost-aware KG over (x, s) on augmented Hartmann-6 (two cost models) and augmented Branin,
with the linear truncated and the stationary fidelity kernel, against single-fidelity
log-EI at s = 1 on the same seeds, and against BoTorch's multi-fidelity KG on the same
seeds and initial designs (its runs saved per seed by ``--fidelity-botorch-only``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _botorch_loops import botorch_mfkg_run, import_botorch
from _common import replace_marked
from threadpoolctl import threadpool_limits

from probstat.bayesopt import BayesianOptimizer
from probstat.bayesopt.test_functions import branin, hartmann6

ROOT = Path(__file__).resolve().parents[1]


def _log10(values):
    return np.log10(np.maximum(np.asarray(values, dtype=float), 1e-12))


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
    opt = BayesianOptimizer(box, fidelity=(0.0, 1.0), cost=cost, fidelity_kernel=z_kernel,
                            raw_samples=raw_samples, random_state=seed)
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
            "its own process (`--fidelity-botorch-only`) on the same shared VM at other "
            "times and loads, so the seconds compare only roughly (BoTorch's mean seconds "
            "per iteration ranged from "
            f"{min(bt[str(seeds[i])]['sec_per_iter'] for i in common):.0f} to "
            f"{max(bt[str(seeds[i])]['sec_per_iter'] for i in common):.0f} over the seeds).",
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
    replace_marked(path, FIDELITY_START, FIDELITY_END, "\n".join(block))
