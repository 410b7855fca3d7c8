"""Pieces shared by the SDP clusterers: input checks, solver choice, memberships, rounding."""

from __future__ import annotations

import logging
import numbers

import numpy as np

from ..utils import check_option, check_scalar_in

#: Messages of ``verbose`` fits (the solver choice, the low-rank solver's progress).
logger = logging.getLogger("probstat.cluster")

_CVXPY_OPTIONS = {"cvxpy_solver", "eps", "max_iters"}
_BM_OPTIONS = {"rank", "max_iter", "max_inner", "tol", "feas_tol", "beta"}
#: Options of the optimality certificate and of what follows a failed one.
_CERT_OPTIONS = {"certify_tol", "max_rank"}
#: Rules of the solver options: (integer, low, low_inclusive).
_OPTION_RULES = {
    "eps": (False, 0.0, False),
    "max_iters": (True, 1, True),
    "rank": (True, 1, True),
    "max_iter": (True, 1, True),
    "max_inner": (True, 1, True),
    "tol": (False, 0.0, True),
    "feas_tol": (False, 0.0, False),
    "beta": (False, 0.0, False),
    "certify_tol": (False, 0.0, False),
    "max_rank": (True, 1, True),
}
#: ``solver="sketch"`` solves on this many points unless ``subsample_size`` says otherwise.
DEFAULT_SKETCH = 1000


# --------------------------------------------------------------------------- the data


def check_X(estimator, X, *, reset):
    """``X`` (host data) as a C-contiguous float64 matrix with at least 2 rows in ``fit``."""
    from ..utils._estimator_data import validate_estimator_data

    return validate_estimator_data(estimator, X, reset=reset, dtype=np.float64, order="C",
                                   ensure_min_samples=2 if reset else 1)


def check_n_clusters(n_clusters, n_samples):
    """``n_clusters`` (already an int >= 1 by the constraints) against the data."""
    if n_clusters > n_samples:
        raise ValueError(f"n_clusters must be <= n_samples (got n_clusters={n_clusters} > "
                         f"n_samples={n_samples})")
    return int(n_clusters)


def check_squares_finite(Xc):
    """Refuse centred data whose squared distances overflow float64 (the SDP costs)."""
    with np.errstate(over="ignore"):
        total = float(np.sum(Xc * Xc)) * Xc.shape[0]
    if not np.isfinite(total):
        raise ValueError(f"X is too large in magnitude (largest centred entry "
                         f"{float(np.max(np.abs(Xc))):.3g}): squared distances overflow "
                         "float64; rescale X")


def check_cluster_labels(labels, name, *, n_samples=None):
    """Cluster labels of any hashable kind (ints, strings, ...) as a 1-D NumPy array.

    ``None``, NaN, inf, complex numbers and unhashable objects are refused by ``name``;
    integer and float labels are kept as they are (``1`` and ``1.0`` are the same label).
    """
    from ..backend import to_numpy

    if labels is None:
        raise TypeError(f"{name} must be an array of labels (got None)")
    if isinstance(labels, (str, bytes)):
        raise TypeError(f"{name} must be an array of labels, not a single string "
                        f"(got {labels!r:.60})")
    try:
        arr = np.asarray(to_numpy(labels) if hasattr(labels, "__array_namespace__")
                         else labels)
    except ValueError as exc:
        raise ValueError(f"{name} must be a 1-D array of labels; nested sequences of "
                         f"different lengths are not ({exc})") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (got {arr.ndim}-D, shape {arr.shape})")
    if n_samples is not None and arr.shape[0] != n_samples:
        raise ValueError(f"{name} must have one label per sample ({n_samples}) "
                         f"(got {arr.shape[0]})")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty")
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} must not hold complex numbers (got dtype {arr.dtype})")
    if kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must not contain NaN or inf")
    if kind == "O":
        for value in arr:
            if value is None:
                raise TypeError(f"{name} must not contain None")
            if isinstance(value, (complex, np.complexfloating)):
                raise TypeError(f"{name} must not hold complex numbers (found {value!r})")
            if isinstance(value, numbers.Real) and not np.isfinite(float(value)):
                raise ValueError(f"{name} must not contain NaN or inf")
            try:
                hash(value)
            except TypeError:
                raise TypeError(f"{name} must hold hashable labels (found "
                                f"{type(value).__name__})") from None
    elif kind not in "biufUS":
        raise TypeError(f"{name} must hold labels (numbers or strings), got dtype "
                        f"{arr.dtype}")
    return arr


