"""Input checks shared by the coupling routines."""

from __future__ import annotations

import numpy as np

from ..backend import get_namespace, is_numpy_namespace, to_numpy, warn_host_fallback
from ..utils import check_probability_vector, check_scalar_in

#: Tolerance on the sum of an input probability vector (no silent renormalising).
SUM_ATOL = 1e-9


def check_marginal(p, name, where):
    """Validate one marginal and return it as a float64 NumPy array."""
    xp = get_namespace(p)
    if not is_numpy_namespace(xp):
        warn_host_fallback(where)
    arr = check_probability_vector(p, name=name, atol=SUM_ATOL)
    return np.ascontiguousarray(to_numpy(arr, dtype=np.float64))


def check_marginals(marginals, where, *, min_count=1):
    """Validate a sequence of marginals (names ``marginals[i]`` in messages)."""
    if len(marginals) < min_count:
        raise ValueError(
            f"{where} needs at least {min_count} marginal(s) (got {len(marginals)})"
        )
    return [check_marginal(p, f"marginals[{i}]", where) for i, p in enumerate(marginals)]


def check_rate(rate):
    """A rate in the chosen log base: a finite number >= 0."""
    return float(check_scalar_in(rate, "rate", low=0))


def check_base(base):
    """Log base: a number > 0 other than 1; returns log2(base) (bits per unit)."""
    if isinstance(base, bool) or not isinstance(base, (int, float, np.floating, np.integer)):
        raise ValueError(f"base must be a positive number other than 1 (got {base!r})")
    if not base > 0 or base == 1 or not np.isfinite(base):
        raise ValueError(f"base must be a positive number other than 1 (got {base!r})")
    return float(np.log2(base))
