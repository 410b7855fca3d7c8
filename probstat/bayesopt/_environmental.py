"""Bayesian optimisation of an expectation over environmental conditions.

Minimise (or maximise) ``F(x) = E_w[f(x, w)]`` for a known distribution of ``w`` (a
Gaussian with independent components, or a discrete distribution), when each evaluation
of ``f`` may be made at a chosen ``(x, w)`` (Frazier's tutorial, Section 5;
Toscano-Palmerin and Frazier, Bayesian quadrature optimisation). The model is a GP over
``(x, w)`` with the product kernel ``s2 k_x(x, x') k_w(w, w')``; since ``F`` is linear in
``f``, its posterior is Gaussian with

    mean_F(x) = int mu_n(x, w) p(w) dw
    Cov_n(F(x), f(x', w')) = s2 k_x(x, x') int k_w(w, w') p(w) dw
                             - k_F(x, X) K^-1 k((X, W), (x', w'))
    Cov_n(F(x), F(x')) = s2 k_x(x, x') int int k_w(w, w') p(w) p(w') dw dw' - ...

With ``k_w`` RBF (length scales ``l``) and ``w ~ N(0, I)`` after standardisation the
integrals are closed forms (the Gaussian product integral):

    int k_w(w, v) N(w; 0, I) dw = prod_j (l_j^2 / (l_j^2 + 1))^(1/2) exp(-v_j^2 / (2 (l_j^2 + 1)))
    int int k_w N N             = prod_j (l_j^2 / (l_j^2 + 2))^(1/2)

otherwise (Matern ``k_w``, or a discrete ``w``) they are weighted sums over the support
or over tensor Gauss-Hermite nodes. The next ``(x, w)`` maximises the knowledge gradient
for ``max_x mean_F`` over a discrete set, exactly (the Frazier-Powell-Dayanik envelope).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize
from scipy.stats import norm, qmc

from ..backend import on_host
from ..utils import check_array, check_bool, check_callable, check_option, check_rng
from ._checks import check_int
from ._closed_forms import _dkg
from ._covariance import kernel_matrix
from ._product_gp import ProductGP
from ._space import Space

N_DISCRETE = 128


class _Environment:
    """The distribution of ``w`` and its standardisation ``z = (w - center) / scale``."""

    def __init__(self, w_mean, w_std, w_values, w_weights, n_quadrature):
        if (w_mean is None) == (w_values is None):
            raise ValueError("give the distribution of w either as w_mean and w_std "
                             "(Gaussian) or as w_values (discrete, with w_weights)")
        if w_mean is not None:
            mean = check_array(w_mean, "w_mean", ndim=(0, 1), xp=np).reshape(-1)
            if w_std is None:
                raise ValueError("w_std must be given with w_mean")
            std = check_array(w_std, "w_std", ndim=(0, 1), xp=np).reshape(-1)
            if std.shape != mean.shape:
                raise ValueError(f"w_std must have one entry per component of w_mean "
                                 f"({mean.size}) (got {std.size})")
            if np.any(std <= 0):
                raise ValueError(f"w_std must be > 0 (smallest entry {std.min():.3g})")
            self.gaussian, self.center, self.scale = True, mean, std
            q = mean.size
            t, wts = np.polynomial.hermite_e.hermegauss(n_quadrature)
            grids = np.meshgrid(*([t] * q), indexing="ij")
            self.nodes = np.stack([g.ravel() for g in grids], axis=1)
            wg = np.meshgrid(*([wts / wts.sum()] * q), indexing="ij")
            self.weights = np.prod(np.stack([g.ravel() for g in wg], axis=1), axis=1)
        else:
            values = check_array(w_values, "w_values", ndim=(1, 2), xp=np)
            values = values[:, None] if values.ndim == 1 else values
            K = values.shape[0]
            if w_weights is None:
                weights = np.full(K, 1.0 / K)
            else:
                weights = check_array(w_weights, "w_weights", ndim=1, xp=np)
                if weights.shape[0] != K:
                    raise ValueError(f"w_weights must have one entry per row of w_values "
                                     f"({K}) (got {weights.shape[0]})")
                if np.any(weights < 0) or weights.sum() <= 0:
                    raise ValueError("w_weights must be >= 0 with a positive sum")
                weights = weights / weights.sum()
            self.gaussian = False
            self.center = weights @ values
            sd = np.sqrt(weights @ (values - self.center) ** 2)
            self.scale = np.where(sd > 0, sd, 1.0)
            self.nodes = (values - self.center) / self.scale
            self.weights = weights
        self.q = self.center.size

    def to_z(self, W):
        return (np.asarray(W, dtype=float) - self.center) / self.scale

    def from_z(self, Z):
        return np.asarray(Z) * self.scale + self.center


def _kz_integrals(model, env, Zd):
    """``int k_w(w, z_i) p(w) dw`` for the rows of ``Zd`` and ``int int k_w p p``."""
    ls = model.hp_["zls"]
    if env.gaussian and model.z_kernel == "rbf":
        l2 = ls**2
        vec = np.prod(np.sqrt(l2 / (l2 + 1.0))) * np.exp(
            -0.5 * np.sum(Zd**2 / (l2 + 1.0), axis=1))
        return vec, float(np.prod(np.sqrt(l2 / (l2 + 2.0))))
    p = env.weights
    vec = p @ kernel_matrix(model.z_kernel, env.nodes, Zd, ls, 1.0)
    return vec, float(p @ kernel_matrix(model.z_kernel, env.nodes, env.nodes, ls, 1.0) @ p)


def integrated_posterior(model, env, X, return_cov=False):
    """Posterior mean (and covariance) of ``F`` at the rows of ``X`` (unit cube)."""
    hp = model.hp_
    kz_d, kzz = _kz_integrals(model, env, model._z)
    kF = hp["sv"] * kernel_matrix(model.kernel, X, model._X, hp["ls"], 1.0) * kz_d[None]
    mean = kF @ model.alpha_ * model.y_std_ + model.y_mean_
    if not return_cov:
        return mean
    from scipy import linalg

    v = linalg.solve_triangular(model.L_, kF.T, lower=True, check_finite=False)
    prior = hp["sv"] * kernel_matrix(model.kernel, X, X, hp["ls"], 1.0) * kzz
    return mean, (prior - v.T @ v) * model.y_std_**2


def _cov_F_f(model, env, Xa, Xc, Zc):
    """``Cov_n(F(Xa[i]), f(Xc[j], Zc[j]))``, shape (len(Xa), len(Xc))."""
    from scipy import linalg

    hp = model.hp_
    kz_d, _ = _kz_integrals(model, env, model._z)
    kz_c, _ = _kz_integrals(model, env, Zc)
    kF = hp["sv"] * kernel_matrix(model.kernel, Xa, model._X, hp["ls"], 1.0) * kz_d[None]
    va = linalg.solve_triangular(model.L_, kF.T, lower=True, check_finite=False)
    vc = model._half(Xc, Zc)
    prior = hp["sv"] * kernel_matrix(model.kernel, Xa, Xc, hp["ls"], 1.0) * kz_c[None]
    return (prior - va.T @ vc) * model.y_std_**2


def environmental_knowledge_gradient(model, env, Xc, Zc, Xa):
    """KG of observing ``f(Xc[j], Zc[j])`` for ``max_{x in Xa + {Xc[j]}} mean_F(x)``."""
    C = Xc.shape[0]
    mean_a = integrated_posterior(model, env, Xa)
    mean_c = integrated_posterior(model, env, Xc)
    S = _cov_F_f(model, env, Xa, Xc, Zc)
    # the candidate's own F: the diagonal of Cov_n(F(Xc), f(Xc, Zc))
    own = _own_cov(model, env, Xc, Zc)
    _, sd = model.predict(Xc, Zc, return_std=True)
    denom = np.sqrt(sd**2 + model.noise_)
    denom = np.where(denom > 0, denom, 1.0)
    A = np.hstack([np.broadcast_to(mean_a, (C, mean_a.size)), mean_c[:, None]])
    B = np.hstack([S.T, own[:, None]]) / denom[:, None]
    return _dkg(np.ascontiguousarray(A), np.ascontiguousarray(B))[0]


def _own_cov(model, env, Xc, Zc):
    """Diagonal of ``Cov_n(F(Xc), f(Xc, Zc))`` without the full matrix."""
    from scipy import linalg

    hp = model.hp_
    kz_d, _ = _kz_integrals(model, env, model._z)
    kz_c, _ = _kz_integrals(model, env, Zc)
    kF = hp["sv"] * kernel_matrix(model.kernel, Xc, model._X, hp["ls"], 1.0) * kz_d[None]
    va = linalg.solve_triangular(model.L_, kF.T, lower=True, check_finite=False)
    vc = model._half(Xc, Zc)
    return (hp["sv"] * kz_c - np.einsum("ij,ij->j", va, vc)) * model.y_std_**2


class EnvironmentalOptimizer:
    """Ask/tell Bayesian optimisation of ``F(x) = E_w[f(x, w)]`` over chosen ``(x, w)``.

    Each evaluation is ``f(x, w)`` at a point ``x + w`` (the environmental variables
    appended to the decision variables) chosen by the knowledge gradient for the
    optimum of ``F``; the recommendation maximises (or minimises) the posterior mean of
    ``F``, which is computed in closed form for the RBF kernel over ``w`` with a
    Gaussian ``w``, and by Gauss-Hermite quadrature or the discrete sum otherwise.

    Described in [1]_, [2]_ and [3]_.

    Parameters
    ----------
    space : Space or sequence of dimensions
        The decision variables ``x`` (real dimensions).
    w_mean, w_std : array-like of shape (q,), optional
        A Gaussian ``w`` with independent components (``w_std > 0``).
    w_values : array-like of shape (K,) or (K, q), optional
        A discrete ``w``: its support, with ``w_weights`` (default uniform).
    w_weights : array-like of shape (K,), optional
        Probabilities of ``w_values`` (>= 0, normalised here).
    w_kernel : {"rbf", "matern52"}, default="rbf"
        Kernel over ``w``; ``"rbf"`` with a Gaussian ``w`` gives the closed form.
    n_initial : int, optional
        Size of the initial Sobol design over ``(x, w)``; default ``max(5, 2 (d + q))``.
    maximize : bool, default=False
        Maximise ``F`` instead of minimising it.
    raw_samples : int, default=512
        Candidate ``(x, w)`` pairs scored per proposal (>= 1).
    n_quadrature : int, default=12
        Gauss-Hermite nodes per component of a Gaussian ``w`` when the closed form does
        not apply (>= 2).
    random_state : None, int, RandomState or Generator
        Seeds the design and the candidates.

    Attributes
    ----------
    x_iters : list of list
        The evaluated points ``x + w``.
    func_vals : ndarray
        Their values of ``f``.
    models : list
        The surrogate of each model-based proposal.

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 5 (random environmental conditions).
    .. [2] S. Toscano-Palmerin and P. I. Frazier, "Bayesian optimization with expensive
       integrands", SIAM Journal on Optimization 32(2), 2022, arXiv:1803.08661 (the
       posterior on the integral and the knowledge gradient over ``(x, w)``).
    .. [3] B. S. Williams, T. J. Santner and W. I. Notz, "Sequential design of computer
       experiments to minimize integrated response functions", Statistica Sinica 10,
       2000.

    Examples
    --------
    >>> from probstat.bayesopt import EnvironmentalOptimizer
    >>> opt = EnvironmentalOptimizer([(0.0, 1.0)], w_mean=[0.0], w_std=[1.0],
    ...                              n_initial=4, random_state=0)
    >>> res = opt.run(lambda p: (p[0] - 0.3) ** 2 + 0.1 * p[1], 6)
    >>> len(res.x), len(res.x_iters[0])
    (1, 2)
    """

    def __init__(self, space, *, w_mean=None, w_std=None, w_values=None, w_weights=None,
                 w_kernel="rbf", n_initial=None, maximize=False, raw_samples=512,
                 n_quadrature=12, random_state=None):
        self.space = Space(space)
        if not self.space.is_real:
            raise ValueError("space must hold real dimensions only")
        n_quadrature = check_int(n_quadrature, "n_quadrature", 2)
        host = on_host(w_mean, w_std, w_values, w_weights, where="EnvironmentalOptimizer")
        self.env = _Environment(*(host.to_numpy(v) for v in (w_mean, w_std, w_values,
                                                              w_weights)), n_quadrature)
        self.w_kernel = check_option(w_kernel, "w_kernel", ("rbf", "matern52"))
        d, q = self.space.n_columns, self.env.q
        self.n_initial = (max(5, 2 * (d + q)) if n_initial is None
                          else check_int(n_initial, "n_initial", 1))
        self.maximize = check_bool(maximize, "maximize")
        self.raw_samples = check_int(raw_samples, "raw_samples", 1)
        self.rng_ = check_rng(random_state)
        self.x_iters, self._y, self.models = [], [], []
        self._theta = None
        self._design = None

    @property
    def func_vals(self):
        return np.asarray(self._y, dtype=float)

    # ------------------------------------------------------------------ data
    def _split(self, points):
        d = len(self.space)
        U = self.space.encode([list(p)[:d] for p in points])
        Z = self.env.to_z(np.array([list(p)[d:] for p in points], dtype=float))
        return U, Z

    def _point(self, u, z):
        return self.space.decode(u)[0] + [float(v) for v in self.env.from_z(z)]

    def _fit(self):
        U, Z = self._split(self.x_iters)
        y = self.func_vals if self.maximize else -self.func_vals
        model = ProductGP("continuous", z_kernel=self.w_kernel,
                          random_state=self.rng_.integers(2**31))
        model.theta_ = self._theta
        model.fit(U, Z, y)
        self._theta = model.theta_
        return model

    def tell(self, x, y):
        """Record one evaluation ``y = f(x, w)`` at the point ``x + w``.

        Parameters
        ----------
        x : sequence
            The decision variables followed by the environmental variables.
        y : float
            The value (finite).

        Returns
        -------
        self
            The optimizer.
        """
        x = list(np.asarray(x, dtype=object).tolist()) if isinstance(x, np.ndarray) else x
        d = len(self.space)
        if not isinstance(x, (list, tuple)) or len(x) != d + self.env.q:
            raise ValueError(f"x must hold {d} decision and {self.env.q} environmental "
                             f"values (got {x!r})")
        self.space.check_point(list(x[:d]))
        w = check_array(np.asarray(x[d:], dtype=float), "x (environmental part)", xp=np)
        y = check_array(np.asarray(y, dtype=float), "y", ndim=0, xp=np)
        self.x_iters.append(list(x[:d]) + [float(v) for v in w])
        self._y.append(float(y))
        return self

    # ------------------------------------------------------------------ ask
    def _candidates_w(self, n):
        if self.env.gaussian:
            s = qmc.Sobol(self.env.q, scramble=True, seed=self.rng_).random(
                int(2 ** math.ceil(math.log2(n))))[:n]
            return norm.ppf(np.clip(s, 1e-3, 1 - 1e-3))
        return self.env.nodes[self.rng_.integers(self.env.nodes.shape[0], size=n)]

    def ask(self):
        """The next point ``x + w`` to evaluate.

        Returns
        -------
        list
            Decision variables followed by the environmental variables.
        """
        d = self.space.n_columns
        n = len(self._y)
        if n < self.n_initial:
            if self._design is None:
                self._design = qmc.Sobol(d + self.env.q, scramble=True, seed=self.rng_).random(
                    int(2 ** math.ceil(math.log2(max(self.n_initial, 2)))))
            sob = self._design[n]
            z = (norm.ppf(np.clip(sob[d:], 1e-3, 1 - 1e-3)) if self.env.gaussian else
                 self.env.nodes[min(int(sob[d] * len(self.env.weights)),
                                    len(self.env.weights) - 1)])
            return self._point(sob[:d], z)
        model = self._fit()
        self.models.append(model)
        U, _ = self._split(self.x_iters)
        Xa = np.vstack([qmc.Sobol(d, scramble=True, seed=self.rng_).random(N_DISCRETE), U,
                        self._argmax_F(model)[None]])
        m = max(self.raw_samples, 2)
        Xc = np.vstack([qmc.Sobol(d, scramble=True, seed=self.rng_).random(m), Xa[-1:]])
        Zc = self._candidates_w(Xc.shape[0])
        kg = environmental_knowledge_gradient(model, self.env, Xc, Zc, Xa)
        i = int(np.argmax(kg))
        # refine: perturb the best five candidates in x and in w
        top = np.argsort(-kg)[:5]
        X2 = np.clip(np.repeat(Xc[top], 32, axis=0)
                     + 0.05 * self.rng_.standard_normal((160, d)), 0.0, 1.0)
        Z2 = np.repeat(Zc[top], 32, axis=0)
        if self.env.gaussian:
            Z2 = Z2 + 0.2 * self.rng_.standard_normal(Z2.shape)
        kg2 = environmental_knowledge_gradient(model, self.env, X2, Z2, Xa)
        if kg2.max() > kg[i]:
            j = int(np.argmax(kg2))
            return self._point(X2[j], Z2[j])
        return self._point(Xc[i], Zc[i])

    def run(self, func, n_iter):
        """Evaluate ``func(x + w)`` ``n_iter`` times, asking and telling.

        Parameters
        ----------
        func : callable
            ``func(point) -> float`` with ``point`` the decision variables followed by
            the environmental variables.
        n_iter : int
            Number of evaluations (>= 0).

        Returns
        -------
        scipy.optimize.OptimizeResult
            As :meth:`result`.
        """
        func = check_callable(func, "func")
        n_iter = check_int(n_iter, "n_iter", 0)
        for _ in range(n_iter):
            p = self.ask()
            self.tell(p, func(p))
        return self.result()

    # ------------------------------------------------------------------ result
    def _argmax_F(self, model):
        d = self.space.n_columns
        U, _ = self._split(self.x_iters)
        cand = np.vstack([qmc.Sobol(d, scramble=True, seed=0).random(1024), U])
        mu = integrated_posterior(model, self.env, cand)
        best = cand[int(np.argmax(mu))]
        res = optimize.minimize(lambda u: -integrated_posterior(model, self.env, u[None])[0],
                                best, method="L-BFGS-B", bounds=[(0.0, 1.0)] * d,
                                options={"maxiter": 50})
        return np.clip(res.x, 0.0, 1.0) if -res.fun >= mu.max() else best

    def predict_objective(self, x, return_std=False):
        """Posterior mean (and std) of ``F`` at decision points, from the last fit.

        Parameters
        ----------
        x : array-like of shape (n, d)
            Decision points (in the space's units).
        return_std : bool, default=False
            Also return the posterior standard deviation.

        Returns
        -------
        mean : ndarray of shape (n,)
        std : ndarray of shape (n,)
            Only when asked.
        """
        return_std = check_bool(return_std, "return_std")
        if len(self._y) < 2:
            raise ValueError("predict_objective needs at least 2 evaluations")
        host = on_host(x, where="EnvironmentalOptimizer.predict_objective")
        X = check_array(host.to_numpy(x), "x", ndim=2, xp=np)
        if X.shape[1] != len(self.space):
            raise ValueError(f"x must have {len(self.space)} columns (got {X.shape[1]})")
        model = self.models[-1] if self.models and len(self.models[-1]._y) == len(self._y) \
            else self._fit()
        sign = 1.0 if self.maximize else -1.0
        out = integrated_posterior(model, self.env, self.space.encode(X.tolist()), return_std)
        if not return_std:
            return host.from_numpy(sign * out)
        mean, cov = out
        return host.from_numpy((sign * mean, np.sqrt(np.maximum(np.diag(cov), 0.0))))

    def result(self):
        """The run so far.

        Returns
        -------
        scipy.optimize.OptimizeResult
            ``x`` (the optimiser of the posterior mean of ``F``, decision variables only)
            and ``fun`` (that posterior mean), ``x_iters``, ``func_vals``, ``models``,
            ``nfev``.
        """
        x = fun = None
        if len(self._y) >= 2:
            model = self._fit()
            u = self._argmax_F(model)
            x = self.space.decode(u)[0]
            sign = 1.0 if self.maximize else -1.0
            fun = float(sign * integrated_posterior(model, self.env, u[None])[0])
        return optimize.OptimizeResult(x=x, fun=fun, x_iters=list(self.x_iters),
                                       func_vals=self.func_vals, models=list(self.models),
                                       nfev=len(self._y), success=x is not None)
