"""Array namespace dispatch over array-api-compat, host round trips and the GPU probe."""

from __future__ import annotations

import dataclasses
import functools
import sys

import numpy as np

from .._config import get_config
from .._warn import warn


class HostFallbackWarning(UserWarning):
    """A routine moved array-API inputs to the host (NumPy) because part of it is CPU-only."""


def _is_array(x) -> bool:
    """True for array objects (NumPy, CuPy, array-api-strict, torch, ...).

    Lists, tuples, scalars, strings, None and other objects are not arrays here: lists are
    NumPy input, and they never decide the namespace a routine computes in.
    """
    if isinstance(x, np.ndarray):
        return True
    if isinstance(x, (list, tuple, str, bytes, int, float, complex, bool, np.generic)):
        return False
    return hasattr(x, "__array_namespace__") or type(x).__module__.split(".")[0] == "cupy"


def _is_foreign_array(x) -> bool:
    """True for an array object that is not a NumPy array."""
    return _is_array(x) and not isinstance(x, np.ndarray)


def get_namespace(*arrays):
    """Return the array namespace to compute in.

    With array-API dispatch off (the default; see :func:`dispatch_enabled`) this is always
    NumPy, seen through array-api-compat's wrapper so that the same code runs for every
    namespace. With it on, it is the common namespace of the array objects among
    ``arrays`` (CuPy, array-api-strict, PyTorch, ...); lists, scalars and ``None`` are
    ignored.

    Parameters
    ----------
    *arrays : object
        Objects to inspect; only array objects count.

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
    if not arrays or not dispatch_enabled():
        return array_api_compat.array_namespace(np.empty(0))
    try:
        return array_api_compat.array_namespace(*arrays)
    except TypeError as exc:
        raise TypeError(f"inputs come from different array libraries: {exc}") from None


def dispatch_enabled() -> bool:
    """Whether array-API dispatch is on, in probstat's or in scikit-learn's configuration.

    ``probstat.set_config(array_api_dispatch=True)`` turns it on; so does
    ``sklearn.set_config(array_api_dispatch=True)``, so that probstat's estimators follow
    the array inputs inside scikit-learn pipelines and checks configured that way.

    Returns
    -------
    bool
        True when either configuration enables dispatch.
    """
    if get_config()["array_api_dispatch"]:
        return True
    if "sklearn" not in sys.modules:  # not imported: its configuration was never set
        return False
    try:  # the thread-local dict itself: get_config() copies it (2 us on every call)
        from sklearn._config import _get_threadlocal_config as sklearn_config
    except ImportError:  # pragma: no cover - a future scikit-learn without it
        from sklearn import get_config as sklearn_config
    return bool(sklearn_config().get("array_api_dispatch", False))


def is_numpy_namespace(xp) -> bool:
    """Return True when ``xp`` is NumPy or array-api-compat's NumPy wrapper.

    Parameters
    ----------
    xp : module
        An array namespace.

    Returns
    -------
    bool
        Whether arrays of ``xp`` are NumPy arrays.
    """
    return xp.__name__ in {"numpy", "array_api_compat.numpy", "numpy.array_api"}


def device(x):
    """Return the device of array ``x`` (``"cpu"`` for NumPy arrays and non-arrays).

    Parameters
    ----------
    x : object
        An array, or anything else (lists and scalars live on the host).

    Returns
    -------
    device : object
        The library's device object, or the string ``"cpu"`` for NumPy.
    """
    import array_api_compat

    if not _is_foreign_array(x):
        return "cpu"
    return array_api_compat.device(x)


def to_numpy(x, *, dtype=None) -> np.ndarray:
    """Copy or view array ``x`` as a NumPy array on the host.

    Parameters
    ----------
    x : array-like
        A NumPy, CuPy, array-api-strict (any of its devices) or other DLPack array, or a
        nested sequence.
    dtype : data-type, optional
        Cast to this dtype.

    Returns
    -------
    numpy.ndarray
        The values of ``x`` in host memory.
    """
    if not _is_foreign_array(x):
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
        Host data.
    xp : module
        Target namespace, as returned by :func:`get_namespace`.
    device : object, optional
        Target device; ``None`` uses the namespace's default.

    Returns
    -------
    array
        ``x`` as an array of ``xp`` on ``device``.
    """
    if is_numpy_namespace(xp):
        return np.asarray(x)
    if device is None or device == "cpu":
        return xp.asarray(x)
    return xp.asarray(x, device=device)


