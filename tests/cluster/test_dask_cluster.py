"""The sketch solvers on a dask array: the in-memory sketch, with the lift block by block."""

import numpy as np
import pytest

from probstat.cluster import ILASDP, KMeansSDP

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")


def _data(seed=0, offset=0.0):
    rng = np.random.default_rng(seed)
    return offset + np.concatenate([rng.normal(-3, 1, (400, 2)),
                                    rng.normal(3, 0.5, (500, 2)),
                                    rng.normal([0, 5], [1.5, 0.4], (300, 2))])


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client


def _values(v):
    return v.compute() if isinstance(v, da.Array) else v


def _assert_same_fit(a, b, per_row):
    """Every fitted attribute equal (arrays to 1e-8); the per-row ones are dask arrays."""
    fitted = [k for k in vars(a) if k.endswith("_") and not k.startswith("_")]
    assert sorted(fitted) == sorted(k for k in vars(b) if k.endswith("_")
                                    and not k.startswith("_"))
    for name in fitted:
        want, got = getattr(a, name), getattr(b, name)
        if name in per_row:
            assert isinstance(got, da.Array), name
            got = got.compute()
        if isinstance(want, np.ndarray):
            assert isinstance(got, np.ndarray), name
            if want.dtype.kind in "iub":
                np.testing.assert_array_equal(got, want, err_msg=name)
            else:
                np.testing.assert_allclose(got, want, rtol=0, atol=1e-8, err_msg=name)
        elif isinstance(want, float):
            assert got == pytest.approx(want, rel=1e-12, abs=1e-8) or (
                np.isnan(want) and np.isnan(got)), name
        elif name != "solver_info_":
            assert got == want, name


@pytest.mark.parametrize("scheduler", ["distributed", "threads"])
@pytest.mark.parametrize("kw", [dict(), dict(rounding="threshold", subsample_size=120)])
def test_kmeans_sdp_on_dask_equals_the_in_memory_sketch(kw, scheduler, request):
    if scheduler == "distributed":
        request.getfixturevalue("client")
    X = _data(offset=50.0)
    kw = dict(n_clusters=3, solver="sketch", random_state=3, **kw)
    a = KMeansSDP(**kw).fit(X)
    b = KMeansSDP(**kw).fit(da.from_array(X, chunks=(170, 1)))
    _assert_same_fit(a, b, per_row=("labels_",))
    # a reference by another hand: centres are the means of their rows, inertia their scatter
    labels = a.labels_
    for k in range(3):
        np.testing.assert_allclose(b.cluster_centers_[k], X[labels == k].mean(axis=0),
                                   rtol=0, atol=1e-10)
    assert b.inertia_ == pytest.approx(sum(((X[labels == k] - X[labels == k].mean(0)) ** 2)
                                           .sum() for k in range(3)), rel=1e-12)
    assert b.solver_ == "sketch" and b.n_features_in_ == 2


@pytest.mark.parametrize("scheduler", ["distributed", "threads"])
@pytest.mark.parametrize("kw", [dict(), dict(init="kmeans++", weights=True, n_init=2)])
def test_ilasdp_on_dask_equals_the_in_memory_sketch(kw, scheduler, request):
    if scheduler == "distributed":
        request.getfixturevalue("client")
    X = _data(1)
    kw = dict(n_clusters=3, solver="sketch", subsample_size=150, max_iter=5,
              random_state=0, **kw)
    a = ILASDP(**kw).fit(X)
    b = ILASDP(**kw).fit(da.from_array(X, chunks=(250, 2)))
    _assert_same_fit(a, b, per_row=("labels_", "membership_"))
    assert b.labels_.chunks == ((250, 250, 250, 250, 200),)
    assert b.membership_.shape == (1200, 3)


def test_the_sample_is_the_in_memory_sample_for_any_chunking():
    X = _data(2)
    kw = dict(n_clusters=3, solver="sketch", subsample_size=100, random_state=7)
    a = KMeansSDP(**kw).fit(X)
    for chunks in ((1200, 2), (97, 2), (300, 1)):
        b = KMeansSDP(**kw).fit(da.from_array(X, chunks=chunks))
        np.testing.assert_array_equal(b.sketch_indices_, a.sketch_indices_)
        np.testing.assert_array_equal(b.labels_.compute(), a.labels_)


