"""Look-ahead acquisitions: Frazier's noisy EI, knowledge gradient and entropy search.

Each one values a point by what a new observation there would teach about the maximum:
through the fantasised posterior mean (noisy EI, KG) or through the distribution of the
maximum and of its location (max-value and candidate-set entropy search). Gradients are
analytic for noisy EI, KG and MES (envelope-theorem derivatives of the discrete KG,
fixed fantasy maximisers for the simulated KG); entropy search is piecewise constant.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..backend import on_host
from ..utils import check_array, check_option
from ..utils._numerics import cholesky
from ._acquisition import AcquisitionFunction
from ._checks import check_int
from ._closed_forms import _base_samples, _dkg, _mes, _noisy_ei
from ._gradients import (
    fantasy_kg_grad,
    kg_on_set_value_grad,
    mes_value_grad,
    noisy_ei_value_grad,
)


def _scaled_cov(model, A, X):
    """Posterior covariance Sigma_n(X, A) and variance at X, row per query point."""
    cov = model._posterior_cov_np(X, A)  # (m, |A|)
    _, sd = model._predict_np(X, return_std=True)
    return cov, sd**2


def _model_noise(model):
    return float(np.mean(model._noise_std)) * model._y_std**2 if model._noise_std.size else 0.0


class NoisyExpectedImprovement(AcquisitionFunction):
    """Frazier's noisy expected improvement, computed exactly with the discrete KG.

    ``E_n[max_{i<=n+1} mu_{n+1}(x_i) - max_{i<=n} mu_n(x_i)]`` where ``x_{n+1}`` is the
    query point and the next observation carries the model's fitted noise (Frazier 2018,
    section 5; the KGCP of Scott, Frazier & Powell 2011). Without noise it equals EI with
    the incumbent ``max_i mu_n(x_i)``. Analytic gradient: the envelope-theorem
    derivatives of the discrete KG chained with those of the posterior moments.

    Described in [1]_, [2]_ and [3]_.

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 5, noisy evaluations.
    .. [2] W. Scott, P. Frazier and W. Powell, "The correlated knowledge gradient for
       simulation optimization of continuous parameters using Gaussian process regression",
       SIAM Journal on Optimization 21(3):996-1026, 2011, the KGCP policy.
    .. [3] P. Frazier, W. Powell and S. Dayanik, "The knowledge-gradient policy for
       correlated normal beliefs", INFORMS Journal on Computing 21(4):599-613, 2009, the
       discrete KG computation.
    """

    analytic_gradient = True

    def _prepare(self):
        X = self.model_._X
        self.X_obs_ = X
        self.mean_obs_ = self.model_._predict_np(X)
        self.noise_var_ = _model_noise(self.model_)

    def _value(self, X):
        cov, var = _scaled_cov(self.model_, self.X_obs_, X)
        mu = self.model_._predict_np(X)
        return _noisy_ei(self.mean_obs_, mu, cov, var, self.noise_var_)

    def _value_and_grad(self, X):
        return noisy_ei_value_grad(self.model_, X, self.X_obs_, self.mean_obs_,
                                   self.noise_var_)


class KnowledgeGradient(AcquisitionFunction):
    """Knowledge gradient ``E_n[max_x' mu_{n+1}(x') - max_x' mu_n(x')]``.

    Described in [1]_ and [2]_.

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
        started from the current maximiser of the mean, the query point and the
        fantasy's best candidate) and the maxima averaged, minus the maximum of ``mu_n``.
    n_candidates : int, default=256
        Number of Sobol candidate points (>= 1).
    n_fantasies : int, default=16
        Number of fantasies of ``"fantasy"`` (>= 1).
    candidates : array-like of shape (k, d), optional
        Explicit candidate set for ``"discrete"`` (replaces the Sobol points).

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.2, eq. (10) and Algorithm 2 (simulation KG).
    .. [2] P. Frazier, W. Powell and S. Dayanik, "The knowledge-gradient policy for
       correlated normal beliefs", INFORMS Journal on Computing 21(4):599-613, 2009, the
       exact discrete KG.
    """

    analytic_gradient = True

    def __init__(self, method="discrete", *, n_candidates=256, n_fantasies=16,
                 candidates=None):
        self.method = check_option(method, "method", ("discrete", "fantasy"))
        self.n_candidates = check_int(n_candidates, "n_candidates", 1)
        self.n_fantasies = check_int(n_fantasies, "n_fantasies", 1)
        self.candidates = candidates
        self._candidates = None
        if candidates is not None:
            host = on_host(candidates, where="KnowledgeGradient")
            self._candidates = check_array(host.to_numpy(candidates), "candidates", ndim=2,
                                           xp=np)

    def _prepare(self):
        model = self.model_
        d = model.n_features_in_
        lo, span = model._x_lo, model._x_span
        if self._candidates is not None:
            cand = self._candidates
            if cand.shape[1] != d:
                raise ValueError(f"candidates must have {d} columns, one per feature of the "
                                 f"model (got {cand.shape[1]})")
        else:
            from scipy.stats import qmc

            u = qmc.Sobol(d, scramble=True, seed=self.rng_).random(int(self.n_candidates))
            cand = lo + u * span
        self.A_ = np.vstack([model._X, cand])
        self.mean_A_ = model._predict_np(self.A_)
        self.noise_var_ = _model_noise(model)
        self.box_ = (lo, lo + span)
        if self.method == "fantasy":
            self.smooth = False
            self.Z_ = _base_samples(int(self.n_fantasies), 1, False, self.rng_)[:, 0]
            self.Z_ -= self.Z_.mean()  # antithetic-like centring: E[Z] = 0 exactly

            def mean_grad(P):
                mu, _, dmu, _ = model._predict_with_grad_np(P)
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
        return np.array([self._fantasy(x)[0] for x in X])

    def _value_and_grad(self, X):
        if self.method == "discrete":
            kg, grad, _ = kg_on_set_value_grad(self.model_, X, self.A_, self.mean_A_,
                                               self.noise_var_)
            return kg, grad
        vals = np.empty(X.shape[0])
        grads = np.zeros_like(X)
        for k, x in enumerate(X):
            vals[k], P = self._fantasy(x)
            if P is not None:
                grads[k] = fantasy_kg_grad(self.model_, x, P, self.Z_, self.noise_var_,
                                           vals[k])
        return vals, grads

    def _discrete(self, X):
        cov, var = _scaled_cov(self.model_, self.A_, X)
        mu = self.model_._predict_np(X)
        denom = np.sqrt(var + self.noise_var_)
        safe = np.where(denom > 0, denom, 1.0)
        m = X.shape[0]
        A = np.concatenate([np.broadcast_to(self.mean_A_, (m, self.mean_A_.size)),
                            mu[:, None]], axis=1)
        B = np.concatenate([cov, var[:, None]], axis=1) / safe[:, None]
        B[denom == 0] = 0.0
        # Frazier's KG on the discretisation A + {x}: E max mu_{n+1} - max mu_n over it
        return _dkg(A, B)[0]

    def _fantasy(self, x):
        model = self.model_
        x = x[None]
        _, sd = model._predict_np(x, return_std=True)
        denom = math.sqrt(float(sd[0]) ** 2 + self.noise_var_)
        if denom == 0:
            return 0.0, None
        Z = self.Z_
        # the fantasised means on the candidate set: lower bounds of each maximum, and
        # each fantasy's best candidate is one of its starts
        cA = model._cov_with_grad(self.A_, x[0])[0]
        fA = self.mean_A_[None, :] + np.outer(Z, cA) / denom
        jA = np.argmax(fA, axis=1)
        onA = fA[np.arange(Z.size), jA]
        # every fantasy starts from the current maximiser of the mean, the query point and
        # its best candidate; all fantasies run in one stacked L-BFGS-B problem
        R = 3
        starts = np.stack([np.broadcast_to(self.x_star_, (Z.size, x.shape[1])),
                           np.broadcast_to(x, (Z.size, x.shape[1])), self.A_[jA]],
                          axis=1).reshape(Z.size * R, -1)
        zrow = np.repeat(Z, R)

        def fun_grad(P):
            mu, _, dmu, _ = model._predict_with_grad_np(P)
            c, dc = model._cov_with_grad(P, x[0])
            return mu + c * zrow / denom, dmu + dc * (zrow / denom)[:, None]

        vals, P = self._lbfgs_rows(fun_grad, starts)
        vals, P = vals.reshape(Z.size, R), P.reshape(Z.size, R, -1)
        k = np.argmax(vals, axis=1)
        best, P_best = vals[np.arange(Z.size), k], P[np.arange(Z.size), k]
        P_best = np.where((onA > best)[:, None], self.A_[jA], P_best)
        value = max(float(np.mean(np.maximum(best, onA))) - self.mu_star_, 0.0)
        return value, P_best


class MaxValueEntropySearch(AcquisitionFunction):
    """Max-value entropy search (Wang & Jegelka 2017) with Gumbel-sampled maxima.

    At ``bind``, ``y*`` samples are drawn from the Gumbel approximation of
    ``P(max f <= y) = prod_i Phi((y - mu_i)/sigma_i)`` over a candidate set (BoTorch's
    ``_sample_max_value_Gumbel``; the evaluated points and ``n_candidates`` Sobol points);
    the value is :func:`~probstat.bayesopt.acquisition.max_value_entropy_search`.

    Described in [1]_.

    Parameters
    ----------
    n_max_samples : int, default=16
        Number of sampled maxima (>= 1).
    n_candidates : int, default=512
        Number of Sobol candidate points (>= 1).

    References
    ----------
    .. [1] Z. Wang and S. Jegelka, "Max-value entropy search for efficient Bayesian
       optimization", ICML 2017, arXiv:1703.01968, the MES closed form and the Gumbel
       approximation of the max-value distribution.
    """

    analytic_gradient = True

    def __init__(self, n_max_samples=16, *, n_candidates=512):
        self.n_max_samples = check_int(n_max_samples, "n_max_samples", 1)
        self.n_candidates = check_int(n_candidates, "n_candidates", 1)

    def _prepare(self):
        from scipy.optimize import brentq
        from scipy.stats import qmc

        model = self.model_
        d = model.n_features_in_
        u = qmc.Sobol(d, scramble=True, seed=self.rng_).random(int(self.n_candidates))
        cand = np.vstack([model._X, model._x_lo + u * model._x_span])
        mu, sd = model._predict_np(cand, return_std=True)
        sd = np.maximum(sd, 1e-10)
        y_max_obs = float(np.max(model._y))

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
        mu, sd = self.model_._predict_np(X, return_std=True)
        sd = np.maximum(sd, 1e-10)
        return _mes(mu, sd, self.max_samples_)

    def _value_and_grad(self, X):
        return mes_value_grad(self.model_, X, self.max_samples_)


class EntropySearch(AcquisitionFunction):
    """Entropy search on a candidate set (Frazier 2018, section 4.3; Hennig & Schuler 2012).

    ``H(P_n(x*)) - E_y[H(P_{n+1}(x* | y at x))]`` where the distribution of the maximiser
    ``x*`` over ``n_candidates`` points is estimated from ``n_paths`` joint posterior draws
    (fixed base samples) and the expectation over the new observation uses ``n_fantasies``
    quasi-random fantasies. Entropies in nats. A Monte-Carlo, piecewise-constant estimate:
    the optimiser uses it on raw samples only.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    n_candidates : int, default=64
        Number of Sobol candidate points (>= 1).
    n_paths : int, default=256
        Number of joint posterior draws (>= 1).
    n_fantasies : int, default=8
        Number of fantasised observations (>= 1).

    References
    ----------
    .. [1] P. Hennig and C. J. Schuler, "Entropy search for information-efficient global
       optimization", Journal of Machine Learning Research 13:1809-1837, 2012, the entropy
       of the distribution of the maximiser.
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.3, eq. (11).
    """

    smooth = False

    def __init__(self, n_candidates=64, *, n_paths=256, n_fantasies=8):
        self.n_candidates = check_int(n_candidates, "n_candidates", 1)
        self.n_paths = check_int(n_paths, "n_paths", 1)
        self.n_fantasies = check_int(n_fantasies, "n_fantasies", 1)

    def _prepare(self):
        from scipy.stats import qmc

        model = self.model_
        d = model.n_features_in_
        u = qmc.Sobol(d, scramble=True, seed=self.rng_).random(int(self.n_candidates))
        self.A_ = model._x_lo + u * model._x_span
        self.mean_A_, self.cov_A_ = model._predict_np(self.A_, return_cov=True)
        self.eps_ = self.rng_.standard_normal((int(self.n_paths), self.A_.shape[0]))
        self.Z_ = _base_samples(int(self.n_fantasies), 1, True, self.rng_)[:, 0]
        self.noise_var_ = _model_noise(model)
        self.h0_ = self._argmax_entropy(self.mean_A_, self.cov_A_)

    def _argmax_entropy(self, mean, cov):
        L, _ = cholesky(0.5 * (cov + cov.T), name="the posterior covariance")
        paths = mean[None, :] + self.eps_ @ L.T
        counts = np.bincount(np.argmax(paths, axis=1), minlength=mean.size)
        p = counts[counts > 0] / paths.shape[0]
        return float(-np.sum(p * np.log(p)))

    def _value(self, X):
        out = np.empty(X.shape[0])
        for k, x in enumerate(X):
            c = self.model_._posterior_cov_np(self.A_, x[None])[:, 0]
            _, sd = self.model_._predict_np(x[None], return_std=True)
            denom = math.sqrt(float(sd[0]) ** 2 + self.noise_var_)
            if denom == 0:
                out[k] = 0.0
                continue
            b = c / denom
            cov_new = self.cov_A_ - np.outer(b, b)
            h = np.mean([self._argmax_entropy(self.mean_A_ + b * z, cov_new) for z in self.Z_])
            out[k] = self.h0_ - h
        return out

