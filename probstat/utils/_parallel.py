"""Independent replications in parallel, reproducible whatever the number of workers.

Monte Carlo, bootstrap and batch routines split their work into tasks whose number does not
depend on ``n_jobs``, give each task its own random stream spawned from ``random_state``
(:class:`numpy.random.SeedSequence`), and run them with joblib. So ``n_jobs=1``, ``n_jobs=4``
and a Dask cluster (``joblib.parallel_config(backend="dask")`` with a
``distributed.Client``) return identical results for the same ``random_state``.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._scalars import check_rng


def check_n_jobs(n_jobs, name="n_jobs"):
    """Validate a joblib-style ``n_jobs``: None, or a nonzero int (-1 = all cores).

    Parameters
    ----------
    n_jobs : int or None
        ``None`` leaves the choice to joblib's active configuration (one process unless a
        ``joblib.parallel_config`` context says otherwise).
    name : str, default="n_jobs"
        Argument name used in error messages.

    Returns
    -------
    int or None

    Raises
    ------
    TypeError
        When ``n_jobs`` is not an int or None (bool included).
    ValueError
        When ``n_jobs`` is 0.
    """
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(f"{name} must be an int or None (got {type(n_jobs).__name__})")
    if n_jobs == 0:
        raise ValueError(f"{name} must be a nonzero int: a number of workers, or -1 for all "
                         "cores (got 0)")
    return int(n_jobs)


def spawn_rngs(random_state, n, *, name="random_state"):
    """``n`` independent generators derived from ``random_state``.

    The children come from one :class:`numpy.random.SeedSequence` seeded by the parent
    generator, so they do not depend on how the tasks are later spread over workers.

    Parameters
    ----------
    random_state : None, int, numpy.random.RandomState or numpy.random.Generator
        As for :func:`check_rng`.
    n : int
        Number of generators (>= 0).
    name : str, default="random_state"
        Argument name used in error messages.

    Returns
    -------
    list of numpy.random.Generator
    """
    rng = check_rng(random_state, name)
    seed = np.random.SeedSequence(rng.integers(0, 2**63, size=4).tolist())
    return [np.random.default_rng(child) for child in seed.spawn(int(n))]


def runs_serially(n_jobs):
    """Whether :func:`parallel_map` would run the tasks in this process (no workers).

    Parameters
    ----------
    n_jobs : int or None
        As for :func:`parallel_map`.

    Returns
    -------
    bool
    """
    if n_jobs == 1:
        return True
    if n_jobs is None:
        from joblib.parallel import get_active_backend

        backend, active_n_jobs = get_active_backend()
        return active_n_jobs in (None, 1) and type(backend).__name__ in (
            "LokyBackend", "SequentialBackend")
    return False


def parallel_map(func, tasks, *, n_jobs=None):
    """``[func(task) for task in tasks]``, spread over joblib workers when asked.

    Parameters
    ----------
    func : callable
        Applied to each task; must be picklable for process-based backends.
    tasks : iterable
        The tasks, in the order of the results.
    n_jobs : int or None, default=None
        Number of workers; ``None`` follows joblib's active configuration, so inside
        ``joblib.parallel_config(backend="dask")`` the tasks go to the Dask cluster.

    Returns
    -------
    list
        One result per task, in order.
    """
    n_jobs = check_n_jobs(n_jobs)
    tasks = list(tasks)
    if runs_serially(n_jobs) or len(tasks) <= 1:
        return [func(task) for task in tasks]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs)(delayed(func)(task) for task in tasks)
