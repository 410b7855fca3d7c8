"""Compiled kernels (numba, through probstat.backend.jit) for the NumPy path of R(G)/R(D).

``fixed_point`` is the same active-set SQP as ``probstat.semantic._rate._fixed_point``
(which stays the array-API reference, used for CuPy and array-api-strict inputs); here the
loop runs without Python overhead, which dominates for |Y| ~ 100.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import jit


@jit(cache=True)
def neumaier_add(total, comp, term):
    """One step of Neumaier's compensated sum: the new ``(total, comp)``."""
    t = total + term
    if abs(total) >= abs(term):
        comp += (total - t) + term
    else:
        comp += (term - t) + total
    return t, comp


@jit(cache=True)
def _objective(E, px, q, lam):
    n = E.shape[0]
    lam[:] = np.dot(E, q)
    # Neumaier-compensated sum: near the optimum the line search compares values of f
    # that differ by ~1e-13, below the round-off of a plain sum over 1e5 terms
    total = 0.0
    comp = 0.0
    for i in range(n):
        if lam[i] <= 0.0:
            return -math.inf
        total, comp = neumaier_add(total, comp, px[i] * math.log(lam[i]))
    return total + comp


@jit(cache=True)
def _matvec(M, v):
    n, m = M.shape
    out = np.zeros(n)
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += M[i, j] * v[j]
        out[i] = acc
    return out


@jit(cache=True)
def _spd_solve(A, B):
    """Solve A X = B for symmetric positive (semi)definite A by Cholesky.

    This stays an in-kernel routine: it runs inside nopython code (the active-set loop of
    ``_simplex_qp``), which cannot call the shared ``probstat.utils._numerics.cholesky``
    (SciPy, Python level) and whose jitter-and-retry policy would be wrong here anyway: a
    pivot at or below round-off is floored, which acts as a tiny ridge on the small
    (at most |Y| x |Y|) subproblem. Plain loops also compile in a fraction of the time
    ``np.linalg.solve`` takes under numba.
    """
    m = A.shape[0]
    L = np.zeros((m, m))
    scale = 0.0
    for a in range(m):
        scale = max(scale, abs(A[a, a]))
    floor = 1e-14 * scale + 1e-300
    for a in range(m):
        acc = A[a, a]
        for c in range(a):
            acc -= L[a, c] * L[a, c]
        d = math.sqrt(acc) if acc > floor else math.sqrt(floor)
        L[a, a] = d
        for r in range(a + 1, m):
            acc = A[r, a]
            for c in range(a):
                acc -= L[r, c] * L[a, c]
            L[r, a] = acc / d
    X = B.copy()
    n_rhs = B.shape[1]
    for col in range(n_rhs):
        for a in range(m):
            acc = X[a, col]
            for c in range(a):
                acc -= L[a, c] * X[c, col]
            X[a, col] = acc / L[a, a]
        for a in range(m - 1, -1, -1):
            acc = X[a, col]
            for c in range(a + 1, m):
                acc -= L[c, a] * X[c, col]
            X[a, col] = acc / L[a, a]
    return X


@jit(cache=True)
def _simplex_qp(H, b, p0, free, max_steps):
    """Minimise 0.5 p'Hp - b'p over the simplex by a primal active-set method."""
    k = p0.shape[0]
    p = p0.copy()
    for _ in range(max_steps):
        idx = np.nonzero(free)[0]
        m = idx.shape[0]
        H_S = np.empty((m, m))
        rhs = np.empty((m, 2))
        for a in range(m):
            for c in range(m):
                H_S[a, c] = H[idx[a], idx[c]]
            rhs[a, 0] = b[idx[a]]
            rhs[a, 1] = 1.0
        sol = _spd_solve(H_S, rhs)
        nu = (sol[:, 0].sum() - 1.0) / sol[:, 1].sum()
        target = np.zeros(k)
        all_pos = True
        for a in range(m):
            target[idx[a]] = sol[a, 0] - nu * sol[a, 1]
            if target[idx[a]] < 0.0:
                all_pos = False
        if all_pos:
            p = target
            grad = _matvec(H, p) - b + nu
            bmax = max(1.0, np.abs(b).max())
            j = -1
            best = -1e-13 * bmax
            for t in range(k):
                if not free[t] and grad[t] < best:
                    best = grad[t]
                    j = t
            if j < 0:
                return p
            free[j] = True
            continue
        direction = target - p
        t_min = 1.0
        block = -1
        for a in range(m):
            i = idx[a]
            if direction[i] < 0.0:
                r = -p[i] / direction[i]
                if block < 0 or r < t_min:
                    t_min = r
                    block = i
        t_min = min(t_min, 1.0)
        for i in range(k):
            p[i] = max(p[i] + t_min * direction[i], 0.0)
        p[block] = 0.0
        free[block] = False
        if not free.any():
            return p0.copy()
    return p


