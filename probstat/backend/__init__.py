"""Array backends: namespace dispatch, host round trips, the numba wrapper, the GPU probe.

Everything here is cheap to import: array-api-compat, numba and CuPy are imported only
when a function that needs them is called.

The array contract: vectorisable maths is written once against ``xp = get_namespace(...)``;
a routine with a CPU-only part (numba kernels, cvxpy, SciPy solvers) goes through
:func:`on_host` (or the :func:`host_only` decorator), which copies array-API inputs to
NumPy, moves results back to the caller's namespace and device, and says so with a
:class:`HostFallbackWarning`.
"""

from ._jit import SAFE_FASTMATH, jit
from ._namespace import (
    HostFallbackWarning,
    HostRoundTrip,
    device,
    dispatch_enabled,
    get_namespace,
    gpu_available,
    host_only,
    is_numpy_namespace,
    move_to,
    on_host,
    to_numpy,
    warn_host_fallback,
)

__all__ = [
    "SAFE_FASTMATH",
    "HostFallbackWarning",
    "HostRoundTrip",
    "device",
    "dispatch_enabled",
    "get_namespace",
    "gpu_available",
    "host_only",
    "is_numpy_namespace",
    "jit",
    "move_to",
    "on_host",
    "to_numpy",
    "warn_host_fallback",
]