def warn_host_fallback(where: str) -> None:
    """Warn that array-API inputs of ``where`` are round-tripped through the host.

    The warning is a :class:`HostFallbackWarning` issued through :mod:`warnings` and
    attributed to the user's calling line, so the usual filters apply (by default it
    shows once per call site; ``warnings.simplefilter("ignore", HostFallbackWarning)``
    silences it).

    Parameters
    ----------
    where : str
        Name of the routine, shown in the warning.
    """
    warn(
        f"{where} runs on the CPU (compiled kernels or a CPU solver): array-API inputs are "
        "copied to NumPy and results are moved back to the input's namespace and device.",
        HostFallbackWarning,
    )


class HostRoundTrip:
    """Inputs to NumPy and results back, for a routine with a CPU-only part.

    Made by :func:`on_host` (use that rather than this class). When array-API dispatch is
    on and the inputs live in another
    namespace (CuPy, array-api-strict, ...), :attr:`used` is True, a
    :class:`HostFallbackWarning` has been issued, :meth:`to_numpy` copies array inputs to
    the host and :meth:`from_numpy` moves NumPy results to the inputs' namespace and
    device. Otherwise both are no-ops for NumPy data (and :meth:`to_numpy` still turns a
    foreign array into NumPy, as every routine does with dispatch off).

    Parameters
    ----------
    arrays : sequence
        The routine's inputs; array objects among them decide the namespace.
    where : str
        Name of the routine, shown in the warning.
    fitted : estimator, optional
        The fitted estimator whose predicting method this is (see :func:`on_host`).

    Attributes
    ----------
    xp : module
        The namespace of the inputs (NumPy unless dispatch is on).
    device : object
        The device of the first foreign input array (``"cpu"`` otherwise).
    used : bool
        Whether the inputs left their namespace.
    """

    def __init__(self, arrays, where, fitted=None):
        self.xp = get_namespace(*arrays)
        self.used = not is_numpy_namespace(self.xp)
        self.device = "cpu"
        if self.used:
            first = next(a for a in arrays if _is_foreign_array(a))
            self.device = device(first)
        if fitted is not None:
            _check_fitted_namespace(fitted, self.xp, self.device, where)
        if self.used:
            warn_host_fallback(where)

    def to_numpy(self, x, dtype=None):
        """Return ``x`` on the host if it is a foreign array; anything else unchanged.

        Lists, scalars and ``None`` pass through, so that the routine's own validation
        names the argument when they are malformed.

        Parameters
        ----------
        x : object
            An input of the routine.
        dtype : data-type, optional
            Cast a foreign array to this dtype.

        Returns
        -------
        object
            A NumPy array for a foreign array; ``x`` itself otherwise.
        """
        if _is_foreign_array(x):
            return to_numpy(x, dtype=dtype)
        return x

    def from_numpy(self, result):
        """Move the NumPy arrays in ``result`` to the inputs' namespace and device.

        Arrays inside tuples, lists, dicts and dataclass instances are moved too; Python
        scalars, other objects and non-numeric arrays (string labels, objects) are
        returned unchanged.

        Parameters
        ----------
        result : object
            What the routine computed on the host.

        Returns
        -------
        object
            ``result`` with its numeric arrays in the inputs' namespace (``result`` itself
            when no round trip was needed).
        """
        if not self.used:
            return result
        return self._move(result)

    def move_attributes(self, obj, names):
        """Move ``obj``'s NumPy attributes ``names`` (fitted arrays) to the inputs' device.

        Parameters
        ----------
        obj : object
            Usually a fitted estimator.
        names : iterable of str
            Attribute names; missing ones are skipped.

        Returns
        -------
        object
            ``obj``, changed in place.
        """
        if self.used:
            for name in names:
                if hasattr(obj, name):
                    setattr(obj, name, self._move(getattr(obj, name)))
        return obj

    def _move(self, value):
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biufc":  # strings, objects, dates stay on the host
                return value
            return move_to(value, xp=self.xp, device=self.device)
        if isinstance(value, tuple) and hasattr(value, "_fields"):  # namedtuple
            return type(value)(*(self._move(v) for v in value))
        if isinstance(value, (tuple, list)):
            return type(value)(self._move(v) for v in value)
        if isinstance(value, dict):
            return {k: self._move(v) for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for field in dataclasses.fields(value):
                if not field.init:
                    continue
                old = getattr(value, field.name)
                new = self._move(old)
                if new is not old:
                    changes[field.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        return value


def _fitted_array(estimator):
    """The first numeric array among an estimator's fitted attributes (or None)."""
    for key, value in vars(estimator).items():
        if key.endswith("_") and not key.startswith("_") and _is_array(value):
            kind = getattr(getattr(value, "dtype", None), "kind", None)
            if kind is None or kind in "biufc":
                return value
    return None


def _check_fitted_namespace(estimator, xp, dev, where):
    """Refuse predicting on arrays of another namespace or device than the fit's.

    As scikit-learn's array-API estimators do (only while dispatch is on): mixing them
    would silently move data between devices or return arrays of the wrong library.
    """
    if not dispatch_enabled():
        return
    fitted = _fitted_array(estimator)
    if fitted is None:
        return
    fitted_xp = get_namespace(fitted)
    fitted_dev = device(fitted)
    same_ns = fitted_xp.__name__ == xp.__name__
    same_dev = str(fitted_dev) == str(dev)
    if not (same_ns and same_dev):
        raise ValueError(
            f"{where}() must use the same namespace and device as fit: the model was "
            f"fitted on {fitted_xp.__name__} ({fitted_dev}) arrays, X is "
            f"{xp.__name__} ({dev}); move X there (or refit)"
        )


def on_host(*arrays, where: str, fitted=None) -> HostRoundTrip:
    """Prepare a round trip through NumPy for a routine with a CPU-only part.

    The one way probstat runs numba kernels, cvxpy and SciPy solvers on array-API input
    (in the manner of POT's ``to_numpy`` / ``from_numpy(type_as=)``)::

        host = on_host(p, q, where="greedy_mec")
        p, q = host.to_numpy(p), host.to_numpy(q)
        ...                                  # NumPy / numba / cvxpy work
        return host.from_numpy(result)       # back in the caller's namespace and device

    Parameters
    ----------
    *arrays : object
        The routine's array inputs (lists, scalars and ``None`` are ignored).
    where : str
        Name of the routine, shown in the :class:`HostFallbackWarning`.
    fitted : estimator, optional
        For an estimator's predicting methods: the fitted estimator. With dispatch on,
        inputs from another namespace or device than its fitted arrays are refused with a
        ``ValueError`` (``"<where>() must use the same namespace ..."``), as scikit-learn's
        array-API estimators do.

    Returns
    -------
    HostRoundTrip
        Converts inputs with ``to_numpy`` and results with ``from_numpy``.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.backend import on_host
    >>> host = on_host(np.ones(3), where="example")
    >>> host.used
    False
    >>> host.from_numpy(np.zeros(2))
    array([0., 0.])
    """
    return HostRoundTrip(arrays, where, fitted)


def host_only(func=None, *, where: str | None = None):
    """Decorate a routine whose body is NumPy-only so that it accepts array-API input.

    Every foreign array among the positional and keyword arguments is copied to NumPy,
    the routine runs, and the arrays in its result are moved back to the namespace and
    device of the inputs, with a :class:`HostFallbackWarning` (see :func:`on_host`).

    Parameters
    ----------
    func : callable
        The routine.
    where : str, optional
        Name shown in the warning; default the routine's qualified name.

    Returns
    -------
    callable
        The wrapped routine.
    """
    if func is None:
        return functools.partial(host_only, where=where)
    name = where or func.__qualname__

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        host = on_host(*args, *kwargs.values(), where=name)
        if not host.used:
            return func(*args, **kwargs)
        args = [host.to_numpy(a) for a in args]
        kwargs = {k: host.to_numpy(v) for k, v in kwargs.items()}
        return host.from_numpy(func(*args, **kwargs))

    return wrapper


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
        Whether a CUDA device is usable through CuPy.
    """
    return _probe_gpu()
