"""GPU cases for probstat.infoproj: the array-API expansions and sample cumulants."""

import numpy as np

from probstat.infoproj import (
    ExponentialFamily,
    cumulant_invariants,
    risk_expansion_expfam,
    sample_cumulants,
)


def _inputs(d, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.gamma(3.0, size=(n, d)) @ (np.eye(d) + 0.3 * rng.normal(size=(d, d)))
    fam = ExponentialFamily.named("mvn", d=d)
    G, p3, p4 = fam.cumulants(fam.fit(X))
    _, S, k3 = sample_cumulants(fam.stat(X))
    return G, p3, p4, S, k3


def _fourth_cumulant(T):
    return sample_cumulants(T, order=4)[3]


def cases():
    for d in (4, 6):
        arrays = _inputs(d)
        p = arrays[0].shape[0]
        yield (f"risk_expansion_expfam, dense tensors p={p}", risk_expansion_expfam,
               lambda xp, arrays=arrays: tuple(xp.asarray(a) for a in arrays))
        yield (f"cumulant_invariants, dense tensors p={p}", cumulant_invariants,
               lambda xp, arrays=arrays: tuple(xp.asarray(a) for a in arrays[:3]))
    T = np.random.default_rng(1).gamma(3.0, size=(20000, 20))
    yield ("sample_cumulants, fourth order, n=20000, p=20", _fourth_cumulant,
           lambda xp: (xp.asarray(T),))
