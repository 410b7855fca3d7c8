"""Input validation shared by every subpackage: probability vectors, joints, RNGs, scalars.

Error messages name the argument and the rule it broke, for example
``"p must sum to 1 (got 0.93)"``.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..backend import get_namespace, to_numpy


def as_float_array(x, name, xp):
    """``x`` as a real floating array of namespace ``xp``, with named type errors."""
    try:
        arr = xp.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers ({exc})") from None
    if not (xp.isdtype(arr.dtype, "real floating") or xp.isdtype(arr.dtype, "integral")
            or xp.isdtype(arr.dtype, "bool")):
        raise TypeError(f"{name} must hold real numbers (got dtype {arr.dtype})")
    if not xp.isdtype(arr.dtype, "real floating"):
        arr = xp.astype(arr, xp.float64)
    return arr


def _check_probabilities(arr, name, xp, *, atol, axis, what):
    if not bool(xp.all(xp.isfinite(arr))):
        raise ValueError(f"{name} must be finite (found NaN or inf)")
    lowest = float(xp.min(arr))
    if lowest < -atol:
        raise ValueError(f"{name} must be non-negative (smallest entry {lowest:.3g})")
    if lowest < 0:  # round-off below zero: clip so logs stay defined
        arr = xp.where(arr < 0, xp.zeros_like(arr), arr)
    total = xp.sum(arr, axis=axis)
    bad = xp.abs(total - 1.0) > atol
    if bool(xp.any(bad)):
        got = to_numpy(total).ravel()[to_numpy(bad).ravel()][0]
        raise ValueError(f"{name} must sum to 1{what} (got {float(got):.6g})")
    return arr


def check_probability_vector(p, *, name="p", atol=1e-8, normalize=False):
    """Validate a probability vector and return it as a floating array.

    Parameters
    ----------
    p : array-like of shape (n,)
        Non-negative entries summing to one. Zeros are allowed and keep their index.
    name : str, default="p"
        Argument name used in error messages.
    atol : float, default=1e-8
        Tolerance on the sum and on round-off negatives (which are set to 0).
    normalize : bool, default=False
        Divide by the sum instead of requiring it to be one (the sum must still be > 0).

    Returns
    -------
    p : array of shape (n,)
        In the namespace of the input (NumPy unless array-API dispatch is on).

    Raises
    ------
    ValueError
        If ``p`` is empty, not 1-D, not finite, has negative entries or does not sum to 1.

    Examples
    --------
    >>> from probstat.utils import check_probability_vector
    >>> check_probability_vector([0.25, 0.75])
    array([0.25, 0.75])
    >>> check_probability_vector([0.5, 0.43])
    Traceback (most recent call last):
    ...
    ValueError: p must sum to 1 (got 0.93)
    """
    xp = get_namespace(p)
    arr = as_float_array(p, name, xp)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (got shape {tuple(arr.shape)})")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    if normalize:
        if not bool(xp.all(xp.isfinite(arr))):
            raise ValueError(f"{name} must be finite (found NaN or inf)")
        total = float(xp.sum(arr))
        if total <= 0:
            raise ValueError(f"{name} must have a positive sum (got {total:.6g})")
        arr = arr / total
    return _check_probabilities(arr, name, xp, atol=atol, axis=None, what="")


def check_joint(P, *, name="joint", atol=1e-8, normalize=False):
    """Validate a joint probability table (2-D, non-negative, summing to one).

    Parameters
    ----------
    P : array-like of shape (n, m)
    name : str, default="joint"
        Argument name used in error messages.
    atol : float, default=1e-8
        Tolerance on the total and on round-off negatives.
    normalize : bool, default=False
        Divide by the total instead of requiring it to be one.

    Returns
    -------
    P : array of shape (n, m)

    Raises
    ------
    ValueError
        On a wrong number of dimensions, empty axes, NaN/inf, negative entries or a
        total different from one.
    """
    xp = get_namespace(P)
    arr = as_float_array(P, name, xp)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (got shape {tuple(arr.shape)})")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must not have an empty axis (got shape {tuple(arr.shape)})")
    if normalize:
        if not bool(xp.all(xp.isfinite(arr))):
            raise ValueError(f"{name} must be finite (found NaN or inf)")
        total = float(xp.sum(arr))
        if total <= 0:
            raise ValueError(f"{name} must have a positive sum (got {total:.6g})")
        arr = arr / total
    return _check_probabilities(arr, name, xp, atol=atol, axis=None, what="")


def check_stochastic_matrix(W, *, name="channel", axis=1, atol=1e-8):
    """Validate a row- (``axis=1``) or column-stochastic (``axis=0``) matrix.

    Parameters
    ----------
    W : array-like of shape (n, m)
    name : str, default="channel"
    axis : {0, 1}, default=1
        The axis along which entries must sum to one.
    atol : float, default=1e-8

    Returns
    -------
    W : array of shape (n, m)
    """
    xp = get_namespace(W)
    arr = as_float_array(W, name, xp)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (got shape {tuple(arr.shape)})")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} must not have an empty axis (got shape {tuple(arr.shape)})")
    what = " along each row" if axis == 1 else " along each column"
    return _check_probabilities(arr, name, xp, atol=atol, axis=axis, what=what)


def check_rng(random_state=None) -> np.random.Generator:
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    Parameters
    ----------
    random_state : None, int, numpy.random.RandomState or numpy.random.Generator
        ``None`` gives fresh OS entropy; an int seeds a new PCG64 generator; a
        ``RandomState`` seeds a new generator with one draw from it (so equal
        ``RandomState`` objects give equal streams); a ``Generator`` is returned unchanged.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    TypeError
        For any other type.

    Examples
    --------
    >>> from probstat.utils import check_rng
    >>> a = check_rng(0).random()
    >>> b = check_rng(0).random()
    >>> a == b
    True
    """
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        # Draw a seed from the RandomState so that it advances like any other use.
        return np.random.default_rng(random_state.randint(0, 2**63 - 1, dtype=np.int64))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be a non-negative integer (got {random_state})")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        "random_state must be None, an int, a numpy.random.RandomState or a "
        f"numpy.random.Generator (got {type(random_state).__name__})"
    )


def check_scalar_in(value, name, *, low=None, high=None, low_inclusive=True,
                    high_inclusive=True, integer=False):
    """Check that a scalar is a finite number in an interval and return it.

    Parameters
    ----------
    value : float or int
    name : str
        Argument name used in error messages.
    low, high : float, optional
        Bounds; ``None`` means unbounded.
    low_inclusive, high_inclusive : bool, default=True
    integer : bool, default=False
        Require an integer.

    Returns
    -------
    float or int

    Examples
    --------
    >>> from probstat.utils import check_scalar_in
    >>> check_scalar_in(0.5, "rate", low=0)
    0.5
    >>> check_scalar_in(-1, "rate", low=0)
    Traceback (most recent call last):
    ...
    ValueError: rate must be >= 0 (got -1)
    """
    if integer:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer (got {value!r})")
        value = int(value)
    else:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number (got {value!r})")
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite (got {value})")
    if low is not None:
        if low_inclusive and value < low:
            raise ValueError(f"{name} must be >= {low} (got {value})")
        if not low_inclusive and value <= low:
            raise ValueError(f"{name} must be > {low} (got {value})")
    if high is not None:
        if high_inclusive and value > high:
            raise ValueError(f"{name} must be <= {high} (got {value})")
        if not high_inclusive and value >= high:
            raise ValueError(f"{name} must be < {high} (got {value})")
    return value
