"""Multi-fidelity and multi-information-source Bayesian optimisation.

The objective ``f(x, s)`` can be evaluated at a fidelity ``s`` in ``[low, high]`` (the
target is ``high``) or from a source ``s`` in ``0 .. m-1`` (the target is source 0), and an
evaluation at ``s`` costs ``cost(s)``. A Gaussian process over ``(x, s)``
(:class:`~probstat.bayesopt._product_gp.ProductGP`) links the cheap evaluations to the
target: for a fidelity, the non-stationary linear truncated kernel ``f(x, s) = g(x) +
(1 - t) b(x, t)`` (Wu, Toscano-Palmerin, Frazier and Wilson 2019; BoTorch's multi-fidelity
GP), whose bias vanishes at the target, with length-scale priors in the unit cube matching
BoTorch's multi-fidelity model; for sources, the intrinsic-coregionalisation model. The
cost-aware knowledge gradient

    KG(x, s) / cost(s),
    KG(x, s) = E_n[max_x' mu_{n+1}(x', target) | y(x, s)] - max_x' mu_n(x', target)

chooses both where and how to evaluate (Poloczek, Wang and Frazier 2017, misoKG; Wu,
Toscano-Palmerin, Frazier and Wilson 2019; Frazier's tutorial, Section 5). The maximum
over ``x'`` runs over a discrete set (quasi-random points, the evaluated points, the
current best and the candidate itself), so that KG is exact for that set (the
Frazier-Powell-Dayanik envelope). The ratio is maximised by scoring quasi-random ``x`` at
a few fidelity levels (or every source), then running multistart L-BFGS-B over the
continuous ``(x, s)`` (the source stays fixed) from the best of them, with
central-difference gradients.

The recommendation at a target fidelity is the maximiser of the posterior mean at the
target over the box (as in BoTorch's multi-fidelity tutorial), guarded: it is kept only
if its lower bound ``mean - sd`` is at least that of the evaluated ``x`` with the best
mean at the target, which it replaces otherwise (an extrapolated maximum in an
unexplored corner has a large sd). For sources the recommendation is the evaluated ``x``
with the best mean at each source.

:class:`BayesianOptimizer` delegates to :class:`MultiFidelityPlan` when it is given
``fidelity=`` or ``sources=``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from ..utils import check_callable, check_option, check_scalar_in
from ._closed_forms import _dkg
from ._product_gp import ProductGP
from ._space import Integer, Real, Space

#: Fidelity levels scored per candidate ``x`` (continuous fidelity).
N_FIDELITY_LEVELS = 5
#: Size of the quasi-random part of the discretisation of ``max_x' mu(x', target)``.
N_DISCRETE = 128
#: Starts of the multistart L-BFGS-B on the cost-aware KG (the best raw candidates).
N_STARTS = 8
#: L-BFGS-B iterations of that search.
POLISH_MAXITER = 40
#: (mean, sd) of the normal priors on the log length scales over ``x`` (unit cube) and
#: on the log bias length scales of the multi-fidelity model: the means and spreads of
#: the Gamma(3, 6) and Gamma(6, 2) priors of BoTorch's multi-fidelity GP.
FIDELITY_LS_PRIOR = (math.log(0.5), 0.6)
FIDELITY_BIAS_LS_PRIOR = (math.log(3.0), 0.4)


def check_cost(cost, values, name="cost"):
    """``cost`` callable, positive and finite at each of ``values``; None gives cost 1."""
    if cost is None:
        return lambda s: 1.0
    cost = check_callable(cost, name)
    for s in values:
        try:
            c = cost(s)
        except Exception as exc:  # the user's function: say where it failed
            raise ValueError(f"{name}({s!r}) raised {type(exc).__name__}: {exc}") from exc
        if isinstance(c, np.ndarray) and c.ndim == 0:
            c = c.item()
        if isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Real):
            raise TypeError(f"{name} must return a number (got {c!r} at s={s!r})")
        if not (math.isfinite(c) and c > 0):
            raise ValueError(f"{name} must return a finite number > 0 (got {c!r} at s={s!r})")
    return cost


def knowledge_gradient_at_target(model, Xc, zc, Xa, z_target):
    """KG of observing ``f(Xc[i], zc[i])`` for ``max_{x' in Xa + {Xc[i]}} mu(x', target)``.

    ``model`` is a fitted :class:`ProductGP` on values to maximise. Returns shape (C,).
    """
    C = Xc.shape[0]
    zt_a = np.full(Xa.shape[0], z_target) if np.ndim(z_target) == 0 else z_target
    mean_a = model.predict(Xa, zt_a)
    S_ac = model.posterior_cov(Xa, zt_a, Xc, zc)  # (M, C)
    zt_c = np.full(C, z_target) if np.ndim(z_target) == 0 else z_target
    mean_ct = model.predict(Xc, zt_c)
    # Cov_n(f(x_c, target), f(x_c, s_c)) elementwise: the prior term has k_x(x, x) = 1
    zc_arr, zt_arr = model._z_arr(zc, C), model._z_arr(zt_c, C)
    prior = model.k_same_x(zt_arr, zc_arr)
    v1, v2 = model._half(Xc, zt_arr), model._half(Xc, zc_arr)
    cross = (prior - np.einsum("ij,ij->j", v1, v2)) * model.y_std_**2
    _, sd = model.predict(Xc, zc, return_std=True)
    denom = np.sqrt(sd**2 + model.noise_)
    denom = np.where(denom > 0, denom, 1.0)
    A = np.hstack([np.broadcast_to(mean_a, (C, mean_a.size)), mean_ct[:, None]])
    B = np.hstack([S_ac.T, cross[:, None]]) / denom[:, None]
    return _dkg(np.ascontiguousarray(A), np.ascontiguousarray(B))[0]


class MultiFidelityPlan:
    """What :class:`BayesianOptimizer` does differently with ``fidelity=`` or ``sources=``.

    The optimizer's space gains a last dimension (the fidelity as a :class:`Real`, or the
    source as an :class:`Integer`); the model is a :class:`ProductGP`; each proposal
    maximises the cost-aware knowledge gradient; the result reports the recommendation
    at the target fidelity (and, for sources, one per source).
    """

    def __init__(self, space, fidelity=None, sources=None, cost=None, fidelity_kernel=None,
                 *, optimizer_args=("kg", 0, "kriging_believer")):
        if fidelity is not None and sources is not None:
            raise ValueError("give fidelity or sources, not both")
        acquisition, n_constraints, batch_strategy = optimizer_args
        if not (isinstance(acquisition, str) and acquisition.lower() in ("logei", "kg")):
            raise ValueError("acquisition must be 'kg' (the cost-aware knowledge "
                             f"gradient) with fidelity or sources (got {acquisition!r})")
        if n_constraints or batch_strategy == "qei":
            raise ValueError("fidelity and sources work without constraints and with "
                             "batch_strategy='kriging_believer'")
        if fidelity_kernel is not None:
            if fidelity is None:
                raise ValueError("fidelity_kernel is used with fidelity only")
            check_option(fidelity_kernel, "fidelity_kernel", ("linear_truncated", "rbf"))
        self.xspace = Space(space)
        if fidelity is not None:
            if isinstance(fidelity, (str, bytes)) or not hasattr(fidelity, "__len__") \
                    or len(fidelity) != 2:
                raise TypeError(f"fidelity must be a pair (low, high) (got {fidelity!r})")
            lo = check_scalar_in(fidelity[0], "fidelity[0]")
            hi = check_scalar_in(fidelity[1], "fidelity[1]")
            if not lo < hi:
                raise ValueError(f"fidelity must have low < high (got {fidelity!r})")
            self.kind, self.target = "fidelity", float(hi)
            self.levels = np.linspace(lo, hi, N_FIDELITY_LEVELS)
            self.low = float(lo)
            extra = Real(float(lo), float(hi), name="fidelity")
            self.cost = check_cost(cost, [float(lo), float(hi)])
        else:
            m = check_scalar_in(sources, "sources", low=2, integer=True)
            self.kind, self.target, self.n_sources = "sources", 0, int(m)
            self.levels = np.arange(m)
            extra = Integer(0, int(m) - 1, name="source")
            self.cost = check_cost(cost, list(range(int(m))))
        self.space = Space(list(self.xspace.dimensions) + [extra])
        self.spent = 0.0
        self._theta = None
        self._z_kernel_fitted = None
        #: fidelity kernel of the model (continuous fidelity): "linear_truncated" or a
        #: stationary kernel name; recommendation rule: "box" or "evaluated"
        self.z_kernel = (fidelity_kernel or "linear_truncated") if self.kind == "fidelity" \
            else "rbf"
        self.recommend = "box" if self.kind == "fidelity" else "evaluated"
        self.ls_prior = FIDELITY_LS_PRIOR if self.kind == "fidelity" else None

    # ------------------------------------------------------------------ data
    def _split(self, points):
        pts = [list(p) for p in points]
        U = self.xspace.encode([p[:-1] for p in pts])
        z = np.array([p[-1] for p in pts], dtype=float)
        return U, z

    def _model(self, opt, side_effects=True):
        """The fitted :class:`ProductGP` on the told data.

        With ``side_effects=False`` (for :meth:`result_fields`) neither the optimizer's
        random stream nor the warm start of the next fit is touched, so that asking for
        the result between iterations does not change the run.
        """
        U, z = self._split(opt.x_iters)
        y = np.asarray(opt._y, dtype=float)
        y_int = y if opt.maximize else -y
        model = ProductGP("index" if self.kind == "sources" else "continuous",
                          n_index=getattr(self, "n_sources", 1), z_kernel=self.z_kernel,
                          z_range=(getattr(self, "low", 0.0), float(self.target)),
                          ls_prior=self.ls_prior,
                          bias_ls_prior=FIDELITY_BIAS_LS_PRIOR if self.ls_prior else None,
                          random_state=opt.rng_.integers(2**31) if side_effects else 0)
        if self._theta is not None and model.z_kernel == self._z_kernel_fitted:
            model.theta_ = self._theta  # warm start of the hyperparameter search
        model.fit(U, z, y_int)
        if side_effects:
            self._theta, self._z_kernel_fitted = model.theta_, model.z_kernel
        return model

    def total_cost(self, opt):
        """Sum of ``cost(s)`` over the evaluations told so far."""
        return float(sum(self.cost(p[-1]) for p in opt.x_iters))

    # ------------------------------------------------------------------ ask
    def ask(self, opt, k):
        """``k`` points ``x + [s]`` by the cost-aware KG (kriging believer for k > 1)."""
        import time

        start = time.perf_counter()
        model = self._model(opt)
        opt.models.append(model)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        if opt.pending:
            Up, zp = self._split(opt.pending)
            model = model.condition_on(Up, zp, model.predict(Up, zp))
        out = []
        for _ in range(k):
            u, s = self._best_candidate(model, opt)
            pt = self.xspace.decode(u)[0] + [s]
            out.append(pt)
            opt.pending.append(pt)
            Up, zp = self._split([pt])
            model = model.condition_on(Up, zp, model.predict(Up, zp))
        opt.timings.append({"n": len(opt._y), "fit": fit_s,
                            "acquisition": time.perf_counter() - start})
        return out

    def _discrete_set(self, model, opt):
        d = self.xspace.n_columns
        sob = qmc.Sobol(d, scramble=True, seed=opt.rng_).random(N_DISCRETE)
        U, _ = self._split(opt.x_iters)
        mu = model.predict(U, self.target)
        top = U[np.argsort(-mu)[:10]]
        return np.vstack([sob, U, top, self._argmax_mean(model, self.target, opt)[None]])

    def _score(self, model, U, z, A):
        kg = knowledge_gradient_at_target(model, U, z, A, self.target)
        cost = np.array([self.cost(float(s) if self.kind == "fidelity" else int(s))
                         for s in z])
        return kg / cost

    def _best_candidate(self, model, opt):
        d = self.xspace.n_columns
        A = self._discrete_set(model, opt)
        raw = qmc.Sobol(d, scramble=True, seed=opt.rng_).random(
            int(2 ** math.ceil(math.log2(max(opt.raw_samples // len(self.levels), 2)))))
        raw = np.vstack([raw, A[-11:]])
        raw = self.xspace.snap(raw)
        L = len(self.levels)
        U = np.repeat(raw, L, axis=0)
        z = np.tile(self.levels, raw.shape[0])
        score = self._score(model, U, z, A)
        order = np.argsort(-score)[:N_STARTS]
        if self.xspace.is_real:
            U2, z2 = self._polish(model, U[order], z[order], A)
        else:  # mixed space: local perturbations of the best few, at their fidelity
            U2 = np.clip(np.repeat(U[order], 32, axis=0)
                         + 0.05 * opt.rng_.standard_normal((order.size * 32, d)), 0.0, 1.0)
            U2 = self.xspace.snap(U2)
            z2 = np.repeat(z[order], 32)
        score2 = self._score(model, U2, z2, A)
        allU, allz = np.vstack([U, U2]), np.concatenate([z, z2])
        i = int(np.argmax(np.concatenate([score, score2])))
        s = float(allz[i]) if self.kind == "fidelity" else int(allz[i])
        return allU[i], s

    def _polish(self, model, U0, z0, A, maxiter=POLISH_MAXITER, h=1e-4):
        """Multistart L-BFGS-B on ``KG(x, s) / cost(s)`` from the starts ``(U0, z0)``.

        The variables are ``x`` in the unit cube and, for a continuous fidelity, ``s``
        rescaled to ``[0, 1]`` (a source index stays at its start). All starts run as one
        L-BFGS-B problem on the stacked vector with the summed score, and the gradient is
        by central differences (one-sided at the bounds), every perturbed point of every
        start scored in one batched call. ``A`` (the discretisation of the maximum at the
        target) stays fixed. Returns the end points and their fidelities.
        """
        d, R = self.xspace.n_columns, U0.shape[0]
        cont = self.kind == "fidelity"
        w = d + int(cont)
        span = self.target - self.low if cont else 1.0
        V0 = np.hstack([U0, ((z0 - self.low) / span)[:, None]]) if cont else U0.copy()
        E = h * np.eye(w)

        def split(P):
            P = P.reshape(-1, w)
            if cont:
                return P[:, :d], self.low + span * P[:, d]
            return P, np.repeat(z0, P.shape[0] // R)

        def fun(flat):
            V = flat.reshape(R, w)
            P = np.clip(np.concatenate([V[:, None], V[:, None] + E, V[:, None] - E], axis=1),
                        0.0, 1.0)  # (R, 1 + 2w, w)
            Uq, zq = split(P)
            f = self._score(model, Uq, zq, A).reshape(R, 1 + 2 * w)
            step = np.einsum("rkj,kj->rk", P[:, 1:w + 1] - P[:, w + 1:], np.eye(w))
            step = np.where(step > 0, step, 1.0)
            g = (f[:, 1:w + 1] - f[:, w + 1:]) / step
            return -float(f[:, 0].sum()), -g.ravel()

        with np.errstate(over="ignore", invalid="ignore"):
            res = optimize.minimize(fun, V0.ravel(), jac=True, method="L-BFGS-B",
                                    bounds=[(0.0, 1.0)] * (R * w),
                                    options={"maxiter": int(maxiter)})
        V = np.clip(res.x.reshape(R, w), 0.0, 1.0)
        Uq, zq = split(V)
        return Uq, zq

    # ------------------------------------------------------------------ recommendation
    def _argmax_mean(self, model, z, opt, n=1024):
        d = self.xspace.n_columns
        sob = qmc.Sobol(d, scramble=True, seed=0).random(n)
        U, _ = self._split(opt.x_iters)
        cand = np.vstack([sob, U])
        mu = model.predict(cand, z)
        best = cand[int(np.argmax(mu))]
        if self.xspace.is_real:
            res = optimize.minimize(lambda u: -model.predict(u[None], z)[0], best,
                                    method="L-BFGS-B", bounds=[(0.0, 1.0)] * d,
                                    options={"maxiter": 50})
            if -res.fun >= mu.max():
                best = np.clip(res.x, 0.0, 1.0)
        return self.xspace.snap(best[None])[0]

    def _recommend(self, model, z, opt, rule=None):
        """The recommended ``x`` (unit cube) at ``z``; see :meth:`result_fields`.

        ``rule="evaluated"``: the visited ``x`` (evaluated at any fidelity or source) with
        the best posterior mean at ``z``. ``rule="box"``: the maximiser of the posterior
        mean at ``z`` over the whole box (multistart), kept only if its lower bound
        ``mean - sd`` at ``z`` is at least that of the best visited ``x``; otherwise the
        visited one. ``rule="box_unguarded"``: the box maximiser, always.
        """
        rule = self.recommend if rule is None else rule
        U, _ = self._split(opt.x_iters)
        mu, sd = model.predict(U, z, return_std=True)
        i = int(np.argmax(mu))
        if rule == "evaluated" or not self.xspace.is_real:
            return U[i]
        u = self._argmax_mean(model, z, opt)
        if rule == "box_unguarded":
            return u
        mb, sb = model.predict(u[None], z, return_std=True)
        return u if mb[0] - sb[0] >= mu[i] - sd[i] else U[i]

    def result_fields(self, opt):
        """Extra fields of the optimizer's result: the recommendation at the target."""
        fields = {"total_cost": self.total_cost(opt), "x_target": None, "fun_target": None}
        if len(opt._y) < 2:
            return fields
        model = opt.models[-1] if opt.models and len(opt.models[-1]._y) == len(opt._y) \
            else self._model(opt, side_effects=False)
        sign = 1.0 if opt.maximize else -1.0
        zs = [self.target] if self.kind == "fidelity" else list(range(self.n_sources))
        recs = []
        for z in zs:
            u = self._recommend(model, z, opt)
            recs.append((self.xspace.decode(u)[0] + [z],
                         float(sign * model.predict(u[None], z)[0])))
        fields["x_target"], fields["fun_target"] = recs[0]
        if self.kind == "sources":
            fields["x_per_source"] = [r[0] for r in recs]
            fields["fun_per_source"] = [r[1] for r in recs]
        return fields
