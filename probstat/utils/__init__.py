"""Shared maths and input validation, written once and reused by every subpackage.

- Shannon measures: :func:`entropy`, :func:`kl_divergence`, :func:`mutual_information`, ...
- The validation vocabulary: ``check_*`` functions for arrays, probability vectors, labels,
  weights, scalars and options (a wrong type is a ``TypeError``, a wrong value a
  ``ValueError``, and the message names the argument and the rule).

The numerical building blocks every subpackage shares (the Gaussian log-density, a
jittered Cholesky, log-sum-exp, the log base of measures, the BLAS-thread limit) live in
the private module ``probstat.utils._numerics``: they trust their callers' validation.
"""

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
from ._scalars import (
    check_bool,
    check_callable,
    check_option,
    check_rng,
    check_scalar_in,
    check_sequence,
    check_verbose,
)
from ._validation import (
    check_array,
    check_joint,
    check_labels,
    check_probability_vector,
    check_same_length,
    check_sample_weight,
    check_stochastic_matrix,
    sum_tolerance,
)

__all__ = [
    "ConvergenceWarning",
    "all_estimators",
    "binary_entropy",
    "check_array",
    "check_bool",
    "check_callable",
    "check_joint",
    "check_labels",
    "check_option",
    "check_probability_vector",
    "check_rng",
    "check_same_length",
    "check_sample_weight",
    "check_scalar_in",
    "check_sequence",
    "check_stochastic_matrix",
    "check_verbose",
    "conditional_entropy",
    "cross_entropy",
    "entropy",
    "kl_divergence",
    "mutual_information",
    "progress",
    "sum_tolerance",
]
