"""Exponential families ``g(x; theta) = h(x) exp(<theta, t(x)> - psi(theta))``."""

from __future__ import annotations

import itertools
import math

import numpy as np
import scipy.linalg
import scipy.special

from ..utils import ConvergenceWarning, check_scalar_in
from ._core import _spd_inverse

__all__ = ["ExponentialFamily"]


def _host(X, where="probstat.infoproj"):
    """NumPy view of X; non-NumPy arrays (CuPy, array-api-strict) are copied to the host."""
    if isinstance(X, (np.ndarray, list, tuple, float, int)) or np.isscalar(X):
        return X
    if hasattr(X, "__array_namespace__") or type(X).__module__.split(".")[0] == "cupy":
        from ..backend import to_numpy, warn_host_fallback

        warn_host_fallback(where)
        return to_numpy(X)
    return X


def _as_2d(X, name="X"):
    X = np.asarray(_host(X), dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 1-D or 2-D array (got {X.ndim} dimensions)")
    if X.shape[0] == 0:
        raise ValueError(f"{name} must contain at least one sample (got 0)")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return X


def _central_tensors(T, w):
    """Mean, covariance, third and fourth cumulants of rows of T under probabilities w."""
    mean = w @ T
    R = T - mean
    m2 = np.einsum("n,na,nb->ab", w, R, R)
    m3 = np.einsum("n,na,nb,nc->abc", w, R, R, R, optimize=True)
    m4 = np.einsum("n,na,nb,nc,nd->abcd", w, R, R, R, R, optimize=True)
    k4 = m4 - (np.einsum("ab,cd->abcd", m2, m2) + np.einsum("ac,bd->abcd", m2, m2)
               + np.einsum("ad,bc->abcd", m2, m2))
    return mean, m2, m3, k4


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

    Named families: :meth:`named`.

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
        shape (m,) representing the base measure.
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
    fd_step : float, default=1e-2
        Relative step for the finite-difference derivatives of ``log_partition`` (steps
        are scaled per order and per coordinate; the Richardson step removes the
        ``O(h^2)`` error, so a largish step limits the rounding error).

    Attributes
    ----------
    cumulant_method : str
        ``"analytic"``, ``"finite_difference"`` or ``"quadrature"``.

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
        self._t = sufficient_stat
        self._psi = log_partition
        self._psi_derivs = psi_derivs
        self._log_h = log_base_measure
        self._mean_to_natural = mean_to_natural
        self.name = name
        self.fd_step = check_scalar_in(fd_step, "fd_step", low=0, low_inclusive=False)
        self._p = n_params
        self._theta0 = None if theta0 is None else np.asarray(theta0, float).reshape(-1)
        self._grid = None
        if grid is not None:
            nodes, logw = grid
            nodes = _as_2d(nodes, "grid nodes")
            logw = np.asarray(logw, dtype=float).reshape(-1)
            if logw.shape[0] != nodes.shape[0]:
                raise ValueError("grid log_weights must have one entry per node")
            if np.any(np.isnan(logw)) or np.any(logw == np.inf):
                raise ValueError("grid log_weights must not be NaN or +inf")
            self._grid = (nodes, logw, self.stat(nodes))
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

        Examples
        --------
        >>> from probstat.infoproj import ExponentialFamily
        >>> ExponentialFamily.named("mvn", d=3).n_params
        9
        """
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
        if name not in factories:
            raise ValueError(f"name must be one of {sorted(factories)} (got {name!r})")
        try:
            return factories[name](**kwargs)
        except TypeError as exc:
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
        log_base_measure : callable
            ``log h(X)``.
        proposal : frozen scipy.stats distribution
            With ``rvs`` and ``logpdf`` (or ``logpmf``); its support must cover ``h``'s.
        n_draws : int, default=20000
        random_state : None, int, RandomState or Generator
        **kwargs
            Passed to the constructor.

        Returns
        -------
        ExponentialFamily

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
        from ..utils import check_rng

        n_draws = check_scalar_in(n_draws, "n_draws", low=10, integer=True)
        rng = check_rng(random_state)
        nodes = np.asarray(proposal.rvs(size=n_draws, random_state=rng), dtype=float)
        nodes = nodes.reshape(n_draws, -1)
        logq = proposal.logpdf if hasattr(proposal, "logpdf") else proposal.logpmf
        lq = np.asarray(logq(nodes[:, 0] if nodes.shape[1] == 1 else nodes)).reshape(-1)
        logw = np.asarray(log_base_measure(nodes), dtype=float).reshape(-1) - lq
        logw -= math.log(n_draws)
        return cls(sufficient_stat, grid=(nodes, logw), log_base_measure=log_base_measure,
                   **kwargs)

    # ---------------------------------------------------------------- basics
    def bind(self, n_features):
        """Return the family for data with ``n_features`` columns.

        Parameters
        ----------
        n_features : int

        Returns
        -------
        ExponentialFamily
            ``self``, or a copy with its dimension set (``"mvn"`` without ``d``).
        """
        return self

    @property
    def n_params(self):
        """Number of free parameters ``p`` (None until known)."""
        return self._p

    def stat(self, X):
        """Sufficient statistic ``t(X)`` as an array of shape (n, p).

        Parameters
        ----------
        X : array of shape (n, d)

        Returns
        -------
        ndarray of shape (n, p)
        """
        X = _as_2d(X)
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
            raise ValueError("sufficient statistic is not finite for some rows of X")
        return T

    def _theta(self, theta):
        theta = np.asarray(theta, dtype=float).reshape(-1)
        if self._p is not None and theta.shape[0] != self._p:
            raise ValueError(f"theta must have {self._p} entries (got {theta.shape[0]})")
        if not np.all(np.isfinite(theta)):
            raise ValueError("theta must be finite")
        return theta

    def in_domain(self, theta):
        """Whether ``theta`` is in the natural parameter space (``psi`` finite).

        Parameters
        ----------
        theta : array of shape (p,)

        Returns
        -------
        bool
        """
        try:
            with np.errstate(all="ignore"):
                return bool(np.isfinite(self.psi(theta)))
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            return False

    def psi(self, theta):
        """Log-partition ``psi(theta)``.

        Parameters
        ----------
        theta : array of shape (p,)

        Returns
        -------
        float
        """
        theta = self._theta(theta)
        if self._psi is not None:
            return float(self._psi(theta))
        if self._grid is not None:
            _, logw, T = self._grid
            return float(scipy.special.logsumexp(logw + T @ theta))
        raise ValueError("this family has no log_partition; psi is not available")

    def _grid_weights(self, theta):
        _, logw, T = self._grid
        a = logw + T @ theta
        return np.exp(a - scipy.special.logsumexp(a)), T

    def mean(self, theta):
        """Mean parameter ``eta = grad psi(theta) = E_theta t(X)``.

        Parameters
        ----------
        theta : array of shape (p,)

        Returns
        -------
        ndarray of shape (p,)
        """
        theta = self._theta(theta)
        if self._psi_derivs is not None:
            return np.asarray(self._psi_derivs(theta)[0], dtype=float).reshape(-1)
        if self._grid is not None:
            w, T = self._grid_weights(theta)
            return w @ T
        return self._fd(theta, 1)

    def cumulants(self, theta):
        """Model cumulants of ``t`` at ``theta``: ``(G, psi3, psi4)``.

        Parameters
        ----------
        theta : array of shape (p,)

        Returns
        -------
        G : (p, p)
        psi3 : (p, p, p)
        psi4 : (p, p, p, p)
        """
        theta = self._theta(theta)
        if self._psi_derivs is not None:
            _, G, p3, p4 = self._psi_derivs(theta)
            p = theta.shape[0]
            return (np.asarray(G, float).reshape(p, p), np.asarray(p3, float).reshape((p,) * 3),
                    np.asarray(p4, float).reshape((p,) * 4))
        if self._grid is not None:
            w, T = self._grid_weights(theta)
            _, m2, m3, k4 = _central_tensors(T, w)
            return m2, m3, k4
        return self._fd(theta, 2), self._fd(theta, 3), self._fd(theta, 4)

    def _fd(self, theta, k):
        """k-th derivative tensor of psi by Richardson-extrapolated central differences."""
        p = theta.shape[0]
        base = {1: 1e-2, 2: 1e-1, 3: 3e-1, 4: 5e-1}[k] * self.fd_step
        h = base * np.maximum(np.abs(theta), 1e-2)

        def estimate(hh):
            out = np.zeros((p,) * k)
            for idx in itertools.combinations_with_replacement(range(p), k):
                total = 0.0
                for signs in itertools.product((1.0, -1.0), repeat=k):
                    step = np.zeros(p)
                    for i, s in zip(idx, signs):
                        step[i] += s * hh[i]
                    total += np.prod(signs) * self.psi(theta + step)
                val = total / (2.0 ** k * np.prod([hh[i] for i in idx]))
                for perm in set(itertools.permutations(idx)):
                    out[perm] = val
            return out

        d1, d2 = estimate(h), estimate(2 * h)
        out = (4.0 * d1 - d2) / 3.0
        return out.reshape(-1) if k == 1 else out

    # ---------------------------------------------------------------- estimation
    def natural_from_mean(self, eta, *, theta0=None, max_iter=100, tol=1e-24):
        """Solve ``grad psi(theta) = eta`` (moment matching).

        A damped Newton method on the convex function ``psi(theta) - theta . eta`` with
        backtracking that keeps ``theta`` in the natural parameter space; named families use
        closed forms.

        Parameters
        ----------
        eta : array of shape (p,)
        theta0 : array of shape (p,), optional
            Start (default: the family's ``theta0``, else a feasible point near 0).
        max_iter : int, default=100
        tol : float, default=1e-24
            Stop when the Newton decrement ``grad' G^-1 grad`` falls below it.

        Returns
        -------
        theta : ndarray of shape (p,)

        Raises
        ------
        ValueError
            If ``eta`` is not finite or the Newton system is singular.
        """
        eta = np.asarray(eta, dtype=float).reshape(-1)
        if not np.all(np.isfinite(eta)):
            raise ValueError("eta (mean of the sufficient statistic) must be finite")
        if self._mean_to_natural is not None:
            return np.asarray(self._mean_to_natural(eta), dtype=float).reshape(-1)
        p = eta.shape[0]
        if theta0 is None:
            theta0 = self._theta0
        theta = self._start(p) if theta0 is None else np.asarray(theta0, dtype=float).copy()

        def obj(th):
            return self.psi(th) - th @ eta

        f = obj(theta)
        dec = np.inf
        for _ in range(max_iter):
            grad = self.mean(theta) - eta
            if self.cumulant_method == "finite_difference":
                G = self._fd(theta, 2)  # only the Hessian: skip the 3rd/4th derivatives
            else:
                G = self.cumulants(theta)[0]
            try:
                step = np.linalg.solve(G + 1e-14 * np.trace(G) * np.eye(p), grad)
            except np.linalg.LinAlgError:
                raise ValueError("singular Fisher information while solving the moment "
                                 "equations (is eta on the boundary of the mean space?)") from None
            dec = float(grad @ step)
            if dec < tol:
                return theta
            t = 1.0
            while t > 1e-12:
                cand = theta - t * step
                if self.in_domain(cand):
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
        import warnings

        warnings.warn(f"moment matching did not converge in {max_iter} iterations "
                      f"(Newton decrement {dec:.3g}); the last iterate is returned",
                      ConvergenceWarning, stacklevel=2)
        return theta

    def _start(self, p):
        """A feasible Newton start: 0, else a vector of -1/0/+1 entries with finite psi."""
        cands = [np.zeros(p)]
        if p <= 6:
            cands += [np.array(c, dtype=float) for c in itertools.product((-1, 0, 1), repeat=p)]
        for c in cands:
            if self.in_domain(c):
                return c
        raise ValueError("no start inside the natural parameter space was found; pass "
                         "theta0 to ExponentialFamily")

    def fit(self, X):
        """Maximum-likelihood natural parameter: the projection of the empirical distribution.

        Parameters
        ----------
        X : array of shape (n, d)

        Returns
        -------
        theta : ndarray of shape (p,)
        """
        return self.natural_from_mean(self.stat(X).mean(axis=0))

    def kl(self, theta_star, theta):
        """``D[g(.; theta_star) || g(.; theta)]`` as a Bregman divergence of ``psi``.

        Parameters
        ----------
        theta_star, theta : arrays of shape (p,)

        Returns
        -------
        float
            KL divergence in nats.
        """
        ts, t = self._theta(theta_star), self._theta(theta)
        return float(self.psi(t) - self.psi(ts) - (t - ts) @ self.mean(ts))

    def logpdf(self, theta, X):
        """Per-observation log-density ``log g(x_i; theta)`` (``log h = 0`` if not given).

        Parameters
        ----------
        theta : array of shape (p,)
        X : array of shape (n, d)

        Returns
        -------
        ndarray of shape (n,)
        """
        theta = self._theta(theta)
        X = _as_2d(X)
        T = self.stat(X)
        lh = 0.0 if self._log_h is None else np.asarray(self._log_h(X), float).reshape(-1)
        return lh + T @ theta - self.psi(theta)

    def loglik(self, theta, X):
        """Total log-likelihood ``sum_i log g(x_i; theta)``.

        Parameters
        ----------
        theta : array of shape (p,)
        X : array of shape (n, d)

        Returns
        -------
        float
        """
        return float(np.sum(self.logpdf(theta, X)))

    def sample(self, theta, size, random_state=None):
        """Draws from ``g(.; theta)`` (named and grid families).

        Parameters
        ----------
        theta : array of shape (p,)
        size : int
            Number of draws.
        random_state : None, int, RandomState or Generator

        Returns
        -------
        ndarray of shape (size, d)
        """
        if self._grid is None:
            raise ValueError(
                f"family {self.name!r} has no sampler: sampling needs a family defined on "
                "a grid (ExponentialFamily(..., grid=...)) or a named family"
            )
        from ..utils import check_rng

        rng = check_rng(random_state)
        w, _ = self._grid_weights(self._theta(theta))
        nodes = self._grid[0]
        return nodes[rng.choice(nodes.shape[0], size=size, p=w)]

    def __repr__(self):
        return f"ExponentialFamily(name={self.name!r}, p={self._p}, " \
               f"cumulant_method={self.cumulant_method!r})"


# ==================================================================================
# named families
# ==================================================================================
class _Named(ExponentialFamily):
    def __init__(self, name, p):
        self.name = name
        self._p = p
        self._log_h = None
        self._grid = None
        self._psi = None
        self._psi_derivs = None
        self._mean_to_natural = None
        self.fd_step = 1e-3
        self.cumulant_method = "analytic"

    def _check_support(self, X):
        return X

    def stat(self, X):
        X = self._check_support(_as_2d(X))
        if X.shape[1] != 1:
            raise ValueError(f"family {self.name!r} needs X with one column (got {X.shape[1]})")
        return X.copy()

    def psi(self, theta):
        return float(self._psi_vec(self._theta(theta)[None, :])[0])

    def logpdf(self, theta, X):
        theta = self._theta(theta)
        X = self._check_support(_as_2d(X))
        T = self.stat(X)
        return self._logh(X) + T @ theta - self.psi(theta)


class _Univariate(_Named):
    """One-parameter families; subclasses define ``_derivs(th)``, the tuple psi^(k)(theta)."""

    def mean(self, theta):
        return np.array([self._derivs(self._theta(theta)[0])[0]])

    def cumulants(self, theta):
        d = self._derivs(self._theta(theta)[0])
        return (np.array([[d[1]]]), np.full((1, 1, 1), d[2]), np.full((1, 1, 1, 1), d[3]))

    def in_domain(self, theta):
        theta = np.asarray(theta, dtype=float).reshape(-1)
        return bool(np.all(np.isfinite(self._psi_vec(theta[None, :]))))

    def natural_from_mean(self, eta, **kw):
        eta = np.asarray(eta, dtype=float).reshape(-1)
        if eta.shape != (1,) or not np.isfinite(eta[0]):
            raise ValueError("eta must be one finite number")
        return self._nat_vec(eta[None, :])[0]


class _Poisson(_Univariate):
    def __init__(self):
        super().__init__("poisson", 1)

    def _check_support(self, X):
        if np.any(X < 0) or np.any(X != np.round(X)):
            raise ValueError("poisson family needs non-negative integer counts in X")
        return X

    def _logh(self, X):
        return -scipy.special.gammaln(X[:, 0] + 1)

    def _psi_vec(self, th):
        return np.exp(th[:, 0])

    def _derivs(self, th):
        e = math.exp(th)
        return (e, e, e, e)

    def _nat_vec(self, eta):
        if np.any(eta <= 0):
            raise ValueError("poisson MLE does not exist: the sample mean is 0 "
                             "(the MLE lies on the boundary)")
        return np.log(eta)

    def sample(self, theta, size, random_state=None):
        from ..utils import check_rng

        return check_rng(random_state).poisson(math.exp(self._theta(theta)[0]),
                                               size=(size, 1)).astype(float)


class _Bernoulli(_Univariate):
    def __init__(self):
        super().__init__("bernoulli", 1)

    def _check_support(self, X):
        if not np.all((X == 0) | (X == 1)):
            raise ValueError("bernoulli family needs X with values 0 or 1")
        return X

    def _logh(self, X):
        return np.zeros(X.shape[0])

    def _psi_vec(self, th):
        return np.logaddexp(0.0, th[:, 0])

    def _derivs(self, th):
        m = scipy.special.expit(th)
        v = m * (1 - m)
        return (m, v, v * (1 - 2 * m), v * (1 - 6 * v))

    def _nat_vec(self, eta):
        if np.any(eta <= 0) or np.any(eta >= 1):
            raise ValueError("bernoulli MLE does not exist: the sample mean is 0 or 1 "
                             "(the MLE lies on the boundary)")
        return scipy.special.logit(eta)

    def sample(self, theta, size, random_state=None):
        from ..utils import check_rng

        m = scipy.special.expit(self._theta(theta)[0])
        return (check_rng(random_state).random((size, 1)) < m).astype(float)


class _GammaKnownShape(_Univariate):
    def __init__(self, shape, name="gamma_known_shape"):
        super().__init__(name, 1)
        self.shape = check_scalar_in(shape, "shape", low=0, low_inclusive=False)

    def _check_support(self, X):
        if np.any(X <= 0):
            raise ValueError(f"{self.name} family needs X > 0")
        return X

    def _logh(self, X):
        a = self.shape
        return (a - 1) * np.log(X[:, 0]) - scipy.special.gammaln(a)

    def _psi_vec(self, th):
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(th[:, 0] < 0, -self.shape * np.log(np.abs(th[:, 0])), np.inf)

    def _derivs(self, th):
        if not th < 0:
            raise ValueError(f"theta = -rate must be < 0 (got {th})")
        a = self.shape
        return (-a / th, a / th**2, -2 * a / th**3, 6 * a / th**4)

    def _nat_vec(self, eta):
        if np.any(eta <= 0):
            raise ValueError("the sample mean must be > 0")
        return -self.shape / eta

    def sample(self, theta, size, random_state=None):
        from ..utils import check_rng

        rate = -self._theta(theta)[0]
        return check_rng(random_state).gamma(self.shape, 1.0 / rate, size=(size, 1))


class _NormalKnownVar(_Univariate):
    def __init__(self, variance):
        super().__init__("normal_known_var", 1)
        self.variance = check_scalar_in(variance, "variance", low=0, low_inclusive=False)

    def _logh(self, X):
        s2 = self.variance
        return -X[:, 0] ** 2 / (2 * s2) - 0.5 * math.log(2 * math.pi * s2)

    def _psi_vec(self, th):
        return 0.5 * self.variance * th[:, 0] ** 2

    def _derivs(self, th):
        return (self.variance * th, self.variance, 0.0, 0.0)

    def _nat_vec(self, eta):
        return eta / self.variance

    def sample(self, theta, size, random_state=None):
        from ..utils import check_rng

        mu = self.variance * self._theta(theta)[0]
        return check_rng(random_state).normal(mu, math.sqrt(self.variance), size=(size, 1))


class _Multinomial(_Named):
    """One categorical draw per row (labels 0..k-1); t = one-hot without the last cell."""

    def __init__(self, k):
        if k is not None:
            k = check_scalar_in(k, "k", low=2, integer=True)
        super().__init__("multinomial", None if k is None else k - 1)
        self.k = k

    def bind(self, n_features):
        return self

    def _labels(self, X):
        if X.shape[1] != 1:
            raise ValueError(f"multinomial family needs one column of labels (got {X.shape[1]})")
        lab = X[:, 0]
        if np.any(lab < 0) or np.any(lab != np.round(lab)):
            raise ValueError("multinomial family needs integer labels 0..k-1 in X")
        if self.k is None:
            self.k = max(2, int(lab.max()) + 1)
            self._p = self.k - 1
        if np.any(lab >= self.k):
            raise ValueError(f"labels must be < k={self.k}")
        return lab.astype(int)

    def stat(self, X):
        lab = self._labels(_as_2d(X))
        T = np.zeros((lab.shape[0], self.k - 1))
        rows = np.nonzero(lab < self.k - 1)[0]
        T[rows, lab[rows]] = 1.0
        return T

    def _probs(self, theta):
        z = np.concatenate([np.asarray(theta, float).reshape(-1), [0.0]])
        return np.exp(z - scipy.special.logsumexp(z))

    def psi(self, theta):
        th = self._theta(theta)
        return float(scipy.special.logsumexp(np.concatenate([th, [0.0]])))

    def in_domain(self, theta):
        return bool(np.all(np.isfinite(theta)))

    def mean(self, theta):
        return self._probs(self._theta(theta))[:-1]

    def cumulants(self, theta):
        pi = self._probs(self._theta(theta))
        T = np.vstack([np.eye(self.k - 1), np.zeros(self.k - 1)])
        _, m2, m3, k4 = _central_tensors(T, pi)
        return m2, m3, k4

    def natural_from_mean(self, eta, **kw):
        eta = np.asarray(eta, dtype=float).reshape(-1)
        last = 1.0 - eta.sum()
        if np.any(eta <= 0) or last <= 0:
            raise ValueError("multinomial MLE does not exist: some category was never "
                             "observed (the MLE lies on the boundary)")
        return np.log(eta / last)

    def logpdf(self, theta, X):
        lab = self._labels(_as_2d(X))
        return np.log(self._probs(self._theta(theta))[lab])

    def sample(self, theta, size, random_state=None):
        from ..utils import check_rng

        pi = self._probs(self._theta(theta))
        return check_rng(random_state).choice(self.k, size=(size, 1), p=pi).astype(float)


# ----------------------------------------------------------------------------------
# multivariate normal
# ----------------------------------------------------------------------------------
def _pairs(d):
    return np.triu_indices(d)


def _u_to_aB(U, d):
    """Coefficient vectors u (m, p) -> (a (m, d), B (m, d, d)) with u.t = a.x + x'Bx."""
    U = np.atleast_2d(U)
    m = U.shape[0]
    iu, ju = _pairs(d)
    a = U[:, :d]
    B = np.zeros((m, d, d))
    q = U[:, d:]
    diag = iu == ju
    B[:, iu, ju] = np.where(diag, q, q / 2.0)
    B[:, ju, iu] = B[:, iu, ju]
    return a, B


def _aB_to_u(a, B, d):
    iu, ju = _pairs(d)
    q = np.where(iu == ju, B[:, iu, ju], 2.0 * B[:, iu, ju])
    return np.concatenate([a, q], axis=1)


def _standard_normal_tensors(d, order=4):
    """Cumulants of t = (z, z_i z_j) under N(0, I) in the coordinates of _u_to_aB."""
    p = d * (d + 3) // 2
    a, B = _u_to_aB(np.eye(p), d)
    es = lambda s, *o: np.einsum(s, *o, optimize=True)  # noqa: E731
    G = a @ a.T + 2.0 * es("iab,jba->ij", B, B)
    BB = es("iab,jbc->ijac", B, B)                       # B_i B_j
    tr3 = es("ijab,kba->ijk", BB, B)                     # tr(B_i B_j B_k)
    aBa = es("ia,kab,jb->ijk", a, B, a)                  # a_i' B_k a_j
    psi3 = 4.0 * (tr3 + tr3.transpose(0, 2, 1)) + 2.0 * (
        aBa + aBa.transpose(0, 2, 1) + aBa.transpose(2, 0, 1))
    if order == 3:
        return G, psi3
    tr4 = es("ijab,klba->ijkl", BB, BB)                  # tr(B_i B_j B_k B_l)
    S2 = es("ia,klab,jb->ijkl", a, BB, a)                # a_i' B_k B_l a_j
    S = S2 + S2.transpose(0, 1, 3, 2)                    # a_i'(B_kB_l + B_lB_k)a_j: sym in (k,l)
    apart = (S + S.transpose(0, 2, 1, 3) + S.transpose(0, 2, 3, 1)
             + S.transpose(2, 0, 1, 3) + S.transpose(2, 0, 3, 1) + S.transpose(2, 3, 0, 1))
    psi4 = 16.0 * (tr4 + tr4.transpose(0, 1, 3, 2) + tr4.transpose(0, 2, 1, 3)) + 4.0 * apart
    return G, psi3, psi4


class _MVN(_Named):
    """Multivariate normal, mean and covariance free; t = (x, x_i x_j for i <= j)."""

    _DENSE_MAX_D = 6

    def __init__(self, d=None):
        if d is not None:
            d = check_scalar_in(d, "d", low=1, integer=True)
        super().__init__("normal" if d == 1 else "mvn", None if d is None else d * (d + 3) // 2)
        self.d = d

    def bind(self, n_features):
        if self.d is None:
            return _MVN(n_features)
        if n_features != self.d:
            raise ValueError(f"the mvn family has d={self.d} but X has {n_features} columns")
        return self

    def _need_d(self):
        if self.d is None:
            raise ValueError("the mvn family's dimension d is unknown: pass d= or fit data")
        return self.d

    def stat(self, X):
        X = _as_2d(X)
        fam = self if self.d is not None else self.bind(X.shape[1])
        if X.shape[1] != fam.d:
            raise ValueError(f"the mvn family has d={fam.d} but X has {X.shape[1]} columns")
        iu, ju = _pairs(fam.d)
        return np.concatenate([X, X[:, iu] * X[:, ju]], axis=1)

    @property
    def n_params(self):
        return self._p

    # parameter maps
    def to_natural(self, mu, cov):
        """Natural parameter of ``N(mu, cov)``."""
        d = self._need_d()
        mu = np.asarray(mu, dtype=float).reshape(d)
        P = _spd_inverse(np.asarray(cov, dtype=float).reshape(d, d), "cov")
        iu, ju = _pairs(d)
        q = np.where(iu == ju, -0.5 * P[iu, ju], -P[iu, ju])
        return np.concatenate([P @ mu, q])

    def from_natural(self, theta):
        """``(mu, cov)`` of the natural parameter ``theta``."""
        d = self._need_d()
        theta = self._theta(theta)
        iu, ju = _pairs(d)
        P = np.zeros((d, d))
        q = theta[d:]
        P[iu, ju] = np.where(iu == ju, -2.0 * q, -q)
        P[ju, iu] = P[iu, ju]
        cov = _spd_inverse(P, "precision (-2 x quadratic natural parameters)")
        return cov @ theta[:d], cov

    def in_domain(self, theta):
        try:
            self.from_natural(theta)
            return True
        except ValueError:
            return False

    def psi(self, theta):
        mu, cov = self.from_natural(theta)
        _, logdet = np.linalg.slogdet(cov)
        return float(0.5 * mu @ np.linalg.solve(cov, mu) + 0.5 * logdet)

    def mean(self, theta):
        mu, cov = self.from_natural(theta)
        iu, ju = _pairs(self.d)
        return np.concatenate([mu, cov[iu, ju] + mu[iu] * mu[ju]])

    def _standard_map(self, mu, cov):
        """Matrix Mmap with u' = Mmap u: coefficients in standardised coordinates z."""
        d = self.d
        L = np.linalg.cholesky(cov)
        a, B = _u_to_aB(np.eye(self._p), d)
        a2 = np.einsum("ab,ia->ib", L, a + 2.0 * B @ mu)          # L'(a + 2 B mu)
        B2 = np.einsum("ab,iac,cd->ibd", L, B, L)                 # L' B L
        return _aB_to_u(a2, B2, d).T                               # (p', p)

    def cumulants(self, theta):
        d = self._need_d()
        if d > self._DENSE_MAX_D:
            raise ValueError(f"dense cumulant tensors of the mvn family are limited to "
                             f"d <= {self._DENSE_MAX_D} (p^4 memory); PNCriterion uses a "
                             f"contracted fast path for larger d")
        mu, cov = self.from_natural(theta)
        G0, p30, p40 = _standard_normal_tensors(d)
        Mm = self._standard_map(mu, cov)
        es = lambda s, *o: np.einsum(s, *o, optimize=True)  # noqa: E731
        G = Mm.T @ G0 @ Mm
        psi3 = es("abc,ai,bj,ck->ijk", p30, Mm, Mm, Mm)
        psi4 = es("abcd,ai,bj,ck,dl->ijkl", p40, Mm, Mm, Mm, Mm)
        return G, psi3, psi4

    def natural_from_mean(self, eta, **kw):
        d = self._need_d()
        eta = np.asarray(eta, dtype=float).reshape(-1)
        if eta.shape[0] != self._p or not np.all(np.isfinite(eta)):
            raise ValueError(f"eta must be {self._p} finite numbers")
        mu = eta[:d]
        iu, ju = _pairs(d)
        S = np.zeros((d, d))
        S[iu, ju] = eta[d:] - mu[iu] * mu[ju]
        S[ju, iu] = S[iu, ju]
        try:
            return self.to_natural(mu, S)
        except ValueError:
            raise ValueError("the Gaussian MLE does not exist: the sample covariance is "
                             "singular (need n_samples > d and no collinear columns)") from None

    def fit(self, X):
        X = _as_2d(X)
        fam = self.bind(X.shape[1])
        mu = X.mean(axis=0)
        S = (X - mu).T @ (X - mu) / X.shape[0]
        try:
            return fam.to_natural(mu, S)
        except ValueError:
            raise ValueError("the Gaussian MLE does not exist: the sample covariance is "
                             "singular (need n_samples > d and no collinear columns)") from None

    def kl(self, theta_star, theta):
        m0, S0 = self.from_natural(theta_star)
        m1, S1 = self.from_natural(theta)
        d = self.d
        S1i = np.linalg.inv(S1)
        diff = m1 - m0
        return float(0.5 * (np.trace(S1i @ S0) + diff @ S1i @ diff - d
                            + np.linalg.slogdet(S1)[1] - np.linalg.slogdet(S0)[1]))

    def logpdf(self, theta, X):
        X = _as_2d(X)
        mu, cov = self.from_natural(theta)
        if X.shape[1] != self.d:
            raise ValueError(f"the mvn family has d={self.d} but X has {X.shape[1]} columns")
        from scipy.stats import multivariate_normal

        return np.atleast_1d(multivariate_normal(mu, cov).logpdf(X)).reshape(-1)

    def batch_kl(self, theta_star, Tbar):
        """``KL(theta* || theta_hat(tbar))`` for each row of mean statistics ``Tbar`` (inf if
        the covariance of a row is not positive definite)."""
        d = self._need_d()
        m0, S0 = self.from_natural(theta_star)
        Tbar = np.asarray(Tbar, dtype=float)
        r = Tbar.shape[0]
        mu = Tbar[:, :d]
        iu, ju = _pairs(d)
        S = np.zeros((r, d, d))
        S[:, iu, ju] = Tbar[:, d:] - mu[:, iu] * mu[:, ju]
        S[:, ju, iu] = S[:, iu, ju]
        sign, logdet = np.linalg.slogdet(S)
        ok = sign > 0
        out = np.full(r, np.inf)
        if ok.any():
            Si = np.linalg.inv(S[ok])
            diff = mu[ok] - m0
            quad = np.einsum("ra,rab,rb->r", diff, Si, diff)
            tr = np.einsum("rab,ba->r", Si, S0)
            out[ok] = 0.5 * (tr + quad - d + logdet[ok] - np.linalg.slogdet(S0)[1])
        return out

    def sample(self, theta, size, random_state=None):
        from ..utils import check_rng

        mu, cov = self.from_natural(theta)
        rng = check_rng(random_state)
        return mu + rng.standard_normal((size, self.d)) @ np.linalg.cholesky(cov).T


def mvn_sandwich_coefficients(X, *, estimator="plugin", order=2):
    """Sandwich (c1, c2) of the Gaussian model on data X without p^3/p^4 tensors.

    The linear algebra is many small products, where BLAS threads only add overhead (and
    slow down badly on a shared machine), so BLAS runs single-threaded here.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _mvn_sandwich(X, estimator=estimator, order=order)


def _mvn_sandwich(X, *, estimator="plugin", order=2):
    """Sandwich (c1, c2) of the Gaussian model on data X without p^3/p^4 tensors.

    The problem is affine invariant, so the data are standardised by the MLE; the model is
    then N(0, I), whose cumulants of t are multilinear forms of the coefficient matrices.
    The matrix A = G^-1 Sigma G^-1 is factorised (Cholesky, else eigh) and every
    contraction is done through (a_m, B_m) pairs with d x d matrix products.
    """
    X = _as_2d(X)
    n, d = X.shape
    mu = X.mean(axis=0)
    S = (X - mu).T @ (X - mu) / n
    try:
        L = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        raise ValueError("the Gaussian MLE does not exist: the sample covariance is singular "
                         "(need n_samples > d and no collinear columns)") from None
    if np.diag(L).min() <= 1e-10 * np.diag(L).max():
        raise ValueError("the sample covariance is numerically singular (collinear columns)")
    Z = scipy.linalg.solve_triangular(L, (X - mu).T, lower=True).T
    iu, ju = _pairs(d)
    T = np.concatenate([Z, Z[:, iu] * Z[:, ju]], axis=1)
    R = T - T.mean(axis=0)
    g = np.concatenate([np.ones(d), np.where(iu == ju, 2.0, 1.0)])   # diag of G0
    Sig = R.T @ R / n
    f2 = n / (n - 1) if estimator == "kstat" else 1.0
    f3 = n**2 / ((n - 1) * (n - 2)) if estimator == "kstat" else 1.0
    Sig = Sig * f2
    c1 = 0.5 * float(np.sum(np.diag(Sig) / g))
    if order == 1:
        return c1, 0.0
    U = R / g
    a, B = _u_to_aB(U, d)
    B2 = B @ B
    cub = 8.0 * np.einsum("nab,nba->n", B2, B) + 6.0 * np.einsum("na,nab,nb->n", a, B, a)
    T1 = f3 * float(cub.mean())
    A = Sig / np.outer(g, g)
    # Any factorisation A = sum_m lam_m e_m e_m' will do: Cholesky when A is definite,
    # an eigendecomposition when it is singular (n <= p or collinear t).
    try:
        E = np.linalg.cholesky(A)
        if np.diag(E).min() <= 1e-7 * np.diag(E).max():
            raise np.linalg.LinAlgError
        lam = np.ones(E.shape[1])
    except np.linalg.LinAlgError:
        lam, E = np.linalg.eigh(A)
        keep = lam > 1e-14 * max(lam.max(), 1e-300)
        lam, E = lam[keep], E[:, keep]
    a, B = _u_to_aB(E.T, d)
    es = lambda s, *o: np.einsum(s, *o, optimize=True)  # noqa: E731
    Ba = es("mab,nb->mna", B, a)                       # B_m a_n
    Bm_am = np.einsum("mma->ma", Ba)
    B2 = B @ B
    x_v = 4.0 * es("m,ma->a", lam, Bm_am)
    X_v = 8.0 * es("m,mab->ab", lam, B2) + 2.0 * es("m,ma,mb->ab", lam, a, a)
    vGv = float(x_v @ x_v + 0.5 * np.sum(X_v * X_v))
    BB = es("mab,nbc->mnac", B, B)                     # B_m B_n
    trBB2 = es("mnab,mnba->mn", BB, BB)                # tr((B_m B_n)^2)
    del BB
    B2f = B2.reshape(B2.shape[0], -1)
    trB2B2 = B2f @ B2f.T                               # tr(B_m^2 B_n^2)
    Q = es("ma,nab,mb->mn", a, B2, a)                  # a_m' B_n^2 a_m
    BaBa = es("nma,mna->mn", Ba, Ba)                   # (B_n a_m) . (B_m a_n)
    cross = Bm_am @ Bm_am.T + BaBa                     # a_m'(B_m B_n + B_n B_m) a_n
    aa = a @ a.T
    sq = np.diag(aa)
    # psi3[e_m, e_n, .] is the covector (x, X) with x = 2(B_n a_m + B_m a_n) and
    # X = 4(B_m B_n + B_n B_m) + a_m a_n' + a_n a_m'; |x|^2 + tr(X^2)/2 expanded:
    x2 = 4.0 * (Q + Q.T + 2.0 * BaBa)
    trX2 = 32.0 * (trBB2 + trB2B2) + 16.0 * cross + 2.0 * aa**2 + 2.0 * np.outer(sq, sq)
    t33 = float(lam @ (x2 + 0.5 * trX2) @ lam)
    w4 = 16.0 * (2.0 * trB2B2 + trBB2) + 4.0 * (2.0 * Q + 2.0 * Q.T + 4.0 * cross)
    t4 = float(lam @ w4 @ lam)
    c2 = -T1 / 3.0 + 0.375 * (-t4 + 2.0 * t33 + vGv)
    return c1, c2


def mvn_correct_c2(d):
    """Parameter-free correct-model c2 of the d-variate Gaussian: d(10d^2+51d+61)/24."""
    return d * (10 * d * d + 51 * d + 61) / 24.0


class _IndepNormal(_Named):
    """d independent normals with free means and variances; t = (x_1, x_1^2, x_2, ...)."""

    def __init__(self, d=None):
        if d is not None:
            d = check_scalar_in(d, "d", low=1, integer=True)
        super().__init__("independent_normal", None if d is None else 2 * d)
        self.d = d
        self._uni = _MVN(1)

    def bind(self, n_features):
        if self.d is None:
            return _IndepNormal(n_features)
        if n_features != self.d:
            raise ValueError(f"the family has d={self.d} but X has {n_features} columns")
        return self

    def _blocks(self, theta):
        theta = self._theta(theta)
        return theta.reshape(-1, 2)

    def stat(self, X):
        X = _as_2d(X)
        if self.d is not None and X.shape[1] != self.d:
            raise ValueError(f"the family has d={self.d} but X has {X.shape[1]} columns")
        return np.stack([X, X * X], axis=2).reshape(X.shape[0], -1)

    def psi(self, theta):
        return float(sum(self._uni.psi(b) for b in self._blocks(theta)))

    def in_domain(self, theta):
        return bool(np.all(np.asarray(theta, float).reshape(-1, 2)[:, 1] < 0))

    def mean(self, theta):
        return np.concatenate([self._uni.mean(b) for b in self._blocks(theta)])

    def cumulants(self, theta):
        p = self._p
        G, p3, p4 = np.zeros((p, p)), np.zeros((p,) * 3), np.zeros((p,) * 4)
        for j, b in enumerate(self._blocks(theta)):
            g, c3, c4 = self._uni.cumulants(b)
            s = slice(2 * j, 2 * j + 2)
            G[s, s], p3[s, s, s], p4[s, s, s, s] = g, c3, c4
        return G, p3, p4

    def natural_from_mean(self, eta, **kw):
        eta = np.asarray(eta, dtype=float).reshape(-1, 2)
        var = eta[:, 1] - eta[:, 0] ** 2
        if not np.all(np.isfinite(eta)) or np.any(var <= 0):
            raise ValueError("the normal MLE does not exist: a column has zero variance")
        return np.stack([eta[:, 0] / var, -0.5 / var], axis=1).reshape(-1)

    def fit(self, X):
        X = _as_2d(X)
        fam = self.bind(X.shape[1])
        return fam.natural_from_mean(fam.stat(X).mean(axis=0))

    def kl(self, theta_star, theta):
        return float(sum(self._uni.kl(a, b) for a, b in
                         zip(self._blocks(theta_star), self._blocks(theta))))

    def batch_kl(self, theta_star, Tbar):
        """``KL(theta* || theta_hat(tbar))`` per row of ``Tbar`` (inf where a variance <= 0)."""
        b = self._blocks(theta_star)
        v0 = -0.5 / b[:, 1]
        m0 = b[:, 0] * v0
        Tb = np.asarray(Tbar, dtype=float).reshape(Tbar.shape[0], -1, 2)
        m1 = Tb[:, :, 0]
        v1 = Tb[:, :, 1] - m1**2
        with np.errstate(all="ignore"):
            kl = 0.5 * (v0 / v1 + (m1 - m0) ** 2 / v1 - 1.0 + np.log(v1 / v0))
        kl = kl.sum(axis=1)
        return np.where(np.all(v1 > 0, axis=1) & np.isfinite(kl), kl, np.inf)

    def logpdf(self, theta, X):
        X = _as_2d(X)
        b = self._blocks(theta)
        if X.shape[1] != b.shape[0]:
            raise ValueError(f"the family has d={b.shape[0]} but X has {X.shape[1]} columns")
        var = -0.5 / b[:, 1]
        mu = b[:, 0] * var
        return np.sum(-0.5 * np.log(2 * np.pi * var) - (X - mu) ** 2 / (2 * var), axis=1)

    def sample(self, theta, size, random_state=None):
        from ..utils import check_rng

        b = self._blocks(theta)
        var = -0.5 / b[:, 1]
        return b[:, 0] * var + np.sqrt(var) * check_rng(random_state).standard_normal(
            (size, b.shape[0]))