@jit(cache=True)
def fixed_point(E, px, q0, tol, max_iter):
    """Maximise sum_i px_i log (E q)_i over the simplex; returns (q, n_iter, converged)."""
    n, n_y = E.shape
    ET = E.T
    q = q0 / q0.sum()
    lam = np.empty(n)
    lam_cand = np.empty(n)
    f = _objective(E, px, q, lam)
    w = np.empty(n)
    # scratch for the candidate columns, allocated once (fresh (n, k) arrays on every
    # iteration cost page faults comparable to the products themselves)
    buf_C = np.empty(n * n_y)
    buf_W = np.empty(n * n_y)
    for n_iter in range(1, max_iter + 1):
        for i in range(n):
            w[i] = px[i] / lam[i]
        c = np.dot(ET, w)
        c_max = c.max()
        if math.log(c_max) <= tol:
            return q, n_iter, True
        cand = np.zeros(n_y, dtype=np.bool_)
        for j in range(n_y):
            cand[j] = q[j] > 0.0 or c[j] > 1.0 - 1e-3
        cand[np.argmax(c)] = True
        idx = np.nonzero(cand)[0]
        k = idx.shape[0]
        # H = E_C' diag(w / lam) E_C on the candidate columns
        E_W = buf_W[: n * k].reshape((n, k))
        if k == n_y:  # every column is a candidate: E itself
            for i in range(n):
                scale = w[i] / lam[i]
                for a in range(k):
                    E_W[i, a] = E[i, a] * scale
            H = np.dot(ET, E_W)
        else:
            E_C = buf_C[: n * k].reshape((n, k))
            for i in range(n):
                scale = w[i] / lam[i]
                for a in range(k):
                    v = E[i, idx[a]]
                    E_C[i, a] = v
                    E_W[i, a] = v * scale
            H = np.dot(E_C.T, E_W)
        ridge = 1e-12 * np.trace(H) / k + 1e-300
        for a in range(k):
            H[a, a] += ridge
        q_C = np.empty(k)
        c_C = np.empty(k)
        any_pos = False
        for a in range(k):
            q_C[a] = q[idx[a]]
            c_C[a] = c[idx[a]]
            any_pos = any_pos or q_C[a] > 0.0
        b = c_C + _matvec(H, q_C)
        free = q_C > 0.0 if any_pos else np.ones(k, dtype=np.bool_)
        p_C = _simplex_qp(H, b, q_C, free, 4 * k + 20)
        direction = -q.copy()
        for a in range(k):
            direction[idx[a]] += p_C[a]
        slope = 0.0
        for j in range(n_y):
            slope += c[j] * direction[j]
        t = 1.0
        accepted = False
        while t > 1e-10 and slope > 0.0:
            cq = np.maximum(q + t * direction, 0.0)
            cq /= cq.sum()
            f_cand = _objective(E, px, cq, lam_cand)
            if f_cand >= f + 1e-4 * t * slope:
                q, f, accepted = cq, f_cand, True
                lam[:] = lam_cand
                break
            if t == 1.0 and abs(f_cand - f) <= 1e-13 * (abs(f) + 1.0):
                for i in range(n):
                    w[i] = px[i] / lam_cand[i]
                if np.dot(ET, w).max() < c_max:
                    q, f, accepted = cq, f_cand, True
                    lam[:] = lam_cand
                    break
            t *= 0.5
        if not accepted:
            q = q * c
            q /= q.sum()
            f = _objective(E, px, q, lam)
    return q, max_iter, False


@jit(cache=True)
def _xlogx(a):
    return a * math.log(a) if a > 0.0 else 0.0


@jit(cache=True)
def _label_term(J, p_y, j, v, sign):
    """``sum_c xlogx(J[c, j] + sign v_c) - xlogx(p_y[j] + sign sum_c v_c)`` (nats)."""
    total = 0.0
    mass = 0.0
    for c in range(J.shape[0]):
        total += _xlogx(max(J[c, j] + sign * v[c], 0.0))
        mass += v[c]
    return total - _xlogx(max(p_y[j] + sign * mass, 0.0))


@jit(cache=True)
def single_moves(joint, labels, n_labels, max_sweeps):
    """Relabel single cells while ``I(C; Y)`` increases; returns (labels, moved).

    ``joint[c, z] = P(c, z)``. ``I(C; Y) + H(C) = sum_j [sum_c xlogx(P(c, y_j)) -
    xlogx(P(y_j))]``, so moving cell z from label a to b changes only the terms of a and
    b. The cells are swept in order; each moves to the label with the largest exact gain,
    when that gain exceeds round-off; the sweeps stop when no cell moves (then no single
    relabelling increases I) or after ``max_sweeps``.
    """
    n_c, n_z = joint.shape
    labels = labels.copy()
    J = np.zeros((n_c, n_labels))
    for z in range(n_z):
        for c in range(n_c):
            J[c, labels[z]] += joint[c, z]
    p_y = np.zeros(n_labels)
    for j in range(n_labels):
        for c in range(n_c):
            p_y[j] += J[c, j]
    zero = np.zeros(n_c)
    h = np.empty(n_labels)
    scale = 0.0
    for j in range(n_labels):
        h[j] = _label_term(J, p_y, j, zero, 1.0)
        scale += abs(h[j])
    floor = 1e-13 * max(scale, 1e-300)
    moved_any = False
    for _ in range(max_sweeps):
        moved = False
        for z in range(n_z):
            v = joint[:, z]
            mass = v.sum()
            if mass <= 0.0:
                continue
            a = labels[z]
            h_a = _label_term(J, p_y, a, v, -1.0)
            best = -1
            best_gain = floor
            best_h = 0.0
            for b in range(n_labels):
                if b == a:
                    continue
                h_b = _label_term(J, p_y, b, v, 1.0)
                gain = (h_b - h[b]) + (h_a - h[a])
                if gain > best_gain:
                    best, best_gain, best_h = b, gain, h_b
            if best < 0:
                continue
            for c in range(n_c):
                J[c, a] = max(J[c, a] - v[c], 0.0)
                J[c, best] += v[c]
            p_y[a] = max(p_y[a] - mass, 0.0)
            p_y[best] += mass
            h[a] = h_a
            h[best] = best_h
            labels[z] = best
            moved = True
            moved_any = True
        if not moved:
            break
    return labels, moved_any
