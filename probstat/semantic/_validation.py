"""Checks of semantic inputs (truth matrices, sources, joint samples) and small helpers.

Everything that is not specific to G theory uses the shared vocabulary of
:mod:`probstat.utils` (``check_array``, ``check_probability_vector``, ...).
"""

from __future__ import annotations

import math
import numbers

from ..backend import device, get_namespace, is_numpy_namespace, to_numpy
from ..utils import check_array, check_joint, check_probability_vector

__all__ = [
    "broadcast_pair",
    "check_px",
    "check_pxy",
    "check_truth",
    "input_device",
    "is_number",
    "namespace_of",
    "safe_log",
    "to_device",
    "weighted_sum_log",
]


# ----------------------------------------------------------------------- namespaces


def input_device(*arrays):
    """Device of the first array among ``arrays`` that is not on the host (None if none)."""
    for a in arrays:
        dev = device(a)
        if not (isinstance(dev, str) and dev == "cpu"):
            return dev
    return None


def to_device(a, xp, dev):
    """``a`` (a validated NumPy or ``xp`` array) as an array of ``xp`` on ``dev``."""
    if is_numpy_namespace(xp):
        return a
    return xp.asarray(a) if dev is None else xp.asarray(a, device=dev)


def is_number(v):
    """True for a real number (not a bool, not an array)."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def broadcast_pair(a, b, names, xp):
    """``a`` and ``b`` broadcast against each other, or a named error."""
    try:
        return xp.broadcast_arrays(a, b)
    except (ValueError, RuntimeError) as exc:
        raise ValueError(f"{names[0]} and {names[1]} must have broadcastable shapes (got "
                         f"{tuple(a.shape)} and {tuple(b.shape)})") from exc


def namespace_of(a):
    """The namespace an existing array lives in (whatever the dispatch setting)."""
    import array_api_compat

    return array_api_compat.array_namespace(a)


# ----------------------------------------------------------------------- semantic inputs


def check_truth(T, xp=None, name="T", dev=None):
    """Validate a truth-function matrix ``T[i, j] = T(theta_j | x_i)`` in [0, 1]."""
    xp = get_namespace(T) if xp is None else xp
    T = to_device(check_array(T, name, ndim=2, xp=xp), xp, dev)
    lo, hi = float(xp.min(T)), float(xp.max(T))
    if lo < 0 or hi > 1:
        raise ValueError(f"{name} must lie in [0, 1] (got values in [{lo:.6g}, {hi:.6g}])")
    colmax = to_numpy(xp.max(T, axis=0))
    if (colmax <= 0).any():
        j = int((colmax <= 0).nonzero()[0][0])
        raise ValueError(f"{name} column {j} is all zero: label {j} is never true")
    return T


def check_px(p_x, n_x, xp, dev=None, name="p_x", rows="T"):
    """Validate the source ``p_x`` (length ``n_x``, the rows of ``rows``)."""
    p_x = to_device(check_probability_vector(p_x, name=name), xp, dev)
    if p_x.shape[0] != n_x:
        raise ValueError(f"{name} must have length {n_x} to match {rows}'s {n_x} rows "
                         f"(got {p_x.shape[0]})")
    return p_x


def check_pxy(p_xy, shape, xp, dev=None, name="p_xy"):
    """Validate a joint sample distribution of the shape of T."""
    p_xy = to_device(check_joint(p_xy, name=name), xp, dev)
    if tuple(p_xy.shape) != tuple(shape):
        raise ValueError(f"{name} must have the shape of T {tuple(shape)} "
                         f"(got {tuple(p_xy.shape)})")
    return p_xy


# ----------------------------------------------------------------------- logarithms


def safe_log(a, xp):
    """``log(a)`` with ``-inf`` where ``a == 0`` and no divide-by-zero warning."""
    pos = a > 0
    return xp.where(pos, xp.log(xp.where(pos, a, xp.ones_like(a))),
                    xp.full_like(a, -math.inf))


def weighted_sum_log(p, logq, xp, axis=None):
    """``sum p * logq`` with ``0 * (-inf) = 0`` and ``-inf`` where ``p > 0`` meets ``-inf``."""
    finite = xp.isfinite(logq)
    term = xp.where(finite, p * xp.where(finite, logq, xp.zeros_like(logq)),
                    xp.zeros_like(p))
    total = xp.sum(term, axis=axis)
    bad = xp.sum(xp.where((p > 0) & ~finite, xp.ones_like(p), xp.zeros_like(p)), axis=axis)
    return xp.where(bad > 0, xp.full_like(total, -math.inf), total)


