"""probstat: probabilistic modelling and statistics from five lines of recent research.

Subpackages are imported lazily on first attribute access, so ``import probstat`` is
cheap and compiles nothing:

- :mod:`probstat.infoproj` -- exponential families, information projection, the p-n criterion
- :mod:`probstat.cluster` -- SDP K-means and iLA-SDP clustering
- :mod:`probstat.coupling` -- minimum entropy coupling, EBIM, MEC-B, Markov coding games
- :mod:`probstat.semantic` -- semantic information G theory
- :mod:`probstat.bayesopt` -- Gaussian-process Bayesian optimisation
"""

from __future__ import annotations

import importlib

from ._config import config_context, get_config, set_config

__version__ = "0.1.0.dev0"

#: Research subpackages, in the order the tour visits them.
RESEARCH_SUBPACKAGES = ("infoproj", "cluster", "coupling", "semantic", "bayesopt")
_LAZY_SUBPACKAGES = frozenset(
    RESEARCH_SUBPACKAGES + ("backend", "utils", "datasets", "plotting", "base")
)

__all__ = [
    "__version__",
    "config_context",
    "get_config",
    "set_config",
    *sorted(_LAZY_SUBPACKAGES),
]


def __getattr__(name: str):
    if name in _LAZY_SUBPACKAGES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'probstat' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY_SUBPACKAGES)
