"""Numerical building blocks written once for all of probstat.

The Gaussian log-density, a Cholesky factorisation that adds jitter before giving up,
log-sum-exp on NumPy and on any array-API namespace, the log base of information
measures, and a cheap switch to one BLAS thread.
"""

from __future__ import annotations

import contextlib
import math
import numbers

import numpy as np

from ..backend import get_namespace, is_numpy_namespace

#: Relative diagonal jitters tried in turn by :func:`cholesky` with ``jitter="auto"``.
JITTER_LEVELS = (0.0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4)


def log_base(base) -> float:
    """Natural log of an information measure's ``base`` (``None`` means nats).

    Every measure computes in nats and divides by ``log_base(base)``: 2 gives bits,
    ``math.e`` or ``None`` nats, 10 hartleys.

    Parameters
    ----------
    base : float or None
        A finite number > 0 other than 1, or None.

    Returns
    -------
    float
        ``ln(base)`` (1.0 for None).

    Raises
    ------
    TypeError
        If ``base`` is not a real number.
    ValueError
        If it is not finite, not positive or equal to 1.
    """
    if base is None:
        return 1.0
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, numbers.Real):
        raise TypeError(f"base must be a positive number other than 1 (got {base!r})")
    base = float(base)
    if not (math.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"base must be a finite positive number other than 1 (got {base!r})")
    return math.log(base)


