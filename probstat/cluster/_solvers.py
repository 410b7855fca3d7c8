"""Solvers for the block SDP shared by the K-means SDP and the likelihood-adjusted SDP.

Both relaxations are instances of one problem over ``B`` blocks ``Z_1..Z_B`` (n x n)::

    maximise    sum_b <F_b F_b', Z_b> - d_b' Z_b 1
    subject to  Z_b PSD,  Z_b >= 0 entrywise,  tr Z_b = t_b,  sum_b Z_b 1 = 1.

- Peng-Wei K-means SDP: one block, ``F = X`` (centred), ``d = 0``, ``t = K``.
- LA-SDP: one block per cluster, ``F_k = X L_k`` with ``L_k L_k' = Sigma_k^{-1}``,
  ``d_k = diag(F_k F_k') + log det Sigma_k``, ``t_k = 1``.

:func:`solve_cvxpy` solves it exactly (up to the solver's tolerance) with cvxpy;
:func:`solve_burer_monteiro` solves the non-negative low-rank factorisation
``Z_b = U_b U_b'`` (``U_b >= 0`` of shape n x r) by an augmented Lagrangian with
accelerated projected gradient, written once against the array API.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .._warn import warn
from ..backend import device, get_namespace
from ..utils import ConvergenceWarning
from ._common import logger

#: Outside this range a sum of squares has lost precision to underflow (subnormal
#: squares) or overflowed: the projection then rescales by the largest entry first.
_SAFE_SQUARES = (1e-280, 1e280)


#: An inner solve of the augmented Lagrangian counts as converged only once its
#: projected-gradient norm has dropped by this factor (and the iterates stopped moving).
_PG_DROP = 0.1
#: ... or once it is this small relative to the first step of the whole solve.
_PG_FLOOR = 1e-3


class SDPSolverError(RuntimeError):
    """The SDP solver failed; the message gives the solver's name and status."""


# --------------------------------------------------------------------------- cvxpy path


def _cvxpy_solver_name(name):
    name = str(name).upper()
    if name not in {"SCS", "CLARABEL"}:
        raise ValueError(f"cvxpy_solver must be 'SCS' or 'CLARABEL' (got {name!r})")
    return name


