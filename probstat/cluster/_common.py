"""Pieces shared by the SDP clusterers: validation, memberships, rounding, Gaussian rule."""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..backend import get_namespace, is_numpy_namespace, to_numpy, warn_host_fallback

_CVXPY_OPTIONS = {"cvxpy_solver", "eps", "max_iters"}
_BM_OPTIONS = {"rank", "max_iter", "max_inner", "tol", "feas_tol", "beta"}


def misclustering_error(labels_true, labels_pred):
    """Fraction of points in the wrong cluster, minimised over relabelings.

    The best matching of predicted to true cluster names is found with the Hungarian
    algorithm (:func:`scipy.optimize.linear_sum_assignment`), so the cost is polynomial in
    the number of clusters (the authors' MATLAB ``err_rate.m`` enumerates all ``K!``
    permutations, which gives the same number).

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
    labels_pred : array-like of shape (n_samples,)
        Any hashable labels; the two label sets may differ in size.

    Returns
    -------
    float
        In ``[0, 1]``; 0 means the two partitions are identical.

    Examples
    --------
    >>> from probstat.cluster import misclustering_error
    >>> misclustering_error([0, 0, 1, 1], [1, 1, 0, 0])
    0.0
    >>> misclustering_error([0, 0, 1, 1], [0, 1, 1, 1])
    0.25
    """
    a = np.asarray(to_numpy(labels_true)).ravel()
    b = np.asarray(to_numpy(labels_pred)).ravel()
    if a.shape != b.shape:
        raise ValueError(f"labels_true and labels_pred must have the same length "
                         f"(got {a.shape[0]} and {b.shape[0]})")
    if a.size == 0:
        raise ValueError("labels_true must not be empty")
    ua, ia = np.unique(a, return_inverse=True)
    ub, ib = np.unique(b, return_inverse=True)
    table = np.zeros((ua.size, ub.size))
    np.add.at(table, (ia, ib), 1.0)
    rows, cols = linear_sum_assignment(-table)
    return float(1.0 - table[rows, cols].sum() / a.size)


def check_n_clusters(n_clusters, n_samples):
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, numbers.Integral):
        raise TypeError(f"n_clusters must be an integer (got {n_clusters!r})")
    if n_clusters < 1:
        raise ValueError(f"n_clusters must be >= 1 (got {n_clusters})")
    if n_clusters > n_samples:
        raise ValueError(f"n_clusters must be <= n_samples (got n_clusters={n_clusters} > "
                         f"n_samples={n_samples})")
    return int(n_clusters)


def split_input(X, where):
    """Return (namespace, array as given) and warn once when it is not NumPy."""
    xp = get_namespace(X)
    if is_numpy_namespace(xp):
        return xp, None
    warn_host_fallback(where)
    return xp, X


def fit_on_host(estimator, X, where, attrs):
    """Validate ``X``, run ``estimator._fit_host(X_np, xp, X_in)`` and move ``attrs`` back.

    The SDP solvers run on NumPy; fitted arrays follow X's namespace and device.
    """
    from sklearn.utils.validation import validate_data

    xp, X_in = split_input(X, where)
    X_np = validate_data(estimator, X if X_in is None else to_numpy(X_in),
                         dtype=np.float64, ensure_min_samples=2)
    estimator._fit_host(X_np, xp, X_in)
    to_input_namespace(estimator, attrs, xp, X_in)
    return estimator


def to_input_namespace(estimator, names, xp, X_in):
    """Move fitted NumPy attributes to the namespace and device of the input ``X_in``."""
    from ..backend import device, move_to

    if X_in is None:
        return
    dev = device(X_in)
    for name in names:
        value = getattr(estimator, name, None)
        if isinstance(value, np.ndarray):
            setattr(estimator, name, move_to(value, xp=xp, device=dev))


def like_input(result, X):
    """Return the NumPy ``result`` in the namespace and device of ``X``."""
    from ..backend import device, move_to

    xp = get_namespace(X)
    if is_numpy_namespace(xp):
        return result
    return move_to(result, xp=xp, device=device(X))


def check_solver_options(options, solver):
    opts = {} if options is None else dict(options)
    if not isinstance(options, (dict, type(None))):
        raise TypeError(f"solver_options must be a dict or None (got {type(options).__name__})")
    allowed = _CVXPY_OPTIONS | _BM_OPTIONS
    unknown = set(opts) - allowed
    if unknown:
        raise ValueError(f"solver_options has unknown keys {sorted(unknown)}; allowed: "
                         f"{sorted(allowed)}")
    return opts


