"""Semantic information measures of Lu's G theory over a discrete source.

Layout used throughout: ``T[i, j] = T(theta_j | x_i)`` has shape (n_x, n_labels), ``p_x``
has shape (n_x,) and a joint sample distribution ``p_xy[i, j] = P(x_i, y_j)`` has the shape
of ``T``. All routines are written against the array API, work in nats internally and
return ``base``-``base`` logarithms (bits by default).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..backend import get_namespace, on_host, to_numpy
from ..utils import (
    check_array,
    check_bool,
    check_labels,
    check_same_length,
    check_scalar_in,
    check_stochastic_matrix,
)
from ..utils._measures import as_scalar as scalar
from ..utils._numerics import log_base
from ._validation import (
    check_px,
    check_pxy,
    check_truth,
    input_device,
    safe_log,
    to_device,
    weighted_sum_log,
)

__all__ = [
    "coverage_entropy",
    "fuzzy_entropy",
    "gaussian_truth",
    "information_efficiency",
    "logical_probability",
    "logistic_truth",
    "semantic_bayes",
    "semantic_classify",
    "semantic_cross_entropy",
    "semantic_distortion",
    "semantic_information",
    "semantic_information_loss",
    "semantic_kl",
    "semantic_mutual_information",
    "truth_from_channel",
    "truth_from_likelihood",
    "truth_from_samples",
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


def truth_from_channel(p_y_given_x):
    """Optimised truth functions ``T*(theta_j | x) = P(y_j | x) / max_x P(y_j | x)``.

    This is Logical Bayesian Inference's non-parametric learning rule: each label is
    learned separately, the result does not depend on P(x), and with these truth functions
    ``G = I(X; Y)``.

    Parameters
    ----------
    p_y_given_x : array-like of shape (n_x, n_labels)
        Shannon channel: row ``i`` is ``P(y | x_i)`` and sums to one.

    Returns
    -------
    array of shape (n_x, n_labels)
        Each column has maximum 1.

    Raises
    ------
    ValueError
        If a row does not sum to one or a label is never used (all-zero column).

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import truth_from_channel
    >>> truth_from_channel([[0.8, 0.2], [0.4, 0.6]]).round(4).tolist()
    [[1.0, 0.3333], [0.5, 1.0]]
    """
    W = check_stochastic_matrix(p_y_given_x, name="p_y_given_x", axis=1)
    xp = get_namespace(W)
    colmax = xp.max(W, axis=0)
    zero = to_numpy(colmax <= 0)
    if zero.any():
        j = int(zero.nonzero()[0][0])
        raise ValueError(f"p_y_given_x column {j} is all zero: label {j} is never used")
    return W / colmax[None, :]


def truth_from_samples(x, y, *, n_x=None, n_labels=None):
    """Optimised truth functions T* learned from labelled samples of a discrete x.

    Counts give the empirical channel ``P(y_j | x_i)`` and then
    ``T*(theta_j | x_i) = P(y_j | x_i) / max_x P(y_j | x)``: each label is learned from
    where it was used relative to how often each x occurred, so the result does not depend on
    how the x were sampled. An x that never occurs gets truth 0 for every label (no
    evidence).

    Parameters
    ----------
    x : array-like of int of shape (n_samples,)
        Instance codes in ``0 .. n_x - 1``.
    y : array-like of int of shape (n_samples,)
        Label codes in ``0 .. n_labels - 1``.
    n_x, n_labels : int, optional
        Sizes of the two alphabets (default: largest code + 1).

    Returns
    -------
    ndarray of shape (n_x, n_labels)

    Raises
    ------
    ValueError
        On negative or out-of-range codes, different lengths, or a label never used.

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import truth_from_samples
    >>> truth_from_samples([0, 0, 0, 1, 1], [0, 0, 1, 1, 1]).round(3).tolist()
    [[1.0, 0.333], [0.0, 1.0]]
    """
    host = on_host(x, y, where="truth_from_samples")
    if n_x is not None:
        n_x = check_scalar_in(n_x, "n_x", low=1, integer=True)
    if n_labels is not None:
        n_labels = check_scalar_in(n_labels, "n_labels", low=1, integer=True)
    x = check_labels(host.to_numpy(x), "x", n_labels=n_x)
    y = check_labels(host.to_numpy(y), "y", n_labels=n_labels)
    check_same_length(("x", x), ("y", y))
    n_x = int(x.max()) + 1 if n_x is None else n_x
    n_labels = int(y.max()) + 1 if n_labels is None else n_labels
    counts = np.bincount(x * n_labels + y, minlength=n_x * n_labels)
    counts = counts.reshape(n_x, n_labels).astype(np.float64)
    row = counts.sum(axis=1, keepdims=True)
    channel = np.divide(counts, row, out=np.zeros_like(counts), where=row > 0)
    colmax = channel.max(axis=0)
    if (colmax <= 0).any():
        j = int(np.flatnonzero(colmax <= 0)[0])
        raise ValueError(f"label {j} never occurs in y: its truth function is undefined")
    return host.from_numpy(channel / colmax)


def truth_from_likelihood(likelihood, p_x):
    """Inverse semantic Bayes: ``T(theta_j|x) = [P(x|theta_j)/P(x)] / max_x [P(x|theta_j)/P(x)]``.

    Parameters
    ----------
    likelihood : array-like of shape (n_x, n_labels)
        Column ``j`` is ``P(x | theta_j)`` (columns sum to one).
    p_x : array-like of shape (n_x,)

    Returns
    -------
    array of shape (n_x, n_labels)
        Truth functions with column maximum 1 (0 where ``p_x`` is 0).

    Raises
    ------
    ValueError
        If a likelihood puts mass where ``p_x`` is zero.

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> from probstat.semantic import truth_from_likelihood
    >>> truth_from_likelihood([[2 / 3], [1 / 3]], [0.5, 0.5]).ravel().tolist()
    [1.0, 0.5]
    """
    xp = get_namespace(likelihood, p_x)
    dev = input_device(likelihood, p_x)
    lik = to_device(check_stochastic_matrix(likelihood, name="likelihood", axis=0), xp, dev)
    p_x = check_px(p_x, lik.shape[0], xp, dev, rows="likelihood")
    bad = to_numpy((p_x[:, None] <= 0) & (lik > 0))
    if bad.any():
        i, j = (int(v[0]) for v in bad.nonzero())
        raise ValueError(f"likelihood column {j} puts mass on x_{i} where p_x is 0")
    pos = p_x > 0
    ratio = xp.where(pos[:, None], lik / xp.where(pos, p_x, xp.ones_like(p_x))[:, None],
                     xp.zeros_like(lik))
    return ratio / xp.max(ratio, axis=0)[None, :]


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
    scalar_in = _is_number(G) and _is_number(R)
    g = to_device(check_array(G, "G", xp=xp), xp, dev)
    r = to_device(check_array(R, "R", xp=xp), xp, dev)
    if bool(xp.any(r <= 0)):
        raise ValueError(f"R must be > 0 for the efficiency G/R (smallest "
                         f"{float(xp.min(r)):.6g})")
    g, r = broadcast_pair(g, r, ("G", "R"), xp)
    out = g / r
    return float(out) if scalar_in else out


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def broadcast_pair(a, b, names, xp):
    """``a`` and ``b`` broadcast against each other, or a named error."""
    try:
        return xp.broadcast_arrays(a, b)
    except (ValueError, RuntimeError) as exc:
        raise ValueError(f"{names[0]} and {names[1]} must have broadcastable shapes (got "
                         f"{tuple(a.shape)} and {tuple(b.shape)})") from exc


def gaussian_truth(x, centers, widths):
    """Gaussian truth functions ``T(theta_j | x) = exp(-(x - c_j)^2 / (2 w_j^2))``.

    Used for estimates and readings ("about c_j"), as in Lu's GPS example.

    Parameters
    ----------
    x : array-like of shape (n_x,)
        Grid of instances.
    centers, widths : float or array-like of shape (n_labels,)
        Centres ``c_j`` and widths ``w_j > 0``; a number is used for every label.

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
    >>> from probstat.semantic import gaussian_truth
    >>> gaussian_truth([0.0, 1.0], 0.0, 1.0).ravel().round(4).tolist()
    [1.0, 0.6065]
    """
    x, c, w, xp = _grid_params(x, centers, widths, ("centers", "widths"))
    if bool(xp.any(w <= 0)):
        raise ValueError(f"widths must be > 0 (smallest {float(xp.min(w)):.6g})")
    return xp.exp(-((x[:, None] - c[None, :]) ** 2) / (2.0 * w[None, :] ** 2))


def logistic_truth(x, thresholds, slopes):
    """Logistic (half-line) truth functions ``T(theta_j | x) = 1 / (1 + exp(-k_j (x - t_j)))``.

    A positive slope gives a label like "old" (true above the threshold), a negative one a
    label like "young".

    Parameters
    ----------
    x : array-like of shape (n_x,)
    thresholds, slopes : float or array-like of shape (n_labels,)
        Thresholds ``t_j`` and non-zero slopes ``k_j``; a number is used for every label.

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
    >>> from probstat.semantic import logistic_truth
    >>> logistic_truth([0.0], 0.0, 1.0).tolist()
    [[0.5]]
    """
    x, t, k, xp = _grid_params(x, thresholds, slopes, ("thresholds", "slopes"))
    if bool(xp.any(k == 0)):
        raise ValueError("slopes must be non-zero")
    z = k[None, :] * (x[:, None] - t[None, :])
    # stable sigmoid: exp of a non-positive number only
    ez = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1.0 / (1.0 + ez), ez / (1.0 + ez))


def _grid_params(x, a, b, names):
    """The grid ``x`` (1-D) and two per-label parameters (numbers or 1-D, same length)."""
    xp = get_namespace(x, a, b)
    dev = input_device(x, a, b)
    x = to_device(check_array(x, "x", ndim=1, xp=xp), xp, dev)
    a = xp.reshape(to_device(check_array(a, names[0], ndim=(0, 1), xp=xp), xp, dev), (-1,))
    b = xp.reshape(to_device(check_array(b, names[1], ndim=(0, 1), xp=xp), xp, dev), (-1,))
    if a.shape[0] != b.shape[0]:
        if a.shape[0] == 1:
            a = xp.broadcast_to(a, b.shape)
        elif b.shape[0] == 1:
            b = xp.broadcast_to(b, a.shape)
        else:
            raise ValueError(f"{names[0]} and {names[1]} must have the same length (got "
                             f"{a.shape[0]} and {b.shape[0]})")
    return x, a, b, xp
