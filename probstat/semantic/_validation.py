"""Checks of semantic inputs (truth matrices, sources, joint samples) and small helpers.

Everything that is not specific to G theory uses the shared vocabulary of
:mod:`probstat.utils` (``check_array``, ``check_probability_vector``, ...).
"""

from __future__ import annotations

import math
import numbers
import re

from ..backend import device, get_namespace, is_numpy_namespace, to_numpy
from ..utils import check_array, check_joint, check_probability_vector

__all__ = [
    "broadcast_pair",
    "check_class_targets",
    "check_px",
    "check_pxy",
    "check_truth",
    "input_device",
    "is_number",
    "namespace_of",
    "safe_log",
    "to_device",
    "validate_estimator_data",
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


# ----------------------------------------------------------------------- estimator data

_NAMES_X_OR_Y = re.compile(r"(?<![\w])(X|y)(?![\w])")


def validate_estimator_data(estimator, X, y="no_validation", *, reset, **kwargs):
    """scikit-learn's ``validate_data`` with probstat's refusals and argument names.

    scikit-learn accepts numeric strings and words some errors without naming the
    argument ("Expected 2D array, got 1D array instead"), while its estimator checks
    expect that wording. ``X`` is first checked with :func:`probstat.utils.check_array`;
    when that refuses it, scikit-learn's message (if it has one) is appended so that both
    readings hold. Other errors that name neither argument are prefixed with the one
    they concern; ``y="no_validation"`` validates ``X`` alone.
    """
    from sklearn.utils.validation import validate_data

    try:
        check_array(X, "X", ndim=2)
    except (ValueError, TypeError) as ours:
        try:
            validate_data(estimator, X, reset=False, **kwargs)
        except (ValueError, TypeError) as theirs:
            raise type(theirs)(f"{ours}; {theirs}") from None
        except Exception:  # noqa: BLE001 - e.g. an unfitted estimator: ours is enough
            pass
        raise
    only_X = isinstance(y, str) and y == "no_validation"
    try:
        if only_X:
            return validate_data(estimator, X, reset=reset, **kwargs)
        return validate_data(estimator, X, y, reset=reset, **kwargs)
    except (ValueError, TypeError) as exc:
        raise _named(exc, "X" if only_X else "y") from None


def _named(exc, default):
    """``exc`` itself if its message names X or y, else a copy that names the argument."""
    message = str(exc)
    if _NAMES_X_OR_Y.search(message) or type(exc).__name__ == "InvalidParameterError":
        return exc
    if "inconsistent numbers of samples" in message:
        return ValueError(f"X and y must have the same number of samples ({message})")
    if "Found array with" in message:  # the size checks run on X before y
        default = "X"
    return type(exc)(f"{default} is not valid: {message}")


def check_class_targets(y):
    """scikit-learn's ``check_classification_targets``, with the argument named."""
    from sklearn.utils.multiclass import check_classification_targets

    try:
        check_classification_targets(y)
    except ValueError as exc:
        raise ValueError(f"y must hold class labels: {exc}") from None
