"""Gaussian processes conditioned on gradients as well as values.

The derivative of a GP is a GP: for ``k(u, u') = s2 g(r)`` with
``r^2 = sum_i (u_i - u'_i)^2 / l_i^2``, ``G = -2 dg/d(r^2)`` and ``H = -2 dG/d(r^2)``
and ``delta = u - u'``,

- ``Cov(f(u), f(u'))          = s2 g``
- ``Cov(f(u), d_j f(u'))      = s2 G delta_j / l_j^2``
- ``Cov(d_i f(u), d_j f(u'))  = s2 (G [i = j] / l_j^2 - H delta_i delta_j / (l_i^2 l_j^2))``

(Rasmussen & Williams 2006, section 9.4). ``H`` exists at ``r = 0`` for the RBF
(``H = g``) and Matern-5/2 (``H = 25/3 exp(-sqrt5 r)``) kernels only: Matern-3/2 and 1/2
sample paths are not differentiable, so they cannot take gradient observations.

The joint training vector is every value, then the gradient of every point that has one
(point-major). The functions at the end give what the acquisitions need from any fitted
model, with or without gradients: the cross-covariance of query points with the training
vector and its derivative with respect to the query, all in the model's scaled units.
"""

from __future__ import annotations

import copy
import math
from numbers import Real

import numpy as np
from scipy import linalg
from sklearn.utils.validation import check_is_fitted

from ..backend import on_host
from ..utils import check_array, check_same_length
from ..utils._numerics import cholesky
from ..utils._param_validation import Interval, StrOptions
from ._covariance import kernel_g_G, sq_dist
from ._gp import _LOG_2PI, GaussianProcess

_SQRT5 = math.sqrt(5.0)
DIFFERENTIABLE_KERNELS = ("rbf", "matern52")


def kernel_g_G_H(name, r2):
    """``g``, ``G = -2 dg/d(r^2)`` and ``H = -2 dG/d(r^2)`` for the twice-differentiable
    kernels."""
    if name == "rbf":
        g = np.exp(-0.5 * r2)
        return g, g, g
    if name == "matern52":
        r = np.sqrt(r2)
        e = np.exp(-_SQRT5 * r)
        return ((1.0 + _SQRT5 * r + (5.0 / 3.0) * r2) * e,
                (5.0 / 3.0) * (1.0 + _SQRT5 * r) * e, (25.0 / 3.0) * e)
    raise ValueError(f"kernel must be one of {DIFFERENTIABLE_KERNELS} for gradient "
                     f"observations (got {name!r})")


def check_differentiable(model, name="model"):
    """Refuse a model whose kernel has no second derivative at ``r = 0``."""
    if model.kernel not in DIFFERENTIABLE_KERNELS:
        raise ValueError(f"{name} must use a twice-differentiable kernel "
                         f"{DIFFERENTIABLE_KERNELS} for gradient observations "
                         f"(got kernel={model.kernel!r})")


def _blocks(kernel, A, B, ls, sv, need_gg=True):
    """Prior covariance blocks between the points ``A`` (values and gradients) and ``B``.

    Returns ``ff (a, b)``, ``fg (a, b, d) = Cov(f(A), grad f(B))``, ``gf (a, b, d) =
    Cov(grad f(A), f(B))`` and ``gg (a, b, d, d) = Cov(grad f(A)_i, grad f(B)_j)``.
    """
    ls2 = ls**2
    g, G, H = kernel_g_G_H(kernel, sq_dist(A, B, ls))
    delta = (A[:, None, :] - B[None, :, :]) / ls2  # delta_i / l_i^2
    ff = sv * g
    fg = (sv * G)[..., None] * delta
    gf = -fg
    if not need_gg:
        return ff, fg, gf, None
    d = A.shape[1]
    gg = (sv * G)[..., None, None] * np.diag(1.0 / ls2)[None, None]
    gg -= (sv * H)[..., None, None] * delta[..., :, None] * delta[..., None, :]
    return ff, fg, gf, gg.reshape(A.shape[0], B.shape[0], d, d)


# --------------------------------------------------------------------------- model-agnostic
def train_cross(model, U):
    """Prior covariance of ``f(U)`` with the training vector, shape (m, N), scaled units."""
    if isinstance(model, DerivativeGaussianProcess):
        return model._train_cross(U)[0]
    g, _ = kernel_g_G(model.kernel, sq_dist(U, model._U, model._ls))
    return model._sv * g