def encode_labels(arr):
    """``(number of distinct labels, codes 0..k-1)`` of a checked label array."""
    if arr.dtype.kind == "O":
        # Mixed types do not sort: number the labels in order of appearance.
        codes = {}
        inverse = np.fromiter((codes.setdefault(v, len(codes)) for v in arr.tolist()),
                              dtype=np.int64, count=arr.shape[0])
        return len(codes), inverse
    names, inverse = np.unique(arr, return_inverse=True)
    return names.size, inverse


# ------------------------------------------------------------------------- the solvers


def choose_solver(solver, n, cvxpy_max, bm_max):
    """The solver to run and the sentence saying why (``solver`` is already checked)."""
    if solver != "auto":
        return solver, f"solver={solver!r} was requested"
    if n <= cvxpy_max:
        return "cvxpy", f"solver='auto' chose 'cvxpy' (n_samples={n} <= {cvxpy_max})"
    if n <= bm_max:
        return "bm", f"solver='auto' chose 'bm' ({cvxpy_max} < n_samples={n} <= {bm_max})"
    return "sketch", f"solver='auto' chose 'sketch' (n_samples={n} > {bm_max})"


def sketch_size(subsample_size, n):
    """Points of the sketch: ``subsample_size`` (an int >= 2 or None) capped at ``n``."""
    return min(n, DEFAULT_SKETCH if subsample_size is None else int(subsample_size))


def check_solver_options(options):
    """``solver_options`` (a dict or None) with known keys and valid values."""
    opts = {} if options is None else dict(options)
    allowed = _CVXPY_OPTIONS | _BM_OPTIONS | _CERT_OPTIONS
    unknown = set(opts) - allowed
    if unknown:
        raise ValueError(f"solver_options has unknown keys {sorted(map(str, unknown))}; "
                         f"allowed: {sorted(allowed)}")
    for key, value in opts.items():
        name = f"solver_options[{key!r}]"
        if key == "cvxpy_solver":
            opts[key] = check_option(value.upper() if isinstance(value, str) else value, name,
                                     ("SCS", "CLARABEL"))
            continue
        integer, low, inclusive = _OPTION_RULES[key]
        opts[key] = check_scalar_in(value, name, low=low, low_inclusive=inclusive,
                                    integer=integer)
    return opts


def cvxpy_kwargs(opts):
    return {k: opts[k] for k in _CVXPY_OPTIONS if k in opts}


def bm_kwargs(opts):
    return {k: opts[k] for k in _BM_OPTIONS - {"rank"} if k in opts}


# ------------------------------------------------------------- memberships and rounding


class Memberships:
    """Membership matrices ``Z_1..Z_B`` stored densely (cvxpy) or as NumPy factors ``U_b``."""

    def __init__(self, Z=None, U=None):
        if (Z is None) == (U is None):
            raise ValueError("give exactly one of Z or U")
        self.Z, self.U = Z, U

    def rowsums(self):
        """``(Z_b 1)`` for every block, as columns of an n x B NumPy array."""
        if self.Z is not None:
            return np.column_stack([Z.sum(axis=1) for Z in self.Z])
        return np.column_stack([U @ U.sum(axis=0) for U in self.U])

    def between(self, b, F):
        """``<F F', Z_b>`` = ``tr(F' Z_b F)``."""
        if self.Z is not None:
            return float(np.sum(F * (self.Z[b] @ F)))
        G = F.T @ self.U[b]
        return float(np.sum(G * G))

    def scatter(self, b, X):
        """``X' Z_b X`` (p x p)."""
        if self.Z is not None:
            return X.T @ self.Z[b] @ X
        G = X.T @ self.U[b]
        return G @ G.T

    def factor(self, b):
        """A factor ``U`` with ``Z_b ~= U U'`` (positive eigenvalues for dense Z)."""
        if self.U is not None:
            return self.U[b]
        vals, vecs = np.linalg.eigh(self.Z[b])
        keep = vals > 1e-10 * max(vals.max(), 1e-300)
        return vecs[:, keep] * np.sqrt(vals[keep])

    def dense(self, b):
        """``Z_b`` as an n x n array."""
        if self.Z is not None:
            return self.Z[b]
        return self.U[b] @ self.U[b].T


def spectral_round(factor, n_clusters, seed):
    """Top-K left singular vectors of the factor (= eigenvectors of Z), then K-means."""
    from sklearn.cluster import KMeans

    u, _, _ = np.linalg.svd(factor, full_matrices=False)
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
