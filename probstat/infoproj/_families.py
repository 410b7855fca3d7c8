"""The named one-parameter families and the multinomial, in closed form.

Each overrides the private twins of :class:`~probstat.infoproj.ExponentialFamily`'s
methods (``_psi``, ``_mean``, ``_cumulants``, ...); the public methods, with their
validation and host round trip, are inherited.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.special

from ..utils import check_labels, check_scalar_in
from ..utils._numerics import logsumexp
from ._core import _weighted_cumulants
from ._expfam import ExponentialFamily


class _Named(ExponentialFamily):
    """Base of the closed-form families (no callables, analytic cumulants)."""

    def __init__(self, name, p):
        self.name = name
        self._p = p
        self._t = None
        self._log_h = None
        self._grid = None
        self._psi_fn = None
        self._psi_derivs = None
        self._mean_to_natural = None
        self._theta0 = None
        self.fd_step = 1e-3
        self.cumulant_method = "analytic"

    def _check_support(self, X):
        return X

    def _stat(self, X):
        X = self._check_support(X)
        if X.shape[1] != 1:
            raise ValueError(f"the {self.name} family needs data with one column "
                             f"(got {X.shape[1]})")
        return X.copy()

    def _psi(self, theta):
        return float(self._psi_vec(theta[None, :])[0])

    def _logpdf(self, theta, X):
        X = self._check_support(X)
        return self._logh(X) + self._stat(X) @ theta - self._psi(theta)


class _Univariate(_Named):
    """One-parameter families.

    Subclasses define ``_derivs(th)`` (the tuple ``psi', psi'', psi''', psi''''`` at a
    scalar), the vectorised ``_psi_vec`` and ``_nat_vec`` (rows of natural parameters and
    of means), ``_mean_ok`` (where the MLE exists) and ``_logh``.
    """

    def _mean(self, theta):
        return np.array([self._derivs(theta[0])[0]])

    def _cumulants(self, theta):
        d = self._derivs(theta[0])
        return (np.array([[d[1]]]), np.full((1, 1, 1), d[2]), np.full((1, 1, 1, 1), d[3]))

    def _in_domain(self, theta):
        return bool(np.all(np.isfinite(self._psi_vec(np.asarray(theta, float)[None, :]))))

    def _natural_from_mean(self, eta, **kw):
        if eta.shape != (1,) or not np.isfinite(eta[0]):
            raise ValueError("eta must be one finite number")
        return self._nat_vec(eta[None, :])[0]

    def _batch_kl(self, theta_star, Tbar):
        e = Tbar[:, 0]
        ok = self._mean_ok(e)
        th = np.full((e.shape[0], 1), np.nan)
        if ok.any():
            th[ok] = self._nat_vec(e[ok, None])
        psi_star, eta_star = self._psi(theta_star), self._mean(theta_star)[0]
        with np.errstate(all="ignore"):
            kl = self._psi_vec(th) - psi_star - (th[:, 0] - theta_star[0]) * eta_star
        return np.where(ok & np.isfinite(kl), kl, np.inf)


class _Poisson(_Univariate):
    def __init__(self):
        super().__init__("poisson", 1)

    def _check_support(self, X):
        if np.any(X < 0) or np.any(X != np.round(X)):
            raise ValueError("the poisson family needs non-negative integer counts")
        return X

    def _logh(self, X):
        return -scipy.special.gammaln(X[:, 0] + 1)

    def _psi_vec(self, th):
        with np.errstate(over="ignore"):
            return np.exp(th[:, 0])

    def _derivs(self, th):
        e = math.exp(th)
        return (e, e, e, e)

    def _mean_ok(self, e):
        return e > 0

    def _nat_vec(self, eta):
        if np.any(eta <= 0):
            raise ValueError("poisson MLE does not exist: the sample mean is 0 "
                             "(the MLE lies on the boundary)")
        return np.log(eta)

    def _sample(self, theta, size, rng):
        return rng.poisson(math.exp(theta[0]), size=(size, 1)).astype(float)


class _Bernoulli(_Univariate):
    def __init__(self):
        super().__init__("bernoulli", 1)

    def _check_support(self, X):
        if not np.all((X == 0) | (X == 1)):
            raise ValueError("the bernoulli family needs values 0 or 1")
        return X

    def _logh(self, X):
        return np.zeros(X.shape[0])

    def _psi_vec(self, th):
        return np.logaddexp(0.0, th[:, 0])

    def _derivs(self, th):
        m = scipy.special.expit(th)
        v = m * (1 - m)
        return (m, v, v * (1 - 2 * m), v * (1 - 6 * v))

    def _mean_ok(self, e):
        return (e > 0) & (e < 1)

    def _nat_vec(self, eta):
        if np.any(eta <= 0) or np.any(eta >= 1):
            raise ValueError("bernoulli MLE does not exist: the sample mean is 0 or 1 "
                             "(the MLE lies on the boundary)")
        return scipy.special.logit(eta)

    def _sample(self, theta, size, rng):
        m = scipy.special.expit(theta[0])
        return (rng.random((size, 1)) < m).astype(float)


class _GammaKnownShape(_Univariate):
    def __init__(self, shape, name="gamma_known_shape"):
        super().__init__(name, 1)
        self.shape = check_scalar_in(shape, "shape", low=0, low_inclusive=False)

    def _check_support(self, X):
        if np.any(X <= 0):
            raise ValueError(f"the {self.name} family needs positive values")
        return X

    def _logh(self, X):
        a = self.shape
        return (a - 1) * np.log(X[:, 0]) - scipy.special.gammaln(a)

    def _psi_vec(self, th):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(th[:, 0] < 0, -self.shape * np.log(np.abs(th[:, 0])), np.inf)

    def _derivs(self, th):
        if not th < 0:
            raise ValueError(f"theta = -rate must be < 0 (got {th})")
        a = self.shape
        return (-a / th, a / th**2, -2 * a / th**3, 6 * a / th**4)

    def _mean_ok(self, e):
        return e > 0

    def _nat_vec(self, eta):
        if np.any(eta <= 0):
            raise ValueError(f"the {self.name} MLE does not exist: the sample mean must be > 0")
        return -self.shape / eta

    def _sample(self, theta, size, rng):
        return rng.gamma(self.shape, -1.0 / theta[0], size=(size, 1))


class _NormalKnownVar(_Univariate):
    def __init__(self, variance):
        super().__init__("normal_known_var", 1)
        self.variance = check_scalar_in(variance, "variance", low=0, low_inclusive=False)

    def _logh(self, X):
        s2 = self.variance
        return -X[:, 0] ** 2 / (2 * s2) - 0.5 * math.log(2 * math.pi * s2)

    def _psi_vec(self, th):
        with np.errstate(over="ignore"):
            return 0.5 * self.variance * th[:, 0] ** 2

    def _derivs(self, th):
        return (self.variance * th, self.variance, 0.0, 0.0)

    def _mean_ok(self, e):
        return np.isfinite(e)

    def _nat_vec(self, eta):
        return eta / self.variance

    def _sample(self, theta, size, rng):
        mu = self.variance * theta[0]
        return rng.normal(mu, math.sqrt(self.variance), size=(size, 1))


class _Multinomial(_Named):
    """One categorical draw per row (labels 0..k-1); t = one-hot without the last cell."""

    def __init__(self, k):
        if k is not None:
            k = check_scalar_in(k, "k", low=2, integer=True)
        super().__init__("multinomial", None if k is None else k - 1)
        self.k = k

    def _labels(self, X):
        if X.shape[1] != 1:
            raise ValueError(f"the multinomial family needs one column of labels "
                             f"(got {X.shape[1]})")
        lab = check_labels(X[:, 0], "labels", n_labels=self.k)
        if self.k is None:
            self.k = max(2, int(lab.max()) + 1)
            self._p = self.k - 1
        return lab

    def _stat(self, X):
        lab = self._labels(X)
        T = np.zeros((lab.shape[0], self.k - 1))
        rows = np.nonzero(lab < self.k - 1)[0]
        T[rows, lab[rows]] = 1.0
        return T

    def _probs(self, theta):
        z = np.concatenate([theta, [0.0]])
        return np.exp(z - logsumexp(z))

    def _psi(self, theta):
        return float(logsumexp(np.concatenate([theta, [0.0]])))

    def _in_domain(self, theta):
        return bool(np.all(np.isfinite(theta)))

    def _mean(self, theta):
        return self._probs(theta)[:-1]

    def _cumulants(self, theta):
        pi = self._probs(theta)
        T = np.vstack([np.eye(self.k - 1), np.zeros(self.k - 1)])
        return _weighted_cumulants(T, pi, 4, np)[1:]

    def _natural_from_mean(self, eta, **kw):
        last = 1.0 - eta.sum()
        if np.any(eta <= 0) or last <= 0:
            raise ValueError("multinomial MLE does not exist: some category was never "
                             "observed (the MLE lies on the boundary)")
        return np.log(eta / last)

    def _logpdf(self, theta, X):
        return np.log(self._probs(theta)[self._labels(X)])

    def _sample(self, theta, size, rng):
        return rng.choice(self.k, size=(size, 1), p=self._probs(theta)).astype(float)
