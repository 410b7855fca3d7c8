"""Tour section for probstat.cluster."""

from __future__ import annotations

import time
import warnings

import numpy as np


def demo(out_dir, *, random_state=0):
    """Compare K-means, the K-means SDP, EM and iLA-SDP on differently shaped clusters.

    Two clusters share a centre line: a long thin one and a compact one. K-means and the
    K-means SDP cut the long cluster in half; iLA-SDP [1]_ adjusts each cluster's
    covariance and recovers the partition, as EM does. The isotropic K-means SDP is also
    run below and above the exact-recovery cutoff of [2]_.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder for the figure.
    random_state : int, default=0

    Returns
    -------
    probstat._tour.DemoSection

    References
    ----------
    .. [1] Y. Zhuang, X. Chen and Y. Yang, "Likelihood adjusted semidefinite programs
       for clustering heterogeneous data", ICML 2023, PMLR 202; arXiv:2209.15097.
    .. [2] X. Chen and Y. Yang, "Cutoff for exact recovery of Gaussian mixture models",
       IEEE Transactions on Information Theory 67(6), 4223-4238, 2021; arXiv:2001.01194.
    """
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    from .._tour import DemoSection, save_figure
    from ..datasets import make_heterogeneous_gmm, sdp_recovery_threshold
    from ..utils import ConvergenceWarning
    from ._ila_sdp import ILASDP
    from ._kmeans_sdp import KMeansSDP
    from ._metrics import misclustering_error
    from ._plot import demo_figure

    section = DemoSection("SDP clustering of heterogeneous Gaussians (probstat.cluster)")
    means = np.array([[0.0, 0.0], [0.0, 2.5]])
    covs = np.array([np.diag([25.0, 0.2]), np.diag([0.2, 0.2])])
    X, y = make_heterogeneous_gmm(200, 2, 2, means=means, covariances=covs,
                                  random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(2, n_init=10, random_state=random_state).fit(X)
        sdp = KMeansSDP(2, solver="bm", random_state=random_state).fit(X)
        start = time.perf_counter()
        ila = ILASDP(2, solver="bm", random_state=random_state).fit(X)
        t_ila = time.perf_counter() - start
        gmm = GaussianMixture(2, n_init=5, random_state=random_state).fit(X)
    err = {name: misclustering_error(y, lab) for name, lab in [
        ("K-means", km.labels_), ("K-means SDP", sdp.labels_), ("iLA-SDP", ila.labels_),
        ("EM (GaussianMixture)", gmm.predict(X))]}
    section.findings.append(
        "Mis-clustering error on a long thin cluster next to a compact one (n=200): "
        + ", ".join(f"{k} {v:.3f}" for k, v in err.items()) + ".")
    section.findings.append(
        f"iLA-SDP ({ila.solver_}, low-rank solver) took {t_ila:.1f} s, {ila.n_iter_} LA-SDP "
        f"solves; its profile log-likelihood rose from {ila.objective_path_[0]:.1f} "
        f"(K-means SDP labels) to {ila.objective_path_[-1]:.1f}.")

    # Exact recovery of the isotropic K-means SDP above the Chen-Yang threshold.
    n, K, p = 60, 2, 10
    theta = sdp_recovery_threshold(n, K, p)
    errs = []
    for factor in (0.4, 1.2):
        Xi, yi = make_heterogeneous_gmm(n, p, K, separation=factor * theta, shapes="isotropic",
                                        random_state=random_state)
        lab = KMeansSDP(K, solver="cvxpy", random_state=random_state).fit(Xi).labels_
        errs.append(misclustering_error(yi, lab))
    section.findings.append(
        f"Isotropic K-means SDP, n={n}, p={p}: recovery threshold Theta* = {theta:.2f}; "
        f"error {errs[0]:.3f} at 0.4 Theta*, {errs[1]:.3f} at 1.2 Theta*.")

    fig = demo_figure(X, [
        (f"K-means SDP (error {err['K-means SDP']:.2f})", sdp.labels_, None, None),
        (f"iLA-SDP (error {err['iLA-SDP']:.2f})", ila.labels_, ila.means_, ila.covariances_),
    ])
    section.figures.append(save_figure(fig, out_dir, "cluster_ila_sdp.png"))
    return section
