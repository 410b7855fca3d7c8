"""Thread-local configuration: ``set_config``, ``get_config`` and ``config_context``.

The settings follow scikit-learn's pattern: a global default, overridable per thread,
and a context manager that restores the previous values on exit.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

_global_config = {
    "array_api_dispatch": False,
    "show_progress": False,
}
_threadlocal = threading.local()


def _get_threadlocal_config() -> dict:
    if not hasattr(_threadlocal, "config"):
        _threadlocal.config = _global_config.copy()
    return _threadlocal.config


def get_config() -> dict:
    """Return a copy of the current configuration.

    Returns
    -------
    config : dict
        Keys are the parameters of :func:`set_config`.

    See Also
    --------
    set_config : Change the configuration.
    config_context : Change it temporarily.

    Examples
    --------
    >>> import probstat
    >>> probstat.get_config()["show_progress"]
    False
    """
    return _get_threadlocal_config().copy()


def set_config(array_api_dispatch: bool | None = None, show_progress: bool | None = None) -> None:
    """Set probstat's configuration for the current thread.

    Parameters
    ----------
    array_api_dispatch : bool, default=None
        When True, routines written against the array API run in the namespace of their
        inputs (CuPy, array-api-strict, ...) and return arrays there. When False (the
        default), everything is converted to NumPy. None leaves the setting unchanged.
    show_progress : bool, default=None
        When True, long loops (optimisation iterations, parameter scans) show a tqdm
        progress bar even if the estimator's ``verbose`` is off. None leaves it unchanged.

    See Also
    --------
    get_config, config_context

    Examples
    --------
    >>> import probstat
    >>> probstat.set_config(show_progress=True)
    >>> probstat.get_config()["show_progress"]
    True
    >>> probstat.set_config(show_progress=False)
    """
    config = _get_threadlocal_config()
    if array_api_dispatch is not None:
        if array_api_dispatch:
            # Fail here, not deep inside a routine, when the dependency is missing.
            import array_api_compat  # noqa: F401
        config["array_api_dispatch"] = bool(array_api_dispatch)
    if show_progress is not None:
        config["show_progress"] = bool(show_progress)


@contextmanager
def config_context(*, array_api_dispatch: bool | None = None, show_progress: bool | None = None):
    """Context manager that changes the configuration and restores it on exit.

    Parameters
    ----------
    array_api_dispatch : bool, default=None
        See :func:`set_config`.
    show_progress : bool, default=None
        See :func:`set_config`.

    Yields
    ------
    None

    Examples
    --------
    >>> import probstat
    >>> with probstat.config_context(show_progress=True):
    ...     probstat.get_config()["show_progress"]
    True
    >>> probstat.get_config()["show_progress"]
    False
    """
    old = get_config()
    set_config(array_api_dispatch=array_api_dispatch, show_progress=show_progress)
    try:
        yield
    finally:
        set_config(**old)
