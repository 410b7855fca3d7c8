"""Closed-form acquisition values on arrays, in Frazier's maximisation convention.

Improvement is ``max(f - best, 0)``; ``z = (mean - best) / std``; ``h(z) = phi(z) + z Phi(z)``.
The public functions validate their arguments and then call the private ``_`` versions,
which work on flat float64 NumPy arrays and are what the acquisition objects use inside
the optimisation loop. The log-space forms use :func:`scipy.special.log_ndtr` and
:func:`scipy.special.erfcx` so that they stay finite and accurate far in the lower tail
(down to ``z = -1e7`` and beyond). ``scipy.special`` and the numba kernel are CPU-only:
those functions take array-API input through :func:`~probstat.backend.on_host`;
:func:`upper_confidence_bound` and :func:`q_expected_improvement` compute in the input's
namespace.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ..backend import device, get_namespace, is_numpy_namespace, move_to, on_host, to_numpy
from ..utils import (
    check_array,
    check_bool,
    check_rng,
    check_same_length,
    check_scalar_in,
)

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG_SQRT_PI_2 = 0.5 * math.log(math.pi / 2.0)
_Z_ASYMPTOTIC = 1e3  # below -1000 the asymptotic series of the Mills ratio is exact


# ----------------------------------------------------------------------- validation


def _broadcast(named):
    """Broadcast validated NumPy arrays to one shape; a named error when they disagree."""
    try:
        shape = np.broadcast_shapes(*(a.shape for _, a in named))
    except ValueError:
        names = ", ".join(n for n, _ in named[:-1]) + f" and {named[-1][0]}"
        got = ", ".join(f"{n} {tuple(a.shape)}" for n, a in named)
        raise ValueError(f"{names} must have broadcastable shapes (got {got})") from None
    return shape, [np.broadcast_to(a, shape).ravel() for _, a in named]


def _check_std(std, name="std", *, positive=False):
    low = float(np.min(std))
    if low < 0 or (positive and low == 0):
        rule = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be {rule} (smallest entry {low:.3g})")


def _mean_std_best(where, mean, std, best):
    """Validate (mean, std, best) on the host; return the round trip, shape and flat arrays."""
    host = on_host(mean, std, best, where=where)
    mean = check_array(host.to_numpy(mean), "mean", xp=np)
    std = check_array(host.to_numpy(std), "std", xp=np)
    best = check_array(host.to_numpy(best), "best", xp=np)
    _check_std(std)
    shape, flat = _broadcast([("mean", mean), ("std", std), ("best", best)])
    return host, shape, flat


def _finish(host, out, shape):
    """Reshape a flat result; a NumPy scalar for 0-d NumPy input, else the input's namespace."""
    out = np.reshape(out, shape)
    if host.used:
        return host.from_numpy(out)
    return out[()] if out.ndim == 0 else out


# ----------------------------------------------------------------------- log h(z)


def _log1mexp(x):
    """``log(1 - exp(x))`` for ``x <= 0``, accurate near 0 and for very negative ``x``."""
    out = np.empty_like(x)
    small = x > -math.log(2.0)
    out[small] = np.log(-np.expm1(x[small]))
    out[~small] = np.log1p(-np.exp(x[~small]))
    return out


def _log_h(z):
    """``log h(z)`` on a float64 NumPy array (no validation)."""
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


def log_h(z):
    """Return ``log h(z)`` with ``h(z) = phi(z) + z Phi(z)``, stable for very negative ``z``.

    Three branches, after BoTorch's ``_log_ei_helper``: direct evaluation for ``z > -1``;
    ``-z^2/2 - log sqrt(2 pi) + log(1 - sqrt(pi/2) |z| erfcx(|z|/sqrt 2))`` for
    ``-1000 < z <= -1``; below that the bracket (which cancels badly there) is replaced by
    its asymptotic series ``z^-2 (1 - 3 z^-2 + 15 z^-4 - 105 z^-6)``, exact to about
    1e-21 relative.

    Described in [1]_.

    Parameters
    ----------
    z : array-like
        Standardised improvement (finite), any shape.

    Returns
    -------
    ndarray
        ``log h(z)``, finite for every finite ``z``, with the shape of ``z``.

    References
    ----------
    .. [1] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708, the numerically stable log h(z) of LogEI.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import log_h
    >>> round(float(log_h(0.0)), 12)  # log phi(0)
    -0.918938533205
    >>> bool(log_h(-1e7) > -1e14)
    True
    """
    host = on_host(z, where="log_h")
    z = check_array(host.to_numpy(z), "z", xp=np)
    return host.from_numpy(_log_h(z))


