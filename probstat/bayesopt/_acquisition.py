"""Acquisition-function objects: configuration, ``bind`` to a fitted GP, values and gradients.

All acquisitions maximise (Frazier's convention): the model is a fitted
:class:`~probstat.bayesopt.GaussianProcess` of the function to *maximise*. ``bind``
returns a copy that caches what does not depend on the query point (the incumbent, base
samples, candidate sets, sampled maxima); the bound object is called on arrays of shape
``(m, d)`` (``(m, q, d)`` for batch acquisitions) and has ``value_and_grad``. Closed forms
and most look-ahead and batch acquisitions have analytic gradients; the others use
batched central differences.

The options are checked when an acquisition is created and the arguments of ``bind``,
``__call__`` and ``value_and_grad`` when those are called; the private ``_value`` and
``_value_and_grad`` work on validated float64 NumPy arrays and are what
:func:`~probstat.bayesopt.maximize_acquisition` calls inside its optimisation loop.
"""

from __future__ import annotations

import copy
import math

import numpy as np
from scipy import special
from sklearn.exceptions import NotFittedError

from ..backend import on_host
from ..utils import check_array, check_rng, check_scalar_in
from ..utils._numerics import logsumexp
from ._checks import check_int, check_model
from ._closed_forms import _LOG_SQRT_2PI, _base_samples, _dlog_h, _log_h
from ._covariance import kernel_matrix
from ._gp import _blas_limit
from ._gradients import qei_value_grad


def _fd_grad(fun, X, step=1e-6):
    """Central differences of a batched function ``fun: (m, ...) -> (m,)``."""
    flat = X.reshape(X.shape[0], -1)
    grad = np.empty_like(flat)
    for j in range(flat.shape[1]):
        e = np.zeros(flat.shape[1])
        e[j] = step
        up = fun((flat + e).reshape(X.shape))
        down = fun((flat - e).reshape(X.shape))
        grad[:, j] = (up - down) / (2 * step)
    return grad.reshape(X.shape)


