"""Helpers shared by the benchmark scripts: timing, machine description, Markdown tables."""

from __future__ import annotations

import datetime
import os
import platform
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERF_DIR = ROOT / "docs" / "performance"


def best_time(fn, *args, repeat=5, number=1, **kwargs):
    """Best wall time in seconds of ``fn(*args, **kwargs)`` over ``repeat`` rounds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn(*args, **kwargs)
        best = min(best, (time.perf_counter() - start) / number)
    return best


def machine() -> str:
    """One line describing the machine the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"{datetime.date.today().isoformat()}")


def markdown_table(header, rows) -> str:
    """Format rows as a GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


_BLOCK = re.compile(r"<!-- (?P<key>[\w-]+):start -->.*?<!-- (?P=key):end -->", re.S)


def write_section(name: str, title: str, body: str) -> Path:
    """Write ``docs/performance/<name>.md`` and print it.

    Marked blocks (``<!-- key:start -->`` ... ``<!-- key:end -->``) that another benchmark
    function wrote into the file are kept, after the new body, unless the body has its own.
    """
    PERF_DIR.mkdir(parents=True, exist_ok=True)
    path = PERF_DIR / f"{name}.md"
    text = f"## {title}\n\nMachine: {machine()}.\n\n{body.strip()}\n"
    if path.exists():
        ours = {m["key"] for m in _BLOCK.finditer(body)}
        kept = [m[0] for m in _BLOCK.finditer(path.read_text()) if m["key"] not in ours]
        text += "".join(f"\n{block}\n" for block in kept)
    path.write_text(text)
    print(text)
    return path


def replace_marked(path: Path, start: str, end: str, text: str) -> None:
    """Replace the part of ``path`` from ``start`` to ``end`` (markers included) by
    ``text``, which carries its own markers; append ``text`` when the markers are absent."""
    old = path.read_text() if path.exists() else ""
    if start in old and end in old:
        head, rest = old.split(start, 1)
        new = head + text + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(new)


def write_block(name: str, key: str, body: str) -> Path:
    """Replace (or append) the marked block ``key`` of ``docs/performance/<name>.md``."""
    PERF_DIR.mkdir(parents=True, exist_ok=True)
    path = PERF_DIR / f"{name}.md"
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    replace_marked(path, start, end, block)
    print(block)
    return path
