"""Progress bars for long loops, shown when asked by ``verbose`` or the global config."""

from __future__ import annotations

from .._config import get_config


def progress(iterable=None, *, total=None, desc=None, verbose=False, **tqdm_kwargs):
    """Wrap ``iterable`` in a tqdm bar when ``verbose`` or ``show_progress`` asks for one.

    Parameters
    ----------
    iterable : iterable, optional
        The loop to wrap; ``None`` with ``total`` gives a manual bar (``update``/``close``).
    total : int, optional
        Number of iterations, when ``len(iterable)`` is not available.
    desc : str, optional
        Label shown before the bar.
    verbose : bool or int, default=False
        The estimator's ``verbose``; any truthy value shows the bar.
    **tqdm_kwargs
        Passed to :class:`tqdm.auto.tqdm`.

    Returns
    -------
    iterable or tqdm.tqdm
        ``iterable`` itself when no bar is wanted (no tqdm import, no overhead); a manual
        bar without output when ``iterable`` is None and no bar is wanted.
    """
    from ._scalars import check_verbose

    show = bool(check_verbose(verbose)) or get_config()["show_progress"]
    if show:
        from tqdm.auto import tqdm

        return tqdm(iterable, total=total, desc=desc, **tqdm_kwargs)
    if iterable is None:
        from tqdm.auto import tqdm

        return tqdm(total=total, desc=desc, disable=True)
    return iterable
