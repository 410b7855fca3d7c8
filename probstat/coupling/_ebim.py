"""Entropy-bounded information maximisation (EBIM): the encoder half of MEC-B.

``I_EBIM(p_X, R) = max I(X; T) over encoders p(t | x) with H(T) <= R``
(Ebrahimi, Chen and Khisti, 2024). The greedy search (their Algorithm 1) returns a
deterministic encoder; :mod:`._ebim_refine` applies the moves of their Theorem 3 with a
finite step to reach stochastic encoders between the deterministic points.

Entropies are computed in nats and divided by :func:`probstat.utils._numerics.log_base`
for the caller's ``base``; rates are multiplied by it.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import entr

from ..backend import device, get_namespace, is_numpy_namespace, on_host, to_numpy
from ..base import ResultMixin
from ..utils import binary_entropy, check_probability_vector, check_scalar_in, entropy
from ..utils._numerics import log_base
from ._coupling import _order_desc
from ._validation import check_marginal, check_rate

#: Slack on ``H(T) <= rate`` for round-off (in nats).
RATE_SLACK = 1e-12


def _eta(x):
    """Elementwise ``-x ln x`` (0 at 0), in nats: scipy.special.entr."""
    return entr(x)


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class EBIMResult(ResultMixin):
    """A deterministic EBIM encoder ``t = labels[x]``.

    The arrays live in the namespace and on the device of ``p_x``.

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
        xp = get_namespace(self.labels)
        labels = to_numpy(self.labels) if is_numpy_namespace(xp) else self.labels
        codes = xp.arange(self.n_codes, device=device(labels))
        return xp.astype(labels[:, None] == codes[None, :], xp.float64)


def _sorted_support(p):
    """Positive entries in decreasing order (ties by index) and their original indices."""
    support = np.flatnonzero(p > 0)
    order = support[_order_desc(p[support])]
    return p[order], order


