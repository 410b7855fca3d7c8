"""Frozen scipy.stats laws as the truth: the moments of ``t`` that the risk needs.

* discrete univariate laws: summation over the support, truncated where the mass left out
  is below ``TAIL_MASS`` on each side and the moments of ``t`` have stopped moving;
* continuous univariate laws: adaptive quadrature;
* ``multivariate_normal``: a Gauss-Hermite product rule (exact for statistics that are
  polynomials of degree <= 3 in ``x``);
* ``multinomial``: exact enumeration of the count vectors (or, with the multinomial
  family, the closed form of a multinomial model with the same number of trials);
* ``dirichlet``: a Gauss-Jacobi product rule on the stick-breaking Beta variables (exact
  for polynomial statistics of degree <= 5, with an error estimate otherwise).

Everything here runs on NumPy arrays; validation happens at the public entry points.
"""

from __future__ import annotations

import math

import numpy as np

from .._warn import warn
from ._core import _weighted_cumulants

#: Probability mass a discrete truth may leave out on each side of its truncated support.
TAIL_MASS = 1e-15
#: Relative change of the moments of ``t`` below which a truncated support has converged.
MOMENT_RTOL = 1e-10
#: Most support points (or quadrature nodes) a truth is summed over.
MAX_POINTS = 2**22
#: Quadrature disagreement (relative) above which a Dirichlet truth warns.
QUAD_WARN = 1e-6


# ----------------------------------------------------------------------------------
# what kind of scipy object
# ----------------------------------------------------------------------------------
def frozen_kind(truth):
    """``"univariate"``, ``"mvn"``, ``"multinomial"``, ``"dirichlet"`` or None."""
    import scipy.stats

    if hasattr(truth, "dist") and hasattr(truth, "rvs") and hasattr(truth, "cdf") \
            and hasattr(truth, "ppf"):
        return "univariate"
    dist = getattr(truth, "_dist", None)
    for name in ("multivariate_normal", "multinomial", "dirichlet"):
        if dist is not None and isinstance(dist, type(getattr(scipy.stats, name))):
            return "mvn" if name == "multivariate_normal" else name
    return None


# ----------------------------------------------------------------------------------
# discrete univariate laws: adaptive truncation
# ----------------------------------------------------------------------------------
def _moments(family, k, pmf):
    """Mean, covariance and third central moment of ``t`` over the (unnormalised) grid."""
    w = pmf / pmf.sum()
    return _weighted_cumulants(family._stat(k[:, None]), w, 3, np)


def _close(a, b):
    return all(np.allclose(x, y, rtol=MOMENT_RTOL, atol=MOMENT_RTOL * max(np.max(np.abs(y)),
                                                                            1e-300))
               for x, y in zip(a, b))


def _end(truth, side, centre, step):
    """A support point beyond which the truth has at most ``TAIL_MASS`` on that side."""
    lo, hi = (float(v) for v in truth.support())
    if side > 0:
        top = centre + step
        while top < hi and truth.sf(top) > TAIL_MASS:
            step *= 2
            top = centre + step
            if step > MAX_POINTS:
                break
        return min(top, hi)
    bottom = centre - step
    while bottom > lo and truth.cdf(bottom - 1) > TAIL_MASS:
        step *= 2
        bottom = centre - step
        if step > MAX_POINTS:
            break
    return max(bottom, lo)


