"""Shannon measures written once for all of probstat: entropy, cross-entropy, KL divergence,
mutual information, conditional entropy and binary entropy.

All take ``base`` (2 by default: bits) and treat ``0 log 0`` as 0. They are written against
the array API, so they run on NumPy, CuPy or array-api-strict inputs when dispatch is on.
"""

from __future__ import annotations

import math

import scipy.special

from ..backend import get_namespace, is_numpy_namespace
from ._numerics import log_base
from ._validation import check_array, check_joint, check_probability_vector


def _plogp(p, xp):
    """Elementwise p*log(p) with 0*log(0) = 0."""
    if is_numpy_namespace(xp):
        return -scipy.special.entr(p)  # one fused pass instead of four
    positive = p > 0
    safe = xp.where(positive, p, xp.ones_like(p))
    return xp.where(positive, p * xp.log(safe), xp.zeros_like(p))


def _plogq(p, q, xp):
    """Elementwise p*log(q) with 0*log(q) = 0 and p*log(0) = -inf for p > 0."""
    if is_numpy_namespace(xp):
        return scipy.special.xlogy(p, q)
    both = (p > 0) & (q > 0)
    term = p * xp.log(xp.where(both, q, xp.ones_like(q)))
    missing = (p > 0) & ~(q > 0)
    return xp.where(missing, xp.full_like(p, -math.inf), term)


def _check_pair(p, q, names):
    p = check_probability_vector(p, name=names[0])
    q = check_probability_vector(q, name=names[1])
    if p.shape != q.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same length "
            f"(got {p.shape[0]} and {q.shape[0]})"
        )
    return p, q


def entropy(p, *, base=2):
    """Shannon entropy ``H(p) = -sum_i p_i log p_i``.

    Parameters
    ----------
    p : array-like of shape (n,)
        A probability vector (zeros allowed).
    base : float, default=2
        Logarithm base: 2 for bits, ``math.e`` (or None) for nats.

    Returns
    -------
    float or 0-d array
        A Python float for NumPy input; a 0-d array of the input's namespace otherwise.

    See Also
    --------
    scipy.stats.entropy : The same quantity (it normalises ``p`` instead of checking it).

    Examples
    --------
    >>> from probstat.utils import entropy
    >>> entropy([0.5, 0.5])
    1.0
    """
    p = check_probability_vector(p)
    xp = get_namespace(p)
    return as_scalar(-xp.sum(_plogp(p, xp)) / log_base(base), xp)


def cross_entropy(p, q, *, base=2):
    """Cross-entropy ``H(p, q) = -sum_i p_i log q_i`` (inf when q_i = 0 < p_i).

    Parameters
    ----------
    p, q : array-like of shape (n,)
        Probability vectors of equal length.
    base : float, default=2

    Returns
    -------
    float

    Examples
    --------
    >>> from probstat.utils import cross_entropy
    >>> cross_entropy([0.5, 0.5], [0.25, 0.75])  # doctest: +ELLIPSIS
    1.207...
    """
    p, q = _check_pair(p, q, ("p", "q"))
    xp = get_namespace(p)
    return as_scalar(-xp.sum(_plogq(p, q, xp)) / log_base(base), xp)


def kl_divergence(p, q, *, base=2):
    """Kullback-Leibler divergence ``D(p || q) = sum_i p_i log(p_i / q_i)``.

    It is ``+inf`` when ``q`` puts zero mass where ``p`` does not.

    Parameters
    ----------
    p, q : array-like of shape (n,)
        Probability vectors of equal length.
    base : float, default=2

    Returns
    -------
    float

    See Also
    --------
    scipy.stats.entropy : ``entropy(p, q)`` is the same divergence in nats.

    Examples
    --------
    >>> from probstat.utils import kl_divergence
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    """
    p, q = _check_pair(p, q, ("p", "q"))
    xp = get_namespace(p)
    value = xp.sum(_plogp(p, xp) - _plogq(p, q, xp))
    # Round-off can give -1e-17 for identical inputs; KL is non-negative.
    value = xp.maximum(value, xp.zeros_like(value))
    return as_scalar(value / log_base(base), xp)


def mutual_information(joint, *, base=2):
    """Mutual information ``I(X; Y)`` of a joint probability table.

    Computed as ``D(p_xy || p_x p_y)``, which stays accurate when I is tiny.

    Parameters
    ----------
    joint : array-like of shape (n_x, n_y)
        Joint probabilities ``P(X = i, Y = j)``, summing to one.
    base : float, default=2

    Returns
    -------
    float

    Examples
    --------
    >>> from probstat.utils import mutual_information
    >>> mutual_information([[0.5, 0.0], [0.0, 0.5]])
    1.0
    """
    P = check_joint(joint)
    xp = get_namespace(P)
    px = xp.sum(P, axis=1, keepdims=True)
    py = xp.sum(P, axis=0, keepdims=True)
    # log px + log py rather than log(px * py): the product can underflow where P > 0.
    pos = P > 0
    one = xp.ones_like(P)
    log_ratio = (xp.log(xp.where(pos, P, one)) - xp.log(xp.where(pos, px * one, one))
                 - xp.log(xp.where(pos, py * one, one)))
    value = xp.sum(xp.where(pos, P * log_ratio, xp.zeros_like(P)))
    value = xp.maximum(value, xp.zeros_like(value))
    return as_scalar(value / log_base(base), xp)


def conditional_entropy(joint, *, base=2):
    """Conditional entropy ``H(Y | X) = H(X, Y) - H(X)`` of a joint table with X on rows.

    Parameters
    ----------
    joint : array-like of shape (n_x, n_y)
    base : float, default=2

    Returns
    -------
    float

    Examples
    --------
    >>> from probstat.utils import conditional_entropy
    >>> conditional_entropy([[0.25, 0.25], [0.5, 0.0]])
    0.5
    """
    P = check_joint(joint)
    xp = get_namespace(P)
    px = xp.sum(P, axis=1)
    value = -xp.sum(_plogp(P, xp)) + xp.sum(_plogp(px, xp))
    value = xp.maximum(value, xp.zeros_like(value))
    return as_scalar(value / log_base(base), xp)


def binary_entropy(p, *, base=2):
    """Binary entropy ``h(p) = -p log p - (1 - p) log(1 - p)``, elementwise.

    Parameters
    ----------
    p : float or array-like
        Probabilities in [0, 1].
    base : float, default=2

    Returns
    -------
    float or array
        Same shape as ``p``.

    Examples
    --------
    >>> from probstat.utils import binary_entropy
    >>> binary_entropy(0.5)
    1.0
    >>> binary_entropy([0.0, 1.0]).tolist()
    [0.0, 0.0]
    """
    from numbers import Real

    scalar_input = isinstance(p, Real) and not isinstance(p, bool)
    arr = check_array(p, "p", ndim=None)
    xp = get_namespace(arr)
    if bool(xp.any(arr < 0)) or bool(xp.any(arr > 1)):
        raise ValueError("p must lie in [0, 1]")
    value = -(_plogp(arr, xp) + _plogp(1.0 - arr, xp)) / log_base(base)
    return float(value) if scalar_input else value


def as_scalar(value, xp):
    """A Python float for NumPy; a 0-d array of the namespace otherwise."""
    return float(value) if is_numpy_namespace(xp) else value
