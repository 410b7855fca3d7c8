"""Gaussian-process regression for Bayesian optimisation (Rasmussen & Williams, Alg. 2.1)."""

from __future__ import annotations

import copy
import math
import numbers
import warnings

import numpy as np
from scipy import linalg, optimize
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils import ConvergenceWarning, check_rng
from ._covariance import KERNELS, kernel_g_G, kernel_matrix, sq_dist
from ._threads import MAX_SINGLE_THREAD_N, blas_single_thread, single_blas_thread

_LOG_2PI = math.log(2.0 * math.pi)
_JITTERS = (0.0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4)
_LS_BOUNDS = (1e-3, 1e3)
_SV_BOUNDS = (1e-4, 1e4)
_NOISE_BOUNDS = (1e-6, 10.0)


def _cholesky(K, jitter):
    """Cholesky of ``K`` with adaptive diagonal jitter; returns (L, jitter used)."""
    scale = float(np.mean(np.diag(K))) if K.size else 1.0
    scale = scale if scale > 0 else 1.0
    levels = _JITTERS if jitter == "auto" else (float(jitter),)
    for level in levels:
        try:
            Kj = K if level == 0 else K + (level * scale) * np.eye(K.shape[0])
            return linalg.cholesky(Kj, lower=True, check_finite=False), level * scale
        except linalg.LinAlgError:
            continue
    raise linalg.LinAlgError(
        f"covariance matrix is not positive definite even with jitter {levels[-1]:g} x mean "
        "diagonal; check for duplicated inputs with different outputs or use noise='auto'"
    )