def _dlog_h(z):
    """``d log h / dz = Phi(z) / h(z)``, the Mills-ratio form ``R / (1 - |z| R)`` below -1."""
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    upper = z > -1.0
    out[upper] = np.exp(special.log_ndtr(z[upper]) - _log_h(z[upper]))
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


# ----------------------------------------------------------------------- EI, PI, UCB


def _ei(mean, std, best):
    out = np.maximum(mean - best, 0.0)
    pos = std > 0
    z = (mean[pos] - best[pos]) / std[pos]
    out[pos] = std[pos] * np.exp(_log_h(z))
    return out


def expected_improvement(mean, std, best):
    """Expected improvement ``E[max(f - best, 0)]`` for ``f ~ N(mean, std^2)``.

    ``EI = std * h(z)`` with ``z = (mean - best) / std`` and ``h(z) = phi(z) + z Phi(z)``
    (Frazier 2018, eq. 8, maximisation). The lower tail is evaluated as
    ``std * exp(log_h(z))`` so it decays smoothly instead of cancelling to 0 early; it
    still underflows to 0 in float64 below about ``z = -38``: use
    :func:`log_expected_improvement` there. Where ``std == 0`` the value is
    ``max(mean - best, 0)``.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (finite, ``std >= 0``, broadcastable).
    best : float or array-like
        The incumbent value to improve on (finite, broadcastable with ``mean``).

    Returns
    -------
    ndarray or float
        Expected improvement, >= 0, with the broadcast shape.

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.1, eqs. (7)-(8).
    .. [2] D. R. Jones, M. Schonlau and W. J. Welch, "Efficient global optimization of
       expensive black-box functions", Journal of Global Optimization 13(4):455-492, 1998,
       Section 4.1.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import expected_improvement
    >>> round(float(expected_improvement(0.0, 1.0, 0.0)), 6)  # phi(0)
    0.398942
    """
    host, shape, (mean, std, best) = _mean_std_best("expected_improvement", mean, std, best)
    return _finish(host, _ei(mean, std, best), shape)


def log_expected_improvement(mean, std, best):
    """Logarithm of the expected improvement, accurate far into the tail.

    ``log EI = log std + log h(z)`` with the three-branch :func:`log_h`; it matches
    mpmath to about 1e-13 relative accuracy for ``z`` from 5 down to -1e7 and stays finite
    where :func:`expected_improvement` underflows to 0. Where ``std == 0`` the value is
    ``log(max(mean - best, 0))`` (``-inf`` when there is no improvement).

    Described in [1]_ and [2]_.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (finite, ``std >= 0``, broadcastable).
    best : float or array-like
        The incumbent value (finite).

    Returns
    -------
    ndarray or float
        ``log EI`` with the broadcast shape.

    References
    ----------
    .. [1] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708, the LogEI formulation.
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.1, eq. (8).

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import log_expected_improvement
    >>> bool(log_expected_improvement(-50.0, 1.0, 0.0) < -1250)
    True
    """
    host, shape, (mean, std, best) = _mean_std_best("log_expected_improvement", mean, std,
                                                    best)
    with np.errstate(divide="ignore"):
        out = np.log(np.maximum(mean - best, 0.0))
    pos = std > 0
    z = (mean[pos] - best[pos]) / std[pos]
    out[pos] = np.log(std[pos]) + _log_h(z)
    return _finish(host, out, shape)


def probability_of_improvement(mean, std, best):
    """Probability of improvement ``P(f > best) = Phi((mean - best) / std)``.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (finite, ``std >= 0``, broadcastable).
    best : float or array-like
        The incumbent value (finite).

    Returns
    -------
    ndarray or float
        Probabilities with the broadcast shape (``mean > best`` where ``std == 0``).

    References
    ----------
    .. [1] H. J. Kushner, "A new method of locating the maximum point of an arbitrary
       multipeak curve in the presence of noise", Journal of Basic Engineering 86(1), 1964.
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.1.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import probability_of_improvement
    >>> float(probability_of_improvement(1.0, 1.0, 1.0))
    0.5
    """
    host, shape, (mean, std, best) = _mean_std_best("probability_of_improvement", mean, std,
                                                    best)
    out = (mean > best).astype(np.float64)
    pos = std > 0
    out[pos] = special.ndtr((mean[pos] - best[pos]) / std[pos])
    return _finish(host, out, shape)


