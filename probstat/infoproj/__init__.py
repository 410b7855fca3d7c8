"""Exponential families, information projection, the MLE's KL risk to order n^-2 and
Sheena's p-n criterion for model dimension and sample size.

The estimation risk is ``R(n) = E_g D[g(.; theta*) || g(.; theta_hat)]``: the KL divergence
from the information projection ``theta*`` of the truth ``g`` onto the model (first
argument) to the MLE ``theta_hat`` from ``n`` observations (second argument). It expands as
``c1/n + c2/n^2 + O(n^-3)``; the p-n criterion accepts a ``p``-parameter model for ``n``
observations when that risk is below a tolerance (Y. Sheena, arXiv:2105.08947).
"""

from ._core import (
    cumulant_invariants,
    loglik_moments,
    risk_expansion_expfam,
    risk_expansion_general,
    sample_cumulants,
)
from ._criterion import ExpansionWarning, PNCriterion, PNReport
from ._demo import demo
from ._exact import (
    exact_risk_exponential,
    exact_risk_gamma,
    exact_risk_mvn,
    exact_risk_normal_known_var,
    kl_tolerance,
    min_sample_size,
)
from ._expfam import ExponentialFamily
from ._likelihood import LikelihoodModel
from ._risk import (
    BootstrapRisk,
    MonteCarloRisk,
    bootstrap_risk,
    information_projection,
    monte_carlo_risk,
    risk_coefficients,
)
from ._scan import DimensionScan, gaussian_dimension_scan, multinomial_merge_scan

__all__ = [
    "BootstrapRisk",
    "DimensionScan",
    "ExpansionWarning",
    "ExponentialFamily",
    "LikelihoodModel",
    "MonteCarloRisk",
    "PNCriterion",
    "PNReport",
    "bootstrap_risk",
    "cumulant_invariants",
    "demo",
    "exact_risk_exponential",
    "exact_risk_gamma",
    "exact_risk_mvn",
    "exact_risk_normal_known_var",
    "gaussian_dimension_scan",
    "information_projection",
    "kl_tolerance",
    "loglik_moments",
    "min_sample_size",
    "monte_carlo_risk",
    "multinomial_merge_scan",
    "risk_coefficients",
    "risk_expansion_expfam",
    "risk_expansion_general",
    "sample_cumulants",
]
