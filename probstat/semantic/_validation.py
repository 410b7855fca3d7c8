"""Input checks shared by the semantic-information routines (private)."""

from __future__ import annotations

import math

from ..backend import get_namespace, to_numpy
from ..utils import check_joint, check_probability_vector
from ..utils._measures import as_scalar as scalar
from ..utils._measures import log_base
from ..utils._validation import as_float_array

__all__ = ["as_float_matrix", "check_px", "check_pxy", "check_truth", "log_base", "safe_log",
           "scalar"]


def as_float_matrix(a, name, xp):
    """Return ``a`` as a 2-D real floating array of namespace ``xp``."""
    arr = as_float_array(a, name, xp)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n_x, n_labels) (got shape "
                         f"{tuple(arr.shape)})")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must not have an empty axis (got shape {tuple(arr.shape)})")
    if not bool(xp.all(xp.isfinite(arr))):
        raise ValueError(f"{name} must be finite (found NaN or inf)")
    return arr


def check_truth(T, xp=None, name="T"):
    """Validate a truth-function matrix ``T[i, j] = T(theta_j | x_i)`` in [0, 1]."""
    xp = get_namespace(T) if xp is None else xp
    T = as_float_matrix(T, name, xp)
    lo, hi = float(xp.min(T)), float(xp.max(T))
    if lo < 0 or hi > 1:
        raise ValueError(f"{name} must lie in [0, 1] (got values in [{lo:.6g}, {hi:.6g}])")
    colmax = to_numpy(xp.max(T, axis=0))
    if (colmax <= 0).any():
        j = int((colmax <= 0).nonzero()[0][0])
        raise ValueError(f"{name} column {j} is all zero: label {j} is never true")
    return T


def check_px(p_x, n_x, xp, name="p_x"):
    p_x = check_probability_vector(p_x, name=name)
    if p_x.shape[0] != n_x:
        raise ValueError(f"{name} must have length {n_x} to match T's {n_x} rows "
                         f"(got {p_x.shape[0]})")
    return p_x


def check_pxy(p_xy, shape, name="p_xy"):
    p_xy = check_joint(p_xy, name=name)
    if tuple(p_xy.shape) != tuple(shape):
        raise ValueError(f"{name} must have the shape of T {tuple(shape)} "
                         f"(got {tuple(p_xy.shape)})")
    return p_xy


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
