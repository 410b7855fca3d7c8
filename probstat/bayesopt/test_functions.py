"""Standard optimisation test functions with bounds and known global minima.

Each function is a :class:`BenchmarkFunction`: callable on one point (returns a float) or
on an array of shape ``(n, d)`` (returns shape ``(n,)``), with ``bounds``,
``optimal_value`` (the global minimum) and ``optimizers`` (the minimisers). Formulas and
optima as collected by Surjanovic & Bingham's Virtual Library of Simulation Experiments
(https://www.sfu.ca/~ssurjano/optimization.html), checked by multistart L-BFGS-B.

Examples
--------
>>> from probstat.bayesopt.test_functions import branin
>>> round(branin([3.141592653589793, 2.275]), 9)
0.397887358
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np

from ..backend import on_host
from ..utils import check_array, check_option, check_scalar_in

__all__ = [
    "BenchmarkFunction",
    "ackley",
    "branin",
    "get_test_function",
    "goldstein_price",
    "hartmann3",
    "hartmann6",
    "levy",
    "rosenbrock",
    "six_hump_camel",
]


@dataclasses.dataclass(frozen=True)
class BenchmarkFunction:
    """A test function for minimisation with its box and known optimum.

    Described in [1]_.

    Attributes
    ----------
    name : str
    dim : int
    bounds : tuple of (float, float)
        One ``(low, high)`` pair per dimension.
    optimal_value : float
        The global minimum.
    optimizers : tuple of tuple of float
        Known global minimisers.
    func : callable
        Vectorised implementation on arrays of shape ``(n, dim)``.

    References
    ----------
    .. [1] S. Surjanovic and D. Bingham, Virtual Library of Simulation Experiments: Test
       Functions and Datasets, https://www.sfu.ca/~ssurjano/optimization.html.
    """

    name: str
    dim: int
    bounds: tuple
    optimal_value: float
    optimizers: tuple
    func: Callable = dataclasses.field(repr=False)

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"name must be a string (got {self.name!r})")
        dim = check_scalar_in(self.dim, "dim", low=1, integer=True)
        b = check_array(self.bounds, "bounds", ndim=2)
        if b.shape != (dim, 2) or np.any(b[:, 0] >= b[:, 1]):
            raise ValueError(f"bounds must hold {dim} (low, high) pairs with low < high "
                             f"(got {self.bounds!r})")
        check_scalar_in(self.optimal_value, "optimal_value")
        if not callable(self.func):
            raise TypeError(f"func must be callable (got {type(self.func).__name__})")

    def __call__(self, x):
        """Evaluate at one point (float) or at the rows of a 2-D array (array).

        Parameters
        ----------
        x : array-like of shape (dim,) or (n, dim)
            One point or one point per row (finite).

        Returns
        -------
        float or ndarray of shape (n,)
            The function values.
        """
        host = on_host(x, where=self.name)
        x = check_array(host.to_numpy(x), "x", ndim=(1, 2), xp=np)
        if x.shape[-1] != self.dim:
            raise ValueError(f"x must hold points of dimension {self.dim} for {self.name} "
                             f"(got shape {x.shape})")
        out = self.func(np.atleast_2d(x))
        return float(out[0]) if x.ndim == 1 else host.from_numpy(np.asarray(out, float))

    def regret(self, values):
        """Simple regret ``values - optimal_value`` (array or float).

        Parameters
        ----------
        values : float or array-like
            Objective values.

        Returns
        -------
        float or ndarray
            ``values`` minus the global minimum, elementwise.
        """
        host = on_host(values, where=f"{self.name}.regret")
        values = check_array(host.to_numpy(values), "values", xp=np)
        return host.from_numpy(values - self.optimal_value)


def _branin(X):
    x1, x2 = X[:, 0], X[:, 1]
    b, c = 5.1 / (4 * math.pi**2), 5 / math.pi
    return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * np.cos(x1) + 10


def _camel(X):
    x1, x2 = X[:, 0], X[:, 1]
    return (4 - 2.1 * x1**2 + x1**4 / 3) * x1**2 + x1 * x2 + (-4 + 4 * x2**2) * x2**2


def _goldstein(X):
    x1, x2 = X[:, 0], X[:, 1]
    a = 1 + (x1 + x2 + 1) ** 2 * (19 - 14 * x1 + 3 * x1**2 - 14 * x2 + 6 * x1 * x2 + 3 * x2**2)
    b = 30 + (2 * x1 - 3 * x2) ** 2 * (18 - 32 * x1 + 12 * x1**2 + 48 * x2 - 36 * x1 * x2
                                       + 27 * x2**2)
    return a * b


_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H3_A = np.array([[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]])
_H3_P = 1e-4 * np.array([[3689, 1170, 2673], [4699, 4387, 7470], [1091, 8732, 5547],
                         [381, 5743, 8828]])
_H6_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                  [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
_H6_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886],
                         [2329, 4135, 8307, 3736, 1004, 9991],
                         [2348, 1451, 3522, 2883, 3047, 6650],
                         [4047, 8828, 8732, 5743, 1091, 381]])


def _hartmann(A, P):
    def f(X):
        inner = np.einsum("ij,nij->ni", A, (X[:, None, :] - P[None]) ** 2)
        return -np.exp(-inner) @ _H_ALPHA
    return f


def _ackley(X):
    d = X.shape[1]
    a, b, c = 20.0, 0.2, 2 * math.pi
    return (-a * np.exp(-b * np.sqrt(np.sum(X**2, axis=1) / d))
            - np.exp(np.sum(np.cos(c * X), axis=1) / d) + a + math.e)


def _levy(X):
    w = 1 + (X - 1) / 4
    head = np.sin(math.pi * w[:, 0]) ** 2
    mid = np.sum((w[:, :-1] - 1) ** 2 * (1 + 10 * np.sin(math.pi * w[:, :-1] + 1) ** 2), axis=1)
    tail = (w[:, -1] - 1) ** 2 * (1 + np.sin(2 * math.pi * w[:, -1]) ** 2)
    return head + mid + tail


def _rosenbrock(X):
    return np.sum(100 * (X[:, 1:] - X[:, :-1] ** 2) ** 2 + (X[:, :-1] - 1) ** 2, axis=1)


branin = BenchmarkFunction(
    "branin", 2, ((-5.0, 10.0), (0.0, 15.0)), 5 / (4 * math.pi),
    ((-math.pi, 12.275), (math.pi, 2.275), (3 * math.pi, 2.475)), _branin)
six_hump_camel = BenchmarkFunction(
    "six_hump_camel", 2, ((-3.0, 3.0), (-2.0, 2.0)), -1.03162845348988,
    ((0.0898420, -0.7126564), (-0.0898420, 0.7126564)), _camel)
goldstein_price = BenchmarkFunction(
    "goldstein_price", 2, ((-2.0, 2.0), (-2.0, 2.0)), 3.0, ((0.0, -1.0),), _goldstein)
hartmann3 = BenchmarkFunction(
    "hartmann3", 3, ((0.0, 1.0),) * 3, -3.86277978733,
    ((0.1145889, 0.5556489, 0.852547),), _hartmann(_H3_A, _H3_P))
hartmann6 = BenchmarkFunction(
    "hartmann6", 6, ((0.0, 1.0),) * 6, -3.32236801141552,
    ((0.2016895, 0.1500107, 0.476874, 0.2753324, 0.3116516, 0.6573005),),
    _hartmann(_H6_A, _H6_P))


def ackley(dim=2):
    """Ackley function on ``[-32.768, 32.768]^dim`` (minimum 0 at the origin).

    Described in [1]_ and [2]_.

    Parameters
    ----------
    dim : int, default=2
        Dimension (>= 1).

    Returns
    -------
    BenchmarkFunction
        The function on its box.

    References
    ----------
    .. [1] D. H. Ackley, *A Connectionist Machine for Genetic Hillclimbing*, Kluwer, 1987.
    .. [2] S. Surjanovic and D. Bingham, Virtual Library of Simulation Experiments: Test
       Functions and Datasets, https://www.sfu.ca/~ssurjano/optimization.html.
    """
    dim = check_scalar_in(dim, "dim", low=1, integer=True)
    return BenchmarkFunction(f"ackley{dim}", dim, ((-32.768, 32.768),) * dim, 0.0,
                             ((0.0,) * dim,), _ackley)


def levy(dim=2):
    """Levy function on ``[-10, 10]^dim`` (minimum 0 at ``(1, ..., 1)``).

    Described in [1]_ and [2]_.

    Parameters
    ----------
    dim : int, default=2
        Dimension (>= 1).

    Returns
    -------
    BenchmarkFunction
        The function on its box.

    References
    ----------
    .. [1] M. Laguna and R. Marti, "Experimental testing of advanced scatter search designs
       for global optimization of multimodal functions", Journal of Global Optimization 33,
       2005.
    .. [2] S. Surjanovic and D. Bingham, Virtual Library of Simulation Experiments: Test
       Functions and Datasets, https://www.sfu.ca/~ssurjano/optimization.html.
    """
    dim = check_scalar_in(dim, "dim", low=1, integer=True)
    return BenchmarkFunction(f"levy{dim}", dim, ((-10.0, 10.0),) * dim, 0.0,
                             ((1.0,) * dim,), _levy)


def rosenbrock(dim=2):
    """Rosenbrock function on ``[-5, 10]^dim`` (minimum 0 at ``(1, ..., 1)``).

    Described in [1]_ and [2]_.

    Parameters
    ----------
    dim : int, default=2
        Dimension (>= 2).

    Returns
    -------
    BenchmarkFunction
        The function on its box.

    References
    ----------
    .. [1] H. H. Rosenbrock, "An automatic method for finding the greatest or least value of
       a function", The Computer Journal 3(3), 1960.
    .. [2] S. Surjanovic and D. Bingham, Virtual Library of Simulation Experiments: Test
       Functions and Datasets, https://www.sfu.ca/~ssurjano/optimization.html.
    """
    dim = check_scalar_in(dim, "dim", low=2, integer=True)
    return BenchmarkFunction(f"rosenbrock{dim}", dim, ((-5.0, 10.0),) * dim, 0.0,
                             ((1.0,) * dim,), _rosenbrock)


_FIXED = {f.name: f for f in (branin, six_hump_camel, goldstein_price, hartmann3, hartmann6)}
_SCALABLE = {"ackley": ackley, "levy": levy, "rosenbrock": rosenbrock}


def get_test_function(name, dim=None):
    """Look up a test function by name.

    Formulas, boxes and optima as collected in [1]_. Branin, Goldstein-Price and the
    Hartmann functions belong to the Dixon-Szegő test set [2]_; their original sources
    are Branin and Hoo [3]_, Goldstein and Price [4]_ and Hartman [5]_. The scalable
    functions cite their own sources (:func:`ackley`, :func:`levy`, :func:`rosenbrock`).

    Parameters
    ----------
    name : str
        One of ``branin``, ``six_hump_camel``, ``goldstein_price``, ``hartmann3``,
        ``hartmann6``, ``ackley``, ``levy``, ``rosenbrock``.
    dim : int, optional
        Dimension of the scalable ones (default 2); for the others it may only repeat
        their fixed dimension.

    Returns
    -------
    BenchmarkFunction
        The test function.

    References
    ----------
    .. [1] S. Surjanovic and D. Bingham, Virtual Library of Simulation Experiments: Test
       Functions and Datasets (2013), https://www.sfu.ca/~ssurjano/optimization.html.
    .. [2] L. C. W. Dixon and G. P. Szegő (eds.), *Towards Global Optimisation 2*,
       North-Holland, Amsterdam (1978).
    .. [3] F. H. Branin and S. K. Hoo, "A method for finding multiple extrema of a function
       of n variables", in *Numerical Methods of Nonlinear Optimization* (F. A. Lootsma,
       ed.), Academic Press, London (1972), 231-237.
    .. [4] A. A. Goldstein and J. F. Price, "On descent from local minima", Mathematics of
       Computation 25(115) (1971), 569-574.
    .. [5] J. K. Hartman, "Some experiments in global optimization", Naval Research
       Logistics Quarterly 20(3) (1973), 569-576.

    Examples
    --------
    >>> from probstat.bayesopt.test_functions import get_test_function
    >>> get_test_function("levy", 3).dim
    3
    """
    check_option(name, "name", sorted(_FIXED) + sorted(_SCALABLE))
    if dim is not None:
        dim = check_scalar_in(dim, "dim", low=1, integer=True)
    if name in _FIXED:
        fn = _FIXED[name]
        if dim is not None and dim != fn.dim:
            raise ValueError(f"dim must be {fn.dim} for {name} (got {dim})")
        return fn
    return _SCALABLE[name](2 if dim is None else dim)


# --------------------------------------------------------------------------------------
# Multi-fidelity, multi-source and environmental-condition problems. Each is a
# BenchmarkFunction whose last input column(s) hold the fidelity, the source index or the
# environmental variable; ``optimal_value`` and ``optimizers`` are those of the target
# (fidelity 1, source 0, or the expectation over the environment).

def _augmented_branin(X):
    x1, x2, s = X[:, 0], X[:, 1], X[:, 2]
    b = 5.1 / (4 * math.pi**2) - 0.1 * (1 - s)
    t1 = x2 - b * x1**2 + 5 / math.pi * x1 - 6
    return t1**2 + 10 * (1 - 1 / (8 * math.pi)) * np.cos(x1) + 10


def _augmented_hartmann6(X):
    inner = np.einsum("ij,nij->ni", _H6_A, (X[:, None, :6] - _H6_P[None]) ** 2)
    e = np.exp(-inner)
    alpha1 = _H_ALPHA[0] - 0.1 * (1 - X[:, 6])
    return -(e[:, 1:] @ _H_ALPHA[1:]) - alpha1 * e[:, 0]


def _multi_source_rosenbrock(X):
    x1, x2 = X[:, 0], X[:, 1]
    base = 100 * (x2 - x1**2) ** 2 + (1 - x1) ** 2
    source = np.rint(X[:, 2])
    return base + np.where(source == 1, 0.1 * np.sin(10 * x1 + 5 * x2), 0.0) + \
        np.where(source == 2, 0.5 * (x1 - 1) + 0.5 * np.sin(5 * x2), 0.0)


#: Standard deviation of the environmental variable of :data:`environmental_sine`.
ENV_SIGMA = 0.5


def _environmental_sine(X):
    x1, x2, w = X[:, 0], X[:, 1], X[:, 2]
    return np.sin(3 * x1 + w) + (x2 - 0.5) ** 2 + 2 * w * (x2 - 0.5)


def _environmental_sine_mean(X):
    """``E_w f(x, w)`` for ``w ~ N(0, ENV_SIGMA^2)``: ``E sin(a + w) = sin(a) e^{-s^2/2}``."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    return math.exp(-ENV_SIGMA**2 / 2) * np.sin(3 * X[:, 0]) + (X[:, 1] - 0.5) ** 2


