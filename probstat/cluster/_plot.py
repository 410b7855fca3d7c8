"""Scatter plots of clusterings with covariance ellipses."""

from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..plotting import get_axes


def plot_clusters(X, labels, *, means=None, covariances=None, n_std=2.0, dims=(0, 1), ax=None,
                  title=None):
    """Scatter two coordinates of X coloured by cluster, with covariance ellipses.

    Each ellipse is the ``n_std``-standard-deviation contour of a Gaussian, drawn from the
    2 x 2 block of its covariance for the chosen coordinates (the marginal of those two
    coordinates). Without ``means``/``covariances`` they are estimated from the labels.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    labels : array-like of shape (n_samples,)
    means : array-like of shape (n_clusters, n_features), optional
    covariances : array-like of shape (n_clusters, n_features, n_features), optional
        For example a fitted :class:`ILASDP`'s ``means_`` and ``covariances_``.
    n_std : float, default=2.0
        Size of the ellipses in standard deviations.
    dims : tuple of two int, default=(0, 1)
        The coordinates to draw.
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from probstat.cluster import plot_clusters
    >>> from probstat.datasets import make_heterogeneous_gmm
    >>> X, y = make_heterogeneous_gmm(60, 2, 2, random_state=0)
    >>> ax = plot_clusters(X, y)
    """
    from matplotlib.patches import Ellipse

    X = to_numpy(X, dtype=float)
    labels = to_numpy(labels).ravel()
    if X.ndim != 2 or X.shape[0] != labels.shape[0]:
        raise ValueError(f"X must be 2-D with one row per label (got X of shape {X.shape} "
                         f"and {labels.shape[0]} labels)")
    i, j = (int(d) for d in dims)
    if not (0 <= i < X.shape[1] and 0 <= j < X.shape[1]) or i == j:
        raise ValueError(f"dims must be two different columns of X (got {dims})")
    if not n_std > 0:
        raise ValueError(f"n_std must be > 0 (got {n_std})")
    names = np.unique(labels)
    if (means is None) != (covariances is None):
        raise ValueError("give both means and covariances, or neither")
    if means is None:
        means = np.stack([X[labels == c].mean(axis=0) for c in names])
        covariances = np.stack([np.cov(X[labels == c].T, bias=True).reshape(X.shape[1], -1)
                                if (labels == c).sum() > 1 else np.zeros((X.shape[1],) * 2)
                                for c in names])
    means = to_numpy(means, dtype=float)
    covariances = to_numpy(covariances, dtype=float)
    ax = get_axes(ax, figsize=(5, 4.5))
    colors = [f"C{c % 10}" for c in range(max(len(names), means.shape[0]))]
    for c, name in enumerate(names):
        rows = labels == name
        ax.scatter(X[rows, i], X[rows, j], s=12, color=colors[c], alpha=0.7,
                   label=f"cluster {name}")
    for c in range(means.shape[0]):
        S = covariances[c][np.ix_([i, j], [i, j])]
        vals, vecs = np.linalg.eigh(S)
        vals = np.clip(vals, 0.0, None)
        angle = np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1]))
        ell = Ellipse(means[c, [i, j]], 2 * n_std * np.sqrt(vals[1]),
                      2 * n_std * np.sqrt(vals[0]), angle=angle, fill=False,
                      color=colors[c], lw=1.8)
        ax.add_patch(ell)
        ax.plot(*means[c, [i, j]], marker="x", color="k", ms=7)
    ax.set_xlabel(f"x{i}")
    ax.set_ylabel(f"x{j}")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, loc="best")
    return ax
