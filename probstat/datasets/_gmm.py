"""Gaussian mixtures with heterogeneous cluster shapes, and the SDP recovery threshold."""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np

from ..base import ResultMixin
from ..utils import check_rng, check_scalar_in

_SHAPES = ("isotropic", "diagonal", "random")


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class GaussianMixtureParams(ResultMixin):
    """The parameters a heterogeneous mixture was drawn from.

    Parameters
    ----------
    means : ndarray of shape (n_clusters, n_features)
    covariances : ndarray of shape (n_clusters, n_features, n_features)
    weights : ndarray of shape (n_clusters,)
        Target proportions.
    sizes : ndarray of shape (n_clusters,)
        Exact number of points drawn from each cluster.
    separation : float
        Smallest Euclidean distance between two means.
    """

    means: np.ndarray
    covariances: np.ndarray
    weights: np.ndarray
    sizes: np.ndarray
    separation: float


def sdp_recovery_threshold(n_samples, n_clusters, n_features, *, sigma=1.0):
    r"""Separation above which the K-means SDP recovers an isotropic mixture exactly.

    For ``n`` points from ``K`` equal-size clusters ``N(mu_k, sigma^2 I_p)``, Chen and Yang
    [1]_ show that the Peng-Wei K-means SDP
    recovers the partition with high probability once the smallest squared distance
    between centres exceeds

    .. math::

        \Theta^{*2} = 4 \sigma^2 \left(1 + \sqrt{1 + \frac{K p}{n \log n}}\right) \log n,

    and fails below it. This function returns :math:`\Theta^*` (a distance, not its
    square). The authors' simulations use ``1.2 * Theta*``.

    Parameters
    ----------
    n_samples : int
        Number of points ``n`` (at least 2).
    n_clusters : int
        Number of clusters ``K``.
    n_features : int
        Dimension ``p``.
    sigma : float, default=1.0
        Noise standard deviation.

    Returns
    -------
    float
        The threshold distance :math:`\Theta^*`.

    References
    ----------
    .. [1] X. Chen and Y. Yang, "Cutoff for exact recovery of Gaussian mixture models",
       IEEE Transactions on Information Theory, 2021, arXiv:2001.01194. The sharp cutoff
       on the separation of the centres, reached by the K-means SDP relaxation.

    Examples
    --------
    >>> from probstat.datasets import sdp_recovery_threshold
    >>> round(sdp_recovery_threshold(100, 2, 10), 3)
    6.102
    """
    n = check_scalar_in(n_samples, "n_samples", low=2, integer=True)
    k = check_scalar_in(n_clusters, "n_clusters", low=1, integer=True)
    p = check_scalar_in(n_features, "n_features", low=1, integer=True)
    sigma = check_scalar_in(sigma, "sigma", low=0, low_inclusive=False)
    log_n = math.log(n)
    return float(math.sqrt(4.0 * sigma**2 * (1.0 + math.sqrt(1.0 + k * p / (n * log_n)))
                           * log_n))


def _exact_sizes(n, weights):
    """Split n into integer sizes proportional to weights (largest remainder)."""
    raw = weights * n
    sizes = np.floor(raw).astype(np.int64)
    short = n - int(sizes.sum())
    if short:
        order = np.argsort(-(raw - sizes), kind="stable")
        sizes[order[:short]] += 1
    return sizes


def _place_means(k, p, separation, rng):
    if k == 1:
        return np.zeros((1, p))
    if k <= p:
        # Scaled coordinate vectors: every pair is exactly `separation` apart.
        means = np.zeros((k, p))
        means[np.arange(k), np.arange(k)] = separation / math.sqrt(2.0)
        return means
    # More clusters than dimensions: random directions, rescaled so that the closest
    # pair is exactly `separation` apart.
    means = rng.standard_normal((k, p)) * math.sqrt(k)
    diff = means[:, None, :] - means[None, :, :]
    dist = np.sqrt((diff**2).sum(-1))
    dist[np.diag_indices(k)] = np.inf
    return means * (separation / dist.min())


def _shape(kind, p, anisotropy, rng):
    if kind == "isotropic" or p == 1:
        return np.eye(p)
    # Standard deviations spread geometrically from 1 to `anisotropy`, normalised so the
    # determinant is 1: the shape changes, the volume does not.
    stds = np.geomspace(1.0, anisotropy, p)
    stds = stds / np.exp(np.log(stds).mean())
    rng.shuffle(stds)
    if kind == "diagonal":
        return np.diag(stds**2)
    q, r = np.linalg.qr(rng.standard_normal((p, p)))
    q = q * np.sign(np.diag(r))
    return (q * stds**2) @ q.T


