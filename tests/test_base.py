"""The result convention: frozen dataclasses with eq=False, short repr, Summary."""

import dataclasses

import numpy as np

from probstat.base import ResultMixin, Summary


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class _Result(ResultMixin):
    values: np.ndarray
    score: float
    name: str
    extra: int = 3
    more: float = 0.5
    also: str = "x"
    last: float = 1.0


def test_repr_is_one_short_line():
    r = _Result(np.arange(100.0), 0.123456789, "a")
    text = repr(r)
    assert text.startswith("_Result(values=array(shape=(100,), dtype=float64), score=0.123457")
    assert text.endswith(", ...)") and "\n" not in text


def test_equality_is_identity_not_elementwise():
    a = _Result(np.arange(3.0), 1.0, "a")
    b = _Result(np.arange(3.0), 1.0, "a")
    assert a == a and a != b          # no "truth value of an array is ambiguous"


def test_summary_is_text_and_html():
    r = _Result(np.arange(3.0), 1.0, "a<b")
    s = r.summary()
    assert isinstance(s, Summary) and isinstance(s, str)
    assert s.splitlines()[0] == "_Result" and "score" in s
    assert repr(s) == str(s)                       # IPython shows the table, not a blob
    html = r._repr_html_()
    assert html.startswith("<table><caption>_Result</caption>") and "a&lt;b" in html


def test_summary_table_with_notes():
    s = Summary.table("T", ["a", "b"], [[1, 2.5], ["x", np.float64(3)]], notes=["n1"])
    assert s.splitlines()[-1] == "n1"
    assert "<p>n1</p>" in s._repr_html_()
    plain = Summary("just text")
    assert plain._repr_html_() == "<pre>just text</pre>"
