"""The sketch solvers on a dask array: the SDP on a sample in memory, the lift block by block.

``KMeansSDP(solver="sketch")`` and ``ILASDP(solver="sketch")`` touch all the rows of ``X``
only to check them (finite, not constant, squares that do not overflow) and to assign
them once the SDP has been solved on a subsample. Here those passes run block of rows by
block of rows on the Dask scheduler; the subsample (the same rows the in-memory sketch
draws from ``random_state``) is gathered into memory and fitted exactly as in memory, so
the two paths give the same labels and parameters.

The per-row results (``labels_``, ``membership_``) stay dask arrays, persisted (on the
workers with a distributed client), as dask-ml's clusterers do for dask input; every
other fitted attribute is a NumPy array.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from ..utils._dask import check_dask_matrix


def is_dask_array(X):
    """Whether ``X`` is a ``dask.array.Array`` (without importing dask)."""
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(X, da.Array)


def refuse_solver(estimator, solver):
    """The error for a non-sketch solver given a dask array."""
    raise ValueError(
        f"{type(estimator).__name__}(solver={solver!r}) cannot fit a dask array: only "
        "solver='sketch' (or 'auto', which chooses it for a dask array) solves on a "
        "subsample and assigns the rows block by block; use solver='sketch', or load X "
        "into memory with X.compute()")


def check_dask_X(estimator, X, *, reset):
    """``X`` as a float64 dask array chunked along rows only, with known chunk sizes."""
    X = check_dask_matrix(X)
    n, p = X.shape
    if reset:
        if n < 2 or p < 1:
            raise ValueError(f"Found array with {n} sample(s) and {p} feature(s) while a "
                             "minimum of 2 samples and 1 feature is required.")
        estimator.n_features_in_ = p
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif p != estimator.n_features_in_:
        raise ValueError(f"X has {p} features, but {type(estimator).__name__} is expecting "
                         f"{estimator.n_features_in_} features as input.")
    return X


def _stats_block(xb):
    if not np.all(np.isfinite(xb)):
        return None
    return xb.min(axis=0), xb.max(axis=0), xb.sum(axis=0)


def _squares_block(xb, mean):
    with np.errstate(over="ignore"):
        d = xb - mean
        return float(np.sum(d * d))


def column_stats(X):
    """One pass: refuse NaN or infinity; the column minima, maxima and means."""
    parts = _per_block(_stats_block, X)
    if any(p is None for p in parts):
        raise ValueError("Input X contains NaN or infinity.")
    lo = np.min([p[0] for p in parts], axis=0)
    hi = np.max([p[1] for p in parts], axis=0)
    mean = np.sum([p[2] for p in parts], axis=0) / X.shape[0]
    return lo, hi, mean


def check_squares_finite(X, lo, hi, mean):
    """The in-memory ``check_squares_finite`` of the centred X, by bounds or one more pass.

    Every centred entry is at most ``ptp`` in size and the largest at least ``ptp / 2``,
    so the bounds settle all but a narrow band of magnitudes, which takes an exact pass.
    """
    n, ptp = X.shape[0], hi - lo
    with np.errstate(over="ignore"):
        upper = 4.0 * float(np.sum(ptp * ptp)) * n * n
        lower = 0.25 * np.max(ptp) ** 2 * n
    if np.isfinite(upper):
        return
    total = math.inf if not np.isfinite(lower) else math.fsum(
        _per_block(_squares_block, X, mean))
    if not np.isfinite(total * n):
        largest = float(np.max(np.maximum(hi - mean, mean - lo)))
        raise ValueError(f"X is too large in magnitude (largest centred entry "
                         f"{largest:.3g}): squared distances overflow float64; rescale X")


def rows(X, idx):
    """The rows ``idx`` (sorted) of the dask array, as a C-contiguous NumPy array."""
    return np.ascontiguousarray(X[idx].compute(), dtype=np.float64)


def _per_block(func, X, *args):
    import dask

    call = dask.delayed(func, pure=False)
    return dask.compute(*[call(xb, *args) for xb in X.to_delayed().ravel()])


# ------------------------------------------------------------------ KMeansSDP's lift
def _nearest_block(xb, centers):
    from ._kmeans_sdp import _nearest

    return _nearest(np.ascontiguousarray(xb), centers)


def _cluster_sums_block(xb, lb, ref):
    """Per label: count, sum of ``x - ref_k`` and of ``||x - ref_k||^2``."""
    K, p = ref.shape
    counts = np.bincount(lb, minlength=K).astype(np.float64)
    sums, squares = np.zeros((K, p)), np.zeros(K)
    for k in np.flatnonzero(counts):
        d = xb[lb == k] - ref[k]
        sums[k] = d.sum(axis=0)
        squares[k] = float(np.sum(d * d))
    return counts, sums, squares


def lift_nearest(X, centers):
    """Labels of the nearest centre (a persisted dask array), their means and the inertia.

    As the in-memory ``_set_labels``: the labels are renumbered ``0..K'-1`` over the
    clusters that received rows, and the centres are the means of all their rows. The
    sums are taken around the given centres, so the inertia loses no precision.
    """
    import dask

    labels = X.map_blocks(_nearest_block, centers, drop_axis=1, dtype=np.int64).persist()
    call = dask.delayed(_cluster_sums_block, pure=False)
    parts = dask.compute(*[call(xb, lb, centers) for xb, lb in
                           zip(X.to_delayed().ravel(), labels.to_delayed().ravel())])
    counts = np.sum([p[0] for p in parts], axis=0)
    sums = np.sum([p[1] for p in parts], axis=0)
    squares = np.array([math.fsum(p[2][k] for p in parts) for k in range(len(centers))])
    used = np.flatnonzero(counts > 0)
    if used.size < len(centers):
        table = np.full(len(centers), -1, dtype=np.int64)
        table[used] = np.arange(used.size)
        labels = labels.map_blocks(np.take, table, dtype=np.int64).persist()
    n_k = counts[used]
    shift = sums[used] / n_k[:, None]
    means = centers[used] + shift
    inertia = math.fsum(squares[used] - n_k * np.sum(shift * shift, axis=1))
    return labels, means, float(inertia)


# ------------------------------------------------------------------ ILASDP's lift
def _rule_params(estimator):
    """The arrays of ``estimator._log_rule``, as NumPy (sent to the workers)."""
    from ..backend import to_numpy

    log_w = None
    if estimator.weights:
        log_w = np.log(np.maximum(to_numpy(estimator.weights_), 1e-300))
    return to_numpy(estimator.means_), to_numpy(estimator.precisions_cholesky_), log_w


def _log_rule_np(xb, means, prec_chol, log_w):
    from ..utils._numerics import gaussian_log_density

    logp = gaussian_log_density(np.ascontiguousarray(xb), means, prec_chol)
    return logp if log_w is None else logp + log_w


def _rule_block(xb, means, prec_chol, log_w):
    return np.argmax(_log_rule_np(xb, means, prec_chol, log_w), axis=1).astype(np.int64)


def lift_rule(estimator, X, *, persist):
    """The Gaussian assignment ``argmax_k log N(x; mu_k, Sigma_k)`` block by block."""
    labels = X.map_blocks(_rule_block, *_rule_params(estimator), drop_axis=1,
                          dtype=np.int64)
    return labels.persist() if persist else labels


def _one_hot_block(lb, K):
    return np.eye(K)[lb]


def one_hot(labels, K):
    """``np.eye(K)[labels]`` block by block."""
    return labels.map_blocks(_one_hot_block, K, new_axis=1, chunks=(labels.chunks[0], (K,)),
                             dtype=np.float64)


def _max_log_rule_block(xb, means, prec_chol, log_w):
    return float(np.sum(np.max(_log_rule_np(xb, means, prec_chol, log_w), axis=1)))


def mean_max_log_rule(estimator, X):
    """``mean_i max_k`` of the Gaussian rule's log-densities, summed block by block."""
    parts = _per_block(_max_log_rule_block, X, *_rule_params(estimator))
    return math.fsum(parts) / X.shape[0]


