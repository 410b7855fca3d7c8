"""plot_clusters and the demo."""

import numpy as np
import pytest
from matplotlib.patches import Ellipse

from probstat.cluster import plot_clusters
from probstat.datasets import make_heterogeneous_gmm


def test_ellipses_follow_the_covariances():
    X, y = make_heterogeneous_gmm(60, 3, 2, random_state=0)
    S = np.array([np.diag([4.0, 1.0, 9.0]), np.diag([1.0, 0.25, 1.0])])
    means = np.array([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
    ax = plot_clusters(X, y, means=means, covariances=S, n_std=2.0, dims=(0, 1))
    ells = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert len(ells) == 2
    # 2-sd ellipse of diag(4, 1): axes of length 2 * 2 * (2, 1) = (8, 4) around (0, 1).
    widths = sorted([ells[0].width, ells[0].height])
    np.testing.assert_allclose(widths, [4.0, 8.0], rtol=1e-12)
    np.testing.assert_allclose(ells[0].center, [0.0, 1.0])
    assert len(ax.collections) == 2  # one scatter per cluster


def test_estimates_from_labels_and_bad_input():
    X, y = make_heterogeneous_gmm(40, 2, 2, random_state=1)
    ax = plot_clusters(X, y, title="t")
    ells = [p for p in ax.patches if isinstance(p, Ellipse)]
    np.testing.assert_allclose(ells[1].center, X[y == 1].mean(0), rtol=1e-12)
    with pytest.raises(ValueError, match="dims"):
        plot_clusters(X, y, dims=(0, 0))
    with pytest.raises(ValueError, match="one label per sample"):
        plot_clusters(X, y[:-1])
    with pytest.raises(ValueError, match="both means and covariances"):
        plot_clusters(X, y, means=np.zeros((2, 2)))