def solve_cvxpy(C_list, traces, *, cvxpy_solver="SCS", eps=1e-5, max_iters=20000,
                verbose=False):
    """Solve ``max sum_b <C_b, Z_b>`` over the block SDP's feasible set with cvxpy.

    Parameters
    ----------
    C_list : list of ndarray of shape (n, n)
        Symmetric cost matrices (``F_b F_b' - (d_b 1' + 1 d_b') / 2``).
    traces : sequence of float
        ``tr Z_b`` for each block.
    cvxpy_solver : {"SCS", "CLARABEL"}
    eps : float
        Tolerance (SCS ``eps_abs``/``eps_rel``; Clarabel gap and feasibility).
    max_iters : int
        SCS iteration cap (Clarabel: its own default).
    verbose : bool

    Returns
    -------
    Z_list : list of ndarray
    info : dict
        ``status``, ``solver``, ``solve_time``, ``objective``, ``primal_infeasibility``,
        ``dual`` (the multipliers of ``sum_b Z_b 1 = 1``) and ``dual_N`` (those of
        ``Z_b >= 0``, one matrix per block).

    Raises
    ------
    SDPSolverError
        When the solver fails or reports a status other than optimal (or optimal
        inaccurate, which gives a :class:`~probstat.utils.ConvergenceWarning`).
    """
    import cvxpy as cp

    solver = _cvxpy_solver_name(cvxpy_solver)
    n = C_list[0].shape[0]
    if not all(np.all(np.isfinite(C)) for C in C_list):
        raise ValueError("the SDP cost matrices must be finite (the data overflowed)")
    # Scale the costs to a typical entry of one: the optimiser is unchanged and SCS
    # needs about half the iterations of a max-scaling on far-apart clusters.
    scale = float(np.median(np.abs(np.stack(C_list))))
    if not scale > 0:
        scale = max(float(np.max(np.abs(C))) for C in C_list)
    scale = scale if scale > 0 else 1.0
    one = np.ones(n)
    Zs = [cp.Variable((n, n), PSD=True) for _ in C_list]
    objective = sum(cp.sum(cp.multiply(C / scale, Z)) for C, Z in zip(C_list, Zs))
    cons = []
    nonneg = []
    for Z, t in zip(Zs, traces):
        nonneg.append(Z >= 0)
        cons += [nonneg[-1], cp.trace(Z) == float(t)]
    rowsum = sum(Z @ one for Z in Zs) == one
    cons.append(rowsum)
    problem = cp.Problem(cp.Maximize(objective), cons)
    if solver == "SCS":
        opts = dict(eps_abs=eps, eps_rel=eps, max_iters=int(max_iters))
    else:
        opts = dict(tol_gap_abs=eps, tol_gap_rel=eps, tol_feas=eps)
    start = time.perf_counter()
    try:
        problem.solve(solver=solver, verbose=bool(verbose), **opts)
    except cp.error.SolverError as exc:
        raise SDPSolverError(
            f"{solver} failed on the {n} x {n} SDP (status {problem.status!r}): "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}. "
            "Try solver='bm', another cvxpy_solver, or a looser eps."
        ) from None
    elapsed = time.perf_counter() - start
    status = problem.status
    if status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) or any(Z.value is None for Z in Zs):
        raise SDPSolverError(
            f"{solver} did not solve the {n} x {n} SDP: status {status!r}. "
            "Try solver='bm', another cvxpy_solver, or more iterations."
        )
    if status == cp.OPTIMAL_INACCURATE:
        warn(f"{solver} returned status 'optimal_inaccurate' on the {n} x {n} SDP; the "
             "relaxation was solved to low accuracy", ConvergenceWarning)
    Z_list = [np.asarray((Z.value + Z.value.T) / 2.0) for Z in Zs]
    resid = sum(Z.sum(axis=1) for Z in Z_list) - 1.0
    info = dict(
        solver=f"cvxpy/{solver}",
        status=str(status),
        solve_time=elapsed,
        objective=float(sum(np.sum(C * Z) for C, Z in zip(C_list, Z_list))),
        primal_infeasibility=float(np.max(np.abs(resid))),
        iterations=problem.solver_stats.num_iters,
        # Multipliers of the row-sum constraint, on the costs' own scale (the optimum
        # certificate starts from them).
        dual=np.asarray(rowsum.dual_value, dtype=float).reshape(n) * scale
        if rowsum.dual_value is not None else np.zeros(n),
        # and of Z_b >= 0 (None when the solver gave none).
        dual_N=None if any(c.dual_value is None for c in nonneg) else [
            np.asarray(c.dual_value, dtype=float) * scale for c in nonneg],
    )
    return Z_list, info


# ------------------------------------------------------------ Burer-Monteiro (array API)


def _project(V, t, xp):
    """Project each block onto {U >= 0, ||U||_F^2 = t}."""
    Vp = xp.maximum(V, xp.zeros_like(V))
    squares = float(xp.sum(Vp * Vp))
    if _SAFE_SQUARES[0] < squares < _SAFE_SQUARES[1]:
        return Vp * (math.sqrt(t) / math.sqrt(squares))
    top = float(xp.max(Vp))
    if top > 0:
        # Tiny or huge entries: scale by the largest one before the norm, so that the
        # squares neither underflow to subnormals nor overflow.
        W = Vp / top
        return W * (math.sqrt(t) / math.sqrt(float(xp.sum(W * W))))
    # Everything non-positive: the nearest feasible point puts all mass on the largest entry.
    flat = xp.reshape(V, (-1,))
    idx = int(xp.argmax(flat))
    positions = xp.arange(flat.shape[0], device=device(flat))
    out = xp.where(positions == idx, xp.full_like(flat, math.sqrt(t)), xp.zeros_like(flat))
    return xp.reshape(out, V.shape)


