"""R(G) and R(D): the parametric Blahut-Arimoto solution over the multiplier s.

For a score matrix ``A[i, j]`` (semantic information ``I(x_i; theta_j)`` for R(G), a
distortion ``d(x_i, y_j)`` for R(D)) and a multiplier ``s``, the optimal test channel is
``P(y_j | x_i) = P(y_j) exp(s A_ij) / lambda_i`` with ``lambda_i = sum_k P(y_k) exp(s A_ik)``,
and ``P(y)`` is the fixed point ``P(y_j) = sum_i P(x_i) P(y_j | x_i)``. That fixed point
maximises the concave ``sum_i P(x_i) log lambda_i`` over the simplex (it is the
mixture-weight problem of CM-EM's E2 step), which is solved by an active-set SQP
(``_fixed_point`` for any array namespace, ``_kernels.fixed_point`` compiled for NumPy).
Then ``R(s) = s * E[A] - sum_i P(x_i) log lambda_i`` and ``dR/dE[A] = s``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .._warn import warn
from ..backend import get_namespace, is_numpy_namespace, to_numpy
from ..base import ResultMixin
from ..utils import (
    ConvergenceWarning,
    check_array,
    check_probability_vector,
    check_scalar_in,
)
from ..utils._numerics import limit_blas_threads, log_base
from ._measures import _log_m, _truth_and_px
from ._validation import input_device, namespace_of, safe_log, to_device

__all__ = ["RateDistortionCurve", "RateFidelityCurve", "rate_distortion", "rate_fidelity"]


def _simplex_qp(H, b, p0, support, max_steps):
    """Minimise ``0.5 p'Hp - b'p`` over the simplex by a primal active-set method (host).

    ``p0`` is a feasible start whose positive entries lie in ``support`` (a boolean mask
    used as the initial working set). ``H`` is symmetric positive definite.
    """
    p = p0.copy()
    free = support.copy()
    for _ in range(max_steps):
        idx = np.flatnonzero(free)
        H_S = H[idx][:, idx]
        rhs = np.empty((idx.size, 2))
        rhs[:, 0] = b[idx]
        rhs[:, 1] = 1.0
        try:
            sol = np.linalg.solve(H_S, rhs)
        except np.linalg.LinAlgError:
            sol = np.linalg.lstsq(H_S, rhs, rcond=None)[0]
        nu = (sol[:, 0].sum() - 1.0) / sol[:, 1].sum()
        target = np.zeros_like(p)
        target[idx] = sol[:, 0] - nu * sol[:, 1]
        if (target[idx] >= 0).all():
            p = target
            grad = H @ p - b + nu
            grad[free] = 0.0
            j = int(np.argmin(grad))
            if grad[j] >= -1e-13 * max(1.0, np.abs(b).max()):
                return p
            free[j] = True
            continue
        # move towards the target until the first free coordinate hits zero
        direction = target - p
        neg = free & (direction < 0)
        ratios = -p[neg] / direction[neg]
        t = float(min(1.0, ratios.min()))
        p = np.maximum(p + t * direction, 0.0)
        block = np.nonzero(neg)[0][np.argmin(ratios)]
        p[block] = 0.0
        free[block] = False
        if not free.any():
            return p0
    return p


def _fixed_point(E, px, py, tol, max_iter, xp):
    """Maximise ``f(q) = sum_i px_i log (E q)_i`` over the simplex, starting from ``py``.

    This is the P(y) fixed point of the parametric solution (and CM-EM's mixture-weight
    problem). Sequential quadratic programming as in mix-SQP (Kim et al. 2020): at each
    step the concave ``f`` is replaced by its second-order model, which is maximised
    exactly over the simplex by an active-set method (components can leave and re-enter
    the support), then a backtracking line search on ``f`` keeps the ascent monotone.
    Stops when ``log max_j c_j <= tol`` with ``c = E^T (px / E q)``: by Blahut's bound
    ``f`` is then within ``tol`` nats of its maximum. Returns ``(q, n_iter, converged)``.
    """
    dev = input_device(E)

    def objective(q):
        lam = E @ q
        if float(xp.min(lam)) <= 0.0:
            return -math.inf, lam
        return float(xp.sum(px * xp.log(lam))), lam

    q = py / xp.sum(py)
    f, lam = objective(q)
    n_y = E.shape[1]
    eye = np.eye(n_y)
    for n_iter in range(1, max_iter + 1):
        w = px / lam
        c = E.T @ w
        c_host = to_numpy(c)
        c_max = float(c_host.max())
        if math.log(c_max) <= tol:
            return q, n_iter, True
        q_host = to_numpy(q)
        # the quadratic model is built on the support plus the components whose KKT
        # condition c_j <= 1 is violated or nearly so; the others stay at 0 this step
        cand = (q_host > 0) | (c_host > 1.0 - 1e-3)
        cand[int(np.argmax(c_host))] = True
        idx_host = np.nonzero(cand)[0]
        k = idx_host.size
        E_C = E if k == n_y else xp.take(E, xp.asarray(idx_host, device=dev), axis=1)
        H = to_numpy(E_C.T @ (E_C * (w / lam)[:, None]))
        H = H + (1e-12 * np.trace(H) / k + 1e-300) * eye[:k, :k]
        q_C = q_host[idx_host]
        b = c_host[idx_host] + H @ q_C
        p_C = _simplex_qp(H, b, q_C, q_C > 0 if (q_C > 0).any() else np.ones(k, bool),
                          max_steps=4 * k + 20)
        p_host = np.zeros(n_y)
        p_host[idx_host] = p_C
        direction = p_host - q_host
        slope = float(c_host @ direction)
        t = 1.0
        accepted = False
        while t > 1e-10 and slope > 0:
            cand_host = np.maximum(q_host + t * direction, 0.0)
            cand = xp.asarray(cand_host / cand_host.sum(), device=dev)
            f_cand, lam_cand = objective(cand)
            if f_cand >= f + 1e-4 * t * slope:
                q, f, lam, accepted = cand, f_cand, lam_cand, True
                break
            if t == 1.0 and abs(f_cand - f) <= 1e-13 * (abs(f) + 1.0):
                # the change in f is below its round-off: judge the full step by the
                # KKT measure (the stopping criterion) instead
                if float(xp.max(E.T @ (px / lam_cand))) < c_max:
                    q, f, lam, accepted = cand, f_cand, lam_cand, True
                    break
            t *= 0.5
        if not accepted:
            # no model progress (round-off near the optimum): a plain fixed-point step
            q = q * c
            q = q / xp.sum(q)
            f, lam = objective(q)
    return q, max_iter, False


def _parametric_curve(A, px, s_values, py, tol, max_iter, xp, what):
    """Solve the fixed point for every s (warm-started from ``py``); host arrays out."""
    if is_numpy_namespace(xp):
        # The matrices are small: multi-threaded BLAS only adds contention (20x slower
        # on a loaded 2-core machine), so the NumPy path runs BLAS single-threaded.
        with limit_blas_threads(1):
            return _parametric_curve_impl(A, px, s_values, py, tol, max_iter, xp, what)
    return _parametric_curve_impl(A, px, s_values, py, tol, max_iter, xp, what)


def _parametric_curve_impl(A, px, s_values, py, tol, max_iter, xp, what):
    finite = xp.isfinite(A)
    A0 = xp.where(finite, A, xp.zeros_like(A))
    keep = to_numpy(px > 0)
    if not keep.all():
        idx = to_device(np.nonzero(keep)[0], xp, input_device(A))
        A0, finite, px = (xp.take(a, idx, axis=0) for a in (A0, finite, px))
    use_kernel = is_numpy_namespace(xp)
    if use_kernel:
        from . import _kernels

        px = np.ascontiguousarray(px, dtype=np.float64)
        py = np.ascontiguousarray(py, dtype=np.float64)
    all_finite = bool(xp.all(finite))
    big = xp.full_like(A0, math.inf)
    row_max = xp.max(xp.where(finite, A0, -big), axis=1)
    row_min = xp.min(xp.where(finite, A0, big), axis=1)
    out_R, out_E, out_py, out_iter, out_conv = [], [], [], [], []
    for s in s_values:
        s = float(s)
        # row maximum of s * A without a reduction per s
        shift = s * (row_max if s >= 0 else row_min)
        if all_finite:
            E = xp.exp(s * A0 - shift[:, None])
        else:
            E = xp.where(finite, xp.exp(s * A0 - shift[:, None]), xp.zeros_like(A0))
        if use_kernel:
            py, n_iter, conv = _kernels.fixed_point(np.ascontiguousarray(E), px, py, tol,
                                                    max_iter)
        else:
            py, n_iter, conv = _fixed_point(E, px, py, tol, max_iter, xp)
        if not conv:
            warn(f"{what}: the P(y) fixed point at s={s:g} did not converge in {n_iter} "
                 "iterations; the last iterate is kept", ConvergenceWarning)
        lam = E @ py
        # E[A] under the channel P(y|x) = E * py / lam (A0 is 0 where E is 0)
        expected = xp.sum((px / lam) * ((E * A0) @ py))
        log_lam = xp.log(lam) + shift
        R = s * float(expected) - float(xp.sum(px * log_lam))
        out_R.append(max(R, 0.0))
        out_E.append(float(expected))
        out_py.append(to_numpy(py))
        out_iter.append(n_iter)
        out_conv.append(conv)
    return (np.asarray(out_R), np.asarray(out_E), np.asarray(out_py),
            np.asarray(out_iter), np.asarray(out_conv))


def _check_s(s):
    """The multipliers as a non-empty 1-D float64 host array."""
    return np.atleast_1d(to_numpy(check_array(s, "s", ndim=(0, 1))))


def _check_common(tol, max_iter, base):
    check_scalar_in(tol, "tol", low=0, low_inclusive=False)
    check_scalar_in(max_iter, "max_iter", low=1, integer=True)
    return log_base(base)


def _start(p_y0, n_y, xp, dev):
    """The starting output distribution: uniform, or ``p_y0`` (strictly positive)."""
    if p_y0 is None:
        py = np.full(n_y, 1.0 / n_y)
    else:
        py = to_numpy(check_probability_vector(p_y0, name="p_y0"))
        if py.shape[0] != n_y:
            raise ValueError(f"p_y0 must have length {n_y} (got {py.shape[0]})")
        if py.min() <= 0:
            raise ValueError("p_y0 must be > 0 everywhere (a zero weight never revives)")
    return to_device(py, xp, dev)


def _curve_arrays(out, xp, dev):
    """The host arrays of a curve moved to the inputs' namespace and device."""
    return tuple(to_device(a, xp, dev) for a in out)