def discrete_grid(truth, family=None):
    """Support points and normalised pmf of a discrete frozen law, adaptively truncated.

    Each side is cut where the mass beyond it is at most :data:`TAIL_MASS`; when
    ``family`` is given the grid then keeps doubling until the mean, covariance and third
    moment of ``t`` change by less than :data:`MOMENT_RTOL` (relative), so that a heavy
    tail cannot hide in the mass left out. Raises ValueError when this needs more than
    :data:`MAX_POINTS` points (a law whose third moment of ``t`` does not exist).
    """
    lo, hi = (float(v) for v in truth.support())
    centre = float(truth.ppf(0.5))
    spread = float(truth.ppf(0.99) - truth.ppf(0.01)) if math.isfinite(centre) else 0.0
    if not math.isfinite(centre):
        raise ValueError("its median is not finite")
    step = max(16.0, math.ceil(spread) if math.isfinite(spread) else 16.0)
    a = _end(truth, -1, centre, step)
    b = _end(truth, +1, centre, step)

    def grid(a, b):
        if b - a + 1 > MAX_POINTS:
            raise ValueError(f"its support would need more than {MAX_POINTS} points to "
                             f"leave out less than {TAIL_MASS:g} of its mass (too heavy a "
                             "tail); pass a sample or a (support, pmf) grid")
        k = np.arange(a, b + 1.0)
        pmf = np.asarray(truth.pmf(k), dtype=float)
        if not np.all(np.isfinite(pmf)) or pmf.sum() <= 0:
            raise ValueError("its pmf is not finite on its support")
        return k, pmf

    k, pmf = grid(a, b)
    if family is not None and (a > lo or b < hi):
        mom = _moments(family, k, pmf)
        while True:
            width = b - a + 1
            a2 = max(lo, a - width) if a > lo else a
            b2 = min(hi, b + width) if b < hi else b
            if (a2, b2) == (a, b):
                break
            try:
                k2, pmf2 = grid(a2, b2)
            except ValueError:
                raise ValueError("the mean, covariance and third moment of the family's "
                                 f"statistic under it still change by more than "
                                 f"{MOMENT_RTOL:g} (relative) at {MAX_POINTS} support "
                                 "points: its tail is too heavy to sum (the third moment "
                                 "may not exist); pass a sample or a (support, pmf) grid"
                                 ) from None
            mom2 = _moments(family, k2, pmf2)
            a, b, k, pmf = a2, b2, k2, pmf2
            if _close(mom2, mom):
                break
            mom = mom2
    return k[:, None], pmf / pmf.sum()


def continuous_moments(family, truth):
    """Mean, covariance and third central moment of ``t`` under a continuous law."""
    import scipy.integrate

    lo, hi = truth.support()

    def tx(x):
        return family._stat(np.array([[x]]))[0]

    mean, _ = scipy.integrate.quad_vec(lambda x: truth.pdf(x) * tx(x), lo, hi,
                                       epsabs=0, epsrel=1e-12, limit=400)

    def mom(x):
        r = tx(x) - mean
        return truth.pdf(x) * np.concatenate([np.outer(r, r).ravel(),
                                              np.einsum("a,b,c->abc", r, r, r).ravel()])

    vals, _ = scipy.integrate.quad_vec(mom, lo, hi, epsabs=0, epsrel=1e-12, limit=400)
    p = mean.shape[0]
    return mean, vals[: p * p].reshape(p, p), vals[p * p:].reshape(p, p, p)


# ----------------------------------------------------------------------------------
# multivariate laws
# ----------------------------------------------------------------------------------
def _product_rule(rules):
    """Tensor product of one-dimensional rules [(nodes, weights), ...]."""
    grids = np.meshgrid(*[r[0] for r in rules], indexing="ij")
    wgrids = np.meshgrid(*[r[1] for r in rules], indexing="ij")
    nodes = np.stack([g.ravel() for g in grids], axis=1)
    w = np.prod(np.stack([g.ravel() for g in wgrids], axis=1), axis=1)
    return nodes, w / w.sum()


def _points_per_axis(dims, preferred, minimum):
    for m in range(preferred, minimum - 1, -1):
        if m ** dims <= 100_000:
            return m
    return None


def mvn_rule(truth):
    """Gauss-Hermite product rule of ``N(mean, cov)``: ``(nodes, weights, degree)``.

    With ``m`` points per axis the rule integrates polynomials of degree ``2m - 1``
    exactly, so the third moments of a statistic of degree ``(2m - 1) // 3`` are exact.
    """
    mean = np.asarray(truth.mean, dtype=float)
    cov = np.asarray(truth.cov, dtype=float)
    d = mean.shape[0]
    m = _points_per_axis(d, 6, 4)
    if m is None:
        raise ValueError(f"a multivariate_normal truth in d={d} > 8 dimensions has no "
                         "exact product rule here; pass a sample from it")
    z, w = np.polynomial.hermite_e.hermegauss(m)          # weight exp(-z^2/2)
    Z, W = _product_rule([(z, w)] * d)
    ev, V = np.linalg.eigh(0.5 * (cov + cov.T))
    if ev.min() < -1e-12 * max(ev.max(), 0.0):
        raise ValueError("its covariance is not positive semi-definite")
    root = V * np.sqrt(np.clip(ev, 0.0, None))            # root @ root.T = cov
    return mean + Z @ root.T, W, (2 * m - 1) // 3