class _BlockProblem:
    """Augmented Lagrangian of the factorised block SDP (minimisation form)."""

    def __init__(self, F_list, d_list, traces, xp):
        self.F, self.d, self.t, self.xp = F_list, d_list, list(traces), xp
        self.n = F_list[0].shape[0]
        self.one = xp.ones((self.n,), dtype=F_list[0].dtype, device=device(F_list[0]))

    def parts(self, U_list):
        """Objective f, row sums w_b = Z_b 1 and the pieces the gradient needs."""
        xp = self.xp
        f = 0.0
        cache = []
        w_total = xp.zeros_like(self.one)
        for F, d, U in zip(self.F, self.d, U_list):
            G = F.T @ U                      # q x r
            s = xp.sum(U, axis=0)            # U'1, length r
            w = U @ s                        # Z 1
            f = f + xp.sum(d * w) - xp.sum(G * G)
            w_total = w_total + w
            cache.append((G, s))
        return f, w_total - self.one, cache

    def value(self, U_list, y, beta):
        xp = self.xp
        f, c, _ = self.parts(U_list)
        return float(f + xp.sum(y * c) + 0.5 * beta * xp.sum(c * c))

    def value_and_grad(self, U_list, y, beta):
        xp = self.xp
        f, c, cache = self.parts(U_list)
        yt = y + beta * c
        L = float(f + xp.sum(y * c) + 0.5 * beta * xp.sum(c * c))
        grads = []
        for F, d, U, (G, s) in zip(self.F, self.d, U_list, cache):
            g = (d + yt)[:, None]
            grads.append(g * s[None, :] + ((d + yt) @ U)[None, :] - 2.0 * (F @ G))
        return L, grads, c


