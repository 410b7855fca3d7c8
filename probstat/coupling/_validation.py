"""Input checks shared by the coupling routines.

They run on host data: a public routine first goes through
:func:`probstat.backend.on_host` (or is written against the array API), then calls these.
"""

from __future__ import annotations

import math

import numpy as np

from ..utils import check_probability_vector, check_scalar_in

#: ln 2: the kernels and closed forms that count in bits convert with it.
LN2 = math.log(2.0)


def check_marginal(p, name):
    """Validate one probability vector; a contiguous float64 NumPy array.

    The tolerance on the sum is :func:`probstat.utils.sum_tolerance` of the input's dtype
    and length, so float32 and float16 vectors are accepted; the result is renormalised
    in float64.
    """
    return np.ascontiguousarray(check_probability_vector(p, name=name))


def check_marginals(marginals, *, min_count=1):
    """Validate a sequence of marginals, named ``marginals[i]`` in messages."""
    if len(marginals) < min_count:
        raise ValueError(f"marginals must hold at least {min_count} probability vector(s) "
                         f"(got {len(marginals)})")
    return [check_marginal(p, f"marginals[{i}]") for i, p in enumerate(marginals)]


def check_rate(rate, name="rate"):
    """A rate in the chosen log base: a finite number >= 0, as a float."""
    return float(check_scalar_in(rate, name, low=0))