class AcquisitionFunction:
    """Base class: ``bind`` to a model, then call on points.

    Subclasses implement ``_value(X)`` and optionally ``_value_and_grad(X)`` on float64
    NumPy arrays of shape ``(m, d)``; ``analytic_gradient`` says which. ``smooth=False``
    marks Monte-Carlo acquisitions that are optimised over the raw candidate sample only.
    Array-API query points are evaluated on the host (a
    :class:`~probstat.backend.HostFallbackWarning`) and the values come back in their
    namespace.

    Described in [1]_.

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4 (acquisition functions) and Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.bayesopt import AcquisitionFunction, GaussianProcess
    >>> class PosteriorMean(AcquisitionFunction):
    ...     def _value(self, X):
    ...         return self.model_.predict(X)
    >>> gp = GaussianProcess(noise=0.0, optimizer=None).fit([[0.0], [1.0]], [0.0, 1.0])
    >>> PosteriorMean().bind(gp)([[1.0]]).round(6).tolist()
    [1.0]
    """

    analytic_gradient = False
    smooth = True
    batch = False

    def _params(self):
        return {k: v for k, v in vars(self).items()
                if not k.endswith("_") and not k.startswith("_")}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"

    def bind(self, model, *, best=None, X_pending=None, random_state=None):
        """Return a copy bound to a fitted model of the function to maximise.

        Parameters
        ----------
        model : GaussianProcess
            Fitted on the observations, in the convention that larger is better.
        best : float, optional
            Incumbent value (finite); default the largest observed ``y``.
        X_pending : array-like of shape (k, d), optional
            Points under evaluation (used by the batch acquisitions).
        random_state : None, int, RandomState or Generator
            Seeds base samples and candidate sets (fixed for the bound object's lifetime).

        Returns
        -------
        AcquisitionFunction
            The bound copy.
        """
        model = check_model(model, "model")
        if best is not None:
            best = check_scalar_in(best, "best")
        host = on_host(X_pending, where=f"{type(self).__name__}.bind")
        pending = None
        if X_pending is not None:
            P = check_array(host.to_numpy(X_pending), "X_pending", allow_empty=True, xp=np)
            if P.size:
                d = model.n_features_in_
                if P.ndim != 2 or P.shape[1] != d:
                    raise ValueError(f"X_pending must have shape (k, {d}) "
                                     f"(got {P.shape})")
                pending = P
        return self._bind(model, best, pending, check_rng(random_state))

    def _bind(self, model, best, X_pending, rng):
        """``bind`` on validated arguments."""
        bound = copy.copy(self)
        bound.model_ = model
        bound.best_ = float(np.max(model._y)) if best is None else float(best)
        bound.X_pending_ = X_pending
        bound.rng_ = rng
        with _blas_limit(model._L.shape[0]):
            bound._prepare()
        return bound

    def _prepare(self):
        pass

    def _check_bound(self):
        if not hasattr(self, "model_"):
            raise NotFittedError(f"{type(self).__name__} must be bound with .bind(model) "
                                 "first")

    def _check_X(self, X):
        """Query points as a float64 array of shape (m, d); a 1-D array is one point."""
        X = check_array(X, "X", ndim=(1, 2), xp=np)
        X = X[None] if X.ndim == 1 else X
        self._check_columns(X)
        return X

    def _check_columns(self, X):
        d = self.model_.n_features_in_
        if X.shape[-1] != d:
            raise ValueError(f"X must have {d} columns, one per feature of the model "
                             f"(got {X.shape[-1]})")

    def __call__(self, X):
        """Acquisition values at the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (m, d)
            Query points (a 1-D array is one point).

        Returns
        -------
        ndarray of shape (m,)
            The values.
        """
        self._check_bound()
        host = on_host(X, where=type(self).__name__)
        X = self._check_X(host.to_numpy(X))
        with _blas_limit(self.model_._L.shape[0]):
            return host.from_numpy(self._value(X))

    def value_and_grad(self, X):
        """Values and gradients with respect to ``X``.

        Parameters
        ----------
        X : array-like of shape (m, d)
            Query points (a 1-D array is one point).

        Returns
        -------
        values : ndarray of shape (m,)
            The values.
        grads : ndarray of shape (m, d)
            Their gradients (analytic or central differences).
        """
        self._check_bound()
        host = on_host(X, where=f"{type(self).__name__}.value_and_grad")
        X = self._check_X(host.to_numpy(X))
        with _blas_limit(self.model_._L.shape[0]):
            return host.from_numpy(self._evaluate_with_grad(X))

    def _evaluate_with_grad(self, X):
        if self.analytic_gradient:
            return self._value_and_grad(X)
        return self._value(X), _fd_grad(self._value, X)


# -------------------------------------------------------------------- analytic ones
class _Analytic(AcquisitionFunction):
    analytic_gradient = True

    def _moments(self, X, grad):
        if grad:
            return self.model_._predict_with_grad_np(X)
        mu, sd = self.model_._predict_np(X, return_std=True)
        return mu, sd, None, None

    def _standardized(self, X, grad):
        """``z = (mu - best - xi) / sd`` with sd floored, its gradient ``dz`` and ``dsd``."""
        mu, sd, dmu, dsd = self._moments(X, grad)
        sd = np.maximum(sd, 1e-12 * max(1.0, abs(self.best_)))
        z = (mu - self.best_ - self.xi) / sd
        dz = (dmu - z[:, None] * dsd) / sd[:, None] if grad else None
        return z, sd, dz, dsd

    def _value(self, X):
        return self._compute(X, grad=False)[0]

    def _value_and_grad(self, X):
        return self._compute(X, grad=True)


class _Margin(_Analytic):
    def __init__(self, xi=0.0):
        self.xi = check_scalar_in(xi, "xi", low=0)


