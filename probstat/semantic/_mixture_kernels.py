"""Fused numba passes of (CM-)EM for Gaussian mixtures.

One pass over the samples computes, for each sample, the component log-densities, their
log-sum-exp and the responsibilities, and accumulates at once what the M-step and the
per-iteration history need: the soft counts ``N_j = sum_i P(x_i) r_ij``, the first moments
``sum_i P(x_i) r_ij x_i`` and the second moments about the current means,
``S_j = sum_i P(x_i) r_ij (x_i - mu_j)(x_i - mu_j)'``. The new covariance is then
``S_j / N_j - delta_j delta_j'`` with ``delta_j`` the change of the mean, which equals the
textbook weighted covariance about the new mean (the shift by the old mean only avoids
the cancellation of raw second moments). The responsibilities matrix is never stored.

With full or tied covariances the pass runs by blocks of ``_CHUNK`` rows: for each
component the block's differences ``D_j = X_block - mu_j`` are formed once, the
log-densities come from one matrix product ``D_j U_j`` and the second moments from
another, ``D_j' diag(w_j) D_j`` (BLAS, instead of per-sample triangular loops).

CM-EM's E2 weight optimisation needs the log-densities of all samples before the moments:
:func:`cm_components` computes them and, in the same sweep, their row-centred values
(exponentiated in place by the caller: the E2 matrix ``E``), into buffers reused over the
iterations; after the weights ``q`` are optimised on ``E``, :func:`cm_pass` forms the
responsibilities ``E_ij q_j / sum_l E_il q_l`` without evaluating an exponential and
accumulates the same moments as :func:`em_pass`.

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
def _row_log_comp_diag(X, i, means, prec, const, lc):
    """Log-density of sample ``i`` under every component (diagonal precisions).

    The differences are not stored: the stores keep the loop from vectorising, and the
    moments recompute them more cheaply.
    """
    k, d = means.shape
    for j in range(k):
        maha = 0.0
        for s in range(d):
            v = X[i, s] - means[j, s]
            maha += v * v * prec[j, s]
        lc[j] = const[j] - 0.5 * maha


#: Rows per block of the full/tied passes: the block's differences for every component
#: (k * _CHUNK * d doubles) stay in cache between the two products that use them.
_CHUNK = 512


@jit(cache=True, fastmath=_FAST)
def _upper_factors(Lt):
    """``U_j = L_j'`` (scikit-learn's upper precision factors), contiguous."""
    m, d, _ = Lt.shape
    U = np.empty((m, d, d))
    for a in range(m):
        for s in range(d):
            for t in range(d):
                U[a, s, t] = Lt[a, t, s]
    return U


@jit(cache=True, fastmath=_FAST)
def _chunk_diffs(X, lo, b, means, Dbuf, B):
    """``D_j[i] = x_{lo+i} - mu_j`` for the block's rows, into ``Dbuf`` (k blocks of B x d)."""
    k, d = means.shape
    for j in range(k):
        base = j * B * d
        for i in range(b):
            for s in range(d):
                Dbuf[base + i * d + s] = X[lo + i, s] - means[j, s]


@jit(cache=True, fastmath=_FAST)
def _chunk_log_comp(X, lo, b, means, U, tied, const, Dbuf, Ybuf, B, lc):
    """Log-densities of the block's rows, ``lc[:b, j]``, from ``Y = D_j U_j`` (one product).

    The differences stay in ``Dbuf`` for :func:`_chunk_moments`.
    """
    k, d = means.shape
    _chunk_diffs(X, lo, b, means, Dbuf, B)
    Y = Ybuf[: b * d].reshape((b, d))
    for j in range(k):
        D = Dbuf[j * B * d: j * B * d + b * d].reshape((b, d))
        np.dot(D, U[0 if tied else j], Y)
        for i in range(b):
            acc = 0.0
            for t in range(d):
                acc += Y[i, t] * Y[i, t]
            lc[i, j] = const[j] - 0.5 * acc


