"""GPU cases for probstat.cluster: the array-API low-rank (Burer-Monteiro) LA-SDP solver."""

import numpy as np

from probstat.cluster._solvers import solve_burer_monteiro
from probstat.datasets import make_heterogeneous_gmm
from probstat.utils._numerics import precision_cholesky


def _inputs(n, K=3, p=10, rank=4, seed=0):
    X, _, params = make_heterogeneous_gmm(n, p, K, separation=4.0, anisotropy=4.0,
                                          return_params=True, random_state=seed)
    X = X - X.mean(axis=0)
    F, d = [], []
    for S in params.covariances:
        L = precision_cholesky(S)
        F.append(X @ L)
        d.append(np.sum(F[-1] ** 2, axis=1) + np.linalg.slogdet(S)[1])
    rng = np.random.default_rng(seed)
    U0 = [np.abs(rng.standard_normal((n, rank))) for _ in range(K)]
    return F, d, U0


def _solve(F, d, U0):
    # A fixed number of steps so NumPy and CuPy do the same work.
    return solve_burer_monteiro(F, d, [1.0] * len(F), U0, max_iter=100, tol=0.0)


def cases():
    import warnings

    warnings.filterwarnings("ignore", message="the low-rank")
    for n in (10_000, 100_000):
        F, d, U0 = _inputs(n)
        yield (f"LA-SDP low-rank solver, 100 steps, n={n}, K=3, p=10, rank 4", _solve,
               lambda xp, F=F, d=d, U0=U0: ([xp.asarray(a) for a in F],
                                            [xp.asarray(a) for a in d],
                                            [xp.asarray(a) for a in U0]))
