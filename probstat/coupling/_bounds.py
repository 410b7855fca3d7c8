"""Lower bounds on the minimum coupling entropy and the exact solver for small supports."""

from __future__ import annotations

import numpy as np

from ..backend import on_host
from ..utils import check_option, check_scalar_in, entropy
from ..utils._numerics import log_base
from ._coupling import Coupling, _finish
from ._validation import LN2, check_marginal, check_marginals

LOWER_BOUND_METHODS = ("max_entropy", "majorization", "profile", "majorize_profile")


def _ascending_profiles(ps):
    """Each marginal sorted ascending with its cumulative sums (last one set to 1)."""
    out = []
    for p in ps:
        s = np.sort(p)
        c = np.cumsum(s)
        c[-1] = 1.0
        out.append((s, c))
    return out


def _majorization_meet(ps):
    """The greatest lower bound ``z`` of the marginals in the majorization order."""
    width = max(p.shape[0] for p in ps)
    cums = np.ones((len(ps), width))
    for i, p in enumerate(ps):
        c = np.cumsum(np.sort(p)[::-1])
        c[-1] = 1.0
        cums[i, : p.shape[0]] = c
    meet = np.min(cums, axis=0)
    return np.maximum(np.diff(meet, prepend=0.0), 0.0)


def _profile_bits(ps):
    profiles = _ascending_profiles(ps)
    breaks = np.unique(np.concatenate([c for _, c in profiles]))
    breaks = breaks[(breaks > 0) & (breaks <= 1.0)]
    f = np.full(breaks.shape[0], np.inf)
    for s, c in profiles:
        j = np.minimum(np.searchsorted(c, breaks, side="left"), s.shape[0] - 1)
        f = np.minimum(f, s[j])
    widths = np.diff(breaks, prepend=0.0)
    return float(np.sum(widths * -np.log2(f)))


def _majorize_profile_bits(ps):
    from ._kernels import majorize_profile_core  # numba compiles on the first call

    profiles = _ascending_profiles(ps)
    cums = np.concatenate([[0.0]] + [c for _, c in profiles])
    caps = np.concatenate([[0.0]] + [s for s, _ in profiles])
    order = np.lexsort((-caps, -cums))
    cums, caps = cums[order], caps[order]
    previous_min = np.minimum.accumulate(np.concatenate([[2.0], caps[:-1]]))
    keep = caps < previous_min
    return float(majorize_profile_core(np.ascontiguousarray(cums[keep]),
                                       np.ascontiguousarray(caps[keep])))


def mec_lower_bound(*marginals, method="majorize_profile", base=2) -> float:
    """Lower bound on the entropy of every coupling of the given marginals.

    Parameters
    ----------
    *marginals : array-like of shape (n_i,)
        Probability vectors (lengths may differ).
    method : {"majorize_profile", "profile", "majorization", "max_entropy"}
        - ``"max_entropy"``: ``max_i H(p_i)``.
        - ``"majorization"``: ``H(z)`` of the greatest lower bound ``z`` of the marginals
          in the majorization order (Cicalese, Gargano and Vaccaro, 2019).
        - ``"profile"``: the profile bound of Compton et al. (2023), evaluated exactly at
          the breakpoints of the marginals' ascending cumulative sums.
        - ``"majorize_profile"`` (default): the combined bound of Compton et al. (2023),
          never below the other three.
    base : float, default=2
        Logarithm base of the result.

    Returns
    -------
    float
        All methods run in ``O(N log N)`` for ``N = sum(n_i)``. The majorize-profile
        sweep runs on the CPU (array-API inputs are copied to NumPy).

    See Also
    --------
    greedy_mec, exact_mec

    Notes
    -----
    ``"majorization"`` is the bound of [1]_; ``"profile"`` and ``"majorize_profile"``
    are the profile-method bounds of [2]_.

    References
    ----------
    .. [1] F. Cicalese, L. Gargano and U. Vaccaro, "Minimum-entropy couplings and their
       applications", IEEE Trans. Inf. Theory 65(6), 2019, arXiv:1901.07530 (the
       majorization lower bound H(p ^ q)).
    .. [2] S. Compton, D. Katz, B. Qi, K. Greenewald and M. Kocaoglu, "Minimum-entropy
       coupling approximation guarantees beyond the majorization barrier", AISTATS 2023,
       arXiv:2302.11838 (the profile lower bound; greedy within log2(e)/e bits of the
       optimum for two marginals and (1 + log2 e)/2 for any number; exact
       exponential-time solvers).

    Examples
    --------
    >>> from probstat.coupling import mec_lower_bound
    >>> round(mec_lower_bound([0.6, 0.4], [0.4, 0.3, 0.3]), 6)
    1.570951
    """
    host = on_host(*marginals, where="mec_lower_bound")
    ps = check_marginals([host.to_numpy(p) for p in marginals])
    check_option(method, "method", LOWER_BOUND_METHODS)
    scale = log_base(base)
    if method == "max_entropy":
        bits = max(entropy(p) for p in ps)
    elif method == "majorization":
        bits = entropy(_majorization_meet(ps))
    elif method == "profile":
        bits = _profile_bits(ps)
    else:
        bits = _majorize_profile_bits(ps)
    return float(bits) * LN2 / scale


