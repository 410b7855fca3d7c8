"""Fused numba passes of (CM-)EM for Gaussian mixtures.

One pass over the samples computes, for each sample, the component log-densities, their
log-sum-exp and the responsibilities, and accumulates at once what the M-step and the
per-iteration history need: the soft counts ``N_j = sum_i P(x_i) r_ij``, the first moments
``sum_i P(x_i) r_ij x_i`` and the second moments about the current means,
``S_j = sum_i P(x_i) r_ij (x_i - mu_j)(x_i - mu_j)'``. The new covariance is then
``S_j / N_j - delta_j delta_j'`` with ``delta_j`` the change of the mean, which equals the
textbook weighted covariance about the new mean (the shift by the old mean only avoids
the cancellation of raw second moments). The responsibilities matrix is never stored.

Precision factors are passed as lower-triangular ``L = U'`` (``U`` scikit-learn's upper
factor, ``U U' = Sigma^{-1}``), so that the inner products run over contiguous rows.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import jit
from ._kernels import neumaier_add

_FAST = frozenset({"contract"})


@jit(cache=True, fastmath=_FAST)
def _row_log_comp_full(X, i, means, Lt, tied, const, diff, lc):
    """Log-density of sample ``i`` under every component (full or tied factors)."""
    k, d = means.shape
    for j in range(k):
        m = 0 if tied else j
        for s in range(d):
            diff[j, s] = X[i, s] - means[j, s]
        maha = 0.0
        for t in range(d):
            acc = 0.0
            for s in range(t + 1):
                acc += Lt[m, t, s] * diff[j, s]
            maha += acc * acc
        lc[j] = const[j] - 0.5 * maha


@jit(cache=True, fastmath=_FAST)
def _row_log_comp_diag(X, i, means, prec, const, diff, lc):
    """Log-density of sample ``i`` under every component (diagonal precisions)."""
    k, d = means.shape
    for j in range(k):
        maha = 0.0
        for s in range(d):
            v = X[i, s] - means[j, s]
            diff[j, s] = v
            maha += v * v * prec[j, s]
        lc[j] = const[j] - 0.5 * maha


@jit(cache=True, fastmath=_FAST)
def log_components(X, means, Lt, prec, const, full, tied):
    """``log N(x_i | mu_j, Sigma_j)`` for all samples and components, shape (n, k)."""
    n = X.shape[0]
    k, d = means.shape
    out = np.empty((n, k))
    diff = np.empty((k, d))
    lc = np.empty(k)
    for i in range(n):
        if full:
            _row_log_comp_full(X, i, means, Lt, tied, const, diff, lc)
        else:
            _row_log_comp_diag(X, i, means, prec, const, diff, lc)
        for j in range(k):
            out[i, j] = lc[j]
    return out


@jit(cache=True, fastmath=_FAST)
def em_pass(X, px, means, Lt, prec, const, log_w, full, tied, log_comp, use_comp, scatter):
    """One E-step with the M-step's sufficient statistics, in a single pass.

    Parameters
    ----------
    X : (n, d) samples; px : (n,) sample probabilities (sum 1).
    means : (k, d) current means (the shift of the second moments).
    Lt : (m, d, d) lower factors ``L_j`` (``m = 1`` when tied), used when ``full``.
    prec : (k, d) diagonal precisions ``1 / sigma^2``, used when not ``full``.
    const : (k,) ``-d/2 log(2 pi) + log det U_j``.
    log_w : (k,) log mixing weights.
    full, tied : bool, which factors are used.
    log_comp : (n, k) precomputed log-densities, used when ``use_comp`` (CM-EM computes
        them before optimising the weights); otherwise computed here.
    scatter : bool, accumulate the per-component second moments ``S`` (a tied
        covariance does not need them: it comes from the data's own scatter).

    Returns
    -------
    nk : (k,), sx : (k, d), S : (k, d, d) (upper triangle; only the diagonal when not
    full), ll = sum_i px_i log p(x_i), ent = sum_ij px_i r_ij log r_ij and
    cross = sum_ij px_i r_ij log N(x_i | theta_j), all in nats.
    """
    n = X.shape[0]
    k, d = means.shape
    nk = np.zeros(k)
    sx = np.zeros((k, d))
    S = np.zeros((k, d, d))
    diff = np.empty((k, d))
    lc = np.empty(k)
    e = np.empty(k)
    ll = 0.0
    ent = 0.0
    cross = 0.0
    for i in range(n):
        if use_comp:
            for j in range(k):
                lc[j] = log_comp[i, j]
                for s in range(d):
                    diff[j, s] = X[i, s] - means[j, s]
        elif full:
            _row_log_comp_full(X, i, means, Lt, tied, const, diff, lc)
        else:
            _row_log_comp_diag(X, i, means, prec, const, diff, lc)
        top = -math.inf
        for j in range(k):
            e[j] = lc[j] + log_w[j]
            if e[j] > top:
                top = e[j]
        total = 0.0
        for j in range(k):
            e[j] = math.exp(e[j] - top)
            total += e[j]
        log_mix = top + math.log(total)
        p = px[i]
        if p == 0.0:
            continue
        ll += p * log_mix
        for j in range(k):
            r = e[j] / total
            if r == 0.0:
                continue
            w = p * r
            nk[j] += w
            ent += w * (lc[j] + log_w[j] - log_mix)
            cross += w * lc[j]
            for s in range(d):
                sx[j, s] += w * X[i, s]
            if not scatter:
                continue
            if full:
                for s in range(d):
                    ws = w * diff[j, s]
                    for t in range(s, d):
                        S[j, s, t] += ws * diff[j, t]
            else:
                for s in range(d):
                    S[j, s, s] += w * diff[j, s] * diff[j, s]
    return nk, sx, S, ll, ent, cross


@jit(cache=True, fastmath=_FAST)
def _row_scaled(log_comp, i, e):
    """``e = exp(log_comp[i] - max_j log_comp[i, j])`` (a row of the E2 step's matrix E)."""
    k = log_comp.shape[1]
    top = -math.inf
    for j in range(k):
        if log_comp[i, j] > top:
            top = log_comp[i, j]
    for j in range(k):
        e[j] = math.exp(log_comp[i, j] - top)


@jit(cache=True)
def e2_objective_block(log_comp, px, q):
    """One block's share of the E2 objective and its gradient at ``q``.

    With ``E = exp(log_comp - row max)`` and ``lam = E q``: the Neumaier-compensated
    ``sum_i px_i log lam_i`` (``-inf`` when some ``lam_i <= 0``) and
    ``c = E' (px / lam)``. The in-memory E2 step (``_kernels.fixed_point``) computes the
    same sums over all rows at once.
    """
    n, k = log_comp.shape
    c = np.zeros(k)
    e = np.empty(k)
    total = 0.0
    comp = 0.0
    for i in range(n):
        _row_scaled(log_comp, i, e)
        lam = 0.0
        for j in range(k):
            lam += e[j] * q[j]
        if lam <= 0.0:
            return -math.inf, c
        total, comp = neumaier_add(total, comp, px[i] * math.log(lam))
        w = px[i] / lam
        for j in range(k):
            c[j] += e[j] * w
    return total + comp, c


@jit(cache=True)
def e2_curvature_block(log_comp, px, q):
    """One block's ``c = E' w`` and ``H = E' diag(w / lam) E`` at ``q`` (``w = px / lam``)."""
    n, k = log_comp.shape
    c = np.zeros(k)
    H = np.zeros((k, k))
    e = np.empty(k)
    for i in range(n):
        _row_scaled(log_comp, i, e)
        lam = 0.0
        for j in range(k):
            lam += e[j] * q[j]
        w = px[i] / lam
        s = w / lam
        for a in range(k):
            c[a] += e[a] * w
            ea = e[a] * s
            for b in range(a, k):
                H[a, b] += ea * e[b]
    for a in range(k):
        for b in range(a):
            H[a, b] = H[b, a]
    return c, H
