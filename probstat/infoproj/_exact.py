"""Exact risks of correct models, the KL tolerance of a Bayes-error requirement, ``n_min``.

The risk is ``R(n) = E_g D[g(.; theta*) || g(.; theta_hat)]`` (projection first). The exact
risks take a sample size or an array of them; those with a digamma go through the host
(SciPy), the others compute in the input's namespace.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import scipy.special

from ..backend import get_namespace, on_host
from ..utils import check_array, check_option, check_scalar_in

__all__ = [
    "exact_risk_exponential",
    "exact_risk_gamma",
    "exact_risk_mvn",
    "exact_risk_normal_known_var",
    "kl_tolerance",
    "min_sample_size",
]


def _is_scalar(x):
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _check_n(n, minimum, name="n", xp=None):
    """Sample size(s) ``n > minimum``: a number, or a non-empty finite array of them."""
    if _is_scalar(n):
        return check_scalar_in(n, name, low=minimum, low_inclusive=False)
    arr = check_array(n, name, xp=xp)
    xp = get_namespace(arr) if xp is None else xp
    if bool(xp.any(arr <= minimum)):
        raise ValueError(f"{name} must be > {minimum} for a finite risk "
                         f"(smallest {float(xp.min(arr)):g})")
    return arr


def _scalar_out(value, like):
    """A float for a scalar (or 0-d) sample size, the array otherwise."""
    return float(value) if np.ndim(like) == 0 else value


def exact_risk_mvn(d, n):
    r"""Exact risk of the Gaussian MLE (mean and covariance free), correct model.

    ``R(n) = E D[N(mu, S) || N(xbar, S_hat)] =
    (1/2) [d(d+3)/(n-d-2) + sum_{i=1}^d digamma((n-i)/2) + d log(2/n)]`` with ``S_hat`` the
    MLE (divisor ``n``). It does not depend on ``mu`` or the true covariance.

    Parameters
    ----------
    d : int
        Dimension (``p = d(d+3)/2`` parameters).
    n : float or array
        Sample size(s); each must exceed ``d + 2`` for a finite risk.

    Returns
    -------
    float or array
        Risk in nats (an array of the input's shape and namespace for array ``n``).

    Raises
    ------
    ValueError
        If ``d < 1`` or some ``n <= d + 2``.

    Notes
    -----
    The risk is the expected loss of Sheena [1]_. The closed form is derived here (the user
    guide lists how it is checked) from standard normal-sample facts [2]_: ``xbar`` and
    ``n S_hat`` are independent, ``n S_hat`` is Wishart with ``n - 1`` degrees of freedom,
    so
    ``E[(n S_hat)^-1] = Sigma^-1 / (n - d - 2)`` and
    ``E log det(n S_hat Sigma^-1) = sum_{i=1}^d digamma((n-i)/2) + d log 2``.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025); journal version in Statistical Papers,
       doi:10.1007/s00362-022-01309-9, whose eq. (1) is the loss averaged here.
    .. [2] T. W. Anderson, *An Introduction to Multivariate Statistical Analysis*, 3rd ed.,
       Wiley (2003), the chapters on the Wishart distribution and the sample generalized
       variance.

    Examples
    --------
    >>> from probstat.infoproj import exact_risk_mvn
    >>> round(exact_risk_mvn(1, 1000) * 1000, 4)  # about c1 = 1 (+ c2/n)
    1.0051
    """
    d = check_scalar_in(d, "d", low=1, integer=True)
    host = on_host(n, where="exact_risk_mvn")
    narr = np.asarray(_check_n(host.to_numpy(n), d + 2, xp=np), dtype=float)
    i = np.arange(1, d + 1)
    dig = scipy.special.digamma((narr[..., None] - i) / 2.0).sum(axis=-1)
    r = 0.5 * (d * (d + 3) / (narr - d - 2) + dig + d * np.log(2.0 / narr))
    return host.from_numpy(_scalar_out(r, n))


def exact_risk_gamma(alpha, n):
    """Exact risk of the rate MLE of a Gamma distribution with known shape ``alpha``.

    ``R(n) = alpha [digamma(n alpha) - log(n alpha) + 1/(n alpha - 1)]`` (correct model).

    Parameters
    ----------
    alpha : float
        Known shape (> 0).
    n : float or array
        Sample size(s) > 0, with ``n alpha > 1``.

    Returns
    -------
    float or array
        Risk in nats.

    Raises
    ------
    ValueError
        If ``alpha <= 0`` or some ``n alpha <= 1``.

    Notes
    -----
    The risk is the expected loss of Sheena [1]_. The closed form is derived here (the user
    guide lists how it is checked): with rate ``beta`` and MLE ``beta_hat = alpha / xbar``,
    the loss is ``alpha [log(beta / beta_hat) + beta_hat / beta - 1]``, and
    ``S = n beta xbar`` is Gamma(``n alpha``, 1), for which ``E log S = digamma(n alpha)``
    and ``E[1/S] = 1/(n alpha - 1)`` [2]_.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025); journal version in Statistical Papers,
       doi:10.1007/s00362-022-01309-9, whose eq. (1) is the loss averaged here.
    .. [2] N. L. Johnson, S. Kotz and N. Balakrishnan, *Continuous Univariate
       Distributions*, vol. 1, 2nd ed., Wiley (1994), the chapter on gamma distributions.

    Examples
    --------
    >>> from probstat.infoproj import exact_risk_gamma
    >>> round(exact_risk_gamma(2.5, 20), 8)
    0.02593708
    """
    alpha = check_scalar_in(alpha, "alpha", low=0, low_inclusive=False)
    host = on_host(n, where="exact_risk_gamma")
    narr = np.asarray(_check_n(host.to_numpy(n), 0, xp=np), dtype=float)
    na = narr * alpha
    if np.any(na <= 1):
        raise ValueError(f"n * alpha must be > 1 for a finite risk (got n={float(narr.min()):g}"
                         f", alpha={alpha})")
    r = alpha * (scipy.special.digamma(na) - np.log(na) + 1.0 / (na - 1.0))
    return host.from_numpy(_scalar_out(r, n))


def exact_risk_exponential(n):
    """Exact risk of the rate MLE of the exponential distribution: ``digamma(n) - log n + 1/(n-1)``.

    Parameters
    ----------
    n : float or array
        Sample size(s) > 1.

    Returns
    -------
    float or array
        Risk in nats.

    Raises
    ------
    ValueError
        If some ``n <= 1``.

    Notes
    -----
    The risk is the expected loss of Sheena [1]_; the closed form is
    :func:`exact_risk_gamma` with ``alpha = 1``, derived here (the user guide lists how it
    is checked) from ``E log S = digamma(n)`` and ``E[1/S] = 1/(n - 1)`` for the
    Gamma(``n``, 1) variable ``S = n rate xbar`` [2]_.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025); journal version in Statistical Papers,
       doi:10.1007/s00362-022-01309-9, whose eq. (1) is the loss averaged here.
    .. [2] N. L. Johnson, S. Kotz and N. Balakrishnan, *Continuous Univariate
       Distributions*, vol. 1, 2nd ed., Wiley (1994), the chapter on gamma distributions.

    Examples
    --------
    >>> from probstat.infoproj import exact_risk_exponential
    >>> round(exact_risk_exponential(100) * 100, 6)  # about c1 = 1/2 (+ c2/n)
    0.509268
    """
    host = on_host(n, where="exact_risk_exponential")
    narr = np.asarray(_check_n(host.to_numpy(n), 1, xp=np), dtype=float)
    r = scipy.special.digamma(narr) - np.log(narr) + 1.0 / (narr - 1.0)
    return host.from_numpy(_scalar_out(r, n))


def exact_risk_normal_known_var(n, variance_ratio=1.0):
    """Exact risk of the mean MLE of a normal model with known variance ``sigma0^2``.

    For any truth with variance ``sigma^2``, ``R(n) = sigma^2 / (2 sigma0^2 n)`` exactly
    (``c2 = 0``).

    Parameters
    ----------
    n : float or array
        Sample size(s) > 0.
    variance_ratio : float, default=1.0
        ``sigma^2 / sigma0^2``: true variance over the model's fixed variance (>= 0).

    Returns
    -------
    float or array
        Risk in nats (computed in the namespace of an array ``n``).

    Raises
    ------
    ValueError
        If some ``n <= 0`` or ``variance_ratio < 0``.

    Notes
    -----
    The risk is the expected loss of Sheena [1]_. Derived here (the user guide lists how it
    is checked): the information projection matches the mean, ``mu* = E_g X``, the loss
    is ``(xbar - mu*)^2 / (2 sigma0^2)``, and ``E (xbar - mu*)^2 = sigma^2 / n`` for any
    truth with finite variance.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025); journal version in Statistical Papers,
       doi:10.1007/s00362-022-01309-9, whose eq. (1) is the loss averaged here.

    Examples
    --------
    >>> from probstat.infoproj import exact_risk_normal_known_var
    >>> exact_risk_normal_known_var(10, 2.0)
    0.1
    """
    variance_ratio = check_scalar_in(variance_ratio, "variance_ratio", low=0)
    narr = _check_n(n, 0)
    return _scalar_out(variance_ratio / (2.0 * narr), n)


# --------------------------------------------------------------------------------------
# tolerance and sample size
# --------------------------------------------------------------------------------------
_BOUNDS = ("pinsker", "bretagnolle_huber", "best")


def kl_tolerance(eps, bound="best"):
    r"""KL tolerance ``delta`` on the risk that guarantees an expected total variation ``<= eps``.

    If ``R(n) = E D[g_theta* || g_theta_hat] <= delta`` then, by Jensen and a TV-KL
    inequality, ``E TV(g_theta*, g_theta_hat) <= eps``; hence the expected Bayes error rate
    between projection and estimate is at least ``(1 - eps)/2`` and the truth-vs-model Bayes
    error moves by at most ``eps`` on average.

    * ``"pinsker"``: ``TV <= sqrt(KL/2)``, so ``delta = 2 eps^2``.
    * ``"bretagnolle_huber"``: ``TV <= sqrt(1 - exp(-KL))``, so ``delta = -log(1 - eps^2)``.
    * ``"best"``: the larger (less demanding) of the two valid tolerances.

    Pinsker's inequality [1]_ and the Bretagnolle-Huber inequality [2]_ are stated in
    Tsybakov [3]_, section 2.4. Sheena's criterion [4]_ starts from a Bayes-error
    requirement; which inequality and constants the paper uses is not known, which is why
    this mapping is a separate, swappable function.

    Parameters
    ----------
    eps : float or array
        Allowed total variation, in (0, 1).
    bound : {"pinsker", "bretagnolle_huber", "best"}, default="best"
        The TV-KL inequality.

    Returns
    -------
    float or array
        ``delta`` in nats (computed in the namespace of an array ``eps``).

    Raises
    ------
    ValueError
        If some ``eps`` is outside (0, 1).

    References
    ----------
    .. [1] M. S. Pinsker, *Information and Information Stability of Random Variables and
       Processes*, Holden-Day (1964).
    .. [2] J. Bretagnolle and C. Huber, "Estimation des densités: risque minimax",
       Z. Wahrscheinlichkeitstheorie verw. Gebiete 47 (1979), 119-137.
    .. [3] A. B. Tsybakov, *Introduction to Nonparametric Estimation*, Springer (2009),
       section 2.4.
    .. [4] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 3, "Criterion for Model
       Complexity & Sample Size".

    Examples
    --------
    >>> from probstat.infoproj import kl_tolerance
    >>> round(kl_tolerance(0.05, "pinsker"), 12)
    0.005
    """
    bound = check_option(bound, "bound", _BOUNDS)
    if _is_scalar(eps):
        e = check_scalar_in(eps, "eps")
        if not 0 < e < 1:
            raise ValueError(f"eps must be in (0, 1) (got {e})")
        pinsker, bh = 2.0 * e**2, -math.log1p(-(e**2))
        return {"pinsker": pinsker, "bretagnolle_huber": bh, "best": max(pinsker, bh)}[bound]
    xp = get_namespace(eps)
    e = check_array(eps, "eps", xp=xp)
    if bool(xp.any(e <= 0)) or bool(xp.any(e >= 1)):
        raise ValueError(f"eps must be in (0, 1) (got values in [{float(xp.min(e)):g}, "
                         f"{float(xp.max(e)):g}])")
    pinsker = 2.0 * e**2
    bh = -xp.log1p(-(e**2))
    out = {"pinsker": pinsker, "bretagnolle_huber": bh,
           "best": xp.maximum(pinsker, bh)}[bound]
    return _scalar_out(out, eps)


def min_sample_size(c1, c2=0.0, delta=None, *, order=2):
    r"""Smallest integer ``n`` with ``c1/n + c2/n^2 <= delta``.

    Second order: ``n_min = ceil((c1 + sqrt(c1^2 + 4 delta c2)) / (2 delta))`` (when
    ``c2 >= -c1^2/(4 delta)``; otherwise every ``n >= 1`` passes and 1 is returned);
    first order ``ceil(c1/delta)``. Each value is checked (and corrected by one if
    rounding demands) so that it is exactly the smallest integer satisfying its
    inequality. The second-order answer is not guaranteed to be conservative. The
    criterion ``R(n) <= delta`` is Sheena's p-n criterion [1]_ (section 3); solving it for
    ``n`` is elementary and done here.

    Parameters
    ----------
    c1 : float
        First-order coefficient, ``> 0``.
    c2 : float, default=0
        Second-order coefficient.
    delta : float
        Tolerance on the risk in nats, ``> 0`` (see :func:`kl_tolerance`).
    order : {1, 2}, default=2
        Order of the expansion.

    Returns
    -------
    int
        The smallest passing sample size.

    Raises
    ------
    TypeError
        If ``delta`` is missing.
    ValueError
        If ``c1 <= 0`` or ``delta <= 0``.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 3, "Criterion for Model
       Complexity & Sample Size".

    Examples
    --------
    >>> from probstat.infoproj import min_sample_size
    >>> min_sample_size(1.5, 0.0, 0.01, order=1)
    150
    >>> min_sample_size(4.5, 38.0, 0.01)  # Gaussian d=3: c1=9/2, c2=38
    459
    """
    if delta is None:
        raise TypeError("min_sample_size() missing the tolerance delta")
    c1 = check_scalar_in(c1, "c1", low=0, low_inclusive=False)
    c2 = check_scalar_in(c2, "c2")
    delta = check_scalar_in(delta, "delta", low=0, low_inclusive=False)
    order = check_option(order, "order", (1, 2))
    if order == 1 or c2 == 0:
        n = max(1, math.ceil(c1 / delta))

        def ok(m):
            return c1 / m <= delta
    else:
        disc = c1 * c1 + 4.0 * delta * c2
        if disc < 0:
            return 1
        n = max(1, math.ceil((c1 + math.sqrt(disc)) / (2.0 * delta)))

        def ok(m):
            return c1 / m + c2 / m**2 <= delta
    while n > 1 and ok(n - 1):
        n -= 1
    while not ok(n):
        n += 1
    return int(n)
