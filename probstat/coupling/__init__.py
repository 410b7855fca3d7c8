"""Minimum-entropy coupling, EBIM and MEC with bottleneck.

- :func:`greedy_mec`, :func:`greedy_mec_batch`: the greedy coupling of Kocaoglu et al.
  (2017) in ``O(N log N)`` with a sparse :class:`Coupling` result.
- :func:`mec_lower_bound`, :func:`exact_mec`: certificates and the exact optimum for
  small supports.
- :func:`ebim_greedy`, :func:`ebim_refine`, :func:`ebim_best_partition`,
  :func:`ebim_curve`: entropy-bounded information maximisation, the encoder of MEC-B.
- :func:`mec_b`, :class:`BottleneckCoupler`, :class:`MinimumEntropyCoupler`.
- :mod:`probstat.coupling.games`: grid world, maximum-entropy policy, Markov coding game.

Importing this package compiles nothing: the numba kernels (``_kernels.py``) are imported,
and compiled, by the first call that needs them; figures are drawn in ``_plot.py``.
"""

from . import games  # noqa: F401  (the Markov coding game submodule)
from ._bounds import exact_mec, mec_lower_bound
from ._coupling import Coupling, CouplingBatch, greedy_mec, greedy_mec_batch
from ._demo import demo
from ._ebim import EBIMResult, ebim_best_partition, ebim_greedy
from ._ebim_refine import EBIMCurve, RefinedEBIMResult, ebim_curve, ebim_refine
from ._estimators import BottleneckCoupler, MinimumEntropyCoupler
from ._iterative import IterativeCoupling, arimec, fimec
from ._iterative_estimator import IterativeCoupler
from ._mecb import MECBResult, mec_b, uniform_quantizer
from ._stego import (
    CharNgramModel,
    StegoResult,
    char_ngram_model,
    stego_decode,
    stego_encode,
    stego_log_prob,
)

__all__ = [
    "BottleneckCoupler",
    "Coupling",
    "CouplingBatch",
    "EBIMCurve",
    "EBIMResult",
    "MECBResult",
    "MinimumEntropyCoupler",
    "RefinedEBIMResult",
    "demo",
    "ebim_best_partition",
    "ebim_curve",
    "ebim_greedy",
    "ebim_refine",
    "exact_mec",
    "greedy_mec",
    "greedy_mec_batch",
    "mec_b",
    "mec_lower_bound",
    "uniform_quantizer",
    # iterative coupling for large supports and steganography
    "CharNgramModel",
    "IterativeCoupler",
    "IterativeCoupling",
    "StegoResult",
    "arimec",
    "char_ngram_model",
    "fimec",
    "stego_decode",
    "stego_encode",
    "stego_log_prob",
]
