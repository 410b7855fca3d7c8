"""The generic exponential family ``g(x; theta) = h(x) exp(<theta, t(x)> - psi(theta))``.

Public methods validate their arguments, copy array-API input to the host and return their
arrays in the input's namespace. Each has a private twin (``_fit`` for ``fit``, ...) that
takes validated NumPy arrays: the named families (``_families.py``, ``_mvn.py``) override
the twins, and the rest of the subpackage calls them, so inner loops pay for validation
once.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import re
import warnings

import numpy as np

from .._warn import warn
from ..backend import on_host
from ..utils import ConvergenceWarning, check_array, check_option, check_rng, check_scalar_in
from ..utils._numerics import logsumexp
from ._core import _weighted_cumulants

__all__ = ["ExponentialFamily"]

#: Names accepted by :meth:`ExponentialFamily.named`.
FAMILY_NAMES = ("bernoulli", "exponential", "gamma_known_shape", "independent_normal", "mvn",
                "multinomial", "normal", "normal_known_var", "poisson")


def _as_2d(X, name="X"):
    """Validated float64 samples of shape (n, d); a 1-D array is one column."""
    X = check_array(X, name, ndim=(1, 2))
    return X[:, None] if X.ndim == 1 else X


@contextlib.contextmanager
def _about(name):
    """Name the caller's argument ``name`` in a ValueError raised about its data.

    The families check their data (support, rank, existence of the MLE) without knowing
    what the public routine calls them (``X``, ``truth``, ``support``, ...).
    """
    try:
        yield
    except ValueError as exc:
        message = str(exc)
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", message):
            raise
        raise ValueError(f"{name}: {message}") from None


def _vector(theta, name, p=None):
    """Validated float64 vector, of length ``p`` when given."""
    theta = check_array(theta, name, ndim=1)
    if p is not None and theta.shape[0] != p:
        raise ValueError(f"{name} must have {p} entries (got {theta.shape[0]})")
    return theta


def _central_difference(f, theta, hh, k):
    """k-th derivative tensor of ``f`` at ``theta`` by central differences with steps ``hh``.

    ``f`` may return a scalar or an array; its axes lead the result's.
    """
    p = theta.shape[0]
    out = None
    for idx in itertools.combinations_with_replacement(range(p), k):
        total = 0.0
        for signs in itertools.product((1.0, -1.0), repeat=k):
            step = np.zeros(p)
            for i, s in zip(idx, signs):
                step[i] += s * hh[i]
            total = total + np.prod(signs) * f(theta + step)
        val = np.asarray(total / (2.0 ** k * np.prod([hh[i] for i in idx])))
        if out is None:
            out = np.zeros(val.shape + (p,) * k)
        for perm in set(itertools.permutations(idx)):
            out[(Ellipsis,) + perm] = val
    return out


def richardson_derivative(f, theta, h, k):
    """Richardson-extrapolated central differences: ``(4 D(h) - D(2h)) / 3``."""
    return (4.0 * _central_difference(f, theta, h, k)
            - _central_difference(f, theta, 2 * h, k)) / 3.0


class ExponentialFamily:
    r"""An exponential family ``g(x; theta) = h(x) exp(<theta, t(x)> - psi(theta))``.

    ``theta`` is the natural parameter, ``t`` the (minimal) sufficient statistic and ``psi``
    the log-partition function. What the risk expansion needs is ``psi``'s derivatives at
    the information projection (the model cumulants of ``t``); they come from

    * ``psi_derivs`` (``"analytic"``), or
    * finite differences of ``log_partition`` (``"finite_difference"``, Richardson-
      extrapolated central differences), or
    * a quadrature rule / exact enumeration / importance sample of the base measure
      (``grid=(nodes, log_weights)``, ``"quadrature"``): then ``psi`` is a log-sum-exp and
      its derivatives are exact cumulants of the discrete measure, so no closed-form
      normalising constant is needed (see :meth:`from_proposal` for Monte Carlo nodes).

    Named families: :meth:`named`. Methods taking arrays accept array-API input (copied
    to the host) and return arrays in the input's namespace.

    The natural parametrization, the cumulants of ``t`` as derivatives of ``psi`` and the
    moment-matching MLE are the standard theory of exponential families [1]_, [2]_; the
    family supplies what the risk expansion of Sheena [3]_ (section 2) needs.

    Parameters
    ----------
    sufficient_stat : callable
        ``t(X)``: array of shape (n, d) -> (n, p).
    log_partition : callable, optional
        ``psi(theta)`` for ``theta`` of shape (p,).
    psi_derivs : callable, optional
        ``theta -> (grad, G, psi3, psi4)``, the first four derivatives of ``psi``.
    grid : tuple (nodes, log_weights), optional
        Nodes of shape (m, d) and log weights (log quadrature weight plus ``log h``) of
        shape (m,) representing the base measure; ``-inf`` weights are allowed.
    log_base_measure : callable, optional
        ``log h(X)`` of shape (n,); only used for log-likelihoods (AIC, BIC); 0 when omitted.
    mean_to_natural : callable, optional
        Closed-form inverse of the mean map ``eta -> theta``; by default a damped Newton
        method solves ``grad psi(theta) = eta``.
    n_params : int, optional
        ``p``; inferred from ``t`` when omitted.
    theta0 : array of shape (p,), optional
        A point of the natural parameter space where moment matching starts (default:
        the first finite point among 0 and the vectors of -1/0/+1 entries).
    name : str, default="custom"
        Label used in reports.
    fd_step : float, default=1e-2
        Relative step for the finite-difference derivatives of ``log_partition`` (steps
        are scaled per order and per coordinate; the Richardson step removes the
        ``O(h^2)`` error, so a largish step limits the rounding error).

    Attributes
    ----------
    cumulant_method : str
        ``"analytic"``, ``"finite_difference"`` or ``"quadrature"``.

    References
    ----------
    .. [1] O. Barndorff-Nielsen, *Information and Exponential Families in Statistical
       Theory*, Wiley (1978).
    .. [2] L. D. Brown, *Fundamentals of Statistical Exponential Families with Applications
       in Statistical Decision Theory*, IMS Lecture Notes-Monograph Series 9 (1986).
    .. [3] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 2, "Estimation Risk for General
       Case and Exponential Family".

    Examples
    --------
    The exponential distribution written by hand (``t(x) = x``, ``psi = -log(-theta)``):

    >>> import numpy as np
    >>> from probstat.infoproj import ExponentialFamily
    >>> fam = ExponentialFamily(lambda X: X, log_partition=lambda th: -np.log(-th[0]))
    >>> theta = fam.fit(np.array([[0.5], [1.5], [1.0]]))
    >>> round(float(theta[0]), 6)  # -1 / mean
    -1.0
    >>> G, psi3, psi4 = fam.cumulants(theta)
    >>> round(float(psi3[0, 0, 0]), 4)  # -2 / theta^3
    2.0
    """

    def __init__(self, sufficient_stat, log_partition=None, psi_derivs=None, *, grid=None,
                 log_base_measure=None, mean_to_natural=None, n_params=None, theta0=None,
                 name="custom", fd_step=1e-2):
        if not callable(sufficient_stat):
            raise TypeError("sufficient_stat must be callable: X (n, d) -> t (n, p)")
        if log_partition is None and psi_derivs is None and grid is None:
            raise ValueError("give log_partition, psi_derivs or grid (a quadrature rule of the "
                             "base measure) to define the family")
        for nm, f in (("log_partition", log_partition), ("psi_derivs", psi_derivs),
                      ("log_base_measure", log_base_measure),
                      ("mean_to_natural", mean_to_natural)):
            if f is not None and not callable(f):
                raise TypeError(f"{nm} must be callable")
        if not isinstance(name, str):
            raise TypeError(f"name must be a string (got {name!r})")
        self._t = sufficient_stat
        self._psi_fn = log_partition
        self._psi_derivs = psi_derivs
        self._log_h = log_base_measure
        self._mean_to_natural = mean_to_natural
        self.name = name
        self.fd_step = check_scalar_in(fd_step, "fd_step", low=0, low_inclusive=False)
        self._p = None if n_params is None else check_scalar_in(n_params, "n_params", low=1,
                                                                integer=True)
        grid_arrays = () if grid is None else tuple(grid)
        host = on_host(theta0, *grid_arrays, where="ExponentialFamily")
        self._theta0 = None if theta0 is None else _vector(host.to_numpy(theta0), "theta0",
                                                           self._p)
        self._grid = None
        if grid is not None:
            if len(grid_arrays) != 2:
                raise ValueError("grid must be a tuple (nodes, log_weights)")
            nodes = _as_2d(host.to_numpy(grid_arrays[0]), "grid nodes")
            logw = check_array(host.to_numpy(grid_arrays[1]), "grid log_weights", ndim=1,
                               finite=False)
            if logw.shape[0] != nodes.shape[0]:
                raise ValueError("grid log_weights must have one entry per node")
            if np.any(np.isnan(logw)) or np.any(logw == np.inf):
                raise ValueError("grid log_weights must not be NaN or +inf")
            self._grid = (nodes, logw, self._stat(nodes))
        if psi_derivs is not None:
            self.cumulant_method = "analytic"
        elif self._grid is not None:
            self.cumulant_method = "quadrature"
        else:
            self.cumulant_method = "finite_difference"

    # ---------------------------------------------------------------- constructors
    @classmethod
    def named(cls, name, **kwargs):
        """A named family.

        Parameters
        ----------
        name : str
            ``"normal"`` (univariate, mean and variance free: ``t = (x, x^2)``),
            ``"mvn"`` (``d``-variate, mean and covariance free: ``t = (x, x_i x_j)``;
            ``d`` may be omitted and is then taken from the data), ``"independent_normal"``
            (``d`` independent normals, ``t = (x_j, x_j^2)``, ``p = 2d``), ``"normal_known_var"``
            (``variance=``), ``"poisson"``, ``"bernoulli"``, ``"multinomial"``
            (``k=`` categories; one categorical draw per row, labels ``0..k-1``),
            ``"gamma_known_shape"`` (``shape=``), ``"exponential"``.
        **kwargs
            The family's fixed quantities (``d``, ``variance``, ``k``, ``shape``).

        Returns
        -------
        ExponentialFamily
            The family.

        Examples
        --------
        >>> from probstat.infoproj import ExponentialFamily
        >>> ExponentialFamily.named("mvn", d=3).n_params
        9
        """
        from ._families import _Bernoulli, _GammaKnownShape, _Multinomial, _NormalKnownVar, _Poisson
        from ._mvn import _MVN, _IndepNormal

        factories = {
            "normal": lambda: _MVN(d=1),
            "mvn": lambda d=None: _MVN(d=d),
            "independent_normal": lambda d=None: _IndepNormal(d=d),
            "normal_known_var": lambda variance=1.0: _NormalKnownVar(variance),
            "poisson": lambda: _Poisson(),
            "bernoulli": lambda: _Bernoulli(),
            "multinomial": lambda k=None: _Multinomial(k),
            "gamma_known_shape": lambda shape=1.0: _GammaKnownShape(shape),
            "exponential": lambda: _GammaKnownShape(1.0, name="exponential"),
        }
        check_option(name, "name", FAMILY_NAMES)
        try:
            return factories[name](**kwargs)
        except TypeError as exc:
            if "argument" not in str(exc):
                raise
            raise TypeError(f"bad keyword arguments for family {name!r}: {exc}") from None

    @classmethod
    def from_proposal(cls, sufficient_stat, log_base_measure, proposal, n_draws=20000, *,
                      random_state=None, **kwargs):
        """A family whose normalising constant is computed by importance sampling.

        The base measure is represented by ``n_draws`` draws from ``proposal`` with weights
        ``h(x)/q(x)``; ``psi`` and its derivatives are then exact for that weighted sample
        (self-normalised importance sampling), so the MLE and the cumulants need no closed
        form.

        Parameters
        ----------
        sufficient_stat : callable
            ``t(X)``.
        log_base_measure : callable
            ``log h(X)``.
        proposal : frozen scipy.stats distribution
            With ``rvs`` and ``logpdf`` (or ``logpmf``); its support must cover ``h``'s.
        n_draws : int, default=20000
            Number of importance draws (>= 10).
        random_state : None, int, RandomState or Generator
            Seed of the draws.
        **kwargs
            Passed to the constructor.

        Returns
        -------
        ExponentialFamily
            A family with ``cumulant_method == "quadrature"``.

        Examples
        --------
        >>> import numpy as np
        >>> from scipy import stats
        >>> from probstat.infoproj import ExponentialFamily
        >>> fam = ExponentialFamily.from_proposal(
        ...     lambda X: X, lambda X: -np.abs(X[:, 0]) ** 3, stats.norm(scale=2),
        ...     n_draws=4000, random_state=0)
        >>> fam.cumulant_method
        'quadrature'
        """
        n_draws = check_scalar_in(n_draws, "n_draws", low=10, integer=True)
        rng = check_rng(random_state)
        for nm, f in (("sufficient_stat", sufficient_stat), ("log_base_measure",
                                                             log_base_measure)):
            if not callable(f):
                raise TypeError(f"{nm} must be callable")
        if not hasattr(proposal, "rvs"):
            raise TypeError("proposal must be a frozen scipy.stats distribution (with rvs)")
        nodes = np.asarray(proposal.rvs(size=n_draws, random_state=rng), dtype=float)
        nodes = nodes.reshape(n_draws, -1)
        logq = proposal.logpdf if hasattr(proposal, "logpdf") else proposal.logpmf
        lq = np.asarray(logq(nodes[:, 0] if nodes.shape[1] == 1 else nodes)).reshape(-1)
        logw = np.asarray(log_base_measure(nodes), dtype=float).reshape(-1) - lq
        logw = logw - math.log(n_draws)
        return cls(sufficient_stat, grid=(nodes, logw), log_base_measure=log_base_measure,
                   **kwargs)

    # ---------------------------------------------------------------- public methods
    def bind(self, n_features):
        """Return the family for data with ``n_features`` columns.

        Parameters
        ----------
        n_features : int
            Number of columns of the data.

        Returns
        -------
        ExponentialFamily
            ``self``, or a copy with its dimension set (``"mvn"`` without ``d``).
        """
        return self._bind(check_scalar_in(n_features, "n_features", low=1, integer=True))

    @property
    def n_params(self):
        """Number of free parameters ``p`` (None until known)."""
        return self._p

    def stat(self, X):
        """Sufficient statistic ``t(X)`` as an array of shape (n, p).

        Parameters
        ----------
        X : array of shape (n, d)
            Observations (a 1-D array is one column).

        Returns
        -------
        array of shape (n, p)
            The statistic of each row.
        """
        host = on_host(X, where="ExponentialFamily.stat")
        X = _as_2d(host.to_numpy(X))
        with _about("X"):
            return host.from_numpy(self._stat(X))

    def psi(self, theta):
        """Log-partition ``psi(theta)``.

        Parameters
        ----------
        theta : array of shape (p,)
            Natural parameter.

        Returns
        -------
        float
            ``psi(theta)``.
        """
        host = on_host(theta, where="ExponentialFamily.psi")
        return self._psi(self._check_theta(host.to_numpy(theta)))

    def mean(self, theta):
        """Mean parameter ``eta = grad psi(theta) = E_theta t(X)``.

        Parameters
        ----------
        theta : array of shape (p,)
            Natural parameter.

        Returns
        -------
        array of shape (p,)
            The mean of the sufficient statistic.
        """
        host = on_host(theta, where="ExponentialFamily.mean")
        return host.from_numpy(self._mean(self._check_theta(host.to_numpy(theta))))

    def cumulants(self, theta):
        """Model cumulants of ``t`` at ``theta``: ``(G, psi3, psi4)``.

        Parameters
        ----------
        theta : array of shape (p,)
            Natural parameter.

        Returns
        -------
        G : array of shape (p, p)
            Covariance of ``t`` (Fisher information).
        psi3 : array of shape (p, p, p)
            Third cumulant of ``t``.
        psi4 : array of shape (p, p, p, p)
            Fourth cumulant of ``t``.
        """
        host = on_host(theta, where="ExponentialFamily.cumulants")
        return host.from_numpy(self._cumulants(self._check_theta(host.to_numpy(theta))))

    def in_domain(self, theta):
        """Whether ``theta`` is in the natural parameter space (``psi`` finite).

        Parameters
        ----------
        theta : array of shape (p,)
            Natural parameter.

        Returns
        -------
        bool
            True inside the natural parameter space.
        """
        host = on_host(theta, where="ExponentialFamily.in_domain")
        return self._in_domain(_vector(host.to_numpy(theta), "theta", self._p))

    def natural_from_mean(self, eta, *, theta0=None, max_iter=100, tol=1e-24):
        """Solve ``grad psi(theta) = eta`` (moment matching).

        A damped Newton method on the convex function ``psi(theta) - theta . eta`` with
        backtracking that keeps ``theta`` in the natural parameter space; named families use
        closed forms.

        Parameters
        ----------
        eta : array of shape (p,)
            Mean of the sufficient statistic.
        theta0 : array of shape (p,), optional
            Start (default: the family's ``theta0``, else a feasible point near 0).
        max_iter : int, default=100
            Newton iterations.
        tol : float, default=1e-24
            Stop when the Newton decrement ``grad' G^-1 grad`` falls below it.

        Returns
        -------
        theta : array of shape (p,)
            The natural parameter (the last iterate, with a ``ConvergenceWarning``, when
            Newton does not converge).

        Raises
        ------
        ValueError
            If ``eta`` is not finite or lies outside the mean space.
        """
        host = on_host(eta, theta0, where="ExponentialFamily.natural_from_mean")
        eta = _vector(host.to_numpy(eta), "eta", self._p)
        theta0 = None if theta0 is None else self._check_theta(host.to_numpy(theta0), "theta0")
        max_iter = check_scalar_in(max_iter, "max_iter", low=1, integer=True)
        tol = check_scalar_in(tol, "tol", low=0)
        with _about("eta"):
            theta = self._natural_from_mean(eta, theta0=theta0, max_iter=max_iter, tol=tol)
        return host.from_numpy(theta)

    def fit(self, X):
        """Maximum-likelihood natural parameter: the projection of the empirical distribution.

        Parameters
        ----------
        X : array of shape (n, d)
            Observations (a 1-D array is one column).

        Returns
        -------
        theta : array of shape (p,)
            The MLE.

        Raises
        ------
        ValueError
            If ``X`` is not finite, lies outside the family's support, or the MLE does not
            exist (it lies on the boundary of the parameter space).
        """
        host = on_host(X, where="ExponentialFamily.fit")
        X = _as_2d(host.to_numpy(X))
        with _about("X"):
            return host.from_numpy(self._fit(X))

    def kl(self, theta_star, theta):
        """``D[g(.; theta_star) || g(.; theta)]`` as a Bregman divergence of ``psi``.

        Parameters
        ----------
        theta_star : array of shape (p,)
            First argument (e.g. the projection).
        theta : array of shape (p,)
            Second argument (e.g. the MLE).

        Returns
        -------
        float
            KL divergence in nats.
        """
        host = on_host(theta_star, theta, where="ExponentialFamily.kl")
        return self._kl(self._check_theta(host.to_numpy(theta_star), "theta_star"),
                        self._check_theta(host.to_numpy(theta)))

    def logpdf(self, theta, X):
        """Per-observation log-density ``log g(x_i; theta)`` (``log h = 0`` if not given).

        Parameters
        ----------
        theta : array of shape (p,)
            Natural parameter.
        X : array of shape (n, d)
            Observations.

        Returns
        -------
        array of shape (n,)
            Log-densities.
        """
        host = on_host(theta, X, where="ExponentialFamily.logpdf")
        theta = self._check_theta(host.to_numpy(theta))
        X = _as_2d(host.to_numpy(X))
        with _about("X"):
            return host.from_numpy(self._logpdf(theta, X))

    def loglik(self, theta, X):
        """Total log-likelihood ``sum_i log g(x_i; theta)``.

        Parameters
        ----------
        theta : array of shape (p,)
            Natural parameter.
        X : array of shape (n, d)
            Observations.

        Returns
        -------
        float
            The log-likelihood.
        """
        host = on_host(theta, X, where="ExponentialFamily.loglik")
        theta = self._check_theta(host.to_numpy(theta))
        X = _as_2d(host.to_numpy(X))
        with _about("X"):
            return float(np.sum(self._logpdf(theta, X)))

    def sample(self, theta, size, *, random_state=None):
        """Draws from ``g(.; theta)`` (named and grid families).

        Parameters
        ----------
        theta : array of shape (p,)
            Natural parameter.
        size : int
            Number of draws.
        random_state : None, int, RandomState or Generator
            Seed of the draws.

        Returns
        -------
        array of shape (size, d)
            The draws.

        Raises
        ------
        ValueError
            For a family defined by ``log_partition`` or ``psi_derivs`` only (no sampler).
        """
        host = on_host(theta, where="ExponentialFamily.sample")
        theta = self._check_theta(host.to_numpy(theta))
        size = check_scalar_in(size, "size", low=1, integer=True)
        return host.from_numpy(self._sample(theta, size, check_rng(random_state)))

    def __repr__(self):
        return f"ExponentialFamily(name={self.name!r}, p={self._p}, " \
               f"cumulant_method={self.cumulant_method!r})"

    # ---------------------------------------------------------------- implementations
    def _check_theta(self, theta, name="theta"):
        """A validated natural parameter inside the natural parameter space."""
        theta = _vector(theta, name, self._p)
        if not self._in_domain(theta):
            raise ValueError(f"{name} must lie in the natural parameter space of the "
                             f"{self.name} family (psi is not finite there)")
        return theta

    def _bind(self, n_features):
        return self

    def _stat(self, X):
        T = np.asarray(self._t(X), dtype=float)
        if T.ndim == 1:
            T = T[:, None]
        if T.ndim != 2 or T.shape[0] != X.shape[0]:
            raise ValueError(f"sufficient_stat must return shape (n, p) (got {T.shape})")
        if self._p is None:
            self._p = T.shape[1]
        elif T.shape[1] != self._p:
            raise ValueError(f"sufficient_stat returned {T.shape[1]} columns; "
                             f"the family has p={self._p}")
        if not np.all(np.isfinite(T)):
            raise ValueError("the sufficient statistic is not finite for some rows")
        return T

    def _in_domain(self, theta):
        try:
            with np.errstate(all="ignore"):
                return bool(np.isfinite(self._psi(theta)))
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            return False

    def _psi(self, theta):
        if self._psi_fn is not None:
            return float(self._psi_fn(theta))
        if self._grid is not None:
            _, logw, T = self._grid
            return float(logsumexp(logw + T @ theta))
        raise ValueError("this family has no log_partition; psi is not available")

    def _grid_weights(self, theta):
        _, logw, T = self._grid
        a = logw + T @ theta
        return np.exp(a - logsumexp(a)), T

    def _mean(self, theta):
        if self._psi_derivs is not None:
            return np.asarray(self._psi_derivs(theta)[0], dtype=float).reshape(-1)
        if self._grid is not None:
            w, T = self._grid_weights(theta)
            return w @ T
        return self._fd(theta, 1)

    def _cumulants(self, theta):
        if self._psi_derivs is not None:
            _, G, p3, p4 = self._psi_derivs(theta)
            p = theta.shape[0]
            return (np.asarray(G, float).reshape(p, p), np.asarray(p3, float).reshape((p,) * 3),
                    np.asarray(p4, float).reshape((p,) * 4))
        if self._grid is not None:
            w, T = self._grid_weights(theta)
            return _weighted_cumulants(T, w, 4, np)[1:]
        return self._fd(theta, 2), self._fd(theta, 3), self._fd(theta, 4)

    def _fd(self, theta, k):
        """k-th derivative tensor of psi by Richardson-extrapolated central differences."""
        base = {1: 1e-2, 2: 1e-1, 3: 3e-1, 4: 5e-1}[k] * self.fd_step
        h = base * np.maximum(np.abs(theta), 1e-2)

        out = richardson_derivative(self._psi, theta, h, k)
        return out.reshape(-1) if k == 1 else out

    def _natural_from_mean(self, eta, *, theta0=None, max_iter=100, tol=1e-24):
        if self._mean_to_natural is not None:
            return np.asarray(self._mean_to_natural(eta), dtype=float).reshape(-1)
        p = eta.shape[0]
        if theta0 is None:
            theta0 = self._theta0
        theta = self._start(p) if theta0 is None else np.array(theta0, dtype=float)

        def obj(th):
            return self._psi(th) - th @ eta

        f = obj(theta)
        dec = np.inf
        for _ in range(max_iter):
            grad = self._mean(theta) - eta
            if self.cumulant_method == "finite_difference":
                G = self._fd(theta, 2)  # only the Hessian: skip the 3rd/4th derivatives
            else:
                G = self._cumulants(theta)[0]
            try:
                step = np.linalg.solve(G + 1e-14 * np.trace(G) * np.eye(p), grad)
            except np.linalg.LinAlgError:
                raise ValueError("eta lies on the boundary of the mean space: singular Fisher "
                                 "information while solving the moment equations") from None
            dec = float(grad @ step)
            if dec < tol:
                return theta
            t = 1.0
            while t > 1e-12:
                cand = theta - t * step
                if self._in_domain(cand):
                    fc = obj(cand)
                    if fc <= f - 0.25 * t * dec:
                        break
                t *= 0.5
            else:
                if dec < 1e-8:  # no decrease possible at this precision: converged
                    return theta
                break
            theta, f = cand, fc
            if np.max(np.abs(t * step)) <= 1e-15 * (1.0 + np.max(np.abs(theta))):
                return theta
        warn(f"moment matching did not converge in {max_iter} iterations "
             f"(Newton decrement {dec:.3g}); the last iterate is returned", ConvergenceWarning)
        return theta

    def _start(self, p):
        """A feasible Newton start: 0, else a vector of -1/0/+1 entries with finite psi."""
        cands = [np.zeros(p)]
        if p <= 6:
            cands += [np.array(c, dtype=float) for c in itertools.product((-1, 0, 1), repeat=p)]
        for c in cands:
            if self._in_domain(c):
                return c
        raise ValueError("no start inside the natural parameter space was found; pass "
                         "theta0 to ExponentialFamily")

    def _fit(self, X):
        return self._natural_from_mean(self._stat(X).mean(axis=0))

    def _kl(self, theta_star, theta):
        return float(self._psi(theta) - self._psi(theta_star)
                     - (theta - theta_star) @ self._mean(theta_star))

    def _logpdf(self, theta, X):
        T = self._stat(X)
        lh = 0.0 if self._log_h is None else np.asarray(self._log_h(X), float).reshape(-1)
        return lh + T @ theta - self._psi(theta)

    def _sample(self, theta, size, rng):
        if self._grid is None:
            raise ValueError(
                f"family {self.name!r} has no sampler: sampling needs a family defined on "
                "a grid (ExponentialFamily(..., grid=...)) or a named family"
            )
        w, _ = self._grid_weights(theta)
        nodes = self._grid[0]
        return nodes[rng.choice(nodes.shape[0], size=size, p=w)]

    def _batch_kl(self, theta_star, Tbar):
        """``KL(theta* || theta_hat(tbar))`` for each row of mean statistics ``Tbar``.

        ``+inf`` where the MLE does not exist (``tbar`` outside the mean space, or moment
        matching does not converge).
        """
        psi_star, eta_star = self._psi(theta_star), self._mean(theta_star)
        out = np.empty(Tbar.shape[0])
        for i, t in enumerate(Tbar):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    th = self._natural_from_mean(t)
                out[i] = self._psi(th) - psi_star - (th - theta_star) @ eta_star
            except (ValueError, np.linalg.LinAlgError, Warning):
                out[i] = np.inf
        return out
