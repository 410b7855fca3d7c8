"""Gaussian families: the multivariate normal (mean and covariance free) and independent
normals, with the algebra of their quadratic sufficient statistic.

A coefficient vector ``u`` of the statistic ``t = (x, x_i x_j for i <= j)`` is written as a
pair ``(a, B)`` with ``u . t = a . x + x' B x`` (``B`` symmetric); cumulants of ``t`` under
``N(0, I)`` are then traces of products of the ``B``'s, and any other member of the family
is reached by an affine map (:meth:`_MVN._standard_map`).
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import on_host
from ..utils import check_array, check_scalar_in
from ..utils._numerics import cholesky, gaussian_log_density, precision_cholesky
from ._core import _spd_inverse
from ._expfam import _vector
from ._families import _Named


def _pairs(d):
    return np.triu_indices(d)


def _u_to_aB(U, d):
    """Coefficient vectors u (m, p) -> (a (m, d), B (m, d, d)) with u.t = a.x + x'Bx."""
    U = np.atleast_2d(U)
    m = U.shape[0]
    iu, ju = _pairs(d)
    a = U[:, :d]
    B = np.zeros((m, d, d))
    q = U[:, d:]
    diag = iu == ju
    B[:, iu, ju] = np.where(diag, q, q / 2.0)
    B[:, ju, iu] = B[:, iu, ju]
    return a, B


def _aB_to_u(a, B, d):
    iu, ju = _pairs(d)
    q = np.where(iu == ju, B[:, iu, ju], 2.0 * B[:, iu, ju])
    return np.concatenate([a, q], axis=1)


def _standard_normal_tensors(d):
    """Cumulants (G, psi3, psi4) of t = (z, z_i z_j) under N(0, I), coordinates of _u_to_aB."""
    p = d * (d + 3) // 2
    a, B = _u_to_aB(np.eye(p), d)
    es = lambda s, *o: np.einsum(s, *o, optimize=True)  # noqa: E731
    G = a @ a.T + 2.0 * es("iab,jba->ij", B, B)
    BB = es("iab,jbc->ijac", B, B)                       # B_i B_j
    tr3 = es("ijab,kba->ijk", BB, B)                     # tr(B_i B_j B_k)
    aBa = es("ia,kab,jb->ijk", a, B, a)                  # a_i' B_k a_j
    psi3 = 4.0 * (tr3 + tr3.transpose(0, 2, 1)) + 2.0 * (
        aBa + aBa.transpose(0, 2, 1) + aBa.transpose(2, 0, 1))
    tr4 = es("ijab,klba->ijkl", BB, BB)                  # tr(B_i B_j B_k B_l)
    S2 = es("ia,klab,jb->ijkl", a, BB, a)                # a_i' B_k B_l a_j
    S = S2 + S2.transpose(0, 1, 3, 2)                    # a_i'(B_kB_l + B_lB_k)a_j: sym in (k,l)
    apart = (S + S.transpose(0, 2, 1, 3) + S.transpose(0, 2, 3, 1)
             + S.transpose(2, 0, 1, 3) + S.transpose(2, 0, 3, 1) + S.transpose(2, 3, 0, 1))
    psi4 = 16.0 * (tr4 + tr4.transpose(0, 1, 3, 2) + tr4.transpose(0, 2, 1, 3)) + 4.0 * apart
    return G, psi3, psi4


def mvn_correct_c2(d):
    """Parameter-free correct-model c2 of the d-variate Gaussian: d(10d^2+51d+61)/24."""
    return d * (10 * d * d + 51 * d + 61) / 24.0


_NO_MLE = ("the Gaussian MLE does not exist: the sample covariance is singular "
           "(need n_samples > d and no collinear columns)")


def gaussian_max_loglik(X):
    """Log-likelihood of the Gaussian MLE on validated ``X`` of shape (n, d).

    ``-n/2 (d log(2 pi) + log det S + d)``, with ``log det S`` from the Cholesky factor of
    the correlation matrix plus the log variances, so that columns in very different units
    (a condition number of ``S`` far beyond 1e9) lose no digits.
    """
    n, d = X.shape
    Xc = X - X.mean(axis=0)
    var = np.mean(Xc * Xc, axis=0)
    if np.any(var <= 0):
        raise ValueError(_NO_MLE)
    Z = Xc / np.sqrt(var)
    R = Z.T @ Z / n
    try:
        L, _ = cholesky(R, name="correlation", jitter=0.0)
    except np.linalg.LinAlgError:
        raise ValueError(_NO_MLE) from None
    logdet = 2.0 * float(np.sum(np.log(np.diag(L)))) + float(np.sum(np.log(var)))
    return -0.5 * n * (d * math.log(2 * math.pi) + logdet + d)