def _channel(score, p_y, s, xp):
    finite = xp.isfinite(score)
    A0 = xp.where(finite, score, xp.zeros_like(score))
    logE = xp.where(finite, s * A0, xp.full_like(A0, -math.inf)) + safe_log(p_y, xp)[None, :]
    shift = xp.max(logE, axis=1)
    # a row whose every label has P(y) m^s = 0 (only possible where P(x) = 0) gets P(y)
    dead = ~xp.isfinite(shift)
    logE = xp.where(dead[:, None], safe_log(p_y, xp)[None, :] + xp.zeros_like(logE), logE)
    logE = logE - xp.max(logE, axis=1)[:, None]
    E = xp.exp(logE)
    return E / xp.sum(E, axis=1)[:, None]


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class RateFidelityCurve(ResultMixin):
    """Points ``(G(s), R(s))`` of the information rate-fidelity function R(G).

    The arrays live in the namespace and on the device of the inputs.

    Attributes
    ----------
    s : array of shape (n_s,)
        Multipliers (the slope dR/dG at each point).
    R : array of shape (n_s,)
        Shannon mutual information I(X; Y) of the optimal channel, in ``base`` units.
    G : array of shape (n_s,)
        Semantic mutual information of the optimal channel.
    p_y : array of shape (n_s, n_labels)
        Output distribution at each s.
    n_iter : array of int of shape (n_s,)
        Fixed-point iterations used at each s.
    converged : array of bool of shape (n_s,)
    base : float
        Logarithm base of ``R`` and ``G``.
    zero_rate_interval : tuple of float
        ``(G_low, G_high)``: R(G) = 0 exactly for G in this interval. A channel that
        ignores x (``P(y|x) = q`` for every x) carries no Shannon information and reaches
        ``G = sum_j q_j G_j`` with ``G_j = sum_i P(x_i) I(x_i; theta_j) <= 0`` (always
        answering ``y_j``), so every G between the smallest and the largest ``G_j`` costs no
        rate. The parametric solution only reaches the two ends (as ``s -> 0-`` and
        ``s -> 0+``: on the segment the slope is 0), so the curve has a genuine flat
        segment at R = 0 there. Labels that some x with ``P(x) > 0`` falsifies
        (``G_j = -inf``) are left out of ``G_low``.
    """

    s: np.ndarray
    R: np.ndarray
    G: np.ndarray
    p_y: np.ndarray = dataclasses.field(repr=False)
    n_iter: np.ndarray = dataclasses.field(repr=False)
    converged: np.ndarray = dataclasses.field(repr=False)
    base: float = 2
    zero_rate_interval: tuple = dataclasses.field(default=(math.nan, math.nan), repr=False)
    _score: object = dataclasses.field(default=None, repr=False)

    @property
    def efficiency(self):
        """Information efficiency ``G / R`` at each point (NaN where R = 0)."""
        xp = namespace_of(self.R)
        pos = self.R > 0
        return xp.where(pos, self.G / xp.where(pos, self.R, xp.ones_like(self.R)),
                        xp.full_like(self.R, math.nan))

    def channel(self, index):
        """The optimal channel ``P(y | x)`` at ``s[index]``, shape (n_x, n_labels).

        Parameters
        ----------
        index : int

        Returns
        -------
        array of shape (n_x, n_labels)
            Rows sum to one; in the namespace of the inputs.
        """
        return _channel(self._score, self.p_y[index, ...], float(self.s[index]),
                        namespace_of(self._score))

    def plot(self, ax=None, **kwargs):
        """Draw R against G: both branches, the zero-rate segment and the line R = G.

        The left (``s < 0``) and right (``s > 0``) branches are drawn from the computed
        points only; the flat segment R = 0 between them (``zero_rate_interval``) is drawn
        exactly and labelled. Sample ``s`` densely near 0 (e.g. with ``np.geomspace``) for
        the branches to reach the ends of the segment.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        **kwargs
            Passed to ``Axes.plot`` for the curve.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from ._plot import plot_rate_fidelity

        return plot_rate_fidelity(self, ax=ax, **kwargs)


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class RateDistortionCurve(ResultMixin):
    """Points ``(D(s), R(s))`` of the rate-distortion function for ``s <= 0``.

    The arrays live in the namespace and on the device of the inputs.

    Attributes
    ----------
    s : array of shape (n_s,)
        Multipliers (the slope dR/dD).
    R : array of shape (n_s,)
        Rate in ``base`` units.
    D : array of shape (n_s,)
        Expected distortion.
    p_y : array of shape (n_s, n_y)
    n_iter : array of int of shape (n_s,)
    converged : array of bool of shape (n_s,)
    base : float
    """

    s: np.ndarray
    R: np.ndarray
    D: np.ndarray
    p_y: np.ndarray = dataclasses.field(repr=False)
    n_iter: np.ndarray = dataclasses.field(repr=False)
    converged: np.ndarray = dataclasses.field(repr=False)
    base: float = 2
    _score: object = dataclasses.field(default=None, repr=False)

    def channel(self, index):
        """The optimal test channel ``P(y | x)`` at ``s[index]``, shape (n_x, n_y).

        Parameters
        ----------
        index : int

        Returns
        -------
        array of shape (n_x, n_y)
        """
        return _channel(self._score, self.p_y[index, ...], float(self.s[index]),
                        namespace_of(self._score))

    def plot(self, ax=None, **kwargs):
        """Draw R against D.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        **kwargs
            Passed to ``Axes.plot``.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from ._plot import plot_rate_distortion

        return plot_rate_distortion(self, ax=ax, **kwargs)