augmented_branin = BenchmarkFunction(
    "augmented_branin", 3, ((-5.0, 10.0), (0.0, 15.0), (0.0, 1.0)), 5 / (4 * math.pi),
    ((-math.pi, 12.275, 1.0), (math.pi, 2.275, 1.0), (3 * math.pi, 2.475, 1.0)),
    _augmented_branin)
augmented_hartmann6 = BenchmarkFunction(
    "augmented_hartmann6", 7, ((0.0, 1.0),) * 7, -3.32236801141552,
    ((0.2016895, 0.1500107, 0.476874, 0.2753324, 0.3116516, 0.6573005, 1.0),),
    _augmented_hartmann6)
multi_source_rosenbrock = BenchmarkFunction(
    "multi_source_rosenbrock", 3, ((-2.0, 2.0), (-2.0, 2.0), (0.0, 2.0)), 0.0,
    ((1.0, 1.0, 0.0),), _multi_source_rosenbrock)
environmental_sine = BenchmarkFunction(
    "environmental_sine", 3, ((0.0, 2.0), (0.0, 2.0), (-4 * ENV_SIGMA, 4 * ENV_SIGMA)),
    -math.exp(-ENV_SIGMA**2 / 2), ((math.pi / 2, 0.5, 0.0),), _environmental_sine)


