"""Semantic information measures of Lu's G theory over a discrete source.

Layout used throughout: ``T[i, j] = T(theta_j | x_i)`` has shape (n_x, n_labels), ``p_x``
has shape (n_x,) and a joint sample distribution ``p_xy[i, j] = P(x_i, y_j)`` has the shape
of ``T``. All routines are written against the array API, work in nats internally and
return ``base``-``base`` logarithms (bits by default).
"""

from __future__ import annotations

import math

from ..backend import get_namespace, to_numpy
from ..utils import check_array, check_bool, check_stochastic_matrix
from ..utils._measures import as_scalar as scalar
from ..utils._numerics import log_base
from ._validation import (
    broadcast_pair,
    check_px,
    check_pxy,
    check_truth,
    input_device,
    is_number,
    safe_log,
    to_device,
    weighted_sum_log,
)

__all__ = [
    "coverage_entropy",
    "fuzzy_entropy",
    "information_efficiency",
    "logical_probability",
    "semantic_bayes",
    "semantic_classify",
    "semantic_cross_entropy",
    "semantic_distortion",
    "semantic_information",
    "semantic_information_loss",
    "semantic_kl",
    "semantic_mutual_information",
]


def _truth_and_px(T, p_x):
    xp = get_namespace(T, p_x)
    dev = input_device(T, p_x)
    T = check_truth(T, xp, dev=dev)
    p_x = check_px(p_x, T.shape[0], xp, dev)
    return T, p_x, xp


def _logical(T, p_x, xp):
    tl = xp.sum(p_x[:, None] * T, axis=0)
    zero = to_numpy(tl <= 0)
    if zero.any():
        j = int(zero.nonzero()[0][0])
        raise ValueError(f"label {j} has logical probability 0 under p_x: T column {j} is "
                         "zero wherever p_x > 0")
    return tl


def _log_m(T, p_x, xp):
    """``log[T(theta_j|x_i) / T(theta_j)]`` in nats (``-inf`` where T = 0)."""
    return safe_log(T, xp) - xp.log(_logical(T, p_x, xp))[None, :]


def logical_probability(T, p_x):
    """Logical probability ``T(theta_j) = sum_i P(x_i) T(theta_j | x_i)`` of every label.

    Logical probabilities are not normalised: their sum may exceed one (labels overlap).

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
        Truth functions ``T[i, j] = T(theta_j | x_i)`` in [0, 1].
    p_x : array-like of shape (n_x,)
        Source distribution P(x).

    Returns
    -------
    array of shape (n_labels,)

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import logical_probability
    >>> logical_probability([[1.0, 1.0], [0.0, 1.0]], [0.25, 0.75]).tolist()
    [0.25, 1.0]
    """
    T, p_x, xp = _truth_and_px(T, p_x)
    return xp.sum(p_x[:, None] * T, axis=0)


def semantic_bayes(T, p_x):
    """Semantic Bayes formula: ``P(x | theta_j) = P(x) T(theta_j | x) / T(theta_j)``.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
        Truth functions in [0, 1].
    p_x : array-like of shape (n_x,)
        Source distribution.

    Returns
    -------
    array of shape (n_x, n_labels)
        Column ``j`` is the likelihood ``P(x | theta_j)``; each column sums to one.

    Raises
    ------
    ValueError
        If a label has logical probability 0 under ``p_x``.

    See Also
    --------
    truth_from_likelihood : The inverse map.

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import semantic_bayes
    >>> semantic_bayes([[1.0], [0.5]], [0.5, 0.5]).ravel().round(4).tolist()
    [0.6667, 0.3333]
    """
    T, p_x, xp = _truth_and_px(T, p_x)
    return p_x[:, None] * T / _logical(T, p_x, xp)[None, :]


