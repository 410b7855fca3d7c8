"""Shared pieces of probstat's estimators and result objects.

Estimators inherit :class:`sklearn.base.BaseEstimator` (with the right scikit-learn mixin
to its left) and declare their hyperparameters in ``_parameter_constraints``.

Results of a statistical computation that are more than an array follow one convention,
as statsmodels' results do: a frozen dataclass declared with
``@dataclasses.dataclass(frozen=True, eq=False, repr=False)`` that inherits
:class:`ResultMixin`, which gives it

- a short one-line ``repr`` (arrays shown by shape),
- ``summary()``, a :class:`Summary` that prints as a text table and renders as an HTML
  table in Jupyter,
- ``_repr_html_``, so that the result itself renders as that table,

and, where a picture helps, a ``plot(ax=None)`` method returning the matplotlib Axes.
``eq=False`` keeps ``==`` the identity: results hold arrays, whose elementwise ``==``
cannot give one truth value.
"""

from __future__ import annotations

import dataclasses
import html

import numpy as np

__all__ = ["ResultMixin", "Summary"]

#: Fields shown by a result's one-line repr before it is cut with "...".
_REPR_FIELDS = 6


def _format_value(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, np.ndarray):
        if value.size <= 6 and value.ndim <= 1:
            return np.array2string(value, precision=4, separator=", ")
        return f"array(shape={value.shape}, dtype={value.dtype})"
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "__array_namespace__"):
        return f"array(shape={tuple(shape)}, dtype={value.dtype})"
    if isinstance(value, (list, tuple)) and len(value) > 6:
        return f"{type(value).__name__} of length {len(value)}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Summary(str):
    """The text of a result's summary table, rendered as HTML by Jupyter.

    A ``str`` (so ``print(result.summary())`` and string tests work as before) whose
    ``repr`` is the text itself and whose ``_repr_html_`` is an HTML table, so that a
    notebook cell ending in ``result.summary()`` shows a table instead of an escaped blob.

    Parameters
    ----------
    text : str
        The plain-text table.
    html : str, optional
        The HTML rendering; default the text in a ``<pre>`` block.

    Examples
    --------
    >>> from probstat.base import Summary
    >>> s = Summary.table("Example", ["name", "value"], [["a", 1.5], ["b", 2]])
    >>> print(s)
    Example
    =======
    name  value
    ----  -----
    a     1.5
    b     2
    >>> "<table" in s._repr_html_()
    True
    """

    def __new__(cls, text, html=None):
        obj = super().__new__(cls, text)
        obj._html = html
        return obj

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_html_(self) -> str:
        if self._html is not None:
            return self._html
        return f"<pre>{html.escape(str.__str__(self))}</pre>"

    @classmethod
    def table(cls, title, columns, rows, *, notes=()):
        """Build a summary from a title, column names and rows of values.

        Parameters
        ----------
        title : str
            Caption of the table.
        columns : sequence of str
            Column headers.
        rows : sequence of sequences
            One sequence of values per row (formatted like the result's fields).
        notes : sequence of str, optional
            Lines printed under the table.

        Returns
        -------
        Summary
            Text and HTML renderings of the same table.
        """
        cells = [[_format_value(v) if not isinstance(v, str) else v for v in row]
                 for row in rows]
        widths = [max([len(str(c))] + [len(r[i]) for r in cells])
                  for i, c in enumerate(columns)]
        lines = [title, "=" * len(title)]
        lines.append("  ".join(f"{c:<{w}}" for c, w in zip(columns, widths)).rstrip())
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(f"{v:<{w}}" for v, w in zip(r, widths)).rstrip() for r in cells]
        lines += list(notes)
        head = "".join(f"<th style='text-align:left'>{html.escape(str(c))}</th>"
                       for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:left'>{html.escape(v)}</td>" for v in r)
            + "</tr>" for r in cells)
        foot = "".join(f"<p>{html.escape(n)}</p>" for n in notes)
        markup = (f"<table><caption>{html.escape(title)}</caption><thead><tr>{head}</tr>"
                  f"</thead><tbody>{body}</tbody></table>{foot}")
        return cls("\n".join(lines), markup)


class ResultMixin:
    """``summary()``, a short ``repr`` and an HTML repr for frozen result dataclasses.

    Subclasses are declared with ``@dataclasses.dataclass(frozen=True, eq=False,
    repr=False)``; they may override :meth:`_summary_rows` to choose what ``summary()``
    shows, or ``summary()`` itself (returning a :class:`Summary`).
    """

    def _summary_rows(self):
        return [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.repr]

    def summary(self) -> Summary:
        """Return the result as a table: text when printed, HTML in Jupyter.

        Returns
        -------
        Summary
            A ``str`` subclass with an HTML rendering.
        """
        rows = [(name, value) for name, value in self._summary_rows()]
        return Summary.table(type(self).__name__, ["field", "value"], rows)

    def __repr__(self) -> str:
        rows = self._summary_rows()
        inner = ", ".join(f"{name}={_format_value(value)}" for name, value in
                          rows[:_REPR_FIELDS])
        if len(rows) > _REPR_FIELDS:
            inner += ", ..."
        return f"{type(self).__name__}({inner})"

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()
