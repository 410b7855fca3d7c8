"""KMeansSDP: the Peng-Wei K-means SDP as a clusterer."""

import numpy as np
import pytest
from sklearn.cluster import KMeans

from probstat.cluster import KMeansSDP, misclustering_error
from probstat.datasets import make_heterogeneous_gmm, sdp_recovery_threshold


def _isotropic(n, p, K, factor, seed):
    sep = factor * sdp_recovery_threshold(n, K, p)
    return make_heterogeneous_gmm(n, p, K, separation=sep, shapes="isotropic",
                                  random_state=seed)


@pytest.mark.parametrize("seed", [0, 1])
def test_exact_recovery_above_threshold(seed):
    X, y = _isotropic(60, 10, 2, 1.2, seed)
    km = KMeansSDP(2, solver="cvxpy", store_Z=True, random_state=0).fit(X)
    assert misclustering_error(y, km.labels_) == 0.0
    # Tight relaxation: Z is the partition matrix 1_G 1_G' / n_k (to solver tolerance).
    Z_true = sum(np.outer(y == k, y == k) / np.sum(y == k) for k in range(2))
    assert np.abs(km.Z_ - Z_true).max() < 1e-3
    assert km.objective_ == pytest.approx(np.sum((X - X.mean(0)) @ (X - X.mean(0)).T * Z_true),
                                          rel=1e-4)


def test_fails_below_threshold():
    X, y = _isotropic(60, 10, 2, 0.4, 0)
    km = KMeansSDP(2, solver="cvxpy", random_state=0).fit(X)
    assert misclustering_error(y, km.labels_) > 0.0


def test_four_clusters_authors_design():
    # m1pc.m: centres delt/sqrt(2) e_k with delt = 1.2 Theta*; exact recovery holds with high
    # probability (at n=60 an unlucky draw, e.g. seed 3, puts one point nearer another
    # centre, where Lloyd's K-means errs too).
    X, y = _isotropic(60, 10, 4, 1.2, 0)
    km = KMeansSDP(4, solver="cvxpy", random_state=0).fit(X)
    assert misclustering_error(y, km.labels_) == 0.0
    # Same partition as Lloyd's K-means (the K-means optimum on separated data).
    assert misclustering_error(KMeans(4, n_init=10, random_state=0).fit(X).labels_,
                               km.labels_) == 0.0
    assert km.inertia_ == pytest.approx(KMeans(4, n_init=10, random_state=0).fit(X).inertia_,
                                        rel=1e-10)


def test_bm_and_threshold_rounding_agree_with_cvxpy():
    X, y = _isotropic(50, 5, 3, 1.0, 5)
    ref = KMeansSDP(3, solver="cvxpy", random_state=0).fit(X)
    bm = KMeansSDP(3, solver="bm", random_state=0).fit(X)
    thr = KMeansSDP(3, solver="cvxpy", rounding="threshold", random_state=0).fit(X)
    assert bm.solver_info_["status"] == "converged"
    assert bm.objective_ == pytest.approx(ref.objective_, rel=1e-3)
    assert misclustering_error(ref.labels_, bm.labels_) == 0.0
    assert misclustering_error(ref.labels_, thr.labels_) == 0.0


def test_sketch_lifts_by_nearest_centroid():
    X, y = _isotropic(400, 4, 3, 1.2, 6)
    sk = KMeansSDP(3, solver="sketch", subsample_size=60, random_state=0).fit(X)
    assert sk.solver_ == "sketch" and sk.solver_info_["subsample_size"] == 60
    assert sk.sketch_indices_.shape == (60,)
    assert misclustering_error(y, sk.labels_) == 0.0
    # Full subsample: the same labels as the plain solve.
    small, _ = _isotropic(40, 4, 2, 1.2, 7)
    full = KMeansSDP(2, solver="cvxpy", random_state=0).fit(small)
    sk_full = KMeansSDP(2, solver="sketch", subsample_size=40, random_state=0).fit(small)
    assert misclustering_error(full.labels_, sk_full.labels_) == 0.0


def test_auto_says_what_it_chose(caplog):
    X, _ = _isotropic(30, 2, 2, 1.2, 0)
    with caplog.at_level("INFO", logger="probstat.cluster"):
        km = KMeansSDP(2, random_state=0, verbose=1).fit(X)
    assert km.solver_ == "cvxpy"
    assert "chose 'cvxpy'" in km.solver_info_["reason"]
    assert "chose 'cvxpy'" in caplog.text


def test_predict_is_nearest_centre_and_reproducible():
    X, _ = _isotropic(40, 3, 2, 1.2, 1)
    a = KMeansSDP(2, solver="bm", random_state=3).fit(X)
    b = KMeansSDP(2, solver="bm", random_state=3).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.predict(X), a.labels_)
    d = ((X[:, None] - a.cluster_centers_[None]) ** 2).sum(-1)
    np.testing.assert_array_equal(a.predict(X), d.argmin(1))


def test_one_cluster():
    X, _ = _isotropic(10, 2, 2, 1.0, 0)
    km = KMeansSDP(1).fit(X)
    np.testing.assert_array_equal(km.labels_, 0)
    np.testing.assert_allclose(km.cluster_centers_[0], X.mean(0))


@pytest.mark.parametrize("kwargs, X, match", [
    (dict(n_clusters=5), np.random.default_rng(0).normal(size=(4, 2)), "n_clusters must be <="),
    (dict(), np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 1.0]]), "NaN"),
    (dict(), np.ones((1, 3)), "1 sample"),
    (dict(), np.ones((5, 3)), "constant columns"),
    (dict(solver="mosek"), np.random.default_rng(0).normal(size=(6, 2)), "'solver' parameter"),
    (dict(rounding="round"), np.random.default_rng(0).normal(size=(6, 2)), "rounding"),
    (dict(solver_options={"bogus": 1}), np.random.default_rng(0).normal(size=(6, 2)),
     "unknown keys"),
    (dict(n_clusters=2.5), np.random.default_rng(0).normal(size=(6, 2)), "'n_clusters' parameter"),
    (dict(solver="sketch", subsample_size=1), np.random.default_rng(0).normal(size=(6, 2)),
     "subsample_size"),
])
def test_bad_input(kwargs, X, match):
    with pytest.raises((ValueError, TypeError), match=match):
        KMeansSDP(**kwargs).fit(X)