def logsumexp(a, axis=None, *, keepdims=False, xp=None):
    """``log(sum(exp(a)))`` without overflow, on NumPy or any array-API namespace.

    The usual max shift, in the namespace of ``a`` (the same values as
    :func:`scipy.special.logsumexp`). Rows that are all ``-inf`` give ``-inf``.

    Parameters
    ----------
    a : array
        Input values.
    axis : int, optional
        Axis to reduce (all axes when None).
    keepdims : bool, default=False
        Keep the reduced axis with length one.
    xp : module, optional
        Namespace; default ``a``'s.

    Returns
    -------
    array
        The reduction (0-d for a full reduction).
    """
    xp = get_namespace(a) if xp is None else xp
    if is_numpy_namespace(xp):
        xp = np  # plain NumPy: scipy.special.logsumexp's dispatch costs 3-6x on small axes
    m = _finite_max(a, axis, xp)
    with np.errstate(divide="ignore"):  # a slice of -inf gives log(0) = -inf
        out = xp.log(xp.sum(xp.exp(a - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        out = xp.squeeze(out, axis=axis) if axis is not None else xp.reshape(out, ())
    return out


def log_normalize(a, axis=-1, *, xp=None):
    """Log-sum-exp along ``axis`` and the normalised ``exp(a - lse)``, in one ``exp`` pass.

    The E-step of a mixture and a classifier's ``predict_proba`` need both.

    Parameters
    ----------
    a : array
        Log-weights (``-inf`` allowed).
    axis : int, default=-1
        Axis to normalise along.
    xp : module, optional
        Namespace; default ``a``'s.

    Returns
    -------
    lse : array
        ``logsumexp(a, axis)`` (the axis removed).
    p : array
        ``exp(a - lse)``, summing to one along ``axis`` (NaN for an all ``-inf`` slice).
    """
    xp = get_namespace(a) if xp is None else xp
    if is_numpy_namespace(xp):
        xp = np
    m = _finite_max(a, axis, xp)
    e = xp.exp(a - m)
    total = xp.sum(e, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = e / total
        lse = xp.log(total) + m
    return xp.squeeze(lse, axis=axis), p


def _finite_max(a, axis, xp):
    """``max(a)`` along ``axis`` (kept), with 0 for slices whose max is not finite."""
    m = xp.max(a, axis=axis, keepdims=True)
    if not bool(xp.all(xp.isfinite(m))):
        m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    return m


def cholesky(A, *, name="matrix", jitter="auto", check_finite=True):
    """Lower Cholesky factor of a symmetric positive-definite matrix, jittered if needed.

    With ``jitter="auto"``, multiples ``0, 1e-12, ..., 1e-4`` of the mean diagonal are
    added in turn until the factorisation succeeds; a fixed number adds exactly that
    multiple. When the last level fails the error says what was tried.

    Parameters
    ----------
    A : ndarray of shape (n, n)
        Symmetric matrix (only the lower triangle is read).
    name : str, default="matrix"
        Name used in the error message.
    jitter : "auto" or float, default="auto"
        Relative diagonal jitter (in units of the mean diagonal).
    check_finite : bool, default=True
        Refuse NaN and inf first; loops whose matrices are finite by construction turn
        this O(n^2) pass off.

    Returns
    -------
    L : ndarray of shape (n, n)
        Lower triangular with ``L @ L.T = A + jitter_used * I``.
    jitter_used : float
        The absolute diagonal jitter that was added (0.0 when none was needed).

    Raises
    ------
    ValueError
        If ``A`` is not square or not finite.
    numpy.linalg.LinAlgError
        If ``A`` is not positive definite even with the largest jitter; the message
        names ``name`` and the jitter tried.
    """
    from scipy import linalg

    A = np.asarray(A, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"{name} must be a square matrix (got shape {A.shape})")
    if check_finite and not np.all(np.isfinite(A)):
        raise ValueError(f"{name} must be finite (found NaN or inf)")
    scale = float(np.mean(np.diag(A))) if A.size else 1.0
    scale = scale if scale > 0 else 1.0
    levels = JITTER_LEVELS if jitter == "auto" else (float(jitter),)
    eye = None
    for level in levels:
        try:
            if level == 0:
                Aj = A
            else:
                eye = np.eye(A.shape[0]) if eye is None else eye
                Aj = A + (level * scale) * eye
            return linalg.cholesky(Aj, lower=True, check_finite=False), level * scale
        except linalg.LinAlgError:
            continue
    raise np.linalg.LinAlgError(
        f"{name} is not positive definite, even with {levels[-1]:g} x its mean diagonal "
        "added (check for duplicated or collinear inputs, or regularise)"
    )


def precision_cholesky(covariances, *, name="covariance"):
    """Upper-triangular factors ``U`` with ``U U' = Sigma^{-1}``, per covariance matrix.

    This is scikit-learn's ``precisions_cholesky_`` parametrisation, which
    :func:`gaussian_log_density` takes.

    Parameters
    ----------
    covariances : ndarray of shape (n, n) or (k, n, n)
        Symmetric positive-definite matrices.
    name : str, default="covariance"
        Name used in the error message.

    Returns
    -------
    ndarray of the input's shape
        The factors.

    Raises
    ------
    ValueError
        If a matrix is not positive definite; the message names the component.
    """
    from scipy import linalg

    C = np.asarray(covariances, dtype=np.float64)
    single = C.ndim == 2
    C = C[None] if single else C
    out = np.empty_like(C)
    eye = np.eye(C.shape[-1])
    for k in range(C.shape[0]):
        try:
            L = linalg.cholesky(C[k], lower=True, check_finite=True)
        except (linalg.LinAlgError, ValueError):
            which = name if single else f"{name}[{k}]"
            raise ValueError(f"{which} is not positive definite (increase the regularisation "
                             "or check for duplicated or collinear samples)") from None
        out[k] = linalg.solve_triangular(L, eye, lower=True).T
    return out[0] if single else out


def gaussian_log_density(X, means, precisions_cholesky, covariance_type="full"):
    """``log N(x_i | mu_k, Sigma_k)`` for every point and component, shape (n, k).

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Points.
    means : ndarray of shape (k, d)
        Component means.
    precisions_cholesky : ndarray
        Factors of the precisions: shape (k, d, d) for ``"full"`` (as returned by
        :func:`precision_cholesky`), (k, d) for ``"diag"`` (``1 / sqrt(variances)``) and
        (k,) for ``"spherical"``.
    covariance_type : {"full", "diag", "spherical"}, default="full"
        The parametrisation of ``precisions_cholesky``.

    Returns
    -------
    ndarray of shape (n, k)
        Log-densities.
    """
    X = np.asarray(X, dtype=np.float64)
    means = np.asarray(means, dtype=np.float64)
    n, d = X.shape
    k = means.shape[0]
    P = np.asarray(precisions_cholesky, dtype=np.float64)
    if covariance_type == "full":
        log_det = np.sum(np.log(np.diagonal(P, axis1=1, axis2=2)), axis=1)
        maha = np.empty((n, k))
        for j in range(k):
            y = X @ P[j] - means[j] @ P[j]
            maha[:, j] = np.einsum("ij,ij->i", y, y)
    elif covariance_type == "diag":
        log_det = np.sum(np.log(P), axis=1)
        prec = P ** 2
        maha = ((X ** 2) @ prec.T - 2.0 * X @ (means * prec).T
                + np.sum(means ** 2 * prec, axis=1)[None, :])
        np.maximum(maha, 0.0, out=maha)
    elif covariance_type == "spherical":
        log_det = d * np.log(P)
        prec = P ** 2
        maha = ((X ** 2).sum(1)[:, None] - 2.0 * X @ means.T
                + (means ** 2).sum(1)[None, :]) * prec[None, :]
        np.maximum(maha, 0.0, out=maha)
    else:
        raise ValueError("covariance_type must be one of 'full', 'diag', 'spherical' "
                         f"(got {covariance_type!r})")
    return -0.5 * (d * math.log(2.0 * math.pi) + maha) + log_det


_CONTROLLER = None


def limit_blas_threads(limits=1):
    """Context manager limiting BLAS to ``limits`` threads (threadpoolctl).

    On small shared machines multi-threaded OpenBLAS is many times slower than one thread
    for the small factorisations and solves inside iterative algorithms. A cached
    :class:`threadpoolctl.ThreadpoolController` makes the switch cost about 0.2 ms instead
    of the 10 ms of a fresh ``threadpool_limits``.

    Parameters
    ----------
    limits : int, default=1
        Number of BLAS threads inside the block.

    Returns
    -------
    context manager
        Restores the previous limits on exit.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl is a dependency
            return contextlib.nullcontext()
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=limits, user_api="blas")