def multi_fidelity_problems():
    """The multi-fidelity, multi-source and environmental-condition test problems.

    - ``augmented_branin(x1, x2, s)`` on ``[-5, 10] x [0, 15] x [0, 1]`` and
      ``augmented_hartmann6(x1..x6, s)`` on ``[0, 1]^7``: BoTorch's forms [1]_ (used by
      Wu et al. [2]_), where the fidelity ``s`` shifts one coefficient by ``0.1 (1 - s)``;
      the target is ``s = 1`` (Branin's minimum ``5/(4 pi)`` is reached at every ``s``,
      Hartmann-6's ``-3.32237`` only at ``s = 1``).
    - ``multi_source_rosenbrock(x1, x2, s)`` on ``[-2, 2]^2`` with a source index
      ``s`` in ``{0, 1, 2}`` (rounded): source 0 is Rosenbrock's function (minimum 0 at
      ``(1, 1)``), source 1 adds the small oscillation ``0.1 sin(10 x1 + 5 x2)`` and
      source 2 the larger bias ``0.5 (x1 - 1) + 0.5 sin(5 x2)``: a cheap faithful source and
      a cheap biased one, in the setting of Poloczek et al. [3]_.
    - ``environmental_sine(x1, x2, w)`` on ``[0, 2]^2`` with ``w ~ N(0, 0.5^2)``:
      ``f = sin(3 x1 + w) + (x2 - 0.5)^2 + 2 w (x2 - 0.5)``, whose expectation
      ``F(x) = exp(-1/8) sin(3 x1) + (x2 - 0.5)^2`` is known (``E sin(a + w) =
      sin(a) exp(-sigma^2/2)``); ``optimal_value`` is the minimum of ``F``, ``-exp(-1/8)``
      at ``(pi/2, 0.5)``, while the minimiser of ``f(., w)`` moves with ``w``
      (``x2 = 0.5 - w``), the setting of Toscano-Palmerin and Frazier [4]_. The bounds
      of ``w`` are ``+-4`` standard deviations. ``F`` is :func:`environmental_sine_mean`.

    Returns
    -------
    dict of str to BenchmarkFunction
        The four problems by name.

    References
    ----------
    .. [1] M. Balandat et al., "BoTorch: a framework for efficient Monte-Carlo Bayesian
       optimization", NeurIPS 2020 (``botorch.test_functions.multi_fidelity``).
    .. [2] J. Wu, S. Toscano-Palmerin, P. I. Frazier and A. G. Wilson, "Practical
       multi-fidelity Bayesian optimization for hyperparameter tuning", UAI 2019.
    .. [3] M. Poloczek, J. Wang and P. I. Frazier, "Multi-information source
       optimization", NeurIPS 2017.
    .. [4] S. Toscano-Palmerin and P. I. Frazier, "Bayesian optimization with expensive
       integrands", SIAM Journal on Optimization 32(2), 2022, arXiv:1803.08661.

    Examples
    --------
    >>> from probstat.bayesopt.test_functions import multi_fidelity_problems
    >>> sorted(multi_fidelity_problems())[0]
    'augmented_branin'
    """
    return {f.name: f for f in (augmented_branin, augmented_hartmann6,
                                multi_source_rosenbrock, environmental_sine)}


