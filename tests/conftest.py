"""Shared fixtures: the array namespaces every array-API path is tested on."""

import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


def _namespaces():
    params = [pytest.param("numpy", id="numpy")]
    params.append(pytest.param("array_api_strict", id="array_api_strict"))
    params.append(pytest.param("cupy", id="cupy", marks=pytest.mark.gpu))
    return params


@pytest.fixture(params=_namespaces())
def xp(request):
    """Yield an array namespace with probstat's array-API dispatch switched on.

    array-api-strict runs on every machine (and exposes device mix-ups); CuPy is skipped
    without a CUDA device.
    """
    import probstat
    from probstat.backend import gpu_available

    name = request.param
    if name == "numpy":
        import array_api_compat.numpy as module
    elif name == "array_api_strict":
        module = pytest.importorskip("array_api_strict")
    else:
        if not gpu_available():
            pytest.skip("CuPy with a CUDA device is not available")
        import cupy as module
    with probstat.config_context(array_api_dispatch=True):
        yield module


@pytest.fixture
def rng():
    """A seeded NumPy Generator."""
    return np.random.default_rng(12345)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


@pytest.fixture(scope="session")
def shared_data():
    """The repository's ../shared/data folder when present (None otherwise).

    Tests use it to check the bundled copies; the package never needs it.
    """
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "shared" / "data"
    return folder if folder.is_dir() else None


@pytest.fixture(scope="module")
def dask_client():
    """A two-worker in-process Dask cluster (threads, no dashboard port clash)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        yield client
