"""Entropy-bounded information maximisation (EBIM): the encoder half of MEC-B.

``I_EBIM(p_X, R) = max I(X; T) over encoders p(t | x) with H(T) <= R``
(Ebrahimi, Chen and Khisti, 2024). The greedy search (their Algorithm 1) returns a
deterministic encoder; the refinement applies the moves of their Theorem 3 with a finite
step to reach stochastic encoders between the deterministic points.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import entr

from ..backend import device, get_namespace, is_numpy_namespace
from ..base import ResultMixin
from ..plotting import get_axes
from ..utils import binary_entropy, check_probability_vector, check_scalar_in, entropy
from ._validation import SUM_ATOL, check_base, check_marginal, check_rate

#: Slack on ``H(T) <= rate`` for round-off (in bits).
RATE_SLACK = 1e-12
#: ebim_refine(start="greedy") uses the greedy candidates within this many positions of the
#: greedy answer when the support is large (all of them when there are at most 2W + 1).
WINDOW = 200
_LN2 = np.log(2.0)


def _eta(x):
    """Elementwise ``-x log2 x`` (0 at 0), from scipy.special.entr."""
    return entr(x) / _LN2


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class EBIMResult(ResultMixin):
    """A deterministic EBIM encoder ``t = labels[x]``.

    Parameters
    ----------
    labels : ndarray of shape (n,), int64
        Code of each source outcome (outcomes with zero mass get code 0).
    p_t : ndarray of shape (n_codes,)
        Distribution of the code.
    mutual_information : float
        ``I(X; T) = H(T)`` (the encoder is deterministic), in units of ``base``.
    rate : float
        The rate constraint ``H(T) <= rate``.
    entropy_x : float
        ``H(X)``, the largest useful rate.
    gap_bound : float
        ``h(p_2)``, binary entropy of the second-largest mass: the optimum
        ``I_EBIM(p_X, rate)`` exceeds the greedy value by at most this.
    candidates : ndarray
        The greedy search's sequence of candidate entropies (non-increasing); for the
        exhaustive search, every achievable deterministic ``H(T)`` in decreasing order.
    method : str
        ``"greedy"`` or ``"best_partition"``.
    base : float
        Log base of the entropies.

    Examples
    --------
    >>> from probstat.coupling import ebim_greedy
    >>> r = ebim_greedy([0.7, 0.2, 0.1], rate=1.0)
    >>> r.labels.tolist(), round(r.mutual_information, 6)
    ([0, 1, 1], 0.881291)
    """

    labels: np.ndarray
    p_t: np.ndarray
    mutual_information: float
    rate: float
    entropy_x: float
    gap_bound: float
    candidates: np.ndarray
    method: str = "greedy"
    base: float = 2

    def _summary_rows(self):
        return [("method", self.method), ("rate", self.rate),
                ("mutual_information", self.mutual_information),
                ("entropy_x", self.entropy_x), ("n_codes", self.n_codes),
                ("gap_bound", self.gap_bound)]

    @property
    def n_codes(self) -> int:
        """Number of codes ``|T|``."""
        return int(self.p_t.shape[0])

    @property
    def entropy_t(self) -> float:
        """``H(T)`` (equal to ``mutual_information`` for a deterministic encoder)."""
        return self.mutual_information

    @property
    def encoder(self) -> np.ndarray:
        """The encoder ``p(t | x)`` as a one-hot matrix of shape (n, n_codes)."""
        out = np.zeros((self.labels.shape[0], self.n_codes))
        out[np.arange(self.labels.shape[0]), self.labels] = 1.0
        return out


def _sorted_support(p):
    """Positive entries in decreasing order (ties by index) and their original indices."""
    from ._coupling import _order_desc

    support = np.flatnonzero(p > 0)
    order = support[_order_desc(p[support])]
    return p[order], order


def _greedy_candidates(ps):
    """Candidate entropies (bits) of the greedy search (see :func:`_move_at`) and H(X).

    ``T_k`` lumps the ``k + 1`` largest masses into one code; ``T_k o s`` also merges the
    two smallest codes. The search visits ``T_0 o s, T_1, T_1 o s, T_2, ...`` and stops at
    the first entropy <= rate.
    """
    n = ps.shape[0]
    eta = _eta(ps)
    tail = np.concatenate([np.cumsum(eta[::-1])[::-1], [0.0]])  # tail[i] = sum_{j>=i}
    heads = np.cumsum(ps)
    k = np.arange(n - 1)
    h_k = _eta(heads[:-1]) + tail[k + 1]  # H(T_k) for k = 0 .. n-2
    if n >= 3:
        loss = eta[-2] + eta[-1] - _eta(ps[-2] + ps[-1])  # merging the two smallest
    else:
        loss = 0.0
    columns = n - k
    h_ks = np.where(columns >= 3, h_k - loss, 0.0)
    # Interleave: position 0 is T_0 o s, then T_k at 2k - 1 and T_k o s at 2k.
    values = np.empty(max(2 * (n - 1) - 1, 0))
    if n >= 2:
        values[0] = h_ks[0]
        values[1::2] = h_k[1:]
        values[2::2] = h_ks[1:]
    return np.maximum(values, 0.0), float(tail[0])


def _move_at(position):
    """(k, merge_smallest) of a position in the candidate sequence."""
    return (position + 1) // 2, position % 2 == 0


def _labels_for(n_total, order, k, merge_small):
    """Labels of ``T_k`` (optionally with the two smallest codes merged)."""
    n = order.shape[0]
    codes = np.zeros(n, dtype=np.int64)
    codes[k + 1:] = np.arange(1, n - k)
    if merge_small and n - k >= 2:
        codes[-1] = codes[-2]
    labels = np.zeros(n_total, dtype=np.int64)
    labels[order] = codes
    return labels


def _deterministic_result(p, labels, rate, bits, method, candidates, base):
    p_t = np.bincount(labels, weights=p)
    p2 = np.partition(p, p.shape[0] - 2)[p.shape[0] - 2] if p.shape[0] > 1 else 0.0
    return EBIMResult(
        labels=labels,
        p_t=p_t,
        mutual_information=entropy(p_t) / bits + 0.0,  # no -0.0
        rate=rate,
        entropy_x=entropy(p) / bits,
        gap_bound=float(binary_entropy(float(min(max(p2, 0.0), 1.0)))) / bits,
        candidates=candidates / bits,
        method=method,
        base=base,
    )


def ebim_greedy(p_x, rate, *, base=2) -> EBIMResult:
    """Greedy deterministic EBIM encoder (Ebrahimi, Chen and Khisti, 2024, Algorithm 1).

    Starting from ``T = X``, the search merges the two smallest codes if that meets the
    rate, and otherwise merges the two largest and tries again. With the masses sorted
    once, the largest-merge path only ever lumps the top symbols together, so every
    candidate entropy has a closed form from cumulative sums: the whole search costs one
    sort, ``O(n log n)``. The result satisfies ``I(X; T) = H(T) <= rate`` and
    ``I_EBIM(p_X, rate) - I(X; T) <= h(p_2)``.

    Parameters
    ----------
    p_x : array-like of shape (n,)
        Source distribution (zeros allowed).
    rate : float
        Largest allowed ``H(T)``, in units of ``base``; must be >= 0.
    base : float, default=2
        Log base of ``rate`` and of the reported information.

    Returns
    -------
    EBIMResult
        With array-API dispatch on and non-NumPy input (CuPy, ...), ``labels``, ``p_t``
        and ``candidates`` stay in the input's namespace and device.

    See Also
    --------
    ebim_refine : Stochastic encoders between the deterministic points.
    ebim_best_partition : The best deterministic encoder, by exhaustive search.

    Examples
    --------
    >>> from probstat.coupling import ebim_greedy
    >>> r = ebim_greedy([0.5, 0.25, 0.125, 0.125], rate=1.0)
    >>> r.labels.tolist(), round(r.mutual_information, 4), round(r.gap_bound, 4)
    ([0, 0, 1, 1], 0.8113, 0.8113)
    """
    xp = get_namespace(p_x)
    if not is_numpy_namespace(xp):
        return _ebim_greedy_xp(p_x, rate, base, xp)
    p = check_marginal(p_x, "p_x", "ebim_greedy")
    rate = check_rate(rate)
    bits = check_base(base)
    rate_bits = rate * bits
    ps, order = _sorted_support(p)
    candidates, h_identity = _greedy_candidates(ps)
    if h_identity <= rate_bits + RATE_SLACK or ps.shape[0] < 2:
        labels = _labels_for(p.shape[0], order, 0, False)
    else:
        hit = int(np.argmax(candidates <= rate_bits + RATE_SLACK))
        k, merge_small = _move_at(hit)
        labels = _labels_for(p.shape[0], order, k, merge_small)
    return _deterministic_result(p, labels, rate, bits, "greedy", candidates, base)


def _ebim_greedy_xp(p_x, rate, base, xp):
    """:func:`ebim_greedy` written against the array API (CuPy, array-api-strict, ...).

    The same closed form as the NumPy path: one stable sort, cumulative sums, and the
    labels mapped back by the inverse permutation (a second sort, as the array API has
    no scatter). Only the index of the first candidate within the rate comes to the host.
    """
    p = check_probability_vector(p_x, name="p_x", atol=SUM_ATOL)
    rate = check_rate(rate)
    bits = check_base(base)
    rate_bits = rate * bits
    dev = device(p)
    n_total = p.shape[0]
    order = xp.argsort(-p, stable=True)  # zeros last; ties by index, as on NumPy
    ps_all = xp.take(p, order)
    n = int(xp.sum(xp.astype(p > 0, xp.int64)))
    ps = ps_all[:n]

    def eta(x):
        safe = xp.where(x > 0, x, xp.ones_like(x))
        return xp.where(x > 0, -x * xp.log2(safe), xp.zeros_like(x))

    e = eta(ps)
    zero = xp.zeros(1, dtype=p.dtype, device=dev)
    tail = xp.concat([xp.flip(xp.cumulative_sum(xp.flip(e))), zero])
    heads = xp.cumulative_sum(ps)
    h_identity = float(tail[0])
    if n >= 2:
        h_k = eta(heads[:-1]) + tail[1:n]
        loss = (e[n - 2] + e[n - 1] - eta(ps[n - 2:n - 1] + ps[n - 1:n])[0]) if n >= 3 else 0.0
        columns = n - xp.arange(n - 1, device=dev)
        h_ks = xp.where(columns >= 3, h_k - loss, xp.zeros_like(h_k))
        pairs = xp.reshape(xp.stack([h_k[1:], h_ks[1:]], axis=1), (-1,))
        candidates = xp.concat([h_ks[:1], pairs])
        candidates = xp.where(candidates > 0, candidates, xp.zeros_like(candidates))
    else:
        candidates = xp.zeros(0, dtype=p.dtype, device=dev)
    if h_identity <= rate_bits + RATE_SLACK or n < 2:
        k, merge_small = -1, False  # identity: every outcome its own code
    else:
        within = xp.astype(candidates <= rate_bits + RATE_SLACK, xp.int8)
        k, merge_small = _move_at(int(xp.argmax(within)))
    pos = xp.arange(n_total, device=dev)
    if k < 0:
        codes = xp.where(pos < n, pos, xp.zeros_like(pos))
        p_t = ps
    else:
        codes = xp.where(pos <= k, xp.zeros_like(pos), pos - k)
        p_t = xp.concat([heads[k:k + 1], ps[k + 1:]])
        if merge_small and n - k >= 2:
            last = max(n - 2 - k, 0)
            codes = xp.where(pos == n - 1, xp.full_like(pos, last), codes)
            p_t = xp.concat([p_t[:-2], p_t[-2:-1] + p_t[-1:]])
        codes = xp.where(pos < n, codes, xp.zeros_like(codes))
    labels = xp.take(codes, xp.argsort(order, stable=True))
    p2 = float(ps_all[1]) if n_total > 1 else 0.0
    return EBIMResult(
        labels=labels,
        p_t=p_t,
        mutual_information=float(entropy(p_t)) / bits + 0.0,
        rate=rate,
        entropy_x=h_identity / bits,
        gap_bound=float(binary_entropy(min(max(p2, 0.0), 1.0))) / bits,
        candidates=candidates / bits,
        method="greedy",
        base=base,
    )


def _set_partitions(n):
    """All set partitions of ``range(n)`` as restricted growth strings, shape (Bell(n), n)."""
    rows = np.zeros((1, 1), dtype=np.int64)
    for _ in range(1, n):
        highest = rows.max(axis=1)
        reps = highest + 2
        parents = np.repeat(np.arange(rows.shape[0]), reps)
        offsets = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
        rows = np.concatenate([rows[parents], offsets[:, None]], axis=1)
    return rows


def _partition_table(ps):
    """Every partition of the sorted support: labels (B, n) and block masses (B, n)."""
    n = ps.shape[0]
    labels = _set_partitions(n)
    flat = (np.arange(labels.shape[0])[:, None] * n + labels).ravel()
    masses = np.bincount(flat, weights=np.tile(ps, labels.shape[0]),
                         minlength=labels.size).reshape(labels.shape)
    return labels, masses


def ebim_best_partition(p_x, rate, *, base=2, max_size=10) -> EBIMResult:
    """The best deterministic EBIM encoder, by enumerating every set partition.

    Parameters
    ----------
    p_x : array-like of shape (n,)
        Source distribution; at most ``max_size`` non-zero entries.
    rate : float
        Largest allowed ``H(T)`` (units of ``base``), >= 0.
    base : float, default=2
    max_size : int, default=10
        Refuse supports larger than this (Bell(10) = 115,975 partitions; at most 12).

    Returns
    -------
    EBIMResult
        ``method="best_partition"``; ``candidates`` lists every achievable deterministic
        ``H(T)`` in decreasing order.

    Examples
    --------
    >>> from probstat.coupling import ebim_best_partition
    >>> r = ebim_best_partition([0.7, 0.2, 0.1], rate=0.8)
    >>> r.labels.tolist(), round(r.mutual_information, 6)
    ([0, 1, 0], 0.721928)
    """
    p = check_marginal(p_x, "p_x", "ebim_best_partition")
    rate = check_rate(rate)
    bits = check_base(base)
    max_size = check_scalar_in(max_size, "max_size", low=1, high=12, integer=True)
    ps, order = _sorted_support(p)
    if ps.shape[0] > max_size:
        raise ValueError(
            f"ebim_best_partition enumerates Bell(n) partitions and accepts at most "
            f"max_size={max_size} non-zero outcomes (got {ps.shape[0]})"
        )
    labels, masses = _partition_table(ps)
    h = np.sum(_eta(masses), axis=1)
    feasible = h <= rate * bits + RATE_SLACK
    best = int(np.flatnonzero(feasible)[np.argmax(h[feasible])])
    full = np.zeros(p.shape[0], dtype=np.int64)
    full[order] = labels[best]
    candidates = np.unique(np.round(h, 12))[::-1]
    return _deterministic_result(p, full, rate, bits, "best_partition", candidates, base)


# ------------------------------------------------------------------------- refinement


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class RefinedEBIMResult(ResultMixin):
    """A (possibly stochastic) EBIM encoder found by the Theorem 3 moves.

    Parameters
    ----------
    encoder : ndarray of shape (n, n_codes)
        ``p(t | x)``; rows of zero-mass outcomes are one-hot on code 0.
    p_t : ndarray of shape (n_codes,)
    mutual_information : float
        ``I(X; T)``.
    entropy_t : float
        ``H(T)``, at most ``rate`` (up to 1e-9).
    rate : float
    deterministic_labels : ndarray of shape (n,)
        The deterministic mapping the move started from.
    move : str
        ``"none"`` (a deterministic mapping was best), ``"split"`` (mass moved to a new
        code: rate above the mapping's entropy) or ``"shift"`` (mass moved to the largest
        code: rate below it).
    delta : float
        The probability mass moved.
    base : float

    Examples
    --------
    >>> from probstat.coupling import ebim_refine
    >>> e = ebim_refine([0.7, 0.2, 0.1], rate=0.7)
    >>> e.move, e.entropy_t <= 0.7 + 1e-9
    ('split', True)
    """

    encoder: np.ndarray
    p_t: np.ndarray
    mutual_information: float
    entropy_t: float
    rate: float
    deterministic_labels: np.ndarray
    move: str
    delta: float
    base: float = 2

    def _summary_rows(self):
        return [("rate", self.rate), ("mutual_information", self.mutual_information),
                ("entropy_t", self.entropy_t), ("move", self.move), ("delta", self.delta),
                ("n_codes", self.encoder.shape[1])]


def _bisect_increasing(fun, lo, hi, target, iters=100):
    """Largest x in [lo, hi] with fun(x) <= target, fun increasing (vectorised)."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        ok = fun(mid) <= target
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    return lo


