"""EBIM refinement by the moves of Theorem 3, and the EBIM trade-off curve.

From a deterministic encoder, moving a finite mass ``delta`` of one cell to another code
reaches stochastic encoders between the deterministic points (Ebrahimi, Chen and Khisti,
2024, Theorem 3). Entropies are in nats internally and divided by ``log_base(base)``.
"""

from __future__ import annotations

import dataclasses
import heapq

import numpy as np
from scipy.special import entr

from .._warn import warn
from ..backend import on_host
from ..base import ResultMixin
from ..utils import check_array, check_option, entropy, mutual_information
from ..utils._numerics import log_base
from ._ebim import (
    RATE_SLACK,
    _best_partition,
    _eta,
    _greedy,
    _greedy_candidates,
    _labels_for,
    _move_at,
    _partition_table,
    _sorted_support,
)
from ._validation import check_marginal, check_rate

#: ebim_refine(start="greedy") uses the greedy candidates within this many positions of the
#: greedy answer when the support is large (all of them when there are at most 2W + 1).
WINDOW = 200
#: Largest support (non-zero outcomes) of the exhaustive best-deterministic curve.
MAX_EXHAUSTIVE = 10
#: start="auto" enumerates every set partition up to this support (Bell(10) = 115,975
#: partitions, about half a second) ...
AUTO_EXHAUSTIVE = 10
#: ... and above it adds merge chains (see :func:`_merge_chain_labels`) up to this support,
#: started from the greedy lumps within ``CHAIN_WINDOW`` of the greedy answer.
MAX_CHAINS = 2000
CHAIN_WINDOW = 16


