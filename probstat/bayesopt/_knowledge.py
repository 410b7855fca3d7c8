"""Knowledge-gradient variants: one-shot continuous KG and derivative-enabled KG (d-KG).

- :class:`OneShotKnowledgeGradient` writes the simulated continuous KG as one smooth
  function of the query point and of one maximiser per fantasy, so that maximising it
  over all of them at once (with analytic gradients) replaces the nested optimisation of
  :class:`~probstat.bayesopt.KnowledgeGradient` ``(method="fantasy")``.
- :class:`DerivativeKnowledgeGradient` values observing ``f(x)`` *and* ``grad f(x)``:
  the fantasised mean moves along ``d + 1`` directions instead of one.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

from ..utils import check_array
from ._acquisition import AcquisitionFunction
from ._checks import check_int
from ._closed_forms import _base_samples
from ._derivatives import (
    DerivativeGaussianProcess,
    check_differentiable,
    posterior_cross_cov_grad,
    train_cross,
    value_gradient_moments,
)
from ._lookahead import KnowledgeGradient, _model_noise


class OneShotKnowledgeGradient(AcquisitionFunction):
    """One-shot knowledge gradient: the continuous KG optimised jointly with its fantasies.

    For fixed standard normals ``Z_1..Z_J`` (the same as
    :class:`~probstat.bayesopt.KnowledgeGradient` ``(method="fantasy")`` draws for the
    same ``random_state``) the acquisition of a batch ``(x, x'_1, ..., x'_J)`` is

    ``mean_j [mu_n(x'_j) + Sigma_n(x'_j, x) Z_j / sqrt(sigma_n^2(x) + noise)] - max mu_n``

    whose maximum over the ``x'_j`` at fixed ``x`` is the simulated KG at ``x``, so that
    maximising over everything at once maximises the KG. It is a batch acquisition of
    ``q = n_fantasies + 1`` points (``n_points_``) with an analytic gradient; the first
    row of the maximiser is the point to evaluate.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    n_fantasies : int, default=16
        Number of fantasies ``J`` (>= 1).
    n_candidates : int, default=256
        Number of Sobol points used to find the current maximum of the mean (>= 1).

    References
    ----------
    .. [1] M. Balandat, B. Karrer, D. R. Jiang, S. Daulton, B. Letham, A. G. Wilson and E.
       Bakshy, "BoTorch: a framework for efficient Monte-Carlo Bayesian optimization",
       NeurIPS 2020, arXiv:1910.06403, Section 5 (one-shot formulation of the KG).
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.2 and Algorithm 2 (the simulated KG it optimises).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.bayesopt import GaussianProcess, OneShotKnowledgeGradient
    >>> X = np.array([[0.1], [0.5], [0.9]])
    >>> gp = GaussianProcess(noise=0.01, optimizer=None).fit(X, [0.0, 1.0, 0.2])
    >>> acq = OneShotKnowledgeGradient(n_fantasies=4).bind(gp, random_state=0)
    >>> acq.n_points_
    5
    """

    batch = True
    analytic_gradient = True

    def __init__(self, n_fantasies=16, *, n_candidates=256):
        self.n_fantasies = check_int(n_fantasies, "n_fantasies", 1)
        self.n_candidates = check_int(n_candidates, "n_candidates", 1)

    def _prepare(self):
        kg = KnowledgeGradient("fantasy", n_candidates=self.n_candidates,
                               n_fantasies=self.n_fantasies)._bind(
            self.model_, self.best_, None, self.rng_)
        self.Z_ = kg.Z_
        self.mu_star_ = kg.mu_star_
        self.x_star_ = kg.x_star_
        self.noise_var_ = kg.noise_var_
        self.A_, self.mean_A_ = kg.A_, kg.mean_A_
        self.n_points_ = int(self.n_fantasies) + 1

    def _initial_batches(self, raw):
        """Put each fantasy point of each raw batch at the candidate that maximises its
        fantasised mean (raw batches are otherwise far from the fantasies' maxima)."""
        out = raw.copy()
        x = raw[:, 0]
        cov = self.model_._posterior_cov_np(x, self.A_)  # (r, |A|)
        _, sd = self.model_._predict_np(x, return_std=True)
        denom = np.sqrt(sd**2 + self.noise_var_)
        denom = np.where(denom > 0, denom, 1.0)
        F = self.mean_A_[None, None, :] + (self.Z_[None, :, None] * cov[:, None, :]
                                           / denom[:, None, None])
        out[:, 1:] = np.clip(self.A_[np.argmax(F, axis=2)], 0.0, 1.0)
        return out

    def _check_X(self, X):
        X = check_array(X, "X", ndim=(2, 3), xp=np)
        X = X[None] if X.ndim == 2 else X
        self._check_columns(X)
        if X.shape[1] != self.n_points_:
            raise ValueError(f"X must hold n_fantasies + 1 = {self.n_points_} points per "
                             f"batch (the query point, then one per fantasy) (got "
                             f"{X.shape[1]})")
        return X

    def _value(self, Xb):
        return self._compute(Xb, grad=False)[0]

    def _value_and_grad(self, Xb):
        return self._compute(Xb, grad=True)

    def _compute(self, Xb, grad):
        model = self.model_
        Z = self.Z_
        m, q, d = Xb.shape
        vals = np.empty(m)
        grads = np.zeros_like(Xb) if grad else None
        for i in range(m):
            x, P = Xb[i, 0], Xb[i, 1:]
            mu, sd, dmu, dsd = model._predict_with_grad_np(Xb[i])
            denom = float(np.sqrt(sd[0] ** 2 + self.noise_var_))
            if denom == 0.0:
                vals[i] = float(np.mean(mu[1:])) - self.mu_star_
                if grad:
                    grads[i, 1:] = dmu[1:] / (q - 1)
                continue
            c, dc_P = posterior_cross_cov_grad(model, P, x[None])  # grads w.r.t. P
            c = c[:, 0]
            vals[i] = float(np.mean(mu[1:] + c * Z / denom)) - self.mu_star_
            if not grad:
                continue
            grads[i, 1:] = (dmu[1:] + dc_P[:, 0, :] * (Z / denom)[:, None]) / (q - 1)
            _, dc_x = posterior_cross_cov_grad(model, x[None], P)  # grads w.r.t. x
            ddenom = sd[0] * dsd[0] / denom
            grads[i, 0] = np.mean((dc_x[0] / denom - c[:, None] * ddenom[None, :]
                                   / denom**2) * Z[:, None], axis=0)
        return vals, grads


class DerivativeKnowledgeGradient(AcquisitionFunction):
    """Derivative-enabled knowledge gradient (d-KG) on a candidate set.

    The value of observing ``y = f(x) + eps`` and ``g = grad f(x) + eps'`` together:
    ``E_n[max_{x' in A} mu_{n+1}(x')] - max_{x' in A} mu_n(x')`` over the evaluated
    points, ``n_candidates`` Sobol points and ``x``. The fantasised mean is
    ``mu_n(A) + B Z`` with ``Z ~ N(0, I_{d+1})`` and ``B = Sigma_n(A, o) S^-1/2`` where
    ``S`` is the predictive covariance of ``o = (y, g)``; the expectation is a
    quasi-Monte-Carlo average over ``n_fantasies`` fixed base samples, so that the
    acquisition is a deterministic function of ``x`` (gradient by central differences).
    Observation noise is the model's (``noise`` for values, ``gradient_noise`` of a
    :class:`DerivativeGaussianProcess` for gradients). The model's kernel must be ``rbf``
    or ``matern52``.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    n_candidates : int, default=128
        Number of Sobol candidate points (>= 1).
    n_fantasies : int, default=64
        Number of quasi-Monte-Carlo base samples (>= 1).

    References
    ----------
    .. [1] J. Wu, M. Poloczek, A. G. Wilson and P. I. Frazier, "Bayesian optimization with
       gradients", NeurIPS 2017, arXiv:1703.04389, Section 3 (the d-KG acquisition
       function).
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 5 (derivative observations).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.bayesopt import DerivativeGaussianProcess, DerivativeKnowledgeGradient
    >>> X = np.array([[0.1], [0.5], [0.9]])
    >>> gp = DerivativeGaussianProcess(noise=1e-4, optimizer=None).fit(
    ...     X, np.sin(3 * X[:, 0]), gradients=3 * np.cos(3 * X))
    >>> acq = DerivativeKnowledgeGradient(n_candidates=32).bind(gp, random_state=0)
    >>> bool(acq([[0.3]])[0] >= 0)
    True
    """

    def __init__(self, n_candidates=128, *, n_fantasies=64):
        self.n_candidates = check_int(n_candidates, "n_candidates", 1)
        self.n_fantasies = check_int(n_fantasies, "n_fantasies", 1)

    def _prepare(self):
        from scipy.stats import qmc

        model = self.model_
        check_differentiable(model)
        d = model.n_features_in_
        u = qmc.Sobol(d, scramble=True, seed=self.rng_).random(int(self.n_candidates))
        self.A_ = np.vstack([model._X, model._x_lo + u * model._x_span])
        self.mean_A_ = model._predict_np(self.A_)
        UA = model._scale_x(self.A_)
        self.W_A_ = linalg.cho_solve((model._L, True), train_cross(model, UA).T,
                                     check_finite=False)
        gnoise = (float(model.gradient_noise) if isinstance(model, DerivativeGaussianProcess)
                  else 0.0)
        self.noise_ = np.concatenate([[_model_noise(model)], np.full(d, gnoise)])
        self.Z_ = _base_samples(int(self.n_fantasies), d + 1, True, self.rng_)

    def _value(self, X, chunk=16):
        out = np.empty(X.shape[0])
        for s in range(0, X.shape[0], chunk):
            out[s:s + chunk] = self._chunk(X[s:s + chunk])
        return out

    def _chunk(self, X):
        model = self.model_
        m, d = X.shape
        cov, dcov = posterior_cross_cov_grad(model, X, self.A_, W=self.W_A_)
        mean_o, S = value_gradient_moments(model, X)
        cross = np.concatenate([cov[:, :, None], dcov], axis=2)  # (m, |A|, d + 1)
        cross = np.concatenate([cross, S[:, :1, :]], axis=1)  # x itself joins A
        S = S + np.diag(self.noise_)[None]
        # B = S^{-1/2} cross^T through the eigendecomposition (S is singular where a
        # noise-free observation is already known: those directions teach nothing)
        lam, V = np.linalg.eigh(0.5 * (S + S.transpose(0, 2, 1)))
        keep = lam > 1e-10 * np.maximum(lam[:, -1:], 1e-300)
        inv_sqrt = np.where(keep, 1.0 / np.sqrt(np.where(keep, lam, 1.0)), 0.0)
        B = inv_sqrt[:, :, None] * (V.transpose(0, 2, 1) @ cross.transpose(0, 2, 1))
        a = np.concatenate([np.broadcast_to(self.mean_A_, (m, self.mean_A_.size)),
                            mean_o[:, :1]], axis=1)
        F = a[:, None, :] + self.Z_[None] @ B  # (m, S, |A| + 1)
        return np.maximum(F.max(axis=2).mean(axis=1) - a.max(axis=1), 0.0)


# --------------------------------------------------------------------------- the BO loop
def check_gradient(space, x, gradient, name="gradient"):
    """A gradient told with a point: finite, one entry per dimension of an all-``Real``
    space, returned in the unit-cube encoding (``dy/du = dy/dx dx/du``)."""
    from ._space import Real

    if not all(isinstance(dim, Real) for dim in space.dimensions):
        raise ValueError(f"{name} can be told only for a space of Real dimensions (got "
                         f"{space!r})")
    g = check_array(gradient, name, ndim=1, xp=np)
    if g.shape[0] != len(space.dimensions):
        raise ValueError(f"{name} must have one entry per dimension "
                         f"({len(space.dimensions)}) (got {g.shape[0]})")
    out = np.empty_like(g)
    for i, (dim, xi) in enumerate(zip(space.dimensions, x)):
        if dim.prior == "log-uniform":
            out[i] = g[i] * float(xi) * (np.log(dim.high) - np.log(dim.low))
        else:
            out[i] = g[i] * (dim.high - dim.low)
    return out


def split_value(value, x):
    """``(y, gradient)`` from an objective's return value; ``gradient`` is None when the
    objective returned a number."""
    if isinstance(value, tuple) and len(value) == 2:
        return value
    return value, None


def fit_derivative_model(template, previous, U, y_int, G_int, rng):
    """Fit a :class:`DerivativeGaussianProcess` on the encoded points, values and
    gradients, with the template's settings (the kernel falls back to Matern-5/2 when the
    template's is not twice differentiable)."""
    params = {k: v for k, v in template.get_params().items()
              if k in DerivativeGaussianProcess._parameter_constraints}
    if params.get("kernel") not in ("rbf", "matern52"):
        params["kernel"] = "matern52"
    gp = DerivativeGaussianProcess(**params)
    if isinstance(previous, DerivativeGaussianProcess) and hasattr(previous, "_theta"):
        gp._theta = previous._theta  # warm start
    gp.set_params(bounds=np.tile([0.0, 1.0], (U.shape[1], 1)), warm_start=True,
                  random_state=rng.integers(2**31))
    return gp.fit(U, y_int, gradients=G_int)
