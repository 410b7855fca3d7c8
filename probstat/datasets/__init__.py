"""Data for examples and tests: synthetic generators and loaders of public data sets."""

from ._synthetic import make_dirichlet_distributions
from ._uci import get_data_home, load_abalone, load_wine_quality

__all__ = [
    "get_data_home",
    "load_abalone",
    "load_wine_quality",
    "make_dirichlet_distributions",
]
