"""Gaussian-process Bayesian optimisation after Frazier's tutorial (arXiv:1807.02811).

- :class:`GaussianProcess` -- the surrogate: ARD RBF/Matern kernels, MAP hyperparameters
  with analytic gradients, adaptive jitter, rank-k ``condition_on`` updates;
  :class:`DerivativeGaussianProcess` also conditions on gradient observations.
- :mod:`probstat.bayesopt.acquisition` -- EI, log-EI (stable to ``z = -1e7``), PI, UCB,
  Frazier's noisy EI, knowledge gradient (discrete, continuous and one-shot), d-KG for
  gradient observations, max-value and candidate-set entropy search, q-EI, constrained
  EI; closed forms on arrays too.
- :class:`BayesianOptimizer` (ask/tell, pending points, executors) and :func:`minimize`
  (returns a :class:`scipy.optimize.OptimizeResult`, like scikit-optimize's gp_minimize).
- :mod:`probstat.bayesopt.test_functions` -- Branin, Hartmann, Ackley, ... with optima.

Acquisitions maximise (Frazier's convention); the optimiser minimises by default.
"""

from . import acquisition, test_functions  # noqa: F401  (public submodules)
from ._acquisition import (
    AcquisitionFunction,
    ConstrainedExpectedImprovement,
    ExpectedImprovement,
    LogExpectedImprovement,
    LogProbabilityOfImprovement,
    ProbabilityOfImprovement,
    UpperConfidenceBound,
    qExpectedImprovement,
    qLogExpectedImprovement,
)
from ._closed_forms import (
    discrete_knowledge_gradient,
    expected_improvement,
    log_expected_improvement,
    log_probability_of_improvement,
    max_value_entropy_search,
    noisy_expected_improvement,
    probability_of_improvement,
    q_expected_improvement,
)
from ._demo import demo
from ._derivatives import DerivativeGaussianProcess
from ._environmental import EnvironmentalOptimizer
from ._gp import GaussianProcess
from ._knowledge import DerivativeKnowledgeGradient, OneShotKnowledgeGradient
from ._lookahead import (
    EntropySearch,
    KnowledgeGradient,
    MaxValueEntropySearch,
    NoisyExpectedImprovement,
)
from ._maximize import maximize_acquisition
from ._optimizer import BayesianOptimizer, ObjectiveError, minimize
from ._plot import plot_convergence, plot_posterior_1d
from ._space import Categorical, Integer, Real, Space
from .test_functions import BenchmarkFunction, get_test_function

__all__ = [
    "AcquisitionFunction",
    "BayesianOptimizer",
    "BenchmarkFunction",
    "Categorical",
    "ConstrainedExpectedImprovement",
    "EnvironmentalOptimizer",
    "DerivativeGaussianProcess",
    "DerivativeKnowledgeGradient",
    "EntropySearch",
    "ExpectedImprovement",
    "GaussianProcess",
    "Integer",
    "KnowledgeGradient",
    "LogExpectedImprovement",
    "LogProbabilityOfImprovement",
    "MaxValueEntropySearch",
    "NoisyExpectedImprovement",
    "ObjectiveError",
    "OneShotKnowledgeGradient",
    "ProbabilityOfImprovement",
    "Real",
    "Space",
    "UpperConfidenceBound",
    "demo",
    "discrete_knowledge_gradient",
    "expected_improvement",
    "get_test_function",
    "log_expected_improvement",
    "log_probability_of_improvement",
    "max_value_entropy_search",
    "maximize_acquisition",
    "minimize",
    "noisy_expected_improvement",
    "plot_convergence",
    "plot_posterior_1d",
    "probability_of_improvement",
    "q_expected_improvement",
    "qExpectedImprovement",
    "qLogExpectedImprovement",
]

