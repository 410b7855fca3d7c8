"""The one numba ``jit`` wrapper every compiled kernel in probstat goes through."""

from __future__ import annotations

#: The fastmath flags that keep NaN and inf semantics intact. Blanket ``fastmath=True``
#: would add ``nnan``/``ninf`` and let the compiler drop NaN checks (a NaN count becomes 0).
SAFE_FASTMATH = frozenset({"reassoc", "contract", "arcp"})


def jit(func=None, *, cache: bool = False, parallel: bool = False, fastmath=False, **options):
    """Compile ``func`` with :func:`numba.njit` using probstat's house flags.

    The flags are ``nopython=True``, ``nogil=True`` and ``error_model="numpy"`` (division
    by zero gives inf/NaN as in NumPy instead of raising). Compilation is lazy: nothing is
    compiled until the first call, so importing a module of kernels is cheap once numba
    itself is imported. ``NUMBA_DISABLE_JIT=1`` makes every kernel run as plain Python.

    Parameters
    ----------
    func : callable, optional
        The function to compile. When omitted, ``jit`` returns a decorator.
    cache : bool, default=False
        Write the compiled code to numba's on-disk cache (``NUMBA_CACHE_DIR`` chooses the
        folder on read-only installs). Only safe for leaf kernels without function-typed
        arguments, ``parallel=True`` or SciPy function pointers.
    parallel : bool, default=False
        Enable ``numba.prange``. Parallel reductions are not bit-reproducible, so seeded
        routines should keep serial kernels.
    fastmath : bool or set of str, default=False
        ``True`` is rejected; pass a subset of :data:`SAFE_FASTMATH` instead.
    **options
        Other keyword arguments for :func:`numba.njit` (for example ``boundscheck``).

    Returns
    -------
    dispatcher : numba.core.registry.CPUDispatcher or callable
        The compiled function (its Python original is ``dispatcher.py_func``).

    Examples
    --------
    >>> from probstat.backend import jit
    >>> @jit
    ... def total(x):
    ...     s = 0.0
    ...     for v in x:
    ...         s += v
    ...     return s
    >>> import numpy as np
    >>> float(total(np.arange(4.0)))
    6.0
    """
    if fastmath is True:
        raise ValueError(
            "fastmath=True is not allowed in probstat: it disables NaN/inf checks; "
            f"pass a subset of {sorted(SAFE_FASTMATH)} instead"
        )
    if fastmath and not set(fastmath) <= SAFE_FASTMATH:
        raise ValueError(
            f"fastmath flags must be a subset of {sorted(SAFE_FASTMATH)} (got {sorted(fastmath)})"
        )

    def decorate(f):
        import numba

        flags = dict(nogil=True, error_model="numpy", cache=cache, parallel=parallel)
        if fastmath:
            flags["fastmath"] = set(fastmath)
        flags.update(options)
        return numba.njit(**flags)(f)

    if func is None:
        return decorate
    return decorate(func)
