"""GPU cases for probstat.bayesopt: the array-API batch expected improvement (q-EI by QMC)."""

import numpy as np

from probstat.bayesopt.acquisition import normal_base_samples, q_expected_improvement


def _inputs(m, q, seed=0):
    rng = np.random.default_rng(seed)
    mean = rng.normal(size=(m, q))
    A = rng.normal(size=(m, q, q))
    cov = A @ A.transpose(0, 2, 1) / q + 0.1 * np.eye(q)
    base = normal_base_samples(512, q, random_state=seed)
    return mean, cov, base


def _qei(mean, cov, base):
    return q_expected_improvement(mean, cov, 0.5, base_samples=base)


def cases():
    for m, q in ((2048, 4), (4096, 8)):
        mean, cov, base = _inputs(m, q)
        yield (f"q-EI, 512 QMC samples, {m} batches of q={q}", _qei,
               lambda xp, mean=mean, cov=cov, base=base: (xp.asarray(mean), xp.asarray(cov),
                                                           base))