class ExpectedImprovement(_Margin):
    """Expected improvement ``E[max(f(x) - best - xi, 0)]``.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    xi : float, default=0.0
        Extra margin over the incumbent (finite, >= 0).

    References
    ----------
    .. [1] D. R. Jones, M. Schonlau and W. J. Welch, "Efficient global optimization of
       expensive black-box functions", Journal of Global Optimization 13(4):455-492, 1998,
       Section 4.1.
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.1, eqs. (7)-(8).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.bayesopt import GaussianProcess, ExpectedImprovement
    >>> X = np.array([[0.1], [0.5], [0.9]])
    >>> gp = GaussianProcess(noise=0.0, optimizer=None).fit(X, [0.0, 1.0, 0.2])
    >>> ei = ExpectedImprovement().bind(gp)
    >>> bool(ei([[0.6]])[0] > 0)
    True
    """

    def _compute(self, X, grad):
        mu, sd, dmu, dsd = self._moments(X, grad)
        best = self.best_ + self.xi
        sd_safe = np.maximum(sd, 1e-300)
        z = (mu - best) / sd_safe
        val = np.where(sd > 0, sd_safe * np.exp(_log_h(z)), np.maximum(mu - best, 0.0))
        if not grad:
            return val, None
        # d EI = Phi(z) dmu + phi(z) dsd
        g = special.ndtr(z)[:, None] * dmu + np.exp(-0.5 * z**2 - _LOG_SQRT_2PI)[:, None] * dsd
        return val, g


class LogExpectedImprovement(_Margin):
    """Log expected improvement, finite and with a non-vanishing gradient far in the tail.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    xi : float, default=0.0
        Extra margin over the incumbent (finite, >= 0).

    References
    ----------
    .. [1] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708, the LogEI formulation.
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.1, eq. (8).
    """

    def _compute(self, X, grad):
        z, sd, dz, dsd = self._standardized(X, grad)
        val = np.log(sd) + _log_h(z)
        if not grad:
            return val, None
        return val, dsd / sd[:, None] + _dlog_h(z)[:, None] * dz


class ProbabilityOfImprovement(_Margin):
    """Probability of improvement ``Phi((mu - best - xi) / sigma)``.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    xi : float, default=0.0
        Extra margin over the incumbent (finite, >= 0).

    References
    ----------
    .. [1] H. J. Kushner, "A new method of locating the maximum point of an arbitrary
       multipeak curve in the presence of noise", Journal of Basic Engineering 86(1), 1964.
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.1 (probability of improvement, discussed beside EI).
    """

    def _compute(self, X, grad):
        z, _, dz, _ = self._standardized(X, grad)
        val = special.ndtr(z)
        if not grad:
            return val, None
        return val, np.exp(-0.5 * z**2 - _LOG_SQRT_2PI)[:, None] * dz


class LogProbabilityOfImprovement(_Margin):
    """``log Phi((mu - best - xi) / sigma)`` via ``log_ndtr``.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    xi : float, default=0.0
        Extra margin over the incumbent (finite, >= 0).

    References
    ----------
    .. [1] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708, the log-space acquisitions (LogPI).
    .. [2] H. J. Kushner, "A new method of locating the maximum point of an arbitrary
       multipeak curve in the presence of noise", Journal of Basic Engineering 86(1), 1964.
    """

    def _compute(self, X, grad):
        z, _, dz, _ = self._standardized(X, grad)
        val = special.log_ndtr(z)
        if not grad:
            return val, None
        return val, np.exp(-0.5 * z**2 - _LOG_SQRT_2PI - val)[:, None] * dz


class UpperConfidenceBound(_Analytic):
    """GP-UCB ``mu + sqrt(beta) sigma`` (Srinivas et al. 2010).

    Described in [1]_.

    Parameters
    ----------
    beta : float, default=4.0
        Exploration weight (finite, >= 0).

    References
    ----------
    .. [1] N. Srinivas, A. Krause, S. M. Kakade and M. Seeger, "Gaussian process
       optimization in the bandit setting: no regret and experimental design", ICML 2010,
       arXiv:0912.3995, the GP-UCB rule.
    """

    def __init__(self, beta=4.0):
        self.beta = check_scalar_in(beta, "beta", low=0)

    def _compute(self, X, grad):
        mu, sd, dmu, dsd = self._moments(X, grad)
        k = math.sqrt(self.beta)
        return mu + k * sd, (None if not grad else dmu + k * dsd)