def log_probability_of_improvement(mean, std, best):
    """``log Phi((mean - best) / std)`` through :func:`scipy.special.log_ndtr`.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (finite, ``std >= 0``, broadcastable).
    best : float or array-like
        The incumbent value (finite).

    Returns
    -------
    ndarray or float
        Log probabilities with the broadcast shape (``-inf`` where ``std == 0`` and
        ``mean <= best``).

    References
    ----------
    .. [1] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708, the log-space acquisitions (LogPI).
    .. [2] H. J. Kushner, "A new method of locating the maximum point of an arbitrary
       multipeak curve in the presence of noise", Journal of Basic Engineering 86(1), 1964.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import log_probability_of_improvement
    >>> bool(log_probability_of_improvement(-100.0, 1.0, 0.0) > -5010)
    True
    """
    host, shape, (mean, std, best) = _mean_std_best("log_probability_of_improvement", mean,
                                                    std, best)
    with np.errstate(divide="ignore"):
        out = np.log((mean > best).astype(np.float64))
    pos = std > 0
    out[pos] = special.log_ndtr((mean[pos] - best[pos]) / std[pos])
    return _finish(host, out, shape)


def _first_device(*arrays):
    return next((d for d in map(device, arrays) if not (isinstance(d, str) and d == "cpu")),
                "cpu")


def _as_xp(x, name, xp, dev, **kwargs):
    """Validated float64 array of namespace ``xp`` on device ``dev``."""
    return check_array(x, name, xp=xp, device=dev, **kwargs)


def upper_confidence_bound(mean, std, beta=2.0):
    """GP-UCB ``mean + sqrt(beta) * std``, in the namespace of the inputs.

    Described in [1]_.

    Parameters
    ----------
    mean, std : array-like
        Posterior mean and standard deviation (finite, ``std >= 0``, broadcastable).
    beta : float, default=2.0
        Exploration weight, finite and >= 0.

    Returns
    -------
    ndarray or float
        The bound, with the broadcast shape.

    References
    ----------
    .. [1] N. Srinivas, A. Krause, S. M. Kakade and M. Seeger, "Gaussian process
       optimization in the bandit setting: no regret and experimental design", ICML 2010,
       arXiv:0912.3995, the GP-UCB rule.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import upper_confidence_bound
    >>> float(upper_confidence_bound(1.0, 2.0, beta=4.0))
    5.0
    """
    xp = get_namespace(mean, std)
    dev = _first_device(mean, std)
    mean = _as_xp(mean, "mean", xp, dev)
    std = _as_xp(std, "std", xp, dev)
    if float(xp.min(std)) < 0:
        raise ValueError(f"std must be >= 0 (smallest entry {float(xp.min(std)):.3g})")
    _broadcast([("mean", np.empty(tuple(mean.shape))), ("std", np.empty(tuple(std.shape)))])
    beta = check_scalar_in(beta, "beta", low=0)
    out = mean + math.sqrt(beta) * std
    if is_numpy_namespace(xp):
        out = np.asarray(out)
        return out[()] if out.ndim == 0 else out
    return out


# --------------------------------------------------------------------------------------
# Knowledge gradient on a discrete set (Frazier, Powell & Dayanik 2009)
# --------------------------------------------------------------------------------------


def _dkg(A, B):
    """KG of every row of the float64 arrays ``(A, B)`` of shape (m, M), with gradients."""
    from ._kernels import dkg_rows

    # The kernel reads its inputs only; a writeable C-contiguous array keeps it on the one
    # compiled signature (read-only arrays would compile a second one).
    A = np.require(A, dtype=np.float64, requirements=["C", "W"])
    B = np.require(B, dtype=np.float64, requirements=["C", "W"])
    return dkg_rows(A, B)