def environmental_sine_mean(x):
    """The expectation ``F(x) = E_w f(x, w)`` of :data:`environmental_sine`.

    ``F(x) = exp(-sigma^2/2) sin(3 x1) + (x2 - 0.5)^2`` with ``sigma = 0.5``, from
    ``E sin(a + w) = sin(a) exp(-sigma^2/2)`` for ``w ~ N(0, sigma^2)`` (the normal
    characteristic function, [1]_).

    Parameters
    ----------
    x : array-like of shape (2,) or (n, 2)
        One point or one per row (finite).

    Returns
    -------
    float or ndarray of shape (n,)
        ``F`` at the points.

    References
    ----------
    .. [1] S. Toscano-Palmerin and P. I. Frazier, "Bayesian optimization with expensive
       integrands", SIAM Journal on Optimization 32(2), 2022, arXiv:1803.08661 (the
       objective ``E_w f(x, w)``).

    Examples
    --------
    >>> from probstat.bayesopt.test_functions import environmental_sine_mean
    >>> round(environmental_sine_mean([1.5707963267948966, 0.5]), 6)
    -0.882497
    """
    host = on_host(x, where="environmental_sine_mean")
    x = check_array(host.to_numpy(x), "x", ndim=(1, 2), xp=np)
    if x.shape[-1] != 2:
        raise ValueError(f"x must hold points of dimension 2 (got shape {x.shape})")
    out = _environmental_sine_mean(x)
    return float(out[0]) if x.ndim == 1 else host.from_numpy(out)


__all__ += ["augmented_branin", "augmented_hartmann6", "environmental_sine",
            "environmental_sine_mean", "multi_fidelity_problems", "multi_source_rosenbrock"]
