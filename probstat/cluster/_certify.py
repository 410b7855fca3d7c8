"""Optimality certificates for solutions of the block SDP (a dual bound built at the point).

The block SDP of :mod:`probstat.cluster._solvers` (maximisation form)::

    maximise    sum_b <C_b, Z_b>
    subject to  Z_b PSD,  Z_b >= 0 entrywise,  tr Z_b = t_b,  sum_b Z_b 1 = 1

has the Lagrangian dual::

    minimise    sum_b t_b lambda_b + 1'y
    subject to  S_b = lambda_b I + (y 1' + 1 y') / 2 - C_b - N_b  PSD,  N_b >= 0.

Weak duality: for any feasible ``Z``, any ``y`` and any symmetric ``N_b >= 0``,
``sum_b <C_b, Z_b> <= D(y, N) = 1'y + sum_b t_b lambda_max(C_b - (y 1' + 1 y')/2 + N_b)``
(take ``lambda_b`` as that largest eigenvalue, so that ``S_b`` is PSD). Every ``(y, N)``
therefore gives an upper bound on the SDP optimum, and ``D - <C, Z>`` bounds how far the
point ``Z`` is from optimal. The bound is always evaluated with a dense LAPACK eigenvalue
(accurate to rounding) or, at a Lanczos estimate, a Cholesky test with its rounding error
bound added (:func:`lambda_max_upper`), so its validity never depends on how the
multipliers were found.

The multipliers ``y`` of the row-sum constraint come from the solver. The entrywise
multipliers are built in closed form from complementary slackness (:func:`slack_multipliers`):
the support of ``Z_b`` splits into groups (connected components), each with a non-negative
factor ``w`` (``Z_b = sum_A w_A w_A'``); ``N_b`` is zero on the support and, between two
groups ``A`` and ``B``, the rank-one non-negative matrix that cancels the cross terms,
``N_b[A, B] w_B = -(M_b w_B)[A]`` and ``N_b[B, A] w_A = -(M_b w_A)[B]`` with
``M_b = C_b - (y 1' + 1 y')/2`` (the two conditions are consistent because ``M_b`` is
symmetric). At the solution of a well-separated problem this is the known dual of the
K-means SDP (the rank-one blocks of Awasthi et al. 2015) and the bound is tight. When it is
not tight enough, an optional refinement improves ``(y, N)`` by L-BFGS-B on a smoothed
``lambda_max`` (a few hundred steps at most, warm-started from the closed form, stopped as
soon as the gap is below the tolerance; :func:`_refine`).

With several blocks (the LA-SDP, one block per cluster, each with its own metric) the
group-to-group closed form is weak: on the rows outside block ``b``'s cluster it leaves a
large eigenvalue. There the certificate takes each row's ``y`` from the stationarity of
its own cluster's block (exact up to one shift per block, :func:`home_multipliers`) and
cancels every negative entry of ``M_b`` outside the support (:func:`cancel_multipliers`):
on separated clusters, where ``M_b`` is non-positive between a cluster and the other
rows, this is complementary to the point, and it matched the exact dual (Clarabel) at 60
points whatever the shifts; the shifts are then searched (:func:`blocks_bound`).
On overlapping clusters some rows carry mass in several blocks, and ``y`` taken from one
block is not stationary in the others (least squares over all of a row's blocks was
tried and did no better); there, up to ``REFINE_MAX_N`` points, the smoothed dual
refines ``(y, N)`` from the per-block one, with the smoothing decreased in stages
(a single small smoothing stalls: L-BFGS-B on an ill-conditioned objective).
"""

from __future__ import annotations

import math
import time

import numpy as np

from ..utils._numerics import limit_blas_threads

