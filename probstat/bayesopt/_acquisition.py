"""Acquisition-function objects: configuration, ``bind`` to a fitted GP, values and gradients.

All acquisitions maximise (Frazier's convention): the model is a fitted
:class:`~probstat.bayesopt.GaussianProcess` of the function to *maximise*. ``bind``
returns a copy that caches what does not depend on the query point (the incumbent, base
samples, candidate sets, sampled maxima); the bound object is called on arrays of shape
``(m, d)`` (``(m, q, d)`` for batch acquisitions) and has ``value_and_grad``. Closed forms
have analytic gradients; the others use batched central differences.
"""

from __future__ import annotations

import copy
import math

import numpy as np
from scipy import special

from ..utils import check_rng
from ._closed_forms import (
    _LOG_SQRT_2PI,
    _dlog_h,
    discrete_knowledge_gradient,
    log_h,
    max_value_entropy_search,
    noisy_expected_improvement,
    normal_base_samples,
)
from ._threads import blas_single_thread


def _fd_grad(fun, X, step=1e-6):
    """Central differences of a batched function ``fun: (m, ...) -> (m,)``."""
    X = np.asarray(X, dtype=float)
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

    Subclasses implement ``_value(X)`` and optionally ``_value_and_grad(X)``.
    ``analytic_gradient`` says which; ``smooth=False`` marks Monte-Carlo acquisitions that
    are optimised over the raw candidate sample only.
    """

    analytic_gradient = False
    smooth = True
    batch = False

    def _params(self):
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"

    def bind(self, model, *, best=None, X_pending=None, random_state=None):
        """Return a copy bound to a fitted model of the function to maximise.

        Parameters
        ----------
        model : GaussianProcess
            Fitted on the observations (``X_train_``, ``y_train_``), in the convention
            that larger is better.
        best : float, optional
            Incumbent value; default the largest observed ``y``.
        X_pending : array-like of shape (k, d), optional
            Points under evaluation (used by the batch acquisitions).
        random_state : None, int, RandomState or Generator
            Seeds base samples and candidate sets (fixed for the bound object's lifetime).

        Returns
        -------
        AcquisitionFunction
            The bound copy.
        """
        bound = copy.copy(self)
        bound.model_ = model
        bound.best_ = float(np.max(model.y_train_)) if best is None else float(best)
        bound.X_pending_ = (None if X_pending is None or len(X_pending) == 0
                            else np.asarray(X_pending, dtype=float))
        bound.rng_ = check_rng(random_state)
        with blas_single_thread():
            bound._prepare()
        return bound

    def _prepare(self):
        pass

    def _check_bound(self):
        if not hasattr(self, "model_"):
            raise RuntimeError(f"{type(self).__name__} must be bound with .bind(model) first")

    def __call__(self, X):
        """Acquisition values at the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (m, d)

        Returns
        -------
        ndarray of shape (m,)
        """
        self._check_bound()
        with blas_single_thread():
            return self._value(np.atleast_2d(np.asarray(X, dtype=float)))

    def value_and_grad(self, X):
        """Values and gradients with respect to ``X``.

        Parameters
        ----------
        X : array-like of shape (m, d)

        Returns
        -------
        values : ndarray of shape (m,)
        grads : ndarray of shape (m, d)
        """
        self._check_bound()
        X = np.atleast_2d(np.asarray(X, dtype=float))
        with blas_single_thread():
            if self.analytic_gradient:
                return self._value_and_grad(X)
            return self._value(X), _fd_grad(self._value, X)


# -------------------------------------------------------------------- analytic ones
class _Analytic(AcquisitionFunction):
    analytic_gradient = True

    def _moments(self, X, grad):
        if grad:
            return self.model_.predict_with_grad(X)
        mu, sd = self.model_.predict(X, return_std=True)
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


class ExpectedImprovement(_Analytic):
    """Expected improvement ``E[max(f(x) - best - xi, 0)]``.

    Parameters
    ----------
    xi : float, default=0.0
        Extra margin over the incumbent.

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

    def __init__(self, xi=0.0):
        self.xi = xi

    def _compute(self, X, grad):
        mu, sd, dmu, dsd = self._moments(X, grad)
        best = self.best_ + self.xi
        sd_safe = np.maximum(sd, 1e-300)
        z = (mu - best) / sd_safe
        val = np.where(sd > 0, sd_safe * np.exp(log_h(z)), np.maximum(mu - best, 0.0))
        if not grad:
            return val, None
        # d EI = Phi(z) dmu + phi(z) dsd
        g = special.ndtr(z)[:, None] * dmu + np.exp(-0.5 * z**2 - _LOG_SQRT_2PI)[:, None] * dsd
        return val, g


class LogExpectedImprovement(_Analytic):
    """Log expected improvement, finite and with a non-vanishing gradient far in the tail.

    Parameters
    ----------
    xi : float, default=0.0
        Extra margin over the incumbent.
    """

    def __init__(self, xi=0.0):
        self.xi = xi

    def _compute(self, X, grad):
        z, sd, dz, dsd = self._standardized(X, grad)
        val = np.log(sd) + log_h(z)
        if not grad:
            return val, None
        return val, dsd / sd[:, None] + _dlog_h(z)[:, None] * dz


class ProbabilityOfImprovement(_Analytic):
    """Probability of improvement ``Phi((mu - best - xi) / sigma)``.

    Parameters
    ----------
    xi : float, default=0.0
    """

    def __init__(self, xi=0.0):
        self.xi = xi

    def _compute(self, X, grad):
        z, _, dz, _ = self._standardized(X, grad)
        val = special.ndtr(z)
        if not grad:
            return val, None
        return val, np.exp(-0.5 * z**2 - _LOG_SQRT_2PI)[:, None] * dz


class LogProbabilityOfImprovement(_Analytic):
    """``log Phi((mu - best - xi) / sigma)`` via ``log_ndtr``.

    Parameters
    ----------
    xi : float, default=0.0
    """

    def __init__(self, xi=0.0):
        self.xi = xi

    def _compute(self, X, grad):
        z, _, dz, _ = self._standardized(X, grad)
        val = special.log_ndtr(z)
        if not grad:
            return val, None
        return val, np.exp(-0.5 * z**2 - _LOG_SQRT_2PI - val)[:, None] * dz


class UpperConfidenceBound(_Analytic):
    """GP-UCB ``mu + sqrt(beta) sigma`` (Srinivas et al. 2010).

    Parameters
    ----------
    beta : float, default=4.0
    """

    def __init__(self, beta=4.0):
        self.beta = beta

    def _compute(self, X, grad):
        if not (np.isfinite(self.beta) and self.beta >= 0):
            raise ValueError(f"beta must be finite and >= 0 (got {self.beta})")
        mu, sd, dmu, dsd = self._moments(X, grad)
        k = math.sqrt(self.beta)
        return mu + k * sd, (None if not grad else dmu + k * dsd)


class ConstrainedExpectedImprovement(_Analytic):
    """Log of EI times the probability of feasibility, for expensive constraints.

    ``log EI(x; best feasible) + sum_i log P(c_i(x) <= 0)`` with one GP per constraint
    (Schonlau, Welch & Jones 1998; Gardner et al. 2014), evaluated in log space. Before any
    feasible point is known, only the log probability of feasibility is maximised.

    Parameters
    ----------
    constraint_models : list of GaussianProcess, optional
        Fitted models of the constraint functions; ``c_i(x) <= 0`` is feasible. May also
        be given to :meth:`bind_constraints`.
    """

    def __init__(self, constraint_models=None):
        self.constraint_models = constraint_models

    def _prepare(self):
        models = self.constraint_models or []
        self.cmodels_ = list(models)
        if not self.cmodels_:
            raise ValueError("ConstrainedExpectedImprovement needs constraint_models")
        X = self.model_.X_train_
        y = self.model_.y_train_
        feasible = np.ones(X.shape[0], dtype=bool)
        for cm in self.cmodels_:
            if cm.X_train_.shape[0] != X.shape[0]:
                raise ValueError("constraint models must be fitted on the same points as model")
            feasible &= cm.y_train_ <= 0
        self.has_feasible_ = bool(feasible.any())
        if self.has_feasible_:
            self.best_ = float(np.max(y[feasible]))
        self._logei = LogExpectedImprovement().bind(self.model_, best=self.best_)

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
                mu, sd, dmu, dsd = cm.predict_with_grad(X)
            else:
                mu, sd = cm.predict(X, return_std=True)
            sd = np.maximum(sd, 1e-12)
            w = -mu / sd
            lp = special.log_ndtr(w)
            total += lp
            if grad:
                dw = -(dmu + w[:, None] * dsd) / sd[:, None]
                gtot += np.exp(-0.5 * w**2 - _LOG_SQRT_2PI - lp)[:, None] * dw
        return total, gtot


# -------------------------------------------------------------------- KG family
def _scaled_cov(model, A, X):
    """Posterior covariance Sigma_n(A, x) and variance at x, row per query point."""
    cov = model.posterior_cov(X, A)  # (m, |A|)
    _, sd = model.predict(X, return_std=True)
    return cov, sd**2


def _model_noise(model):
    noise = np.asarray(model.noise_, dtype=float)
    return float(noise.mean()) if noise.size else 0.0


class NoisyExpectedImprovement(AcquisitionFunction):
    """Frazier's noisy expected improvement, computed exactly with the discrete KG.

    ``E_n[max_{i<=n+1} mu_{n+1}(x_i) - max_{i<=n} mu_n(x_i)]`` where ``x_{n+1}`` is the
    query point and the next observation carries the model's fitted noise (Frazier 2018,
    section 5; the KGCP of Scott, Frazier & Powell 2011). Without noise it equals EI with
    the incumbent ``max_i mu_n(x_i)``. Gradient by central differences.
    """

    def _prepare(self):
        X = self.model_.X_train_
        self.X_obs_ = X
        self.mean_obs_ = self.model_.predict(X)
        self.noise_var_ = _model_noise(self.model_)

    def _value(self, X):
        cov, var = _scaled_cov(self.model_, self.X_obs_, X)
        mu = self.model_.predict(X)
        return noisy_expected_improvement(self.mean_obs_, mu, cov, var, self.noise_var_)


class KnowledgeGradient(AcquisitionFunction):
    """Knowledge gradient ``E_n[max_x' mu_{n+1}(x') - max_x' mu_n(x')]``.

    Parameters
    ----------
    method : {"discrete", "fantasy"}, default="discrete"
        ``"discrete"``: exact Frazier-Powell-Dayanik KG on a candidate set (the evaluated
        points plus ``n_candidates`` scrambled-Sobol points, fixed at ``bind``, plus the
        query point): ``E max mu_{n+1} - max mu_n`` over that set. ``"fantasy"``: the
        continuous KG by simulation (Frazier 2018, Algorithm 2): for ``n_fantasies`` fixed
        standard normals ``Z_j`` (centred to mean 0) the fantasised posterior mean
        ``mu_n(x') + Sigma_n(x', x) Z_j / sqrt(sigma_n^2(x) + noise)`` is maximised over
        the box (all fantasies in one stacked L-BFGS-B problem with analytic gradients,
        started from the current maximiser of the mean, the query point and the best
        candidates) and the maxima averaged, minus the maximum of ``mu_n``.
    n_candidates : int, default=256
    n_fantasies : int, default=16
    candidates : array-like of shape (k, d), optional
        Explicit candidate set for ``"discrete"`` (replaces the Sobol points).
    """

    def __init__(self, method="discrete", n_candidates=256, n_fantasies=16, candidates=None):
        self.method = method
        self.n_candidates = n_candidates
        self.n_fantasies = n_fantasies
        self.candidates = candidates

    def _prepare(self):
        if self.method not in ("discrete", "fantasy"):
            raise ValueError(f"method must be 'discrete' or 'fantasy' (got {self.method!r})")
        model = self.model_
        d = model.X_train_.shape[1]
        lo, span = model._x_lo, model._x_span
        if self.candidates is not None:
            cand = np.asarray(self.candidates, dtype=float)
        else:
            from scipy.stats import qmc

            u = qmc.Sobol(d, scramble=True, seed=self.rng_).random(int(self.n_candidates))
            cand = lo + u * span
        self.A_ = np.vstack([model.X_train_, cand])
        self.mean_A_ = model.predict(self.A_)
        self.noise_var_ = _model_noise(model)
        self.box_ = (lo, lo + span)
        if self.method == "fantasy":
            self.smooth = False
            self.Z_ = normal_base_samples(int(self.n_fantasies), 1, qmc=False,
                                          random_state=self.rng_)[:, 0]
            self.Z_ -= self.Z_.mean()  # antithetic-like centring: E[Z] = 0 exactly
            model_ = model

            def mean_grad(P):
                mu, _, dmu, _ = model_.predict_with_grad(P)
                return mu, dmu

            starts = self.A_[np.argsort(self.mean_A_)[-4:]]
            vals, P = self._lbfgs_rows(mean_grad, starts)
            k = int(np.argmax(vals))
            self.x_star_ = P[k]
            self.mu_star_ = max(float(vals[k]), float(np.max(self.mean_A_)))

    def _lbfgs_rows(self, fun_grad, starts, maxiter=40):
        """Maximise a row-separable function from every row of ``starts`` at once (one
        L-BFGS-B problem on the stacked rows); returns the final rows' values."""
        from scipy.optimize import minimize

        lo, hi = self.box_
        R, d = starts.shape

        def obj(flat):
            v, g = fun_grad(flat.reshape(R, d))
            return -float(np.sum(v)), -g.ravel()

        res = minimize(obj, starts.ravel(), jac=True, method="L-BFGS-B",
                       bounds=list(zip(np.tile(lo, R), np.tile(hi, R))),
                       options={"maxiter": int(maxiter)})
        P = res.x.reshape(R, d)
        return fun_grad(P)[0], P

    def _value(self, X):
        if self.method == "discrete":
            return self._discrete(X)
        return np.array([self._fantasy(x) for x in X])

    def _discrete(self, X):
        cov, var = _scaled_cov(self.model_, self.A_, X)
        mu = self.model_.predict(X)
        denom = np.sqrt(var + self.noise_var_)
        safe = np.where(denom > 0, denom, 1.0)
        m = X.shape[0]
        A = np.concatenate([np.broadcast_to(self.mean_A_, (m, self.mean_A_.size)),
                            mu[:, None]], axis=1)
        B = np.concatenate([cov, var[:, None]], axis=1) / safe[:, None]
        B[denom == 0] = 0.0
        # Frazier's KG on the discretisation A + {x}: E max mu_{n+1} - max mu_n over it
        return discrete_knowledge_gradient(A, B)

    def _fantasy(self, x):
        model = self.model_
        x = x[None]
        _, sd = model.predict(x, return_std=True)
        denom = math.sqrt(float(sd[0]) ** 2 + self.noise_var_)
        if denom == 0:
            return 0.0
        Z = self.Z_
        # every fantasy starts from the current maximiser of the mean, the query point and
        # the two best candidates; all fantasies run in one stacked L-BFGS-B problem
        base = np.vstack([self.x_star_, x, self.A_[np.argsort(self.mean_A_)[-2:]]])
        R = base.shape[0]
        starts = np.tile(base, (Z.size, 1))
        zrow = np.repeat(Z, R)

        def fun_grad(P):
            mu, _, dmu, _ = model.predict_with_grad(P)
            c, dc = model._cov_with_grad(P, x[0])
            return mu + c * zrow / denom, dmu + dc * (zrow / denom)[:, None]

        vals, _ = self._lbfgs_rows(fun_grad, starts)
        best = vals.reshape(Z.size, R).max(axis=1)
        # the fantasised means on the candidate set are lower bounds of each maximum
        cA = model._cov_with_grad(self.A_, x[0])[0]
        onA = (self.mean_A_[None, :] + np.outer(Z, cA) / denom).max(axis=1)
        return max(float(np.mean(np.maximum(best, onA))) - self.mu_star_, 0.0)


class MaxValueEntropySearch(AcquisitionFunction):
    """Max-value entropy search (Wang & Jegelka 2017) with Gumbel-sampled maxima.

    At ``bind``, ``y*`` samples are drawn from the Gumbel approximation of
    ``P(max f <= y) = prod_i Phi((y - mu_i)/sigma_i)`` over a candidate set (BoTorch's
    ``_sample_max_value_Gumbel``; the evaluated points and ``n_candidates`` Sobol points);
    the value is :func:`~probstat.bayesopt.acquisition.max_value_entropy_search`.

    Parameters
    ----------
    n_max_samples : int, default=16
    n_candidates : int, default=512
    """

    def __init__(self, n_max_samples=16, n_candidates=512):
        self.n_max_samples = n_max_samples
        self.n_candidates = n_candidates

    def _prepare(self):
        from scipy.optimize import brentq
        from scipy.stats import qmc

        model = self.model_
        d = model.X_train_.shape[1]
        u = qmc.Sobol(d, scramble=True, seed=self.rng_).random(int(self.n_candidates))
        cand = np.vstack([model.X_train_, model._x_lo + u * model._x_span])
        mu, sd = model.predict(cand, return_std=True)
        sd = np.maximum(sd, 1e-10)
        y_max_obs = float(np.max(model.y_train_))

        def log_cdf(y):
            return float(np.sum(special.log_ndtr((y - mu) / sd)))

        lo_y = max(float(np.max(mu)), y_max_obs)
        hi_y = float(np.max(mu + 8 * sd)) + 1e-9
        qs = []
        for q in (0.25, 0.5, 0.75):
            target = math.log(q)
            a = lo_y - 10 * float(np.max(sd)) - 1.0
            qs.append(brentq(lambda y, t=target: log_cdf(y) - t, a, hi_y))
        q25, q50, q75 = qs
        b = (q25 - q75) / (math.log(math.log(4.0 / 3.0)) - math.log(math.log(4.0)))
        a = q50 + b * math.log(math.log(2.0))
        uu = self.rng_.uniform(size=int(self.n_max_samples))
        ystar = a - b * np.log(-np.log(uu))
        # a maximum below an observed value is impossible without noise
        self.max_samples_ = np.maximum(ystar, y_max_obs + 1e-6 * max(1.0, abs(y_max_obs)))

    def _value(self, X):
        mu, sd = self.model_.predict(X, return_std=True)
        sd = np.maximum(sd, 1e-10)
        return max_value_entropy_search(mu, sd, self.max_samples_)


class EntropySearch(AcquisitionFunction):
    """Entropy search on a candidate set (Frazier 2018, section 4.3; Hennig & Schuler 2012).

    ``H(P_n(x*)) - E_y[H(P_{n+1}(x* | y at x))]`` where the distribution of the maximiser
    ``x*`` over ``n_candidates`` points is estimated from ``n_paths`` joint posterior draws
    (fixed base samples) and the expectation over the new observation uses ``n_fantasies``
    quasi-random fantasies. Entropies in nats. A Monte-Carlo, piecewise-constant estimate:
    the optimiser uses it on raw samples only.

    Parameters
    ----------
    n_candidates : int, default=64
    n_paths : int, default=256
    n_fantasies : int, default=8
    """

    smooth = False

    def __init__(self, n_candidates=64, n_paths=256, n_fantasies=8):
        self.n_candidates = n_candidates
        self.n_paths = n_paths
        self.n_fantasies = n_fantasies

    def _prepare(self):
        from scipy.stats import qmc

        model = self.model_
        d = model.X_train_.shape[1]
        u = qmc.Sobol(d, scramble=True, seed=self.rng_).random(int(self.n_candidates))
        self.A_ = model._x_lo + u * model._x_span
        self.mean_A_, self.cov_A_ = model.predict(self.A_, return_cov=True)
        self.eps_ = self.rng_.standard_normal((int(self.n_paths), self.A_.shape[0]))
        self.Z_ = normal_base_samples(int(self.n_fantasies), 1, random_state=self.rng_)[:, 0]
        self.noise_var_ = _model_noise(model)
        self.h0_ = self._argmax_entropy(self.mean_A_, self.cov_A_)

    def _argmax_entropy(self, mean, cov):
        from ._gp import _cholesky

        L, _ = _cholesky(0.5 * (cov + cov.T), "auto")
        paths = mean[None, :] + self.eps_ @ L.T
        counts = np.bincount(np.argmax(paths, axis=1), minlength=mean.size)
        p = counts[counts > 0] / paths.shape[0]
        return float(-np.sum(p * np.log(p)))

    def _value(self, X):
        out = np.empty(X.shape[0])
        for k, x in enumerate(X):
            c = self.model_.posterior_cov(self.A_, x[None])[:, 0]
            _, sd = self.model_.predict(x[None], return_std=True)
            denom = math.sqrt(float(sd[0]) ** 2 + self.noise_var_)
            if denom == 0:
                out[k] = 0.0
                continue
            b = c / denom
            cov_new = self.cov_A_ - np.outer(b, b)
            h = np.mean([self._argmax_entropy(self.mean_A_ + b * z, cov_new) for z in self.Z_])
            out[k] = self.h0_ - h
        return out


# -------------------------------------------------------------------- batch (q) ones
class qExpectedImprovement(AcquisitionFunction):
    """Batch expected improvement ``E[max_j (f(x_j) - best)^+]`` by quasi-Monte Carlo.

    Called on arrays of shape ``(m, q, d)``; fixed scrambled-Sobol base samples (drawn at
    ``bind``) make it a deterministic function (sample-average approximation). Pending
    points given to ``bind`` join every batch jointly. Gradient by central differences.

    Parameters
    ----------
    n_samples : int, default=256
    """

    batch = True
    _log = False

    def __init__(self, n_samples=256):
        self.n_samples = n_samples

    def _prepare(self):
        self.base_ = None  # drawn lazily when q is known

    def _joint(self, Xb):
        model = self.model_
        m, q, d = Xb.shape
        if self.X_pending_ is not None:
            P = np.broadcast_to(self.X_pending_, (m, *self.X_pending_.shape))
            Xb = np.concatenate([Xb, P], axis=1)
            q = Xb.shape[1]
        flat = Xb.reshape(m * q, d)
        mu = model.predict(flat).reshape(m, q)
        _, U = model._prepare(flat)
        v = model._half_solve(U).T.reshape(m, q, -1)
        from ._covariance import kernel_matrix

        Ub = U.reshape(m, q, d)
        K = np.stack([kernel_matrix(model.kernel, Ub[i], Ub[i], model._ls, model._sv)
                      for i in range(m)])
        cov = (K - v @ v.transpose(0, 2, 1)) * model._y_std**2
        return mu, cov

    def _samples(self, Xb):
        mu, cov = self._joint(Xb)
        q = mu.shape[1]
        if self.base_ is None or self.base_.shape[1] != q:
            self.base_ = normal_base_samples(int(self.n_samples), q,
                                             random_state=copy.deepcopy(self.rng_))
        scale = np.mean(np.abs(np.diagonal(cov, axis1=1, axis2=2)), axis=1) + 1e-30
        cov = cov + (1e-9 * scale)[:, None, None] * np.eye(q)
        L = np.linalg.cholesky(cov)
        return mu[:, None, :] + self.base_[None] @ L.transpose(0, 2, 1)

    def __call__(self, X):
        self._check_bound()
        X = np.asarray(X, dtype=float)
        if X.ndim == 2:
            X = X[:, None, :]
        with blas_single_thread():
            return self._value(X)

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
        return math.log(tau) + special.logsumexp(log_sp, axis=1) - math.log(u.shape[1])

    def value_and_grad(self, X):
        """Values and central-difference gradients for batches of shape ``(m, q, d)``.

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
            Central-difference gradients of the values with respect to ``X``.
        """
        self._check_bound()
        X = np.asarray(X, dtype=float)
        if X.ndim == 2:
            X = X[:, None, :]
        with blas_single_thread():
            return self._value(X), _fd_grad(self._value, X)


class qLogExpectedImprovement(qExpectedImprovement):
    """Log of a smoothed batch EI: ``log mean_s tau softplus(max_j (f_j - best) / tau)``.

    The softplus (temperature ``tau = 1e-3`` output standard deviations) keeps the value
    finite and its gradient non-zero where no sample improves (Ament et al. 2023).

    Parameters
    ----------
    n_samples : int, default=256
    """

    _log = True