def _bisect_decreasing(fun, lo, hi, target, iters=100):
    """Smallest x in [lo, hi] with fun(x) <= target, fun decreasing (vectorised)."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        ok = fun(mid) <= target
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid)
    return hi


def _refine_table(ps, labels, masses, rate_bits):
    """Best I over the deterministic mappings (rows) and both moves, vectorised.

    Returns per row: (value, move code 0/1/2, x, t_from, t_to, delta).
    """
    B, n = labels.shape
    rows = np.arange(B)
    h = np.sum(_eta(masses), axis=1)
    col_of = masses[rows[:, None], labels]  # p_T(g(x)) for every cell
    value = np.where(h <= rate_bits + RATE_SLACK, h, -np.inf)
    move = np.zeros(B, dtype=np.int64)
    x_sel = np.zeros(B, dtype=np.int64)
    t_from = np.zeros(B, dtype=np.int64)
    t_to = np.zeros(B, dtype=np.int64)
    delta = np.zeros(B)

    # Split (rate above H(T_g)): the cell with the smallest p(x | t) gives delta to a new
    # code. dI/d(delta) = log2((c - delta) / (a - delta)) >= 0, so take the largest
    # feasible delta: all of it when that meets the rate, else the first root of
    # H(delta) = rate on the increasing part [0, min(a, c/2)].
    up = h < rate_bits - RATE_SLACK
    if np.any(up):
        r = rows[up]
        x = np.argmin(ps[None, :] / col_of[r], axis=1)
        a = ps[x]
        c = col_of[r, x]
        base_h = h[r] - _eta(c)

        def h_split(d):
            return base_h + _eta(c - d) + _eta(d)

        whole = h_split(a) <= rate_bits
        d = np.where(whole, a, _bisect_increasing(h_split, np.zeros_like(a),
                                                   np.minimum(a, c / 2), rate_bits))
        ratio = np.clip(d / a, 0.0, 1.0)
        val = h_split(d) - a * binary_entropy(ratio)
        better = val > value[r] + 1e-12
        rb = r[better]
        value[rb] = val[better]
        move[rb] = 1
        x_sel[rb] = x[better]
        t_from[rb] = labels[rb, x[better]]
        t_to[rb] = -1
        delta[rb] = d[better]

    # Shift (rate below H(T_g)): the smallest cell of the smallest code moves delta to the
    # largest code. H(delta) decreases; I is largest at an end of the feasible interval.
    n_codes = (masses > 0).sum(axis=1)
    down = (h > rate_bits + RATE_SLACK) & (n_codes >= 2)
    if np.any(down):
        r = rows[down]
        m = masses[r]
        big = np.where(m > 0, m, -np.inf).argmax(axis=1)
        others = (m > 0) & (np.arange(n)[None, :] != big[:, None])
        small = np.where(others, m, np.inf).argmin(axis=1)
        in_small = labels[r] == small[:, None]
        x = np.where(in_small, ps[None, :], np.inf).argmin(axis=1)
        a = ps[x]
        s = m[np.arange(r.size), small]
        lg = m[np.arange(r.size), big]
        base_h = h[r] - _eta(s) - _eta(lg)

        def h_shift(d):
            return base_h + _eta(s - d) + _eta(lg + d)

        ok = h_shift(a) <= rate_bits
        lo = _bisect_decreasing(h_shift, np.zeros_like(a), a, rate_bits)
        best_val = np.full(r.size, -np.inf)
        best_d = np.zeros(r.size)
        for frac in np.linspace(0.0, 1.0, 65):
            d = lo + frac * (a - lo)
            val = h_shift(d) - a * binary_entropy(np.clip(d / a, 0.0, 1.0))
            val = np.where(ok & (h_shift(d) <= rate_bits + RATE_SLACK), val, -np.inf)
            take = val > best_val
            best_val = np.where(take, val, best_val)
            best_d = np.where(take, d, best_d)
        better = best_val > value[r] + 1e-12
        rb = r[better]
        value[rb] = best_val[better]
        move[rb] = 2
        x_sel[rb] = x[better]
        t_from[rb] = small[better]
        t_to[rb] = big[better]
        delta[rb] = best_d[better]
    return value, move, x_sel, t_from, t_to, delta


def ebim_refine(p_x, rate, *, start="greedy", base=2) -> RefinedEBIMResult:
    """EBIM encoder refined by the moves of Theorem 3 (Ebrahimi, Chen and Khisti, 2024).

    From a deterministic mapping ``g`` with ``H(T_g) < rate``, mass ``delta`` of the cell
    with the smallest ``p(x | t)`` moves to a new code; from one with ``H(T_g) > rate``,
    mass of the smallest cell of the smallest code moves to the largest code. Along a move
    ``H(T)`` changes in two codes only and ``H(T | X) = p_x h(delta / p_x)``, so the best
    finite ``delta`` with ``H(T) <= rate`` is found by bisection. The result is the best of
    these moves and of the deterministic mappings themselves, over the start set.

    Parameters
    ----------
    p_x : array-like of shape (n,)
        Source distribution.
    rate : float
        Largest allowed ``H(T)`` (units of ``base``), >= 0.
    start : {"greedy", "all_partitions"}, default="greedy"
        Deterministic mappings to start from: the identity and the greedy search's
        candidates (all of them, or the 401 around the greedy answer for large supports),
        or every set partition of the support (at most 10 non-zero outcomes).
    base : float, default=2

    Returns
    -------
    RefinedEBIMResult
        ``mutual_information`` is at least the greedy value when ``start="greedy"``.

    See Also
    --------
    ebim_greedy, ebim_curve

    Examples
    --------
    >>> from probstat.coupling import ebim_greedy, ebim_refine
    >>> greedy = ebim_greedy([0.7, 0.2, 0.1], rate=0.7)
    >>> refined = ebim_refine([0.7, 0.2, 0.1], rate=0.7)
    >>> refined.mutual_information > greedy.mutual_information
    True
    """
    p = check_marginal(p_x, "p_x", "ebim_refine")
    rate = check_rate(rate)
    bits = check_base(base)
    if start not in ("greedy", "all_partitions"):
        raise ValueError(f"start must be 'greedy' or 'all_partitions' (got {start!r})")
    rate_bits = rate * bits
    ps, order = _sorted_support(p)
    n = ps.shape[0]
    if start == "all_partitions":
        if n > 10:
            raise ValueError(
                f"start='all_partitions' accepts at most 10 non-zero outcomes (got {n})"
            )
        labels, masses = _partition_table(ps)
    else:
        candidates, _ = _greedy_candidates(ps)
        positions = np.arange(candidates.shape[0])
        if positions.size > 2 * WINDOW + 1:  # large supports: the neighbours of the hit
            hit = int(np.argmax(candidates <= rate_bits + RATE_SLACK))
            positions = positions[max(hit - WINDOW, 0): hit + WINDOW + 1]
        moves = [(0, False)] + [_move_at(int(i)) for i in positions]
        labels = np.array([_labels_for(n, np.arange(n), k, s) for k, s in moves])
        labels = labels.reshape(len(moves), n)
        flat = (np.arange(labels.shape[0])[:, None] * n + labels).ravel()
        masses = np.bincount(flat, weights=np.tile(ps, labels.shape[0]),
                             minlength=labels.size).reshape(labels.shape)
    value, move, x_sel, t_from, t_to, delta = _refine_table(ps, labels, masses, rate_bits)
    # Prefer a deterministic mapping (then the fewest moved mass) among near-ties.
    near = np.flatnonzero(value >= value.max() - 1e-12)
    best = int(near[np.lexsort((delta[near], move[near] != 0))[0]])
    g = labels[best]
    used = np.unique(g)
    relabel = np.full(n, -1, dtype=np.int64)
    relabel[used] = np.arange(used.size)
    g = relabel[g]
    n_codes = used.size + (1 if move[best] == 1 else 0)
    enc_sorted = np.zeros((n, n_codes))
    enc_sorted[np.arange(n), g] = 1.0
    x = int(x_sel[best])
    d = float(delta[best])
    kind = ("none", "split", "shift")[int(move[best])]
    if move[best] != 0:
        share = min(d / ps[x], 1.0)
        target = n_codes - 1 if move[best] == 1 else int(relabel[t_to[best]])
        enc_sorted[x, g[x]] -= share
        enc_sorted[x, target] += share
    encoder = np.zeros((p.shape[0], n_codes))
    encoder[:, 0] = 1.0
    encoder[order] = enc_sorted
    keep = (p @ encoder) > 0
    encoder = encoder[:, keep] if keep.any() else encoder
    encoder[p == 0] = 0.0
    encoder[p == 0, 0] = 1.0
    p_t = p @ encoder
    joint = p[:, None] * encoder
    det = np.zeros(p.shape[0], dtype=np.int64)
    det[order] = g
    from ..utils import mutual_information

    return RefinedEBIMResult(
        encoder=encoder,
        p_t=p_t,
        mutual_information=mutual_information(joint) / bits,
        entropy_t=entropy(p_t) / bits,
        rate=rate,
        deterministic_labels=det,
        move=kind,
        delta=d,
        base=base,
    )


# ------------------------------------------------------------------------------ curve


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class EBIMCurve(ResultMixin):
    """The EBIM trade-off ``I(X; T)`` against the rate for several encoders.

    Parameters
    ----------
    rates : ndarray of shape (r,)
    greedy : ndarray of shape (r,)
        Greedy deterministic encoder.
    refined : ndarray of shape (r,)
        Theorem 3 refinement.
    best_deterministic : ndarray of shape (r,)
        Exhaustive best deterministic encoder (NaN when the support is too large).
    entropy_x : float
    base : float

    Examples
    --------
    >>> from probstat.coupling import ebim_curve
    >>> curve = ebim_curve([0.7, 0.2, 0.1], [0.5, 1.0])
    >>> bool((curve.refined >= curve.greedy - 1e-12).all())
    True
    """

    rates: np.ndarray
    greedy: np.ndarray
    refined: np.ndarray
    best_deterministic: np.ndarray
    entropy_x: float
    base: float = 2

    def plot(self, ax=None):
        """Draw the curves with the upper bound ``min(rate, H(X))``.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = get_axes(ax, figsize=(5.5, 4))
        ax.plot(self.rates, np.minimum(self.rates, self.entropy_x), color="0.6", ls=":",
                label="min(R, H(X))")
        if np.isfinite(self.best_deterministic).any():
            ax.plot(self.rates, self.best_deterministic, ls="--",
                    label="best deterministic")
        ax.plot(self.rates, self.greedy, label="greedy (Alg. 1)")
        ax.plot(self.rates, self.refined, label="refined (Thm. 3 moves)")
        unit = "bits" if self.base == 2 else f"log base {self.base:g}"
        ax.set_xlabel(f"rate R ({unit})")
        ax.set_ylabel(f"I(X; T) ({unit})")
        ax.legend()
        return ax