#: Relative duality gap below which a solution is certified optimal (default). Must be
#: above the accuracy of the solver that produced the point (see the estimators' docs).
DEFAULT_CERTIFY_TOL = 1e-3
#: The certificate needs dense n x n matrices and one dense eigenvalue per block (about
#: 0.1 s per block at n = 1000, 0.8 s at n = 2000); above this many points it is skipped.
CERTIFY_MAX_N = 2000
#: The L-BFGS-B refinement needs a full eigendecomposition per block and step; it runs
#: only up to this many points.
REFINE_MAX_N = 100
#: L-BFGS-B steps on the dual (at most), shared by the smoothing stages (relative size of
#: the smoothing of ``lambda_max``, tenfold smaller at each stage).
DEFAULT_REFINE_STEPS = 300
_REFINE_STAGES = (3e-3, 3e-4, 3e-5)
#: L-BFGS-B steps of the complementary-slackness fit (at most); it runs up to
#: ``SLACK_MAX_N`` points (its variables are the n x n multipliers).
DEFAULT_SLACK_STEPS = 200
SLACK_MAX_N = 200
#: Evaluations of the scalar search over the stationarity shift (one block); the search
#: runs up to ``SHIFT_MAX_N`` points (above, its Lanczos steps cost more than the solve).
_SHIFT_EVALS = 25
SHIFT_MAX_N = 1000
#: Evaluations of the search over the per-block shifts of the several-block dual (8 from
#: 500 to ``SHIFT_MAX_N`` points, ``_BLOCK_SHIFT_EVALS_LARGE`` above: each costs K
#: Lanczos eigenvalues of n x n matrices).
_BLOCK_SHIFT_EVALS = 24
_BLOCK_SHIFT_EVALS_LARGE = 3


class _Done(Exception):
    """Stops the optimiser once the bound certifies the point."""


def lambda_max(A):
    """Largest eigenvalue of the symmetric ``A`` (dense LAPACK, accurate to rounding)."""
    from scipy.linalg import eigvalsh

    n = A.shape[0]
    return float(eigvalsh(A, subset_by_index=[n - 1, n - 1], check_finite=False)[0])


def lambda_max_upper(A, estimate=None):
    """A rigorous upper bound on ``lambda_max(A)`` from a Cholesky factorisation.

    With ``mu`` just above an estimate of the top eigenvalue (Lanczos), the Cholesky
    factorisation of ``mu I - A`` runs to completion only if that matrix is (nearly)
    positive semi-definite; its backward error (the computed ``R`` satisfies
    ``R'R = mu I - A + E`` with ``|E| <= gamma_{n+1} |R'| |R|``, Higham 2002, chapter 10)
    then gives ``lambda_max(A) <= mu + gamma_{n+1} ||R||_F^2``. A Cholesky factorisation
    costs about a quarter of the dense eigenvalue's tridiagonalisation, and far less in
    time (it is all matrix-matrix products). When it fails (the estimate was low), or
    without an estimate, or below 200 rows, the dense eigenvalue is returned.
    """
    n = A.shape[0]
    if estimate is None or n < 200:
        return lambda_max(A)
    from scipy.linalg import LinAlgError, cholesky

    size = max(abs(float(estimate)), float(np.max(np.abs(np.diag(A)))), 1e-300)
    mu = float(estimate) + 1e-7 * size
    B = -A
    B[np.diag_indices(n)] += mu
    try:
        R = cholesky(B, lower=False, overwrite_a=True, check_finite=False)
    except LinAlgError:
        return lambda_max(A)
    eps = np.finfo(float).eps
    gamma = (n + 1) * eps / (1.0 - (n + 1) * eps)
    # ||R||_F^2 as computed is within a factor (1 + n eps) of the exact one.
    return mu + gamma * float(np.sum(R * R)) * (1.0 + 2.0 * n * eps)


