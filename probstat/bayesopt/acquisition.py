"""Acquisition functions: closed forms on arrays and acquisition objects.

Frazier's maximisation convention throughout: improvement is ``max(f - best, 0)``.
The free functions (``expected_improvement``, ``log_expected_improvement``, ...) work on
arrays of posterior means and standard deviations; the classes bind to a fitted
:class:`~probstat.bayesopt.GaussianProcess` and give values and gradients at points.
"""

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
    log_h,
    log_probability_of_improvement,
    max_value_entropy_search,
    noisy_expected_improvement,
    normal_base_samples,
    probability_of_improvement,
    q_expected_improvement,
    upper_confidence_bound,
)
from ._knowledge import DerivativeKnowledgeGradient, OneShotKnowledgeGradient
from ._lookahead import (
    EntropySearch,
    KnowledgeGradient,
    MaxValueEntropySearch,
    NoisyExpectedImprovement,
)

__all__ = [
    "AcquisitionFunction",
    "ConstrainedExpectedImprovement",
    "DerivativeKnowledgeGradient",
    "EntropySearch",
    "ExpectedImprovement",
    "KnowledgeGradient",
    "LogExpectedImprovement",
    "LogProbabilityOfImprovement",
    "MaxValueEntropySearch",
    "NoisyExpectedImprovement",
    "OneShotKnowledgeGradient",
    "ProbabilityOfImprovement",
    "UpperConfidenceBound",
    "discrete_knowledge_gradient",
    "expected_improvement",
    "log_expected_improvement",
    "log_h",
    "log_probability_of_improvement",
    "max_value_entropy_search",
    "noisy_expected_improvement",
    "normal_base_samples",
    "probability_of_improvement",
    "q_expected_improvement",
    "qExpectedImprovement",
    "qLogExpectedImprovement",
    "upper_confidence_bound",
]