def solve_burer_monteiro(F_list, d_list, traces, U0_list, *, y0=None, beta=None, tol=1e-5,
                         feas_tol=1e-4, max_iter=20000, max_inner=500, verbose=False):
    """Non-negative low-rank (Burer-Monteiro) solver of the block SDP.

    Minimises ``-sum_b [<F_b F_b', U_b U_b'> - d_b' U_b U_b' 1]`` over ``U_b >= 0`` with
    ``||U_b||_F^2 = t_b``, subject to ``sum_b U_b U_b' 1 = 1``, by the augmented Lagrangian
    method: accelerated projected gradient (Nesterov momentum with function restarts and a
    backtracking step) on the primal, dual ascent ``y += beta c`` between inner solves,
    and ``beta`` doubled when the constraint violation stalls. Each gradient costs
    ``O(n q r)`` per block: ``F_b F_b' U_b`` is computed as ``F_b (F_b' U_b)``.

    All arrays must come from one array-API namespace (NumPy, CuPy, ...); the loop runs
    there.

    Parameters
    ----------
    F_list : list of arrays of shape (n, q)
    d_list : list of arrays of shape (n,)
    traces : sequence of float
    U0_list : list of arrays of shape (n, r)
        Starting factors (projected onto the feasible set first).
    y0 : array of shape (n,), optional
        Starting multipliers (zeros by default).
    beta : float, optional
        Starting penalty; default ``n / 10`` on the problem's internal scale.
    tol : float
        Stop when a whole inner solve moves ``U`` by less than ``tol`` (relative) and
        the constraint holds to ``feas_tol``.
    feas_tol : float
        Largest allowed ``|sum_b Z_b 1 - 1|``.
    max_iter : int
        Cap on the total number of gradient steps.
    max_inner : int
        Cap on gradient steps between two dual updates.
    verbose : bool

    Returns
    -------
    U_list : list of arrays
    info : dict
        ``status`` ("converged" or "max_iter"), ``iterations``, ``outer_iterations``,
        ``primal_infeasibility``, ``objective`` (of the maximisation), ``solve_time`` and
        ``dual`` (the multipliers ``y``, for a warm start).
    """
    xp = get_namespace(F_list[0])
    start = time.perf_counter()
    n = F_list[0].shape[0]
    # Internal scale: costs per point of order one.
    scale = max(float(xp.mean(xp.sum(F * F, axis=1))) for F in F_list)
    scale = max(scale, max(float(xp.max(xp.abs(d))) for d in d_list), 1e-12)
    root = math.sqrt(scale)
    F_s = [F / root for F in F_list]
    d_s = [d / scale for d in d_list]
    prob = _BlockProblem(F_s, d_s, traces, xp)
    U = [_project(U0, t, xp) for U0, t in zip(U0_list, traces)]
    y = (xp.zeros((n,), dtype=F_list[0].dtype, device=device(F_list[0])) if y0 is None
         else y0 / scale)
    beta = float(n) / 10.0 if beta is None else float(beta)
    step = 1.0 / (beta * n + 1.0)
    total = 0
    outer = 0
    status = "max_iter"
    pg_ref = None
    _, _, c = prob.value_and_grad(U, y, beta)
    viol = float(xp.max(xp.abs(c)))
    while total < max_iter:
        outer += 1
        # ---- inner: accelerated projected gradient on L(., y, beta)
        U_start = U
        Yp = U
        U_prev = U
        L_prev = math.inf
        theta = 1.0
        inner_converged = False
        pg_first = None
        for _ in range(max_inner):
            total += 1
            L_y, G_y, _ = prob.value_and_grad(Yp, y, beta)
            while True:
                V = [_project(Yb - step * Gb, t, xp) for Yb, Gb, t in zip(Yp, G_y, traces)]
                diff = [Vb - Yb for Vb, Yb in zip(V, Yp)]
                lin = sum(float(xp.sum(Gb * Db)) for Gb, Db in zip(G_y, diff))
                sq = sum(float(xp.sum(Db * Db)) for Db in diff)
                L_v = prob.value(V, y, beta)
                if L_v <= L_y + lin + sq / (2.0 * step) + 1e-12 * abs(L_y) or step < 1e-16:
                    break
                step *= 0.5
            if L_v > L_prev:  # function restart: drop the momentum
                theta = 1.0
                Yp = U_prev
                continue
            move = math.sqrt(sum(float(xp.sum((Vb - Ub) ** 2)) for Vb, Ub in zip(V, U_prev)))
            # Projected-gradient norm of the step: unlike the move, it does not shrink
            # with the step size (a large penalty forces small steps, and a small move
            # then says nothing about the subproblem being solved).
            pg = math.sqrt(sq) / step
            pg_first = pg if pg_first is None else pg_first
            pg_ref = pg if pg_ref is None else pg_ref
            theta_next = (1.0 + math.sqrt(1.0 + 4.0 * theta * theta)) / 2.0
            mom = (theta - 1.0) / theta_next
            Yp = [Vb + mom * (Vb - Ub) for Vb, Ub in zip(V, U_prev)]
            theta = theta_next
            U_prev, L_prev = V, L_v
            step *= 1.25
            if move <= tol * math.sqrt(sum(t for t in traces)) and (
                    pg <= _PG_DROP * pg_first or pg <= _PG_FLOOR * pg_ref):
                inner_converged = True
                break
            if total >= max_iter:
                break
        U = U_prev
        _, _, c = prob.value_and_grad(U, y, beta)
        new_viol = float(xp.max(xp.abs(c)))
        shift = math.sqrt(sum(float(xp.sum((a - b) ** 2)) for a, b in zip(U, U_start)))
        if verbose:
            logger.info("low-rank solver, outer %d: steps %d, violation %.2e, beta %.3g, "
                        "shift %.2e", outer, total, new_viol, beta, shift)
        if new_viol <= feas_tol and inner_converged and shift <= 10 * tol * math.sqrt(
                sum(traces)):
            status = "converged"
            viol = new_viol
            break
        y = y + beta * c
        if new_viol > 0.5 * viol and new_viol > feas_tol:
            beta *= 2.0
        viol = new_viol
    f, c, _ = prob.parts(U)
    info = dict(
        solver="bm",
        status=status,
        iterations=total,
        outer_iterations=outer,
        primal_infeasibility=float(xp.max(xp.abs(c))),
        objective=-float(f) * scale,
        solve_time=time.perf_counter() - start,
        dual=y * scale,
    )
    if status != "converged":
        warn(f"the low-rank (bm) solver stopped at max_iter={max_iter} gradient steps "
             f"(constraint violation {info['primal_infeasibility']:.2e}); raise "
             "solver_options['max_iter'] or loosen 'tol'", ConvergenceWarning)
    return U, info