def rate_fidelity(T, p_x, s, *, p_y0=None, tol=1e-10, max_iter=10_000, base=2):
    """Information rate-fidelity function R(G), parametrised by the slope ``s``.

    R(G) is the least Shannon mutual information I(X; Y) of a channel ``P(y|x)`` whose
    semantic mutual information with the fixed truth functions ``T`` is G. For each ``s``
    the optimal channel is ``P(y_j|x_i) = P(y_j) m_ij^s / lambda_i`` with
    ``m_ij = T(theta_j|x_i)/T(theta_j)``, and ``dR/dG = s``. ``s > 0`` traces the right
    branch (G increasing with R); ``s < 0`` the left branch (negative G also costs rate).
    At ``s = 1``, ``R - G = KL(P_X || sum_j P(y_j) P(x|theta_j))`` >= 0, and ``R(G) >= G``.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
        Truth functions in [0, 1].
    p_x : array-like of shape (n_x,)
        Source distribution.
    s : float or array-like of shape (n_s,)
        Multipliers. Negative values need ``T > 0`` everywhere (otherwise G is unbounded
        below). R(G) is 0 on a whole interval of G (``zero_rate_interval`` of the result:
        the channels that ignore x), which the parametric solution reaches only at its two
        ends, as ``s -> 0-`` and ``s -> 0+``; for small ``|s|`` the solution can sit at
        an end of that segment, with every label but one unused.
    p_y0 : array-like of shape (n_labels,), optional
        Starting output distribution (strictly positive); default uniform. Each later s is
        warm-started from the previous solution.
    tol : float, default=1e-10
        Stop when the rate is within ``tol`` nats of the optimum at that s (Blahut's bound).
    max_iter : int, default=10000
        Fixed-point iterations per s; a :class:`~probstat.utils.ConvergenceWarning` is
        raised when reached.
    base : float, default=2

    Returns
    -------
    RateFidelityCurve
        Arrays ``s``, ``R``, ``G`` (and ``p_y``); ``channel(k)`` rebuilds the channel at
        ``s[k]``; ``plot()`` draws the curve.

    References
    ----------
    .. [1] C. Lu, "Using the Semantic Information G Measure to Explain and Extend
           Rate-Distortion Functions", Entropy 23(8):1050, 2021.
    .. [2] Y. Kim, P. Carbonetto, M. Stephens and M. Anitescu, "A Fast Algorithm for Maximum
           Likelihood Estimation of Mixture Proportions Using Sequential Quadratic
           Programming", J. Comput. Graph. Stat. 29(2):261-273, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.semantic import rate_fidelity, truth_from_channel
    >>> channel = np.array([[0.9, 0.1], [0.2, 0.8]])
    >>> curve = rate_fidelity(truth_from_channel(channel), [0.5, 0.5], [1.0, 3.0])
    >>> bool(np.all(curve.R >= curve.G - 1e-12))
    True
    """
    scale = _check_common(tol, max_iter, base)
    T, p_x, xp = _truth_and_px(T, p_x)
    dev = input_device(T, p_x)
    s_values = _check_s(s)
    py = _start(p_y0, T.shape[1], xp, dev)
    if (s_values < 0).any() and bool(xp.any(T <= 0)):
        raise ValueError("s < 0 needs every truth value in T to be > 0: with T = 0 "
                         "somewhere the left branch of R(G) is unbounded (G -> -inf)")
    dead = to_numpy((xp.max(T, axis=1) <= 0) & (p_x > 0))
    if dead.any():
        i = int(np.flatnonzero(dead)[0])
        raise ValueError(f"T row {i} is all zero where p_x > 0: no label is true of x_{i}, so "
                         "every channel has G = -inf")
    score = _log_m(T, p_x, xp)
    R, G, py, n_iter, conv = _parametric_curve(score, p_x, s_values, py, tol, max_iter, xp,
                                               "rate_fidelity")
    zero_rate = _zero_rate_interval(to_numpy(score), to_numpy(p_x), scale)
    s_values, R, G, py, n_iter, conv = _curve_arrays(
        (s_values, R / scale, G / scale, py, n_iter, conv), xp, dev)
    return RateFidelityCurve(s=s_values, R=R, G=G, p_y=py, n_iter=n_iter, converged=conv,
                             base=base, zero_rate_interval=zero_rate, _score=score)


