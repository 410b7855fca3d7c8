"""A Gaussian process over pairs ``(x, z)`` with a product kernel ``k_x(x, x') k_z(z, z')``.

The surrogate behind multi-fidelity, multi-source, multi-task and environmental-condition
Bayesian optimisation. ``x`` lives in the unit cube (the optimizer's encoding); ``z`` is

- ``"continuous"``: a fidelity ``s`` or an environmental variable ``w`` (one or more
  columns), with a stationary ARD kernel ``k_z`` (RBF by default) and its own length
  scales; or, for a single fidelity column, the non-stationary *linear truncated*
  fidelity kernel (``z_kernel="linear_truncated"``, below);
- ``"index"``: a source or task index ``0 .. m-1`` with the intrinsic-coregionalisation
  model (ICM), ``k_z(i, j) = B_ij``, ``B = W W^T + diag(kappa)`` with ``W`` of rank
  ``rank`` (Bonilla, Chai and Williams 2008; Alvarez, Rosasco and Lawrence 2012, Section 4.2).

The linear truncated fidelity kernel (after the kernel Wu, Toscano-Palmerin, Frazier and
Wilson 2019 describe and BoTorch's ``LinearTruncatedFidelityKernel`` implements) writes
``f(x, s) = g(x) + (1 - t) b(x, t)`` with ``t = (s - low) / (high - low)`` in ``[0, 1]``
and independent GPs ``g`` (kernel ``s2 k_x(x, x'; l)``) and ``b`` (kernel
``s2 (1 + t t') k_x(x, x'; l_b)``), so that

    k((x, s), (x', s')) = s2 [k_x(x, x'; l) + (1 - t)(1 - t')(1 + t t') k_x(x, x'; l_b)].

It is positive semi-definite as a sum of products of positive semi-definite kernels
(``(1 - t)(1 - t')`` has rank one, ``1 + t t'`` is a constant plus a linear kernel). The
bias ``(1 - t) b`` vanishes at the target ``t = 1``, where ``f = g``, and grows toward
low fidelities; the bias gets its own (longer a priori) length scales ``l_b``. Unlike a
stationary ``k_z(s - s')``, the correlation between ``f(x, s)`` and the target depends on
``s`` itself, not only on ``|s - s'|``.

Hyperparameters are maximum a posteriori (log-normal priors as in
:class:`~probstat.bayesopt.GaussianProcess`) by multistart L-BFGS-B with finite-difference
gradients: the models here hold tens to a few hundred points and ten or so
hyperparameters. Private: the public entry points validate their inputs first.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg, optimize

from ..utils._numerics import cholesky
from ._covariance import kernel_matrix

_LOG_2PI = math.log(2.0 * math.pi)
_NOISE_PRIOR = (-10.0, 2.0)
#: Shift of the prior mean of the bias length scales (log scale) over the ``x`` ones:
#: the bias between fidelities is a priori smoother than the objective.
_BIAS_LS_SHIFT = 1.0


def icm_matrix(W, kappa):
    """The coregionalisation matrix ``B = W W^T + diag(kappa)``."""
    W = np.atleast_2d(np.asarray(W, dtype=float))
    return W @ W.T + np.diag(np.asarray(kappa, dtype=float))


def _unit_fidelity(z, z_range):
    lo, hi = z_range
    return np.clip((np.asarray(z, dtype=float).reshape(-1) - lo) / (hi - lo), 0.0, 1.0)


def truncated_factor(z1, z2, z_range=(0.0, 1.0)):
    """``(1 - t)(1 - t')(1 + t t')`` between the fidelities ``z1`` and ``z2`` (a matrix)."""
    t1, t2 = _unit_fidelity(z1, z_range), _unit_fidelity(z2, z_range)
    return np.outer(1.0 - t1, 1.0 - t2) * (1.0 + np.outer(t1, t2))


def product_kernel(X1, z1, X2, z2, *, kernel, length_scale, signal_variance, z_kind,
                   z_kernel="rbf", z_length_scale=None, B=None, bias_length_scale=None,
                   z_range=(0.0, 1.0)):
    """``s2 k_x(x, x') k_z(z, z')`` between the rows of ``(X1, z1)`` and ``(X2, z2)``.

    With ``z_kernel="linear_truncated"`` the linear truncated fidelity kernel of the
    module docstring instead (``z`` one column, rescaled by ``z_range``).
    """
    Kx = kernel_matrix(kernel, X1, X2, length_scale, signal_variance)
    if z_kernel == "linear_truncated" and z_kind != "index":
        return Kx + truncated_factor(z1, z2, z_range) * kernel_matrix(
            kernel, X1, X2, bias_length_scale, signal_variance)
    if z_kind == "index":
        return Kx * B[np.ix_(z1.astype(int), z2.astype(int))]
    return Kx * kernel_matrix(z_kernel, z1, z2, z_length_scale, 1.0)


class ProductGP:
    """GP regression on ``(X, z)`` with the product kernel; see the module docstring.

    Parameters
    ----------
    z_kind : {"continuous", "index"}
    kernel : str
        Kernel over ``x`` (one of ``probstat.bayesopt._covariance.KERNELS``).
    z_kernel : str
        Kernel over a continuous ``z``.
    n_index : int
        Number of sources or tasks (``z_kind="index"``).
    rank : int
        Rank of ``W`` in the ICM.
    noise : "auto" or float
        Noise variance in standardised units (``"auto"`` fits it).
    n_restarts : int
        Extra starts of the hyperparameter search, drawn from the priors.
    z_range : (float, float)
        ``(low, high)`` of the fidelity, for ``z_kernel="linear_truncated"`` (the target
        is ``high``).
    ls_prior, bias_ls_prior : (float, float) or None
        ``(mean, sd)`` of the normal prior on the log length scales over ``x`` (and, with
        the linear truncated kernel, on the log bias length scales); None: the
        dimension-scaled prior of :class:`~probstat.bayesopt.GaussianProcess` (bias: its
        mean shifted by ``_BIAS_LS_SHIFT``).
    """

    def __init__(self, z_kind="continuous", *, kernel="matern52", z_kernel="rbf", n_index=1,
                 rank=1, noise="auto", n_restarts=1, random_state=None, z_range=(0.0, 1.0),
                 ls_prior=None, bias_ls_prior=None):
        self.z_range = (float(z_range[0]), float(z_range[1]))
        self.ls_prior, self.bias_ls_prior = ls_prior, bias_ls_prior
        self.z_kind = z_kind
        self.kernel = kernel
        self.z_kernel = z_kernel
        self.n_index = n_index
        self.rank = rank
        self.noise = noise
        self.n_restarts = n_restarts
        self.rng = np.random.default_rng(random_state)

    # ----------------------------------------------------------------- parameters
    def _layout(self):
        d, q = self._d, self._q
        if self.z_kind == "index":
            m, r = self.n_index, self.rank
            sizes = {"ls": d, "W": m * r, "kappa": m}
        elif self._truncated:
            sizes = {"ls": d, "sv": 1, "bls": d}
        else:
            sizes = {"ls": d, "sv": 1, "zls": q}
        if self.noise == "auto":
            sizes["noise"] = 1
        out, start = {}, 0
        for k, n in sizes.items():
            out[k] = slice(start, start + n)
            start += n
        return out, start

    def _prior(self):
        """Means and standard deviations of the (normal) prior on the parameters."""
        lay, p = self._layout()
        mu, sd = np.zeros(p), np.ones(p)
        # Hvarfner et al.'s dimension-scaled prior, over all the inputs (x and z)
        mu_ls = math.sqrt(2.0) + 0.5 * math.log(self._d + self._q)
        mu[lay["ls"]], sd[lay["ls"]] = (mu_ls, math.sqrt(3.0)) if self.ls_prior is None \
            else self.ls_prior
        if self.z_kind == "index":
            mu[lay["W"]], sd[lay["W"]] = 0.0, 1.0
            mu[lay["kappa"]], sd[lay["kappa"]] = -2.0, 2.0
        elif self._truncated:
            mu[lay["sv"]], sd[lay["sv"]] = 0.0, 1.5
            mu[lay["bls"]], sd[lay["bls"]] = (
                (mu[lay["ls"]][0] + _BIAS_LS_SHIFT, sd[lay["ls"]][0])
                if self.bias_ls_prior is None else self.bias_ls_prior)
        else:
            mu[lay["sv"]], sd[lay["sv"]] = 0.0, 1.5
            mu[lay["zls"]], sd[lay["zls"]] = mu_ls, math.sqrt(3.0)
        if "noise" in lay:
            mu[lay["noise"]], sd[lay["noise"]] = _NOISE_PRIOR
        return mu, sd

    def _bounds(self):
        lay, p = self._layout()
        lo, hi = np.full(p, -np.inf), np.full(p, np.inf)
        lo[lay["ls"]], hi[lay["ls"]] = math.log(1e-3), math.log(1e3)
        if self.z_kind == "index":
            lo[lay["W"]], hi[lay["W"]] = -10.0, 10.0
            lo[lay["kappa"]], hi[lay["kappa"]] = math.log(1e-6), math.log(1e2)
        elif self._truncated:
            lo[lay["sv"]], hi[lay["sv"]] = math.log(1e-4), math.log(1e4)
            lo[lay["bls"]], hi[lay["bls"]] = math.log(1e-2), math.log(1e3)
        else:
            lo[lay["sv"]], hi[lay["sv"]] = math.log(1e-4), math.log(1e4)
            lo[lay["zls"]], hi[lay["zls"]] = math.log(1e-2), math.log(1e3)
        if "noise" in lay:
            lo[lay["noise"]], hi[lay["noise"]] = math.log(1e-6), math.log(10.0)
        return list(zip(lo, hi))

    def _unpack(self, theta):
        lay, _ = self._layout()
        hp = {"ls": np.exp(theta[lay["ls"]])}
        if self.z_kind == "index":
            W = theta[lay["W"]].reshape(self.n_index, self.rank)
            hp["B"] = icm_matrix(W, np.exp(theta[lay["kappa"]]))
            hp["sv"] = 1.0
        elif self._truncated:
            hp["sv"] = math.exp(theta[lay["sv"]][0])
            hp["bls"] = np.exp(theta[lay["bls"]])
        else:
            hp["sv"] = math.exp(theta[lay["sv"]][0])
            hp["zls"] = np.exp(theta[lay["zls"]])
        hp["noise"] = (math.exp(theta[lay["noise"]][0]) if "noise" in lay
                       else float(self.noise))
        return hp

    def _k(self, X1, z1, X2, z2, hp=None):
        hp = self.hp_ if hp is None else hp
        return product_kernel(X1, z1, X2, z2, kernel=self.kernel, length_scale=hp["ls"],
                              signal_variance=hp["sv"], z_kind=self.z_kind,
                              z_kernel=self.z_kernel, z_length_scale=hp.get("zls"),
                              B=hp.get("B"), bias_length_scale=hp.get("bls"),
                              z_range=self.z_range)

    def _k_diag(self, z, hp=None):
        hp = self.hp_ if hp is None else hp
        if self.z_kind == "index":
            return hp["sv"] * np.diag(hp["B"])[z.astype(int)]
        if self._truncated:
            t = _unit_fidelity(z, self.z_range)
            return hp["sv"] * (1.0 + (1.0 - t) ** 2 * (1.0 + t * t))
        return np.full(z.shape[0], hp["sv"])

    def k_same_x(self, z1, z2, hp=None):
        """Prior ``Cov(f(x, z1[i]), f(x, z2[i]))`` at a common ``x`` (elementwise, standardised)."""
        hp = self.hp_ if hp is None else hp
        n = z1.shape[0]
        if self.z_kind == "index":
            return hp["sv"] * hp["B"][z1.astype(int), z2.astype(int)]
        if self._truncated:
            t1 = _unit_fidelity(z1, self.z_range)
            t2 = _unit_fidelity(z2, self.z_range)
            return hp["sv"] * (1.0 + (1.0 - t1) * (1.0 - t2) * (1.0 + t1 * t2))
        from ._covariance import kernel_g_G

        r2 = np.sum(((z1.reshape(n, -1) - z2.reshape(n, -1)) / hp["zls"]) ** 2, axis=1)
        return hp["sv"] * kernel_g_G(self.z_kernel, r2)[0]

    @property
    def _truncated(self):
        return self.z_kind != "index" and self.z_kernel == "linear_truncated"

    # ----------------------------------------------------------------- fitting
    def _neg_log_post(self, theta):
        hp = self._unpack(theta)
        K = self._k(self._X, self._z, self._X, self._z, hp)
        K[np.diag_indices_from(K)] += hp["noise"]
        try:
            L = linalg.cholesky(K, lower=True, check_finite=False)
        except (np.linalg.LinAlgError, ValueError):
            return 1e25
        a = linalg.cho_solve((L, True), self._ys, check_finite=False)
        lml = -0.5 * self._ys @ a - np.log(np.diag(L)).sum() - 0.5 * len(a) * _LOG_2PI
        mu, sd = self._prior()
        z = (theta - mu) / sd
        return float(-(lml - 0.5 * z @ z))

    def fit(self, X, z, y, theta=None):
        """Fit on ``X`` (unit cube, (n, d)), ``z`` ((n,) or (n, q)) and ``y`` ((n,)).

        With ``theta`` the hyperparameters are kept fixed at it.
        """
        X = np.asarray(X, dtype=float)
        z = np.asarray(z, dtype=float)
        z = z.astype(int) if self.z_kind == "index" else z.reshape(z.shape[0], -1)
        y = np.asarray(y, dtype=float)
        self._X, self._z = X, z
        self._d = X.shape[1]
        self._q = 1 if self.z_kind == "index" else z.shape[1]
        self.y_mean_ = float(np.mean(y))
        std = float(np.std(y))
        self.y_std_ = std if std > 0 else 1.0
        self._y = y
        self._ys = (y - self.y_mean_) / self.y_std_
        if theta is None:
            mu, sd = self._prior()
            bounds = self._bounds()
            lo, hi = np.array(bounds).T
            starts = [self._default_start(mu)]
            starts += [np.clip(self.rng.normal(mu, sd), lo, hi) for _ in range(self.n_restarts)]
            if getattr(self, "theta_", None) is not None and self.theta_.shape == mu.shape:
                starts.append(self.theta_)
            best = None
            for t0 in starts:
                with np.errstate(over="ignore", invalid="ignore"):
                    res = optimize.minimize(self._neg_log_post, t0, method="L-BFGS-B",
                                            bounds=bounds, options={"maxiter": 150})
                if best is None or res.fun < best.fun:
                    best = res
            theta = best.x
        self._set(np.asarray(theta, dtype=float))
        return self

    def _default_start(self, mu):
        t = mu.copy()
        lay, _ = self._layout()
        if self.z_kind == "index":
            # strongly correlated sources to start with
            t[lay["W"]] = 1.0 / math.sqrt(self.rank)
        return t

    def _set(self, theta):
        self.theta_ = theta
        self.hp_ = hp = self._unpack(theta)
        K = self._k(self._X, self._z, self._X, self._z)
        K[np.diag_indices_from(K)] += hp["noise"]
        self.L_, self.jitter_ = cholesky(K, name="the product kernel matrix")
        self.alpha_ = linalg.cho_solve((self.L_, True), self._ys, check_finite=False)

    def condition_on(self, X_new, z_new, y_new):
        """A copy conditioned on new data, hyperparameters (and standardisation) fixed."""
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        z_new = np.asarray(z_new, dtype=float)
        z_new = (z_new.astype(int) if self.z_kind == "index"
                 else z_new.reshape(z_new.shape[0], -1))
        new._X = np.vstack([self._X, X_new])
        new._z = np.concatenate([self._z, z_new])
        new._y = np.concatenate([self._y, y_new])
        new._ys = (new._y - self.y_mean_) / self.y_std_
        new._set(self.theta_)
        return new

    # ----------------------------------------------------------------- prediction
    @property
    def noise_(self):
        """Noise variance in the units of ``y``."""
        return self.hp_["noise"] * self.y_std_**2

    def _z_arr(self, z, n):
        z = np.asarray(z, dtype=float)
        if z.ndim == 0:
            z = np.full(n, float(z))
        return z.astype(int) if self.z_kind == "index" else z.reshape(n, -1)

    def predict(self, X, z, return_std=False):
        """Posterior mean (and std) of the latent ``f(x, z)`` in the units of ``y``."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        z = self._z_arr(z, X.shape[0])
        Ks = self._k(X, z, self._X, self._z)
        mean = Ks @ self.alpha_ * self.y_std_ + self.y_mean_
        if not return_std:
            return mean
        v = linalg.solve_triangular(self.L_, Ks.T, lower=True, check_finite=False)
        var = np.maximum(self._k_diag(z) - np.einsum("ij,ij->j", v, v), 0.0)
        return mean, np.sqrt(var) * self.y_std_

    def posterior_cov(self, X1, z1, X2, z2):
        """Posterior covariance of ``f`` between two sets of points (units of ``y^2``)."""
        X1 = np.atleast_2d(np.asarray(X1, dtype=float))
        X2 = np.atleast_2d(np.asarray(X2, dtype=float))
        z1, z2 = self._z_arr(z1, X1.shape[0]), self._z_arr(z2, X2.shape[0])
        v1 = self._half(X1, z1)
        v2 = self._half(X2, z2)
        return (self._k(X1, z1, X2, z2) - v1.T @ v2) * self.y_std_**2

    def _half(self, X, z):
        Kd = self._k(self._X, self._z, X, z)
        return linalg.solve_triangular(self.L_, Kd, lower=True, check_finite=False)
