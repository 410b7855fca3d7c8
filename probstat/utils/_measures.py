"""Shannon measures written once for all of probstat: entropy, relative entropy (KL
divergence), cross-entropy, mutual information, conditional entropy and binary entropy.

They follow ``scipy.stats.entropy``'s contract: inputs are non-negative *weights* (counts,
unnormalised scores or probabilities), normalised along ``axis`` before use, and N-D
inputs give one value per slice. Two differences from SciPy: results are in bits unless
``base`` says otherwise (SciPy uses nats), and invalid weights (negative, NaN, inf, an
all-zero slice) raise a named error where SciPy returns NaN.

One engine serves every measure: :func:`_weights` validates, :func:`_normalise` divides
by the sums, :func:`_entr` and :func:`_rel_entr` give the elementwise terms and
:func:`_reduce` sums them and converts the base. The code is written against the array
API, so it runs on NumPy, CuPy or array-api-strict inputs when dispatch is on.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.special

from ..backend import device, get_namespace, is_numpy_namespace
from ._numerics import log_base
from ._validation import _check_finite, as_float_array, check_array

# --------------------------------------------------------------------------- the engine


def _weights(x, name, xp, dev=None):
    """``x`` as a float64 array of non-negative, finite weights, at least 1-D, non-empty."""
    arr = as_float_array(x, name, xp, device=dev)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be an array with at least one axis (got a 0-d "
                         "array, a single number)")
    if any(s == 0 for s in arr.shape):
        raise ValueError(f"{name} must not be empty (got shape {tuple(arr.shape)})")
    lowest = float(xp.min(arr))  # NaN and -inf show up here, +inf in the sums
    if math.isnan(lowest):
        raise ValueError(f"{name} must be finite (found NaN)")
    if lowest < 0:
        if lowest == -math.inf:
            raise ValueError(f"{name} must be finite (found inf)")
        raise ValueError(f"{name} must be non-negative weights (smallest entry "
                         f"{lowest:.3g})")
    return arr


def _axis_tuple(axis, ndim):
    return tuple(range(ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)


def _normalise(w, name, axis, xp, what=None):
    """``w`` divided by its sums over ``axis`` (an int, a tuple of ints or None).

    ``what`` names the slices in the all-zero error ("table" for joint tables).
    """
    axes = _axis_tuple(axis, w.ndim)
    with np.errstate(over="ignore"):  # an overflowing sum is handled below
        total = xp.sum(w, axis=axes, keepdims=True)
    high = float(xp.max(total))
    if not math.isfinite(high):
        _check_finite(w, name, xp)  # names an inf entry; otherwise the sum overflowed
        w = w / xp.max(w, axis=axes, keepdims=True)  # largest entry 1: the sum is finite
        total = xp.sum(w, axis=axes, keepdims=True)
    low = float(xp.min(total))
    if not low > 0:
        if what is not None:
            raise ValueError(f"{name} must have a positive total (found a {what} of "
                             "all-zero weights)")
        where = "" if axis is None or w.ndim == 1 else f" along axis {axis}"
        raise ValueError(f"{name} must have a positive sum{where} (found all-zero "
                         "weights)")
    if abs(high - 1.0) <= 1e-15 and abs(low - 1.0) <= 1e-15:
        return w  # already normalised to float64 rounding: save a pass
    return w / total


def _entr(p, xp):
    """Elementwise ``-p log p`` with ``0 log 0 = 0`` (``scipy.special.entr``)."""
    if is_numpy_namespace(xp):
        return scipy.special.entr(p)
    positive = p > 0
    safe = xp.where(positive, p, xp.ones_like(p))
    return xp.where(positive, -p * xp.log(safe), xp.zeros_like(p))


def _rel_entr(p, q, xp):
    """Elementwise ``p log(p / q)``: 0 where p = 0, inf where q = 0 < p
    (``scipy.special.rel_entr``)."""
    if is_numpy_namespace(xp):
        return scipy.special.rel_entr(p, q)
    both = (p > 0) & (q > 0)
    one = xp.ones_like(p)
    term = p * xp.log(xp.where(both, p, one) / xp.where(both, q, one))
    term = xp.where((p > 0) & ~(q > 0), xp.full_like(p, math.inf), term)
    return xp.where(p > 0, term, xp.zeros_like(p))


def _neg_xlogy(p, q, xp):
    """Elementwise ``-p log q``: 0 where p = 0, inf where q = 0 < p."""
    if is_numpy_namespace(xp):
        return -scipy.special.xlogy(p, q)
    both = (p > 0) & (q > 0)
    term = -p * xp.log(xp.where(both, q, xp.ones_like(q)))
    return xp.where((p > 0) & ~(q > 0), xp.full_like(p, math.inf), term)


def _reduce(terms, axis, base, xp, *, clip=False):
    """Sum the terms over ``axis`` and convert nats to ``base``.

    ``clip`` sets round-off negatives to 0 for measures that are non-negative.
    """
    value = xp.sum(terms, axis=_axis_tuple(axis, terms.ndim))
    if clip:
        value = xp.maximum(value, xp.zeros_like(value))
    scale = log_base(base)
    if scale != 1.0:
        value = value / scale
    return as_scalar(value, xp)


def as_scalar(value, xp):
    """A Python float for a 0-d NumPy result; the array itself otherwise."""
    if is_numpy_namespace(xp) and value.ndim == 0:
        return float(value)
    return value


def _check_axis(axis, ndim, name):
    """``axis`` as a non-negative int (or None), with named errors."""
    if axis is None:
        return None
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer or None (got {axis!r})")
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis must lie in [{-ndim}, {ndim}) for {name} with {ndim} "
                         f"dimension{'s' if ndim != 1 else ''} (got {axis})")
    return axis % ndim


def _check_table_axes(axis, ndim, name):
    """``axis`` = (axis of X, axis of Y) as two distinct non-negative ints."""
    if ndim < 2:
        raise ValueError(f"{name} must be a table with at least 2 dimensions (got "
                         f"{ndim}-D); its two axes hold X and Y")
    if not isinstance(axis, (tuple, list)) or len(axis) != 2:
        raise TypeError(f"axis must be a pair of integers (axis of X, axis of Y) "
                        f"(got {axis!r})")
    if any(a is None for a in axis):
        raise TypeError(f"axis must be a pair of integers (axis of X, axis of Y), not "
                        f"None (got {tuple(axis)!r})")
    ax, ay = (_check_axis(a, ndim, name) for a in axis)
    if ax == ay:
        raise ValueError(f"axis must name two different axes of {name} (got {tuple(axis)})")
    return ax, ay


def _pair(p, q, names, axis):
    """Validate two weight arrays, broadcast them, normalise both along ``axis``."""
    xp = get_namespace(p, q)
    p = _weights(p, names[0], xp)
    q = _weights(q, names[1], xp, device(p))
    try:
        p, q = xp.broadcast_arrays(p, q)
    except ValueError:
        raise ValueError(f"{names[0]} and {names[1]} must have broadcastable shapes (got "
                         f"{tuple(p.shape)} and {tuple(q.shape)})") from None
    axis = _check_axis(axis, p.ndim, names[0])
    return _normalise(p, names[0], axis, xp), _normalise(q, names[1], axis, xp), axis, xp


def _table(joint, name, axis):
    """Validate a (stack of) table(s) of weights; return it with X, Y moved last."""
    xp = get_namespace(joint)
    P = _weights(joint, name, xp)
    ax, ay = _check_table_axes(axis, P.ndim, name)
    if (ax, ay) != (P.ndim - 2, P.ndim - 1):
        rest = [k for k in range(P.ndim) if k not in (ax, ay)]
        P = xp.permute_dims(P, (*rest, ax, ay))
    return _normalise(P, name, (-2, -1), xp, what="table"), xp


def _conditional_rows(P, xp):
    """p(x) (keepdims) and p(y | x) = P / p(x), with rows of p(x) = 0 left at 0."""
    px = xp.sum(P, axis=-1, keepdims=True)
    positive = px > 0
    cond = xp.where(positive, P / xp.where(positive, px, xp.ones_like(px)), xp.zeros_like(P))
    return px, cond


# ------------------------------------------------------------------------ the measures


def entropy(pk, qk=None, base=2, axis=0):
    """Shannon entropy, or relative entropy with ``qk``, in bits by default (SciPy: nats).

    Same contract as :func:`scipy.stats.entropy`: ``pk`` (and ``qk``) are non-negative
    weights, normalised to sum to one along ``axis``; with ``qk`` the result is the
    relative entropy ``D(pk || qk)``. Only the default base differs: SciPy's is ``e``
    (nats), probstat's 2 (bits); pass ``base=np.e`` (or ``None``) for SciPy's numbers.
    Unlike SciPy, negative, NaN or infinite weights and all-zero slices raise a
    ``ValueError`` naming the argument instead of returning NaN.

    ``H(p) = -sum_i p_i log p_i`` is the entropy of Cover and Thomas's Section 2.1 [1]_,
    ``D(p || q) = sum_i p_i log(p_i / q_i)`` their relative entropy (Section 2.3),
    with ``0 log 0 = 0`` and ``D = inf`` where ``q_i = 0 < p_i``.

    Parameters
    ----------
    pk : array-like
        Weights (probabilities, counts, ...); any shape with at least one axis.
    qk : array-like, optional
        Weights of the reference distribution, broadcastable with ``pk``.
    base : float or None, default=2
        Logarithm base: 2 for bits, ``np.e`` or None for nats, 10 for hartleys.
    axis : int or None, default=0
        The axis holding each distribution; None flattens the input into one distribution.

    Returns
    -------
    float or array
        A Python float when the result is a single number on NumPy input; otherwise an
        array with ``axis`` removed, in the input's namespace.

    Raises
    ------
    ValueError
        For negative, NaN or infinite weights, an empty array, a slice whose weights are
        all zero, shapes that do not broadcast or an ``axis`` out of range.
    TypeError
        For non-real input or a non-integer ``axis``.

    See Also
    --------
    scipy.stats.entropy : The same quantity in nats, without input checks.
    kl_divergence : ``D(p || q)`` under its own name.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory", 2nd ed.,
       Wiley, 2006. Section 2.1 (entropy) and Section 2.3 (relative entropy).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.utils import entropy
    >>> entropy([0.5, 0.5])
    1.0
    >>> entropy([1, 2, 1])  # counts are normalised: [0.25, 0.5, 0.25]
    1.5
    >>> entropy([[1, 1], [1, 3]], axis=1)  # one value per row
    array([1.        , 0.81127812])
    >>> round(entropy([0.5, 0.5], [0.9, 0.1]), 6)  # relative entropy D(p || q) in bits
    0.736966
    >>> round(entropy([1, 2, 1], base=np.e), 6)  # scipy.stats.entropy's nats
    1.039721
    """
    if qk is None:
        xp = get_namespace(pk)
        p = _weights(pk, "pk", xp)
        axis = _check_axis(axis, p.ndim, "pk")
        return _reduce(_entr(_normalise(p, "pk", axis, xp), xp), axis, base, xp)
    p, q, axis, xp = _pair(pk, qk, ("pk", "qk"), axis)
    return _reduce(_rel_entr(p, q, xp), axis, base, xp, clip=True)


def kl_divergence(p, q, *, base=2, axis=0):
    """Kullback-Leibler divergence ``D(p || q)``, in bits by default (SciPy: nats).

    ``D(p || q) = sum_i p_i log(p_i / q_i)``, the relative entropy of Cover and Thomas's
    Section 2.3 [1]_; ``+inf`` when ``q`` puts zero mass where ``p`` does not. Like
    ``scipy.stats.entropy(p, q)``, both arguments are non-negative weights normalised
    along ``axis`` (so counts work), and they broadcast against each other. SciPy returns
    nats: pass ``base=np.e`` for its numbers.

    Parameters
    ----------
    p, q : array-like
        Weights of the two distributions, broadcastable, at least one axis.
    base : float or None, default=2
        Logarithm base: 2 for bits, ``np.e`` or None for nats.
    axis : int or None, default=0
        The axis holding each distribution; None flattens.

    Returns
    -------
    float or array
        One value per distribution (a Python float for a single pair of NumPy vectors).

    Raises
    ------
    ValueError
        For negative, NaN or infinite weights, an all-zero slice, shapes that do not
        broadcast or an ``axis`` out of range.

    See Also
    --------
    scipy.stats.entropy : ``entropy(p, q)`` is the same divergence in nats.
    entropy : With a second argument, the same function under SciPy's name.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory", 2nd ed.,
       Wiley, 2006. Section 2.3 (relative entropy).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.utils import kl_divergence
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(kl_divergence([1, 1], [9, 1]), 6)  # counts are normalised first
    0.736966
    >>> kl_divergence([[1, 1], [1, 3]], [1, 1], axis=1)  # q broadcast over the rows
    array([0.        , 0.18872188])
    """
    p, q, axis, xp = _pair(p, q, ("p", "q"), axis)
    return _reduce(_rel_entr(p, q, xp), axis, base, xp, clip=True)


def cross_entropy(p, q, *, base=2, axis=0):
    """Cross-entropy ``H(p, q) = -sum_i p_i log q_i``, in bits by default (SciPy has none).

    ``H(p, q) = H(p) + D(p || q)`` (Cover and Thomas, Section 2.3 [1]_); ``+inf`` when
    ``q_i = 0 < p_i``. SciPy has no direct equivalent (it is
    ``scipy.stats.entropy(p) + scipy.stats.entropy(p, q)``, in nats). Both arguments are
    non-negative weights normalised along ``axis`` and broadcast against each other.

    Parameters
    ----------
    p, q : array-like
        Weights of the two distributions, broadcastable, at least one axis.
    base : float or None, default=2
        Logarithm base: 2 for bits, ``np.e`` or None for nats.
    axis : int or None, default=0
        The axis holding each distribution; None flattens.

    Returns
    -------
    float or array
        One value per distribution.

    Raises
    ------
    ValueError
        For negative, NaN or infinite weights, an all-zero slice, shapes that do not
        broadcast or an ``axis`` out of range.

    See Also
    --------
    sklearn.metrics.log_loss : The cross-entropy of labels against predicted
        probabilities, averaged over samples, in nats.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory", 2nd ed.,
       Wiley, 2006. Section 2.3 (relative entropy; cross-entropy is H(p) + D(p || q)).

    Examples
    --------
    >>> from probstat.utils import cross_entropy
    >>> cross_entropy([0.5, 0.5], [0.25, 0.75])  # doctest: +ELLIPSIS
    1.207...
    """
    p, q, axis, xp = _pair(p, q, ("p", "q"), axis)
    return _reduce(_neg_xlogy(p, q, xp), axis, base, xp, clip=True)


def mutual_information(joint, *, base=2, axis=(-2, -1)):
    """Mutual information ``I(X; Y)`` of a joint table, in bits by default (sklearn: nats).

    ``joint`` holds non-negative weights: probabilities or a contingency table of counts,
    normalised to sum to one over the two table axes. ``axis = (axis of X, axis of Y)``
    names them (default: the last two, X on rows); any other axes index a stack of
    tables and give one value each. ``I(X; Y) = D(p(x, y) || p(x) p(y))`` (Cover and
    Thomas, Section 2.3 [1]_) is computed as ``sum_x p(x) D(p(y | x) || p(y))``, which
    stays accurate when I is tiny and never forms the product ``p(x) p(y)``, which can
    underflow. For counts it equals :func:`sklearn.metrics.mutual_info_score` with
    ``contingency=`` (which reports nats: pass ``base=np.e``).

    Parameters
    ----------
    joint : array-like of shape (..., n_x, n_y)
        Joint weights ``P(X = i, Y = j)`` up to a constant: probabilities or counts.
    base : float or None, default=2
        Logarithm base: 2 for bits, ``np.e`` or None for nats.
    axis : tuple of two int, default=(-2, -1)
        The axes of ``joint`` that hold X and Y, in that order.

    Returns
    -------
    float or array
        A Python float for one NumPy table; an array over the remaining (stack) axes
        otherwise.

    Raises
    ------
    ValueError
        For fewer than 2 dimensions, negative, NaN or infinite weights, an all-zero table
        or ``axis`` naming the same axis twice or an axis out of range.
    TypeError
        For non-real input or an ``axis`` that is not a pair of integers.

    See Also
    --------
    sklearn.metrics.mutual_info_score : The same quantity from labels or a contingency
        table, in nats.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory", 2nd ed.,
       Wiley, 2006. Section 2.3 (mutual information as a relative entropy).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.utils import mutual_information
    >>> mutual_information([[0.5, 0.0], [0.0, 0.5]])
    1.0
    >>> round(mutual_information([[40, 10], [10, 40]]), 6)  # a contingency table
    0.278072
    >>> stack = np.array([[[1, 0], [0, 1]], [[1, 1], [1, 1]]])  # two 2 x 2 tables
    >>> mutual_information(stack)
    array([1., 0.])
    """
    P, xp = _table(joint, "joint", axis)
    px, cond = _conditional_rows(P, xp)
    py = xp.sum(P, axis=-2, keepdims=True)
    terms = px * _rel_entr(cond, py, xp)
    return _reduce(terms, (-2, -1), base, xp, clip=True)


def conditional_entropy(joint, *, base=2, axis=(-2, -1)):
    """Conditional entropy ``H(Y | X)`` of a joint table, in bits by default (SciPy has none).

    ``H(Y | X) = sum_x p(x) H(Y | X = x)`` (Cover and Thomas, Section 2.2 [1]_), with X
    on ``axis[0]`` and Y on ``axis[1]`` (default: X on rows, Y on columns). ``joint`` holds
    non-negative weights (probabilities or counts), normalised over the two table axes;
    other axes index a stack of tables. For ``H(X | Y)`` pass ``axis=(-1, -2)``.

    Parameters
    ----------
    joint : array-like of shape (..., n_x, n_y)
        Joint weights up to a constant: probabilities or counts.
    base : float or None, default=2
        Logarithm base: 2 for bits, ``np.e`` or None for nats.
    axis : tuple of two int, default=(-2, -1)
        The axes of ``joint`` that hold X (the conditioning variable) and Y.

    Returns
    -------
    float or array
        A Python float for one NumPy table; an array over the stack axes otherwise.

    Raises
    ------
    ValueError
        For fewer than 2 dimensions, negative, NaN or infinite weights, an all-zero table
        or a bad ``axis``.
    TypeError
        For non-real input or an ``axis`` that is not a pair of integers.

    See Also
    --------
    mutual_information : ``I(X; Y) = H(Y) - H(Y | X)``.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory", 2nd ed.,
       Wiley, 2006. Section 2.2 (joint and conditional entropy).

    Examples
    --------
    >>> from probstat.utils import conditional_entropy
    >>> conditional_entropy([[0.25, 0.25], [0.5, 0.0]])
    0.5
    >>> conditional_entropy([[1, 1], [2, 0]], axis=(-1, -2))  # H(X | Y), from counts
    0.6887218755408672
    """
    P, xp = _table(joint, "joint", axis)
    px, cond = _conditional_rows(P, xp)
    return _reduce(px * _entr(cond, xp), (-2, -1), base, xp, clip=True)


def binary_entropy(p, *, base=2):
    """Binary entropy ``h(p)``, elementwise, in bits by default (SciPy's entr: nats).

    ``h(p) = -p log p - (1 - p) log(1 - p)``, the entropy of a Bernoulli(p) variable
    (Cover and Thomas, Section 2.1 [1]_). SciPy's
    equivalent is ``scipy.stats.entropy([p, 1 - p])`` in nats, or
    ``scipy.special.entr(p) + scipy.special.entr(1 - p)``.

    Parameters
    ----------
    p : float or array-like
        Probabilities in [0, 1].
    base : float or None, default=2
        Logarithm base: 2 for bits, ``np.e`` or None for nats.

    Returns
    -------
    float or array
        Same shape as ``p``; a Python float for a Python number.

    Raises
    ------
    ValueError
        For values outside [0, 1], NaN or inf.

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory", 2nd ed.,
       Wiley, 2006. Section 2.1 (entropy; the binary entropy function).

    Examples
    --------
    >>> from probstat.utils import binary_entropy
    >>> binary_entropy(0.5)
    1.0
    >>> binary_entropy([0.0, 1.0]).tolist()
    [0.0, 0.0]
    """
    scalar_input = isinstance(p, numbers.Real) and not isinstance(p, bool)
    arr = check_array(p, "p", ndim=None)
    xp = get_namespace(arr)
    if bool(xp.any(arr < 0)) or bool(xp.any(arr > 1)):
        raise ValueError("p must lie in [0, 1]")
    value = (_entr(arr, xp) + _entr(1.0 - arr, xp)) / log_base(base)
    return float(value) if scalar_input else value
