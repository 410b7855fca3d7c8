"""Minimum-entropy coupling, EBIM and MEC with bottleneck."""

from ._bounds import exact_mec, mec_lower_bound
from ._coupling import Coupling, CouplingBatch, greedy_mec, greedy_mec_batch

__all__ = [
    "Coupling",
    "CouplingBatch",
    "exact_mec",
    "greedy_mec",
    "greedy_mec_batch",
    "mec_lower_bound",
]