def discrete_knowledge_gradient(a, b, *, return_grad=False):
    """Discrete knowledge gradient ``E[max_i (a_i + b_i Z)] - max_i a_i``, ``Z ~ N(0, 1)``.

    The Frazier-Powell-Dayanik algorithm: sort the lines ``a_i + b_i z`` by slope, keep
    the largest intercept among equal slopes, build the upper envelope (dropping
    dominated lines) with breakpoints ``c_1 < ... < c_{M-1}``, and sum
    ``(b_{j+1} - b_j) h(-|c_j|)``. Cost O(M log M) per row (a numba kernel, so array-API
    input goes through the host).

    In Bayesian optimisation ``a`` holds the posterior means on a set of points and ``b``
    the change of those means per unit standardised observation at the sampled point:
    ``b_i = Sigma_n(x_i, x) / sqrt(sigma_n^2(x) + noise)``.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    a, b : array-like of shape (M,) or (m, M)
        Intercepts and slopes (finite, same shape); a 2-D input gives one value per row.
    return_grad : bool, default=False
        Also return the derivatives with respect to ``a`` and ``b`` (envelope theorem:
        ``P(line i is the maximum)`` and ``E[Z; line i is the maximum]``).

    Returns
    -------
    kg : float or ndarray of shape (m,)
        Non-negative.
    grad_a, grad_b : ndarray, same shape as ``a``
        Only when ``return_grad`` is True.

    References
    ----------
    .. [1] P. Frazier, W. Powell and S. Dayanik, "The knowledge-gradient policy for
       correlated normal beliefs", INFORMS Journal on Computing 21(4):599-613, 2009, the
       exact computation on the upper envelope of lines.
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.2, eq. (10).

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import discrete_knowledge_gradient
    >>> round(float(discrete_knowledge_gradient([0.0, 0.0], [-1.0, 1.0])), 6)  # E|Z|
    0.797885
    """
    host = on_host(a, b, where="discrete_knowledge_gradient")
    a = check_array(host.to_numpy(a), "a", ndim=(1, 2), xp=np)
    b = check_array(host.to_numpy(b), "b", ndim=(1, 2), xp=np)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (got {a.shape} and {b.shape})")
    return_grad = check_bool(return_grad, "return_grad")
    kg, ga, gb = _dkg(np.atleast_2d(a), np.atleast_2d(b))
    if a.ndim == 1:
        kg, ga, gb = float(kg[0]), ga[0], gb[0]
    return host.from_numpy((kg, ga, gb) if return_grad else kg)


def _noisy_ei(mean_obs, mean, cov_obs, var, noise_var):
    denom = np.sqrt(var + noise_var)
    safe = np.where(denom > 0, denom, 1.0)
    m = mean.shape[0]
    A = np.concatenate([np.broadcast_to(mean_obs, (m, mean_obs.size)), mean[:, None]], axis=1)
    B = np.concatenate([cov_obs, var[:, None]], axis=1) / safe[:, None]
    B[denom == 0] = 0.0
    kg = _dkg(A, B)[0]
    return kg + A.max(axis=1) - mean_obs.max()


def noisy_expected_improvement(mean_obs, mean, cov_obs, var, noise_var=0.0):
    """Frazier's noisy expected improvement, computed exactly by the discrete KG.

    ``EI_noisy(x) = E_n[max_{i<=n+1} mu_{n+1}(x_i) - max_{i<=n} mu_n(x_i)]`` with
    ``x_{n+1} = x`` (Frazier 2018, section 5; the KGCP of Scott, Frazier & Powell 2011).
    On ``S = {x_1..x_n, x}``, ``a = mu_n(S)`` and ``b = Sigma_n(S, x) / sqrt(sigma_n^2(x) +
    noise_var)``; the value is ``KG_disc(a, b) + max_S a - max_{i<=n} a_i``. Without noise
    and with ``x`` away from the data it equals :func:`expected_improvement` with
    ``best = max_i mu_n(x_i)``.

    Described in [1]_, [2]_ and [3]_.

    Parameters
    ----------
    mean_obs : array-like of shape (n,)
        Posterior means at the evaluated points.
    mean : array-like of shape (m,)
        Posterior means at the candidates.
    cov_obs : array-like of shape (m, n)
        Posterior covariances ``Sigma_n(x, x_i)`` between candidates and evaluated points.
    var : array-like of shape (m,)
        Posterior variances of the latent function at the candidates (>= 0).
    noise_var : float, default=0.0
        Observation-noise variance of the next evaluation (finite, >= 0).

    Returns
    -------
    ndarray of shape (m,)
        The noisy expected improvement of each candidate.

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 5, noisy evaluations (the generalisation of EI).
    .. [2] W. Scott, P. Frazier and W. Powell, "The correlated knowledge gradient for
       simulation optimization of continuous parameters using Gaussian process regression",
       SIAM Journal on Optimization 21(3):996-1026, 2011, the KGCP policy.
    .. [3] P. Frazier, W. Powell and S. Dayanik, "The knowledge-gradient policy for
       correlated normal beliefs", INFORMS Journal on Computing 21(4):599-613, 2009, the
       discrete KG computation.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import noisy_expected_improvement
    >>> v = noisy_expected_improvement([0.0], [0.0], [[0.0]], [1.0])
    >>> round(float(v[0]), 6)
    0.398942
    """
    host = on_host(mean_obs, mean, cov_obs, var, where="noisy_expected_improvement")
    mean_obs = check_array(host.to_numpy(mean_obs), "mean_obs", ndim=1, xp=np)
    mean = check_array(host.to_numpy(mean), "mean", ndim=1, xp=np)
    cov_obs = check_array(host.to_numpy(cov_obs), "cov_obs", ndim=2, xp=np)
    var = check_array(host.to_numpy(var), "var", ndim=1, xp=np)
    check_same_length(("mean", mean), ("cov_obs", cov_obs), ("var", var))
    if cov_obs.shape[1] != mean_obs.shape[0]:
        raise ValueError(f"cov_obs must have one column per entry of mean_obs "
                         f"({mean_obs.shape[0]}) (got {cov_obs.shape[1]})")
    _check_std(var, "var")
    noise_var = check_scalar_in(noise_var, "noise_var", low=0)
    return host.from_numpy(_noisy_ei(mean_obs, mean, cov_obs, var, noise_var))


