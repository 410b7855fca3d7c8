"""Contract cases for probstat.cluster."""

from __future__ import annotations

import numpy as np

from probstat.cluster import ILASDP, KMeansSDP, misclustering_error, plot_clusters

from ._cases import Case

#: Two well-separated clusters of six points, one long, one round (rows alternate).
X = np.array([[0.57, 4.61], [3.87, 0.0], [2.23, 3.09], [3.99, -1.31], [0.36, 3.5],
              [3.39, -1.28], [-0.34, 4.26], [2.76, -1.94], [0.15, 3.74], [4.29, -1.94],
              [-1.5, 4.46], [5.46, 1.05]])
Y = np.array([1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
MEANS = np.array([[0.0, 4.0], [4.0, -1.0]])
COVS = np.array([[[2.0, -0.5], [-0.5, 0.5]], [[0.8, 0.1], [0.1, 0.6]]])

#: Parameter values every clusterer must refuse, by name.
_BAD_COMMON = {
    "n_clusters": [0, 2.5, "2", 50],  # 50 > n_samples
    "solver": ["mosek", 1],
    "solver_options": ["eps", {"bogus": 1}, {"rank": 0}, {"max_iter": "5"}, {"eps": -1.0},
                       {"certify_tol": 0.0}, {"max_rank": 0}],
    "subsample_size": [1, 2.5, "10"],
    "store_Z": ["yes", 1],
    "certify": ["yes", 1],
}


def _kmeans(X, **params):
    km = KMeansSDP(**params).fit(X)
    return km.labels_, km.cluster_centers_, km.inertia_, km.objective_, km.predict(X)


def _kmeans_z(X, **params):
    km = KMeansSDP(**params).fit(X)
    return km.labels_, km.cluster_centers_, km.Z_, km.predict(X)


def _ilasdp(X, **params):
    model = ILASDP(**params).fit(X)
    return (model.labels_, model.means_, model.covariances_, model.precisions_cholesky_,
            model.weights_, model.objective_path_, model.predict(X), model.score(X))


def _ilasdp_init(X, init, **params):
    model = ILASDP(init=init, **params).fit(X)
    return (model.labels_, model.init_labels_, model.means_, model.covariances_,
            model.membership_, model.Z_, model.predict(X))


def _plot(X, labels, means, covariances, **params):
    ax = plot_clusters(X, labels, means=means, covariances=covariances, **params)
    return len(ax.patches), len(ax.collections), ax.get_title()


CASES = [
    Case("probstat.cluster.KMeansSDP", _kmeans, id="bm", arrays={"X": X},
         params={"n_clusters": 2, "solver": "bm", "random_state": 0, "verbose": 0},
         host=True, bad_params={**_BAD_COMMON, "rounding": ["round", None]}),
    Case("probstat.cluster.KMeansSDP", _kmeans_z, id="cvxpy", arrays={"X": X},
         params={"n_clusters": 2, "solver": "cvxpy", "store_Z": True, "random_state": 0},
         host=True, rtol=1e-6, atol=1e-8),
    Case("probstat.cluster.ILASDP", _ilasdp, id="bm", arrays={"X": X},
         params={"n_clusters": 2, "solver": "bm", "max_iter": 3, "tol": 1e-6,
                 "random_state": 0, "verbose": 0},
         host=True,
         bad_params={**_BAD_COMMON, "init": ["bogus", 3],
                     "covariance_update": ["both", None], "reg_covar": [-1.0, "0.1"],
                     "shrinkage": [1.5, -0.1, "lw"], "weights": ["no", 1],
                     "n_init": [0, 1.5, "2"]}),
    Case("probstat.cluster.ILASDP", _ilasdp_init, id="init", arrays={"X": X, "init": Y},
         params={"n_clusters": 2, "solver": "cvxpy", "store_Z": True, "random_state": 0},
         kinds={"init": "labels"}, paired=(("X", "init"),), host=True, rtol=1e-6,
         atol=1e-8),
    # Labels may be any hashable values, strings included ("strings" gives "0", "1", ...).
    Case("probstat.cluster.misclustering_error", misclustering_error,
         arrays={"labels_true": Y, "labels_pred": np.array([1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1,
                                                            0])},
         paired=(("labels_true", "labels_pred"),), host=True,
         accepts={"labels_true": {"strings"}, "labels_pred": {"strings"}}),
    Case("probstat.cluster.plot_clusters", _plot,
         arrays={"X": X, "labels": Y, "means": MEANS, "covariances": COVS},
         params={"n_std": 2.0, "dims": (0, 1), "title": "clusters"},
         paired=(("X", "labels"), ("means", "covariances")), host=True,
         accepts={"labels": {"strings"}},
         bad_params={"n_std": [0.0, -1.0, float("nan"), "2"],
                     "dims": [(0, 0), (0, 2), (-1, 0), (0.5, 1), "01", 0],
                     "title": [3], "ax": ["axes"]}),
]

EXEMPT = {
    "probstat.cluster.demo": "exercised by tests/test_tour.py",
}
