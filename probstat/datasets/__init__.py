"""Data for examples and tests: synthetic generators and loaders of public data sets."""

from ._gmm import GaussianMixtureParams, make_heterogeneous_gmm, sdp_recovery_threshold
from ._synthetic import make_dirichlet_distributions
from ._uci import get_data_home, load_abalone, load_wine_quality

__all__ = [
    "GaussianMixtureParams",
    "get_data_home",
    "load_abalone",
    "load_wine_quality",
    "make_dirichlet_distributions",
    "make_heterogeneous_gmm",
    "sdp_recovery_threshold",
]
