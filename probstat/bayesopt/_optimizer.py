"""The Bayesian-optimisation loop: ask/tell, pending points, executors and ``minimize``."""

from __future__ import annotations

import concurrent.futures as cf
import copy
import inspect
import numbers
import time

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from ..backend import on_host
from ..utils import (
    check_array,
    check_bool,
    check_callable,
    check_option,
    check_rng,
    check_sequence,
    check_verbose,
    progress,
)
from ..utils._numerics import limit_blas_threads
from ._acquisition import (
    AcquisitionFunction,
    ConstrainedExpectedImprovement,
    ExpectedImprovement,
    LogExpectedImprovement,
    LogProbabilityOfImprovement,
    ProbabilityOfImprovement,
    UpperConfidenceBound,
    qLogExpectedImprovement,
)
from ._checks import check_int
from ._compat import ACQUISITION_HINTS, check_keywords, keyword_names, skopt_aware
from ._fidelity import MultiFidelityPlan
from ._gp import GaussianProcess
from ._knowledge import (
    DerivativeKnowledgeGradient,
    OneShotKnowledgeGradient,
    check_gradient,
    fit_derivative_model,
    split_value,
)
from ._lookahead import (
    EntropySearch,
    KnowledgeGradient,
    MaxValueEntropySearch,
    NoisyExpectedImprovement,
)
from ._maximize import _maximize
from ._space import Space

_ACQUISITIONS = {
    "ei": ExpectedImprovement,
    "logei": LogExpectedImprovement,
    "pi": ProbabilityOfImprovement,
    "logpi": LogProbabilityOfImprovement,
    "ucb": UpperConfidenceBound,
    "noisy_ei": NoisyExpectedImprovement,
    "kg": KnowledgeGradient,
    "mes": MaxValueEntropySearch,
    "es": EntropySearch,
    "kg_one_shot": OneShotKnowledgeGradient,
    "dkg": DerivativeKnowledgeGradient,
}


class ObjectiveError(RuntimeError):
    """The objective raised at a point; earlier evaluations stay in the optimizer.

    Parameters
    ----------
    message : str
        The error message.
    x : list
        The point at which the objective failed.
    optimizer : BayesianOptimizer
        The optimizer holding every evaluation told before the failure.

    Attributes
    ----------
    x : list
        The point at which the objective failed.
    optimizer : BayesianOptimizer
        The optimizer holding every evaluation told before the failure.
    """

    def __init__(self, message, x, optimizer):
        super().__init__(message)
        self.x = x
        self.optimizer = optimizer


