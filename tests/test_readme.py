"""The README's example runs as written, and the values in its comments are what it prints.

A top-level expression followed by ``# <literal>`` (a number, a tuple or a list; the first
word of the comment or the whole comment) is evaluated and compared to the digits shown.
"""

import ast
import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def _claimed(comment):
    for text in (comment, comment.split()[0].rstrip(",")):
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
    return None


def _decimals(text):
    found = re.findall(r"\d\.(\d+)", text)
    return min((len(d) for d in found), default=0)


def _agrees(value, claimed, decimals):
    if isinstance(claimed, (tuple, list)):
        value = list(np.asarray(value, dtype=object).ravel()) if not isinstance(
            value, (tuple, list)) else list(value)
        return len(value) == len(claimed) and all(
            _agrees(v, c, decimals) for v, c in zip(value, claimed))
    if isinstance(claimed, bool):
        return bool(value) is claimed
    if isinstance(claimed, int) and decimals == 0:
        return float(value) == claimed
    return abs(float(value) - float(claimed)) <= 0.5 * 10.0 ** -decimals + 1e-12


@pytest.mark.parametrize("block", range(len(_blocks())))
def test_readme_example(block, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    source = _blocks()[block]
    lines = source.splitlines()
    namespace = {}
    checked = 0
    for stmt in ast.parse(source).body:
        code = ast.get_source_segment(source, stmt)
        last = lines[stmt.end_lineno - 1]
        comment = last.split("#", 1)[1].strip() if "#" in last else ""
        claimed = _claimed(comment) if isinstance(stmt, ast.Expr) and comment else None
        if claimed is None:
            exec(compile(code, "README.md", "exec"), namespace)
            continue
        value = eval(compile(code, "README.md", "eval"), namespace)
        decimals = _decimals(comment.split()[0] if not isinstance(claimed, tuple) else comment)
        assert _agrees(value, claimed, decimals), (
            f"README line {stmt.lineno}: {code} gives {value!r}, the comment says {comment!r}")
        checked += 1
    assert checked >= 8
