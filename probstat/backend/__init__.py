"""Array backends: namespace dispatch, host/device moves, the numba wrapper, the GPU probe.

Everything here is cheap to import: array-api-compat, numba and CuPy are imported only
when a function that needs them is called.
"""

from ._jit import SAFE_FASTMATH, jit
from ._namespace import (
    HostFallbackWarning,
    device,
    get_namespace,
    gpu_available,
    is_numpy_namespace,
    move_to,
    to_numpy,
    warn_host_fallback,
)

__all__ = [
    "SAFE_FASTMATH",
    "HostFallbackWarning",
    "device",
    "get_namespace",
    "gpu_available",
    "is_numpy_namespace",
    "jit",
    "move_to",
    "to_numpy",
    "warn_host_fallback",
]