# ------------------------------------------------------------------ ILASDP's fit
def ila_fit_one_start(estimator, X):
    """``ILASDP._fit_one_start`` on a dask array (the checks of ``_check_data`` per block)."""
    import time

    from ..backend import on_host
    from ..utils import check_rng
    from ._common import check_n_clusters, logger

    n = X.shape[0]
    K = check_n_clusters(estimator.n_clusters, n)
    if estimator.solver not in ("auto", "sketch"):
        refuse_solver(estimator, estimator.solver)
    if K == 1:
        raise ValueError("ILASDP(n_clusters=1) cannot fit a dask array: one Gaussian is "
                         "fitted on all the rows, not on a sketch; use n_clusters >= 2, or "
                         "load X into memory with X.compute()")
    lo, hi, mean = column_stats(X)
    constant = np.flatnonzero(hi == lo)
    if constant.size:
        raise ValueError(
            f"X has constant columns {constant.tolist()[:10]}: a Gaussian cluster model "
            "needs variation in every feature; drop those columns")
    check_squares_finite(X, lo, hi, mean)
    init_array = None
    if not isinstance(estimator.init, str):
        host = on_host(np.asarray(estimator.init), where="ILASDP.fit")
        init_array = estimator._init_array(n, K, host)
    reason = ("solver='sketch' was requested" if estimator.solver == "sketch" else
              "solver='auto' chose 'sketch' (X is a dask array)")
    rng = check_rng(estimator.random_state)
    estimator.solver_ = "sketch"
    if estimator.verbose:
        logger.info("ILASDP: %s", reason)
    return estimator._fit_sketch(X, K, rng, reason, time.perf_counter(), init_array)
