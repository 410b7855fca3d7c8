"""Closed-form acquisition values on arrays, in Frazier's maximisation convention.

Improvement is ``max(f - best, 0)``; ``z = (mean - best) / std``; ``h(z) = phi(z) + z Phi(z)``.
Everything here is vectorised NumPy over broadcastable inputs; the log-space forms use
:func:`scipy.special.log_ndtr` and :func:`scipy.special.erfcx` so that they stay finite and
accurate far in the lower tail (down to ``z = -1e7`` and beyond).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..backend import get_namespace, is_numpy_namespace, to_numpy, warn_host_fallback
from ..utils import check_rng

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG_SQRT_PI_2 = 0.5 * math.log(math.pi / 2.0)
_Z_ASYMPTOTIC = 1e3  # below -1000 the asymptotic series of the Mills ratio is exact


def _host(name, *arrays):
    """NumPy float arrays of ``arrays`` and the caller's namespace (None for NumPy)."""
    xp = get_namespace(*arrays)
    if not is_numpy_namespace(xp):
        warn_host_fallback(name)
        return [to_numpy(a, dtype=np.float64) for a in arrays], xp
    return [np.asarray(a, dtype=np.float64) for a in arrays], None


def _back(value, xp, shape=None):
    if shape is not None:
        value = np.reshape(value, shape)
    if xp is None:
        return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value
    return xp.asarray(value)


def _check_mean_std(mean, std, best):
    if not np.all(np.isfinite(mean)):
        raise ValueError("mean must be finite (found NaN or inf)")
    if not np.all(np.isfinite(std)) or np.any(std < 0):
        raise ValueError("std must be finite and >= 0")
    if not np.all(np.isfinite(best)):
        raise ValueError("best must be finite (found NaN or inf)")


