"""Plain reference implementations used by the tests and the benchmark.

- :func:`greedy_mec_argmax`: the greedy coupling exactly as the research code writes it
  (``numpy.argmax`` over every marginal at every step, O(n^2)).
- :func:`greedy_mec_exact`: the same algorithm on Python numbers, so that
  :class:`fractions.Fraction` inputs give exact rational atoms.
- :func:`mec_vertex_enumeration`: the exact minimum of two-marginal coupling entropy by
  enumerating every spanning tree of the bipartite graph (tiny supports only).
"""

from __future__ import annotations

import itertools
import math

import numpy as np


def greedy_mec_argmax(*marginals, tol=1e-15):
    """O(n^2) greedy: returns ``(indices, masses)`` in creation order."""
    ps = [np.array(p, dtype=np.float64) for p in marginals]
    for p in ps:
        p[p <= tol] = 0.0
    indices, masses = [], []
    while True:
        js = [int(np.argmax(p)) for p in ps]
        tops = [p[j] for p, j in zip(ps, js)]
        if min(tops) <= 0.0:
            break
        r = min(tops)
        indices.append(js)
        masses.append(r)
        for p, j in zip(ps, js):
            p[j] -= r
            if p[j] <= tol:
                p[j] = 0.0
    return np.array(indices, dtype=np.int64).reshape(-1, len(ps)), np.array(masses)


def greedy_mec_exact(*marginals):
    """Greedy on Python numbers (use :class:`fractions.Fraction` for exact atoms)."""
    ps = [list(p) for p in marginals]
    atoms = []
    while True:
        js = [max(range(len(p)), key=lambda j, p=p: (p[j], -j)) for p in ps]
        tops = [p[j] for p, j in zip(ps, js)]
        r = min(tops)
        if r <= 0:
            return atoms
        atoms.append((tuple(js), r))
        for p, j in zip(ps, js):
            p[j] -= r


def _eta(x):
    return -x * math.log2(x) if x > 0 else 0.0


def mec_vertex_enumeration(p, q, eps=1e-12):
    """Minimum coupling entropy (bits) over all spanning-tree vertices (tiny inputs)."""
    p = [float(v) for v in p]
    q = [float(v) for v in q]
    n, k = len(p), len(q)
    cells = [(i, j) for i in range(n) for j in range(k)]
    best = math.inf
    for support in itertools.combinations(cells, n + k - 1):
        # Solve the tree by peeling leaves; a cycle leaves the system unsolved.
        row_left, col_left = list(p), list(q)
        remaining = set(support)
        masses = {}
        progress = True
        while remaining and progress:
            progress = False
            for i in range(n):
                mine = [c for c in remaining if c[0] == i]
                if len(mine) == 1:
                    c = mine[0]
                    masses[c] = row_left[i]
                    row_left[i] -= masses[c]
                    col_left[c[1]] -= masses[c]
                    remaining.discard(c)
                    progress = True
            for j in range(k):
                mine = [c for c in remaining if c[1] == j]
                if len(mine) == 1:
                    c = mine[0]
                    masses[c] = col_left[j]
                    row_left[c[0]] -= masses[c]
                    col_left[j] -= masses[c]
                    remaining.discard(c)
                    progress = True
        if remaining:
            continue
        if min(masses.values()) < -eps:
            continue
        if max(abs(v) for v in row_left + col_left) > 1e-9:
            continue
        best = min(best, sum(_eta(max(m, 0.0)) for m in masses.values()))
    return best


def ebim_greedy_loop(p, rate_bits):
    """The greedy EBIM search step by step, O(n^2): returns the list of code blocks.

    Columns are (mass, members). Merge the two smallest if that meets the rate and stop;
    otherwise merge the two largest and stop if that meets the rate.
    """
    cols = [(float(v), [i]) for i, v in enumerate(p) if v > 0]

    def h(cs):
        return sum(_eta(m) for m, _ in cs)

    def merge(cs, a, b):
        keep = [c for k, c in enumerate(cs) if k not in (a, b)]
        return keep + [(cs[a][0] + cs[b][0], cs[a][1] + cs[b][1])]

    if h(cols) <= rate_bits + 1e-12:
        return [m for _, m in cols]
    while len(cols) > 1:
        by_mass = sorted(range(len(cols)), key=lambda k: cols[k][0])
        small = merge(cols, by_mass[0], by_mass[1])
        if h(small) <= rate_bits + 1e-12:
            return [m for _, m in small]
        cols = merge(cols, by_mass[-1], by_mass[-2])
        if h(cols) <= rate_bits + 1e-12:
            return [m for _, m in cols]
    return [m for _, m in cols]


