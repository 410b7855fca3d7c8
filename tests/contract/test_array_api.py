"""Every public call on NumPy and on array-api-strict gives the same values, in the
input's namespace and device, with a HostFallbackWarning exactly when the host is used.

array-api-strict arrays are placed on its simulated ``device1``, so code that creates an
array without ``device=`` (and would silently leave a GPU) fails here on a CPU machine.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import probstat
from probstat.backend import HostFallbackWarning

from ._cases import assert_results_close, leaves, load_registry

xps = pytest.importorskip("array_api_strict")
pytestmark = pytest.mark.timeout(120)

CASES, _ = load_registry()
DEVICE = xps.Device("device1")


def _to_strict(x):
    x = np.asarray(x)
    return xps.asarray(x, device=DEVICE)


def _run(case, arrays):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = case.call(**arrays, **case.params)
    host_warnings = [w for w in seen if issubclass(w.category, HostFallbackWarning)]
    return result, host_warnings


@pytest.mark.parametrize("case", [pytest.param(c, id=c.label) for c in CASES])
def test_array_api_strict_matches_numpy(case):
    if case.array_api is not None:
        pytest.skip(case.array_api)
    if not case.arrays:
        pytest.skip("no array input: nothing to dispatch on")
    with probstat.config_context(array_api_dispatch=True):
        want, host_np = _run(case, dict(case.arrays))
        assert not host_np, f"{case.label}: HostFallbackWarning on NumPy input"
        strict = {k: _to_strict(v) for k, v in case.arrays.items()}
        got, host_strict = _run(case, strict)
    if case.host:
        assert host_strict, f"{case.label} uses the host but did not warn"
    else:
        assert not host_strict, (f"{case.label} is declared array-API native but warned: "
                                 f"{host_strict[0].message}")
    # Inputs stay where they were.
    for value in strict.values():
        assert isinstance(value, xps._array_object.Array) and value.device == DEVICE
    # Every array of the NumPy result comes back as an array-api-strict array on device1.
    got_leaves = dict(leaves(got))
    for path, value in leaves(want):
        if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
            other = got_leaves.get(path)
            assert isinstance(other, xps._array_object.Array), (
                f"{case.label}: {path} is {type(other).__name__}, not in the input's namespace")
            assert other.device == DEVICE, f"{case.label}: {path} left the input's device"
    assert_results_close(got, want, rtol=case.rtol, atol=case.atol, where=case.label)