@jit(cache=True, fastmath=_FAST)
def _chunk_moments(X, lo, b, Wbuf, Dbuf, DWbuf, B, sx, S, scatter):
    """Add the block's first moments ``W' X`` and, with ``scatter``, ``D_j' diag(W_j) D_j``.

    ``Wbuf`` holds the block's weights ``P(x_i) r_ij`` as a (b, k) array.
    """
    k, d = sx.shape
    W = Wbuf[: b * k].reshape((b, k))
    for j in range(k):
        for i in range(b):
            w = W[i, j]
            for s in range(d):
                sx[j, s] += w * X[lo + i, s]
    if not scatter:
        return
    DW = DWbuf[: b * d].reshape((b, d))
    for j in range(k):
        D = Dbuf[j * B * d: j * B * d + b * d].reshape((b, d))
        for i in range(b):
            w = W[i, j]
            for s in range(d):
                DW[i, s] = D[i, s] * w
        S[j] += np.dot(DW.T, D)


@jit(cache=True, fastmath=_FAST)
def _em_pass_blocked(X, px, means, Lt, const, log_w, tied, scatter):
    """:func:`em_pass` for full or tied factors, by blocks of rows (two products per
    component and block instead of per-sample triangular loops); ``S`` is returned whole
    (symmetric)."""
    n, d = X.shape
    k = means.shape[0]
    B = _CHUNK
    U = _upper_factors(Lt)
    Dbuf = np.empty(k * B * d)
    Ybuf = np.empty(B * d)
    DWbuf = np.empty(B * d)
    Wbuf = np.empty(B * k)
    lc = np.empty((B, k))
    e = np.empty(k)
    nk = np.zeros(k)
    sx = np.zeros((k, d))
    S = np.zeros((k, d, d))
    ll = 0.0
    ent = 0.0
    cross = 0.0
    for lo in range(0, n, B):
        b = min(B, n - lo)
        _chunk_log_comp(X, lo, b, means, U, tied, const, Dbuf, Ybuf, B, lc)
        for i in range(b):
            top = -math.inf
            for j in range(k):
                e[j] = lc[i, j] + log_w[j]
                if e[j] > top:
                    top = e[j]
            total = 0.0
            for j in range(k):
                e[j] = math.exp(e[j] - top)
                total += e[j]
            log_mix = top + math.log(total)
            p = px[lo + i]
            for j in range(k):
                Wbuf[i * k + j] = 0.0
            if p == 0.0:
                continue
            ll += p * log_mix
            for j in range(k):
                r = e[j] / total
                if r == 0.0:
                    continue
                w = p * r
                Wbuf[i * k + j] = w
                nk[j] += w
                ent += w * (lc[i, j] + log_w[j] - log_mix)
                cross += w * lc[i, j]
        _chunk_moments(X, lo, b, Wbuf, Dbuf, DWbuf, B, sx, S, scatter)
    return nk, sx, S, ll, ent, cross


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
            _row_log_comp_diag(X, i, means, prec, const, lc)
        for j in range(k):
            out[i, j] = lc[j]
    return out


@jit(cache=True, fastmath=_FAST)
def cm_components(X, means, Lt, prec, const, full, tied, log_comp, centred):
    """Log-densities and their row-centred values, in one pass, written into the buffers.

    Fills ``log_comp`` (n, k) with ``log_comp[i, j] = log N(x_i | mu_j, Sigma_j)`` and
    ``centred`` (n, k) with ``centred[i, j] = log_comp[i, j] - max_j log_comp[i, j]``
    (the exponent of the E2 step's matrix ``E``; the caller exponentiates it in place).
    The buffers are reused over the iterations of a fit.
    """
    n = X.shape[0]
    k, d = means.shape
    if full:
        B = _CHUNK
        U = _upper_factors(Lt)
        Dbuf = np.empty(k * B * d)
        Ybuf = np.empty(B * d)
        lcb = np.empty((B, k))
        for lo in range(0, n, B):
            b = min(B, n - lo)
            _chunk_log_comp(X, lo, b, means, U, tied, const, Dbuf, Ybuf, B, lcb)
            for i in range(b):
                top = -math.inf
                for j in range(k):
                    log_comp[lo + i, j] = lcb[i, j]
                    if lcb[i, j] > top:
                        top = lcb[i, j]
                for j in range(k):
                    centred[lo + i, j] = lcb[i, j] - top
        return
    lc = np.empty(k)
    for i in range(n):
        _row_log_comp_diag(X, i, means, prec, const, lc)
        top = -math.inf
        for j in range(k):
            log_comp[i, j] = lc[j]
            if lc[j] > top:
                top = lc[j]
        for j in range(k):
            centred[i, j] = lc[j] - top


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
    if full and not use_comp:
        return _em_pass_blocked(X, px, means, Lt, const, log_w, tied, scatter)
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
                if full:
                    for s in range(d):
                        diff[j, s] = X[i, s] - means[j, s]
        elif full:
            _row_log_comp_full(X, i, means, Lt, tied, const, diff, lc)
        else:
            _row_log_comp_diag(X, i, means, prec, const, lc)
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
                    v = X[i, s] - means[j, s]
                    S[j, s, s] += w * v * v
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