def semantic_information(T, p_x, *, base=2):
    """Semantic information of each instance about each label, ``I(x_i; theta_j)``.

    ``I(x_i; theta_j) = log[T(theta_j | x_i) / T(theta_j)] = log[P(x_i | theta_j) / P(x_i)]``;
    it is ``-inf`` where ``T = 0`` (the label is falsified by ``x_i``) and negative where the
    label is less true of ``x_i`` than on average.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
    p_x : array-like of shape (n_x,)
    base : float, default=2
        Logarithm base (2: bits; ``math.e`` or None: nats).

    Returns
    -------
    array of shape (n_x, n_labels)

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    A crisp label true on a set A of probability 1/4 carries ``-log2 P(A) = 2`` bits:

    >>> from probstat.semantic import semantic_information
    >>> semantic_information([[1.0], [0.0]], [0.25, 0.75]).ravel().tolist()
    [2.0, -inf]
    """
    scale = log_base(base)
    T, p_x, xp = _truth_and_px(T, p_x)
    return _log_m(T, p_x, xp) / scale


def semantic_kl(T, p_x, p_x_given_y, *, base=2):
    """Generalised KL information ``I(X; theta_j) = sum_i P(x_i | y_j) I(x_i; theta_j)``.

    It equals ``KL(P(x|y_j) || P(x)) - KL(P(x|y_j) || P(x|theta_j))``.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
    p_x : array-like of shape (n_x,)
        Source distribution used for the logical probabilities.
    p_x_given_y : array-like of shape (n_x, n_labels)
        Column ``j`` is the sampling distribution ``P(x | y_j)`` (columns sum to one).
    base : float, default=2

    Returns
    -------
    array of shape (n_labels,)

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import semantic_kl
    >>> semantic_kl([[1.0], [0.0]], [0.25, 0.75], [[1.0], [0.0]]).tolist()
    [2.0]
    """
    scale = log_base(base)
    T, p_x, xp = _truth_and_px(T, p_x)
    cond = check_stochastic_matrix(p_x_given_y, name="p_x_given_y", axis=0)
    cond = to_device(cond, xp, input_device(T, p_x, p_x_given_y))
    if tuple(cond.shape) != tuple(T.shape):
        raise ValueError(f"p_x_given_y must have the shape of T {tuple(T.shape)} "
                         f"(got {tuple(cond.shape)})")
    return weighted_sum_log(cond, _log_m(T, p_x, xp), xp, axis=0) / scale


def _joint_setup(T, p_xy, p_x):
    xp = get_namespace(T, p_xy, p_x)
    dev = input_device(T, p_xy, p_x)
    T = check_truth(T, xp, dev=dev)
    p_xy = check_pxy(p_xy, T.shape, xp, dev)
    p_x = xp.sum(p_xy, axis=1) if p_x is None else check_px(p_x, T.shape[0], xp, dev)
    return T, p_xy, p_x, xp


def semantic_mutual_information(T, p_xy, *, p_x=None, base=2):
    """Semantic mutual information ``G = I(X; Theta)``.

    ``G = sum_ij P(x_i, y_j) log[T(theta_j | x_i) / T(theta_j)]``, where the logical
    probabilities ``T(theta_j)`` use the source ``p_x`` (by default the row marginal of
    ``p_xy``). With that default, ``G <= I(X; Y)`` with equality exactly when each truth
    function is proportional to its column of the Shannon channel ``P(y_j | x)``.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
        Truth functions.
    p_xy : array-like of shape (n_x, n_labels)
        Joint sample distribution ``P(x_i, y_j)``.
    p_x : array-like of shape (n_x,), optional
        Source distribution for the logical probabilities; default ``p_xy.sum(axis=1)``.
    base : float, default=2

    Returns
    -------
    float
        ``-inf`` when a sample pair has ``T = 0`` (a falsified label was used).

    See Also
    --------
    semantic_information_loss : ``I(X; Y) - G``.

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.semantic import semantic_mutual_information, truth_from_channel
    >>> p_xy = np.array([[0.4, 0.1], [0.1, 0.4]])
    >>> T = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> round(semantic_mutual_information(T, p_xy), 4)
    0.215
    >>> T_star = truth_from_channel(p_xy / p_xy.sum(axis=1, keepdims=True))
    >>> round(semantic_mutual_information(T_star, p_xy), 4)  # = I(X; Y)
    0.2781
    """
    scale = log_base(base)
    T, p_xy, p_x, xp = _joint_setup(T, p_xy, p_x)
    return scalar(weighted_sum_log(p_xy, _log_m(T, p_x, xp), xp) / scale, xp)