def make_heterogeneous_gmm(n_samples=300, n_features=2, n_clusters=3, *, separation=4.0,
                           shapes="random", anisotropy=4.0, scales=1.0, weights=None,
                           means=None, covariances=None, return_params=False,
                           random_state=None):
    """Draw a Gaussian mixture whose clusters differ in shape, scale and size.

    Cluster ``k`` has mean ``means[k]`` and covariance ``scales[k]**2 * S_k``, where the
    shape ``S_k`` has determinant 1. Cluster sizes are exact (``weights * n_samples``
    rounded by largest remainder), so the labels are a fixed partition, as in the
    classification likelihood that SDP clustering maximises. Rows are shuffled.

    Parameters
    ----------
    n_samples : int, default=300
        Total number of points.
    n_features : int, default=2
        Dimension ``p``.
    n_clusters : int, default=3
        Number of clusters ``K``.
    separation : float, default=4.0
        Smallest distance between two means. With ``K <= p`` the means are
        ``separation / sqrt(2) * e_k`` (every pair exactly ``separation`` apart, as in the
        K-means SDP literature); otherwise random points rescaled to this closest distance.
        Ignored when ``means`` is given.
    shapes : {"isotropic", "diagonal", "random"} or sequence of those, default="random"
        Shape of each cluster: the identity, an axis-aligned ellipsoid, or a randomly
        rotated ellipsoid. One string applies to every cluster.
    anisotropy : float, default=4.0
        Ratio of the longest to the shortest axis (standard deviations) of non-isotropic
        shapes; must be >= 1.
    scales : float or array-like of shape (n_clusters,), default=1.0
        Multiplier of each cluster's standard deviations.
    weights : array-like of shape (n_clusters,), optional
        Cluster proportions (imbalance); equal by default.
    means : array-like of shape (n_clusters, n_features), optional
        Explicit means (overrides ``separation``).
    covariances : array-like of shape (n_clusters, n_features, n_features), optional
        Explicit covariances (overrides ``shapes``, ``anisotropy`` and ``scales``).
    return_params : bool, default=False
        Also return a :class:`GaussianMixtureParams` with the true parameters.
    random_state : None, int, RandomState or Generator

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        True cluster labels ``0..n_clusters-1``.
    params : GaussianMixtureParams
        Only when ``return_params`` is True.

    See Also
    --------
    sdp_recovery_threshold : The separation needed for exact recovery (isotropic case).

    Examples
    --------
    >>> from probstat.datasets import make_heterogeneous_gmm
    >>> X, y = make_heterogeneous_gmm(90, 2, 3, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((90, 2), [0, 1, 2])
    >>> _, _, params = make_heterogeneous_gmm(10, 2, 2, weights=[0.8, 0.2],
    ...                                       return_params=True, random_state=0)
    >>> params.sizes.tolist()
    [8, 2]
    """
    n = check_scalar_in(n_samples, "n_samples", low=1, integer=True)
    p = check_scalar_in(n_features, "n_features", low=1, integer=True)
    k = check_scalar_in(n_clusters, "n_clusters", low=1, integer=True)
    if k > n:
        raise ValueError(f"n_clusters must be <= n_samples (got {k} > {n})")
    anisotropy = check_scalar_in(anisotropy, "anisotropy", low=1)
    rng = check_rng(random_state)

    if weights is None:
        w = np.full(k, 1.0 / k)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (k,):
            raise ValueError(f"weights must have shape ({k},) (got {w.shape})")
        if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
            raise ValueError("weights must be finite, non-negative and not all zero")
        w = w / w.sum()
    sizes = _exact_sizes(n, w)

    if means is None:
        separation = check_scalar_in(separation, "separation", low=0)
        mu = _place_means(k, p, separation, rng)
    else:
        mu = np.asarray(means, dtype=float)
        if mu.shape != (k, p):
            raise ValueError(f"means must have shape ({k}, {p}) (got {mu.shape})")
        if not np.all(np.isfinite(mu)):
            raise ValueError("means must be finite")

    if covariances is None:
        kinds = [shapes] * k if isinstance(shapes, str) else list(shapes)
        if len(kinds) != k or any(s not in _SHAPES for s in kinds):
            raise ValueError(
                f"shapes must be one of {list(_SHAPES)} or a sequence of {k} of them "
                f"(got {shapes!r})"
            )
        if isinstance(scales, numbers.Real):
            sc = np.full(k, float(scales))
        else:
            sc = np.asarray(scales, dtype=float)
        if sc.shape != (k,) or not np.all(np.isfinite(sc)) or np.any(sc <= 0):
            raise ValueError(f"scales must be a positive number or {k} positive numbers "
                             f"(got {scales!r})")
        cov = np.stack([sc[j] ** 2 * _shape(kinds[j], p, anisotropy, rng) for j in range(k)])
    else:
        cov = np.asarray(covariances, dtype=float)
        if cov.shape != (k, p, p):
            raise ValueError(f"covariances must have shape ({k}, {p}, {p}) (got {cov.shape})")
        for j in range(k):
            if not np.allclose(cov[j], cov[j].T) or np.linalg.eigvalsh(cov[j]).min() <= 0:
                raise ValueError(f"covariances[{j}] must be symmetric positive definite")

    y = np.repeat(np.arange(k), sizes)
    X = np.empty((n, p))
    for j in range(k):
        chol = np.linalg.cholesky(cov[j])
        rows = y == j
        X[rows] = mu[j] + rng.standard_normal((int(sizes[j]), p)) @ chol.T
    order = rng.permutation(n)
    X, y = X[order], y[order]
    if not return_params:
        return X, y
    if k > 1:
        d = np.sqrt(((mu[:, None, :] - mu[None, :, :]) ** 2).sum(-1))
        d[np.diag_indices(k)] = np.inf
        sep = float(d.min())
    else:
        sep = 0.0
    return X, y, GaussianMixtureParams(means=mu, covariances=cov, weights=w, sizes=sizes,
                                       separation=sep)
