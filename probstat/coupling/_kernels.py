"""Compiled loops of probstat.coupling (numba through :func:`probstat.backend.jit`).

- :func:`greedy_core`: the greedy minimum-entropy coupling of ``m`` marginals, with each
  marginal pre-sorted once (descending value, ascending index) and a binary max-heap that
  holds only the partially used "remainders". Ties are broken by the lowest index, exactly
  as ``numpy.argmax`` does in the O(n^2) research code.
- :func:`greedy_batch`: many small two-marginal couplings in parallel (``prange``);
  :func:`greedy_batch_serial` the same in one thread.
- :func:`exact_dp`: exact minimum-entropy coupling of two marginals by dynamic programming
  over rooted spanning trees of the bipartite graph (subsets of the ``n + k`` outcomes).
- :func:`majorize_profile_core`: the O(N) sweep of the majorize-profile lower bound.

Every kernel is deterministic (no fastmath, serial loops inside one problem). This module
imports numba: the public routines import it inside the functions that call a kernel, so
``import probstat.coupling`` compiles nothing.
"""

from __future__ import annotations

import numpy as np
from numba import prange

from ..backend import jit


@jit(cache=True)
def _better(v1, i1, v2, i2):
    """True when entry (v1, i1) comes before (v2, i2): larger value, then lower index."""
    return v1 > v2 or (v1 == v2 and i1 < i2)


@jit(cache=True)
def _sift_down(heap, base, size, pos, v, j):
    """Put entry (v, j) at ``pos`` of the heap starting at ``base`` and sift it down.

    The heap stores (value, index) pairs interleaved in one float64 array (indices are
    exact below 2**53), so a node is one memory access; a "hole" moves down instead of
    swapping.
    """
    while True:
        left = 2 * pos + 1
        if left >= size:
            break
        best = left
        bv = heap[2 * (base + left)]
        bj = heap[2 * (base + left) + 1]
        right = left + 1
        if right < size:
            rv = heap[2 * (base + right)]
            rj = heap[2 * (base + right) + 1]
            if _better(rv, rj, bv, bj):
                best = right
                bv = rv
                bj = rj
        if not _better(bv, bj, v, j):
            break
        heap[2 * (base + pos)] = bv
        heap[2 * (base + pos) + 1] = bj
        pos = best
    heap[2 * (base + pos)] = v
    heap[2 * (base + pos) + 1] = j


@jit(cache=True)
def _sift_up(heap, base, pos, v, j):
    """Put entry (v, j) at ``pos`` (a new leaf) and sift it up."""
    while pos > 0:
        parent = (pos - 1) // 2
        pv = heap[2 * (base + parent)]
        pj = heap[2 * (base + parent) + 1]
        if not _better(v, j, pv, pj):
            break
        heap[2 * (base + pos)] = pv
        heap[2 * (base + pos) + 1] = pj
        pos = parent
    heap[2 * (base + pos)] = v
    heap[2 * (base + pos) + 1] = j


