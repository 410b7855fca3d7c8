"""probstat.coupling against the straightforward implementations the research code uses.

Run: ``python benchmarks/bench_coupling.py`` (writes docs/performance/coupling.md).

- Greedy MEC: probstat's numba kernel (presort + remainder heap, O(N log N)) against the
  O(n^2) ``argmax`` loop of the research code (ssokota/mec's Python fallback, the MEC-B
  authors' ``min_ent_coupling``), on the same Dirichlet(1) marginals; both give the same
  atoms bit for bit (checked here).
- EBIM greedy: the closed form after one sort against the step-by-step search.
- Exact MEC: the subset DP against vertex enumeration over spanning trees.
- Batch: ``greedy_mec_batch`` against a Python loop of ``greedy_mec`` calls.
- Greedy against ``np.sort`` of both marginals, and the starts of ``ebim_refine``
  (``python benchmarks/bench_coupling.py core`` runs only these two).
"""

import os
import resource
import sys
import time

import numpy as np
from _common import ROOT, best_time, markdown_table, write_block, write_section

sys.path.insert(0, str(ROOT))  # the plain reference implementations live in tests/

from probstat.coupling import (  # noqa: E402
    ebim_greedy,
    ebim_refine,
    exact_mec,
    greedy_mec,
    greedy_mec_batch,
    mec_lower_bound,
)
from tests.coupling._reference import (  # noqa: E402
    ebim_greedy_loop,
    greedy_mec_argmax,
    mec_vertex_enumeration,
)


