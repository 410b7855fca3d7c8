"""Array namespace dispatch over array-api-compat, host/device moves and the GPU probe."""

from __future__ import annotations

import functools
import warnings

import numpy as np

from .._config import get_config


class HostFallbackWarning(UserWarning):
    """A routine moved array-API inputs to the host (NumPy) because part of it is CPU-only."""


def _is_array(x) -> bool:
    return x is not None and not isinstance(x, (int, float, complex, bool, str))


def get_namespace(*arrays):
    """Return the array namespace to compute in.

    With ``array_api_dispatch`` off (the default) this is always NumPy, seen through
    array-api-compat's wrapper so that the same code runs for every namespace. With it on,
    it is the common namespace of ``arrays`` (CuPy, array-api-strict, PyTorch, ...).

    Parameters
    ----------
    *arrays : array-like
        Arrays to inspect; ``None`` and Python scalars are ignored.

    Returns
    -------
    xp : module
        An array-API compatible namespace.

    Raises
    ------
    TypeError
        If dispatch is on and the arrays come from different libraries.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.backend import get_namespace
    >>> xp = get_namespace(np.ones(3))
    >>> float(xp.sum(xp.asarray([1.0, 2.0])))
    3.0
    """
    import array_api_compat

    arrays = [a for a in arrays if _is_array(a)]
    if not get_config()["array_api_dispatch"] or not arrays:
        return array_api_compat.array_namespace(np.empty(0))
    # Lists and tuples are NumPy input.
    arrays = [np.asarray(a) if isinstance(a, (list, tuple)) else a for a in arrays]
    try:
        return array_api_compat.array_namespace(*arrays)
    except TypeError as exc:
        raise TypeError(f"inputs come from different array libraries: {exc}") from None


def is_numpy_namespace(xp) -> bool:
    """Return True when ``xp`` is NumPy or array-api-compat's NumPy wrapper.

    Parameters
    ----------
    xp : module
        An array namespace.

    Returns
    -------
    bool
    """
    return xp.__name__ in {"numpy", "array_api_compat.numpy", "numpy.array_api"}


def device(x):
    """Return the device of array ``x`` (``"cpu"`` for NumPy arrays and lists).

    Parameters
    ----------
    x : array-like

    Returns
    -------
    device : object
        The library's device object, or the string ``"cpu"`` for NumPy.
    """
    import array_api_compat

    if isinstance(x, (list, tuple, np.ndarray, np.generic)) or not _is_array(x):
        return "cpu"
    return array_api_compat.device(x)


def to_numpy(x, *, dtype=None) -> np.ndarray:
    """Copy or view array ``x`` as a NumPy array on the host.

    Parameters
    ----------
    x : array-like
        A NumPy, CuPy, array-api-strict (any of its devices) or other DLPack array.
    dtype : data-type, optional
        Cast to this dtype.

    Returns
    -------
    numpy.ndarray
    """
    if isinstance(x, np.ndarray) or not _is_array(x) or isinstance(x, (list, tuple)):
        return np.asarray(x, dtype=dtype)
    module = type(x).__module__.split(".")[0]
    if module == "cupy":
        out = x.get()
    elif module == "array_api_strict":
        import array_api_strict

        out = np.asarray(array_api_strict.asarray(x, device=array_api_strict.Device("CPU_DEVICE")))
    elif module == "torch":
        out = x.detach().cpu().numpy()
    else:
        try:
            out = np.from_dlpack(x)
        except (TypeError, RuntimeError, BufferError, AttributeError):
            out = np.asarray(x)
    return np.asarray(out, dtype=dtype)


def move_to(x, *, xp, device=None):
    """Move NumPy (or any host) array ``x`` into namespace ``xp`` on ``device``.

    Parameters
    ----------
    x : array-like
    xp : module
        Target namespace, as returned by :func:`get_namespace`.
    device : object, optional
        Target device; ``None`` uses the namespace's default.

    Returns
    -------
    array
    """
    if is_numpy_namespace(xp):
        return np.asarray(x)
    if device is None or device == "cpu":
        return xp.asarray(x)
    return xp.asarray(x, device=device)


_warned_host_fallback: set[str] = set()


def warn_host_fallback(where: str) -> None:
    """Warn once per routine that array-API inputs are round-tripped through the host.

    Parameters
    ----------
    where : str
        Name of the routine, shown in the warning; each name warns once per process.
    """
    if where in _warned_host_fallback:
        return
    _warned_host_fallback.add(where)
    warnings.warn(
        f"{where} runs on the CPU (numba/cvxpy); array-API inputs are copied to NumPy "
        "and results are moved back to the input's device.",
        HostFallbackWarning,
        stacklevel=3,
    )


@functools.lru_cache(maxsize=1)
def _probe_gpu() -> bool:
    try:
        import cupy
    except Exception:  # ImportError, or a broken CUDA install raising at import
        return False
    try:
        return int(cupy.cuda.runtime.getDeviceCount()) > 0
    except Exception:  # CUDARuntimeError without a driver or device
        return False


def gpu_available() -> bool:
    """Return True when CuPy imports *and* sees at least one CUDA device.

    The probe runs on the first call, never at import, and its answer is cached.
    Importing CuPy alone is not enough: it imports fine on a machine without a GPU.

    Returns
    -------
    bool
    """
    return _probe_gpu()