def test_auto_chooses_the_sketch_and_float32_and_unknown_chunks_are_accepted(client):
    X = _data(3)
    a = KMeansSDP(n_clusters=3, solver="sketch", random_state=0).fit(X.astype(np.float32))
    Xd = da.from_array(X.astype(np.float32), chunks=(300, 2))
    Xd = Xd[Xd[:, 0] > -np.inf]                # unknown chunk sizes
    b = KMeansSDP(n_clusters=3, random_state=0).fit(Xd)
    assert b.solver_ == "sketch" and "dask" in b.solver_info_["reason"]
    np.testing.assert_array_equal(b.labels_.compute(), a.labels_)


def test_predict_and_score_on_dask_are_lazy_and_equal(client):
    X, Y = _data(4), _data(5)
    Yd = da.from_array(Y, chunks=(400, 2))
    km = KMeansSDP(n_clusters=3, solver="sketch", subsample_size=100, random_state=0).fit(X)
    lazy = km.predict(Yd)
    assert isinstance(lazy, da.Array) and lazy.shape == (1200,)
    np.testing.assert_array_equal(lazy.compute(), km.predict(Y))
    ila = ILASDP(n_clusters=3, solver="sketch", subsample_size=100, max_iter=3,
                 certify=False, random_state=0).fit(X)
    lazy = ila.predict(Yd)
    assert isinstance(lazy, da.Array)
    np.testing.assert_array_equal(lazy.compute(), ila.predict(Y))
    assert ila.score(Yd) == pytest.approx(ila.score(Y), rel=1e-12)
    assert isinstance(ila.fit_predict(Yd), da.Array)


def test_one_cluster_kmeans_on_dask():
    X = _data(6)
    a = KMeansSDP(n_clusters=1, solver="sketch").fit(X)
    b = KMeansSDP(n_clusters=1, solver="sketch").fit(da.from_array(X, chunks=(500, 2)))
    np.testing.assert_array_equal(b.labels_.compute(), a.labels_)
    np.testing.assert_allclose(b.cluster_centers_, a.cluster_centers_, rtol=0, atol=1e-12)
    assert b.inertia_ == pytest.approx(a.inertia_, rel=1e-12)


@pytest.mark.parametrize("cls", [KMeansSDP, ILASDP])
@pytest.mark.parametrize("solver", ["cvxpy", "bm"])
def test_other_solvers_refuse_a_dask_array_by_name(cls, solver):
    X = da.from_array(_data(), chunks=(300, 2))
    with pytest.raises(ValueError, match=f"solver='{solver}'.*use solver='sketch'.*compute"):
        cls(n_clusters=3, solver=solver).fit(X)


_bad = np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0], [2.0, 0.0]])


@pytest.mark.parametrize("cls", [KMeansSDP, ILASDP])
@pytest.mark.parametrize("X, error, match", [
    (da.from_array(_bad, chunks=2), ValueError, "NaN"),
    (da.from_array(np.ones((4, 2, 1))), ValueError, "2-D"),
    (da.from_array(np.ones((4, 2)) * 1j), TypeError, "real"),
    (da.from_array(np.ones((1, 2))), ValueError, "minimum of 2 samples"),
    (da.from_array(np.eye(2)), ValueError, "n_clusters must be <= n_samples"),
    (da.from_array(np.ones((6, 2)), chunks=2), ValueError, "constant"),
    (da.from_array(np.array([[0.0, 1.0], [1e200, 1.0], [2.0, 3.0]]), chunks=1), ValueError,
     "too large in magnitude"),
])
def test_bad_dask_input_is_refused_by_name(cls, X, error, match):
    n_clusters = 3 if X.shape[0] == 2 else 2
    with pytest.raises(error, match=match):
        cls(n_clusters=n_clusters, solver="sketch").fit(X)


def test_errors_match_the_in_memory_errors():
    for X in (np.ones((6, 2)), np.array([[0.0, 1.0], [1e200, 1.0], [2.0, 3.0]])):
        for cls in (KMeansSDP, ILASDP):
            with pytest.raises(ValueError) as want:
                cls(n_clusters=2, solver="sketch").fit(X)
            with pytest.raises(ValueError) as got:
                cls(n_clusters=2, solver="sketch").fit(da.from_array(X, chunks=2))
            assert str(got.value) == str(want.value)


def test_ilasdp_one_cluster_and_wrong_features_are_refused():
    X = da.from_array(_data(), chunks=(300, 2))
    with pytest.raises(ValueError, match="n_clusters=1"):
        ILASDP(n_clusters=1, solver="sketch").fit(X)
    for est in (KMeansSDP(n_clusters=2, solver="sketch", subsample_size=50, random_state=0),
                ILASDP(n_clusters=2, solver="sketch", subsample_size=50, max_iter=2,
                       random_state=0)):
        est.fit(_data())
        with pytest.raises(ValueError, match="3 features"):
            est.predict(da.ones((10, 3)))