def semantic_information_loss(T, p_xy, *, base=2, per_label=False):
    """Semantic information loss ``L = I(X; Y) - G``.

    ``L = sum_j P(y_j) KL(P(x | y_j) || P(x | theta_j)) >= 0``, zero exactly when every
    used label's truth function is proportional to ``P(y_j | x)``. The logical
    probabilities use the row marginal of ``p_xy``.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
    p_xy : array-like of shape (n_x, n_labels)
        Joint sample distribution.
    base : float, default=2
    per_label : bool, default=False
        Return the per-label terms ``P(y_j) KL(P(x|y_j) || P(x|theta_j))`` (they sum to L;
        an unused label contributes 0) instead of their total.

    Returns
    -------
    float or array of shape (n_labels,)
        ``inf`` when a used label is falsified where it was used.

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.semantic import semantic_information_loss
    >>> p_xy = np.array([[0.4, 0.1], [0.1, 0.4]])
    >>> round(semantic_information_loss([[1.0, 0.5], [0.5, 1.0]], p_xy), 4)
    0.063
    """
    scale = log_base(base)
    per_label = check_bool(per_label, "per_label")
    T, p_xy, p_x, xp = _joint_setup(T, p_xy, None)
    lik = p_x[:, None] * T / _logical(T, p_x, xp)[None, :]
    p_y = xp.sum(p_xy, axis=0)
    # P(y_j) KL(P(x|y_j) || P(x|theta_j)) = sum_i P(x_i, y_j) log[P(x_i, y_j) / (P(y_j)
    # P(x_i|theta_j))]: 0 log 0 = 0, and +inf where a used pair has P(x_i|theta_j) = 0
    used = p_xy > 0
    good = used & (lik > 0)
    one, zero = xp.ones_like(p_xy), xp.zeros_like(p_xy)
    log_ratio = (xp.log(xp.where(good, p_xy, one))
                 - xp.log(xp.where(good, p_y[None, :] * one, one))
                 - xp.log(xp.where(good, lik, one)))
    terms = xp.sum(xp.where(good, p_xy * log_ratio, zero), axis=0)
    # each term is a weighted KL divergence: round-off can only make it negative
    terms = xp.maximum(terms, xp.zeros_like(terms))
    falsified = xp.any(used & ~(lik > 0), axis=0)
    terms = xp.where(falsified, xp.full_like(terms, math.inf), terms) / scale
    if per_label:
        return terms
    return scalar(xp.sum(terms), xp)


def coverage_entropy(T, p_xy, *, p_x=None, base=2):
    """Coverage entropy ``H(Theta) = -sum_j P(y_j) log T(theta_j)``.

    Together with :func:`fuzzy_entropy` it decomposes ``G = H(Theta) - H(Theta | X)``.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
    p_xy : array-like of shape (n_x, n_labels)
    p_x : array-like of shape (n_x,), optional
        Source for the logical probabilities (default: row marginal of ``p_xy``).
    base : float, default=2

    Returns
    -------
    float

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import coverage_entropy
    >>> coverage_entropy([[1.0, 0.0], [0.0, 1.0]], [[0.5, 0.0], [0.0, 0.5]])
    1.0
    """
    scale = log_base(base)
    T, p_xy, p_x, xp = _joint_setup(T, p_xy, p_x)
    p_y = xp.sum(p_xy, axis=0)
    return scalar(-xp.sum(p_y * xp.log(_logical(T, p_x, xp))) / scale, xp)