def ebim_slsqp(p, rate_bits, n_codes=None, restarts=20, seed=0):
    """Brute-force EBIM: SLSQP over p(t | x) from random starts (small inputs only).

    Variables are the encoder entries (bounds [0, 1], rows summing to one), with exact
    gradients of I(X; T) and H(T).
    """
    from scipy.optimize import minimize

    p = np.asarray(p, dtype=float)
    n = p.size
    k = n + 1 if n_codes is None else n_codes
    rng = np.random.default_rng(seed)
    floor = 1e-15

    def eta(x):
        x = np.clip(x, floor, None)
        return -x * np.log2(x)

    def deta(x):
        return -(np.log2(np.clip(x, floor, None)) + 1 / np.log(2))

    def neg_info(z):
        W = z.reshape(n, k)
        pt = p @ W
        value = eta(pt).sum() - (p[:, None] * eta(W)).sum()
        grad = p[:, None] * (deta(pt)[None, :] - deta(W))
        return -value, -grad.ravel()

    def slack(z):
        return rate_bits - eta(p @ z.reshape(n, k)).sum()

    def slack_grad(z):
        return -(p[:, None] * deta(p @ z.reshape(n, k))[None, :]).ravel()

    rows = np.kron(np.eye(n), np.ones(k))
    constraints = [
        {"type": "ineq", "fun": slack, "jac": slack_grad},
        {"type": "eq", "fun": lambda z: rows @ z - 1, "jac": lambda z: rows},
    ]
    best = 0.0
    for _ in range(restarts):
        z0 = rng.dirichlet(np.ones(k) * 0.3, size=n).ravel()
        res = minimize(neg_info, z0, jac=True, method="SLSQP", bounds=[(0, 1)] * (n * k),
                       constraints=constraints, options={"maxiter": 1000, "ftol": 1e-13})
        z = np.clip(res.x, 0, 1)
        z = (z.reshape(n, k) / z.reshape(n, k).sum(axis=1, keepdims=True)).ravel()
        if slack(z) >= -1e-7:
            best = max(best, -neg_info(z)[0])
    return best


def set_partitions(items):
    """Every set partition of the list ``items`` (recursive, as lists of blocks)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for smaller in set_partitions(rest):
        for i in range(len(smaller)):
            yield smaller[:i] + [[first] + smaller[i]] + smaller[i + 1:]
        yield [[first]] + smaller


def ebim_move_envelope(p, rate_bits):
    """Best ``I(X; T)`` (bits) over every partition and the two moves of Theorem 3.

    Written from the statement of the moves, one partition and one move at a time, with
    SciPy's scalar root finder and bounded optimiser: from a partition below the rate, the
    cell with the smallest ``p(x | t)`` sends ``delta`` to a new code; from one above it,
    the smallest cell of the smallest code sends ``delta`` to the largest code. ``delta``
    ranges over ``[0, p_x]`` subject to ``H(T) <= rate``.
    """
    from scipy.optimize import brentq, minimize_scalar

    ln2 = math.log(2)

    def eta(v):
        return -v * math.log(v) / ln2 if v > 0 else 0.0

    def h2(r):
        return eta(r) + eta(1 - r)

    support = [float(v) for v in p if v > 0]
    best = 0.0
    for blocks in set_partitions(list(range(len(support)))):
        mass = [sum(support[x] for x in b) for b in blocks]
        h = sum(eta(m) for m in mass)
        if h <= rate_bits + 1e-12:
            best = max(best, h)
        if h < rate_bits:  # split: rate above the partition's entropy
            t, x = min(((t, x) for t, b in enumerate(blocks) for x in b),
                       key=lambda tx: support[tx[1]] / mass[tx[0]])
            a, c = support[x], mass[t]

            def h_split(d, a=a, c=c, h=h):
                return h - eta(c) + eta(c - d) + eta(d)

            if h_split(a) <= rate_bits:
                d = a
            else:
                d = brentq(lambda d: h_split(d) - rate_bits, 0.0, min(a, c / 2), xtol=1e-15)
            best = max(best, h_split(d) - a * h2(d / a))
        elif len(blocks) >= 2:  # shift: rate below it
            small = min(range(len(blocks)), key=lambda t: mass[t])
            big = max((t for t in range(len(blocks)) if t != small), key=lambda t: mass[t])
            x = min(blocks[small], key=lambda x: support[x])
            a, s, g = support[x], mass[small], mass[big]

            def h_shift(d, a=a, s=s, g=g, h=h):
                return h - eta(s) - eta(g) + eta(s - d) + eta(g + d)

            if h_shift(a) > rate_bits:
                continue
            lo = 0.0 if h_shift(0.0) <= rate_bits else brentq(
                lambda d: h_shift(d) - rate_bits, 0.0, a, xtol=1e-15)

            def info(d, a=a):
                return h_shift(d) - a * h2(min(max(d / a, 0.0), 1.0))

            inner = minimize_scalar(lambda d: -info(d), bounds=(lo, a), method="bounded",
                                    options={"xatol": 1e-13})
            best = max(best, info(lo), info(a), -inner.fun if h_shift(inner.x) <= rate_bits
                       else 0.0)
    return best