@jit(cache=True)
def greedy_core(svals, offsets, order, tol, out_idx, out_mass):
    """Greedy coupling of the marginals stored back to back, each sorted.

    Parameters
    ----------
    svals : float64 array of shape (N,)
        The ``m`` marginals concatenated, each sorted by (value descending, index
        ascending); marginal ``i`` is ``svals[offsets[i]:offsets[i+1]]``.
    offsets : int64 array of shape (m + 1,)
    order : int64 array of shape (N,)
        The original local index of each entry of ``svals``.
    tol : float
        Remainders ``<= tol`` count as zero.
    out_idx : int64 array of shape (>= N - m + 1, m)
    out_mass : float64 array of shape (>= N - m + 1,)

    Returns
    -------
    n_atoms : int
    """
    m = offsets.shape[0] - 1
    ptr = np.empty(m, dtype=np.int64)
    hsize = np.zeros(m, dtype=np.int64)
    heap = np.empty(2 * svals.shape[0], dtype=np.float64)
    for i in range(m):
        ptr[i] = offsets[i]
    top_v = np.empty(m, dtype=np.float64)
    top_j = np.empty(m, dtype=np.int64)
    from_heap = np.empty(m, dtype=np.bool_)
    n_atoms = 0
    while True:
        r = np.inf
        for i in range(m):
            base = offsets[i]
            have_fresh = False
            fv = 0.0
            fj = -1
            if ptr[i] < offsets[i + 1]:
                fj = order[ptr[i]]
                fv = svals[ptr[i]]
                have_fresh = fv > tol
            have_heap = hsize[i] > 0
            if not have_fresh and not have_heap:
                return n_atoms
            hv = heap[2 * base] if have_heap else 0.0
            hj = np.int64(heap[2 * base + 1]) if have_heap else np.int64(-1)
            if have_heap and (not have_fresh or _better(hv, hj, fv, fj)):
                top_v[i] = hv
                top_j[i] = hj
                from_heap[i] = True
            else:
                top_v[i] = fv
                top_j[i] = fj
                from_heap[i] = False
            if top_v[i] < r:
                r = top_v[i]
        for i in range(m):
            out_idx[n_atoms, i] = top_j[i]
        out_mass[n_atoms] = r
        n_atoms += 1
        for i in range(m):
            base = offsets[i]
            rem = top_v[i] - r
            if from_heap[i]:
                if rem > tol:
                    _sift_down(heap, base, hsize[i], 0, rem, float(top_j[i]))
                else:
                    last = hsize[i] - 1
                    hsize[i] = last
                    if last > 0:
                        _sift_down(heap, base, last, 0, heap[2 * (base + last)],
                                   heap[2 * (base + last) + 1])
            else:
                ptr[i] += 1
                if rem > tol:
                    pos = hsize[i]
                    hsize[i] = pos + 1
                    _sift_up(heap, base, pos, rem, float(top_j[i]))


@jit(cache=True)
def _argsort_desc(x):
    """Indices sorting ``x`` by value descending, ties by ascending index (stable)."""
    return np.argsort(-x, kind="mergesort")


@jit(cache=True)
def _greedy_row(P, Q, b, tol, offsets, out_idx, out_mass, out_count):
    """Greedy coupling of row ``b``: the one computation both batch kernels run."""
    n = P.shape[1]
    k = Q.shape[1]
    order = np.empty(n + k, dtype=np.int64)
    order[:n] = _argsort_desc(P[b])
    order[n:] = _argsort_desc(Q[b])
    svals = np.empty(n + k, dtype=np.float64)
    for j in range(n):
        svals[j] = P[b, order[j]]
    for j in range(k):
        svals[n + j] = Q[b, order[n + j]]
    out_count[b] = greedy_core(svals, offsets, order, tol, out_idx[b], out_mass[b])


@jit(parallel=True)
def greedy_batch(P, Q, tol, out_idx, out_mass, out_count):
    """Greedy coupling of ``P[b]`` with ``Q[b]`` for every row ``b`` (in parallel)."""
    offsets = np.array([0, P.shape[1], P.shape[1] + Q.shape[1]], dtype=np.int64)
    for b in prange(P.shape[0]):
        _greedy_row(P, Q, b, tol, offsets, out_idx, out_mass, out_count)


@jit(cache=True)
def greedy_batch_serial(P, Q, tol, out_idx, out_mass, out_count):
    """:func:`greedy_batch` in one thread, for the chunks that joblib or Dask workers run
    side by side (no nested thread pools); row by row the same computation."""
    offsets = np.array([0, P.shape[1], P.shape[1] + Q.shape[1]], dtype=np.int64)
    for b in range(P.shape[0]):
        _greedy_row(P, Q, b, tol, offsets, out_idx, out_mass, out_count)


@jit(cache=True)
def _eta(x):
    """``-x log2 x`` of one number. Kept in the kernel: numba cannot call the shared NumPy
    measures of probstat.utils from compiled code; callers convert bits with ln 2."""
    return -x * np.log2(x) if x > 0.0 else 0.0