def _scaled_spd_inverse(A, name, what):
    """Inverse of a covariance (or precision) through its diagonally scaled version.

    ``A = D C D`` with ``D = diag(A)^(1/2)``; ``C`` has a unit diagonal, so whether ``A``
    counts as singular no longer depends on the units of the variables.
    """
    d = np.diag(A)
    if not np.all(d > 0):
        raise ValueError(f"{name} ({what}) must be symmetric positive definite; its "
                         "diagonal is not positive")
    s = np.sqrt(d)
    return _spd_inverse(A / np.outer(s, s), name, what) / np.outer(s, s)


class _MVN(_Named):
    """Multivariate normal, mean and covariance free; t = (x, x_i x_j for i <= j)."""

    _DENSE_MAX_D = 6

    def __init__(self, d=None):
        if d is not None:
            d = check_scalar_in(d, "d", low=1, integer=True)
        super().__init__("normal" if d == 1 else "mvn", None if d is None else d * (d + 3) // 2)
        self.d = d

    # ------------------------------------------------------------ parameter maps
    def to_natural(self, mu, cov):
        """Natural parameter of ``N(mu, cov)``.

        Parameters
        ----------
        mu : array of shape (d,)
            Mean.
        cov : array of shape (d, d)
            Covariance (symmetric positive definite).

        Returns
        -------
        array of shape (p,)
            ``theta = (P mu, -P_ii / 2, -P_ij for i < j)`` with ``P = cov^-1``.
        """
        d = self._need_d()
        host = on_host(mu, cov, where="ExponentialFamily.to_natural")
        mu = _vector(host.to_numpy(mu), "mu", d)
        cov = check_array(host.to_numpy(cov), "cov", ndim=2)
        if cov.shape != (d, d):
            raise ValueError(f"cov must have shape {(d, d)} (got {cov.shape})")
        return host.from_numpy(self._to_natural(mu, cov))

    def from_natural(self, theta):
        """``(mu, cov)`` of the natural parameter ``theta``.

        Parameters
        ----------
        theta : array of shape (p,)
            Natural parameter.

        Returns
        -------
        mu : array of shape (d,)
            Mean.
        cov : array of shape (d, d)
            Covariance.
        """
        host = on_host(theta, where="ExponentialFamily.from_natural")
        return host.from_numpy(self._from_natural(self._check_theta(host.to_numpy(theta))))

    def _to_natural(self, mu, cov):
        d = self.d
        P = _scaled_spd_inverse(cov, "cov", "covariance")
        iu, ju = _pairs(d)
        q = np.where(iu == ju, -0.5 * P[iu, ju], -P[iu, ju])
        return np.concatenate([P @ mu, q])

    def _from_natural(self, theta):
        d = self.d
        iu, ju = _pairs(d)
        P = np.zeros((d, d))
        q = theta[d:]
        P[iu, ju] = np.where(iu == ju, -2.0 * q, -q)
        P[ju, iu] = P[iu, ju]
        cov = _scaled_spd_inverse(P, "theta", "-2 x its quadratic part, a precision matrix")
        return cov @ theta[:d], cov

    # ------------------------------------------------------------ family methods
    def _bind(self, n_features):
        if self.d is None:
            return _MVN(n_features)
        if n_features != self.d:
            raise ValueError(f"the mvn family has d={self.d} but the data have {n_features} "
                             "columns")
        return self

    def _need_d(self):
        if self.d is None:
            raise ValueError("the mvn family's dimension d is unknown: pass d= or fit data")
        return self.d

    def _check_theta(self, theta, name="theta"):
        self._need_d()
        return super()._check_theta(theta, name)

    def _stat(self, X):
        fam = self._bind(X.shape[1])
        iu, ju = _pairs(fam.d)
        return np.concatenate([X, X[:, iu] * X[:, ju]], axis=1)

    def _in_domain(self, theta):
        try:
            self._from_natural(theta)
            return True
        except ValueError:
            return False

    def _psi(self, theta):
        mu, cov = self._from_natural(theta)
        _, logdet = np.linalg.slogdet(cov)
        return float(0.5 * mu @ np.linalg.solve(cov, mu) + 0.5 * logdet)

    def _mean(self, theta):
        mu, cov = self._from_natural(theta)
        iu, ju = _pairs(self.d)
        return np.concatenate([mu, cov[iu, ju] + mu[iu] * mu[ju]])

    def _standard_map(self, mu, cov):
        """Matrix Mmap with u' = Mmap u: coefficients in standardised coordinates z."""
        d = self.d
        L, _ = cholesky(cov, name="covariance", jitter=0.0)
        a, B = _u_to_aB(np.eye(self._p), d)
        a2 = np.einsum("ab,ia->ib", L, a + 2.0 * B @ mu)          # L'(a + 2 B mu)
        B2 = np.einsum("ab,iac,cd->ibd", L, B, L)                 # L' B L
        return _aB_to_u(a2, B2, d).T                               # (p', p)

    def _cumulants(self, theta):
        d = self.d
        if d > self._DENSE_MAX_D:
            raise ValueError(f"dense cumulant tensors of the mvn family are limited to "
                             f"d <= {self._DENSE_MAX_D} (p^4 memory); PNCriterion uses a "
                             f"contracted fast path for larger d")
        mu, cov = self._from_natural(theta)
        G0, p30, p40 = _standard_normal_tensors(d)
        Mm = self._standard_map(mu, cov)
        es = lambda s, *o: np.einsum(s, *o, optimize=True)  # noqa: E731
        G = Mm.T @ G0 @ Mm
        psi3 = es("abc,ai,bj,ck->ijk", p30, Mm, Mm, Mm)
        psi4 = es("abcd,ai,bj,ck,dl->ijkl", p40, Mm, Mm, Mm, Mm)
        return G, psi3, psi4

    def _natural_from_mean(self, eta, **kw):
        d = self._need_d()
        mu = eta[:d]
        iu, ju = _pairs(d)
        S = np.zeros((d, d))
        S[iu, ju] = eta[d:] - mu[iu] * mu[ju]
        S[ju, iu] = S[iu, ju]
        try:
            return self._to_natural(mu, S)
        except ValueError:
            raise ValueError(_NO_MLE) from None

    def _fit(self, X):
        fam = self._bind(X.shape[1])
        mu = X.mean(axis=0)
        S = (X - mu).T @ (X - mu) / X.shape[0]
        try:
            return fam._to_natural(mu, S)
        except ValueError:
            raise ValueError(_NO_MLE) from None

    def _kl(self, theta_star, theta):
        m0, S0 = self._from_natural(theta_star)
        m1, S1 = self._from_natural(theta)
        S1i = np.linalg.inv(S1)
        diff = m1 - m0
        return float(0.5 * (np.trace(S1i @ S0) + diff @ S1i @ diff - self.d
                            + np.linalg.slogdet(S1)[1] - np.linalg.slogdet(S0)[1]))

    def _logpdf(self, theta, X):
        mu, cov = self._from_natural(theta)
        if X.shape[1] != self.d:
            raise ValueError(f"the mvn family has d={self.d} but the data have {X.shape[1]} "
                             "columns")
        # centred and standardised first: the shared density then sees the correlation
        # matrix, whose condition does not depend on the units of the columns
        s = np.sqrt(np.diag(cov))
        R = cov / np.outer(s, s)
        return gaussian_log_density((X - mu) / s, np.zeros((1, self.d)),
                                    precision_cholesky(R[None]), "full")[:, 0] \
            - float(np.sum(np.log(s)))

    def _batch_kl(self, theta_star, Tbar):
        d = self.d
        m0, S0 = self._from_natural(theta_star)
        r = Tbar.shape[0]
        mu = Tbar[:, :d]
        iu, ju = _pairs(d)
        S = np.zeros((r, d, d))
        S[:, iu, ju] = Tbar[:, d:] - mu[:, iu] * mu[:, ju]
        S[:, ju, iu] = S[:, iu, ju]
        sign, logdet = np.linalg.slogdet(S)
        ok = sign > 0
        out = np.full(r, np.inf)
        if ok.any():
            Si = np.linalg.inv(S[ok])
            diff = mu[ok] - m0
            quad = np.einsum("ra,rab,rb->r", diff, Si, diff)
            tr = np.einsum("rab,ba->r", Si, S0)
            out[ok] = 0.5 * (tr + quad - d + logdet[ok] - np.linalg.slogdet(S0)[1])
        return out

    def _sample(self, theta, size, rng):
        mu, cov = self._from_natural(theta)
        L, _ = cholesky(cov, name="covariance", jitter=0.0)
        return mu + rng.standard_normal((size, self.d)) @ L.T


class _IndepNormal(_Named):
    """d independent normals with free means and variances; t = (x_1, x_1^2, x_2, ...)."""

    def __init__(self, d=None):
        if d is not None:
            d = check_scalar_in(d, "d", low=1, integer=True)
        super().__init__("independent_normal", None if d is None else 2 * d)
        self.d = d

    def _bind(self, n_features):
        if self.d is None:
            return _IndepNormal(n_features)
        if n_features != self.d:
            raise ValueError(f"the family has d={self.d} but the data have {n_features} columns")
        return self

    def _moments(self, theta):
        """Means and variances of the blocks of ``theta``."""
        b = theta.reshape(-1, 2)
        var = -0.5 / b[:, 1]
        return b[:, 0] * var, var

    def _stat(self, X):
        if self.d is not None and X.shape[1] != self.d:
            raise ValueError(f"the family has d={self.d} but the data have {X.shape[1]} columns")
        return np.stack([X, X * X], axis=2).reshape(X.shape[0], -1)

    def _psi(self, theta):
        mu, var = self._moments(theta)
        return float(np.sum(0.5 * mu**2 / var + 0.5 * np.log(var)))

    def _in_domain(self, theta):
        b = np.asarray(theta, float).reshape(-1, 2) if np.size(theta) % 2 == 0 else None
        return b is not None and bool(np.all(b[:, 1] < 0) and np.all(np.isfinite(b)))

    def _mean(self, theta):
        mu, var = self._moments(theta)
        return np.stack([mu, var + mu**2], axis=1).reshape(-1)

    def _cumulants(self, theta):
        p = theta.shape[0]
        uni = _MVN(1)
        G, p3, p4 = np.zeros((p, p)), np.zeros((p,) * 3), np.zeros((p,) * 4)
        for j, b in enumerate(theta.reshape(-1, 2)):
            g, c3, c4 = uni._cumulants(b)
            s = slice(2 * j, 2 * j + 2)
            G[s, s], p3[s, s, s], p4[s, s, s, s] = g, c3, c4
        return G, p3, p4

    def _natural_from_mean(self, eta, **kw):
        eta = eta.reshape(-1, 2)
        var = eta[:, 1] - eta[:, 0] ** 2
        if np.any(var <= 0):
            raise ValueError("the normal MLE does not exist: a column has zero variance")
        return np.stack([eta[:, 0] / var, -0.5 / var], axis=1).reshape(-1)

    def _fit(self, X):
        fam = self._bind(X.shape[1])
        return fam._natural_from_mean(fam._stat(X).mean(axis=0))

    def _kl(self, theta_star, theta):
        m0, v0 = self._moments(theta_star)
        m1, v1 = self._moments(theta)
        return float(np.sum(0.5 * (v0 / v1 + (m1 - m0) ** 2 / v1 - 1.0 + np.log(v1 / v0))))

    def _batch_kl(self, theta_star, Tbar):
        m0, v0 = self._moments(theta_star)
        Tb = Tbar.reshape(Tbar.shape[0], -1, 2)
        m1 = Tb[:, :, 0]
        v1 = Tb[:, :, 1] - m1**2
        with np.errstate(all="ignore"):
            kl = 0.5 * (v0 / v1 + (m1 - m0) ** 2 / v1 - 1.0 + np.log(v1 / v0))
        kl = kl.sum(axis=1)
        return np.where(np.all(v1 > 0, axis=1) & np.isfinite(kl), kl, np.inf)

    def _logpdf(self, theta, X):
        mu, var = self._moments(theta)
        if X.shape[1] != mu.shape[0]:
            raise ValueError(f"the family has d={mu.shape[0]} but the data have {X.shape[1]} "
                             "columns")
        return gaussian_log_density(X - mu, np.zeros((1, mu.shape[0])),
                                    (1.0 / np.sqrt(var))[None], "diag")[:, 0]

    def _sample(self, theta, size, rng):
        mu, var = self._moments(theta)
        return mu + np.sqrt(var) * rng.standard_normal((size, mu.shape[0]))