def _once(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def _best_cpu(fn, *args, repeat=3):
    """Best process CPU time: less sensitive than wall time to other jobs' load."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn(*args)
        best = min(best, time.process_time() - start)
    return best


def _fmt(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _transport_plan(p, q, cost):
    """Optimal transport plan of ``p`` to ``q`` for ``cost`` (SciPy's HiGHS LP)."""
    from scipy.optimize import linprog

    n, k = cost.shape
    rows = np.kron(np.eye(n), np.ones((1, k)))
    cols = np.kron(np.ones((1, n)), np.eye(k))
    res = linprog(cost.ravel(), A_eq=np.vstack([rows, cols]), b_eq=np.concatenate([p, q]),
                  bounds=(0, None), method="highs")
    return np.maximum(res.x.reshape(n, k), 0.0)


def _bits(joint):
    joint = joint[joint > 0]
    return float(-(joint * np.log2(joint)).sum())


def choice_rows(rng, n_pairs=200, size=6):
    """Greedy vs exact vs independence vs optimal transport on small random pairs."""
    pairs = rng.dirichlet(np.ones(size), size=(n_pairs, 2))
    cost = np.abs(np.subtract.outer(np.arange(size), np.arange(size))).astype(float)
    methods = {
        "greedy_mec": lambda p, q: np.asarray(greedy_mec(p, q)),
        "exact_mec (subset DP)": lambda p, q: np.asarray(exact_mec(p, q)),
        "independent, np.outer(p, q)": np.outer,
        "optimal transport, cost abs(x - y) (scipy linprog)":
            lambda p, q: _transport_plan(p, q, cost),
    }
    exact = np.array([exact_mec(p, q).entropy() for p, q in pairs])
    rows = []
    for name, fn in methods.items():
        start = time.perf_counter()
        joints = [fn(p, q) for p, q in pairs]
        per_call = (time.perf_counter() - start) / n_pairs
        h = np.array([_bits(j) for j in joints])
        gap = np.where(np.abs(h - exact) < 1e-12, 0.0, h - exact)
        moved = np.mean([(j * cost).sum() for j in joints])
        rows.append((name, f"{h.mean():.3f}", f"{gap.mean():.3f}", f"{gap.max():.3f}",
                     f"{np.mean(gap < 1e-9):.0%}", f"{moved:.3f}", _fmt(per_call)))
    return rows


def _write_block(name, text):
    """Put ``text`` between this benchmark's ``<!-- name:start/end -->`` markers of
    docs/performance/coupling.md (appended when they are missing), leaving the rest."""
    write_block("coupling", name, text)


def _compile_seconds():
    """First-call cost of the greedy kernel in a fresh process with an empty numba cache."""
    import subprocess
    import tempfile

    script = ("import time, numpy as np\n"
              "from probstat.coupling import greedy_mec\n"
              "p = np.array([0.6, 0.4]); q = np.array([0.4, 0.3, 0.3])\n"
              "t0 = time.perf_counter(); greedy_mec(p, q); t1 = time.perf_counter()\n"
              "greedy_mec(p, q); t2 = time.perf_counter()\n"
              "print((t1 - t0) - (t2 - t1))\n")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, check=True)
    return float(out.stdout.strip())


def bench_greedy_vs_sort():
    """Greedy MEC against sorting both marginals, same input, same process."""
    from probstat.coupling._coupling import _order_desc

    rng = np.random.default_rng(0)
    greedy_mec([0.5, 0.5], [0.5, 0.5])  # compiled (or loaded from the cache) first
    rows = []
    for n in (10**4, 10**5, 10**6):
        p, q = rng.dirichlet(np.ones(n), size=2)
        repeat = 7 if n < 10**6 else 3
        sort_t = best_time(lambda a, b: (np.sort(a), np.sort(b)), p, q, repeat=repeat)
        order_t = best_time(lambda a, b: (_order_desc(a), _order_desc(b)), p, q,
                            repeat=repeat)
        greedy_t = best_time(greedy_mec, p, q, repeat=repeat)
        rows.append((f"{n:.0e}", _fmt(sort_t), _fmt(order_t), _fmt(greedy_t),
                     f"{greedy_t / sort_t:.1f}"))
    compile_t = _compile_seconds()
    load = os.getloadavg()[0]
    text = (
        "### Greedy MEC against sorting\n\n"
        "Two Dirichlet(1) marginals of n outcomes each (seed 0), m = 2. 'sort' is "
        "`np.sort` of both marginals; 'argsort' is the ordering greedy needs (value "
        "descending, lowest index first among ties) of both; 'greedy_mec' is the whole "
        "call (validation, ordering, the compiled merge with its heap of partly used "
        "entries, the sparse result). ratio = greedy_mec / sort. Best of 3 to 7 runs in "
        "one process, after the kernel is compiled; compiling it once in a fresh process "
        f"with an empty numba cache took {compile_t:.1f} s (later processes load it from "
        f"the cache). Load average {load:.1f} on {os.cpu_count()} shared cores at the end "
        "of this run.\n\n"
        + markdown_table(("n", "sort", "argsort", "greedy_mec", "ratio"), rows)
    )
    _write_block("greedy-sort", text)


def bench_ebim_start():
    """ebim_refine's default start against the greedy start and the exhaustive search."""
    from probstat.utils import entropy

    rng = np.random.default_rng(2)
    rows = []
    for n, n_sources in ((6, 20), (10, 3), (40, 10), (300, 4)):
        gain, missed_default, missed_greedy = [], [], []
        t_default = t_greedy = 0.0
        calls = 0
        for p in rng.dirichlet(np.ones(n), size=n_sources):
            for rate in np.linspace(0.1, 0.95 * entropy(p), 6):
                start = time.perf_counter()
                default = ebim_refine(p, rate).mutual_information
                t_default += time.perf_counter() - start
                start = time.perf_counter()
                greedy = ebim_refine(p, rate, start="greedy").mutual_information
                t_greedy += time.perf_counter() - start
                calls += 1
                gain.append(default - greedy)
                if n <= 10:
                    best = ebim_refine(p, rate, start="all_partitions").mutual_information
                    missed_default.append(best - default)
                    missed_greedy.append(best - greedy)
        exact = (lambda v: f"{np.mean(v):.4f} / {np.max(v):.4f}") if n <= 10 else (
            lambda v: "-")
        rows.append((f"{n}", f"{calls}", exact(missed_greedy), exact(missed_default),
                     f"{np.mean(gain):.4f} / {np.max(gain):.4f}",
                     _fmt(t_greedy / calls), _fmt(t_default / calls)))
    text = (
        "### EBIM refinement: which start\n\n"
        "Random Dirichlet(1) sources (seed 2) of n outcomes, 6 rates from 0.1 bit to "
        "0.95 H(X) each. 'missed' is the exhaustive optimum over every set partition "
        "(with both moves) minus the value found, mean / worst, in bits (only where the "
        "exhaustive search runs); 'gain' is the default start's value minus the greedy "
        "start's. The default enumerates every partition up to 10 outcomes and adds merge "
        "chains above.\n\n"
        + markdown_table(("n", "calls", "missed, greedy start [bits]",
                          "missed, default start [bits]", "gain of the default [bits]",
                          "time, greedy start", "time, default start"), rows)
    )
    _write_block("ebim-start", text)


def bench_mcg_encoders():
    """The four encoders of the Markov coding game on the same grid world and policy."""
    from probstat.coupling.games import GridWorld, play, soft_q_iteration

    world = GridWorld()
    rows = []
    for log_beta in (-5.0, -4.0):
        policy = soft_q_iteration(world, np.exp(log_beta))
        for rate in (1.0, 4.0):
            for enc in ("greedy", "refined", "adaptive_bins", "fixed_bins"):
                n_episodes = 100 if enc == "refined" else 300
                start = time.perf_counter()
                res = play(world, policy, n_messages=256, rate=rate, encoder=enc,
                           n_episodes=n_episodes, max_steps=200, random_state=0)
                per_episode = (time.perf_counter() - start) / n_episodes
                rows.append((f"{log_beta:g} ({policy.mean_entropy():.2f} bits)",
                             f"{rate:g}", enc, f"{n_episodes}",
                             f"{res.information:.2f} +- {res.information_se:.2f}",
                             f"{res.accuracy:.2f} +- {res.accuracy_se:.2f}",
                             f"{res.mean_reward:.3f} +- {res.reward_se:.3f}",
                             _fmt(per_episode)))
    text = (
        "### Markov coding game: the encoders of the belief\n\n"
        "Default 8 x 8 grid world, 256 equally likely messages (H(M) = 8 bits), episodes "
        "of at most 200 steps, seed 0; policy entropy is the mean over states per step. "
        "Values are mean +- one standard error over the episodes. 'fixed_bins' is the "
        "MEC-B paper's baseline (floor(2^R) fixed bins of message indices); "
        "'adaptive_bins' re-bins the messages still possible at every step.\n\n"
        + markdown_table(("log beta (policy entropy)", "R [bits]", "encoder", "episodes",
                          "bits delivered", "accuracy", "reward", "time per episode"),
                         rows)
    )
    _write_block("mcg-encoders", text)


def main():
    if sys.argv[1:] == ["core"]:  # only the blocks below, without the long runs
        bench_greedy_vs_sort()
        bench_ebim_start()
        bench_mcg_encoders()
        return
    rng = np.random.default_rng(0)
    rows = []

    # Warm-up: JIT compilation (cached on disk after the first run).
    greedy_mec([0.5, 0.5], [0.5, 0.5], [1.0])
    greedy_mec([0.5, 0.5], [0.5, 0.5])
    greedy_mec_batch(np.full((2, 2), 0.5), np.full((2, 2), 0.5))
    exact_mec([0.5, 0.5], [0.5, 0.5])
    mec_lower_bound([0.5, 0.5], [1.0])

    for n in (10**3, 10**4):
        p, q = rng.dirichlet(np.ones(n), size=2)
        ours = best_time(greedy_mec, p, q, repeat=5)
        peer = best_time(greedy_mec_argmax, p, q, repeat=2 if n > 1000 else 5)
        c = greedy_mec(p, q)
        idx, masses = greedy_mec_argmax(p, q)
        assert np.array_equal(c.indices, idx) and np.array_equal(c.masses, masses)
        rows.append((f"greedy MEC, m = 2, n = {n:.0e} (same atoms)", _fmt(ours), _fmt(peer),
                     f"{peer / ours:.0f}"))

    for n in (10**5, 10**6):
        p, q = rng.dirichlet(np.ones(n), size=2)
        ours = best_time(greedy_mec, p, q, repeat=3)
        cpu = _best_cpu(greedy_mec, p, q)
        c = greedy_mec(p, q)
        rows.append((f"greedy MEC, m = 2, n = {n:.0e} ({c.n_atoms:,} atoms; CPU time "
                     f"{_fmt(cpu)})", _fmt(ours), "infeasible (O(n^2))", "-"))
    ps = rng.dirichlet(np.ones(10**6), size=3)
    ours = best_time(greedy_mec, *ps, repeat=2)
    rows.append(("greedy MEC, m = 3, n = 1e6", _fmt(ours), "-", "-"))
    ps = rng.dirichlet(np.ones(10**5), size=10)
    ours = best_time(greedy_mec, *ps, repeat=2)
    rows.append(("greedy MEC, m = 10, n = 1e5", _fmt(ours), "-", "-"))

    p, q = rng.dirichlet(np.ones(10**7), size=2)
    seconds, c = _once(greedy_mec, p, q)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows.append((f"greedy MEC, m = 2, n = 1e7 ({c.n_atoms:,} atoms, peak RSS "
                 f"{rss_after / 2**20:.1f} GiB)", _fmt(seconds), "-", "-"))
    del p, q, c

    P = rng.dirichlet(np.ones(4), size=10**4)
    Q = rng.dirichlet(np.ones(512), size=10**4)
    ours = best_time(greedy_mec_batch, P, Q, repeat=3)

    def loop(P, Q):
        return [greedy_mec(a, b) for a, b in zip(P, Q)]

    peer = best_time(loop, P, Q, repeat=1)
    rows.append(("greedy_mec_batch, 1e4 couplings of 4 x 512 vs loop of greedy_mec",
                 _fmt(ours), _fmt(peer), f"{peer / ours:.1f}"))
    sub = 200
    argmax_t = best_time(lambda: [greedy_mec_argmax(a, b) for a, b in zip(P[:sub], Q[:sub])],
                         repeat=1) * (10**4 / sub)
    rows.append(("greedy_mec_batch vs argmax loop (extrapolated from 200)", _fmt(ours),
                 _fmt(argmax_t), f"{argmax_t / ours:.0f}"))

    for n in (10**3,):
        p = rng.dirichlet(np.ones(n))
        rate = 0.5 * np.log2(n)
        ours = best_time(ebim_greedy, p, rate, repeat=5)
        peer = best_time(ebim_greedy_loop, p, rate, repeat=1)
        rows.append((f"EBIM greedy, n = {n:.0e}, R = H_max / 2", _fmt(ours), _fmt(peer),
                     f"{peer / ours:.0f}"))
    p = rng.dirichlet(np.ones(10**6))
    ours = best_time(ebim_greedy, p, 10.0, repeat=3)
    rows.append(("EBIM greedy, n = 1e6, R = 10 bits", _fmt(ours), "-", "-"))

    p, q = rng.dirichlet(np.ones(4), size=2)
    ours = best_time(exact_mec, p, q, repeat=5)
    peer = best_time(mec_vertex_enumeration, p, q, repeat=1)
    assert abs(exact_mec(p, q).entropy() - mec_vertex_enumeration(p, q)) < 1e-9
    rows.append(("exact MEC, 4 x 4, DP vs vertex enumeration", _fmt(ours), _fmt(peer),
                 f"{peer / ours:.0f}"))
    p, q = rng.dirichlet(np.ones(7), size=2)
    ours = best_time(exact_mec, p, q, repeat=3)
    rows.append(("exact MEC, 7 x 7 (n + m = 14)", _fmt(ours), "-", "-"))

    p, q = rng.dirichlet(np.ones(10**6), size=2)
    for method in ("majorization", "profile", "majorize_profile"):
        ours = best_time(mec_lower_bound, p, q, method=method, repeat=3)
        rows.append((f"lower bound '{method}', m = 2, n = 1e6", _fmt(ours), "-", "-"))

    choice = choice_rows(np.random.default_rng(1))

    load = os.getloadavg()[0]
    body = (
        "Inputs are Dirichlet(1) draws (seed 0). 'peer' is the straightforward "
        "implementation the research code uses: the O(n^2) argmax greedy "
        "(`tests/coupling/_reference.py`, the same algorithm as ssokota/mec's Python "
        "fallback and the MEC-B authors' `min_ent_coupling`), the step-by-step EBIM search, "
        "vertex enumeration for the exact MEC, or a Python loop of single calls. "
        "ratio = peer time / probstat time. Times are the best of a few runs after JIT "
        "warm-up, except n = 1e7 (one run). The machine is shared with other jobs (load "
        f"average {load:.1f} on {os.cpu_count()} cores at the end of this run), so wall "
        "times are inflated and noisy; the CPU time of the process is given for the large "
        "greedy cases.\n\n"
        "Targets: greedy MEC n = 1e6 (m = 2) under 3 s; n = 1e7 runs; m = 3 at "
        "1e6 runs; EBIM greedy at 1e6 under 1 s; exact MEC n + m = 14 under 1 s; 1e4 "
        "couplings of 4 x 512 under 2 s.\n\n"
        + markdown_table(("case", "probstat", "peer", "ratio"), rows)
        + "\n\n### Which coupling to use\n\n"
        "200 random pairs of 6-outcome Dirichlet(1) marginals (seed 1). H(X,Y) in bits; "
        "gap = H(X,Y) minus the exact minimum; 'optimal' = share of pairs within 1e-9 "
        "bits of it; E|x - y| is the expected transport cost with outcomes 0..5 on a "
        "line; time per pair, after JIT warm-up.\n\n"
        + markdown_table(("method", "mean H(X,Y) [bits]", "mean gap [bits]",
                          "worst gap [bits]", "optimal", "E|x - y|", "time per pair"),
                         choice)
    )
    write_section("coupling", "Minimum-entropy coupling (probstat.coupling)", body)
    bench_greedy_vs_sort()
    bench_ebim_start()
    bench_mcg_encoders()


# ----------------------------------------------------------- iterative coupling throughput


def _zipf_model(vocab, seed=0):
    """A synthetic autoregressive model: a Zipf(1.1) law over ``vocab`` tokens whose ranks
    are rotated by an amount depending on the previous token (no table of vocab**2)."""
    base = 1.0 / np.arange(1, vocab + 1) ** 1.1
    base /= base.sum()
    shifts = np.random.default_rng(seed).integers(0, vocab, size=vocab)

    def next_distribution(prefix):
        return np.roll(base, int(shifts[prefix[-1]]) if prefix else 0)

    return next_distribution


def _dense_greedy(q, b):
    """Greedy MEC as the research code writes it: argmax loop on a dense matrix."""
    q, b = q.copy(), b.copy()
    M = np.zeros((q.shape[0], b.shape[0]))
    while True:
        i, j = int(np.argmax(q)), int(np.argmax(b))
        m = min(q[i], b[j])
        if m <= 1e-15:
            return M
        M[i, j] += m
        q[i] -= m
        b[j] -= m


def _plain_fimec_encode(x, components, model, n_tokens, rng):
    """FIMEC written out in NumPy: highest-entropy block, dense greedy coupling, Bayes."""
    posts = [c.copy() for c in components]
    y = []
    for _ in range(n_tokens):
        q = model(tuple(y))
        ent = [-(p[p > 0] * np.log(p[p > 0])).sum() for p in posts]
        k = int(np.argmax(ent))
        if ent[k] <= 1e-12:
            y.append(int(rng.choice(q.shape[0], p=q)))
            continue
        M = _dense_greedy(q, posts[k])
        col = M[:, x[k]]
        y_j = int(rng.choice(q.shape[0], p=col / col.sum()))
        posts[k] = M[y_j] / M[y_j].sum()
        y.append(y_j)
    return y


def _dense_as_coo(q, b, tol):
    M = _dense_greedy(q, b)
    rows, cols = np.nonzero(M)
    return np.column_stack([rows, cols]).astype(np.int64), M[rows, cols]


def bench_iterative():
    """FIMEC / ARIMEC tokens per second at vocabularies 1e4 and 1e5 (own marked block)."""
    from probstat.coupling import _iterative, arimec, fimec

    greedy_mec([0.5, 0.5], [0.5, 0.5])  # JIT warm-up
    rows = []
    block = np.full(256, 1 / 256)
    for vocab, n_tokens, n_ref in ((10**4, 40, 5), (10**5, 20, 0)):
        model = _zipf_model(vocab)
        # A 512-bit message in 64 blocks of 8 bits: every step couples (no free tokens).
        comps = [block] * 64
        c = fimec(comps, model, n_steps=n_tokens)
        x = tuple(np.random.default_rng(1).integers(0, 256, 64).tolist())
        seconds = best_time(c.encode, x, random_state=0, repeat=2)
        if n_ref:
            start = time.perf_counter()
            _plain_fimec_encode(x, comps, model, n_ref, np.random.default_rng(0))
            ref = (time.perf_counter() - start) / n_ref
            peer, ratio = f"{1 / ref:.1f}", f"{ref / (seconds / n_tokens):.0f}"
        else:
            peer, ratio = "infeasible (dense V x 256 argmax loop)", "-"
        rows.append((f"FIMEC encode, vocabulary {vocab:.0e}, 64 blocks of 256, {n_tokens} "
                     "tokens", f"{n_tokens / seconds:.0f}", peer, ratio))
    for vocab, n_tokens, n_ref in ((10**4, 30, 3), (10**5, 15, 0)):
        model = _zipf_model(vocab)
        source = _zipf_model(16, seed=1)
        # A source of 40 tokens (up to 160 bits): every step couples.
        c = arimec(source, model, source_length=40, n_steps=n_tokens)
        x = c._source.sample(np.random.default_rng(2))
        seconds = best_time(c.encode, x, random_state=0, repeat=2)
        if n_ref:
            saved = _iterative._couple
            _iterative._couple = _dense_as_coo
            try:
                cref = arimec(source, model, source_length=40, n_steps=n_ref)
                start = time.perf_counter()
                cref.encode(x, random_state=0)
                ref = (time.perf_counter() - start) / n_ref
            finally:
                _iterative._couple = saved
            peer, ratio = f"{1 / ref:.1f}", f"{ref / (seconds / n_tokens):.0f}"
        else:
            peer, ratio = "infeasible", "-"
        rows.append((f"ARIMEC encode, vocabulary {vocab:.0e}, source of 40 tokens over 16, "
                     f"{n_tokens} tokens",
                     f"{n_tokens / seconds:.0f}", peer, ratio))
    load = os.getloadavg()[0]
    text = (
        "<!-- iterative:start -->\n### Iterative coupling for large supports (FIMEC, ARIMEC)\n\n"
        f"Tokens per second of `IterativeCoupling.encode` (the sender's side; decoding "
        "costs the same per token). The target is a synthetic autoregressive model: a "
        "Zipf(1.1) law over the vocabulary, its ranks rotated by the previous token. "
        "'peer' is the same iteration written out in NumPy with the dense argmax greedy "
        "coupling of the research code (for FIMEC a stand-alone loop in this file; for "
        "ARIMEC probstat's prefix tree with the coupling swapped for the dense one), timed "
        "on a few tokens; ratio = peer time per token / probstat time per token. "
        f"Machine shared with other jobs (load average {load:.1f} on {os.cpu_count()} "
        "cores).\n\n"
        + markdown_table(("case", "probstat tokens/s", "peer tokens/s", "ratio"), rows)
        + "\n<!-- iterative:end -->\n"
    )
    path = ROOT / "docs" / "performance" / "coupling.md"
    current = path.read_text() if path.exists() else ""
    start, end = "<!-- iterative:start -->", "<!-- iterative:end -->"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        current = head + text.rstrip("\n") + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current)
    print(text)


if __name__ == "__main__":
    if sys.argv[1:] != ["iterative"]:
        main()
    bench_iterative()  # its own block of docs/performance/coupling.md

