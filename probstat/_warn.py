"""Warnings that point at the user's line, not at probstat's internals.

``warnings.warn(..., stacklevel=2)`` points at whichever probstat frame called the helper,
so the default "once per location" filter would show a warning once per *library* line
and hide it from every later user call site. :func:`warn` walks the stack to the first
frame outside probstat and scikit-learn (whose ``fit`` wrappers and meta-estimators sit
between the user and probstat's estimators) instead, as pandas' ``find_stack_level``
does, so the normal :mod:`warnings` rules apply per user call site and filters can target
the user's module.
"""

from __future__ import annotations

import inspect
import os
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _library_dirs():
    dirs = [_PACKAGE_DIR]
    try:
        import sklearn

        dirs.append(os.path.dirname(os.path.abspath(sklearn.__file__)) + os.sep)
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        pass
    return tuple(dirs)


def find_stack_level() -> int:
    """The ``stacklevel`` of the first frame outside probstat and scikit-learn."""
    libraries = _library_dirs()
    frame = inspect.currentframe()
    level = 0
    try:
        while frame is not None:
            filename = inspect.getfile(frame)
            if not filename.startswith(libraries):
                break
            frame = frame.f_back
            level += 1
    finally:
        del frame  # break the reference cycle frames create
    # ``level`` counts library frames including this function's; warnings.warn counts
    # from its caller, which is one of those frames.
    return max(level, 1)


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Issue ``message`` as ``category``, attributed to the user's calling line."""
    warnings.warn(message, category, stacklevel=find_stack_level())