# --------------------------------------------------------------------------------------
# Max-value entropy search and q-EI
# --------------------------------------------------------------------------------------


def _mes(mean, std, ystar):
    gamma = (ystar[None, :] - mean[:, None]) / std[:, None]
    log_cdf = special.log_ndtr(gamma)
    ratio = np.exp(-0.5 * gamma**2 - _LOG_SQRT_2PI - log_cdf)  # phi / Phi
    val = 0.5 * gamma * ratio - log_cdf
    return np.maximum(val.mean(axis=-1), 0.0)


def max_value_entropy_search(mean, std, max_samples):
    """Max-value entropy search (Wang & Jegelka 2017), noise-free closed form.

    ``alpha(x) = mean_k [gamma_k phi(gamma_k) / (2 Phi(gamma_k)) - log Phi(gamma_k)]``
    with ``gamma_k = (y*_k - mean(x)) / std(x)``: the entropy of ``f(x)`` minus the
    expected entropy of ``f(x)`` truncated above at a sampled maximum ``y*_k`` (in nats).

    Described in [1]_.

    Parameters
    ----------
    mean, std : array-like of shape (m,)
        Posterior mean and standard deviation (finite, ``std > 0``).
    max_samples : array-like of shape (K,)
        Samples of the maximum value ``y*`` (finite).

    Returns
    -------
    ndarray of shape (m,)
        Information gain in nats, >= 0.

    References
    ----------
    .. [1] Z. Wang and S. Jegelka, "Max-value entropy search for efficient Bayesian
       optimization", ICML 2017, arXiv:1703.01968, the MES closed form for noise-free
       observations.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import max_value_entropy_search
    >>> v = max_value_entropy_search([0.0, 0.0], [1.0, 1.0], [0.0])
    >>> bool(v[0] > 0)
    True
    """
    host = on_host(mean, std, max_samples, where="max_value_entropy_search")
    mean = check_array(host.to_numpy(mean), "mean", ndim=1, xp=np)
    std = check_array(host.to_numpy(std), "std", ndim=1, xp=np)
    ystar = check_array(host.to_numpy(max_samples), "max_samples", ndim=1, xp=np)
    check_same_length(("mean", mean), ("std", std))
    _check_std(std, positive=True)
    return host.from_numpy(_mes(mean, std, ystar))


def normal_base_samples(n_samples, dim, *, qmc=True, random_state=None):
    """Standard-normal base samples, scrambled Sobol (``qmc=True``) or pseudo-random.

    Described in [1]_.

    Parameters
    ----------
    n_samples : int
        Number of samples, >= 1 (a power of two keeps Sobol's balance properties).
    dim : int
        Dimension, >= 1.
    qmc : bool, default=True
        Scrambled Sobol points mapped through the normal quantile, else pseudo-random.
    random_state : None, int, RandomState or Generator
        Seeds the scrambling or the draws.

    Returns
    -------
    ndarray of shape (n_samples, dim)
        The samples.

    References
    ----------
    .. [1] M. Balandat, B. Karrer, D. R. Jiang, S. Daulton, B. Letham, A. G. Wilson and E.
       Bakshy, "BoTorch: a framework for efficient Monte-Carlo Bayesian optimization",
       NeurIPS 2020, arXiv:1910.06403, fixed quasi-Monte-Carlo base samples.

    Examples
    --------
    >>> from probstat.bayesopt.acquisition import normal_base_samples
    >>> normal_base_samples(8, 2, random_state=0).shape
    (8, 2)
    """
    n_samples = check_scalar_in(n_samples, "n_samples", low=1, integer=True)
    dim = check_scalar_in(dim, "dim", low=1, integer=True)
    qmc = check_bool(qmc, "qmc")
    rng = check_rng(random_state)
    return _base_samples(n_samples, dim, qmc, rng)