def train_cross_grad(model, U):
    """``C(U)`` and its derivative with respect to ``U``: shapes (m, N) and (m, N, d)
    (the second is the prior covariance of ``grad f(U)`` with the training vector)."""
    if isinstance(model, DerivativeGaussianProcess):
        return model._train_cross(U, grad=True)
    ls2 = model._ls**2
    g, G = kernel_g_G(model.kernel, sq_dist(U, model._U, model._ls))
    dC = -(model._sv * G)[..., None] * (U[:, None, :] - model._U[None, :, :]) / ls2
    return model._sv * g, dC


def posterior_cross_cov_grad(model, X, A, *, W=None):
    """``Sigma_n(X, A)`` (m, k) and its gradient with respect to ``X`` (m, k, d), in the
    units of the model's ``y`` and ``X``.

    ``W = K^-1 C(A)^T`` may be given when ``A`` is fixed across calls.
    """
    U = model._scale_x(X)
    UA = model._scale_x(A)
    ls2 = model._ls**2
    g, G = kernel_g_G(model.kernel, sq_dist(U, UA, model._ls))
    prior = model._sv * g
    dprior = -(model._sv * G)[..., None] * (U[:, None, :] - UA[None, :, :]) / ls2
    if W is None:
        W = linalg.cho_solve((model._L, True), train_cross(model, UA).T, check_finite=False)
    C, dC = train_cross_grad(model, U)
    cov = prior - C @ W
    dcov = dprior - np.einsum("mnd,nk->mkd", dC, W)
    s2 = model._y_std**2
    return cov * s2, dcov * (s2 / model._x_span)


def value_gradient_moments(model, X):
    """Posterior moments of the observation vector ``(f(x), grad f(x))`` at each row.

    Returns the mean (m, d + 1) and covariance (m, d + 1, d + 1) in the units of the
    model's ``y`` and ``X``.
    """
    U = model._scale_x(X)
    C, dC = train_cross_grad(model, U)
    m, d = U.shape
    J = np.concatenate([C[:, :, None], dC], axis=2)  # (m, N, d + 1)
    mean = np.einsum("mnk,n->mk", J, model._alpha)
    mean[:, 0] += model._y_mean / model._y_std
    V = np.stack([linalg.solve_triangular(model._L, J[k], lower=True, check_finite=False)
                  for k in range(m)])
    G0 = kernel_g_G_H(model.kernel, np.zeros(1))[1][0]
    prior = np.zeros((d + 1, d + 1))
    prior[0, 0] = model._sv
    prior[1:, 1:] = model._sv * G0 * np.diag(1.0 / model._ls**2)
    cov = prior[None] - np.einsum("mni,mnj->mij", V, V)
    scale = model._y_std * np.concatenate([[1.0], 1.0 / model._x_span])
    return mean * scale, cov * np.outer(scale, scale)[None]


