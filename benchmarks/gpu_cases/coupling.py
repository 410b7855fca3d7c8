"""GPU cases for probstat.coupling: the array-API path of the greedy EBIM encoder.

The greedy MEC kernel, the exact solver and the refinement are CPU-only (numba); the
greedy EBIM search is one sort plus cumulative sums and runs in the input's namespace.
"""

import numpy as np

from probstat.coupling import ebim_greedy


def _ebim(p):
    return ebim_greedy(p, 10.0)


def cases():
    rng = np.random.default_rng(0)
    for n in (10**6, 4 * 10**6):
        p = rng.dirichlet(np.ones(n))
        yield f"EBIM greedy, n = {n:.0e}, R = 10 bits", _ebim, lambda xp, p=p: (xp.asarray(p),)