def _log1mexp(x):
    """``log(1 - exp(x))`` for ``x <= 0``, accurate near 0 and for very negative ``x``."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = x > -math.log(2.0)
    out[small] = np.log(-np.expm1(x[small]))
    out[~small] = np.log1p(-np.exp(x[~small]))
    return out


def log_h(z):
    """Return ``log h(z)`` with ``h(z) = phi(z) + z Phi(z)``, stable for very negative ``z``.

    Three branches, after BoTorch's ``_log_ei_helper``: direct evaluation for ``z > -1``;
    ``-z^2/2 - log sqrt(2 pi) + log(1 - sqrt(pi/2) |z| erfcx(|z|/sqrt 2))`` for
    ``-1000 < z <= -1``; below that the bracket (which cancels badly there) is replaced by
    its asymptotic series ``z^-2 (1 - 3 z^-2 + 15 z^-4 - 105 z^-6)``, exact to about
    1e-21 relative.

    Parameters
    ----------
    z : array-like
        Standardised improvement.

    Returns
    -------
    ndarray
        ``log h(z)``, finite for every finite ``z``.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import log_h
    >>> round(float(log_h(0.0)), 12)  # log phi(0)
    -0.918938533205
    >>> bool(log_h(-1e7) > -1e14)
    True
    """
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    upper = z > -1.0
    zu = z[upper]
    out[upper] = np.log(np.exp(-0.5 * zu * zu - _LOG_SQRT_2PI) + zu * special.ndtr(zu))
    mid = (~upper) & (z > -_Z_ASYMPTOTIC)
    zm = z[mid]
    inner = np.log(special.erfcx(-zm / math.sqrt(2.0)) * np.abs(zm)) + _LOG_SQRT_PI_2
    out[mid] = -0.5 * zm * zm - _LOG_SQRT_2PI + _log1mexp(inner)
    low = ~(upper | mid)
    zl = z[low]
    w = 1.0 / (zl * zl)
    out[low] = (-0.5 * zl * zl - _LOG_SQRT_2PI - 2.0 * np.log(np.abs(zl))
                + np.log1p(w * (-3.0 + w * (15.0 - 105.0 * w))))
    return out


def _dlog_h(z):
    """``d log h / dz = Phi(z) / h(z)``, the Mills-ratio form ``R / (1 - |z| R)`` below -1."""
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    upper = z > -1.0
    out[upper] = np.exp(special.log_ndtr(z[upper]) - log_h(z[upper]))
    mid = (~upper) & (z > -_Z_ASYMPTOTIC)
    zm = z[mid]
    log_r = np.log(special.erfcx(-zm / math.sqrt(2.0))) + _LOG_SQRT_PI_2  # log Phi/phi
    out[mid] = np.exp(log_r - _log1mexp(log_r + np.log(np.abs(zm))))
    low = ~(upper | mid)
    zl = z[low]
    w = 1.0 / (zl * zl)
    out[low] = (np.abs(zl) * (1.0 + w * (-1.0 + w * (3.0 + w * (-15.0 + 105.0 * w))))
                / (1.0 + w * (-3.0 + w * (15.0 - 105.0 * w))))
    return out


def expected_improvement(mean, std, best):
    """Expected improvement ``E[max(f - best, 0)]`` for ``f ~ N(mean, std^2)``.

    ``EI = std * h(z)`` with ``z = (mean - best) / std`` and ``h(z) = phi(z) + z Phi(z)``
    (Frazier 2018, eq. 8, maximisation). The lower tail is evaluated as
    ``std * exp(log_h(z))`` so it decays smoothly instead of cancelling to 0 early; it
    still underflows to 0 in float64 below about ``z = -38``: use
    :func:`log_expected_improvement` there. Where ``std == 0`` the value is
    ``max(mean - best, 0)``.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (broadcastable).
    best : float or array-like
        The incumbent value to improve on.

    Returns
    -------
    ndarray or float
        Expected improvement, >= 0.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import expected_improvement
    >>> round(float(expected_improvement(0.0, 1.0, 0.0)), 6)  # phi(0)
    0.398942
    """
    (mean, std, best), xp = _host("expected_improvement", mean, std, best)
    _check_mean_std(mean, std, best)
    mean, std, best = np.broadcast_arrays(mean, std, best)
    shape = mean.shape
    mean, std, best = mean.ravel(), std.ravel(), best.ravel()
    out = np.maximum(mean - best, 0.0)
    pos = std > 0
    z = (mean[pos] - best[pos]) / std[pos]
    out[pos] = std[pos] * np.exp(log_h(z))
    return _back(out, xp, shape)


def log_expected_improvement(mean, std, best):
    """Logarithm of the expected improvement, accurate far into the tail.

    ``log EI = log std + log h(z)`` with the three-branch :func:`log_h`; it matches
    mpmath to about 1e-13 relative accuracy for ``z`` from 5 down to -1e7 and stays finite
    where :func:`expected_improvement` underflows to 0. Where ``std == 0`` the value is
    ``log(max(mean - best, 0))`` (``-inf`` when there is no improvement).

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (broadcastable).
    best : float or array-like
        The incumbent value.

    Returns
    -------
    ndarray or float

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import log_expected_improvement
    >>> bool(log_expected_improvement(-50.0, 1.0, 0.0) < -1250)
    True
    """
    (mean, std, best), xp = _host("log_expected_improvement", mean, std, best)
    _check_mean_std(mean, std, best)
    mean, std, best = np.broadcast_arrays(mean, std, best)
    shape = mean.shape
    mean, std, best = mean.ravel(), std.ravel(), best.ravel()
    with np.errstate(divide="ignore"):
        out = np.log(np.maximum(mean - best, 0.0))
    pos = std > 0
    z = (mean[pos] - best[pos]) / std[pos]
    out[pos] = np.log(std[pos]) + log_h(z)
    return _back(out, xp, shape)


def probability_of_improvement(mean, std, best):
    """Probability of improvement ``P(f > best) = Phi((mean - best) / std)``.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (broadcastable).
    best : float or array-like

    Returns
    -------
    ndarray or float

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import probability_of_improvement
    >>> float(probability_of_improvement(1.0, 1.0, 1.0))
    0.5
    """
    (mean, std, best), xp = _host("probability_of_improvement", mean, std, best)
    _check_mean_std(mean, std, best)
    mean, std, best = np.broadcast_arrays(mean, std, best)
    shape = mean.shape
    mean, std, best = mean.ravel(), std.ravel(), best.ravel()
    out = (mean > best).astype(np.float64)
    pos = std > 0
    out[pos] = special.ndtr((mean[pos] - best[pos]) / std[pos])
    return _back(out, xp, shape)


def log_probability_of_improvement(mean, std, best):
    """``log Phi((mean - best) / std)`` through :func:`scipy.special.log_ndtr`.

    Parameters
    ----------
    mean, std : array-like
    best : float or array-like

    Returns
    -------
    ndarray or float

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import log_probability_of_improvement
    >>> bool(log_probability_of_improvement(-100.0, 1.0, 0.0) > -5010)
    True
    """
    (mean, std, best), xp = _host("log_probability_of_improvement", mean, std, best)
    _check_mean_std(mean, std, best)
    mean, std, best = np.broadcast_arrays(mean, std, best)
    shape = mean.shape
    mean, std, best = mean.ravel(), std.ravel(), best.ravel()
    with np.errstate(divide="ignore"):
        out = np.log((mean > best).astype(np.float64))
    pos = std > 0
    out[pos] = special.log_ndtr((mean[pos] - best[pos]) / std[pos])
    return _back(out, xp, shape)


def upper_confidence_bound(mean, std, beta=2.0):
    """GP-UCB ``mean + sqrt(beta) * std``.

    Parameters
    ----------
    mean, std : array-like
    beta : float, default=2.0
        Exploration weight, >= 0.

    Returns
    -------
    ndarray or float

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import upper_confidence_bound
    >>> float(upper_confidence_bound(1.0, 2.0, beta=4.0))
    5.0
    """
    (mean, std), xp = _host("upper_confidence_bound", mean, std)
    _check_mean_std(mean, std, 0.0)
    if not (np.isfinite(beta) and beta >= 0):
        raise ValueError(f"beta must be finite and >= 0 (got {beta})")
    return _back(mean + math.sqrt(beta) * std, xp)


# --------------------------------------------------------------------------------------
# Knowledge gradient on a discrete set (Frazier, Powell & Dayanik 2009)
# --------------------------------------------------------------------------------------

def discrete_knowledge_gradient(a, b, *, return_grad=False):
    """Discrete knowledge gradient ``E[max_i (a_i + b_i Z)] - max_i a_i``, ``Z ~ N(0, 1)``.

    The Frazier-Powell-Dayanik algorithm: sort the lines ``a_i + b_i z`` by slope, keep
    the largest intercept among equal slopes, build the upper envelope (dropping
    dominated lines) with breakpoints ``c_1 < ... < c_{M-1}``, and sum
    ``(b_{j+1} - b_j) h(-|c_j|)``. Cost O(M log M) per row (a numba kernel).

    In Bayesian optimisation ``a`` holds the posterior means on a set of points and ``b``
    the change of those means per unit standardised observation at the sampled point:
    ``b_i = Sigma_n(x_i, x) / sqrt(sigma_n^2(x) + noise)``.

    Parameters
    ----------
    a, b : array-like of shape (M,) or (m, M)
        Intercepts and slopes; a 2-D input gives one value per row.
    return_grad : bool, default=False
        Also return the derivatives with respect to ``a`` and ``b`` (envelope theorem:
        ``P(line i is the maximum)`` and ``E[Z; line i is the maximum]``).

    Returns
    -------
    kg : float or ndarray of shape (m,)
        Non-negative.
    grad_a, grad_b : ndarray, same shape as ``a``
        Only when ``return_grad`` is True.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import discrete_knowledge_gradient
    >>> round(float(discrete_knowledge_gradient([0.0, 0.0], [-1.0, 1.0])), 6)  # E|Z|
    0.797885
    """
    from ._kernels import dkg_rows

    a_arr = np.asarray(a, dtype=np.float64)
    b_arr = np.asarray(b, dtype=np.float64)
    if a_arr.shape != b_arr.shape:
        raise ValueError(f"a and b must have the same shape (got {a_arr.shape} and {b_arr.shape})")
    if a_arr.ndim not in (1, 2) or a_arr.shape[-1] == 0:
        raise ValueError(f"a must be a non-empty 1-D or 2-D array (got shape {a_arr.shape})")
    if not (np.all(np.isfinite(a_arr)) and np.all(np.isfinite(b_arr))):
        raise ValueError("a and b must be finite (found NaN or inf)")
    A = np.ascontiguousarray(np.atleast_2d(a_arr))
    B = np.ascontiguousarray(np.atleast_2d(b_arr))
    kg, ga, gb = dkg_rows(A, B)
    if a_arr.ndim == 1:
        kg, ga, gb = float(kg[0]), ga[0], gb[0]
    if return_grad:
        return kg, ga, gb
    return kg


def noisy_expected_improvement(mean_obs, mean, cov_obs, var, noise_var=0.0):
    """Frazier's noisy expected improvement, computed exactly by the discrete KG.

    ``EI_noisy(x) = E_n[max_{i<=n+1} mu_{n+1}(x_i) - max_{i<=n} mu_n(x_i)]`` with
    ``x_{n+1} = x`` (Frazier 2018, section 5; the KGCP of Scott, Frazier & Powell 2011).
    On ``S = {x_1..x_n, x}``, ``a = mu_n(S)`` and ``b = Sigma_n(S, x) / sqrt(sigma_n^2(x) +
    noise_var)``; the value is ``KG_disc(a, b) + max_S a - max_{i<=n} a_i``. Without noise
    and with ``x`` away from the data it equals :func:`expected_improvement` with
    ``best = max_i mu_n(x_i)``.

    Parameters
    ----------
    mean_obs : array-like of shape (n,)
        Posterior means at the evaluated points.
    mean : array-like of shape (m,)
        Posterior means at the candidates.
    cov_obs : array-like of shape (m, n)
        Posterior covariances ``Sigma_n(x, x_i)`` between candidates and evaluated points.
    var : array-like of shape (m,)
        Posterior variances of the latent function at the candidates.
    noise_var : float, default=0.0
        Observation-noise variance of the next evaluation.

    Returns
    -------
    ndarray of shape (m,)

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import noisy_expected_improvement
    >>> v = noisy_expected_improvement([0.0], [0.0], [[0.0]], [1.0])
    >>> round(float(v[0]), 6)
    0.398942
    """
    mean_obs = np.asarray(mean_obs, dtype=np.float64).ravel()
    mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
    var = np.atleast_1d(np.asarray(var, dtype=np.float64))
    cov_obs = np.asarray(cov_obs, dtype=np.float64).reshape(mean.shape[0], mean_obs.shape[0])
    if mean_obs.size == 0:
        raise ValueError("mean_obs must not be empty")
    if not (np.isfinite(noise_var) and noise_var >= 0):
        raise ValueError(f"noise_var must be finite and >= 0 (got {noise_var})")
    if np.any(var < 0) or not np.all(np.isfinite(var)):
        raise ValueError("var must be finite and >= 0")
    denom = np.sqrt(var + noise_var)
    safe = np.where(denom > 0, denom, 1.0)
    m = mean.shape[0]
    A = np.concatenate([np.broadcast_to(mean_obs, (m, mean_obs.size)), mean[:, None]], axis=1)
    B = np.concatenate([cov_obs, var[:, None]], axis=1) / safe[:, None]
    B[denom == 0] = 0.0
    kg = discrete_knowledge_gradient(A, B)
    return kg + A.max(axis=1) - mean_obs.max()


# --------------------------------------------------------------------------------------
# Max-value entropy search and q-EI
# --------------------------------------------------------------------------------------

def max_value_entropy_search(mean, std, max_samples):
    """Max-value entropy search (Wang & Jegelka 2017), noise-free closed form.

    ``alpha(x) = mean_k [gamma_k phi(gamma_k) / (2 Phi(gamma_k)) - log Phi(gamma_k)]``
    with ``gamma_k = (y*_k - mean(x)) / std(x)``: the entropy of ``f(x)`` minus the
    expected entropy of ``f(x)`` truncated above at a sampled maximum ``y*_k`` (in nats).

    Parameters
    ----------
    mean, std : array-like of shape (m,)
        Posterior mean and standard deviation (``std > 0``).
    max_samples : array-like of shape (K,)
        Samples of the maximum value ``y*``.

    Returns
    -------
    ndarray of shape (m,)
        Information gain in nats, >= 0.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import max_value_entropy_search
    >>> v = max_value_entropy_search([0.0, 0.0], [1.0, 1.0], [0.0])
    >>> bool(v[0] > 0)
    True
    """
    (mean, std, ystar), xp = _host("max_value_entropy_search", mean, std, max_samples)
    mean = np.atleast_1d(mean)
    std = np.atleast_1d(std)
    ystar = np.atleast_1d(ystar).ravel()
    _check_mean_std(mean, std, ystar)
    if np.any(std <= 0):
        raise ValueError("std must be > 0 for max_value_entropy_search")
    if ystar.size == 0:
        raise ValueError("max_samples must not be empty")
    gamma = (ystar[None, :] - mean[..., None]) / std[..., None]
    log_cdf = special.log_ndtr(gamma)
    ratio = np.exp(-0.5 * gamma**2 - _LOG_SQRT_2PI - log_cdf)  # phi / Phi
    val = 0.5 * gamma * ratio - log_cdf
    return _back(np.maximum(val.mean(axis=-1), 0.0), xp)


def normal_base_samples(n_samples, dim, *, qmc=True, random_state=None):
    """Standard-normal base samples, scrambled Sobol (``qmc=True``) or pseudo-random.

    Parameters
    ----------
    n_samples, dim : int
    qmc : bool, default=True
    random_state : None, int, RandomState or Generator

    Returns
    -------
    ndarray of shape (n_samples, dim)

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import normal_base_samples
    >>> normal_base_samples(8, 2, random_state=0).shape
    (8, 2)
    """
    rng = check_rng(random_state)
    if qmc:
        from scipy.stats import qmc as _qmc

        u = _qmc.Sobol(d=dim, scramble=True, seed=rng).random(n_samples)
        u = np.clip(u, 1e-12, 1 - 1e-12)
        return special.ndtri(u)
    return rng.standard_normal((n_samples, dim))


def q_expected_improvement(mean, cov, best, *, n_samples=512, qmc=True, random_state=None,
                           base_samples=None):
    """Batch (multi-point) expected improvement ``E[max_j (f_j - best)^+]`` by (quasi-)MC.

    ``f ~ N(mean, cov)`` over the ``q`` points of a batch; ``f = mean + L eps`` with
    ``L = chol(cov + jitter)`` and scrambled-Sobol normal ``eps`` (Frazier 2018 eq. 14;
    BoTorch's qEI). For ``q = 1`` it estimates :func:`expected_improvement`. Written against
    the array API: the maths runs in the namespace of ``mean`` when dispatch is on (the base
    samples are drawn with NumPy and moved there).

    Parameters
    ----------
    mean : array-like of shape (..., q)
    cov : array-like of shape (..., q, q)
    best : float
    n_samples : int, default=512
    qmc : bool, default=True
        Scrambled Sobol base samples (else pseudo-random normals).
    random_state : None, int, RandomState or Generator
    base_samples : array-like of shape (n_samples, q), optional
        Fixed base samples (sample-average approximation); overrides ``n_samples``.

    Returns
    -------
    float or array of shape (...)

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.bayesopt.acquisition import q_expected_improvement
    >>> v = q_expected_improvement([0.0], [[1.0]], 0.0, n_samples=4096, random_state=0)
    >>> abs(float(v) - 0.398942) < 5e-3
    True
    """
    xp = get_namespace(mean, cov)
    mean = xp.asarray(mean, dtype=xp.float64)
    cov = xp.asarray(cov, dtype=xp.float64)
    if mean.ndim < 1 or cov.shape != (*mean.shape, mean.shape[-1]):
        raise ValueError(f"cov must have shape mean.shape + (q,) (got {tuple(cov.shape)} for "
                         f"mean of shape {tuple(mean.shape)})")
    if not bool(xp.all(xp.isfinite(mean))) or not bool(xp.all(xp.isfinite(cov))):
        raise ValueError("mean and cov must be finite (found NaN or inf)")
    q = mean.shape[-1]
    if base_samples is None:
        if int(n_samples) < 1:
            raise ValueError(f"n_samples must be >= 1 (got {n_samples})")
        eps = normal_base_samples(int(n_samples), q, qmc=qmc, random_state=random_state)
    else:
        eps = to_numpy(base_samples, dtype=np.float64)
        if eps.ndim != 2 or eps.shape[1] != q:
            raise ValueError(f"base_samples must have shape (n_samples, {q}) (got {eps.shape})")
    eps = xp.asarray(eps, device=_device_of(mean))
    diag_mean = xp.mean(xp.abs(xp.linalg.diagonal(cov)), axis=-1)
    eye = xp.eye(q, dtype=xp.float64, device=_device_of(mean))
    jitter = 1e-10 * (diag_mean[..., None, None] + 1e-30)
    L = xp.linalg.cholesky(cov + jitter * eye)
    # samples: (..., S, q) = mean[..., None, :] + eps @ L^T
    f = mean[..., None, :] + xp.matmul(eps, xp.matrix_transpose(L))
    imp = xp.max(f - best, axis=-1)
    imp = xp.where(imp > 0, imp, xp.zeros_like(imp))
    val = xp.mean(imp, axis=-1)
    if is_numpy_namespace(xp):
        val = np.asarray(val)
        return float(val) if val.ndim == 0 else val
    return val


def _device_of(x):
    from ..backend import device

    d = device(x)
    return None if d == "cpu" else d
