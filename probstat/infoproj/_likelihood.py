"""General regular models given by a per-observation log-likelihood.

:class:`LikelihoodModel` feeds :func:`~probstat.infoproj.risk_expansion_general` through
:func:`~probstat.infoproj.loglik_moments`; its derivatives come from the user (analytic) or
from Richardson-extrapolated central differences.
"""

from __future__ import annotations

import numpy as np

from .._warn import warn
from ..backend import on_host
from ..utils import ConvergenceWarning, check_option, check_scalar_in
from ._core import loglik_moments, risk_expansion_general
from ._expfam import _as_2d, _vector, richardson_derivative

__all__ = ["LikelihoodModel"]


def _fd_derivs(f, theta, h):
    """Per-observation derivative tensors of orders 1..4 of f(theta) -> (n,) by
    Richardson-extrapolated central differences."""
    factor = {1: 1.0, 2: 3.0, 3: 6.0, 4: 10.0}
    return [richardson_derivative(f, theta, h * factor[k], k) for k in range(1, 5)]


class LikelihoodModel:
    """A general regular parametric model given by its per-observation log-likelihood.

    Used by :class:`PNCriterion` through :func:`risk_expansion_general`. Derivatives of the
    log-likelihood up to order 4 come from ``derivs`` (analytic) or from Richardson-
    extrapolated central differences of ``loglike_obs``. Methods taking arrays accept
    array-API input (copied to the host) and return arrays in the input's namespace; the
    callables always receive NumPy arrays.

    This is the general regular model of Sheena [1]_ (section 2), fitted by maximum
    likelihood and allowed to be misspecified, so that the MLE converges to the
    information projection with White's sandwich covariance [2]_.

    Parameters
    ----------
    loglike_obs : callable, optional
        ``(theta, X) -> (n,)`` log-likelihood of each observation.
    derivs : callable, optional
        ``(theta, X) -> (l1, l2, l3, l4)`` with shapes (n, p), (n, p, p), (n, p, p, p),
        (n, p, p, p, p).
    fit : callable, optional
        ``X -> theta_hat``; default maximises the sum of ``loglike_obs`` from ``theta0``
        (Nelder-Mead, then BFGS).
    theta0 : array of shape (p,), optional
        Start for the default ``fit``; also fixes ``p``.
    model_expect : callable, optional
        ``theta -> (nodes, weights)``: a quadrature rule, enumeration or sample of the
        *model* at ``theta``, for ``G = -E*[l_ij]``, ``D3``, ``D4``. When omitted they are
        taken from the data (exact for canonical-link GLMs and natural exponential families,
        a correct-model plug-in otherwise).
    fd_step : float, default=1e-4
        Relative finite-difference step.
    name : str, default="loglik"
        Label used in reports.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 2, "Estimation Risk for General
       Case and Exponential Family".
    .. [2] H. White, "Maximum likelihood estimation of misspecified models",
       Econometrica 50(1) (1982), 1-25.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.infoproj import LikelihoodModel
    >>> model = LikelihoodModel(lambda th, X: th[0] * X[:, 0] + np.log(-th[0]),
    ...                         fit=lambda X: np.array([-1 / X[:, 0].mean()]))
    >>> X = np.random.default_rng(0).exponential(size=(500, 1))
    >>> l1, l2, l3, l4 = model.derivatives(model.fit(X), X)
    >>> l4.shape
    (500, 1, 1, 1, 1)
    """

    def __init__(self, loglike_obs=None, derivs=None, *, fit=None, theta0=None,
                 model_expect=None, fd_step=1e-4, name="loglik"):
        if loglike_obs is None and derivs is None:
            raise ValueError("give loglike_obs or derivs")
        for nm, fn in (("loglike_obs", loglike_obs), ("derivs", derivs), ("fit", fit),
                       ("model_expect", model_expect)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{nm} must be callable")
        if fit is None and theta0 is None:
            raise ValueError("give fit (X -> theta_hat) or theta0 (a start for the MLE)")
        if not isinstance(name, str):
            raise TypeError(f"name must be a string (got {name!r})")
        host = on_host(theta0, where="LikelihoodModel")
        self.loglike_obs = loglike_obs
        self.derivs = derivs
        self._fit_fn = fit
        self.theta0 = None if theta0 is None else _vector(host.to_numpy(theta0), "theta0")
        self.model_expect = model_expect
        self.fd_step = check_scalar_in(fd_step, "fd_step", low=0, low_inclusive=False)
        self.name = name

    # ---------------------------------------------------------------- public methods
    def fit(self, X):
        """MLE ``theta_hat`` on ``X``.

        Parameters
        ----------
        X : array of shape (n, d)
            Observations (a 1-D array is one column).

        Returns
        -------
        array of shape (p,)
            The MLE (the best point found, with a ``ConvergenceWarning``, when the
            numerical maximisation does not converge).
        """
        host = on_host(X, where="LikelihoodModel.fit")
        return host.from_numpy(self._fit(_as_2d(host.to_numpy(X))))

    def derivatives(self, theta, X):
        """Per-observation derivatives ``(l1, l2, l3, l4)`` at ``theta``.

        Parameters
        ----------
        theta : array of shape (p,)
            Parameter.
        X : array of shape (n, d)
            Observations.

        Returns
        -------
        l1, l2, l3, l4 : arrays of shapes (n, p), (n, p, p), (n, p, p, p), (n, p, p, p, p)
            Derivatives of the log-likelihood of each observation.
        """
        host = on_host(theta, X, where="LikelihoodModel.derivatives")
        theta, X = self._check(host.to_numpy(theta), host.to_numpy(X))
        return host.from_numpy(self._derivatives(theta, X))

    def logpdf(self, theta, X):
        """Per-observation log-likelihood.

        Parameters
        ----------
        theta : array of shape (p,)
            Parameter.
        X : array of shape (n, d)
            Observations.

        Returns
        -------
        array of shape (n,)
            Log-likelihood of each row.

        Raises
        ------
        ValueError
            If the model was given by ``derivs`` only (no ``loglike_obs``).
        """
        host = on_host(theta, X, where="LikelihoodModel.logpdf")
        theta, X = self._check(host.to_numpy(theta), host.to_numpy(X))
        return host.from_numpy(self._logpdf(theta, X))

    def coefficients(self, theta, X, order=2):
        """Plug-in risk coefficients from :func:`risk_expansion_general`.

        Parameters
        ----------
        theta : array of shape (p,)
            Usually the MLE on ``X``.
        X : array of shape (n, d)
            Observations.
        order : {1, 2}, default=2
            With 1, ``c2`` is returned as 0.

        Returns
        -------
        c1, c2 : float
            Risk coefficients (nats).
        J, K : array of shape (p, p)
            Sensitivity and score covariance (for TIC).
        """
        order = check_option(order, "order", (1, 2))
        host = on_host(theta, X, where="LikelihoodModel.coefficients")
        theta, X = self._check(host.to_numpy(theta), host.to_numpy(X))
        return host.from_numpy(self._coefficients(theta, X, order))

    # ---------------------------------------------------------------- implementations
    def _check(self, theta, X):
        p = None if self.theta0 is None else self.theta0.shape[0]
        return _vector(theta, "theta", p), _as_2d(X)

    def _fit(self, X):
        if self._fit_fn is not None:
            theta = np.asarray(self._fit_fn(X), dtype=float).reshape(-1)
            if not np.all(np.isfinite(theta)):
                raise ValueError("fit returned a theta that is not finite for this X")
            return theta
        import scipy.optimize

        def objective(th):
            with np.errstate(all="ignore"):
                val = -float(np.sum(self.loglike_obs(th, X)))
            return val if np.isfinite(val) else np.inf

        # Nelder-Mead tolerates an infinite objective outside the parameter space;
        # BFGS then polishes from inside it
        start = scipy.optimize.minimize(objective, self.theta0, method="Nelder-Mead",
                                        options={"xatol": 1e-10, "fatol": 1e-12,
                                                 "maxiter": 20000})
        res = scipy.optimize.minimize(objective, start.x, method="BFGS")
        if not np.isfinite(res.fun) or res.fun > start.fun:
            res = start
        if not np.isfinite(res.fun):
            raise ValueError("the log-likelihood of X is not finite at theta0 or anywhere "
                             "the optimiser went; pass a theta0 inside the parameter space")
        if not res.success and not start.success:
            warn(f"MLE did not converge in {res.nit} iterations: {res.message}",
                 ConvergenceWarning)
        return res.x

    def _derivatives(self, theta, X):
        n, p = X.shape[0], theta.shape[0]
        if self.derivs is not None:
            out = [np.asarray(a, float) for a in self.derivs(theta, X)]
            shapes = [(n,) + (p,) * k for k in range(1, 5)]
            if len(out) != 4 or any(a.size != np.prod(s) for a, s in zip(out, shapes)):
                raise ValueError(f"derivs must return four arrays of shapes {shapes}")
            out = [a.reshape(s) for a, s in zip(out, shapes)]
        else:
            h = self.fd_step * np.maximum(np.abs(theta), 1.0)
            out = _fd_derivs(lambda th: np.asarray(self.loglike_obs(th, X), float).reshape(-1),
                             theta, h)
        if not all(np.all(np.isfinite(a)) for a in out):
            raise ValueError("the log-likelihood derivatives are not finite at theta for this "
                             "X (theta on the boundary of the parameter space?)")
        return tuple(out)

    def _logpdf(self, theta, X):
        if self.loglike_obs is None:
            raise ValueError("this LikelihoodModel has no loglike_obs: its log-likelihood "
                             "is unknown")
        return np.asarray(self.loglike_obs(theta, X), float).reshape(-1)

    def _coefficients(self, theta, X, order=2):
        l1, l2, l3, l4 = self._derivatives(theta, X)
        model = None
        if self.model_expect is not None:
            nodes, weights = self.model_expect(theta)
            _, m2, m3, m4 = self._derivatives(theta, _as_2d(nodes, "model_expect nodes"))
            model = (m2, m3, m4, weights)
        mom = loglik_moments(l1, l2, l3, l4, model=model)
        c1, c2 = risk_expansion_general(**mom, order=order)
        return c1, c2, mom["J"], mom["K"]