def ebim_curve(p_x, rates, *, start="auto", base=2) -> EBIMCurve:
    """Evaluate the EBIM trade-off over a grid of rates.

    Parameters
    ----------
    p_x : array-like of shape (n,)
        Source distribution.
    rates : array-like of shape (r,)
        Rates (units of ``base``), each >= 0.
    start : {"auto", "greedy", "all_partitions"}, default="auto"
        Start set of :func:`ebim_refine`; ``"auto"`` uses every partition when the support
        has at most 8 outcomes and the greedy candidates otherwise. The exhaustive best
        deterministic curve is computed when the support has at most 10 outcomes.
    base : float, default=2

    Returns
    -------
    EBIMCurve

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.coupling import ebim_curve
    >>> curve = ebim_curve([0.5, 0.5], np.array([0.0, 1.0]))
    >>> curve.greedy.tolist()
    [0.0, 1.0]
    """
    p = check_marginal(p_x, "p_x", "ebim_curve")
    rates = np.asarray(rates, dtype=np.float64).ravel()
    if rates.size == 0:
        raise ValueError("rates must not be empty")
    for r in rates:
        check_rate(float(r))
    n = int((p > 0).sum())
    if start == "auto":
        start = "all_partitions" if n <= 8 else "greedy"
    greedy = np.array([ebim_greedy(p, r, base=base).mutual_information for r in rates])
    refined = np.array([ebim_refine(p, r, start=start, base=base).mutual_information
                        for r in rates])
    if n <= 10:
        best = np.array([ebim_best_partition(p, r, base=base).mutual_information
                         for r in rates])
    else:
        best = np.full(rates.shape, np.nan)
    bits = check_base(base)
    return EBIMCurve(rates, greedy, refined, best, entropy(p) / bits, base)