class DerivativeGaussianProcess(GaussianProcess):
    """Gaussian process conditioned on gradient observations as well as values.

    ``fit(X, y, gradients)`` conditions on ``y_a = f(x_a) + eps`` and
    ``gradients_a = grad f(x_a) + eps'`` jointly: the covariance of the training vector
    holds the kernel, its first derivatives (value-gradient) and its second derivatives
    (gradient-gradient). Hyperparameters are the MAP of the joint marginal likelihood
    (the same priors and bounds as :class:`GaussianProcess`; the gradient of the log
    likelihood is taken by central differences). Predictions of the latent function,
    :meth:`predict_gradient`, :meth:`condition_on` (with or without gradients) and every
    acquisition work as for :class:`GaussianProcess`. Without ``gradients`` the model is a
    :class:`GaussianProcess`.

    Each gradient observation adds ``d`` rows to the covariance, so a fit costs
    ``O((n (d + 1))^3)``: for ``d = 8`` and ``n = 60`` the matrix is 540 x 540.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    kernel : {"matern52", "rbf"}, default="matern52"
        Twice-differentiable covariance function (ARD).
    length_scale, signal_variance, noise, mean, prior : see GaussianProcess
        As in :class:`GaussianProcess`.
    normalize_x, normalize_y, bounds, optimizer, n_restarts : see GaussianProcess
        As in :class:`GaussianProcess`.
    jitter, max_iter, warm_start, random_state : see GaussianProcess
        As in :class:`GaussianProcess`.
    gradient_noise : float, default=0.0
        Noise variance of each gradient component (>= 0), in units of ``(y / x)^2``.

    Attributes
    ----------
    gradients_train_ : ndarray of shape (n_samples, n_features) or None
        The gradient observations.
    X_train_, y_train_, theta_, L_, alpha_, length_scale_, signal_variance_, noise_,
    log_marginal_likelihood_value_, jitter_, n_iter_, n_features_in_
        As in :class:`GaussianProcess` (``L_`` and ``alpha_`` over the joint training
        vector of values and gradients).

    References
    ----------
    .. [1] J. Wu, M. Poloczek, A. G. Wilson and P. I. Frazier, "Bayesian optimization with
       gradients", NeurIPS 2017, arXiv:1703.04389, Section 2 (the joint GP of a function
       and its gradient).
    .. [2] C. E. Rasmussen and C. K. I. Williams, *Gaussian Processes for Machine
       Learning*, MIT Press, 2006, Section 9.4 (derivative observations).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.bayesopt import DerivativeGaussianProcess
    >>> X = np.array([[0.1], [0.5], [0.9]])
    >>> gp = DerivativeGaussianProcess(noise=0.0, optimizer=None).fit(
    ...     X, np.sin(3 * X[:, 0]), gradients=3 * np.cos(3 * X))
    >>> g = gp.predict_gradient([[0.5]])
    >>> bool(abs(g[0, 0] - 3 * np.cos(1.5)) < 1e-6)
    True
    """

    _parameter_constraints = {
        **GaussianProcess._parameter_constraints,
        "kernel": [StrOptions(set(DIFFERENTIABLE_KERNELS))],
        "gradient_noise": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, kernel="matern52", *, length_scale=None, signal_variance=1.0,
                 noise="auto", mean="constant", prior="default", normalize_x=True,
                 normalize_y=True, bounds=None, optimizer="L-BFGS-B", n_restarts=0,
                 jitter="auto", max_iter=200, warm_start=False, random_state=None,
                 gradient_noise=0.0):
        super().__init__(kernel, length_scale=length_scale, signal_variance=signal_variance,
                         noise=noise, mean=mean, prior=prior, normalize_x=normalize_x,
                         normalize_y=normalize_y, bounds=bounds, optimizer=optimizer,
                         n_restarts=n_restarts, jitter=jitter, max_iter=max_iter,
                         warm_start=warm_start, random_state=random_state)
        self.gradient_noise = gradient_noise

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, gradients=None):
        """Fit the hyperparameters on values and gradients and factorise the covariance.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs (finite).
        y : array-like of shape (n_samples,)
            Training outputs (finite).
        gradients : array-like of shape (n_samples, n_features), optional
            Gradient of the objective at each training input (finite).

        Returns
        -------
        self : DerivativeGaussianProcess
            The fitted model.
        """
        self._grad_raw = None
        if gradients is not None:
            host = on_host(gradients, where="DerivativeGaussianProcess.fit")
            self._grad_raw = check_array(host.to_numpy(gradients), "gradients", ndim=2,
                                         xp=np).copy()
        return super().fit(X, y)

    def _fit(self, X, y):
        G = getattr(self, "_grad_raw", None)
        if G is not None and G.shape != X.shape:
            raise ValueError(f"gradients must have the shape of X {X.shape}, one gradient "
                             f"per training point (got {G.shape})")
        self._gmask = np.zeros(X.shape[0], dtype=bool) if G is None else np.ones(
            X.shape[0], dtype=bool)
        self._G = np.zeros_like(X) if G is None else G
        super()._fit(X, y)

    def _targets(self):
        """The standardised joint training vector: values, then the observed gradients."""
        gs = self._G[self._gmask] * self._x_span / self._y_std
        return np.concatenate([self._ys, gs.ravel()])

    def _gradient_noise_scaled(self):
        return float(self.gradient_noise) * self._x_span**2 / self._y_std**2

    def _joint_K(self, ls, sv, noise):
        U, mask = self._U, self._gmask
        Ug = U[mask]
        n, d, ng = U.shape[0], U.shape[1], Ug.shape[0]
        ff, fg, _, _ = _blocks(self.kernel, U, Ug, ls, sv, need_gg=False)
        K = np.empty((n + ng * d, n + ng * d))
        g, _ = kernel_g_G(self.kernel, sq_dist(U, U, ls))
        K[:n, :n] = sv * g
        K[:n, n:] = fg.reshape(n, ng * d)
        K[n:, :n] = K[:n, n:].T
        if ng:
            gg = _blocks(self.kernel, Ug, Ug, ls, sv)[3]
            K[n:, n:] = gg.transpose(0, 2, 1, 3).reshape(ng * d, ng * d)
        diag = np.concatenate([noise, np.tile(self._gradient_noise_scaled(), ng)])
        K[np.diag_indices(K.shape[0])] += diag
        return K

    def _lml(self, theta, eval_gradient=False):
        if not self._gmask.any():
            return super()._lml(theta, eval_gradient)
        value = self._joint_lml(theta)
        if not eval_gradient:
            return value
        step = 1e-5
        grad = np.empty_like(theta)
        for i in range(theta.size):
            e = np.zeros_like(theta)
            e[i] = step
            grad[i] = (self._joint_lml(theta + e) - self._joint_lml(theta - e)) / (2 * step)
        return value, grad

    def _joint_lml(self, theta):
        ls, sv, noise = self._unpack(theta)
        K = self._joint_K(ls, sv, noise)
        L, _ = cholesky(K, name="the kernel matrix", jitter=self.jitter, check_finite=False)
        t = self._targets()
        alpha = linalg.cho_solve((L, True), t, check_finite=False)
        return float(-0.5 * t @ alpha - np.log(np.diag(L)).sum() - 0.5 * t.size * _LOG_2PI)

    def _set_theta(self, theta):
        ls, sv, noise = self._unpack(theta)
        self._theta = np.asarray(theta, dtype=float)
        self._ls, self._sv, self._noise_std = ls, sv, noise
        self._refactor()

    def _refactor(self):
        K = self._joint_K(self._ls, self._sv, self._noise_std)
        L, jit = cholesky(K, name="the kernel matrix", jitter=self.jitter)
        t = self._targets()
        self._L = L
        self.jitter_ = jit
        self._alpha = linalg.cho_solve((L, True), t, check_finite=False)
        self.log_marginal_likelihood_value_ = float(
            -0.5 * t @ self._alpha - np.log(np.diag(L)).sum() - 0.5 * t.size * _LOG_2PI)

    # ------------------------------------------------------------------ private maths
    def _train_cross(self, U, grad=False):
        """``C(U)`` (m, N) and, with ``grad``, ``dC/dU`` (m, N, d), in scaled units."""
        Ug = self._U[self._gmask]
        m, d, ng = U.shape[0], U.shape[1], Ug.shape[0]
        g, G = kernel_g_G(self.kernel, sq_dist(U, self._U, self._ls))
        ff = self._sv * g
        _, fg, _, gg = _blocks(self.kernel, U, Ug, self._ls, self._sv, need_gg=grad)
        C = np.concatenate([ff, fg.reshape(m, ng * d)], axis=1)
        if not grad:
            return C, None
        dff = -(self._sv * G)[..., None] * (U[:, None, :] - self._U[None]) / self._ls**2
        # d/du_i Cov(f(u), d_j f(t)) = Cov(d_i f(u), d_j f(t)) = gg[..., i, j]
        dfg = gg.transpose(0, 1, 3, 2).reshape(m, ng * d, d)
        return C, np.concatenate([dff, dfg], axis=1)

    def _predict_np(self, X, return_std=False, return_cov=False, add_noise=False):
        U = self._scale_x(X)
        C = self._train_cross(U)[0]
        mean = (C @ self._alpha) * self._y_std + self._y_mean
        if not (return_std or return_cov):
            return mean
        v = linalg.solve_triangular(self._L, C.T, lower=True, check_finite=False)
        extra = self._homoscedastic_noise() if add_noise else 0.0
        if return_cov:
            g, _ = kernel_g_G(self.kernel, sq_dist(U, U, self._ls))
            cov = self._sv * g - v.T @ v
            cov[np.diag_indices(U.shape[0])] += extra
            return mean, cov * self._y_std**2
        var = np.maximum(self._sv - np.einsum("ij,ij->j", v, v), 0.0) + extra
        return mean, np.sqrt(var) * self._y_std

    def _predict_with_grad_np(self, X):
        U = self._scale_x(X)
        C, dC = self._train_cross(U, grad=True)
        mean_s = C @ self._alpha
        dmean_s = np.einsum("mnd,n->md", dC, self._alpha)
        beta = linalg.cho_solve((self._L, True), C.T, check_finite=False)  # (N, m)
        var = np.maximum(self._sv - np.einsum("nm,mn->m", beta, C), 0.0)
        std_s = np.sqrt(var)
        dvar = -2.0 * np.einsum("mnd,nm->md", dC, beta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dstd_s = np.where(std_s[:, None] > 0, dvar / (2.0 * std_s[:, None]), 0.0)
        ys, span = self._y_std, self._x_span
        return (mean_s * ys + self._y_mean, std_s * ys,
                dmean_s * ys / span, dstd_s * ys / span)

    def _half_solve(self, U):
        return linalg.solve_triangular(self._L, self._train_cross(U)[0].T, lower=True,
                                       check_finite=False)

    def _cov_with_grad(self, X, x):
        cov, dcov = posterior_cross_cov_grad(self, X, np.atleast_2d(x))
        return cov[:, 0], dcov[:, 0, :]

    # ------------------------------------------------------------------ public API
    def predict_gradient(self, X, return_cov=False):
        """Posterior mean (and covariance) of the gradient of the latent function.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            Query points.
        return_cov : bool, default=False
            Also return the posterior covariance of each gradient.

        Returns
        -------
        mean : ndarray of shape (n_queries, n_features)
            Posterior mean of the gradient (equal to the gradient of the posterior mean).
        cov : ndarray of shape (n_queries, n_features, n_features)
            Only when ``return_cov``.
        """
        from ..utils import check_bool

        check_is_fitted(self)
        return_cov = check_bool(return_cov, "return_cov")
        host = on_host(X, where="DerivativeGaussianProcess.predict_gradient", fitted=self)
        X = self._check_query(host, X)
        with self._threads():
            mean, cov = value_gradient_moments(self, X)
        if not return_cov:
            return host.from_numpy(mean[:, 1:])
        return host.from_numpy((mean[:, 1:], cov[:, 1:, 1:]))

    def condition_on(self, X_new, y_new, noise=None, gradients=None):
        """Return a copy conditioned on new values (and gradients), hyperparameters fixed.

        Parameters
        ----------
        X_new : array-like of shape (k, n_features)
            New inputs.
        y_new : array-like of shape (k,)
            New outputs (finite).
        noise : float or array-like of shape (k,), optional
            Noise variance of the new values (>= 0); default the fitted noise.
        gradients : array-like of shape (k, n_features), optional
            Gradients at the new inputs (finite); without them only values are added.

        Returns
        -------
        DerivativeGaussianProcess
            The conditioned copy (``self`` is unchanged).
        """
        check_is_fitted(self)
        if gradients is None:
            return super().condition_on(X_new, y_new, noise)
        host = on_host(X_new, gradients, where="DerivativeGaussianProcess.condition_on",
                       fitted=self)
        Xn = self._check_query(host, X_new, "X_new")
        G = check_array(host.to_numpy(gradients), "gradients", ndim=2, xp=np)
        check_same_length(("X_new", Xn), ("gradients", G))
        if G.shape[1] != Xn.shape[1]:
            raise ValueError(f"gradients must have {Xn.shape[1]} columns, one per feature "
                             f"(got {G.shape[1]})")
        new = super().condition_on(X_new, y_new, noise)
        new._gmask = new._gmask.copy()
        new._gmask[-Xn.shape[0]:] = True
        new._G = new._G.copy()
        new._G[-Xn.shape[0]:] = G
        with new._threads():
            new._refactor()
        new._publish(host)
        return new

    def _conditioned(self, X_new, y_new, noise_new):
        k = X_new.shape[0]
        new = copy.copy(self)
        new._U = np.vstack([self._U, self._scale_x(X_new)])
        new._ys = np.concatenate([self._ys, (y_new - self._y_mean) / self._y_std])
        new._noise_std = np.concatenate([self._noise_std, noise_new])
        if self._fixed_noise is not None:
            new._fixed_noise = new._noise_std
        new._gmask = np.concatenate([self._gmask, np.zeros(k, dtype=bool)])
        new._G = np.vstack([self._G, np.zeros_like(X_new)])
        new._X = np.vstack([self._X, X_new])
        new._y = np.concatenate([self._y, y_new])
        try:
            new._refactor()
        except np.linalg.LinAlgError as exc:
            raise ValueError(f"X_new cannot be added with jitter={self.jitter!r} ({exc}); "
                             "use jitter='auto' or a noise > 0") from None
        return new

    def _publish(self, host):
        self.gradients_train_ = (self._G[self._gmask] if self._gmask.any() else None)
        super()._publish(host)
        if self.gradients_train_ is not None:
            host.move_attributes(self, ("gradients_train_",))

    @classmethod
    def _test_instance(cls):
        return cls(max_iter=30)