def _groups(Z, rel=1e-3):
    """Connected components of the support of ``Z`` (rows with mass) and their factors."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    top = max(float(np.max(Z)), 1e-300)
    support = Z > rel * top
    active = np.flatnonzero(np.diag(support))
    if active.size == 0:
        return []
    sub = support[np.ix_(active, active)]
    k, comp = connected_components(csr_matrix(sub), directed=False)
    groups = []
    for c in range(k):
        idx = active[comp == c]
        block = Z[np.ix_(idx, idx)]
        if idx.size > 200:  # the top eigenpair only (Lanczos; the block has low rank)
            from scipy.sparse.linalg import eigsh

            w, V = eigsh(block, k=1, which="LA", tol=1e-12, v0=_lanczos_start(idx.size))
        else:
            w, V = np.linalg.eigh(block)
        v = np.abs(V[:, -1]) * math.sqrt(max(float(w[-1]), 0.0))  # Perron vector
        groups.append((idx, v))
    return groups


def slack_multipliers(M, Z, groups=None):
    """Closed-form entrywise multipliers ``N >= 0`` for the block with ``M``, at ``Z``.

    Zero on the support of ``Z``; rank-one non-negative blocks between the support's
    groups, and between each group and the rows without mass, chosen so that the group
    factors are eigenvectors-to-be of ``M + N`` (complementary slackness). ``groups``:
    those of :func:`_groups` at ``Z``, when already computed.
    """
    n = M.shape[0]
    N = np.zeros((n, n))
    groups = _groups(Z) if groups is None else groups
    if not groups:
        return N
    covered = np.zeros(n, dtype=bool)
    for idx, _ in groups:
        covered[idx] = True
    rest = np.flatnonzero(~covered)
    # g[:, a] = -(M w_a) clipped at zero: what N w_a must supply outside group a.
    for a, (ia, wa) in enumerate(groups):
        for ib, wb in groups[a + 1:]:
            gab = np.maximum(-(M[np.ix_(ia, ib)] @ wb), 0.0)  # rows of a
            gba = np.maximum(-(M[np.ix_(ib, ia)] @ wa), 0.0)  # rows of b
            s1, s2 = float(gba @ wb), float(gab @ wa)
            s = 0.5 * (s1 + s2)
            # Equal when no entry was clipped; far apart, the rank-one block would be
            # meaningless (and can be huge): leave it at zero.
            if s > 0 and min(s1, s2) >= 0.5 * max(s1, s2):
                block = np.outer(gab, gba) / s
                N[np.ix_(ia, ib)] = block
                N[np.ix_(ib, ia)] = block.T
        if rest.size:
            gra = np.maximum(-(M[np.ix_(rest, ia)] @ wa), 0.0)
            block = np.outer(gra, wa) / float(wa @ wa)
            N[np.ix_(rest, ia)] = block
            N[np.ix_(ia, rest)] = block.T
    _cancel_between_empty_rows(N, M, ~covered)
    return N


def stationary_multipliers(C_list, U_list, rel=1e-3):
    """Row-sum multipliers ``y`` from first-order stationarity at the factors.

    On every positive entry of a factor, the low-rank KKT conditions read
    ``((C_b - (y 1' + 1 y')/2) U_b)_ik = lambda_b U_b[i, k]``, linear in ``(y, lambda)``;
    this is their least-squares solution (a solver's own multipliers can be off by a
    direction the bound is sensitive to, e.g. when the trace is enforced by projection).
    """
    n = U_list[0].shape[0]
    K = len(U_list)
    rows, rhs = [], []
    for b, (C, U) in enumerate(zip(C_list, U_list)):
        CU = C @ U
        s = U.sum(axis=0)
        top = max(float(np.max(U)), 1e-300)
        for k in range(U.shape[1]):
            idx = np.flatnonzero(U[:, k] > rel * top)
            if idx.size == 0:
                continue
            A = np.zeros((idx.size, n + K))
            A[:, :n] = 0.5 * U[:, k][None, :]
            A[np.arange(idx.size), idx] += 0.5 * s[k]
            A[:, n + b] = U[idx, k]
            rows.append(A)
            rhs.append(CU[idx, k])
    if not rows:
        return None
    sol = np.linalg.lstsq(np.vstack(rows), np.concatenate(rhs), rcond=None)[0]
    return sol[:n]


def fit_slack_multipliers(M, U, t, max_steps=DEFAULT_SLACK_STEPS):
    """Entrywise multipliers fitted to complementary slackness at the factor ``U``.

    With ``lambda = <M, Z> / t`` (``Z = U U'``), the optimal multipliers satisfy
    ``(M + N) U = lambda U`` with ``N >= 0`` zero on the support of ``Z``. This solves
    ``min ||N U - (lambda U - M U)||^2`` over such ``N`` (a non-negative least-squares
    problem, ``O(n^2 r)`` per L-BFGS-B step, no eigendecomposition), from ``N = 0``.
    """
    from scipy.optimize import minimize

    n = M.shape[0]
    Z = U @ U.T
    free = Z <= 1e-3 * max(float(np.max(Z)), 1e-300)
    G = (float(np.sum(M * Z)) / float(t)) * U - M @ U

    def objective(x):
        N = np.where(free, x.reshape(n, n), 0.0)
        N = (N + N.T) / 2.0
        R = N @ U - G
        g = R @ U.T
        g = np.where(free, (g + g.T) / 2.0, 0.0)
        return 0.5 * float(np.sum(R * R)), g.ravel()

    res = minimize(objective, np.zeros(n * n), jac=True, method="L-BFGS-B",
                   bounds=[(0.0, None)] * (n * n),
                   options=dict(maxiter=int(max_steps), maxfun=int(max_steps), maxcor=10,
                                ftol=1e-15, gtol=1e-12))
    N = np.where(free, res.x.reshape(n, n), 0.0)
    N = (N + N.T) / 2.0
    _cancel_between_empty_rows(N, M, np.diag(Z) <= 1e-3 * max(float(np.max(Z)), 1e-300))
    return N, int(res.nfev)


def _cancel_between_empty_rows(N, M, empty):
    """Between rows without mass (``N U`` does not see them) cancel ``M``'s negative entries."""
    idx = np.flatnonzero(empty)
    if idx.size > 1:
        block = np.maximum(-M[np.ix_(idx, idx)], 0.0)
        np.fill_diagonal(block, 0.0)
        N[np.ix_(idx, idx)] = block


def group_multipliers(C, Z, y0, lam, groups=None):
    """Row-sum multipliers that make the point's groups stationary for the eigenvalue ``lam``.

    For one block with groups ``A`` (factors ``w_A``, :func:`_groups`), stationarity
    ``(M w_A)[A] = lam w_A`` with ``M = C - (y 1' + 1 y')/2`` has, for a given ``lam``,
    the unique solution ``y_i = (2 (C w_A)_i - 2 lam w_{A,i} - mu_A) / s_A`` on ``A``, with
    ``s_A = 1'w_A`` and ``mu_A = (w_A' C w_A - lam |w_A|^2) / s_A``. The one free
    parameter is ``lam`` (shifting it moves ``y`` by ``1_A / s_A^2``-weighted amounts and
    leaves the dual objective at the point unchanged); rows outside every group keep
    ``y0``. Returns ``None`` when ``Z`` has no group.
    """
    groups = _groups(Z) if groups is None else groups
    if not groups:
        return None
    y = np.array(y0, dtype=float, copy=True)
    for idx, w in groups:
        sw = float(w.sum())
        if not sw > 0:
            return None
        Cw = C[np.ix_(idx, idx)] @ w
        mu = (float(w @ Cw) - lam * float(w @ w)) / sw
        y[idx] = (2.0 * Cw - 2.0 * lam * w - mu) / sw
    return y


def _lanczos_start(n):
    """A fixed Lanczos start: ARPACK's own random start depends on its earlier calls in
    the process, which would make the certificate (and a re-solve it triggers) vary."""
    return np.random.default_rng(0).standard_normal(n)


def _lambda_max_estimate(A, v0=None):
    """Largest eigenvalue by Lanczos (an estimate used only to steer a search)."""
    n = A.shape[0]
    if n < 50:
        return lambda_max(A), None
    from scipy.sparse.linalg import ArpackNoConvergence, eigsh

    try:
        w, V = eigsh(A, k=1, which="LA", tol=1e-8,
                     v0=_lanczos_start(n) if v0 is None else v0)
    except ArpackNoConvergence:
        return lambda_max(A), None
    return float(w[0]), V[:, 0]


def shifted_bound(C, t, Z, y0, *, target=-math.inf, evals=_SHIFT_EVALS):
    """The closed-form bound of one block, with the stationarity shift chosen by search.

    ``y`` from :func:`group_multipliers` is optimal up to one parameter (the eigenvalue
    ``lam`` the groups are stationary for); a bounded scalar search over ``lam`` (Lanczos
    eigenvalues) picks it, and the bound at the chosen ``lam`` is evaluated with a dense
    eigenvalue. The search stops early once its estimate is below ``target`` (the bound
    that would certify the point). Returns ``(bound, y, N)`` or ``None`` (no groups).
    """
    from scipy.optimize import minimize_scalar

    groups = _groups(Z)
    if not groups:
        return None
    lam0 = float(np.sum(C * Z)) / float(t)
    width = 4.0 * max(abs(lam0), float(np.max(np.abs(np.diag(C)))) * Z.shape[0] / t, 1.0)
    state = {"v": None}

    def value(lam):
        y = group_multipliers(C, Z, y0, lam, groups)
        M = C - (y[:, None] + y[None, :]) / 2.0
        top, state["v"] = _lambda_max_estimate(M + slack_multipliers(M, Z, groups),
                                                  state["v"])
        found = float(np.sum(y)) + float(t) * top
        if found < state.get("best", (math.inf,))[0]:
            state["best"] = (found, float(lam))
        if found <= target:
            raise _Done
        return found

    try:
        value(lam0)
        minimize_scalar(value, bounds=(lam0 - width, lam0 + width), method="bounded",
                        options=dict(maxiter=int(evals), xatol=1e-6 * width))
    except _Done:
        pass
    lam = state["best"][1]
    y = group_multipliers(C, Z, y0, lam, groups)
    M = C - (y[:, None] + y[None, :]) / 2.0
    N = slack_multipliers(M, Z, groups)
    return dual_bound([C], [t], y, [N]), y, N


def cancel_multipliers(M, Z, rel=1e-3):
    """Entrywise multipliers that cancel every negative entry of ``M`` off the support of ``Z``.

    ``N = max(-M, 0)`` outside the support (and the diagonal), zero on it, so that
    ``N o Z = 0``. For a block whose point has one group (a cluster of the LA-SDP) and
    rows outside it, this keeps ``(M + N) w`` zero on those rows wherever ``M w`` is
    non-positive there, and leaves no negative entry for the outside rows to mix in.
    """
    N = np.maximum(-M, 0.0)
    N[Z > rel * max(float(np.max(Z)), 1e-300)] = 0.0
    np.fill_diagonal(N, 0.0)
    return N


def home_multipliers(C_list, Z_list, y0, shifts, groups_list=None):
    """Row-sum multipliers from each row's own block: stationarity of its group there.

    Every row takes ``y`` from the group (:func:`_groups`) of the block where it has the
    most mass, by :func:`group_multipliers` at the eigenvalue ``-w'C w / w'w + shifts[b]``
    (``shifts = 0``: the groups' ``y`` are ``2 C w / (1'w)`` up to a constant, and that
    constant is what ``shifts`` moves). Rows in no group keep ``y0``.
    """
    y = np.array(y0, dtype=float, copy=True)
    diag = np.array([np.diag(Z) for Z in Z_list])
    home = np.argmax(diag, axis=0)
    if groups_list is None:
        groups_list = [_groups(Z) for Z in Z_list]
    for b, (C, Z, groups) in enumerate(zip(C_list, Z_list, groups_list)):
        for idx, w in groups:
            mine = idx[home[idx] == b]
            if mine.size == 0:
                continue
            lam = -float(w @ C[np.ix_(idx, idx)] @ w) / max(float(w @ w), 1e-300)
            yb = group_multipliers(C, Z, y0, lam + float(shifts[b]), [(idx, w)])
            if yb is None:
                continue
            y[mine] = yb[mine]
    return y


def blocks_bound(C_list, traces, Z_list, y0, *, target=-math.inf,
                 evals=_BLOCK_SHIFT_EVALS, want_N=True):
    """The dual of the several-block SDP built from each row's own block, shifts searched.

    ``y`` from :func:`home_multipliers` (zero shifts), entrywise multipliers from
    :func:`cancel_multipliers`; when that does not reach ``target`` (the bound that
    certifies the point), the solver's ``y0`` is tried with the same multipliers, then a
    Nelder-Mead search over the per-block shifts (``evals`` evaluations, Lanczos
    eigenvalues warm-started from the last eigenvectors) picks the shifts. The bound at
    the best ``y`` is made rigorous by :func:`lambda_max_upper` (a Cholesky test at the
    Lanczos value). Returns ``(bound, y, N_list)`` (``N_list`` None unless ``want_N``:
    forming it costs one more pass over the n x n matrices).
    """
    from scipy.optimize import minimize

    K = len(C_list)
    groups_list = [_groups(Z) for Z in Z_list]

    # Off the support (and the diagonal) M + N is M with its negative entries zeroed:
    # built in one pass, without N.
    off = []
    for Z in Z_list:
        mask = Z <= 1e-3 * max(float(np.max(Z)), 1e-300)
        np.fill_diagonal(mask, False)
        off.append(mask)

    def evaluate(y, v0=(None,) * K):  # Lanczos estimates; the matrices are kept
        A_list, tops, vs = [], [], []
        for C, mask, v in zip(C_list, off, v0):
            A = C - (y[:, None] + y[None, :]) / 2.0
            np.putmask(A, mask & (A < 0.0), 0.0)
            top, v = _lambda_max_estimate(A, v)
            A_list.append(A)
            tops.append(top)
            vs.append(v)
        value = float(np.sum(y)) + sum(float(t) * top for t, top in zip(traces, tops))
        return value, y, A_list, tops, vs

    def finish(found, y, A_list, tops, vs):
        bound = float(np.sum(y)) + sum(float(t) * lambda_max_upper(A, top)
                                       for t, A, top in zip(traces, A_list, tops))
        N_list = None
        if want_N:
            N_list = [cancel_multipliers(C - (y[:, None] + y[None, :]) / 2.0, Z)
                      for C, Z in zip(C_list, Z_list)]
        return bound, y, N_list

    best = evaluate(home_multipliers(C_list, Z_list, y0, np.zeros(K), groups_list))
    if best[0] <= target:
        return finish(*best)
    solver = evaluate(np.asarray(y0, dtype=float))
    if solver[0] < best[0]:
        best = solver
    if best[0] <= target or evals <= 0:
        return finish(*best)
    # The shifts move y by about shift / (group size) on each group: scale them by the
    # size of the groups' eigenvalues.
    scale = np.array([max((abs(float(w @ C[np.ix_(idx, idx)] @ w)) / max(float(w @ w),
                                                                             1e-300)
                           for idx, w in groups), default=1.0)
                      for C, groups in zip(C_list, groups_list)])
    state = {"v": best[4]}

    def value(x):
        nonlocal best
        found = evaluate(home_multipliers(C_list, Z_list, y0, x * scale, groups_list),
                         state["v"])
        state["v"] = found[4]
        if found[0] < best[0]:
            best = found
        if found[0] <= target:
            raise _Done
        return found[0]

    x0 = np.zeros(K)
    simplex = np.vstack([x0] + [x0 - 0.5 * np.eye(K)[k] for k in range(K)])
    try:
        minimize(value, x0, method="Nelder-Mead",
                 options=dict(maxfev=int(evals), initial_simplex=simplex, xatol=1e-4,
                              fatol=0.0))
    except _Done:
        pass
    return finish(*best)


def dual_bound(C_list, traces, y, N_list, estimates=None):
    """``1'y + sum_b t_b lambda_max(C_b - (y 1' + 1 y')/2 + N_b)``: an upper bound.

    Each ``lambda_max`` is a rigorous upper bound: the dense eigenvalue, or, given
    ``estimates`` of the top eigenvalues, :func:`lambda_max_upper` (a Cholesky test).
    """
    bound = float(np.sum(y))
    estimates = [None] * len(C_list) if estimates is None else estimates
    for C, t, N, top in zip(C_list, traces, N_list, estimates):
        A = C - (y[:, None] + y[None, :]) / 2.0
        if N is not None:
            A = A + N
        bound += float(t) * lambda_max_upper(A, top)
    return bound


def certify(C_list, traces, Z_list, y0, *, U_list=None, N0_list=None,
            tol=DEFAULT_CERTIFY_TOL, max_steps=DEFAULT_REFINE_STEPS, infeasibility=0.0,
            feas_tol=1e-4):
    """Duality-gap certificate of a point ``Z`` of the block SDP.

    The dual is built in stages, each tried only when the previous one did not certify
    the point, and the smallest bound found is reported: (1) the closed-form
    complementary-slackness multipliers (one dense top eigenvalue per block; with several
    blocks, :func:`blocks_bound` first, and the group-to-group form only up to
    ``REFINE_MAX_N`` points); for one block, its stationarity shift searched
    (:func:`shifted_bound`, up to ``SHIFT_MAX_N`` points); (2) the
    solver's own entrywise multipliers, when given (a conic solver's dual); (3) a
    non-negative least-squares fit of the multipliers to complementary slackness at the
    factors ``U_list`` (up to ``SLACK_MAX_N`` points); (4) L-BFGS-B on a smoothed dual
    over ``(y, N)``, the smoothing decreased in stages (up to ``REFINE_MAX_N`` points and
    ``max_steps`` steps; with several blocks it starts from the per-block dual). Stage (4)
    is what certifies overlapping clusters, where rows carry mass in several blocks and
    no closed form is stationary in all of them.

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
    U_list : list of ndarray of shape (n, r), optional
        Non-negative factors ``Z_b = U_b U_b'`` (low-rank solves).
    N0_list : list of ndarray, optional
        Entrywise multipliers from the solver (a conic solver's dual).
    tol : float
        Certified when ``(bound - objective) / max(1, |objective|) <= tol``.
    max_steps : int
        Cap on the L-BFGS-B steps of stage (4) (0: skip it).
    infeasibility, feas_tol : float
        The point's largest row-sum violation and the most allowed: a point outside the
        feasible set is never certified (its objective can exceed the optimum).

    Returns
    -------
    dict
        ``objective`` (``sum_b <C_b, Z_b>``), ``bound`` (an upper bound on the SDP
        optimum), ``gap`` (the relative gap ``(bound - objective) / max(1, |objective|)``;
        slightly negative when ``Z`` violates the constraints a little), ``certified``,
        ``tol``, ``stage`` (the stage that gave the bound), ``steps`` (optimiser steps)
        and ``time``.
    """
    start = time.perf_counter()
    n = C_list[0].shape[0]
    P = float(sum(np.sum(C * Z) for C, Z in zip(C_list, Z_list)))
    scale = max(1.0, abs(P))
    candidates_y = [np.asarray(y0, dtype=float)]
    if U_list is not None and n <= (SLACK_MAX_N if len(C_list) == 1 else REFINE_MAX_N):
        y_kkt = stationary_multipliers(C_list, U_list)
        if y_kkt is not None:
            candidates_y.append(y_kkt)
    best = None
    if len(C_list) > 1:
        # Several blocks (the LA-SDP): y from each row's own block, the negative entries
        # outside each block's support cancelled, the per-block shifts searched. The
        # group-to-group closed form below is tried only where later stages refine it.
        # The search stops at 0.99 tol: its Lanczos values are accurate to ~1e-8 and the
        # reported bound is made rigorous at the end (1e-7 relative margin).
        evals = (_BLOCK_SHIFT_EVALS if n <= 500 else 8 if n <= SHIFT_MAX_N
                 else _BLOCK_SHIFT_EVALS_LARGE)
        value, y_b, N_b = blocks_bound(C_list, traces, Z_list, y0,
                                       target=P + 0.99 * tol * scale, evals=evals,
                                       want_N=n <= REFINE_MAX_N)
        M_b = None  # needed only by the later stages (up to REFINE_MAX_N points)
        if n <= REFINE_MAX_N:
            M_b = [C - (y_b[:, None] + y_b[None, :]) / 2.0 for C in C_list]
        best = (value, "closed form, per block", y_b, M_b, N_b)
        if (value - P) / scale <= tol or n > REFINE_MAX_N:
            candidates_y = []
    for y in candidates_y:
        M_list = [C - (y[:, None] + y[None, :]) / 2.0 for C in C_list]
        N_list = [slack_multipliers(M, Z) for M, Z in zip(M_list, Z_list)]
        value = dual_bound(C_list, traces, y, N_list)
        if best is None or value < best[0]:
            best = (value, "closed form", y, M_list, N_list)
    bound, stage, y, M_list, N_list = best
    steps = 0

    def done():
        return (bound - P) / scale <= tol

    if not done() and len(C_list) == 1 and n <= SHIFT_MAX_N:
        # Aim a little below the certifying bound: the search's Lanczos values are
        # estimates, the reported bound is the dense eigenvalue at the chosen shift.
        shifted = shifted_bound(C_list[0], traces[0], Z_list[0], y,
                                target=P + 0.5 * tol * scale)
        # The later stages still start from the unshifted multipliers (they refine the
        # closed form's full structure better from there); the smallest bound is kept.
        if shifted is not None and shifted[0] < bound:
            bound, stage = shifted[0], "closed form, shifted"

    if not done() and N0_list is not None:
        N_solver = [np.maximum((N + N.T) / 2.0, 0.0) for N in N0_list]
        y = np.asarray(y0, dtype=float)
        value = dual_bound(C_list, traces, y, N_solver)
        if value < bound:
            bound, stage, N_list = value, "solver multipliers", N_solver
    # Several blocks: the fit has never improved on the per-block stage above
    # ``REFINE_MAX_N`` points, and it costs seconds there; it runs only below.
    slack_max = SLACK_MAX_N if len(C_list) == 1 else REFINE_MAX_N
    if not done() and U_list is not None and n <= slack_max:
        fitted = []
        for M, U, t in zip(M_list, U_list, traces):
            N_fit, evals = fit_slack_multipliers(M, U, t)
            fitted.append(N_fit)
            steps += evals
        value = dual_bound(C_list, traces, y, fitted)
        if value < bound:
            bound, stage, N_list = value, "slackness fit", fitted
    if not done() and max_steps > 0 and n <= REFINE_MAX_N:
        if len(C_list) > 1:  # the per-block dual is the better start (overlapping clusters)
            y, N_list = y_b, N_b
        value, evals = _refine(C_list, traces, y, N_list, P, scale, tol, max_steps)
        steps += evals
        if value < bound:
            bound, stage = value, "smoothed dual"
    gap = (bound - P) / scale
    certified = bool(gap <= tol and infeasibility <= feas_tol)
    return dict(objective=P, bound=float(bound), gap=float(gap), certified=certified,
                tol=float(tol), stage=stage, steps=int(steps),
                time=time.perf_counter() - start)


def _refine(C_list, traces, y0, N_list, P, scale, tol, max_steps):
    """L-BFGS-B on the smoothed dual from ``(y0, N)``, by continuation; the best exact bound.

    ``lambda_max`` is smoothed by ``mu log sum exp(eigenvalues / mu)`` (bias at most
    ``mu log n``); a single small ``mu`` makes the problem ill-conditioned and L-BFGS-B
    stalls far from the optimum, so ``mu`` goes down by tenfold stages
    (``_REFINE_STAGES`` times ``|objective|``), each warm-started from the last with
    ``max_steps / stages`` steps. The variables are ``y`` and the strict upper triangles
    of the symmetric ``N_b`` (half the entries of a full parametrisation, whose
    antisymmetric part the dual does not see; measured 1.5-2x fewer steps at 90 points).
    The reported bound is the smallest exact one (the unsmoothed ``lambda_max``) seen at
    any step, so the smoothing never biases it. BLAS runs on one thread: the
    eigendecompositions are small, and threads made the whole refinement 5x slower on
    a 2-core machine.
    """
    from scipy.optimize import minimize

    K = len(C_list)
    n = C_list[0].shape[0]
    t = [float(v) for v in traces]
    iu = np.triu_indices(n, 1)
    m = iu[0].size
    best = {"bound": math.inf, "evals": 0}

    def dual(x, mu):
        y = x[:n]
        grad = np.empty_like(x)
        grad[:n] = 1.0
        smooth = exact = float(np.sum(y))
        N = np.zeros((n, n))
        for b in range(K):
            sl = slice(n + b * m, n + (b + 1) * m)
            N[iu] = x[sl]
            A = C_list[b] - (y[:, None] + y[None, :]) / 2.0 + N + N.T
            w, V = np.linalg.eigh(A)
            top = float(w[-1])
            e = np.exp((w - top) / mu)
            s = float(e.sum())
            exact += t[b] * top
            smooth += t[b] * (top + mu * math.log(s))
            G = (V * (e / s)) @ V.T
            grad[:n] -= t[b] * G.sum(axis=1)
            grad[sl] = 2.0 * t[b] * G[iu]
        best["evals"] += 1
        if exact < best["bound"]:
            best["bound"] = exact
            if (exact - P) / scale <= tol:
                raise _Done
        return smooth, grad

    x = np.concatenate([y0] + [np.maximum((N + N.T) / 2.0, 0.0)[iu] for N in N_list])
    bounds = [(None, None)] * n + [(0.0, None)] * (K * m)
    steps = max(int(max_steps) // len(_REFINE_STAGES), 1)
    with limit_blas_threads(1):
        try:
            for stage in _REFINE_STAGES:
                mu = stage * scale
                res = minimize(dual, x, args=(mu,), jac=True, method="L-BFGS-B",
                               bounds=bounds,
                               options=dict(maxiter=steps, maxfun=steps, ftol=1e-15,
                                            gtol=1e-12, maxcor=20))
                x = res.x
        except _Done:
            pass
    return best["bound"], best["evals"]


def skipped(n, objective, tol=DEFAULT_CERTIFY_TOL, reason=None):
    """The certificate entry of a solve that was not certified (too large, or off)."""
    note = reason or (f"not computed: n_samples={n} > {CERTIFY_MAX_N} (the certificate "
                      "needs dense n x n eigenvalues)")
    return dict(objective=float(objective), bound=math.inf, gap=math.inf, certified=False,
                tol=float(tol), steps=0, time=0.0, note=note)
