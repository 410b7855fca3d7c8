"""Checks of scalar and option arguments: numbers in intervals, options, flags, RNGs.

Part of the validation vocabulary of :mod:`probstat.utils`: a wrong type is a
``TypeError``, a wrong value a ``ValueError``, and the message names the argument and
the rule.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _describe(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_rng(random_state=None, name="random_state") -> np.random.Generator:
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    Parameters
    ----------
    random_state : None, int, numpy.random.RandomState or numpy.random.Generator
        ``None`` gives fresh OS entropy; an int seeds a new PCG64 generator; a
        ``RandomState`` seeds a new generator with one draw from it (so equal
        ``RandomState`` objects give equal streams); a ``Generator`` is returned unchanged.
    name : str, default="random_state"
        Argument name used in error messages.

    Returns
    -------
    numpy.random.Generator
        The generator to draw from.

    Raises
    ------
    TypeError
        For any other type.
    ValueError
        For a negative seed.

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
            raise ValueError(f"{name} must be a non-negative integer (got {random_state})")
        return np.random.default_rng(int(random_state))
    raise TypeError(
        f"{name} must be None, an int, a numpy.random.RandomState or a "
        f"numpy.random.Generator (got {type(random_state).__name__})"
    )


def check_scalar_in(value, name, *, low=None, high=None, low_inclusive=True,
                    high_inclusive=True, integer=False):
    """Check that a scalar is a finite number in an interval and return it.

    Parameters
    ----------
    value : float or int
        The argument.
    name : str
        Argument name used in error messages.
    low, high : float, optional
        Bounds; ``None`` means unbounded.
    low_inclusive, high_inclusive : bool, default=True
        Whether the bounds belong to the interval.
    integer : bool, default=False
        Require an integer (``bool`` and integral floats such as ``5.0`` are refused).

    Returns
    -------
    float or int
        ``value`` as a Python ``float`` (or ``int`` with ``integer=True``).

    Raises
    ------
    TypeError
        If ``value`` is not a real number (an integer with ``integer=True``).
    ValueError
        If it is NaN, infinite or outside the interval.

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
            raise TypeError(f"{name} must be an integer (got {_describe(value)})")
        value = int(value)
    else:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number (got {_describe(value)})")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite (got {value})")
        value = float(value) if not isinstance(value, numbers.Integral) else value
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


def check_option(value, name, options):
    """Check that ``value`` is one of ``options`` and return it.

    Parameters
    ----------
    value : object
        The argument.
    name : str
        Argument name used in error messages.
    options : iterable
        The allowed values (strings, numbers, None, ...).

    Returns
    -------
    object
        ``value``.

    Raises
    ------
    TypeError
        If ``options`` are all strings and ``value`` is not one.
    ValueError
        If ``value`` is not among ``options``.

    Examples
    --------
    >>> from probstat.utils import check_option
    >>> check_option("bm", "solver", ("cvxpy", "bm", "sketch"))
    'bm'
    >>> check_option("bogus", "solver", ("cvxpy", "bm"))
    Traceback (most recent call last):
    ...
    ValueError: solver must be one of 'cvxpy', 'bm' (got 'bogus')
    """
    options = tuple(options)
    listed = ", ".join(repr(o) for o in options)
    if all(isinstance(o, str) for o in options) and not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listed} (got {_describe(value)})")
    try:
        ok = any(value == o and type(value) is not bool for o in options) or any(
            value is o for o in options)
    except (TypeError, ValueError):  # arrays compare elementwise
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {listed} (got {_describe(value)})")
    return value


def check_bool(value, name):
    """Check that ``value`` is a boolean (``True``/``False`` or a NumPy bool).

    Parameters
    ----------
    value : object
        The argument.
    name : str
        Argument name used in error messages.

    Returns
    -------
    bool
        ``value`` as a Python bool.

    Raises
    ------
    TypeError
        For anything else (including the integers 0 and 1).
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False (got {_describe(value)})")
    return bool(value)


def check_verbose(verbose, name="verbose"):
    """Check a verbosity level: a bool or an integer >= 0.

    Parameters
    ----------
    verbose : bool or int
        The argument.
    name : str, default="verbose"
        Argument name used in error messages.

    Returns
    -------
    bool or int
        ``verbose`` as a Python bool or int.

    Raises
    ------
    TypeError
        For anything but a bool or an integer.
    ValueError
        For a negative integer.
    """
    if isinstance(verbose, (bool, np.bool_)):
        return bool(verbose)
    if not isinstance(verbose, numbers.Integral):
        raise TypeError(f"{name} must be a bool or an integer >= 0 (got {_describe(verbose)})")
    return check_scalar_in(verbose, name, low=0, integer=True)


def check_callable(value, name, *, optional=False):
    """Check that ``value`` is callable (or None when ``optional``).

    Parameters
    ----------
    value : object
        The argument.
    name : str
        Argument name used in error messages.
    optional : bool, default=False
        Accept None.

    Returns
    -------
    callable or None
        ``value``.

    Raises
    ------
    TypeError
        If ``value`` is not callable.
    """
    if value is None and optional:
        return None
    if not callable(value):
        what = "a callable or None" if optional else "a callable"
        raise TypeError(f"{name} must be {what} (got {type(value).__name__})")
    return value


def check_sequence(value, name, *, what="items", allow_empty=False):
    """Check that ``value`` is a non-empty sequence (not a string) and return it as a tuple.

    Parameters
    ----------
    value : object
        The argument.
    name : str
        Argument name used in error messages.
    what : str, default="items"
        What the sequence holds, for the messages.
    allow_empty : bool, default=False
        Accept an empty sequence.

    Returns
    -------
    tuple
        The items of ``value``.

    Raises
    ------
    TypeError
        If ``value`` is a string or not iterable.
    ValueError
        If it is empty (unless ``allow_empty``).
    """
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a sequence of {what} (got {_describe(value)})")
    items = tuple(value)
    if not items and not allow_empty:
        raise ValueError(f"{name} must hold at least one of the {what}")
    return items