def _h2(r):
    """Binary entropy in nats, elementwise."""
    return entr(r) + entr(1.0 - r)


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class RefinedEBIMResult(ResultMixin):
    """A (possibly stochastic) EBIM encoder found by the Theorem 3 moves.

    The arrays live in the namespace and on the device of ``p_x``.

    Parameters
    ----------
    encoder : ndarray of shape (n, n_codes)
        ``p(t | x)``; rows of zero-mass outcomes are one-hot on code 0.
    p_t : ndarray of shape (n_codes,)
        Distribution of the code.
    mutual_information : float
        ``I(X; T)``.
    entropy_t : float
        ``H(T)``, at most ``rate`` (up to 1e-9).
    rate : float
        The rate constraint ``H(T) <= rate``.
    deterministic_labels : ndarray of shape (n,)
        The deterministic mapping the move started from.
    move : str
        ``"none"`` (a deterministic mapping was best), ``"split"`` (mass moved to a new
        code: rate above the mapping's entropy) or ``"shift"`` (mass moved to the largest
        code: rate below it).
    delta : float
        The probability mass moved.
    base : float
        Log base of the entropies.

    Examples
    --------
    >>> from probstat.coupling import ebim_refine
    >>> e = ebim_refine([0.7, 0.2, 0.1], rate=0.7)
    >>> e.move, e.entropy_t <= 0.7 + 1e-9
    ('shift', True)
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


def _bisect(fun, lo, hi, target, *, increasing, iters=64):
    """The end of ``{x in [lo, hi]: fun(x) <= target}`` for a monotone ``fun`` (vectorised):
    the largest such x when ``fun`` increases, the smallest when it decreases."""
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        ok = fun(mid) <= target
        if increasing:
            lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
        else:
            lo, hi = np.where(ok, lo, mid), np.where(ok, mid, hi)
    return lo if increasing else hi


def _refine_table(ps, labels, masses, rate_nats):
    """Best I over the deterministic mappings (rows) and both moves, vectorised.

    Returns per row: (value, move code 0/1/2, x, t_from, t_to, delta); values in nats.
    """
    B, n = labels.shape
    rows = np.arange(B)
    h = np.sum(_eta(masses), axis=1)
    col_of = masses[rows[:, None], labels]  # p_T(g(x)) for every cell
    value = np.where(h <= rate_nats + RATE_SLACK, h, -np.inf)
    move = np.zeros(B, dtype=np.int64)
    x_sel = np.zeros(B, dtype=np.int64)
    t_from = np.zeros(B, dtype=np.int64)
    t_to = np.zeros(B, dtype=np.int64)
    delta = np.zeros(B)

    # Split (rate above H(T_g)): the cell with the smallest p(x | t) gives delta to a new
    # code. dI/d(delta) = ln((c - delta) / (a - delta)) >= 0, so take the largest
    # feasible delta: all of it when that meets the rate, else the first root of
    # H(delta) = rate on the increasing part [0, min(a, c/2)].
    up = h < rate_nats - RATE_SLACK
    if np.any(up):
        r = rows[up]
        x = np.argmin(ps[None, :] / col_of[r], axis=1)
        a = ps[x]
        c = col_of[r, x]
        base_h = h[r] - _eta(c)

        def h_split(d):
            return base_h + _eta(c - d) + _eta(d)

        whole = h_split(a) <= rate_nats
        d = np.where(whole, a, _bisect(h_split, np.zeros_like(a), np.minimum(a, c / 2),
                                       rate_nats, increasing=True))
        ratio = np.clip(d / a, 0.0, 1.0)
        val = h_split(d) - a * _h2(ratio)
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
    down = (h > rate_nats + RATE_SLACK) & (n_codes >= 2)
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

        ok = h_shift(a) <= rate_nats
        lo = _bisect(h_shift, np.zeros_like(a), a, rate_nats, increasing=False)
        best_val = np.full(r.size, -np.inf)
        best_d = np.zeros(r.size)
        for frac in np.linspace(0.0, 1.0, 65):
            d = lo + frac * (a - lo)
            val = h_shift(d) - a * _h2(np.clip(d / a, 0.0, 1.0))
            val = np.where(ok & (h_shift(d) <= rate_nats + RATE_SLACK), val, -np.inf)
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


def _merge_chain_labels(ps, k, rate_nats):
    """Two mappings around the rate on the merge chain that starts from ``T_k``.

    ``T_k`` lumps the ``k + 1`` largest masses (``k = -1``: the identity); the chain then
    merges the two smallest codes, one pair at a time, as Huffman's construction does.
    Each merge lowers ``H(T)`` by little, so the chain steps down through many entropy
    levels; returned are the labels of its last mapping above the rate and its first
    mapping at or below it (either may be missing).
    """
    n = ps.shape[0]
    if k < 0:
        codes = np.arange(n, dtype=np.int64)
    else:
        codes = np.zeros(n, dtype=np.int64)
        codes[k + 1:] = np.arange(1, n - k)
    masses = np.bincount(codes, weights=ps)
    members = [[] for _ in range(masses.shape[0])]
    for x in range(n):
        members[int(codes[x])].append(x)
    h = float(np.sum(_eta(masses)))
    heap = [(float(v), c) for c, v in enumerate(masses)]
    heapq.heapify(heap)
    labels = codes.copy()
    above = None
    while h > rate_nats + RATE_SLACK:
        if len(heap) < 2:
            return above, None
        above = labels.copy()
        a, ca = heapq.heappop(heap)
        b, cb = heapq.heappop(heap)
        if len(members[ca]) < len(members[cb]):
            ca, cb = cb, ca
        labels[members[cb]] = ca
        members[ca].extend(members[cb])
        members[cb] = []
        h -= float(_eta(a) + _eta(b) - _eta(a + b))
        heapq.heappush(heap, (a + b, ca))
    return above, labels


def _start_table(ps, start, rate_nats, window=WINDOW):
    """Labels (B, n) and code masses (B, n) of the deterministic start mappings; the
    greedy candidates are those within ``window`` positions of the greedy answer."""
    n = ps.shape[0]
    if start == "auto" and n <= AUTO_EXHAUSTIVE:
        start = "all_partitions"
    if start == "all_partitions":
        return _partition_table(ps)
    candidates, _ = _greedy_candidates(ps)
    positions = np.arange(candidates.shape[0])
    hit = int(np.argmax(candidates <= rate_nats + RATE_SLACK)) if positions.size else 0
    if positions.size > 2 * window + 1:  # large supports: the neighbours of the hit
        positions = positions[max(hit - window, 0): hit + window + 1]
    moves = [(0, False)] + [_move_at(int(i)) for i in positions]
    rows = [_labels_for(n, np.arange(n), k, s) for k, s in moves]
    if start == "auto" and n <= MAX_CHAINS:
        k_hit = _move_at(hit)[0] if candidates.size else 0
        for k in range(max(k_hit - CHAIN_WINDOW, -1), min(k_hit + CHAIN_WINDOW, n - 2) + 1):
            rows.extend(r for r in _merge_chain_labels(ps, k, rate_nats) if r is not None)
    labels = np.array(rows).reshape(len(rows), n)
    flat = (np.arange(labels.shape[0])[:, None] * n + labels).ravel()
    masses = np.bincount(flat, weights=np.tile(ps, labels.shape[0]),
                         minlength=labels.size).reshape(labels.shape)
    return labels, masses


def ebim_refine(p_x, rate, *, start="auto", base=2) -> RefinedEBIMResult:
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
    start : {"auto", "greedy", "all_partitions"}, default="auto"
        Deterministic mappings to start from.

        - ``"all_partitions"``: every set partition of the support (at most 10 non-zero
          outcomes). The moves from every partition give the best encoder this
          construction can reach, the envelope the theory describes.
        - ``"greedy"``: the identity and the greedy search's candidates (all of them, or
          the 401 around the greedy answer for large supports). Fast at any size, but it
          can miss the optimum by a tenth of a bit or more on small supports.
        - ``"auto"``: every partition when the support has at most 10 outcomes (about
          0.3-0.5 s at 10, about 20 ms at 8); above that the greedy candidates plus merge
          chains: from the lumps of the ``k + 1`` largest masses, ``k`` within 16 of the
          greedy answer's, the two smallest codes are merged one pair at a time and the
          mappings just above and just below the rate are kept (up to 2,000 outcomes).
          It is never worse than ``"greedy"``.
    base : float, default=2

    Returns
    -------
    RefinedEBIMResult
        ``mutual_information`` is at least the greedy value for every ``start``.
        Array-API inputs are copied to NumPy and the arrays of the result moved back.

    See Also
    --------
    ebim_greedy, ebim_curve

    Notes
    -----
    The moves are those of [1]_, taken with a finite step.

    References
    ----------
    .. [1] M. R. Ebrahimi, J. Chen and A. Khisti, "Minimum entropy coupling with
       bottleneck", NeurIPS 2024, arXiv:2410.21666 (the optimal EBIM encoders near
       deterministic mappings: the two mass moves that leave a deterministic mapping at
       rates just above and just below its entropy).

    Examples
    --------
    >>> from probstat.coupling import ebim_greedy, ebim_refine
    >>> greedy = ebim_greedy([0.7, 0.2, 0.1], rate=0.7)
    >>> refined = ebim_refine([0.7, 0.2, 0.1], rate=0.7)
    >>> refined.mutual_information > greedy.mutual_information
    True
    """
    host = on_host(p_x, where="ebim_refine")
    p = check_marginal(host.to_numpy(p_x), "p_x")
    rate = check_rate(rate)
    check_option(start, "start", ("auto", "greedy", "all_partitions"))
    scale = log_base(base)
    n = int(np.count_nonzero(p))
    if start == "all_partitions" and n > MAX_EXHAUSTIVE:
        raise ValueError(f"start='all_partitions' accepts at most {MAX_EXHAUSTIVE} non-zero "
                         f"outcomes in p_x (got {n})")
    return host.from_numpy(_refine(p, rate, start, scale, base))


