"""numba kernels of probstat.bayesopt: the discrete knowledge-gradient envelope.

The normal density and distribution function are written here in scalar form: numba
cannot call ``scipy.special`` or the NumPy-level helpers of ``probstat.utils`` inside a
compiled loop.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import jit

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@jit(cache=True)
def _phi(z):
    return _INV_SQRT_2PI * math.exp(-0.5 * z * z)


@jit(cache=True)
def _Phi(z):
    return 0.5 * math.erfc(-z * _INV_SQRT2)


@jit(cache=True)
def _dkg_one(a, b, grad_a, grad_b):
    """KG of one row; fills grad_a / grad_b (envelope theorem) and returns the value."""
    M = a.shape[0]
    # sort by slope, ties by intercept (the last of a tie group has the largest a)
    order = np.argsort(b, kind="mergesort")
    # stable sort on a within equal b: do a simple insertion pass (groups are small)
    for i in range(1, M):
        j = i
        while j > 0 and b[order[j - 1]] == b[order[j]] and a[order[j - 1]] > a[order[j]]:
            tmp = order[j - 1]
            order[j - 1] = order[j]
            order[j] = tmp
            j -= 1
    stack = np.empty(M, dtype=np.int64)
    starts = np.empty(M)
    top = 0
    for t in range(M):
        j = order[t]
        if t + 1 < M and b[order[t + 1]] == b[j]:
            continue  # a line with the same slope and a larger intercept follows
        z = -np.inf
        while top > 0:
            k = stack[top - 1]
            z = (a[k] - a[j]) / (b[j] - b[k])
            # a breakpoint that overflows to -inf means line k is never the maximum
            if z <= starts[top - 1] and (top > 1 or z == -np.inf):
                top -= 1
                continue
            break
        if top == 0:
            z = -np.inf
        elif z == np.inf:
            continue  # line j only overtakes line k beyond the float range: never the max
        stack[top] = j
        starts[top] = z
        top += 1
    amax_idx = 0
    for i in range(M):
        if a[i] > a[amax_idx]:
            amax_idx = i
    kg = 0.0
    for s in range(top):
        j = stack[s]
        lo = starts[s]
        hi = starts[s + 1] if s + 1 < top else np.inf
        cdf_lo = 0.0 if lo == -np.inf else _Phi(lo)
        cdf_hi = 1.0 if hi == np.inf else _Phi(hi)
        pdf_lo = 0.0 if lo == -np.inf else _phi(lo)
        pdf_hi = 0.0 if hi == np.inf else _phi(hi)
        grad_a[j] += cdf_hi - cdf_lo
        grad_b[j] += pdf_lo - pdf_hi
        if s + 1 < top:
            c = -abs(hi)
            h = _phi(c) + c * _Phi(c)
            if h < 0.0:
                h = 0.0
            kg += (b[stack[s + 1]] - b[j]) * h
    grad_a[amax_idx] -= 1.0
    return kg


@jit(cache=True)
def dkg_rows(A, B):
    """Discrete KG of every row of (A, B), with gradients."""
    m, M = A.shape
    out = np.empty(m)
    GA = np.zeros((m, M))
    GB = np.zeros((m, M))
    for r in range(m):
        out[r] = _dkg_one(A[r], B[r], GA[r], GB[r])
    return out, GA, GB


# ------------------------------------------------------------------ GP marginal likelihood
@jit(cache=True)
def pair_sq_dist(Us, r2):
    """Squared distances of every pair ``b < a`` of rows of ``Us`` into the packed ``r2``.

    Pairs in the order ``(0, 1), (0, 2), ..., (1, 2), ...``; each distance sums exact
    differences one dimension at a time, as ``_covariance.sq_dist`` does.
    """
    n, d = Us.shape
    p = 0
    for b in range(n):
        for a in range(b + 1, n):
            s = 0.0
            for i in range(d):
                t = Us[a, i] - Us[b, i]
                s += t * t
            r2[p] = s
            p += 1


@jit(cache=True)
def fill_lower(KT, g, sv, diag):
    """``KT[b, a] = sv g_p`` for the packed pairs ``b < a`` and ``sv + diag[b]`` on the
    diagonal: the lower triangle of the Fortran-ordered ``KT.T`` that LAPACK reads."""
    n = KT.shape[0]
    p = 0
    for b in range(n):
        KT[b, b] = sv + diag[b]
        for a in range(b + 1, n):
            KT[b, a] = sv * g[p]
            p += 1


@jit(cache=True)
def lml_grad_terms(KinvT, alpha, Us, sv, g, G):
    """Trace terms of the marginal-likelihood gradient from ``W = alpha alpha^T - K^-1``.

    ``KinvT[b, a]`` holds ``K^-1[a, b]`` for ``a >= b`` (LAPACK's ``dpotri`` output in
    Fortran order, transposed); ``g``, ``G`` are the kernel values of the packed pairs of
    :func:`pair_sq_dist`. Returns
    ``0.5 tr(W dK/dlog l_i)`` for every dimension ``i``, ``0.5 tr(W K_f)`` (``K_f`` the
    noise-free covariance) and ``tr(W)``, summing each symmetric pair once.
    """
    n, d = Us.shape
    gl = np.zeros(d)
    s_kf = 0.0
    tr_w = 0.0
    p = 0
    for b in range(n):
        ab = alpha[b]
        wbb = ab * ab - KinvT[b, b]
        tr_w += wbb
        s_kf += 0.5 * wbb * sv
        for a in range(b + 1, n):
            w = alpha[a] * ab - KinvT[b, a]
            s_kf += w * sv * g[p]
            wg = w * G[p]
            for i in range(d):
                t = Us[a, i] - Us[b, i]
                gl[i] += wg * t * t
            p += 1
    for i in range(d):
        gl[i] *= sv
    return gl, s_kf, tr_w