def _base_samples(n_samples, dim, qmc, rng):
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

    Described in [1]_, [2]_ and [3]_.

    Parameters
    ----------
    mean : array-like of shape (..., q)
        Posterior means of the batches (finite).
    cov : array-like of shape (..., q, q)
        Posterior covariances of the batches (finite, positive semi-definite).
    best : float
        The incumbent value (finite).
    n_samples : int, default=512
        Number of base samples when ``base_samples`` is not given (>= 1).
    qmc : bool, default=True
        Scrambled Sobol base samples (else pseudo-random normals).
    random_state : None, int, RandomState or Generator
        Seeds the base samples.
    base_samples : array-like of shape (n_samples, q), optional
        Fixed base samples (sample-average approximation); overrides ``n_samples``.

    Returns
    -------
    float or array of shape (...)
        The estimate for each batch.

    References
    ----------
    .. [1] D. Ginsbourger, R. Le Riche and L. Carraro, "Kriging is well-suited to
       parallelize optimization", in *Computational Intelligence in Expensive Optimization
       Problems*, Springer, 2010, the multipoint q-EI.
    .. [2] M. Balandat, B. Karrer, D. R. Jiang, S. Daulton, B. Letham, A. G. Wilson and E.
       Bakshy, "BoTorch: a framework for efficient Monte-Carlo Bayesian optimization",
       NeurIPS 2020, arXiv:1910.06403, Monte-Carlo acquisition functions.
    .. [3] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 5 (parallel evaluations).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.bayesopt.acquisition import q_expected_improvement
    >>> v = q_expected_improvement([0.0], [[1.0]], 0.0, n_samples=4096, random_state=0)
    >>> abs(float(v) - 0.398942) < 5e-3
    True
    """
    xp = get_namespace(mean, cov)
    dev = _first_device(mean, cov)
    mean = _as_xp(mean, "mean", xp, dev)
    cov = _as_xp(cov, "cov", xp, dev)
    if mean.ndim < 1:
        raise ValueError("mean must have at least one dimension (the batch of q points)")
    q = mean.shape[-1]
    if tuple(cov.shape) != (*mean.shape, q):
        raise ValueError(f"cov must have shape mean.shape + (q,) = {(*mean.shape, q)} "
                         f"(got {tuple(cov.shape)} for mean of shape {tuple(mean.shape)})")
    best = check_scalar_in(best, "best")
    n_samples = check_scalar_in(n_samples, "n_samples", low=1, integer=True)
    qmc = check_bool(qmc, "qmc")
    rng = check_rng(random_state)
    if base_samples is None:
        eps = _base_samples(n_samples, q, qmc, rng)
    else:
        eps = check_array(to_numpy(base_samples), "base_samples", ndim=2, xp=np)
        if eps.shape[1] != q:
            raise ValueError(f"base_samples must have shape (n_samples, {q}) "
                             f"(got {eps.shape})")
    eps = move_to(eps, xp=xp, device=dev)
    diag_mean = xp.mean(xp.abs(xp.linalg.diagonal(cov)), axis=-1)
    eye = xp.eye(q, dtype=xp.float64, device=None if dev == "cpu" else dev)
    jitter = 1e-10 * (diag_mean[..., None, None] + 1e-30)
    try:
        L = xp.linalg.cholesky(cov + jitter * eye)
        ok = bool(xp.all(xp.isfinite(L)))
    except (np.linalg.LinAlgError, RuntimeError):  # NumPy / array-api-strict, torch
        ok = False
    if not ok:
        raise ValueError("cov must be positive semi-definite (its Cholesky factorisation "
                         "failed)")
    # samples: (..., S, q) = mean[..., None, :] + eps @ L^T
    f = mean[..., None, :] + xp.matmul(eps, xp.matrix_transpose(L))
    imp = xp.max(f - best, axis=-1)
    imp = xp.where(imp > 0, imp, xp.zeros_like(imp))
    val = xp.mean(imp, axis=-1)
    if is_numpy_namespace(xp):
        val = np.asarray(val)
        return float(val) if val.ndim == 0 else val
    return val
