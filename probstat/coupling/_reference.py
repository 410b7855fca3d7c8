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