def fuzzy_entropy(T, p_xy, *, base=2):
    """Fuzzy entropy ``H(Theta | X) = -sum_ij P(x_i, y_j) log T(theta_j | x_i)``.

    It is the average semantic distortion (see :func:`semantic_distortion`).

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
    p_xy : array-like of shape (n_x, n_labels)
    base : float, default=2

    Returns
    -------
    float
        ``inf`` when a sample pair has ``T = 0``.

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import fuzzy_entropy
    >>> fuzzy_entropy([[1.0], [0.5]], [[0.5], [0.5]])
    0.5
    """
    scale = log_base(base)
    T, p_xy, _, xp = _joint_setup(T, p_xy, None)
    return scalar(-weighted_sum_log(p_xy, safe_log(T, xp), xp) / scale, xp)


def semantic_cross_entropy(T, p_xy, *, base=2):
    """Cross-entropy ``H(X | Theta) = -sum_ij P(x_i, y_j) log P(x_i | theta_j)``.

    It is the negative mean log-likelihood of the sample under the semantic-Bayes
    likelihoods (with the row marginal of ``p_xy`` as source), and ``G = H(X) - H(X|Theta)``.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
    p_xy : array-like of shape (n_x, n_labels)
    base : float, default=2

    Returns
    -------
    float

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import semantic_cross_entropy
    >>> semantic_cross_entropy([[1.0], [1.0]], [[0.5], [0.5]])
    1.0
    """
    scale = log_base(base)
    T, p_xy, p_x, xp = _joint_setup(T, p_xy, None)
    log_lik = safe_log(p_x, xp)[:, None] + _log_m(T, p_x, xp)
    return scalar(-weighted_sum_log(p_xy, log_lik, xp) / scale, xp)


def semantic_distortion(T, *, base=2):
    """Semantic distortion ``d(x_i, y_j) = -log T(theta_j | x_i)`` (``inf`` where T = 0).

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
    base : float, default=2

    Returns
    -------
    array of shape (n_x, n_labels)

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import semantic_distortion
    >>> semantic_distortion([[1.0, 0.5]]).tolist()
    [[0.0, 1.0]]
    """
    scale = log_base(base)
    xp = get_namespace(T)
    T = check_truth(T, xp, dev=input_device(T))
    return (0.0 - safe_log(T, xp)) / scale


def semantic_classify(T, p_x):
    """Label each instance by maximum semantic information, ``argmax_j I(x_i; theta_j)``.

    Among several true labels this prefers the most specific one (the one with the
    smallest logical probability); a label falsified by ``x_i`` is never chosen while
    another label has ``T > 0`` there.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
    p_x : array-like of shape (n_x,)

    Returns
    -------
    array of int of shape (n_x,)

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import semantic_classify
    >>> # "adult" is true of everyone here, "youth" only of the first two ages
    >>> T = [[1.0, 1.0], [1.0, 1.0], [0.0, 1.0], [0.0, 1.0]]
    >>> semantic_classify(T, [0.25, 0.25, 0.25, 0.25]).tolist()
    [0, 0, 1, 1]
    """
    T, p_x, xp = _truth_and_px(T, p_x)
    return xp.argmax(_log_m(T, p_x, xp), axis=1)


def information_efficiency(G, R):
    """Information efficiency ``G / R`` (semantic over Shannon mutual information).

    Parameters
    ----------
    G, R : float or array-like
        Semantic and Shannon mutual information in the same units: finite, ``R > 0``.
        They broadcast against each other.

    Returns
    -------
    float or array
        A float when both arguments are numbers.

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import information_efficiency
    >>> information_efficiency(0.5, 1.0)
    0.5
    """
    xp = get_namespace(G, R)
    dev = input_device(G, R)
    scalar_in = is_number(G) and is_number(R)
    g = to_device(check_array(G, "G", xp=xp), xp, dev)
    r = to_device(check_array(R, "R", xp=xp), xp, dev)
    if bool(xp.any(r <= 0)):
        raise ValueError(f"R must be > 0 for the efficiency G/R (smallest "
                         f"{float(xp.min(r)):.6g})")
    g, r = broadcast_pair(g, r, ("G", "R"), xp)
    out = g / r
    return float(out) if scalar_in else out
