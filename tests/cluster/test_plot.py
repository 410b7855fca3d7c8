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


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n_std="2"), TypeError, "n_std must be a real number"),
    (dict(n_std=0.0), ValueError, "n_std must be > 0"),
    (dict(dims=(0, 2)), ValueError, "dims must be <= 1"),
    (dict(dims=(0.5, 1)), TypeError, "dims must be an integer"),
    (dict(dims="01"), TypeError, "dims must be a pair"),
    (dict(title=3), TypeError, "title must be a string"),
    (dict(ax="axes"), TypeError, "ax must be a matplotlib Axes"),
    (dict(means=np.zeros((2, 3)), covariances=np.zeros((2, 3, 3))), ValueError,
     "means must have one column per feature"),
    (dict(means=np.zeros((2, 2)), covariances=np.zeros((3, 2, 2))), ValueError,
     "covariances must have shape"),
    (dict(means=np.zeros((2, 2)), covariances=np.full((2, 2, 2), np.nan)), ValueError,
     "covariances must be finite"),
])
def test_every_argument_is_checked_by_name(kwargs, error, match):
    X, y = make_heterogeneous_gmm(20, 2, 2, random_state=0)
    with pytest.raises(error, match=match):
        plot_clusters(X, y, **kwargs)


def test_string_labels_and_label_errors():
    X, y = make_heterogeneous_gmm(20, 2, 2, random_state=0)
    ax = plot_clusters(X, np.where(y == 0, "left", "right"))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["cluster left",
                                                                   "cluster right"]
    with pytest.raises(ValueError, match="labels must not contain NaN"):
        plot_clusters(X, np.where(y == 0, np.nan, 1.0))


def test_demo_figure_draws_one_panel_per_fit():
    from probstat.cluster._plot import demo_figure

    X, y = make_heterogeneous_gmm(30, 2, 2, random_state=0)
    S = np.array([np.eye(2), 2 * np.eye(2)])
    fig = demo_figure(X, [("a", y, None, None), ("b", 1 - y, np.zeros((2, 2)), S)])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    assert all(sum(isinstance(p, Ellipse) for p in ax.patches) == 2 for ax in fig.axes)


def test_default_figure_follows_the_figure_rules(tmp_path):
    """Without a title the Axes still gets one, both axes are labelled after the columns
    drawn, and the legend has one entry per cluster (one series each)."""
    import matplotlib.pyplot as plt

    X, y = make_heterogeneous_gmm(60, 3, 3, random_state=0)
    ax = plot_clusters(X, y, dims=(2, 0))
    assert ax.get_title() == "3 clusters, 2-standard-deviation ellipses"
    assert ax.get_xlabel() == "feature 2 (column 2 of X)"
    assert ax.get_ylabel() == "feature 0 (column 0 of X)"
    assert len(ax.get_legend().get_texts()) == 3
    one = plot_clusters(X, np.zeros(60, dtype=int), n_std=1.5)
    assert one.get_title() == "1 cluster, 1.5-standard-deviation ellipses"
    ax.figure.savefig(tmp_path / "clusters.png")
    assert (tmp_path / "clusters.png").stat().st_size > 0
    plt.close("all")