def exact_mec(p, q, *, max_atoms=14) -> Coupling:
    """Exact minimum-entropy coupling of two small marginals.

    Entropy is concave, so its minimum over the transportation polytope sits at a vertex,
    whose support is a forest of the bipartite graph between the outcomes of ``p`` and
    ``q``. A dynamic programme over subsets of outcomes finds the rooted spanning tree
    (zero-mass edges join the forest's trees) with the least total edge entropy. It costs
    about ``O(3^T T)`` time and ``O(2^T T)`` memory for ``T`` non-zero outcomes in all
    (``n + k <= 14`` takes well under a second), so larger inputs are refused.

    Parameters
    ----------
    p, q : array-like of shape (n,) and (k,)
        Probability vectors. Zero entries are dropped before solving and do not count
        towards ``max_atoms``.
    max_atoms : int, default=14
        Largest allowed number of non-zero outcomes ``T`` in ``p`` and ``q`` together
        (at most 18).

    Returns
    -------
    Coupling
        An optimal coupling (``method="exact"``). The solver runs on the CPU: array-API
        inputs are copied to NumPy and the result's arrays moved back.

    Raises
    ------
    ValueError
        If the inputs are invalid or ``T > max_atoms``.

    See Also
    --------
    greedy_mec, mec_lower_bound

    Notes
    -----
    The minimum of a concave function over the transportation polytope is attained at a
    vertex [1]_; exact exponential-time solvers of this kind are described in [2]_.

    References
    ----------
    .. [1] M. Kocaoglu, A. G. Dimakis, S. Vishwanath and B. Hassibi, "Entropic causal
       inference", AAAI 2017, arXiv:1611.04035 (the greedy minimum-entropy coupling
       algorithm).
    .. [2] S. Compton, D. Katz, B. Qi, K. Greenewald and M. Kocaoglu, "Minimum-entropy
       coupling approximation guarantees beyond the majorization barrier", AISTATS 2023,
       arXiv:2302.11838 (the profile lower bound; greedy within log2(e)/e bits of the
       optimum for two marginals and (1 + log2 e)/2 for any number; exact
       exponential-time solvers).

    Examples
    --------
    >>> from probstat.coupling import exact_mec
    >>> c = exact_mec([0.6, 0.4], [0.4, 0.3, 0.3])
    >>> round(c.entropy(), 6)
    1.570951
    """
    host = on_host(p, q, where="exact_mec")
    p = check_marginal(host.to_numpy(p), "p")
    q = check_marginal(host.to_numpy(q), "q")
    max_atoms = check_scalar_in(max_atoms, "max_atoms", low=2, high=18, integer=True)
    rows = np.flatnonzero(p > 0)
    cols = np.flatnonzero(q > 0)
    total = rows.shape[0] + cols.shape[0]
    if total > max_atoms:
        raise ValueError(
            f"exact_mec solves at most max_atoms={max_atoms} non-zero outcomes in p and q "
            f"together (got {total}); its cost grows like 3^T. Use greedy_mec instead."
        )
    from ._kernels import exact_dp  # numba compiles on the first call

    values = np.concatenate([p[rows], q[cols]])
    n_rows = rows.shape[0]
    _, kind, arg, signed = exact_dp(values, n_rows, 1e-12)
    cells = []
    stack = [((1 << total) - 1, 0)]
    while stack:
        mask, j = stack.pop()
        if mask & (mask - 1) == 0:
            continue
        rest = mask ^ (1 << j)
        if kind[mask, j] == 1:
            k = int(arg[mask, j])
            mass = max((1.0 if k < n_rows else -1.0) * signed[rest], 0.0)
            r, c = (j, k) if j < n_rows else (k, j)
            if mass > 0:
                cells.append((rows[r], cols[c - n_rows], mass))
            stack.append((rest, k))
        elif kind[mask, j] == 2:
            sub = int(arg[mask, j])
            stack.append(((1 << j) | sub, j))
            stack.append(((1 << j) | (rest ^ sub), j))
        else:  # pragma: no cover - the full set always has a feasible tree
            raise RuntimeError("exact_mec found no feasible coupling")
    indices = np.array([[r, c] for r, c, _ in cells], dtype=np.int64).reshape(-1, 2)
    masses = np.array([m for _, _, m in cells], dtype=np.float64)
    order = np.lexsort((indices[:, 1], indices[:, 0]))
    coupling = _finish(indices[order], masses[order], (p.shape[0], q.shape[0]), [p, q],
                       "exact")
    return host.from_numpy(coupling)
