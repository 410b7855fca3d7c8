"""Progress bars for long loops, shown when asked by ``verbose`` or the global config.

No bar asked, no tqdm: not even a disabled one, because constructing ``tqdm.auto``'s notebook
bar without ipywidgets prints a red ``TqdmWarning: IProgress not found`` in Jupyter. A bar
that is asked for is a notebook widget only when ipywidgets is installed (the ``notebook``
extra), and a plain text bar otherwise.
"""

from __future__ import annotations

import importlib.util

from .._config import get_config


class _NoBar:
    """The manual bar's interface (``update``, ``close``, ...) doing nothing."""

    disable = True

    def update(self, n=1):
        return None

    def close(self):
        return None

    def set_description(self, desc=None, refresh=True):
        return None

    def set_postfix(self, *args, **kwargs):
        return None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False


def _tqdm_class():
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm.std import tqdm
    return tqdm


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
        Passed to :class:`tqdm.auto.tqdm` (a notebook widget when ipywidgets is installed)
        or :class:`tqdm.std.tqdm` (a text bar).

    Returns
    -------
    iterable or tqdm.tqdm
        ``iterable`` itself when no bar is wanted (no tqdm import, no overhead); without
        ``iterable``, an object with the manual bar's methods that does nothing.
    """
    from ._scalars import check_verbose

    show = bool(check_verbose(verbose)) or get_config()["show_progress"]
    if show:
        return _tqdm_class()(iterable, total=total, desc=desc, **tqdm_kwargs)
    if iterable is None:
        return _NoBar()
    return iterable
