"""The mis-clustering error: the fraction of misplaced points, up to relabeling."""

from __future__ import annotations

import numpy as np

from ..backend import host_only
from ._common import check_cluster_labels, encode_labels


@host_only(where="misclustering_error")
def misclustering_error(labels_true, labels_pred):
    """Fraction of points in the wrong cluster, minimised over relabelings.

    The best matching of predicted to true cluster names is found with the Hungarian
    algorithm [1]_ (:func:`scipy.optimize.linear_sum_assignment`, which implements the
    shortest augmenting path variant of [2]_), so the cost is polynomial in the number
    of clusters; enumerating all ``K!`` relabelings gives the same number.
    :func:`sklearn.metrics.adjusted_rand_score` is the chance-corrected alternative that
    needs no matching.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Reference labels: any hashable values (integers, strings, ...), but not ``None``,
        NaN, inf or complex numbers.
    labels_pred : array-like of shape (n_samples,)
        Predicted labels, with the same rules; the two label sets may differ in size.

    Returns
    -------
    float
        In ``[0, 1]``; 0 means the two partitions are identical.

    Raises
    ------
    TypeError
        For ``None``, complex or unhashable labels.
    ValueError
        For NaN or inf labels, input that is not 1-D, empty input or different lengths.

    References
    ----------
    .. [1] H. W. Kuhn, "The Hungarian method for the assignment problem", Naval Research
       Logistics Quarterly 2(1-2), 83-97, 1955.
    .. [2] D. F. Crouse, "On implementing 2D rectangular assignment algorithms", IEEE
       Transactions on Aerospace and Electronic Systems 52(4), 1679-1696, 2016.

    Examples
    --------
    >>> from probstat.cluster import misclustering_error
    >>> misclustering_error([0, 0, 1, 1], [1, 1, 0, 0])
    0.0
    >>> misclustering_error([0, 0, 1, 1], [0, 1, 1, 1])
    0.25
    >>> round(misclustering_error(["a", "a", "b"], [2, 2, 2]), 6)
    0.333333
    """
    from scipy.optimize import linear_sum_assignment

    a = check_cluster_labels(labels_true, "labels_true")
    b = check_cluster_labels(labels_pred, "labels_pred")
    if a.shape != b.shape:
        raise ValueError(f"labels_true and labels_pred must have the same length "
                         f"(got {a.shape[0]} and {b.shape[0]})")
    n_true, ia = encode_labels(a)
    n_pred, ib = encode_labels(b)
    table = np.bincount(ia * n_pred + ib, minlength=n_true * n_pred).reshape(n_true, n_pred)
    rows, cols = linear_sum_assignment(-table)
    return float(1.0 - table[rows, cols].sum() / a.shape[0])
