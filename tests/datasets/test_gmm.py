"""Tests of the heterogeneous Gaussian mixture generator and the SDP recovery threshold."""

import math

import numpy as np
import pytest

from probstat.datasets import make_heterogeneous_gmm, sdp_recovery_threshold


def test_threshold_matches_authors_formula():
    # The authors' m1pc.m: delt = sqrt((1+sqrt(1+K*p/log(n)/gama/n))*(4*log(n)))*1.2, gama=1.
    for n, K, p in [(100, 2, 10), (2000, 4, 200), (60, 3, 2)]:
        delt = math.sqrt((1 + math.sqrt(1 + K * p / math.log(n) / 1 / n)) * (4 * math.log(n)))
        assert sdp_recovery_threshold(n, K, p) == pytest.approx(delt, rel=1e-14)
    # sigma scales the distance linearly.
    assert sdp_recovery_threshold(100, 2, 10, sigma=3.0) == pytest.approx(
        3.0 * sdp_recovery_threshold(100, 2, 10), rel=1e-14)


@pytest.mark.parametrize("bad, match", [
    (dict(n_samples=1), "n_samples"), (dict(n_clusters=0), "n_clusters"),
    (dict(sigma=-1.0), "sigma"), (dict(n_features=2.5), "n_features"),
])
def test_threshold_bad_input(bad, match):
    args = dict(n_samples=100, n_clusters=2, n_features=10) | bad
    sigma = args.pop("sigma", 1.0)
    with pytest.raises((ValueError, TypeError), match=match):
        sdp_recovery_threshold(**args, sigma=sigma)


def test_sizes_means_and_separation():
    X, y, params = make_heterogeneous_gmm(103, 5, 4, separation=6.0, weights=[4, 3, 2, 1],
                                          return_params=True, random_state=0)
    assert X.shape == (103, 5) and y.shape == (103,)
    # Largest-remainder sizes: exact counts summing to n, each within 1 of n * w.
    assert params.sizes.sum() == 103
    np.testing.assert_array_equal(np.bincount(y), params.sizes)
    assert np.all(np.abs(params.sizes - 103 * np.array([0.4, 0.3, 0.2, 0.1])) < 1)
    # K <= p: every pair of means exactly `separation` apart.
    d = np.sqrt(((params.means[:, None] - params.means[None]) ** 2).sum(-1))
    off = d[~np.eye(4, dtype=bool)]
    np.testing.assert_allclose(off, 6.0, rtol=1e-12)
    assert params.separation == pytest.approx(6.0)


def test_more_clusters_than_dimensions():
    _, _, params = make_heterogeneous_gmm(50, 2, 5, separation=3.0, return_params=True,
                                          random_state=1)
    d = np.sqrt(((params.means[:, None] - params.means[None]) ** 2).sum(-1))
    d[np.diag_indices(5)] = np.inf
    assert d.min() == pytest.approx(3.0, rel=1e-12)


def test_shapes_have_unit_determinant_and_requested_anisotropy():
    _, _, params = make_heterogeneous_gmm(30, 3, 3, shapes=["isotropic", "diagonal", "random"],
                                          anisotropy=5.0, scales=[1.0, 2.0, 0.5],
                                          return_params=True, random_state=2)
    for S, scale in zip(params.covariances, [1.0, 2.0, 0.5]):
        vals = np.linalg.eigvalsh(S)
        # det = scale^(2p); axis ratio (std) = anisotropy unless isotropic.
        assert np.prod(vals) == pytest.approx(scale ** 6, rel=1e-10)
    np.testing.assert_allclose(params.covariances[0], np.eye(3), atol=1e-14)
    assert np.count_nonzero(params.covariances[1] - np.diag(np.diag(params.covariances[1]))) == 0
    for S in params.covariances[1:]:
        vals = np.linalg.eigvalsh(S)
        assert math.sqrt(vals.max() / vals.min()) == pytest.approx(5.0, rel=1e-10)


def test_sample_moments_match_parameters():
    # Monte Carlo: with 20000 points per cluster the sample mean of each coordinate has a
    # standard error below 2.5/sqrt(20000) ~ 0.018; 0.08 is more than 4 standard errors.
    X, y, params = make_heterogeneous_gmm(40000, 2, 2, separation=5.0, anisotropy=3.0,
                                          scales=[1.0, 1.5], return_params=True, random_state=3)
    for k in range(2):
        assert np.abs(X[y == k].mean(axis=0) - params.means[k]).max() < 0.08
        emp = np.cov(X[y == k].T)
        assert np.abs(emp - params.covariances[k]).max() < 0.08 * np.abs(
            params.covariances[k]).max() + 0.05


def test_explicit_parameters_and_reproducibility():
    means = [[0.0, 0.0], [10.0, 0.0]]
    covs = [np.eye(2), np.diag([4.0, 0.25])]
    X1, y1 = make_heterogeneous_gmm(20, 2, 2, means=means, covariances=covs, random_state=7)
    X2, y2 = make_heterogeneous_gmm(20, 2, 2, means=means, covariances=covs, random_state=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make_heterogeneous_gmm(20, 2, 2, means=means, covariances=covs, random_state=8)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_clusters=5, n_samples=3), "n_clusters must be <= n_samples"),
    (dict(weights=[1.0, -1.0]), "weights"),
    (dict(weights=[1.0]), "weights"),
    (dict(shapes="banana"), "shapes"),
    (dict(scales=[1.0, 0.0]), "scales"),
    (dict(anisotropy=0.5), "anisotropy"),
    (dict(means=[[0.0, 0.0]]), "means"),
    (dict(covariances=np.stack([np.eye(2), -np.eye(2)])), "positive definite"),
    (dict(separation=-1.0), "separation"),
])
def test_bad_input(kwargs, match):
    args = dict(n_samples=10, n_features=2, n_clusters=2) | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        make_heterogeneous_gmm(**args, random_state=0)
