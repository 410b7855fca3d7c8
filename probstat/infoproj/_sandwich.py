"""Sandwich risk coefficients of the Gaussian model without p^3 / p^4 tensors.

The risk of the Gaussian MLE is affine invariant, so the data are first whitened by their
own mean and covariance; the model is then ``N(0, I)``, whose cumulants of the quadratic
statistic are multilinear forms of the coefficient pairs ``(a, B)`` of ``_mvn.py``, and every
contraction of :func:`~probstat.infoproj.risk_expansion_expfam` becomes a handful of
``d x d`` matrix products.
"""

from __future__ import annotations

import math

import numpy as np

from ..utils._numerics import cholesky, limit_blas_threads
from ._mvn import _pairs, _u_to_aB

#: Relative size of the smallest diagonal entry of the whitening factor below which the
#: sample covariance counts as singular.
_SINGULAR = 1e-10


def mvn_sandwich_coefficients(X, *, estimator="plugin", order=2):
    """Sandwich ``(c1, c2)`` of the Gaussian model on validated data ``X`` of shape (n, d).

    The linear algebra is many small products, where BLAS threads only add overhead (and
    slow down badly on a shared machine), so BLAS runs single-threaded here.
    """
    with limit_blas_threads(1):
        return _mvn_sandwich(X, estimator=estimator, order=order)


def _whiten(X):
    """Data whitened by their MLE mean and covariance, through a QR of the centred data.

    ``X - mean = Q R`` gives ``S = R'R / n``, so ``Z = sqrt(n) Q`` has mean 0 and identity
    covariance. Forming ``S`` and its Cholesky factor instead would square the condition
    number of the data (near-collinear columns lose ``cond(X)^2 eps`` instead of
    ``cond(X) eps``); the coefficients do not depend on which whitening is used.
    """
    n, d = X.shape
    Xc = X - X.mean(axis=0)
    sd = np.sqrt(np.mean(Xc * Xc, axis=0))
    if np.any(sd <= 0):
        raise ValueError("the Gaussian MLE does not exist: a column of X is constant")
    Xc = Xc / sd                      # affine invariance: units must not decide singularity
    if n <= d:
        raise ValueError("the Gaussian MLE does not exist: the sample covariance is "
                         f"singular (need n_samples > d; got {n} rows, {d} columns)")
    Q, R = np.linalg.qr(Xc)
    r = np.abs(np.diag(R))
    if r.min() <= _SINGULAR * r.max():
        raise ValueError("the Gaussian MLE does not exist: the sample covariance is "
                         "(numerically) singular (collinear columns?)")
    return math.sqrt(n) * Q


def _mvn_sandwich(X, *, estimator="plugin", order=2):
    n, d = X.shape
    Z = _whiten(X)
    iu, ju = _pairs(d)
    T = np.concatenate([Z, Z[:, iu] * Z[:, ju]], axis=1)
    R = T - T.mean(axis=0)
    g = np.concatenate([np.ones(d), np.where(iu == ju, 2.0, 1.0)])   # diag of G0
    Sig = R.T @ R / n
    f2 = n / (n - 1) if estimator == "kstat" else 1.0
    f3 = n**2 / ((n - 1) * (n - 2)) if estimator == "kstat" else 1.0
    Sig = Sig * f2
    c1 = 0.5 * float(np.sum(np.diag(Sig) / g))
    if order == 1:
        return c1, 0.0
    U = R / g
    a, B = _u_to_aB(U, d)
    B2 = B @ B
    cub = 8.0 * np.einsum("nab,nba->n", B2, B) + 6.0 * np.einsum("na,nab,nb->n", a, B, a)
    T1 = f3 * float(cub.mean())
    A = Sig / np.outer(g, g)
    lam, E = _factor(A)
    a, B = _u_to_aB(E.T, d)
    es = lambda s, *o: np.einsum(s, *o, optimize=True)  # noqa: E731
    Ba = es("mab,nb->mna", B, a)                       # B_m a_n
    Bm_am = np.einsum("mma->ma", Ba)
    B2 = B @ B
    x_v = 4.0 * es("m,ma->a", lam, Bm_am)
    X_v = 8.0 * es("m,mab->ab", lam, B2) + 2.0 * es("m,ma,mb->ab", lam, a, a)
    vGv = float(x_v @ x_v + 0.5 * np.sum(X_v * X_v))
    BB = es("mab,nbc->mnac", B, B)                     # B_m B_n
    trBB2 = es("mnab,mnba->mn", BB, BB)                # tr((B_m B_n)^2)
    del BB
    B2f = B2.reshape(B2.shape[0], -1)
    trB2B2 = B2f @ B2f.T                               # tr(B_m^2 B_n^2)
    Q = es("ma,nab,mb->mn", a, B2, a)                  # a_m' B_n^2 a_m
    BaBa = es("nma,mna->mn", Ba, Ba)                   # (B_n a_m) . (B_m a_n)
    cross = Bm_am @ Bm_am.T + BaBa                     # a_m'(B_m B_n + B_n B_m) a_n
    aa = a @ a.T
    sq = np.diag(aa)
    # psi3[e_m, e_n, .] is the covector (x, X) with x = 2(B_n a_m + B_m a_n) and
    # X = 4(B_m B_n + B_n B_m) + a_m a_n' + a_n a_m'; |x|^2 + tr(X^2)/2 expanded:
    x2 = 4.0 * (Q + Q.T + 2.0 * BaBa)
    trX2 = 32.0 * (trBB2 + trB2B2) + 16.0 * cross + 2.0 * aa**2 + 2.0 * np.outer(sq, sq)
    t33 = float(lam @ (x2 + 0.5 * trX2) @ lam)
    w4 = 16.0 * (2.0 * trB2B2 + trBB2) + 4.0 * (2.0 * Q + 2.0 * Q.T + 4.0 * cross)
    t4 = float(lam @ w4 @ lam)
    return c1, -T1 / 3.0 + 0.375 * (-t4 + 2.0 * t33 + vGv)


def _factor(A):
    """Any factorisation ``A = sum_m lam_m e_m e_m'`` of the covariance of the statistic.

    Cholesky when ``A`` is definite, an eigendecomposition when it is singular (``n <= p``
    or a collinear statistic).
    """
    try:
        E, _ = cholesky(A, name="A", jitter=0.0)
        if np.diag(E).min() > 1e-7 * np.diag(E).max():
            return np.ones(E.shape[1]), E
    except np.linalg.LinAlgError:
        pass
    lam, E = np.linalg.eigh(A)
    keep = lam > 1e-14 * max(lam.max(), 1e-300)
    return lam[keep], E[:, keep]
