"""Command-line entry: ``python -m probstat tour|info``."""

from __future__ import annotations

import argparse
import sys

from ._tour import SECTIONS


def _version() -> str:
    from . import __version__

    return __version__


def _tour(args) -> int:
    from ._tour import run_tour

    print(f"probstat tour -> {args.out}")
    sections = run_tour(args.out, only=args.only, random_state=args.seed, stream=sys.stdout)
    failed = [s.title for s in sections if s.error]
    n_fig = sum(len(s.figures) for s in sections)
    print(f"wrote {args.out}/report.md and report.html: {len(sections)} sections, "
          f"{n_fig} figures, {len(failed)} failed")
    return 1 if failed else 0


def _info(args) -> int:
    import platform

    import probstat
    from probstat.backend import gpu_available

    print(f"probstat {probstat.__version__} on Python {platform.python_version()}")
    for name in ("numpy", "scipy", "sklearn", "numba", "cvxpy", "statsmodels", "matplotlib"):
        try:
            module = __import__(name)
            print(f"  {name:<12} {getattr(module, '__version__', '?')}")
        except ImportError:
            print(f"  {name:<12} not installed")
    print(f"  GPU (CuPy with a device): {'yes' if gpu_available() else 'no'}")
    return 0


def main(argv=None) -> int:
    """Run the ``probstat`` command line and return its exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m probstat",
        description="probstat: probabilistic modelling and statistics from recent research.",
    )
    parser.add_argument("--version", action="version", version=f"probstat {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="command")
    width = max(map(len, SECTIONS))
    tour = sub.add_parser(
        "tour", help="run every subpackage's demo and write a report",
        description="Run each section's demo on built-in data; write figures and a report.",
        epilog="sections:\n" + "\n".join(f"  {name:<{width}}  {text}"
                                          for name, text in SECTIONS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tour.add_argument("--out", default="demo-output", help="output folder (default demo-output)")
    tour.add_argument("--only", nargs="+", choices=list(SECTIONS), metavar="SECTION",
                      help="sections to run (default all; listed below)")
    tour.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    tour.set_defaults(func=_tour)
    info = sub.add_parser("info", help="show versions and whether a GPU is usable")
    info.set_defaults(func=_info)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
