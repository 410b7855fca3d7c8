"""CMGaussianMixture on a dask array: the in-memory fit, computed block by block."""

import numpy as np
import pytest

from probstat.semantic import CMGaussianMixture

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

_FITTED = ("weights_", "means_", "covariances_", "precisions_cholesky_")


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(-2, 1, (300, 2)), rng.normal(3, 0.7, (500, 2)),
                           rng.normal([0, 4], 1, (200, 2))])


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client


def _assert_same_fit(a, b, atol=1e-8):
    for name in _FITTED:
        got, want = getattr(b, name), getattr(a, name)
        assert type(got) is np.ndarray, name
        np.testing.assert_allclose(got, want, rtol=0, atol=atol, err_msg=name)
    assert a.n_iter_ == b.n_iter_ and a.converged_ == b.converged_
    assert abs(a.lower_bound_ - b.lower_bound_) < atol
    for key in a.history_:
        np.testing.assert_allclose(b.history_[key], a.history_[key], rtol=0, atol=atol)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
@pytest.mark.parametrize("algorithm", ["cm", "em"])
def test_dask_fit_equals_the_in_memory_fit(covariance_type, algorithm, client):
    X = _data()
    kw = {"n_components": 3, "covariance_type": covariance_type, "algorithm": algorithm,
          "tol": 1e-6, "random_state": 0}
    a = CMGaussianMixture(**kw).fit(X)
    b = CMGaussianMixture(**kw).fit(da.from_array(X, chunks=(137, 2)))
    _assert_same_fit(a, b)
    assert b.n_features_in_ == 2


def test_weights_bin_volume_and_column_chunks(client):
    # a histogram on a grid (Lu's setting: G is recorded), weights as a dask array, and X
    # chunked along its columns too
    grid = np.linspace(-5, 5, 201)[:, None]
    hist = np.exp(-0.5 * (grid[:, 0] + 2) ** 2) + 0.6 * np.exp(-2 * (grid[:, 0] - 1.5) ** 2)
    kw = {"n_components": 2, "bin_volume": 0.05, "tol": 1e-8, "random_state": 1}
    a = CMGaussianMixture(**kw).fit(grid, sample_weight=hist)
    b = CMGaussianMixture(**kw).fit(da.from_array(np.c_[grid], chunks=(50, 1)),
                                    sample_weight=da.from_array(hist, chunks=70))
    _assert_same_fit(a, b)
    assert abs(a.G_ - b.G_) < 1e-8
    c = CMGaussianMixture(**kw).fit(da.from_array(grid, chunks=(33, 1)), sample_weight=hist)
    _assert_same_fit(a, c)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_blockwise_start_equals_the_in_memory_start(covariance_type, monkeypatch, client):
    # above INIT_ROWS rows the start is computed block by block too: with means_init it is
    # the in-memory start
    from probstat.semantic import _mixture_dask

    monkeypatch.setattr(_mixture_dask, "INIT_ROWS", 100)
    X = _data(1)
    kw = {"n_components": 3, "covariance_type": covariance_type, "algorithm": "em",
          "tol": 1e-6, "means_init": [[-2.0, 0.0], [3.0, 0.0], [0.0, 4.0]],
          "random_state": 0}
    a = CMGaussianMixture(**kw).fit(X)
    b = CMGaussianMixture(**kw).fit(da.from_array(X, chunks=(250, 2)))
    _assert_same_fit(a, b)


@pytest.mark.parametrize("init_params", ["kmeans", "random"])
def test_large_data_starts_find_the_same_mixture(init_params, monkeypatch, client):
    # k-means on a subsample and random responsibilities per block give another start
    # than the in-memory fit, but the same optimum of the likelihood
    from probstat.semantic import _mixture_dask

    monkeypatch.setattr(_mixture_dask, "INIT_ROWS", 200)
    X = _data(2)
    kw = {"n_components": 3, "init_params": init_params, "tol": 1e-8, "max_iter": 300,
          "random_state": 0}
    a = CMGaussianMixture(**kw).fit(X)
    b = CMGaussianMixture(**kw).fit(da.from_array(X, chunks=(250, 2)))
    assert a.converged_ and b.converged_
    assert abs(a.lower_bound_ - b.lower_bound_) < 1e-6
    if init_params == "kmeans":
        order_a, order_b = np.argsort(a.means_[:, 0]), np.argsort(b.means_[:, 0])
        np.testing.assert_allclose(b.means_[order_b], a.means_[order_a], atol=1e-4)
        np.testing.assert_allclose(b.weights_[order_b], a.weights_[order_a], atol=1e-4)
    again = CMGaussianMixture(**kw).fit(da.from_array(X, chunks=(250, 2)))
    np.testing.assert_array_equal(again.means_, b.means_)      # same seed, same fit


def test_result_does_not_depend_on_the_workers():
    X = da.from_array(_data(3), chunks=(200, 2))
    kw = {"n_components": 3, "tol": 1e-6, "random_state": 5}
    fits = []
    for n_workers in (1, 3):
        with distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                      processes=False, dashboard_address=":0") as cluster, \
                distributed.Client(cluster):
            fits.append(CMGaussianMixture(**kw).fit(X))
    fits.append(CMGaussianMixture(**kw).fit(X))      # dask's local threaded scheduler
    for other in fits[1:]:
        for name in _FITTED:
            np.testing.assert_array_equal(getattr(other, name), getattr(fits[0], name))


def test_predictions_on_a_dask_array_are_lazy_and_equal(client):
    X = _data(4)
    est = CMGaussianMixture(3, random_state=0).fit(X)
    Xd = da.from_array(X, chunks=(300, 2))
    for method, shape in (("predict", (1000,)), ("predict_proba", (1000, 3)),
                          ("score_samples", (1000,))):
        lazy = getattr(est, method)(Xd)
        assert isinstance(lazy, da.Array) and lazy.shape == shape
        np.testing.assert_allclose(lazy.compute(), getattr(est, method)(X), rtol=0,
                                   atol=1e-12)
    assert abs(est.score(Xd) - est.score(X)) < 1e-12
    assert isinstance(est.fit_predict(Xd), da.Array)


@pytest.mark.parametrize("X, sample_weight, error, match", [
    (da.from_array(np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0]]), chunks=2), None,
     ValueError, "NaN"),
    (da.from_array(np.ones((4, 2, 1))), None, ValueError, "2-D"),
    (da.from_array(np.ones((4, 2)) * 1j), None, TypeError, "real"),
    (da.from_array(np.eye(2)), None, ValueError, "n_components"),
    (da.from_array(np.eye(4)), da.from_array(-np.ones(4)), ValueError, "sample_weight"),
    (da.from_array(np.eye(4)), np.ones(3), ValueError, "sample_weight"),
])
def test_bad_dask_input_is_refused_by_name(X, sample_weight, error, match):
    with pytest.raises(error, match=match):
        CMGaussianMixture(3).fit(X, sample_weight=sample_weight)


def test_predicting_on_a_dask_array_with_other_features_is_refused():
    est = CMGaussianMixture(2, random_state=0).fit(_data())
    with pytest.raises(ValueError, match="features"):
        est.predict(da.ones((10, 3)))
