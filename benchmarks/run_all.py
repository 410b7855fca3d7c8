"""Run every ``bench_*.py`` and assemble ``docs/performance.md`` from their sections.

Usage: ``python benchmarks/run_all.py [--collect-only] [name ...]``. Each benchmark writes
``docs/performance/<name>.md``; this script concatenates them under a common header.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import PERF_DIR, ROOT  # noqa: E402

ORDER = ("utils", "infoproj", "cluster", "coupling", "semantic", "bayesopt", "dask", "gpu")

HEADER = """# Performance

Speed is proven by the scripts in `benchmarks/`, never by timed tests. Each script runs
probstat and a peer package (or the straightforward reference implementation) on the same
inputs in one process and prints the ratio. `make bench` reruns them all and rebuilds this
page; `python benchmarks/bench_<name>.py` reruns one. The CI-class machine has 2 cores and
24 GiB; numbers from other machines say so.
"""


def collect() -> Path:
    """Concatenate the per-subpackage sections into docs/performance.md."""
    sections = {p.stem: p.read_text().strip() for p in sorted(PERF_DIR.glob("*.md"))}
    names = [n for n in ORDER if n in sections] + sorted(set(sections) - set(ORDER))
    text = HEADER + "\n" + "\n\n".join(sections[n] for n in names) + "\n"
    out = ROOT / "docs" / "performance.md"
    out.write_text(text)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default all)")
    parser.add_argument("--collect-only", action="store_true")
    args = parser.parse_args(argv)
    failed = []
    if not args.collect_only:
        for script in sorted(HERE.glob("bench_*.py")):
            name = script.stem.removeprefix("bench_")
            if args.names and name not in args.names:
                continue
            print(f"== {script.name}", flush=True)
            if subprocess.run([sys.executable, str(script)], cwd=HERE).returncode:
                failed.append(script.name)
    print(f"wrote {collect()}")
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
