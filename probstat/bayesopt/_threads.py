"""One BLAS thread for the small dense algebra of a BO loop.

On small shared machines OpenBLAS with several threads is up to 100x slower than one
thread for the n <= 1000 Cholesky factors and triangular solves of Bayesian optimisation
(spec section 4.2). A cached :class:`threadpoolctl.ThreadpoolController` makes the switch
cost about 0.2 ms instead of the 10 ms of a fresh ``threadpool_limits``.
"""

from __future__ import annotations

import functools

_CONTROLLER = None
#: Above this many training points the factorisations are large enough for threads to pay.
MAX_SINGLE_THREAD_N = 2000


def blas_single_thread():
    """Context manager limiting BLAS to one thread."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def single_blas_thread(method):
    """Decorator: run a GP method with one BLAS thread unless the model is large."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        L = getattr(self, "L_", None)
        if L is not None and L.shape[0] > MAX_SINGLE_THREAD_N:
            return method(self, *args, **kwargs)
        with blas_single_thread():
            return method(self, *args, **kwargs)

    return wrapper
