"""Optimality certificates for solutions of the block SDP (a dual bound built at the point).

The block SDP of :mod:`probstat.cluster._solvers` (maximisation form)::

    maximise    sum_b <C_b, Z_b>
    subject to  Z_b PSD,  Z_b >= 0 entrywise,  tr Z_b = t_b,  sum_b Z_b 1 = 1

has the Lagrangian dual::

    minimise    sum_b t_b lambda_b + 1'y
    subject to  S_b = lambda_b I + (y 1' + 1 y') / 2 - C_b - N_b  PSD,  N_b >= 0.

Weak duality: for any feasible ``Z`` and any ``y``, ``N_b >= 0``,
``sum_b <C_b, Z_b> <= D(y, N) = 1'y + sum_b t_b lambda_max(C_b - (y 1' + 1 y')/2 + N_b)``
(take ``lambda_b`` as that largest eigenvalue, so that ``S_b`` is PSD). Every ``(y, N)``
therefore gives an upper bound on the SDP optimum, and ``D - <C, Z>`` bounds how far a
point ``Z`` is from optimal. The multipliers ``y`` of the row-sum constraint come from the
solver (the augmented-Lagrangian multipliers of the low-rank solver, or the conic
solver's dual); the entrywise multipliers ``N_b`` start at the complementary-slackness
guess (zero on the support of ``Z_b``, cancelling the negative entries of
``C_b - (y 1' + 1 y')/2`` elsewhere) and are then improved together with ``y`` by L-BFGS-B
on a smoothed ``lambda_max`` (the bound reported is always the exact one of the best
iterate, so the optimiser's accuracy affects how tight the bound is, never its validity).
"""

from __future__ import annotations

import math
import time

import numpy as np

#: Relative duality gap below which a solution is certified optimal (default).
DEFAULT_CERTIFY_TOL = 1e-3
#: The certificate needs dense n x n matrices and an eigendecomposition per block and
#: step; above this many points it is skipped (and the solution is not certified).
CERTIFY_MAX_N = 300
#: L-BFGS-B steps on the dual.
_MAX_STEPS = 1000


class _Done(Exception):
    """Stops the optimiser once the bound certifies the point."""


def certify(C_list, traces, Z_list, y0, *, tol=DEFAULT_CERTIFY_TOL, max_steps=_MAX_STEPS,
            infeasibility=0.0, feas_tol=1e-4):
    """Duality-gap certificate of a point ``Z`` of the block SDP.

    Parameters
    ----------
    C_list : list of ndarray of shape (n, n)
        Symmetric costs of the maximisation.
    traces : sequence of float
        ``tr Z_b``.
    Z_list : list of ndarray of shape (n, n)
        The point (PSD, non-negative; feasible up to the solver's tolerance).
    y0 : ndarray of shape (n,)
        Multipliers of ``sum_b Z_b 1 = 1`` from the solver (same sign as the
        ``y'(sum_b Z_b 1 - 1)`` penalty of the minimisation form).
    tol : float
        Certified when ``(bound - objective) / max(1, |objective|) <= tol``.
    max_steps : int
        Cap on the L-BFGS-B steps that improve the dual.
    infeasibility, feas_tol : float
        The point's largest row-sum violation and the most allowed: a point outside the
        feasible set is never certified (its objective can exceed the optimum).

    Returns
    -------
    dict
        ``objective`` (``sum_b <C_b, Z_b>``), ``bound`` (an upper bound on the SDP
        optimum), ``gap`` (the relative gap ``(bound - objective) / max(1, |objective|)``;
        slightly negative when ``Z`` violates the constraints a little), ``certified``,
        ``tol``, ``steps`` and ``time``.
    """
    from scipy.optimize import minimize

    start = time.perf_counter()
    K = len(C_list)
    n = C_list[0].shape[0]
    t = [float(v) for v in traces]
    P = float(sum(np.sum(C * Z) for C, Z in zip(C_list, Z_list)))
    scale = max(1.0, abs(P))
    y0 = np.asarray(y0, dtype=float)
    N0 = []
    for C, Z in zip(C_list, Z_list):
        M = C - (y0[:, None] + y0[None, :]) / 2.0
        support = Z > 1e-3 * max(float(Z.max()), 1e-300)
        N0.append(np.where(support, 0.0, np.maximum(-M, 0.0)))
    # Smoothing of lambda_max (log-sum-exp of the eigenvalues / mu): its bias is at most
    # mu * sum(t) * log(n), a quarter of the tolerance.
    mu = 0.25 * tol * scale / (sum(t) * max(math.log(n), 1.0))
    best = {"bound": math.inf, "evals": 0}

    def dual(x):
        y = x[:n]
        grad = np.zeros_like(x)
        grad[:n] = 1.0
        smooth = exact = float(np.sum(y))
        for b in range(K):
            sl = slice(n + b * n * n, n + (b + 1) * n * n)
            N = x[sl].reshape(n, n)
            A = C_list[b] - (y[:, None] + y[None, :]) / 2.0 + (N + N.T) / 2.0
            w, V = np.linalg.eigh(A)
            top = float(w[-1])
            e = np.exp((w - top) / mu)
            s = float(e.sum())
            exact += t[b] * top
            smooth += t[b] * (top + mu * math.log(s))
            G = (V * (e / s)) @ V.T
            grad[:n] -= t[b] * G.sum(axis=1)
            grad[sl] = t[b] * G.ravel()
        best["evals"] += 1
        if exact < best["bound"]:
            best["bound"] = exact
            if (exact - P) / scale <= 0.5 * tol:
                raise _Done
        return smooth, grad

    x0 = np.concatenate([y0] + [N.ravel() for N in N0])
    bounds = [(None, None)] * n + [(0.0, None)] * (K * n * n)
    try:
        minimize(dual, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                 options=dict(maxiter=int(max_steps), maxfun=2 * int(max_steps),
                              ftol=1e-15, gtol=1e-12, maxcor=20))
    except _Done:
        pass
    bound = best["bound"]
    gap = (bound - P) / scale
    certified = bool(gap <= tol and infeasibility <= feas_tol)
    return dict(objective=P, bound=float(bound), gap=float(gap), certified=certified,
                tol=float(tol), steps=best["evals"], time=time.perf_counter() - start)


def skipped(n, objective, tol=DEFAULT_CERTIFY_TOL):
    """The certificate entry of a solve too large to certify."""
    return dict(objective=float(objective), bound=math.inf, gap=math.inf, certified=False,
                tol=float(tol), steps=0, time=0.0,
                note=f"not computed: n_samples={n} > {CERTIFY_MAX_N} (the certificate needs "
                     "dense n x n eigendecompositions)")