def _refine(p, rate, start, scale, base, window=WINDOW):
    """:func:`ebim_refine` on validated NumPy input (``window``: see :func:`_start_table`)."""
    rate_nats = rate * scale
    ps, order = _sorted_support(p)
    n = ps.shape[0]
    labels, masses = _start_table(ps, start, rate_nats, window)
    value, move, x_sel, t_from, t_to, delta = _refine_table(ps, labels, masses, rate_nats)
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
    return RefinedEBIMResult(
        encoder=encoder,
        p_t=p_t,
        mutual_information=mutual_information(joint, base=None) / scale,
        entropy_t=entropy(p_t, base=None) / scale,
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

    The arrays live in the namespace and on the device of the inputs.

    Parameters
    ----------
    rates : ndarray of shape (r,)
        The rates, in units of ``base``.
    greedy : ndarray of shape (r,)
        Greedy deterministic encoder.
    refined : ndarray of shape (r,)
        Theorem 3 refinement.
    best_deterministic : ndarray of shape (r,)
        Exhaustive best deterministic encoder (NaN, with a warning, when the support has
        more than 10 non-zero outcomes).
    entropy_x : float
        ``H(X)``, the largest useful rate.
    base : float
        Log base of the rates and information values.

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
            Axes to draw on (a new figure when None).

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on.
        """
        from ._plot import plot_ebim_curve

        return plot_ebim_curve(self, ax)


def ebim_curve(p_x, rates, *, start="auto", base=2) -> EBIMCurve:
    """Evaluate the EBIM trade-off over a grid of rates.

    Parameters
    ----------
    p_x : array-like of shape (n,)
        Source distribution.
    rates : array-like of shape (r,)
        Rates (units of ``base``), each >= 0. A single number gives a one-point curve.
    start : {"auto", "greedy", "all_partitions"}, default="auto"
        Start set of :func:`ebim_refine` (see there). The exhaustive best deterministic
        curve is computed when the support has at most 10 outcomes.
    base : float, default=2
        Log base of the rates and of the information values.

    Returns
    -------
    EBIMCurve
        Array-API inputs are copied to NumPy and the arrays of the result moved back.

    Notes
    -----
    The curve reproduces the EBIM trade-off of [1]_: the greedy staircase and the
    stochastic arcs between deterministic points.

    References
    ----------
    .. [1] M. R. Ebrahimi, J. Chen and A. Khisti, "Minimum entropy coupling with
       bottleneck", NeurIPS 2024, arXiv:2410.21666 (the optimal EBIM encoders near
       deterministic mappings: the two mass moves that leave a deterministic mapping at
       rates just above and just below its entropy).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.coupling import ebim_curve
    >>> curve = ebim_curve([0.5, 0.5], np.array([0.0, 1.0]))
    >>> curve.greedy.tolist()
    [0.0, 1.0]
    """
    host = on_host(p_x, rates, where="ebim_curve")
    p = check_marginal(host.to_numpy(p_x), "p_x")
    rates = check_array(host.to_numpy(rates), "rates", ndim=(0, 1)).reshape(-1)
    lowest = float(rates.min())
    if lowest < 0:
        raise ValueError(f"rates must be >= 0 (smallest {lowest:g})")
    check_option(start, "start", ("auto", "greedy", "all_partitions"))
    scale = log_base(base)
    n = int(np.count_nonzero(p))
    if start == "all_partitions" and n > MAX_EXHAUSTIVE:
        raise ValueError(f"start='all_partitions' accepts at most {MAX_EXHAUSTIVE} non-zero "
                         f"outcomes in p_x (got {n})")
    greedy = np.array([_greedy(p, float(r), scale, base).mutual_information for r in rates])
    refined = np.array([_refine(p, float(r), start, scale, base).mutual_information
                        for r in rates])
    if n <= MAX_EXHAUSTIVE:
        best = np.array([_best_partition(p, float(r), scale, base).mutual_information
                         for r in rates])
    else:
        best = np.full(rates.shape, np.nan)
        warn(f"best_deterministic is NaN: the exhaustive search needs at most "
             f"{MAX_EXHAUSTIVE} non-zero outcomes in p_x (got {n})", RuntimeWarning)
    curve = EBIMCurve(rates.copy(), greedy, refined, best, entropy(p, base=None) / scale,
                      base)
    return host.from_numpy(curve)
