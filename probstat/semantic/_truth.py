"""Truth functions of Lu's G theory: learned from a channel, samples or likelihoods, and the
parametric Gaussian ("about c") and logistic ("above t") families.

Layout: ``T[i, j] = T(theta_j | x_i)`` has shape (n_x, n_labels), with values in [0, 1].
"""

from __future__ import annotations

import numpy as np

from ..backend import get_namespace, on_host, to_numpy
from ..utils import (
    check_array,
    check_labels,
    check_same_length,
    check_scalar_in,
    check_stochastic_matrix,
)
from ._validation import check_px, input_device, to_device

__all__ = [
    "gaussian_truth",
    "logistic_truth",
    "truth_from_channel",
    "truth_from_likelihood",
    "truth_from_samples",
]


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