class ConstrainedExpectedImprovement(_Analytic):
    """Log of EI times the probability of feasibility, for expensive constraints.

    ``log EI(x; best feasible) + sum_i log P(c_i(x) <= 0)`` with one GP per constraint
    (Schonlau, Welch & Jones 1998; Gardner et al. 2014), evaluated in log space. Before any
    feasible point is known, only the log probability of feasibility is maximised.

    Described in [1]_, [2]_ and [3]_.

    Parameters
    ----------
    constraint_models : list of GaussianProcess, optional
        Models of the constraint functions, fitted on the same points as the objective's
        model when bound; ``c_i(x) <= 0`` is feasible.

    References
    ----------
    .. [1] J. R. Gardner, M. J. Kusner, Z. Xu, K. Q. Weinberger and J. P. Cunningham,
       "Bayesian optimization with inequality constraints", ICML 2014, constrained EI: EI
       times the probability of feasibility.
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 5 (expensive-to-evaluate constraints).
    .. [3] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708, the log-space EI.
    """

    def __init__(self, constraint_models=None):
        from ._gp import GaussianProcess

        if constraint_models is not None:
            if not isinstance(constraint_models, (list, tuple)) or not all(
                    isinstance(m, GaussianProcess) for m in constraint_models):
                raise TypeError("constraint_models must be a list of GaussianProcess models "
                                f"or None (got {constraint_models!r})")
        self.constraint_models = constraint_models

    def _prepare(self):
        self.cmodels_ = list(self.constraint_models or [])
        if not self.cmodels_:
            raise ValueError("constraint_models must hold at least one fitted model")
        X, y = self.model_._X, self.model_._y
        feasible = np.ones(X.shape[0], dtype=bool)
        for i, cm in enumerate(self.cmodels_):
            check_model(cm, f"constraint_models[{i}]")
            if cm._X.shape != X.shape:
                raise ValueError(f"constraint_models[{i}] must be fitted on the same points "
                                 "as model")
            feasible &= cm._y <= 0
        self.has_feasible_ = bool(feasible.any())
        if self.has_feasible_:
            self.best_ = float(np.max(y[feasible]))
        self._logei = LogExpectedImprovement()._bind(self.model_, self.best_, None, self.rng_)

    def _compute(self, X, grad):
        total = np.zeros(X.shape[0])
        gtot = np.zeros_like(X) if grad else None
        if self.has_feasible_:
            v, g = self._logei._compute(X, grad)
            total += v
            if grad:
                gtot += g
        for cm in self.cmodels_:
            if grad:
                mu, sd, dmu, dsd = cm._predict_with_grad_np(X)
            else:
                mu, sd = cm._predict_np(X, return_std=True)
            sd = np.maximum(sd, 1e-12)
            w = -mu / sd
            lp = special.log_ndtr(w)
            total += lp
            if grad:
                dw = -(dmu + w[:, None] * dsd) / sd[:, None]
                gtot += np.exp(-0.5 * w**2 - _LOG_SQRT_2PI - lp)[:, None] * dw
        return total, gtot


