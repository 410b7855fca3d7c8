"""numba kernels of probstat.infoproj (compiled lazily through probstat.backend.jit)."""

from __future__ import annotations

import math

import numpy as np

from ..backend import jit


@jit(cache=True)
def mvn_kl_batch(Z):
    """Gaussian MLE risk draws: ``KL(N(0, I) || N(zbar_r, S_r))`` for each replication r.

    ``Z`` has shape (r, n, d) of standard normal draws; ``S_r`` is the MLE covariance
    (divisor n). The KL divergence between Gaussians is invariant under a common affine
    map, so this is also ``KL(N(mu, Sigma) || N(xbar, S_x))`` for ``x = mu + L z`` with any
    ``L L' = Sigma``. Returns an array of r divergences (nats); +inf when ``S_r`` is singular.
    """
    r, n, d = Z.shape
    out = np.empty(r)
    m = np.empty(d)
    S = np.empty((d, d))
    L = np.empty((d, d))
    y = np.empty(d)
    for k in range(r):
        for a in range(d):
            s = 0.0
            for i in range(n):
                s += Z[k, i, a]
            m[a] = s / n
        for a in range(d):
            for b in range(a + 1):
                s = 0.0
                for i in range(n):
                    s += (Z[k, i, a] - m[a]) * (Z[k, i, b] - m[b])
                S[a, b] = s / n
                S[b, a] = S[a, b]
        # Cholesky S = L L'
        ok = True
        for a in range(d):
            for b in range(a + 1):
                s = S[a, b]
                for c in range(b):
                    s -= L[a, c] * L[b, c]
                if a == b:
                    if s <= 0.0:
                        ok = False
                        break
                    L[a, a] = math.sqrt(s)
                else:
                    L[a, b] = s / L[b, b]
            if not ok:
                break
        if not ok:
            out[k] = np.inf
            continue
        logdet = 0.0
        for a in range(d):
            logdet += 2.0 * math.log(L[a, a])
        # tr(S^-1) = sum_j || L^-1 e_j ||^2
        tr = 0.0
        for j in range(d):
            for a in range(d):
                s = 1.0 if a == j else 0.0
                for c in range(a):
                    s -= L[a, c] * y[c]
                y[a] = s / L[a, a]
            for a in range(d):
                tr += y[a] * y[a]
        for a in range(d):
            s = m[a]
            for c in range(a):
                s -= L[a, c] * y[c]
            y[a] = s / L[a, a]
        quad = 0.0
        for a in range(d):
            quad += y[a] * y[a]
        out[k] = 0.5 * (tr + quad - d + logdet)
    return out
