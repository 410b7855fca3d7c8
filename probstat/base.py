"""Shared pieces of probstat's estimators and result objects.

Estimators inherit :class:`sklearn.base.BaseEstimator` directly (re-exported here for
convenience). Results of a statistical computation that are more than an array are frozen
dataclasses that inherit :class:`ResultMixin`, which gives them ``summary()`` and a
Jupyter HTML representation built from their fields.
"""

from __future__ import annotations

import dataclasses
import html

import numpy as np
from sklearn.base import BaseEstimator

__all__ = ["BaseEstimator", "ResultMixin"]


def _format_value(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, precision=4, separator=", ")
        return f"array(shape={value.shape}, dtype={value.dtype})"
    if isinstance(value, (list, tuple)) and len(value) > 6:
        return f"{type(value).__name__} of length {len(value)}"
    return repr(value)


class ResultMixin:
    """``summary()``, a short ``repr`` and an HTML repr for frozen result dataclasses.

    Subclasses are ``@dataclass(frozen=True)`` classes; they may override
    :meth:`_summary_rows` to choose what ``summary()`` shows.
    """

    def _summary_rows(self):
        return [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.repr]

    def summary(self) -> str:
        """Return a plain-text table of the result's fields.

        Returns
        -------
        str
        """
        rows = [(name, _format_value(value)) for name, value in self._summary_rows()]
        width = max((len(name) for name, _ in rows), default=0)
        title = type(self).__name__
        lines = [title, "=" * len(title)]
        lines += [f"{name:<{width}}  {value}" for name, value in rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={_format_value(value)}" for name, value in self._summary_rows())
        return f"{type(self).__name__}({inner})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(name)}</th>"
            f"<td style='text-align:left'>{html.escape(_format_value(value))}</td></tr>"
            for name, value in self._summary_rows()
        )
        return f"<table><caption>{html.escape(type(self).__name__)}</caption>{rows}</table>"
