"""GPU cases for probstat.infoproj: the array-API exponential-family risk expansion."""

import numpy as np

from probstat.infoproj import ExponentialFamily, risk_expansion_expfam, sample_cumulants


def _inputs(d, n=4000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.gamma(3.0, size=(n, d)) @ (np.eye(d) + 0.3 * rng.normal(size=(d, d)))
    fam = ExponentialFamily.named("mvn", d=d)
    G, p3, p4 = fam.cumulants(fam.fit(X))
    _, S, k3 = sample_cumulants(fam.stat(X))
    return G, p3, p4, S, k3


def cases():
    for d in (4, 6):
        arrays = _inputs(d)
        p = arrays[0].shape[0]
        yield (f"risk_expansion_expfam, dense tensors p={p}", risk_expansion_expfam,
               lambda xp, arrays=arrays: tuple(xp.asarray(a) for a in arrays))
