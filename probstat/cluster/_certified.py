"""One certified solve of the block SDP: low rank first, a higher rank, then the exact solver.

The low-rank (Burer-Monteiro) factorisation is non-convex, so its answer need not be the
SDP's optimum. Every solve is followed by the duality-gap certificate of
:mod:`._certify`; when the gap exceeds the tolerance the solve is repeated at twice the
rank (warm-started from the first), and when that is not certified either, the exact
conic solver takes over if the problem is small enough. What happened is recorded in the
returned ``info``: ``solver``, ``rank``, ``certificate`` and ``attempts``.
"""

from __future__ import annotations

import numpy as np

from ..backend import move_to
from ._certify import CERTIFY_MAX_N, DEFAULT_CERTIFY_TOL, certify, skipped
from ._common import Memberships, bm_kwargs, cvxpy_kwargs, logger
from ._solvers import solve_burer_monteiro, solve_cvxpy


def costs(F_list, d_list):
    """Dense costs ``C_b = F_b F_b' - (d_b 1' + 1 d_b') / 2`` of the maximisation."""
    return [F @ F.T - (d[:, None] + d[None, :]) / 2.0 for F, d in zip(F_list, d_list)]


def _certificate(F_list, d_list, traces, members, y, info, opts):
    n = F_list[0].shape[0]
    tol = float(opts.get("certify_tol", DEFAULT_CERTIFY_TOL))
    if n > CERTIFY_MAX_N:
        return skipped(n, info["objective"], tol)
    Z_list = [members.dense(b) for b in range(len(F_list))]
    return certify(costs(F_list, d_list), traces, Z_list, y, tol=tol,
                   infeasibility=info["primal_infeasibility"],
                   feas_tol=float(opts.get("feas_tol", 1e-4)))


def _attempt(info, cert, rank=None):
    return dict(solver=info["solver"], rank=rank, status=info["status"], gap=cert["gap"],
                certified=cert["certified"], time=info["solve_time"] + cert["time"])


def solve_exact(F_list, d_list, traces, opts, *, verbose=0):
    """The cvxpy solve with its certificate (the conic solver's multipliers as start)."""
    Z_list, info = solve_cvxpy(costs(F_list, d_list), traces, verbose=bool(verbose),
                               **cvxpy_kwargs(opts))
    members = Memberships(Z=Z_list)
    y = info.pop("dual")
    cert = _certificate(F_list, d_list, traces, members, y, info, opts)
    info.update(certificate=cert, rank=None, attempts=[_attempt(info, cert)])
    return members, info


def solve_low_rank(F_list, d_list, traces, U0_list, opts, *, y0=None, host=None,
                   fallback_max=0, rng=None, verbose=0):
    """The low-rank solve, certified; raise the rank, then fall back, when it is not.

    ``F_list``, ``d_list``, ``U0_list`` and ``y0`` are NumPy arrays; with a ``host``
    round trip in use the iterations run in the caller's namespace and device.
    ``fallback_max``: the exact solver is tried only up to this many points.

    Returns
    -------
    members : Memberships
        NumPy factors (or dense matrices after a fallback).
    info : dict
        The solver's info plus ``certificate``, ``rank``, ``attempts`` (one entry per
        solve: solver, rank, status, relative gap, certified, time), ``dual`` (for a warm
        start) and ``fallback`` (a sentence, when the exact solver took over).
    """
    tol = float(opts.get("certify_tol", DEFAULT_CERTIFY_TOL))
    n = F_list[0].shape[0]
    rank = U0_list[0].shape[1]
    max_rank = int(opts.get("max_rank", 2 * rank))
    rng = np.random.default_rng(0) if rng is None else rng
    attempts = []
    while True:
        members, info = _bm(F_list, d_list, traces, U0_list, y0, opts, host, verbose)
        cert = _certificate(F_list, d_list, traces, members, info["dual"], info, opts)
        attempts.append(_attempt(info, cert, rank))
        if cert["certified"] or n > CERTIFY_MAX_N or rank >= max_rank:
            break
        new_rank = min(2 * rank, max_rank)
        if verbose:
            logger.info("low-rank solution not certified (relative gap %.2e > %.1e) at rank "
                        "%d: solving again at rank %d", cert["gap"], tol, rank, new_rank)
        # Warm start: the factors found, with small positive columns added.
        U0_list = [np.hstack([U, 1e-3 * np.abs(rng.standard_normal((n, new_rank - rank)))
                              / np.sqrt(n)]) for U in members.U]
        y0 = info["dual"]
        rank = new_rank
    info.update(certificate=cert, rank=rank, attempts=attempts)
    if cert["certified"] or n > CERTIFY_MAX_N or n > fallback_max:
        return members, info
    if verbose:
        logger.info("low-rank solution not certified at rank %d (relative gap %.2e): "
                    "solving the SDP exactly", rank, cert["gap"])
    exact_members, exact_info = solve_exact(F_list, d_list, traces, opts,
                                            verbose=verbose > 1)
    exact_info["attempts"] = attempts + exact_info["attempts"]
    exact_info["dual"] = info["dual"]
    exact_info["fallback"] = (
        f"the low-rank solution was not certified (relative duality gap "
        f"{cert['gap']:.2e} > {tol:g} at rank {rank}); the exact solver was used")
    return exact_members, exact_info


def _bm(F_list, d_list, traces, U0_list, y0, opts, host, verbose):
    if host is not None and host.used:  # the iterations run in X's namespace, on its device
        def there(a):
            return move_to(a, xp=host.xp, device=host.device)

        F_run, d_run, U_run = ([there(a) for a in F_list], [there(a) for a in d_list],
                               [there(a) for a in U0_list])
        y_run = None if y0 is None else there(y0)
    else:
        F_run, d_run, U_run, y_run = F_list, d_list, U0_list, y0
    U_list, info = solve_burer_monteiro(F_run, d_run, traces, U_run, y0=y_run,
                                        verbose=verbose > 1, **bm_kwargs(opts))
    to_np = host.to_numpy if host is not None else np.asarray
    info["dual"] = np.asarray(to_np(info["dual"]), dtype=float)
    return Memberships(U=[np.asarray(to_np(U), dtype=float) for U in U_list]), info