def _greedy_candidates(ps):
    """Candidate entropies (nats) of the greedy search (see :func:`_move_at`) and H(X).

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


def _greedy_labels(p, rate_nats):
    """Labels of the greedy EBIM encoder of NumPy ``p`` and the candidate entropies."""
    ps, order = _sorted_support(p)
    candidates, h_identity = _greedy_candidates(ps)
    if h_identity <= rate_nats + RATE_SLACK or ps.shape[0] < 2:
        return _labels_for(p.shape[0], order, 0, False), candidates
    k, merge_small = _move_at(int(np.argmax(candidates <= rate_nats + RATE_SLACK)))
    return _labels_for(p.shape[0], order, k, merge_small), candidates


def _deterministic_result(p, labels, rate, scale, method, candidates, base):
    """The :class:`EBIMResult` of deterministic ``labels`` (NumPy); ``scale = ln(base)``."""
    p_t = np.bincount(labels, weights=p)
    p2 = np.partition(p, p.shape[0] - 2)[p.shape[0] - 2] if p.shape[0] > 1 else 0.0
    return EBIMResult(
        labels=labels,
        p_t=p_t,
        mutual_information=entropy(p_t, base=None) / scale + 0.0,  # no -0.0
        rate=rate,
        entropy_x=entropy(p, base=None) / scale,
        gap_bound=float(binary_entropy(float(min(max(p2, 0.0), 1.0)), base=None)) / scale,
        candidates=candidates / scale,
        method=method,
        base=base,
    )


def _greedy(p, rate, scale, base):
    """:func:`ebim_greedy` on validated NumPy input."""
    labels, candidates = _greedy_labels(p, rate * scale)
    return _deterministic_result(p, labels, rate, scale, "greedy", candidates, base)


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
        Computed in the namespace of ``p_x``: with array-API dispatch on and CuPy or
        array-api-strict input, ``labels``, ``p_t`` and ``candidates`` are arrays of that
        namespace on the input's device (no copy to the host).

    See Also
    --------
    ebim_refine : Stochastic encoders between the deterministic points.
    ebim_best_partition : The best deterministic encoder, by exhaustive search.

    Notes
    -----
    The greedy search and its ``gap_bound`` are those of [1]_.

    References
    ----------
    .. [1] M. R. Ebrahimi, J. Chen and A. Khisti, "Minimum entropy coupling with
       bottleneck", NeurIPS 2024, arXiv:2410.21666 (the greedy deterministic EBIM search
       and its guarantee I_EBIM - I <= h(p_2), p_2 the second-largest mass).

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
    p = check_marginal(p_x, "p_x")
    rate = check_rate(rate)
    return _greedy(p, rate, log_base(base), base)


def _ebim_greedy_xp(p_x, rate, base, xp):
    """:func:`ebim_greedy` written against the array API (CuPy, array-api-strict, ...).

    The same closed form as the NumPy path: one stable sort, cumulative sums, and the
    labels mapped back by the inverse permutation (a second sort, as the array API has
    no scatter). Only the index of the first candidate within the rate comes to the host.
    """
    p = check_probability_vector(p_x, name="p_x")
    rate = check_rate(rate)
    scale = log_base(base)
    rate_nats = rate * scale
    dev = device(p)
    n_total = p.shape[0]
    order = xp.argsort(-p, stable=True)  # zeros last; ties by index, as on NumPy
    ps_all = xp.take(p, order)
    n = int(xp.sum(xp.astype(p > 0, xp.int64)))
    ps = ps_all[:n]

    def eta(x):
        safe = xp.where(x > 0, x, xp.ones_like(x))
        return xp.where(x > 0, -x * xp.log(safe), xp.zeros_like(x))

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
    if h_identity <= rate_nats + RATE_SLACK or n < 2:
        k, merge_small = -1, False  # identity: every outcome its own code
    else:
        within = xp.astype(candidates <= rate_nats + RATE_SLACK, xp.int8)
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
        mutual_information=float(entropy(p_t, base=None)) / scale + 0.0,
        rate=rate,
        entropy_x=h_identity / scale,
        gap_bound=float(binary_entropy(min(max(p2, 0.0), 1.0), base=None)) / scale,
        candidates=candidates / scale,
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
        ``H(T)`` in decreasing order. Array-API inputs are copied to NumPy and the arrays
        of the result moved back.

    Notes
    -----
    The optimum of EBIM equals the rate exactly at the entropies of deterministic
    mappings [1]_; this routine searches all of them, the exact deterministic baseline
    for the greedy search.

    References
    ----------
    .. [1] M. R. Ebrahimi, J. Chen and A. Khisti, "Minimum entropy coupling with
       bottleneck", NeurIPS 2024, arXiv:2410.21666 (EBIM and its deterministic
       solutions).

    Examples
    --------
    >>> from probstat.coupling import ebim_best_partition
    >>> r = ebim_best_partition([0.7, 0.2, 0.1], rate=0.8)
    >>> r.labels.tolist(), round(r.mutual_information, 6)
    ([0, 1, 0], 0.721928)
    """
    host = on_host(p_x, where="ebim_best_partition")
    p = check_marginal(host.to_numpy(p_x), "p_x")
    rate = check_rate(rate)
    scale = log_base(base)
    max_size = check_scalar_in(max_size, "max_size", low=1, high=12, integer=True)
    return host.from_numpy(_best_partition(p, rate, scale, base, max_size))


def _best_partition(p, rate, scale, base, max_size=10):
    """:func:`ebim_best_partition` on validated NumPy input."""
    ps, order = _sorted_support(p)
    if ps.shape[0] > max_size:
        raise ValueError(
            f"ebim_best_partition enumerates Bell(n) partitions and accepts at most "
            f"max_size={max_size} non-zero outcomes (got {ps.shape[0]})"
        )
    labels, masses = _partition_table(ps)
    h = np.sum(_eta(masses), axis=1)
    feasible = h <= rate * scale + RATE_SLACK
    best = int(np.flatnonzero(feasible)[np.argmax(h[feasible])])
    full = np.zeros(p.shape[0], dtype=np.int64)
    full[order] = labels[best]
    candidates = np.unique(np.round(h, 12))[::-1]
    return _deterministic_result(p, full, rate, scale, "best_partition", candidates, base)