# -------------------------------------------------------------------- batch (q) ones
class qExpectedImprovement(AcquisitionFunction):
    """Batch expected improvement ``E[max_j (f(x_j) - best)^+]`` by quasi-Monte Carlo.

    Called on arrays of shape ``(m, q, d)`` (a 2-D array is ``m`` batches of one point);
    fixed scrambled-Sobol base samples (drawn at ``bind``) make it a deterministic
    function (sample-average approximation). Pending points given to ``bind`` join every
    batch jointly. Analytic gradient: the reparameterised sample-path derivative with the
    base samples fixed (through the derivative of the batch covariance's Cholesky
    factor).

    Described in [1]_, [2]_ and [3]_.

    Parameters
    ----------
    n_samples : int, default=256
        Number of base samples (>= 1).

    References
    ----------
    .. [1] D. Ginsbourger, R. Le Riche and L. Carraro, "Kriging is well-suited to
       parallelize optimization", in *Computational Intelligence in Expensive Optimization
       Problems*, Springer, 2010, the multipoint q-EI.
    .. [2] M. Balandat, B. Karrer, D. R. Jiang, S. Daulton, B. Letham, A. G. Wilson and E.
       Bakshy, "BoTorch: a framework for efficient Monte-Carlo Bayesian optimization",
       NeurIPS 2020, arXiv:1910.06403, Monte-Carlo acquisitions with fixed base samples.
    .. [3] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 5 (parallel evaluations).
    """

    batch = True
    analytic_gradient = True
    _log = False

    def __init__(self, n_samples=256):
        self.n_samples = check_int(n_samples, "n_samples", 1)

    def _prepare(self):
        self.base_ = None  # drawn lazily when q is known

    def _check_X(self, X):
        X = check_array(X, "X", ndim=(2, 3), xp=np)
        X = X[:, None, :] if X.ndim == 2 else X
        self._check_columns(X)
        return X

    def _joint(self, Xb):
        model = self.model_
        m, q, d = Xb.shape
        if self.X_pending_ is not None:
            P = np.broadcast_to(self.X_pending_, (m, *self.X_pending_.shape))
            Xb = np.concatenate([Xb, P], axis=1)
            q = Xb.shape[1]
        flat = Xb.reshape(m * q, d)
        mu = model._predict_np(flat).reshape(m, q)
        U = model._scale_x(flat)
        v = model._half_solve(U).T.reshape(m, q, -1)
        Ub = U.reshape(m, q, d)
        K = np.stack([kernel_matrix(model.kernel, Ub[i], Ub[i], model._ls, model._sv)
                      for i in range(m)])
        cov = (K - v @ v.transpose(0, 2, 1)) * model._y_std**2
        return mu, cov

    def _samples(self, Xb):
        mu, cov = self._joint(Xb)
        q = mu.shape[1]
        if self.base_ is None or self.base_.shape[1] != q:
            self.base_ = _base_samples(int(self.n_samples), q, True, copy.deepcopy(self.rng_))
        scale = np.mean(np.abs(np.diagonal(cov, axis1=1, axis2=2)), axis=1) + 1e-30
        cov = cov + (1e-9 * scale)[:, None, None] * np.eye(q)
        L = np.linalg.cholesky(cov)
        return mu[:, None, :] + self.base_[None] @ L.transpose(0, 2, 1)

    def _value(self, Xb):
        f = self._samples(Xb)
        imp = np.max(f - self.best_, axis=2)  # (m, S)
        if not self._log:
            return np.mean(np.maximum(imp, 0.0), axis=1)
        tau = 1e-3 * self.model_._y_std
        # log mean_s tau * softplus(imp / tau), computed in log space
        u = imp / tau
        log_sp = np.empty_like(u)
        hi, lo = u > 30, u < -30
        mid = ~(hi | lo)
        log_sp[hi] = np.log(u[hi])
        log_sp[lo] = u[lo]
        log_sp[mid] = np.log(np.log1p(np.exp(u[mid])))
        return math.log(tau) + logsumexp(log_sp, axis=1, xp=np) - math.log(u.shape[1])

    def _value_and_grad(self, Xb):
        return qei_value_grad(self, Xb)

    def value_and_grad(self, X):
        """Values and analytic gradients for batches of shape ``(m, q, d)``.

        Parameters
        ----------
        X : array-like of shape (m, q, d) or (m, d)
            Candidate batches of ``q`` points each; a 2-D array is read as ``m`` batches of
            one point.

        Returns
        -------
        values : ndarray of shape (m,)
            Acquisition value of each batch.
        grads : ndarray of shape (m, q, d)
            Gradients of the values with respect to ``X`` (the sample-path gradient with
            the base samples fixed).
        """
        return super().value_and_grad(X)


class qLogExpectedImprovement(qExpectedImprovement):
    """Log of a smoothed batch EI: ``log mean_s tau softplus(max_j (f_j - best) / tau)``.

    The softplus (temperature ``tau = 1e-3`` output standard deviations) keeps the value
    finite and its gradient non-zero where no sample improves (Ament et al. 2023).

    Described in [1]_ and [2]_.

    Parameters
    ----------
    n_samples : int, default=256
        Number of base samples (>= 1).

    References
    ----------
    .. [1] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708, qLogEI (smoothed max and fat-tailed softplus).
    .. [2] M. Balandat, B. Karrer, D. R. Jiang, S. Daulton, B. Letham, A. G. Wilson and E.
       Bakshy, "BoTorch: a framework for efficient Monte-Carlo Bayesian optimization",
       NeurIPS 2020, arXiv:1910.06403, Monte-Carlo acquisition functions.
    """

    _log = True
