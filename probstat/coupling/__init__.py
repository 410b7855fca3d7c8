"""Minimum-entropy coupling, EBIM and MEC with bottleneck."""

from ._bounds import exact_mec, mec_lower_bound
from ._coupling import Coupling, CouplingBatch, greedy_mec, greedy_mec_batch
from ._ebim import (
    EBIMCurve,
    EBIMResult,
    RefinedEBIMResult,
    ebim_best_partition,
    ebim_curve,
    ebim_greedy,
    ebim_refine,
)

__all__ = [
    "Coupling",
    "CouplingBatch",
    "EBIMCurve",
    "EBIMResult",
    "RefinedEBIMResult",
    "ebim_best_partition",
    "ebim_curve",
    "ebim_greedy",
    "ebim_refine",
    "exact_mec",
    "greedy_mec",
    "greedy_mec_batch",
    "mec_lower_bound",
]
