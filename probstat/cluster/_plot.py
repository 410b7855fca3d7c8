"""Every figure of probstat.cluster: scatter plots of clusterings with covariance ellipses."""

from __future__ import annotations

import numpy as np

from ..backend import on_host
from ..plotting import get_axes
from ..utils import check_array, check_scalar_in
from ._common import check_cluster_labels


def plot_clusters(X, labels, *, means=None, covariances=None, n_std=2.0, dims=(0, 1), ax=None,
                  title=None):
    """Scatter two coordinates of X coloured by cluster, with covariance ellipses.

    Each ellipse is the ``n_std``-standard-deviation contour of a Gaussian (the set
    ``(x - mu)' S^{-1} (x - mu) = n_std^2``, a constant-density contour of the normal
    density [1]_), drawn from the 2 x 2 block of its covariance for the chosen
    coordinates (the marginal of those two coordinates). Without
    ``means``/``covariances`` they are estimated from the labels. The Axes gets a title
    (a default one when ``title`` is None), axis labels naming the columns, and a legend
    with one entry per cluster; pass ``ax`` to place the panel in a larger figure, as
    when comparing an :class:`ILASDP` fit with a ``GaussianMixture`` side by side.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The points.
    labels : array-like of shape (n_samples,)
        Cluster labels: any hashable values (integers, strings, ...), but not ``None``,
        NaN, inf or complex numbers.
    means : array-like of shape (n_clusters, n_features), optional
        Centres of the ellipses.
    covariances : array-like of shape (n_clusters, n_features, n_features), optional
        Covariances of the ellipses. For example a fitted :class:`ILASDP`'s ``means_``
        and ``covariances_``.
    n_std : float, default=2.0
        Size of the ellipses in standard deviations (> 0).
    dims : tuple of two int, default=(0, 1)
        The coordinates to draw: two different columns of ``X``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure when None.
    title : str, optional
        Title of the Axes; by default the number of clusters and the ellipses' size.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Raises
    ------
    TypeError
        For non-numeric arrays, a ``dims`` that is not a pair of integers, an ``ax`` that
        is not a matplotlib Axes or a ``title`` that is not a string.
    ValueError
        For arrays of the wrong shape or with NaN/inf, bad labels, ``n_std <= 0``,
        ``dims`` outside the columns of ``X``, or only one of ``means`` and
        ``covariances``.

    References
    ----------
    .. [1] R. A. Johnson and D. W. Wichern, *Applied Multivariate Statistical Analysis*,
       6th ed., Pearson, 2007, Chapter 4 (the multivariate normal density and its
       constant-density ellipsoids).

    Examples
    --------
    >>> from probstat.cluster import plot_clusters
    >>> from probstat.datasets import make_heterogeneous_gmm
    >>> X, y = make_heterogeneous_gmm(60, 2, 2, random_state=0)
    >>> ax = plot_clusters(X, y)
    """
    from matplotlib.axes import Axes
    from matplotlib.patches import Ellipse

    host = on_host(X, labels, means, covariances, where="plot_clusters")
    X = check_array(host.to_numpy(X), "X", ndim=2)
    n, p = X.shape
    labels = check_cluster_labels(host.to_numpy(labels), "labels", n_samples=n)
    n_std = check_scalar_in(n_std, "n_std", low=0, low_inclusive=False)
    i, j = _check_dims(dims, p)
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None (got {type(ax).__name__})")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None (got {type(title).__name__})")
    if (means is None) != (covariances is None):
        raise ValueError("give both means and covariances, or neither")
    names = list(dict.fromkeys(labels.tolist())) if labels.dtype.kind == "O" else np.unique(
        labels)
    member = [labels == name for name in names]
    if means is None:
        means = np.stack([X[rows].mean(axis=0) for rows in member])
        covariances = np.stack([np.cov(X[rows].T, bias=True).reshape(p, p)
                                if rows.sum() > 1 else np.zeros((p, p)) for rows in member])
    else:
        means = check_array(host.to_numpy(means), "means", ndim=2)
        covariances = check_array(host.to_numpy(covariances), "covariances", ndim=3)
        if means.shape[1] != p:
            raise ValueError(f"means must have one column per feature of X ({p}) "
                             f"(got shape {means.shape})")
        if covariances.shape != (means.shape[0], p, p):
            raise ValueError(f"covariances must have shape {(means.shape[0], p, p)}, one "
                             f"p x p matrix per row of means (got {covariances.shape})")
    ax = get_axes(ax, figsize=(5, 4.5))
    colors = [f"C{c % 10}" for c in range(max(len(names), means.shape[0]))]
    for c, (name, rows) in enumerate(zip(names, member)):
        ax.scatter(X[rows, i], X[rows, j], s=12, color=colors[c], alpha=0.7,
                   label=f"cluster {name}")
    for c in range(means.shape[0]):
        S = covariances[c][np.ix_([i, j], [i, j])]
        vals, vecs = np.linalg.eigh((S + S.T) / 2.0)
        vals = np.clip(vals, 0.0, None)
        angle = np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1]))
        ell = Ellipse(means[c, [i, j]], 2 * n_std * np.sqrt(vals[1]),
                      2 * n_std * np.sqrt(vals[0]), angle=angle, fill=False,
                      color=colors[c], lw=1.8)
        ax.add_patch(ell)
        ax.plot(*means[c, [i, j]], marker="x", color="k", ms=7)
    ax.set_xlabel(f"feature {i} (column {i} of X)")
    ax.set_ylabel(f"feature {j} (column {j} of X)")
    if title is None:
        title = (f"{len(names)} cluster{'s' if len(names) != 1 else ''}, "
                 f"{n_std:g}-standard-deviation ellipses")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="best")
    return ax


def _check_dims(dims, p):
    """Two different column indices of a p-column matrix."""
    if isinstance(dims, (str, bytes)) or not hasattr(dims, "__len__") or len(dims) != 2:
        raise TypeError(f"dims must be a pair of column indices (got {dims!r:.60})")
    i, j = (check_scalar_in(d, "dims", low=0, high=p - 1, integer=True) for d in dims)
    if i == j:
        raise ValueError(f"dims must be two different columns of X (got {tuple(dims)})")
    return i, j


def demo_figure(X, panels):
    """The tour's figure: one :func:`plot_clusters` panel per ``(title, labels, means,
    covariances)`` (``means``/``covariances`` may be None), side by side."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 4.2), sharex=True,
                             sharey=True)
    for ax, (title, labels, means, covariances) in zip(np.atleast_1d(axes), panels):
        plot_clusters(X, labels, means=means, covariances=covariances, ax=ax, title=title)
    return fig