@jit(cache=True, fastmath=_FAST)
def _cm_row_weights(px, log_comp, E, q, log_q, i, W, row):
    """Sample ``i``'s weights ``P(x_i) r_ij`` into ``W[row]``; returns (ll, ent, cross) terms.

    ``r_ij = E[i, j] q_j / lam_i`` with ``lam_i = sum_j E[i, j] q_j``, and
    ``log p(x_i) = max_j log_comp[i, j] + log lam_i``: no exponential, one logarithm.
    """
    k = q.shape[0]
    for j in range(k):
        W[row, j] = 0.0
    p = px[i]
    if p == 0.0:
        return 0.0, 0.0, 0.0
    lam = 0.0
    top = -math.inf
    for j in range(k):
        lam += E[i, j] * q[j]
        if log_comp[i, j] > top:
            top = log_comp[i, j]
    log_lam = math.log(lam)
    inv = 1.0 / lam
    ent = 0.0
    cross = 0.0
    for j in range(k):
        r = E[i, j] * q[j] * inv
        if r == 0.0:
            continue
        w = p * r
        W[row, j] = w
        lc = log_comp[i, j]
        # log r_ij = log E_ij + log q_j - log lam_i, with log E_ij = lc - top
        ent += w * (lc - top + log_q[j] - log_lam)
        cross += w * lc
    return p * (top + log_lam), ent, cross


@jit(cache=True, fastmath=_FAST)
def cm_pass(X, px, means, log_comp, E, q, scatter, full):
    """:func:`em_pass` for CM-EM, from :func:`cm_components`' output and the E2 weights.

    ``E`` is the E2 matrix ``exp(log_comp - row max)`` and ``q`` the optimised weights;
    the responsibilities are ``r_ij = E[i, j] q_j / sum_l E[i, l] q_l`` (no exponential
    is evaluated). A component with ``q_j = 0`` gets no responsibility. Full and tied
    factors run by blocks of rows, as :func:`em_pass` does. Returns what :func:`em_pass`
    returns, with the same meaning.
    """
    n, d = X.shape
    k = means.shape[0]
    nk = np.zeros(k)
    sx = np.zeros((k, d))
    S = np.zeros((k, d, d))
    log_q = np.empty(k)
    for j in range(k):
        log_q[j] = math.log(q[j]) if q[j] > 0.0 else -math.inf
    ll = 0.0
    ent = 0.0
    cross = 0.0
    if full:
        B = _CHUNK
        Dbuf = np.empty(k * B * d)
        DWbuf = np.empty(B * d)
        Wbuf = np.empty(B * k)
        W = Wbuf.reshape((B, k))
        for lo in range(0, n, B):
            b = min(B, n - lo)
            for i in range(b):
                a, c, x = _cm_row_weights(px, log_comp, E, q, log_q, lo + i, W, i)
                ll += a
                ent += c
                cross += x
                for j in range(k):
                    nk[j] += W[i, j]
            if scatter:
                _chunk_diffs(X, lo, b, means, Dbuf, B)
            _chunk_moments(X, lo, b, Wbuf, Dbuf, DWbuf, B, sx, S, scatter)
        return nk, sx, S, ll, ent, cross
    W = np.empty((1, k))
    for i in range(n):
        a, c, x = _cm_row_weights(px, log_comp, E, q, log_q, i, W, 0)
        ll += a
        ent += c
        cross += x
        for j in range(k):
            w = W[0, j]
            if w == 0.0:
                continue
            nk[j] += w
            for s in range(d):
                sx[j, s] += w * X[i, s]
            if scatter:
                for s in range(d):
                    v = X[i, s] - means[j, s]
                    S[j, s, s] += w * v * v
    return nk, sx, S, ll, ent, cross
