"""Shared maths and input validation, written once and reused by every subpackage."""

from sklearn.exceptions import ConvergenceWarning

from ._discovery import all_estimators
from ._measures import (
    binary_entropy,
    conditional_entropy,
    cross_entropy,
    entropy,
    kl_divergence,
    mutual_information,
)
from ._progress import progress
from ._validation import (
    check_joint,
    check_probability_vector,
    check_rng,
    check_scalar_in,
    check_stochastic_matrix,
)

__all__ = [
    "ConvergenceWarning",
    "all_estimators",
    "binary_entropy",
    "check_joint",
    "check_probability_vector",
    "check_rng",
    "check_scalar_in",
    "check_stochastic_matrix",
    "conditional_entropy",
    "cross_entropy",
    "entropy",
    "kl_divergence",
    "mutual_information",
    "progress",
]