class GaussianProcess(RegressorMixin, BaseEstimator):
    """Gaussian-process regressor with ARD kernels, MAP hyperparameters and fast updates.

    The model is ``y = m + f(x) + eps`` with ``f ~ GP(0, s2 g(r))``, ARD length scales and
    Gaussian noise. Inputs are mapped to the unit cube and outputs standardised internally;
    hyperparameters (log length scales, log signal variance and, for ``noise="auto"``,
    log noise variance) are fitted by L-BFGS-B on the log marginal likelihood plus log
    priors, with an analytic gradient. The Cholesky factorisation adds jitter adaptively
    instead of failing.

    Parameters
    ----------
    kernel : {"matern52", "matern32", "matern12", "rbf"}, default="matern52"
        Covariance function (ARD: one length scale per input dimension).
    length_scale : float or array-like of shape (n_features,), optional
        Initial (or, with ``optimizer=None``, fixed) length scales in the scaled input
        units (the unit cube when ``normalize_x``). Default ``0.5 * sqrt(n_features)``.
    signal_variance : float, default=1.0
        Initial (or fixed) kernel variance ``s2`` in standardised output units.
    noise : "auto", float or array-like of shape (n_samples,), default="auto"
        Observation-noise variance: ``"auto"`` fits it; a number (``0.0`` for noise-free
        data) or a per-sample array fixes it, in the units of ``y``.
    mean : {"constant", "zero"}, default="constant"
        Prior mean: the sample mean of ``y`` or zero.
    prior : {"default", None}, default="default"
        ``"default"``: MAP with log-normal priors (length scales ``LogNormal(sqrt 2 +
        log(d)/2, sqrt 3)`` as in Hvarfner et al. 2024, signal variance ``LogNormal(0,
        1.5)``, noise ``LogNormal(-10, 2)`` in standardised units, so that deterministic
        objectives are fitted almost noise-free while the likelihood still finds real
        noise); ``None``: type-II maximum likelihood.
    normalize_x : bool, default=True
        Scale inputs to the unit cube (using ``bounds`` or the training range).
    normalize_y : bool, default=True
        Divide outputs by their standard deviation.
    bounds : array-like of shape (n_features, 2), optional
        Input box used for the scaling (default: the training data's range).
    optimizer : {"L-BFGS-B", None}, default="L-BFGS-B"
        ``None`` keeps the initial hyperparameters.
    n_restarts : int, default=0
        Extra optimiser starts drawn from the priors.
    jitter : "auto" or float, default="auto"
        Diagonal added when the Cholesky fails (``"auto"``: 0, then 1e-12 ... 1e-4 times
        the mean diagonal).
    max_iter : int, default=200
        L-BFGS-B iterations per start.
    warm_start : bool, default=False
        Add the previous fit's ``theta_`` as a second start of the hyperparameter search
        (when the number of features and the noise setting are unchanged).
    random_state : None, int, RandomState or Generator
        Seeds the restarts and :meth:`sample_y`.

    Attributes
    ----------
    X_train_, y_train_ : ndarray
        Training data as given.
    length_scale_, signal_variance_, noise_ : ndarray or float
        Fitted hyperparameters (``signal_variance_`` and ``noise_`` in units of ``y^2``,
        ``length_scale_`` in scaled input units).
    theta_ : ndarray
        Log hyperparameters in standardised units.
    L_ : ndarray of shape (n_samples, n_samples)
        Lower Cholesky factor of the standardised ``K + noise I``.
    alpha_ : ndarray of shape (n_samples,)
        ``K^-1 (y - m)`` in standardised units.
    log_marginal_likelihood_value_ : float
        Log marginal likelihood of the standardised data at ``theta_``.
    jitter_ : float
        Jitter added to the diagonal.
    n_iter_ : int
        L-BFGS-B iterations of the best start (0 with ``optimizer=None``).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.bayesopt import GaussianProcess
    >>> X = np.linspace(0, 1, 8)[:, None]
    >>> gp = GaussianProcess(noise=0.0).fit(X, np.sin(6 * X[:, 0]))
    >>> mu, sd = gp.predict([[0.5]], return_std=True)
    >>> bool(abs(mu[0] - np.sin(3.0)) < 0.05)
    True
    """

    _NOISE_PRIOR = (-10.0, 2.0)

    def __init__(self, kernel="matern52", *, length_scale=None, signal_variance=1.0,
                 noise="auto", mean="constant", prior="default", normalize_x=True,
                 normalize_y=True, bounds=None, optimizer="L-BFGS-B", n_restarts=0,
                 jitter="auto", max_iter=200, warm_start=False, random_state=None):
        self.kernel = kernel
        self.length_scale = length_scale
        self.signal_variance = signal_variance
        self.noise = noise
        self.mean = mean
        self.prior = prior
        self.normalize_x = normalize_x
        self.normalize_y = normalize_y
        self.bounds = bounds
        self.optimizer = optimizer
        self.n_restarts = n_restarts
        self.jitter = jitter
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.random_state = random_state

    # ------------------------------------------------------------------ validation
    def _check_params(self, d):
        if self.kernel not in KERNELS:
            raise ValueError(f"kernel must be one of {KERNELS} (got {self.kernel!r})")
        if self.mean not in ("constant", "zero"):
            raise ValueError(f"mean must be 'constant' or 'zero' (got {self.mean!r})")
        if self.prior not in ("default", None):
            raise ValueError(f"prior must be 'default' or None (got {self.prior!r})")
        if self.optimizer not in ("L-BFGS-B", None):
            raise ValueError(f"optimizer must be 'L-BFGS-B' or None (got {self.optimizer!r})")
        if not isinstance(self.n_restarts, numbers.Integral) or self.n_restarts < 0:
            raise ValueError(f"n_restarts must be an integer >= 0 (got {self.n_restarts!r})")
        if not isinstance(self.max_iter, numbers.Integral) or self.max_iter < 1:
            raise ValueError(f"max_iter must be an integer >= 1 (got {self.max_iter!r})")
        if not (self.jitter == "auto" or (isinstance(self.jitter, numbers.Real)
                                          and self.jitter >= 0)):
            raise ValueError(f"jitter must be 'auto' or a number >= 0 (got {self.jitter!r})")
        sv = self.signal_variance
        if not (isinstance(sv, numbers.Real) and np.isfinite(sv) and sv > 0):
            raise ValueError(f"signal_variance must be a finite number > 0 (got {sv!r})")
        if self.length_scale is None:
            ls = np.full(d, 0.5 * math.sqrt(d))
        else:
            ls = np.broadcast_to(np.asarray(self.length_scale, dtype=float), (d,)).copy() \
                if np.ndim(self.length_scale) <= 1 and np.size(self.length_scale) in (1, d) \
                else None
            if ls is None:
                raise ValueError(f"length_scale must be a scalar or have {d} entries "
                                 f"(got shape {np.shape(self.length_scale)})")
            if not np.all(np.isfinite(ls)) or np.any(ls <= 0):
                raise ValueError("length_scale must be finite and > 0")
        return ls

    def _noise_array(self, n, y_std):
        """Fixed noise in standardised units, or None for 'auto'."""
        if isinstance(self.noise, str):
            if self.noise != "auto":
                raise ValueError(f"noise must be 'auto', a number or an array (got {self.noise!r})")
            return None
        noise = np.asarray(self.noise, dtype=float)
        if noise.ndim == 0:
            noise = np.full(n, float(noise))
        if noise.shape != (n,):
            raise ValueError(f"noise must be a scalar or have one entry per sample ({n}); "
                             f"got shape {noise.shape}")
        if not np.all(np.isfinite(noise)) or np.any(noise < 0):
            raise ValueError("noise must be finite and >= 0")
        return noise / y_std**2

    # ------------------------------------------------------------------ scaling
    def _scale_x(self, X):
        return (X - self._x_lo) / self._x_span

    # ------------------------------------------------------------------ fit
    def fit(self, X, y):
        """Fit the hyperparameters and factorise the covariance.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : GaussianProcess
        """
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        if X.shape[0] <= MAX_SINGLE_THREAD_N:  # BLAS threads fight over cores (spec, 4.2)
            with blas_single_thread():
                return self._fit(X, y)
        return self._fit(X, y)

    def _fit(self, X, y):
        n, d = X.shape
        ls0 = self._check_params(d)
        if self.normalize_x:
            if self.bounds is not None:
                b = np.asarray(self.bounds, dtype=float)
                if b.shape != (d, 2) or np.any(b[:, 1] < b[:, 0]) or not np.all(np.isfinite(b)):
                    raise ValueError(f"bounds must be finite with shape ({d}, 2) and low <= high")
                lo, hi = b[:, 0], b[:, 1]
            else:
                lo, hi = X.min(axis=0), X.max(axis=0)
            span = hi - lo
            span[span <= 0] = 1.0
        else:
            lo, span = np.zeros(d), np.ones(d)
        self._x_lo, self._x_span = lo, span
        y_mean = float(np.mean(y)) if self.mean == "constant" else 0.0
        y_std = float(np.std(y)) if self.normalize_y else 1.0
        if not (y_std > 0 and np.isfinite(y_std)):
            y_std = 1.0
        self._y_mean, self._y_std = y_mean, y_std
        U = self._scale_x(X)
        ys = (y - y_mean) / y_std
        fixed_noise = self._noise_array(n, y_std)
        self._fixed_noise = fixed_noise
        self._U = U
        self._ys = ys

        theta0 = np.concatenate([np.log(ls0), [math.log(self.signal_variance / 1.0)]])
        if fixed_noise is None:
            theta0 = np.append(theta0, math.log(1e-2))
        bounds = [tuple(np.log(_LS_BOUNDS))] * d + [tuple(np.log(_SV_BOUNDS))]
        if fixed_noise is None:
            bounds.append(tuple(np.log(_NOISE_BOUNDS)))
        theta0 = np.clip(theta0, [b[0] for b in bounds], [b[1] for b in bounds])

        prev = getattr(self, "theta_", None)
        warm = None
        if self.warm_start and prev is not None and prev.shape == theta0.shape:
            warm = np.clip(prev, [b[0] for b in bounds], [b[1] for b in bounds])
        if self.optimizer is None:
            theta = theta0 if warm is None else warm
            self.n_iter_ = 0
        else:
            rng = check_rng(self.random_state)
            # the previous optimum joins the default start (it alone can stay stuck in a
            # degenerate tiny-length-scale optimum as data arrive)
            starts = [theta0] + ([warm] if warm is not None else [])
            starts += [self._sample_prior(d, fixed_noise is None, rng, bounds)
                       for _ in range(self.n_restarts)]
            best = None
            for start in starts:
                res = optimize.minimize(self._neg_log_posterior, start, jac=True,
                                        method="L-BFGS-B", bounds=bounds,
                                        options={"maxiter": int(self.max_iter)})
                if best is None or res.fun < best.fun:
                    best = res
            if not best.success and best.nit >= self.max_iter:
                warnings.warn(f"GaussianProcess hyperparameter fit did not converge in "
                              f"{best.nit} iterations; keeping the best point",
                              ConvergenceWarning, stacklevel=2)
            theta = best.x
            self.n_iter_ = int(best.nit)
        self._set_theta(theta)
        self.X_train_ = X
        self.y_train_ = y
        return self

    def _sample_prior(self, d, fit_noise, rng, bounds):
        mu_ls = math.sqrt(2.0) + 0.5 * math.log(d)
        th = np.concatenate([rng.normal(mu_ls, 1.0, d) if self.prior else
                             rng.uniform(math.log(0.05), math.log(5.0), d),
                             rng.normal(0.0, 1.0, 1)])
        if fit_noise:
            th = np.append(th, rng.normal(*self._NOISE_PRIOR))
        return np.clip(th, [b[0] for b in bounds], [b[1] for b in bounds])

    def _unpack(self, theta):
        d = self._U.shape[1]
        ls = np.exp(theta[:d])
        sv = math.exp(theta[d])
        if self._fixed_noise is None:
            noise = np.full(self._U.shape[0], math.exp(theta[d + 1]))
        else:
            noise = self._fixed_noise
        return ls, sv, noise

    def _log_prior(self, theta):
        if self.prior is None:
            return 0.0, np.zeros_like(theta)
        d = self._U.shape[1]
        mu = np.concatenate([np.full(d, math.sqrt(2.0) + 0.5 * math.log(d)), [0.0]])
        sd = np.concatenate([np.full(d, math.sqrt(3.0)), [1.5]])
        if self._fixed_noise is None:
            mu = np.append(mu, self._NOISE_PRIOR[0])
            sd = np.append(sd, self._NOISE_PRIOR[1])
        # log-normal prior on p = exp(theta): density in theta is normal(mu, sd)
        z = (theta - mu) / sd
        return float(-0.5 * np.sum(z * z)), -z / sd

    def _neg_log_posterior(self, theta):
        try:
            lml, grad = self._lml(theta, eval_gradient=True)
        except linalg.LinAlgError:
            return 1e25, np.zeros_like(theta)
        lp, glp = self._log_prior(theta)
        return -(lml + lp), -(grad + glp)

    def _lml(self, theta, eval_gradient=False, U=None, ys=None):
        U = self._U if U is None else U
        ys = self._ys if ys is None else ys
        ls, sv, noise = self._unpack(theta)
        n, d = U.shape
        r2 = sq_dist(U, U, ls)
        g, G = kernel_g_G(self.kernel, r2)
        Kf = sv * g
        K = Kf.copy()
        K[np.diag_indices(n)] += noise
        L, _ = _cholesky(K, self.jitter)
        alpha = linalg.cho_solve((L, True), ys, check_finite=False)
        lml = -0.5 * ys @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * _LOG_2PI
        if not eval_gradient:
            return lml
        Kinv, info = linalg.lapack.dpotri(L, lower=1)
        if info != 0:
            raise linalg.LinAlgError("dpotri failed")
        Kinv += np.tril(Kinv, -1).T  # dpotri fills the lower triangle; the upper is 0
        W = np.outer(alpha, alpha) - Kinv
        P = W * (sv * G)
        Us = U / ls
        # 0.5 * sum_ab P_ab (u_ai - u_bi)^2 / l_i^2 = rowsum(P) . Us^2 - diag(Us^T P Us)
        g_ls = P.sum(axis=1) @ (Us * Us) - np.einsum("ai,ai->i", Us, P @ Us)
        g_sv = 0.5 * np.sum(W * Kf)
        grads = [g_ls, [g_sv]]
        if self._fixed_noise is None:
            grads.append([0.5 * noise[0] * np.trace(W)])
        return lml, np.concatenate(grads)

    def _set_theta(self, theta):
        ls, sv, noise = self._unpack(theta)
        U, ys = self._U, self._ys
        K = kernel_matrix(self.kernel, U, U, ls, sv)
        K[np.diag_indices(U.shape[0])] += noise
        L, jit = _cholesky(K, self.jitter)
        self.theta_ = np.asarray(theta, dtype=float)
        self._ls, self._sv, self._noise_std = ls, sv, noise
        self.L_ = L
        self.jitter_ = jit
        self.alpha_ = linalg.cho_solve((L, True), ys, check_finite=False)
        self.length_scale_ = ls
        self.signal_variance_ = sv * self._y_std**2
        homoscedastic = noise.size == 0 or np.ptp(noise) == 0
        self.noise_ = ((float(noise[0]) if noise.size else 0.0) if homoscedastic
                       else noise) * self._y_std**2
        self.log_marginal_likelihood_value_ = float(
            -0.5 * ys @ self.alpha_ - np.log(np.diag(L)).sum() - 0.5 * U.shape[0] * _LOG_2PI)

    # ------------------------------------------------------------------ public API
    @single_blas_thread
    def log_marginal_likelihood(self, theta=None, eval_gradient=False):
        """Log marginal likelihood of the standardised training data.

        Parameters
        ----------
        theta : array-like, optional
            Log hyperparameters (log length scales, log signal variance, and log noise
            when ``noise="auto"``), in standardised units; default ``theta_``.
        eval_gradient : bool, default=False
            Also return the analytic gradient with respect to ``theta``.

        Returns
        -------
        lml : float
        grad : ndarray
            Only when ``eval_gradient``.
        """
        check_is_fitted(self)
        theta = self.theta_ if theta is None else np.asarray(theta, dtype=float)
        if theta.shape != self.theta_.shape:
            raise ValueError(f"theta must have shape {self.theta_.shape} (got {theta.shape})")
        return self._lml(theta, eval_gradient=eval_gradient)

    def _prepare(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X, self._scale_x(X)

    @single_blas_thread
    def predict(self, X, return_std=False, return_cov=False, add_noise=False):
        """Posterior mean (and standard deviation or covariance) of the latent function.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
        return_std : bool, default=False
        return_cov : bool, default=False
        add_noise : bool, default=False
            Add the (homoscedastic) noise variance: the predictive distribution of a new
            observation instead of the latent function.

        Returns
        -------
        mean : ndarray of shape (n_queries,)
        std or cov : ndarray
            Only when asked.
        """
        if return_std and return_cov:
            raise ValueError("return_std and return_cov cannot both be True")
        X, U = self._prepare(X)
        Ks = kernel_matrix(self.kernel, U, self._U, self._ls, self._sv)
        mean = (Ks @ self.alpha_) * self._y_std + self._y_mean
        if not (return_std or return_cov):
            return mean
        v = linalg.solve_triangular(self.L_, Ks.T, lower=True, check_finite=False)
        extra = self._homoscedastic_noise() if add_noise else 0.0
        if return_cov:
            cov = kernel_matrix(self.kernel, U, U, self._ls, self._sv) - v.T @ v
            cov[np.diag_indices(U.shape[0])] += extra
            return mean, cov * self._y_std**2
        var = np.maximum(self._sv - np.einsum("ij,ij->j", v, v), 0.0) + extra
        return mean, np.sqrt(var) * self._y_std

    def _homoscedastic_noise(self):
        noise = self._noise_std
        return float(np.mean(noise)) if noise.size else 0.0

    @single_blas_thread
    def predict_with_grad(self, X):
        """Posterior mean and std with their gradients with respect to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        mean, std : ndarray of shape (n_queries,)
        dmean, dstd : ndarray of shape (n_queries, n_features)
        """
        X, U = self._prepare(X)
        ls2 = self._ls**2
        r2 = sq_dist(U, self._U, self._ls)
        g, G = kernel_g_G(self.kernel, r2)
        Ks = self._sv * g
        Q = self._sv * G  # (m, n); dk/du_i = -Q (u_i - u_bi) / l_i^2
        mean_s = Ks @ self.alpha_
        qa = Q * self.alpha_[None, :]
        dmean_s = -(U * qa.sum(axis=1)[:, None] - qa @ self._U) / ls2
        v = linalg.solve_triangular(self.L_, Ks.T, lower=True, check_finite=False)
        beta = linalg.solve_triangular(self.L_, v, lower=True, trans="T", check_finite=False)
        var = np.maximum(self._sv - np.einsum("ij,ij->j", v, v), 0.0)
        std_s = np.sqrt(var)
        qb = Q * beta.T
        dvar = 2.0 * (U * qb.sum(axis=1)[:, None] - qb @ self._U) / ls2
        with np.errstate(divide="ignore", invalid="ignore"):
            dstd_s = np.where(std_s[:, None] > 0, dvar / (2.0 * std_s[:, None]), 0.0)
        ys, span = self._y_std, self._x_span
        return (mean_s * ys + self._y_mean, std_s * ys,
                dmean_s * ys / span, dstd_s * ys / span)

    @single_blas_thread
    def posterior_cov(self, X1, X2=None):
        """Posterior covariance ``Sigma_n(X1, X2)`` of the latent function.

        Parameters
        ----------
        X1 : array-like of shape (n1, n_features)
        X2 : array-like of shape (n2, n_features), optional
            Default ``X1``.

        Returns
        -------
        ndarray of shape (n1, n2)
        """
        _, U1 = self._prepare(X1)
        U2 = U1 if X2 is None else self._prepare(X2)[1]
        v1 = self._half_solve(U1)
        v2 = v1 if X2 is None else self._half_solve(U2)
        cov = kernel_matrix(self.kernel, U1, U2, self._ls, self._sv) - v1.T @ v2
        return cov * self._y_std**2

    @single_blas_thread
    def _cov_with_grad(self, X, x):
        """``Sigma_n(X, x)`` for one point ``x`` and its gradient with respect to ``X``."""
        _, U = self._prepare(X)
        _, u = self._prepare(np.atleast_2d(x))
        ls2 = self._ls**2
        g, G = kernel_g_G(self.kernel, sq_dist(U, u, self._ls))
        kx = self._sv * g[:, 0]
        dkx = -(self._sv * G[:, 0])[:, None] * (U - u) / ls2
        kXx = kernel_matrix(self.kernel, self._U, u, self._ls, self._sv)[:, 0]
        w = linalg.cho_solve((self.L_, True), kXx, check_finite=False)
        gP, GP = kernel_g_G(self.kernel, sq_dist(U, self._U, self._ls))
        QP = self._sv * GP * w[None, :]
        dsecond = -(U * QP.sum(axis=1)[:, None] - QP @ self._U) / ls2
        cov = (kx - (self._sv * gP) @ w) * self._y_std**2
        return cov, (dkx - dsecond) * self._y_std**2 / self._x_span

    def _half_solve(self, U):
        Ks = kernel_matrix(self.kernel, self._U, U, self._ls, self._sv)
        return linalg.solve_triangular(self.L_, Ks, lower=True, check_finite=False)

    @single_blas_thread
    def sample_y(self, X, n_samples=1, random_state=None):
        """Joint draws of the latent function from the posterior at ``X``.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
        n_samples : int, default=1
        random_state : None, int, RandomState or Generator
            Default: the estimator's ``random_state``.

        Returns
        -------
        ndarray of shape (n_queries, n_samples)
        """
        mean, cov = self.predict(X, return_cov=True)
        rng = check_rng(self.random_state if random_state is None else random_state)
        L, _ = _cholesky(0.5 * (cov + cov.T), "auto")
        eps = rng.standard_normal((mean.shape[0], int(n_samples)))
        return mean[:, None] + L @ eps

    @single_blas_thread
    def condition_on(self, X_new, y_new, noise=None):
        """Return a copy conditioned on new observations, hyperparameters held fixed.

        The Cholesky factor is extended by a rank-k block update in O(n^2 k):
        ``L' = [[L, 0], [B^T, chol(C - B^T B)]]`` with ``B = L^-1 K(X, X_new)``. Input
        scaling and output standardisation are kept from the fit.

        Parameters
        ----------
        X_new : array-like of shape (k, n_features)
        y_new : array-like of shape (k,)
        noise : float or array-like of shape (k,), optional
            Noise variance of the new observations in units of ``y``; default the fitted
            (homoscedastic) noise.

        Returns
        -------
        GaussianProcess
        """
        X_new, U_new = self._prepare(X_new)
        y_new = np.asarray(y_new, dtype=float).ravel()
        if y_new.shape[0] != X_new.shape[0]:
            raise ValueError(f"y_new must have {X_new.shape[0]} entries (got {y_new.shape[0]})")
        if not np.all(np.isfinite(y_new)):
            raise ValueError("y_new must be finite (found NaN or inf)")
        k = X_new.shape[0]
        if noise is None:
            noise_new = np.full(k, self._homoscedastic_noise())
        else:
            noise_new = np.broadcast_to(np.asarray(noise, dtype=float), (k,)) / self._y_std**2
        B = self._half_solve(U_new)
        C = kernel_matrix(self.kernel, U_new, U_new, self._ls, self._sv)
        C[np.diag_indices(k)] += noise_new + self.jitter_
        L22, _ = _cholesky(C - B.T @ B, self.jitter)
        n = self.L_.shape[0]
        L = np.zeros((n + k, n + k))
        L[:n, :n] = self.L_
        L[n:, :n] = B.T
        L[n:, n:] = L22
        new = copy.copy(self)
        new._U = np.vstack([self._U, U_new])
        new._ys = np.concatenate([self._ys, (y_new - self._y_mean) / self._y_std])
        new._noise_std = np.concatenate([self._noise_std, noise_new])
        if self._fixed_noise is not None:
            new._fixed_noise = new._noise_std
        new.L_ = L
        new.alpha_ = linalg.cho_solve((L, True), new._ys, check_finite=False)
        new.X_train_ = np.vstack([self.X_train_, X_new])
        new.y_train_ = np.concatenate([self.y_train_, y_new])
        new.log_marginal_likelihood_value_ = float(
            -0.5 * new._ys @ new.alpha_ - np.log(np.diag(L)).sum()
            - 0.5 * (n + k) * _LOG_2PI)
        return new

    @classmethod
    def _test_instance(cls):
        return cls(max_iter=30)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags
