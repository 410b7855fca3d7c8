"""The validation vocabulary every public probstat function uses.

One rule for every argument: a wrong *type* is a :class:`TypeError`, a wrong *value* a
:class:`ValueError`, and the message names the argument and the rule it broke, for example
``"p must sum to 1 (got 0.93)"`` or ``"max_iter must be an integer (got '5')"``.

Arrays: any real dtype is accepted where a float is meant (bool, integers, float16/32/64,
longdouble) and converted to float64; ``None``, strings, complex numbers, objects and
ragged nested lists are refused by name, as are NaN and inf unless a routine says
otherwise. Inputs are never modified: a routine that needs to write makes its own copy.
Scalars and options are checked in :mod:`probstat.utils._scalars`, estimators' ``X`` and
``y`` in :mod:`probstat.utils._estimator_data`; estimators declare their hyperparameters
with ``_parameter_constraints`` (see :mod:`probstat.utils._param_validation`).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..backend import get_namespace, to_numpy
from ._scalars import _describe, check_option

#: Smallest tolerance on the sum of a probability vector (float64 input).
_SUM_ATOL_FLOOR = 1e-8
#: A sum within this of 1 counts as exact (float64 rounding of a long sum).
_EXACT = 64 * float(np.finfo(np.float64).eps)
#: Appended to "must sum to 1" errors of probability vectors and joint tables.
_HOW_TO_NORMALISE = ("; divide it by its sum first (the measures in probstat.utils, such as "
                     "entropy and mutual_information, accept unnormalised weights and "
                     "normalise them)")


# --------------------------------------------------------------------------- arrays


def _host_float64(x, name):
    """``x`` (not a foreign array) as a float64 NumPy array, with named type errors."""
    if x is None:
        raise TypeError(f"{name} must be an array of numbers (got None)")
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, not a string (got {x!r})")
    try:
        arr = np.asarray(x)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(f"{name} must be a rectangular array of numbers; nested sequences "
                         f"of different lengths are not ({exc})") from None
    kind = arr.dtype.kind
    if kind == "O":
        flat = arr.ravel()
        for value in flat:
            if value is None:
                raise TypeError(f"{name} must hold numbers (found None)")
            if isinstance(value, (str, bytes)):
                raise TypeError(f"{name} must hold numbers, not strings (found {value!r})")
            if not isinstance(value, numbers.Real):
                raise TypeError(f"{name} must hold real numbers (found "
                                f"{type(value).__name__} {_describe(value)})")
        kind = "f"
    elif kind in "US":
        raise TypeError(f"{name} must hold numbers, not strings (got dtype {arr.dtype})")
    elif kind == "c":
        raise TypeError(f"{name} must hold real numbers (got complex dtype {arr.dtype})")
    elif kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    if arr.dtype == np.float64:
        return arr
    with np.errstate(over="ignore"):  # longdouble beyond float64's range becomes inf
        return arr.astype(np.float64)


def as_float_array(x, name, xp=None, *, device=None):
    """``x`` as a float64 array of namespace ``xp`` (default: ``x``'s), with named errors.

    Parameters
    ----------
    x : array-like
        Nested sequences, NumPy arrays or arrays of ``xp``.
    name : str
        Argument name used in error messages.
    xp : module, optional
        Target namespace; default the namespace of ``x``.
    device : object, optional
        Device for host input (lists, NumPy) converted into a non-NumPy ``xp``; default
        the namespace's default device.

    Returns
    -------
    array
        Float64 (the namespace's widest real floating type where it has no float64). The
        input itself is returned when it already is float64: do not write into it.

    Raises
    ------
    TypeError
        For ``None``, strings, complex numbers and other non-real data.
    ValueError
        For ragged nested sequences.
    """
    xp = get_namespace(x) if xp is None else xp
    from ..backend import is_numpy_namespace, move_to
    from ..backend._namespace import _is_foreign_array

    if is_numpy_namespace(xp) or not _is_foreign_array(x):
        arr = _host_float64(x if not _is_foreign_array(x) else to_numpy(x), name)
        return arr if is_numpy_namespace(xp) else move_to(arr, xp=xp, device=device)
    arr = x
    if xp.isdtype(arr.dtype, "complex floating"):
        raise TypeError(f"{name} must hold real numbers (got complex dtype {arr.dtype})")
    if not (xp.isdtype(arr.dtype, "real floating") or xp.isdtype(arr.dtype, "integral")
            or xp.isdtype(arr.dtype, "bool")):
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    if arr.dtype != xp.float64:
        arr = xp.astype(arr, xp.float64)
    return arr


def _check_finite(arr, name, xp):
    if not bool(xp.all(xp.isfinite(arr))):
        what = "NaN" if bool(xp.any(xp.isnan(arr))) else "inf"
        raise ValueError(f"{name} must be finite (found {what})")


def check_array(x, name="X", *, ndim=None, allow_empty=False, finite=True, xp=None,
                device=None):
    """Validate a real-valued array argument and return it as float64.

    Parameters
    ----------
    x : array-like
        The argument.
    name : str, default="X"
        Argument name used in error messages.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions (any when None).
    allow_empty : bool, default=False
        Accept arrays with a zero-length axis.
    finite : bool, default=True
        Refuse NaN and inf.
    xp : module, optional
        Namespace to return the array in; default the namespace of ``x``.
    device : object, optional
        Device for host input converted into a non-NumPy ``xp`` (for example the device
        of the routine's other array arguments).

    Returns
    -------
    array
        A float64 array of ``xp`` (the input itself when it already is one).

    Raises
    ------
    TypeError
        For ``None``, strings, complex numbers and other non-real data.
    ValueError
        For ragged input, a wrong number of dimensions, an empty array or NaN/inf.

    Examples
    --------
    >>> from probstat.utils import check_array
    >>> check_array([[1, 2], [3, 4]], ndim=2)
    array([[1., 2.],
           [3., 4.]])
    >>> check_array([1.0, float("nan")], "y")
    Traceback (most recent call last):
    ...
    ValueError: y must be finite (found NaN)
    """
    xp = get_namespace(x) if xp is None else xp
    arr = as_float_array(x, name, xp, device=device)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want} (got {arr.ndim}-D, shape "
                             f"{tuple(arr.shape)})")
    if not allow_empty and any(s == 0 for s in arr.shape):
        raise ValueError(f"{name} must not be empty (got shape {tuple(arr.shape)})")
    if finite:
        _check_finite(arr, name, xp)
    return arr


def check_same_length(*named, axis=0):
    """Check that arrays agree in length along ``axis``; named errors otherwise.

    Parameters
    ----------
    *named : tuple of (str, array)
        ``(name, array)`` pairs; the first one is the reference.
    axis : int, default=0
        The axis to compare.

    Raises
    ------
    ValueError
        Naming the first array whose length differs from the reference's.
    """
    (ref_name, ref), *rest = named
    n = ref.shape[axis]
    for name, arr in rest:
        if arr.shape[axis] != n:
            raise ValueError(f"{name} must have {n} entries along axis {axis} to match "
                             f"{ref_name} (got {arr.shape[axis]})")


def sum_tolerance(dtype, n) -> float:
    """Tolerance on a sum of ``n`` probabilities that arrived in ``dtype``.

    ``max(1e-8, 8 * eps(dtype) * sqrt(n))``: float64 keeps the absolute 1e-8, narrower
    types get room for their own rounding (``[0.6, 0.3, 0.1]`` in float32 sums to
    ``1 + 1.2e-7``).

    Parameters
    ----------
    dtype : data-type
        The dtype the numbers came in (non-floating types count as float64).
    n : int
        Number of summed entries.

    Returns
    -------
    float
        The absolute tolerance.
    """
    try:
        eps = float(np.finfo(dtype).eps)
    except (TypeError, ValueError):
        eps = float(np.finfo(np.float64).eps)
    return max(_SUM_ATOL_FLOOR, 8.0 * eps * math.sqrt(max(int(n), 1)))


def _input_dtype(x):
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        return np.float64
    try:
        return np.dtype(str(dtype).replace("array_api_strict.", "")) if not isinstance(
            dtype, np.dtype) else dtype
    except TypeError:
        return np.float64


def _check_probabilities(arr, name, xp, *, atol, axis, what):
    # min and max find NaN and inf too, without the temporary of isfinite
    lowest, highest = float(xp.min(arr)), float(xp.max(arr))
    if not (math.isfinite(lowest) and math.isfinite(highest)):
        what_bad = "NaN" if math.isnan(lowest) or math.isnan(highest) else "inf"
        raise ValueError(f"{name} must be finite (found {what_bad})")
    if lowest < -atol:
        raise ValueError(f"{name} must be non-negative (smallest entry {lowest:.3g})")
    if lowest < 0:  # round-off below zero: clip so logs stay defined
        arr = xp.where(arr < 0, xp.zeros_like(arr), arr)
    if axis is None:
        total = float(xp.sum(arr))
        if abs(total - 1.0) > atol:
            raise ValueError(f"{name} must sum to 1{what} (got {total:.10g}){_HOW_TO_NORMALISE}")
        # Accepted: renormalise in float64 so that downstream sums are exact to rounding
        # (a vector already exact to float64 rounding is returned as is: no extra pass).
        return arr / total if abs(total - 1.0) > _EXACT else arr
    total = xp.sum(arr, axis=axis, keepdims=True)
    bad = xp.abs(total - 1.0) > atol
    if bool(xp.any(bad)):
        got = to_numpy(total).ravel()[to_numpy(bad).ravel()][0]
        raise ValueError(f"{name} must sum to 1{what} (got {float(got):.10g}); divide "
                         f"each {'row' if axis == 1 else 'column'} by its sum first")
    if bool(xp.any(xp.abs(total - 1.0) > _EXACT)):
        arr = arr / total
    return arr


def _probability_array(P, name, ndim, what_shape):
    xp = get_namespace(P)
    arr = as_float_array(P, name, xp)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D{what_shape} (got shape {tuple(arr.shape)})")
    if any(s == 0 for s in arr.shape):
        raise ValueError(f"{name} must not be empty (got shape {tuple(arr.shape)})")
    return arr, xp


def _normalised(arr, name, xp):
    _check_finite(arr, name, xp)
    lowest = float(xp.min(arr))
    if lowest < 0:
        raise ValueError(f"{name} must be non-negative (smallest entry {lowest:.3g})")
    total = float(xp.sum(arr))
    if total <= 0:
        raise ValueError(f"{name} must have a positive sum (got {total:.6g})")
    return arr / total


def check_probability_vector(p, *, name="p", atol=None, normalize=False):
    """Validate a probability vector and return it as a float64 array.

    Parameters
    ----------
    p : array-like of shape (n,)
        Non-negative entries summing to one. Zeros are allowed and keep their index.
    name : str, default="p"
        Argument name used in error messages.
    atol : float, optional
        Tolerance on the sum and on round-off negatives (which are set to 0). Default
        :func:`sum_tolerance` of ``p``'s dtype and length.
    normalize : bool, default=False
        Divide by the sum instead of requiring it to be one (the sum must still be > 0).

    Returns
    -------
    p : array of shape (n,)
        Float64, renormalised to sum to one, in the namespace of the input (NumPy unless
        array-API dispatch is on).

    Raises
    ------
    TypeError
        For ``None``, strings, complex numbers and other non-real data.
    ValueError
        If ``p`` is ragged, empty, not 1-D, not finite, has negative entries or does not
        sum to 1.

    Examples
    --------
    >>> from probstat.utils import check_probability_vector
    >>> check_probability_vector([0.25, 0.75])
    array([0.25, 0.75])
    >>> check_probability_vector([0.5, 0.43])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: p must sum to 1 (got 0.93); divide it by its sum first (...)
    """
    arr, xp = _probability_array(p, name, 1, "")
    if normalize:
        return _normalised(arr, name, xp)
    atol = sum_tolerance(_input_dtype(p), arr.shape[0]) if atol is None else atol
    return _check_probabilities(arr, name, xp, atol=atol, axis=None, what="")


def check_joint(P, *, name="joint", atol=None, normalize=False):
    """Validate a joint probability table (2-D, non-negative, summing to one).

    Parameters
    ----------
    P : array-like of shape (n, m)
        The table.
    name : str, default="joint"
        Argument name used in error messages.
    atol : float, optional
        Tolerance on the total and on round-off negatives; default :func:`sum_tolerance`.
    normalize : bool, default=False
        Divide by the total instead of requiring it to be one.

    Returns
    -------
    P : array of shape (n, m)
        Float64, renormalised to sum to one.

    Raises
    ------
    TypeError
        For non-real data.
    ValueError
        On a wrong number of dimensions, empty axes, NaN/inf, negative entries or a
        total different from one.
    """
    arr, xp = _probability_array(P, name, 2, "")
    if normalize:
        return _normalised(arr, name, xp)
    atol = sum_tolerance(_input_dtype(P), arr.shape[0] * arr.shape[1]) if atol is None else atol
    return _check_probabilities(arr, name, xp, atol=atol, axis=None, what="")


def check_stochastic_matrix(W, *, name="channel", axis=1, atol=None):
    """Validate a row- (``axis=1``) or column-stochastic (``axis=0``) matrix.

    Parameters
    ----------
    W : array-like of shape (n, m)
        The matrix.
    name : str, default="channel"
        Argument name used in error messages.
    axis : {0, 1}, default=1
        The axis along which entries must sum to one.
    atol : float, optional
        Tolerance on each sum; default :func:`sum_tolerance`.

    Returns
    -------
    W : array of shape (n, m)
        Float64, each row (or column) renormalised to sum to one.

    Raises
    ------
    TypeError
        For non-real data.
    ValueError
        On a wrong shape, NaN/inf, negative entries or a sum different from one.
    """
    check_option(axis, "axis", (0, 1))
    arr, xp = _probability_array(W, name, 2, "")
    what = " along each row" if axis == 1 else " along each column"
    atol = sum_tolerance(_input_dtype(W), arr.shape[axis]) if atol is None else atol
    return _check_probabilities(arr, name, xp, atol=atol, axis=axis, what=what)


def check_labels(labels, name="labels", *, n_labels=None, n_samples=None, xp=None,
                 allow_empty=False):
    """Validate integer labels in ``[0, n_labels)`` and return them as an int64 array.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Integer labels (integral floats such as ``1.0`` are accepted).
    name : str, default="labels"
        Argument name used in error messages.
    n_labels : int, optional
        Labels must lie in ``[0, n_labels)``; without it, they must be >= 0.
    n_samples : int, optional
        Required length.
    xp : module, optional
        Namespace to return the labels in; default the namespace of ``labels``.
    allow_empty : bool, default=False
        Accept an empty array.

    Returns
    -------
    array of shape (n_samples,)
        int64 labels.

    Raises
    ------
    TypeError
        For non-numeric labels.
    ValueError
        For NaN, non-integral values, a wrong shape or labels out of range.

    Examples
    --------
    >>> from probstat.utils import check_labels
    >>> check_labels([0, 2, 1], n_labels=3)
    array([0, 2, 1])
    >>> check_labels([0, 5], n_labels=3)
    Traceback (most recent call last):
    ...
    ValueError: labels must lie in [0, 3) (got 5)
    """
    xp = get_namespace(labels) if xp is None else xp
    values = _host_float64(to_numpy(labels) if not isinstance(labels, (list, tuple))
                           else labels, name)
    if values.ndim != 1:
        raise ValueError(f"{name} must be 1-D (got shape {values.shape})")
    if n_samples is not None and values.shape[0] != n_samples:
        raise ValueError(f"{name} must have length {n_samples} (got {values.shape[0]})")
    if not allow_empty and values.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    if values.size and not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite integers (found NaN or inf)")
    if values.size and not np.all(values == np.round(values)):
        bad = values[values != np.round(values)][0]
        raise ValueError(f"{name} must be integers (got {bad:g})")
    if values.size:
        lo, hi = values.min(), values.max()
        if lo < 0 or (n_labels is not None and hi >= n_labels):
            bad = lo if lo < 0 else hi
            rule = f"lie in [0, {n_labels})" if n_labels is not None else "be >= 0"
            raise ValueError(f"{name} must {rule} (got {int(bad)})")
    out = values.astype(np.int64)
    from ..backend import device, is_numpy_namespace, move_to

    return out if is_numpy_namespace(xp) else move_to(out, xp=xp, device=device(labels))


def check_sample_weight(sample_weight, n_samples, *, name="sample_weight", xp=None):
    """Validate non-negative sample weights; ``None`` gives equal weights.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
        Non-negative, finite weights with a positive sum.
    n_samples : int
        Number of samples they weigh.
    name : str, default="sample_weight"
        Argument name used in error messages.
    xp : module, optional
        Namespace to return the weights in.

    Returns
    -------
    array of shape (n_samples,)
        Float64 weights (not normalised).

    Raises
    ------
    TypeError
        For non-real data.
    ValueError
        For a wrong length, negative or non-finite weights, or an all-zero vector.
    """
    xp = get_namespace(sample_weight) if xp is None else xp
    if sample_weight is None:
        return xp.ones((n_samples,), dtype=xp.float64)
    w = check_array(sample_weight, name, ndim=1, xp=xp)
    if w.shape[0] != n_samples:
        raise ValueError(f"{name} must have one weight per sample ({n_samples}) "
                         f"(got {w.shape[0]})")
    lowest = float(xp.min(w))
    if lowest < 0:
        raise ValueError(f"{name} must be non-negative (smallest weight {lowest:.3g})")
    if not float(xp.sum(w)) > 0:
        raise ValueError(f"{name} must not be all zero")
    return w