def _check_value(value, x, name="y"):
    """An objective value: a finite real number (a 0-d array is unwrapped)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number (got {value!r} at x={x})")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number (got {value!r} at x={x})")
    return float(value)


def _check_executor(executor):
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError("executor must be a concurrent.futures.Executor or None "
                        f"(got {type(executor).__name__})")


def _check_points(points, space, name):
    """A list of valid points of ``space`` (None gives [])."""
    if points is None:
        return []
    points = check_sequence(points, name, what="points", allow_empty=True)
    return [space.check_point(p, f"{name}[{k}]") for k, p in enumerate(points)]


class BayesianOptimizer:
    """Ask/tell Gaussian-process Bayesian optimisation over a mixed search space.

    Minimises by default (``maximize=False``), as SciPy and scikit-optimize do; internally
    every acquisition maximises the negated objective. The first ``n_initial`` points come
    from a scrambled Sobol design; afterwards each :meth:`ask` fits the GP (hyperparameters
    refitted every ``refit_every`` new observations, otherwise the Cholesky factor is
    extended by a rank-k update), conditions on pending points, and maximises the
    acquisition by batched multistart L-BFGS-B from ``raw_samples`` quasi-random points.

    Described in [1]_, [2]_ and [3]_.

    Parameters
    ----------
    space : Space or sequence of dimensions
        See :class:`Space` (``[(-5.0, 10.0), (0.0, 15.0)]`` is a 2-D box).
    acquisition : str or AcquisitionFunction, default="logei"
        ``"logei"``, ``"ei"``, ``"pi"``, ``"logpi"``, ``"ucb"``, ``"noisy_ei"`` (Frazier's),
        ``"kg"``, ``"kg_one_shot"``, ``"mes"``, ``"es"``, ``"dkg"`` (for objectives that
        return gradients), or an instance. Once a gradient has been told, the surrogate
        is a :class:`DerivativeGaussianProcess`.
    n_initial : int, optional
        Size of the initial design; default ``max(5, 2 * n_columns)``.
    batch_strategy : {"kriging_believer", "constant_liar", "qei"}, default="kriging_believer"
        How ``ask(n > 1)`` and pending points are handled: condition the GP on the
        posterior mean (kriging believer) or on the worst observed value (constant liar)
        at each pending point, or jointly maximise q-LogEI.
    n_constraints : int, default=0
        Number of expensive constraints ``c_i(x) <= 0`` told with each observation; the
        acquisition becomes :class:`ConstrainedExpectedImprovement`.
    model : GaussianProcess, optional
        Template for the surrogate (cloned); default ``GaussianProcess()`` on the
        unit-cube encoding.
    maximize : bool, default=False
        Maximise instead of minimise.
    raw_samples : int, default=512
        Quasi-random points evaluated before each acquisition optimisation (>= 1).
    n_restarts : int, default=10
        L-BFGS-B starts of each acquisition optimisation (>= 0).
    refit_every : int, default=1
        Refit the hyperparameters every this many new observations (>= 1).
    random_state : None, int, RandomState or Generator
        Seeds the design, the surrogate fits and the acquisition optimisation.
    verbose : bool or int, default=False
        Progress bar in :meth:`run`.
    fidelity : (low, high), optional
        Multi-fidelity optimisation: the space gains a last dimension, the fidelity ``s``
        in ``[low, high]`` (the target is ``high``), and every point (asked, told, passed
        to ``func``) ends with it. The model is a GP over ``(x, s)``; proposals maximise
        the cost-aware knowledge gradient at the target (``acquisition`` default or "kg").
    sources : int, optional
        Multi-information-source (or multi-task) optimisation with this many sources
        (>= 2): the last dimension is the source index ``0 .. sources-1``, source 0 is
        the target, and the model is the intrinsic-coregionalisation GP. The result
        also reports one recommendation per source.
    cost : callable, optional
        ``cost(s)`` of one evaluation at fidelity or source ``s`` (finite, > 0; default
        1), with ``fidelity`` or ``sources``.
    fidelity_kernel : {"linear_truncated", "rbf"}, optional
        The kernel in the fidelity, with ``fidelity``: ``"linear_truncated"`` (default), a
        low-fidelity bias vanishing at the target; ``"rbf"``, a stationary product kernel.

    Attributes
    ----------
    x_iters : list of list
        The evaluated points, in order.
    func_vals : ndarray
        Their objective values.
    pending : list of list
        Points asked and not told yet.
    models : list of GaussianProcess
        The surrogate used for each model-based ask.

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Algorithm 1 (the loop) and Section 5 (parallel and constrained evaluations).
    .. [2] D. Ginsbourger, R. Le Riche and L. Carraro, "Kriging is well-suited to
       parallelize optimization", in *Computational Intelligence in Expensive Optimization
       Problems*, Springer, 2010, the kriging believer and constant liar.
    .. [3] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708, LogEI, the default acquisition.

    Examples
    --------
    >>> from probstat.bayesopt import BayesianOptimizer
    >>> opt = BayesianOptimizer([(-2.0, 2.0)], n_initial=3, random_state=0)
    >>> for _ in range(6):
    ...     x = opt.ask()
    ...     _ = opt.tell(x, (x[0] - 0.5) ** 2)
    >>> len(opt.x_iters)
    6
    """

    def __new__(cls, *args, **kwargs):
        # an unknown keyword names BayesianOptimizer() and, for scikit-optimize's names,
        # the probstat one (Python's own message would name __init__ and stop there)
        check_keywords("BayesianOptimizer", kwargs, _INIT_KEYWORDS)
        return super().__new__(cls)

    def __init__(self, space, *, acquisition="logei", n_initial=None,
                 batch_strategy="kriging_believer", n_constraints=0, model=None,
                 maximize=False, raw_samples=512, n_restarts=10, refit_every=1,
                 random_state=None, verbose=False, fidelity=None, sources=None, cost=None,
                 fidelity_kernel=None):
        self._init_args = {k: v for k, v in locals().items() if k != "self"}
        self.space = Space(space)
        # multi-fidelity / multi-source: the logic lives in _fidelity.MultiFidelityPlan
        self.fidelity, self.sources, self.cost = fidelity, sources, cost
        self.fidelity_kernel = fidelity_kernel
        self._mf = None
        if fidelity is not None or sources is not None:
            self._mf = MultiFidelityPlan(self.space, fidelity, sources, cost, fidelity_kernel,
                                         optimizer_args=(acquisition, n_constraints,
                                                         batch_strategy))
            self.space = self._mf.space
        elif cost is not None or fidelity_kernel is not None:
            raise ValueError("cost and fidelity_kernel need fidelity (cost: or sources)")
        self.acquisition = acquisition
        self._acq = self._make_acquisition(acquisition)
        d = self.space.n_columns
        self.n_initial = (max(5, 2 * d) if n_initial is None
                          else check_int(n_initial, "n_initial", 1))
        self.batch_strategy = check_option(batch_strategy, "batch_strategy",
                                           ("kriging_believer", "constant_liar", "qei"))
        self.n_constraints = check_int(n_constraints, "n_constraints", 0)
        if model is not None and not isinstance(model, GaussianProcess):
            raise TypeError(f"model must be a GaussianProcess or None "
                            f"(got {type(model).__name__})")
        self.model = model
        self.maximize = check_bool(maximize, "maximize")
        self.raw_samples = check_int(raw_samples, "raw_samples", 1)
        self.n_restarts = check_int(n_restarts, "n_restarts", 0)
        self.refit_every = check_int(refit_every, "refit_every", 1)
        self.random_state = random_state
        self.verbose = check_verbose(verbose)
        self.rng_ = check_rng(random_state)
        self._design = qmc.Sobol(d, scramble=True, seed=self.rng_).random(
            int(2 ** np.ceil(np.log2(max(self.n_initial, 2)))))[: self.n_initial]
        self._design_next = 0
        self.x_iters, self._y, self._c, self._g = [], [], [], []
        self.pending = []
        self.models = []
        self._gp = None
        self._gp_n = 0
        self._last_refit = 0
        self.timings = []

    @staticmethod
    def _make_acquisition(acq):
        if isinstance(acq, AcquisitionFunction):
            return acq
        if not isinstance(acq, str):
            raise TypeError(f"acquisition must be one of {sorted(_ACQUISITIONS)} or an "
                            f"AcquisitionFunction (got {type(acq).__name__})")
        if acq.lower() in ACQUISITION_HINTS:
            raise ValueError(f"acquisition must be one of {sorted(_ACQUISITIONS)} or an "
                             f"AcquisitionFunction (got {acq!r}): "
                             f"{ACQUISITION_HINTS[acq.lower()]}")
        check_option(acq.lower(), "acquisition", sorted(_ACQUISITIONS))
        return _ACQUISITIONS[acq.lower()]()

    # ---------------------------------------------------------------- data
    @property
    def func_vals(self):
        return np.asarray(self._y, dtype=float)

    @property
    def incumbent_(self):
        """Best feasible evaluated point and value, ``(x, y)``; ``(None, None)`` before any."""
        if not self._y:
            return None, None
        y = np.asarray(self._y, dtype=float)
        score = -y if self.maximize else y
        if self.n_constraints:
            feas = np.all(np.asarray(self._c) <= 0, axis=1)
            score = np.where(feas, score, np.inf)
            if not feas.any():
                return None, None
        if self._mf is not None:  # only evaluations at the target count
            at_target = np.array([p[-1] == self._mf.target for p in self.x_iters])
            if not at_target.any():
                return None, None
            score = np.where(at_target, score, np.inf)
        i = int(np.argmin(score))
        return self.x_iters[i], float(y[i])

    # ---------------------------------------------------------------- tell
    def tell(self, x, y, constraints=None, gradient=None):
        """Record evaluations (and, optionally, the objective's gradients).

        Parameters
        ----------
        x : point or list of points
            One value per dimension (a list, tuple or 1-D array), or a list of such
            points when ``y`` is a list.
        y : float or list of float
            Objective values (finite).
        constraints : array-like of shape (n_constraints,) or (n_points, n_constraints)
            Constraint values (finite), feasible when ``<= 0``; required iff
            ``n_constraints > 0``.
        gradient : array-like of shape (n_dims,) or (n_points, n_dims), optional
            Gradient of the objective at each point (finite; a space of Real dimensions
            only).

        Returns
        -------
        self
            The optimizer.
        """
        host = on_host(x, y, constraints, gradient, where="BayesianOptimizer.tell")
        x, y, constraints, gradient = (host.to_numpy(v)
                                       for v in (x, y, constraints, gradient))
        single = (not isinstance(y, (list, tuple))
                  and (not isinstance(y, np.ndarray) or y.ndim == 0))
        xs = [x] if single else list(x)
        ys = [y] if single else list(y)
        if len(xs) != len(ys):
            raise ValueError(f"x and y must have the same length (got {len(xs)} and {len(ys)})")
        if self.n_constraints:
            if constraints is None:
                raise ValueError(f"constraints must be given ({self.n_constraints} per point)")
            cs = check_array(constraints, "constraints", ndim=(1, 2), xp=np)
            if cs.size != len(xs) * self.n_constraints:
                raise ValueError(f"constraints must hold {self.n_constraints} value(s) per "
                                 f"point for {len(xs)} point(s) (got shape {cs.shape})")
            cs = cs.reshape(len(xs), self.n_constraints)
        elif constraints is not None:
            raise ValueError("constraints given but n_constraints is 0")
        points, values = [], []
        for xi, yi in zip(xs, ys):
            try:
                xi = self.space.check_point(xi)
            except (TypeError, ValueError) as exc:
                if not single:
                    raise
                raise type(exc)(f"{exc} (x must be one point when y is a single value)"
                                ) from None
            values.append(_check_value(yi, xi))
            points.append(xi)
        grads = [None] * len(points)
        if gradient is not None:
            gs = check_array(gradient, "gradient", ndim=(1, 2), xp=np)
            if gs.shape[0] != len(points) and gs.ndim == 2 or gs.ndim == 1 and not single:
                raise ValueError(f"gradient must have shape ({len(points)}, n_dims), one "
                                 f"row per point (got {gs.shape})")
            grads = [check_gradient(self.space, xi, gi)
                     for xi, gi in zip(points, np.atleast_2d(gs))]
        for k, (xi, yi) in enumerate(zip(points, values)):
            self.x_iters.append(xi)
            self._y.append(yi)
            self._g.append(grads[k])
            if self.n_constraints:
                self._c.append(cs[k])
            enc = self.space.encode([xi])[0]
            for j, p in enumerate(self.pending):
                if np.allclose(self.space.encode([p])[0], enc, atol=1e-12):
                    del self.pending[j]
                    break
        return self

    # ---------------------------------------------------------------- ask
    def ask(self, n=None):
        """Propose the next point (``n=None``) or a batch of ``n`` points.

        Proposed points are held as pending until told.

        Parameters
        ----------
        n : int, optional
            Number of points (>= 1); None asks for one point, returned unwrapped.

        Returns
        -------
        list
            One point (a list of values) or, with ``n``, a list of ``n`` points.
        """
        k = 1 if n is None else check_int(n, "n", 1)
        out = []
        if self._design_next == 0 and len(self._y) >= self.n_initial:
            self._design_next = self.n_initial  # enough data told before the first ask
        while len(out) < k and self._design_next < self.n_initial:
            pt = self.space.decode(self._design[self._design_next])[0]
            self._design_next += 1
            out.append(pt)
            self.pending.append(pt)
        if len(out) < k:
            if len(self._y) < 2:
                # not enough data for a model: random points
                while len(out) < k:
                    pt = self.space.decode(self.rng_.uniform(size=self.space.n_columns))[0]
                    out.append(pt)
                    self.pending.append(pt)
            else:
                with limit_blas_threads(1):
                    out += self._ask_model(k - len(out))
        return out[0] if n is None else out

    def _fit_models(self):
        U = self.space.encode(self.x_iters)
        y = np.asarray(self._y, dtype=float)
        y_int = y if self.maximize else -y
        n = len(y)
        start = time.perf_counter()
        template = self.model if self.model is not None else GaussianProcess()
        refit = (self._gp is None or n - self._last_refit >= self.refit_every
                 or self._gp_n > n)
        if any(g is not None for g in self._g):
            told = np.array([g is not None for g in self._g])
            G = np.array([g if g is not None else np.zeros(U.shape[1]) for g in self._g])
            keep = told if told.sum() >= 2 else np.ones(n, dtype=bool)
            # fit on the points told with a gradient; the others join by conditioning
            sign = 1.0 if self.maximize else -1.0
            gp = fit_derivative_model(template, self._gp, U[keep], y_int[keep],
                                      sign * G[keep], self.rng_)
            if not keep.all():
                gp = gp.condition_on(U[~keep], y_int[~keep])
            self._last_refit = n
        elif refit:
            gp = copy.deepcopy(self._gp) if self._gp is not None else copy.deepcopy(template)
            gp.set_params(bounds=np.tile([0.0, 1.0], (U.shape[1], 1)), warm_start=True,
                          random_state=self.rng_.integers(2**31))
            gp.fit(U, y_int)
            self._last_refit = n
        elif self._gp_n < n:
            gp = self._gp.condition_on(U[self._gp_n:], y_int[self._gp_n:])
        else:
            gp = self._gp
        self._gp, self._gp_n = gp, n
        cmodels = []
        if self.n_constraints:
            C = np.asarray(self._c, dtype=float)
            for j in range(self.n_constraints):
                cm = copy.deepcopy(template)
                cm.set_params(bounds=np.tile([0.0, 1.0], (U.shape[1], 1)))
                cmodels.append(cm.fit(U, C[:, j]))
        self._fit_seconds = time.perf_counter() - start
        return gp, cmodels, U, y_int

    def _ask_model(self, k):
        if self._mf is not None:
            return self._mf.ask(self, k)
        gp, cmodels, U, y_int = self._fit_models()
        self.models.append(gp)
        start = time.perf_counter()
        dim = self.space.n_columns
        best = float(np.max(y_int))
        pend = [self.space.encode([p])[0] for p in self.pending]
        if self.n_constraints:
            acq = ConstrainedExpectedImprovement(cmodels)
        else:
            acq = self._acq
        out = []
        if self.batch_strategy == "qei" and k > 1:
            q_acq = qLogExpectedImprovement()._bind(
                gp, best, np.array(pend) if pend else None, self.rng_)
            Xq, _ = _maximize(q_acq, dim, self.rng_, self.raw_samples, self.n_restarts, 100,
                              self.space, k)
            for row in np.atleast_2d(Xq):
                pt = self.space.decode(row)[0]
                out.append(pt)
                self.pending.append(pt)
        else:
            model = gp
            if pend:
                model = self._believe(gp, np.array(pend), y_int)
            for _ in range(k):
                # the incumbent includes believed values (a lie above it must not repeat)
                best_k = float(np.max(model._y))
                bound = acq._bind(model, best_k, None, self.rng_)
                q1 = getattr(bound, "n_points_", 1)  # one-shot KG: the point + fantasies
                x, _ = _maximize(bound, dim, self.rng_, self.raw_samples, self.n_restarts, 100,
                                 self.space, q1)
                x = x[0] if q1 > 1 else x
                pt = self.space.decode(x)[0]
                out.append(pt)
                self.pending.append(pt)
                if len(out) < k:
                    model = self._believe(model, x[None], y_int)
        self.timings.append({"n": len(self._y), "fit": self._fit_seconds,
                             "acquisition": time.perf_counter() - start})
        return out

    def _believe(self, gp, P, y_int):
        if self.batch_strategy == "constant_liar":
            lie = np.full(P.shape[0], float(np.min(y_int)))
        else:
            lie = gp._predict_np(P)
        return gp.condition_on(P, lie)

    # ---------------------------------------------------------------- run
    def _evaluate_result(self, x, value):
        value, gradient = (value, None) if self.n_constraints else split_value(value, x)
        if gradient is not None:
            self.tell(x, _check_value(value, x), gradient=gradient)
        elif self.n_constraints:
            try:
                y, c = value
            except (TypeError, ValueError):
                raise ValueError(f"with n_constraints={self.n_constraints} the objective must "
                                 f"return (y, constraints) (got {value!r} at x={x})") from None
            self.tell(x, float(y), constraints=c)
        else:
            try:
                if isinstance(value, (str, bytes)):
                    raise TypeError
                yv = float(value)
            except (TypeError, ValueError):
                raise TypeError(f"the objective must return a number (got {value!r} at "
                                f"x={x})") from None
            self.tell(x, yv)

    def _fail(self, x, exc):
        self.pending = [p for p in self.pending if p != x]
        raise ObjectiveError(
            f"objective raised {type(exc).__name__} at x={x}: {exc} "
            f"({len(self._y)} earlier evaluations kept in the optimizer)", x, self) from exc

    def run(self, func, n_iter, *, executor=None, batch_size=1):
        """Evaluate ``func`` ``n_iter`` times, asking and telling as results arrive.

        Parameters
        ----------
        func : callable
            ``func(x)`` with ``x`` a list of values; returns a float, ``(y, gradient)``
            (the surrogate then conditions on gradients too), or ``(y, constraints)``
            when ``n_constraints > 0``.
        n_iter : int
            Number of evaluations (>= 0).
        executor : concurrent.futures.Executor, optional
            Runs up to ``batch_size`` evaluations at a time (threads, processes, or a Dask
            cluster through ``Client.get_executor()``); new points are asked as soon as a
            result comes back, with the running ones as pending points.
        batch_size : int, default=1
            Evaluations in flight with an executor (>= 1).

        Returns
        -------
        scipy.optimize.OptimizeResult
            As :meth:`result`.

        Raises
        ------
        ObjectiveError
            When ``func`` raises; it names the point, and every earlier evaluation is kept.
        """
        func = check_callable(func, "func")
        n_iter = check_int(n_iter, "n_iter", 0)
        batch_size = check_int(batch_size, "batch_size", 1)
        _check_executor(executor)
        bar = progress(None, total=n_iter, desc="bayesopt", verbose=self.verbose)
        try:
            if executor is None:
                for _ in range(n_iter):
                    x = self.ask()
                    try:
                        value = func(x)
                    except Exception as exc:  # the user's objective: report which point
                        self._fail(x, exc)
                    self._evaluate_result(x, value)
                    bar.update(1)
            else:
                submitted = 0
                running = {}
                while submitted < n_iter or running:
                    free = min(batch_size - len(running), n_iter - submitted)
                    if free > 0:
                        xs = self.ask(free)
                        for x in xs:
                            running[executor.submit(func, x)] = x
                        submitted += free
                    done, _ = cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
                    for fut in done:
                        x = running.pop(fut)
                        try:
                            value = fut.result()
                        except Exception as exc:  # the user's objective
                            for other in running:
                                other.cancel()
                            self._fail(x, exc)
                        self._evaluate_result(x, value)
                        bar.update(1)
        finally:
            bar.close()
        return self.result()

    def result(self):
        """The run so far as a :class:`scipy.optimize.OptimizeResult`.

        Returns
        -------
        OptimizeResult
            scikit-optimize's fields ``x`` and ``fun`` (best feasible evaluation),
            ``x_iters``, ``func_vals``, ``models``, ``space``, ``random_state`` and
            ``specs``, plus probstat's ``nfev``, ``nit``, ``constraint_vals``,
            ``timings``, ``success``, ``message`` and ``optimizer``. With ``fidelity`` or
            ``sources`` also ``x_target`` (a point ending with the target fidelity or
            source 0: for a fidelity, the maximiser of the posterior mean at the target
            over the box, kept when its mean minus one posterior sd is at least that of the
            best evaluated ``x``, which replaces it otherwise; for sources, the evaluated
            ``x`` with the best posterior mean at the target),
            ``fun_target`` (the posterior mean there), ``total_cost`` and, for sources,
            ``x_per_source`` and ``fun_per_source``.
        """
        return self._result(list(self.models), {"function": "BayesianOptimizer",
                                                "args": self._init_args})

    def _result(self, models, specs):
        x, fun = self.incumbent_
        ok = x is not None
        return optimize.OptimizeResult(
            x=x, fun=fun, x_iters=list(self.x_iters), func_vals=self.func_vals,
            models=models, space=self.space, random_state=self.rng_, specs=specs,
            nfev=len(self._y), nit=len(self.models),
            constraint_vals=np.asarray(self._c) if self.n_constraints else None,
            timings=list(self.timings), success=ok,
            message="ok" if ok else "no (feasible) evaluation yet", optimizer=self,
            **(self._mf.result_fields(self) if self._mf is not None else {}))

    def _final_model(self):
        """The surrogate fitted on every evaluation so far (None with fewer than 2)."""
        if len(self._y) < 2:
            return None
        with limit_blas_threads(1):
            return self._fit_models()[0]


_INIT_KEYWORDS = keyword_names(BayesianOptimizer.__init__) - {"self"}
# inspect.signature(BayesianOptimizer) shows __init__'s parameters, not __new__'s catch-all
BayesianOptimizer.__new__.__signature__ = inspect.signature(BayesianOptimizer.__init__)


@skopt_aware("minimize")
def minimize(func, space, n_calls=50, *, n_initial=None, acquisition="logei", x0=None,
             y0=None, callback=None, executor=None, batch_size=1, batch_strategy="kriging_believer",
             n_constraints=0, model=None, maximize=False, raw_samples=512, n_restarts=10,
             refit_every=1, random_state=None, verbose=False):
    """Minimise an expensive function by GP Bayesian optimisation (like skopt's gp_minimize).

    Runs Frazier's Algorithm 1 [1]_: a scrambled Sobol design of ``n_initial`` points,
    then one proposal at a time from a Gaussian-process surrogate (Rasmussen & Williams'
    Algorithm 2.1 [2]_) and the acquisition, log expected improvement [3]_ by default.
    The result has the fields of ``skopt.gp_minimize``'s; the user guide lists
    scikit-optimize's argument names next to probstat's. An unknown keyword (such as
    skopt's ``acq_func``) is a ``TypeError`` that names the probstat argument to use.

    Parameters
    ----------
    func : callable
        ``func(x) -> float`` with ``x`` a list of values, or ``(y, gradient)`` to give
        the gradient too, or ``(y, constraints)`` with ``n_constraints > 0``.
    space : Space or sequence of dimensions
        ``[(low, high), ...]`` for a box: a pair is a real interval whatever the number
        types, as in :func:`scipy.optimize.minimize`; ask for integer and categorical
        dimensions with :class:`Integer` and :class:`Categorical`.
    n_calls : int, default=50
        Total evaluations (>= 1), including ``x0`` points evaluated here.
    n_initial : int, optional
        Initial Sobol design size (>= 1; default ``max(5, 2 d)``, minus the given ``x0``).
        scikit-optimize calls it ``n_initial_points``.
    acquisition : str or AcquisitionFunction, default="logei"
        See :class:`BayesianOptimizer` (skopt's ``acq_func``).
    x0 : list of points, optional
        Points to evaluate (or, with ``y0``, already evaluated) first.
    y0 : list of float, optional
        Objective values at ``x0`` (finite).
    callback : callable, optional
        ``callback(result)`` after each evaluation; returning True stops.
    executor : concurrent.futures.Executor, optional
        See :meth:`BayesianOptimizer.run`.
    batch_size : int, default=1
        Evaluations in flight with an executor (>= 1).
    batch_strategy : {"kriging_believer", "constant_liar", "qei"}, default="kriging_believer"
        See :class:`BayesianOptimizer`.
    n_constraints : int, default=0
        Number of expensive constraints returned by ``func``; see
        :class:`BayesianOptimizer`.
    model : GaussianProcess, optional
        Surrogate template (skopt's ``base_estimator``); ``GaussianProcess(noise=...)``
        sets the noise (skopt's ``noise``).
    maximize : bool, default=False
        Maximise instead of minimise.
    raw_samples : int, default=512
        Quasi-random points scored before each acquisition optimisation (skopt's
        ``n_points``).
    n_restarts : int, default=10
        L-BFGS-B starts of each acquisition optimisation (skopt's
        ``n_restarts_optimizer``).
    refit_every : int, default=1
        Refit the hyperparameters every this many new observations.
    random_state : None, int, RandomState or Generator
        Seeds the whole run.
    verbose : bool or int, default=False
        Progress bar.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``fun``, ``x_iters``, ``func_vals``, ``models``, ``space``,
        ``random_state`` and ``specs`` as in scikit-optimize, where ``models[-1]`` is the
        surrogate fitted on every evaluation; ``random_state`` is the
        :class:`numpy.random.Generator` of the run (skopt's is a ``RandomState``) and
        ``space`` a probstat :class:`Space`. Extras: ``nfev``, ``nit`` (model-based
        proposals), ``constraint_vals``, ``timings``, ``success``, ``message`` and
        ``optimizer`` (the :class:`BayesianOptimizer`, to continue the run).

    Raises
    ------
    TypeError
        For an unknown keyword; for scikit-optimize's names it says which probstat
        argument to use, or that there is no equivalent and what to do instead.

    See Also
    --------
    BayesianOptimizer : the same loop, ask/tell.

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 3 and Algorithm 1 (the basic loop).
    .. [2] C. E. Rasmussen and C. K. I. Williams, *Gaussian Processes for Machine
       Learning*, MIT Press, 2006, Algorithm 2.1.
    .. [3] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708.

    Examples
    --------
    >>> from probstat.bayesopt import minimize
    >>> res = minimize(lambda x: (x[0] - 0.3) ** 2, [(-1, 1)], n_calls=12, random_state=0)
    >>> bool(res.fun < 1e-3), isinstance(res.x[0], float)
    (True, True)
    """
    args = {k: v for k, v in locals().items()}
    func = check_callable(func, "func")
    n_calls = check_int(n_calls, "n_calls", 1)
    callback = check_callable(callback, "callback", optional=True)
    batch_size = check_int(batch_size, "batch_size", 1)
    _check_executor(executor)
    sp = Space(space)
    host = on_host(x0, y0, where="minimize")
    x0 = _check_points(host.to_numpy(x0), sp, "x0")
    if y0 is not None:
        y0 = host.to_numpy(y0)
        if isinstance(y0, (str, bytes)) or not hasattr(y0, "__len__") or np.ndim(y0) != 1:
            raise TypeError(f"y0 must be a list of numbers, one per x0 point (got {y0!r})")
        if len(y0) != len(x0):
            raise ValueError(f"y0 must have one value per x0 point (got {len(y0)} and "
                             f"{len(x0)})")
        y0 = [_check_value(v, x, f"y0[{k}]") for k, (v, x) in enumerate(zip(y0, x0))]
    if n_initial is None:
        n_initial = max(1, max(5, 2 * sp.n_columns) - len(x0))
    opt = BayesianOptimizer(sp, acquisition=acquisition, n_initial=n_initial,
                            batch_strategy=batch_strategy, n_constraints=n_constraints,
                            model=model, maximize=maximize, raw_samples=raw_samples,
                            n_restarts=n_restarts, refit_every=refit_every,
                            random_state=random_state, verbose=verbose)
    if x0 and y0 is not None:
        opt.tell(x0, y0)
    else:
        for x in x0:
            try:
                value = func(x)
            except Exception as exc:  # the user's objective
                opt._fail(x, exc)
            opt._evaluate_result(x, value)
    remaining = n_calls - (len(x0) if y0 is None else 0)
    if callback is None:
        opt.run(func, max(remaining, 0), executor=executor, batch_size=batch_size)
    else:
        for _ in range(max(remaining, 0)):
            opt.run(func, 1, executor=executor, batch_size=1)
            if callback(opt.result()):
                break
    final = opt._final_model()
    models = list(opt.models) + ([final] if final is not None else [])
    return opt._result(models, {"function": "minimize", "args": args})
