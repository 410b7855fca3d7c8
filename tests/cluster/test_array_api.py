"""Array-API input of the SDP clusterers: one host round trip, arrays back on X's device."""

import warnings

import numpy as np
import pytest

import probstat
from probstat.backend import HostFallbackWarning
from probstat.cluster import ILASDP, KMeansSDP, misclustering_error
from probstat.datasets import make_heterogeneous_gmm

xps = pytest.importorskip("array_api_strict")
DEVICE = xps.Device("device1")  # not the default device: arrays made without device= fail


@pytest.fixture(scope="module")
def data():
    return make_heterogeneous_gmm(30, 2, 2, separation=6.0, anisotropy=3.0, random_state=0)


def _array_attributes(est):
    return {k: v for k, v in vars(est).items()
            if k.endswith("_") and not k.startswith("_") and hasattr(v, "shape")}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make", [
    lambda: KMeansSDP(2, solver="bm", store_Z=True, random_state=0),
    lambda: KMeansSDP(2, solver="sketch", subsample_size=20, store_Z=True, random_state=0),
    lambda: ILASDP(2, solver="bm", max_iter=3, store_Z=True, random_state=0),
    lambda: ILASDP(2, solver="sketch", subsample_size=20, store_Z=True, random_state=0),
], ids=["kmeans-bm", "kmeans-sketch", "ilasdp-bm", "ilasdp-sketch"])
def test_fitted_arrays_and_predictions_on_the_input_device(make, data):
    # Formerly a local host fallback left objective_path_, Z_ and sketch_indices_ in NumPy
    # and created the low-rank solver's arrays on the default device.
    X, _ = data
    ref = make().fit(X)
    with probstat.config_context(array_api_dispatch=True):
        Xs = xps.asarray(X, device=DEVICE)
        with pytest.warns(HostFallbackWarning):
            est = make().fit(Xs)
        with pytest.warns(HostFallbackWarning):
            pred = est.predict(Xs)
    attrs = _array_attributes(est)
    assert set(attrs) == set(_array_attributes(ref))
    assert {"labels_", "Z_"} <= set(attrs)
    for name, value in attrs.items():
        assert isinstance(value, xps._array_object.Array), name
        assert value.device == DEVICE, name
        np.testing.assert_allclose(np.asarray(xps.asarray(value, device=xps.Device(
            "CPU_DEVICE"))), getattr(ref, name), rtol=1e-7, atol=1e-9, err_msg=name)
    assert isinstance(pred, xps._array_object.Array) and pred.device == DEVICE
    np.testing.assert_array_equal(np.asarray(xps.asarray(pred, device=xps.Device(
        "CPU_DEVICE"))), ref.predict(X))


def test_no_warning_and_numpy_results_with_dispatch_off(data):
    X, _ = data
    Xs = xps.asarray(X, device=DEVICE)
    with warnings.catch_warnings():
        warnings.simplefilter("error", HostFallbackWarning)
        km = KMeansSDP(2, solver="cvxpy", random_state=0).fit(Xs)
        pred = km.predict(Xs)
        err = misclustering_error(km.labels_, pred)
    assert isinstance(km.labels_, np.ndarray) and isinstance(pred, np.ndarray)
    assert err == 0.0


def test_misclustering_error_takes_array_api_labels(data):
    _, y = data
    with probstat.config_context(array_api_dispatch=True):
        ys = xps.asarray(y, device=DEVICE)
        with pytest.warns(HostFallbackWarning, match="misclustering_error"):
            assert misclustering_error(ys, 1 - ys) == 0.0


def test_ilasdp_init_labels_may_be_an_array_api_array(data):
    X, y = data
    ref = ILASDP(2, solver="cvxpy", init=y, random_state=0).fit(X)
    with probstat.config_context(array_api_dispatch=True):
        with pytest.warns(HostFallbackWarning):
            est = ILASDP(2, solver="cvxpy", init=xps.asarray(y, device=DEVICE),
                         random_state=0).fit(xps.asarray(X, device=DEVICE))
    assert est.init_labels_.device == DEVICE
    np.testing.assert_array_equal(np.asarray(xps.asarray(
        est.labels_, device=xps.Device("CPU_DEVICE"))), ref.labels_)