@jit(cache=True)
def exact_dp(values, n_rows, eps):
    """Exact minimum-entropy coupling of two marginals by a DP over rooted trees.

    The ``T = n_rows + n_cols`` outcomes are the nodes of the complete bipartite graph; a
    vertex of the transportation polytope is a spanning forest, completed to a spanning tree
    by zero-mass edges. Rooted at node ``j``, a subtree on node set ``S`` sends the mass
    ``dif(S, j)`` (sum of ``S`` on ``j``'s side minus the sum on the other side) to its
    parent; every such mass must be >= 0. ``dp[S, j]`` is the least entropy of the edges
    inside a subtree on ``S`` rooted at ``j``. The root either has one child subtree
    (``S - {j}`` rooted at ``k``, adding the edge entropy ``eta(dif(S - {j}, k))``) or its
    children split into two non-empty groups ``A`` and ``B`` (``dp[{j} + A, j] +
    dp[{j} + B, j]``). When node 0 is in ``S``, only ``j = 0`` is needed as a root.

    Returns ``(value, kind, arg, dif)``: the optimal entropy in bits and the choices
    (``kind`` 1 = one child ``arg``, 2 = split with group ``arg``) to rebuild the tree.
    """
    T = values.shape[0]
    full = (1 << T) - 1
    sgn = np.empty(T, dtype=np.float64)
    for t in range(T):
        sgn[t] = 1.0 if t < n_rows else -1.0
    signed = np.zeros(1 << T, dtype=np.float64)
    for mask in range(1, 1 << T):
        low = 0
        while not (mask >> low) & 1:
            low += 1
        signed[mask] = signed[mask & (mask - 1)] + sgn[low] * values[low]
    big = np.inf
    dp = np.full((1 << T, T), big)
    kind = np.zeros((1 << T, T), dtype=np.int8)
    arg = np.zeros((1 << T, T), dtype=np.int64)
    for j in range(T):
        dp[1 << j, j] = 0.0
    for mask in range(1, full + 1):
        if mask & (mask - 1) == 0:
            continue
        for j in range(T):
            if not (mask >> j) & 1:
                continue
            if (mask & 1) and j != 0:
                continue
            if sgn[j] * signed[mask] < -eps:
                continue
            rest = mask ^ (1 << j)
            best = big
            bkind = 0
            barg = 0
            # One child: the subtree on ``rest`` rooted at k (opposite side of j).
            for k in range(T):
                if (rest >> k) & 1 and sgn[k] != sgn[j]:
                    d = sgn[k] * signed[rest]
                    if d >= -eps and dp[rest, k] < big:
                        c = dp[rest, k] + _eta(max(d, 0.0))
                        if c < best:
                            best = c
                            bkind = 1
                            barg = k
            # Two groups of children: ``sub`` holds the lowest node of ``rest``.
            lowbit = rest & (-rest)
            sub = (rest - 1) & rest
            while sub > 0:
                if sub & lowbit:
                    a = dp[(1 << j) | sub, j]
                    if a < best:
                        c = a + dp[(1 << j) | (rest ^ sub), j]
                        if c < best:
                            best = c
                            bkind = 2
                            barg = sub
                sub = (sub - 1) & rest
            dp[mask, j] = best
            kind[mask, j] = bkind
            arg[mask, j] = barg
    return dp[full, 0], kind, arg, signed


@jit(cache=True)
def majorize_profile_core(cums, caps):
    """Sweep of the majorize-profile lower bound (Compton et al., 2023).

    ``cums``/``caps`` are the breakpoints of the marginals' ascending profiles, already
    sorted by cumulative mass descending and reduced to the staircase of strictly
    decreasing caps (last breakpoint ``(0, 0)``). Starting with all the mass ``cur = 1``,
    the sweep repeatedly removes the largest atom any coupling could still hold: it is at
    most the cap of every breakpoint whose "cum + cap" exceeds ``cur``, and at most the
    mass above the next breakpoint. Returns the entropy (bits) of the atoms removed.
    """
    cur = 1.0
    ans = 0.0
    cap = 1.0
    i = 0
    n = cums.shape[0]
    while cur > 0.0:
        while i < n - 1 and cums[i] + caps[i] > cur:
            if caps[i] < cap:
                cap = caps[i]
            i += 1
        step = min(cap, cur - cums[i])
        if step <= 0.0:
            break
        cur -= step
        ans += _eta(step)
    return ans