def _zero_rate_interval(score, p_x, scale):
    """``(min_j G_j, max_j G_j)`` with ``G_j = sum_i P(x_i) I(x_i; theta_j)`` (host)."""
    keep = p_x > 0
    A = score[keep]
    with np.errstate(invalid="ignore"):
        g = np.where(np.isfinite(A), A, -np.inf)
        g = np.where(np.isneginf(g).any(axis=0), -np.inf,
                     p_x[keep] @ np.where(np.isfinite(A), A, 0.0))
    finite = g[np.isfinite(g)]
    if finite.size == 0:
        return (math.nan, math.nan)
    return (float(finite.min()) / scale, float(finite.max()) / scale)


def rate_distortion(d, p_x, s, *, p_y0=None, tol=1e-10, max_iter=10_000, base=2):
    """Shannon's rate-distortion function R(D), parametrised by the slope ``s <= 0``.

    Same kernel as :func:`rate_fidelity`, with the distortion as score:
    ``P(y_j|x_i) = P(y_j) exp(s d_ij) / lambda_i``, ``R = s D - sum_i P(x_i) log lambda_i``
    and ``dR/dD = s``. With the semantic distortion ``d = -log T`` (see
    :func:`semantic_distortion`) this is the R(D) of a semantic channel.

    Parameters
    ----------
    d : array-like of shape (n_x, n_y)
        Finite distortion matrix.
    p_x : array-like of shape (n_x,)
        Source distribution.
    s : float or array-like of shape (n_s,)
        Non-positive multipliers (``s = 0`` gives R = 0 and the largest useful D).
    p_y0 : array-like of shape (n_y,), optional
        Strictly positive starting output distribution; default uniform.
    tol : float, default=1e-10
        Tolerance (nats) on the rate at each s.
    max_iter : int, default=10000
    base : float, default=2
        Units of R (D is returned in the units of ``d``).

    Returns
    -------
    RateDistortionCurve
        Arrays ``s``, ``R``, ``D``; ``channel(k)`` and ``plot()``.

    References
    ----------
    .. [1] C. Lu, "Using the Semantic Information G Measure to Explain and Extend
           Rate-Distortion Functions", Entropy 23(8):1050, 2021.
    .. [2] Y. Kim, P. Carbonetto, M. Stephens and M. Anitescu, "A Fast Algorithm for Maximum
           Likelihood Estimation of Mixture Proportions Using Sequential Quadratic
           Programming", J. Comput. Graph. Stat. 29(2):261-273, 2020.

    Examples
    --------
    Binary source with Hamming distortion, where ``R(D) = h(p) - h(D)``:

    >>> import numpy as np
    >>> from probstat.semantic import rate_distortion
    >>> from probstat.utils import binary_entropy
    >>> curve = rate_distortion(1 - np.eye(2), [0.3, 0.7], -2.0)
    >>> D = float(curve.D[0])
    >>> bool(abs(curve.R[0] - (binary_entropy(0.3) - binary_entropy(D))) < 1e-9)
    True
    """
    scale = _check_common(tol, max_iter, base)
    xp = get_namespace(d, p_x)
    dev = input_device(d, p_x)
    d = to_device(check_array(d, "d", ndim=2, xp=xp), xp, dev)
    p_x = to_device(check_probability_vector(p_x, name="p_x"), xp, dev)
    if p_x.shape[0] != d.shape[0]:
        raise ValueError(f"p_x must have length {d.shape[0]} to match d's rows "
                         f"(got {p_x.shape[0]})")
    s_values = _check_s(s)
    if (s_values > 0).any():
        raise ValueError(f"s must be <= 0 for R(D) (got {float(s_values.max())})")
    py = _start(p_y0, d.shape[1], xp, dev)
    R, D, py, n_iter, conv = _parametric_curve(d, p_x, s_values, py, tol, max_iter, xp,
                                               "rate_distortion")
    s_values, R, D, py, n_iter, conv = _curve_arrays(
        (s_values, R / scale, D, py, n_iter, conv), xp, dev)
    return RateDistortionCurve(s=s_values, R=R, D=D, p_y=py, n_iter=n_iter, converged=conv,
                               base=base, _score=d)