def multinomial_grid(truth):
    """Every count vector of a multinomial law and its probability."""
    n = int(truth.n)
    p = np.asarray(truth.p, dtype=float)
    k = p.shape[0]
    size = math.comb(n + k - 1, k - 1)
    if size > MAX_POINTS // 4:
        raise ValueError(f"its support has {size} count vectors (n={n}, k={k}), too many "
                         "to enumerate; pass a sample from it")
    rows = np.array(list(_compositions(n, k)), dtype=float)
    pmf = np.asarray(truth.pmf(rows), dtype=float)
    return rows, pmf / pmf.sum()


def _compositions(n, k):
    if k == 1:
        yield (n,)
        return
    for first in range(n + 1):
        for rest in _compositions(n - first, k - 1):
            yield (first,) + rest


def _jacobi_beta(m, a, b):
    """Gauss rule of ``m`` points for Beta(a, b) on (0, 1)."""
    import scipy.special

    x, w = scipy.special.roots_jacobi(m, b - 1.0, a - 1.0)   # (1-x)^(b-1) (1+x)^(a-1)
    return (1.0 + x) / 2.0, w / w.sum()


def dirichlet_rule(alpha, m):
    """Gauss-Jacobi rule of a Dirichlet law through independent stick-breaking Betas.

    ``x_j = u_j prod_{i<j} (1 - u_i)`` with ``u_j ~ Beta(alpha_j, sum_{i>j} alpha_i)``
    independent; ``x`` has degree one in each ``u_j``, so ``m`` points per stick integrate
    polynomials of degree ``2m - 1`` in ``x`` exactly.
    """
    K = alpha.shape[0]
    rules = [_jacobi_beta(m, alpha[j], alpha[j + 1:].sum()) for j in range(K - 1)]
    U, w = _product_rule(rules)
    X = np.empty((U.shape[0], K))
    rest = np.ones(U.shape[0])
    for j in range(K - 1):
        X[:, j] = U[:, j] * rest
        rest = rest * (1.0 - U[:, j])
    X[:, K - 1] = rest
    return X, w


def dirichlet_moments(family, truth):
    """Moments of ``t`` under a Dirichlet law by two Gauss-Jacobi rules.

    Returns ``(nodes, weights, error)`` of the finer rule, with ``error`` the largest
    relative difference of the mean, covariance and third moment of ``t`` between the two
    rules (0 up to rounding for statistics that are polynomials of degree <= 5).
    """
    alpha = np.asarray(truth.alpha, dtype=float)
    K = alpha.shape[0]
    fine = _points_per_axis(K - 1, 12, 8)
    if fine is None:
        raise ValueError(f"a dirichlet truth with {K} > 6 components has no product rule "
                         "here; pass a sample from it")
    coarse = fine - 4
    Xf, wf = dirichlet_rule(alpha, fine)
    Xc, wc = dirichlet_rule(alpha, coarse)
    mf = _weighted_cumulants(family._stat(Xf), wf, 3, np)
    mc = _weighted_cumulants(family._stat(Xc), wc, 3, np)
    err = max(float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), 1e-300))
              for a, b in zip(mf, mc))
    if err > QUAD_WARN:
        warn(f"the Dirichlet truth's moments of t come from a {fine}-point-per-stick "
             f"Gauss-Jacobi rule whose estimated relative error is {err:.2g} (the "
             f"{coarse}-point rule differs by that much); pass a sample for a Monte Carlo "
             "estimate instead", UserWarning)
    return Xf, wf, err
