"""Solves of the block SDP and the certificate of the one a fit returns.

The low-rank (Burer-Monteiro) factorisation is non-convex, so its answer need not be the
SDP's optimum. The solve whose memberships a fit returns is followed by the duality-gap
certificate of :mod:`._certify` (once per fit, not at every iteration); when the gap
exceeds the tolerance the solve is repeated at twice the rank with 10x tighter
tolerances (warm-started from the first; up to ``SLACK_MAX_N`` points), and when that is not certified either, the exact
conic solver takes over if the problem is small enough for it to be quick. What happened
is recorded in the returned ``info``: ``solver``, ``rank``, ``certificate`` and
``attempts``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..backend import move_to
from ..utils import ConvergenceWarning
from ._certify import (
    CERTIFY_MAX_N,
    DEFAULT_CERTIFY_TOL,
    REFINE_MAX_N,
    SLACK_MAX_N,
    certify,
    skipped,
)
from ._common import Memberships, bm_kwargs, cvxpy_kwargs, logger
from ._solvers import solve_burer_monteiro, solve_cvxpy


def costs(F_list, d_list):
    """Dense costs ``C_b = F_b F_b' - (d_b 1' + 1 d_b') / 2`` of the maximisation."""
    return [F @ F.T - (d[:, None] + d[None, :]) / 2.0 for F, d in zip(F_list, d_list)]


def certificate(F_list, d_list, traces, members, info, opts):
    """The certificate of one solve (``info`` holds ``dual`` and, exact, ``dual_N``)."""
    n = F_list[0].shape[0]
    tol = float(opts.get("certify_tol", DEFAULT_CERTIFY_TOL))
    if n > CERTIFY_MAX_N:
        return skipped(n, info["objective"], tol)
    Z_list = [members.dense(b) for b in range(len(F_list))]
    return certify(costs(F_list, d_list), traces, Z_list, info["dual"], U_list=members.U,
                   N0_list=info.get("dual_N"), tol=tol,
                   infeasibility=info["primal_infeasibility"],
                   feas_tol=float(opts.get("feas_tol", 1e-4)))


def start_info(F_list, d_list, members, info):
    """The start's memberships as a point of the first LA-SDP (solved at its covariances).

    When no solve improved on the start, the fit returns the start's indicator
    memberships; they are feasible for the LA-SDP of the first iteration, whose costs
    were built at the start's covariances, and their certificate is taken there. The
    solve's multipliers ``info["dual"]`` seed the dual. ``rank`` is None: the point is not
    a low-rank solve, so it is certified (or not) as it is, never re-solved.
    """
    rowsums = members.rowsums()
    objective = sum(members.between(b, F) - float(d @ rowsums[:, b])
                    for b, (F, d) in enumerate(zip(F_list, d_list)))
    return dict(info, objective=float(objective), primal_infeasibility=0.0, rank=None,
                solver="start", status="start (no solve improved on it)", solve_time=0.0)


#: Gradient steps of the re-solve (at most): it runs on at most ``SLACK_MAX_N`` points.
_RESOLVE_MAX_ITER = 5000


def _tighter(opts):
    """Options of the re-solve: 10x tighter stopping and feasibility tolerances.

    On overlapping clusters the first-order solver stops (relative step below ``tol``)
    1e-3 to 3e-3 below the optimum, while the optimum has rank at most 3 per block:
    it is the tolerance, more than the rank, that keeps the point from being certified
    (measured against SCS at 90 points, K = 3). ``max_iter`` still bounds the cost.
    """
    return dict(opts, tol=float(opts.get("tol", 1e-5)) / 10.0,
                feas_tol=float(opts.get("feas_tol", 1e-4)) / 10.0,
                max_iter=min(int(opts.get("max_iter", 20000)), _RESOLVE_MAX_ITER))


def _attempt(info, cert, rank=None):
    return dict(solver=info["solver"], rank=rank, status=info["status"], gap=cert["gap"],
                certified=cert["certified"], time=info["solve_time"] + cert["time"])


def solve_exact(F_list, d_list, traces, opts, *, verbose=0):
    """The cvxpy solve (``info`` keeps the conic solver's multipliers for a certificate)."""
    Z_list, info = solve_cvxpy(costs(F_list, d_list), traces, verbose=bool(verbose),
                               **cvxpy_kwargs(opts))
    info["rank"] = None
    return Memberships(Z=Z_list), info


