"""GPU cases for the shared measures."""

import numpy as np

from probstat.utils import entropy, kl_divergence, mutual_information


def cases():
    rng = np.random.default_rng(0)
    p, q = rng.dirichlet(np.ones(10**7), size=2)
    P = rng.dirichlet(np.ones(2000 * 2000)).reshape(2000, 2000)
    yield "entropy, n = 1e7", entropy, lambda xp: (xp.asarray(p),)
    yield "KL divergence, n = 1e7", kl_divergence, lambda xp: (xp.asarray(p), xp.asarray(q))
    yield "mutual information, 2000 x 2000", mutual_information, lambda xp: (xp.asarray(P),)
