"""Stationary ARD covariance functions: RBF and Matern 1/2, 3/2, 5/2.

Every kernel here is ``k(x, x') = s2 * g(r)`` with ``r^2 = sum_i (x_i - x'_i)^2 / l_i^2``.
Derivatives are written through ``G(r) = -2 dg/d(r^2)``, which has no ``1/r`` for RBF,
Matern 3/2 and Matern 5/2:

- ``dk/dlog l_i = s2 G(r) (x_i - x'_i)^2 / l_i^2``
- ``dk/dx_i     = -s2 G(r) (x_i - x'_i) / l_i^2``
"""

from __future__ import annotations

import math

import numpy as np

_SQRT3 = math.sqrt(3.0)
_SQRT5 = math.sqrt(5.0)

KERNELS = ("rbf", "matern12", "matern32", "matern52")


def sq_dist(A, B, length_scale):
    """Scaled squared distances ``r^2`` between the rows of ``A`` and ``B``.

    Accumulated one dimension at a time from exact differences (no ``|a|^2 + |b|^2 - 2ab``
    cancellation, so coincident points give exactly 0).
    """
    As = A / length_scale
    Bs = B / length_scale
    r2 = np.zeros((As.shape[0], Bs.shape[0]))
    diff = np.empty_like(r2)
    for i in range(As.shape[1]):
        np.subtract(As[:, i, None], Bs[None, :, i], out=diff)
        diff *= diff
        r2 += diff
    return r2


def kernel_g_G(name, r2):
    """Return ``g(r)`` and ``G(r) = -2 dg/d(r^2)`` elementwise."""
    if name == "rbf":
        g = np.exp(-0.5 * r2)
        return g, g
    r = np.sqrt(r2)
    if name == "matern52":
        e = np.exp(-_SQRT5 * r)
        return (1.0 + _SQRT5 * r + (5.0 / 3.0) * r2) * e, (5.0 / 3.0) * (1.0 + _SQRT5 * r) * e
    if name == "matern32":
        e = np.exp(-_SQRT3 * r)
        return (1.0 + _SQRT3 * r) * e, 3.0 * e
    if name == "matern12":
        e = np.exp(-r)
        with np.errstate(divide="ignore", invalid="ignore"):
            G = np.where(r > 0, e / np.where(r > 0, r, 1.0), 0.0)
        return e, G
    raise ValueError(f"kernel must be one of {KERNELS} (got {name!r})")


def kernel_matrix(name, A, B, length_scale, signal_variance):
    """``s2 * g(r(A, B))``."""
    g, _ = kernel_g_G(name, sq_dist(A, B, length_scale))
    return signal_variance * g


def cholesky_lower_f(KT, refill, scale, jitter):
    """In-place lower Cholesky factor of the Fortran-ordered ``KT.T``, jittered as
    :func:`probstat.utils._numerics.cholesky` does (levels of ``scale``, the mean
    diagonal); ``refill(extra)`` rewrites ``KT`` with ``extra`` added to the diagonal."""
    from scipy import linalg

    from ..utils._numerics import JITTER_LEVELS

    levels = JITTER_LEVELS if jitter == "auto" else (float(jitter),)
    for k, level in enumerate(levels):
        if k or level:
            refill(level * scale)
        L, info = linalg.lapack.dpotrf(KT.T, lower=1, clean=0, overwrite_a=1)
        if info == 0:
            return L
        if info < 0:
            raise ValueError(f"dpotrf: illegal argument {-info}")
    raise np.linalg.LinAlgError(
        f"the kernel matrix is not positive definite, even with {levels[-1]:g} x its mean "
        "diagonal added")