def cvxpy_kwargs(opts):
    return {k: opts[k] for k in _CVXPY_OPTIONS if k in opts}


def bm_kwargs(opts):
    return {k: opts[k] for k in _BM_OPTIONS - {"rank"} if k in opts}


class Memberships:
    """Membership matrices ``Z_1..Z_B`` stored densely (cvxpy) or as factors ``U_b``."""

    def __init__(self, Z=None, U=None):
        if (Z is None) == (U is None):
            raise ValueError("give exactly one of Z or U")
        self.Z, self.U = Z, U

    @property
    def n_blocks(self):
        return len(self.Z if self.Z is not None else self.U)

    def rowsums(self):
        """``(Z_b 1)`` for every block, as columns of an n x B NumPy array."""
        if self.Z is not None:
            return np.column_stack([Z.sum(axis=1) for Z in self.Z])
        return np.column_stack([to_numpy(U @ _colsum(U)) for U in self.U])

    def between(self, b, F):
        """``<F F', Z_b>`` = ``tr(F' Z_b F)``."""
        if self.Z is not None:
            return float(np.sum(F * (self.Z[b] @ F)))
        G = F.T @ self.U[b]
        return float(_sum(G * G))

    def scatter(self, b, X):
        """``X' Z_b X`` (p x p, NumPy)."""
        if self.Z is not None:
            return X.T @ self.Z[b] @ X
        G = to_numpy(X.T @ self.U[b])
        return G @ G.T

    def factor(self, b):
        """A NumPy factor ``U`` with ``Z_b ~= U U'`` (positive eigenvalues for dense Z)."""
        if self.U is not None:
            return to_numpy(self.U[b])
        vals, vecs = np.linalg.eigh(self.Z[b])
        keep = vals > 1e-10 * max(vals.max(), 1e-300)
        return vecs[:, keep] * np.sqrt(vals[keep])


def _colsum(U):
    xp = get_namespace(U)
    return xp.sum(U, axis=0)


def _sum(a):
    xp = get_namespace(a)
    return xp.sum(a)


def spectral_round(factor, n_clusters, seed):
    """Top-K left singular vectors of the factor (= eigenvectors of Z), then K-means."""
    from sklearn.cluster import KMeans

    u, s, _ = np.linalg.svd(factor, full_matrices=False)
    emb = u[:, :n_clusters]
    km = KMeans(n_clusters=n_clusters, n_init=10, random_state=seed).fit(emb)
    return km.labels_.astype(np.int64)


def threshold_round(factor, n_clusters):
    """Chen-Yang rounding: peel off ``{j : Z_ij > Z_ii / 2}`` greedily.

    The row with the largest diagonal among unassigned points seeds each cluster; after
    ``K`` clusters, points still unassigned join the cluster with the largest mean
    affinity. ``Z`` is never formed: ``Z_ij = <U_i, U_j>``.
    """
    n = factor.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    diag = np.sum(factor * factor, axis=1)
    for k in range(n_clusters):
        free = labels < 0
        if not free.any():
            break
        i = int(np.flatnonzero(free)[np.argmax(diag[free])])
        row = factor @ factor[i]
        members = free & (row > diag[i] / 2.0)
        members[i] = True
        labels[members] = k
    free = labels < 0
    if free.any():
        used = np.unique(labels[~free])
        centroids = np.stack([factor[labels == k].mean(axis=0) for k in used])
        labels[free] = used[np.argmax(factor[free] @ centroids.T, axis=1)]
    # Make the labels consecutive (a peel can leave a name unused).
    _, labels = np.unique(labels, return_inverse=True)
    return labels.astype(np.int64)


def gaussian_log_density(X, means, precisions_cholesky):
    """``log N(x_i; mu_k, Sigma_k)`` for every point and cluster (n x K)."""
    n, p = X.shape
    out = np.empty((n, means.shape[0]))
    for k, (mu, L) in enumerate(zip(means, precisions_cholesky)):
        y = (X - mu) @ L
        out[:, k] = (-0.5 * np.sum(y * y, axis=1) + np.sum(np.log(np.diag(L)))
                     - 0.5 * p * math.log(2 * math.pi))
    return out


def precision_cholesky(cov):
    """Upper-triangular ``L`` with ``L L' = Sigma^{-1}`` (as sklearn's precisions_cholesky_)."""
    from scipy.linalg import solve_triangular

    c = np.linalg.cholesky(cov)
    return solve_triangular(c, np.eye(cov.shape[0]), lower=True).T