def solve_low_rank(F_list, d_list, traces, U0_list, opts, *, y0=None, host=None, verbose=0):
    """One low-rank solve, not certified.

    ``F_list``, ``d_list``, ``U0_list`` and ``y0`` are NumPy arrays; with a ``host``
    round trip in use the iterations run in the caller's namespace and device. Returns
    NumPy factors and the solver's info (with ``dual``, for a warm start or a certificate,
    and ``rank``).
    """
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
    info["rank"] = int(U_list[0].shape[1])
    return Memberships(U=[np.asarray(to_np(U), dtype=float) for U in U_list]), info


def certified(F_list, d_list, traces, members, info, opts, *, certify=True,
              fallback_max=0, rng=None, host=None, verbose=0):
    """Certify a solve; when it is not certified, raise the rank, then fall back.

    Parameters
    ----------
    members, info
        The solve to certify (from :func:`solve_low_rank` or :func:`solve_exact`).
    certify : bool
        False: no certificate (``certified`` False, gap ``inf``), nothing re-solved.
    fallback_max : int
        The exact solver is tried only up to this many points.

    Returns
    -------
    members : Memberships
        The certified (or last) solve's memberships: those given unless a re-solve ran.
    info : dict
        That solve's info plus ``certificate``, ``attempts`` (one entry per solve:
        solver, rank, status, relative gap, certified, time) and ``fallback`` (a
        sentence, when the exact solver took over).
    """
    tol = float(opts.get("certify_tol", DEFAULT_CERTIFY_TOL))
    n = F_list[0].shape[0]
    if not certify:
        cert = skipped(n, info["objective"], tol, reason="not computed: certify=False")
        return members, dict(info, certificate=cert, attempts=[])
    rank = info.get("rank")
    cert = certificate(F_list, d_list, traces, members, info, opts)
    attempts = [_attempt(info, cert, rank)]
    # A higher rank helps only where the full certificate runs (the closed form alone,
    # above SLACK_MAX_N points, rarely certifies a point it did not certify at rank r).
    # Several blocks (the LA-SDP): the re-solve costs more than the fit above
    # ``REFINE_MAX_N`` points and did not certify a point the per-block dual left out.
    raise_max = SLACK_MAX_N if len(F_list) == 1 else REFINE_MAX_N
    if rank is not None and not cert["certified"] and n <= raise_max:
        max_rank = int(opts.get("max_rank", 2 * rank))
        if max_rank > rank:
            if verbose:
                logger.info("low-rank solution not certified (relative gap %.2e > %.1e) at "
                            "rank %d: solving again at rank %d", cert["gap"], tol, rank,
                            max_rank)
            rng = np.random.default_rng(0) if rng is None else rng
            # Warm start: the factors found, with small positive columns added.
            U0 = [np.hstack([U, 1e-3 * np.abs(rng.standard_normal((n, max_rank - rank)))
                             / np.sqrt(n)]) for U in members.U]
            with warnings.catch_warnings():  # a re-solve at max_iter is reported in attempts
                warnings.simplefilter("ignore", ConvergenceWarning)
                high, high_info = solve_low_rank(F_list, d_list, traces, U0, _tighter(opts),
                                                 y0=info["dual"], host=host, verbose=verbose)
            high_cert = certificate(F_list, d_list, traces, high, high_info, opts)
            attempts.append(_attempt(high_info, high_cert, max_rank))
            feasible = high_info["primal_infeasibility"] <= float(opts.get("feas_tol", 1e-4))
            if high_cert["certified"] or (feasible and high_cert["gap"] < cert["gap"]):
                members, info, cert, rank = high, high_info, high_cert, max_rank
    if cert["certified"] or rank is None or n > CERTIFY_MAX_N or n > fallback_max:
        if not cert["certified"] and "note" not in cert:
            cert = dict(cert, note=(
                f"not certified (relative duality gap {cert['gap']:.2e} > {tol:g}); a "
                f"low-rank solve is repeated at a higher rank up to {raise_max} points and "
                f"the exact solver takes over up to {fallback_max} points (n = {n})"))
        return members, dict(info, certificate=cert, attempts=attempts)
    if verbose:
        logger.info("low-rank solution not certified at rank %d (relative gap %.2e): "
                    "solving the SDP exactly", rank, cert["gap"])
    exact, exact_info = solve_exact(F_list, d_list, traces, opts, verbose=verbose > 1)
    exact_cert = certificate(F_list, d_list, traces, exact, exact_info, opts)
    attempts.append(_attempt(exact_info, exact_cert))
    return exact, dict(
        exact_info, certificate=exact_cert, attempts=attempts,
        fallback=(f"the low-rank solution was not certified (relative duality gap "
                  f"{cert['gap']:.2e} > {tol:g} at rank {rank}); the exact solver was used"))
