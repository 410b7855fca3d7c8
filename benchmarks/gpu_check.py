"""GPU check: run the CuPy-marked tests, then time array-API paths on CuPy against NumPy.

Run on a machine with an NVIDIA GPU and CuPy (``pip install -e .[gpu,test]``):
``python benchmarks/gpu_check.py``. It prints a table and writes
``docs/performance/gpu.md`` (with the card's name). Without a GPU it says so and exits 0
after timing the NumPy side only, so the script itself is testable anywhere.

Each subpackage contributes ``benchmarks/gpu_cases/<name>.py`` with ``cases()`` yielding
``(label, fn, args_factory)``: ``args_factory(xp)`` builds the inputs in namespace ``xp``
and ``fn(*args)`` runs the routine.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import markdown_table, write_section  # noqa: E402


def _load_cases():
    for path in sorted((HERE / "gpu_cases").glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"gpu_cases_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for case in module.cases():
            yield path.stem, *case


def _time(fn, args, sync, repeat):
    fn(*args)  # warm-up: JIT, kernel compilation, memory pools
    sync()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        sync()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-tests", action="store_true")
    args = parser.parse_args(argv)

    import numpy as np

    import probstat
    from probstat.backend import gpu_available, to_numpy

    rc = 0
    gpu = gpu_available()
    card = "none"
    if gpu:
        import cupy

        props = cupy.cuda.runtime.getDeviceProperties(0)
        card = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        if not args.skip_tests:
            rc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", "gpu", "-p",
                                 "no:xdist", str(HERE.parent / "tests")]).returncode
    print(f"GPU: {card}")

    import array_api_compat.numpy as xnp

    rows = []
    with probstat.config_context(array_api_dispatch=True):
        for sub, label, fn, factory in _load_cases():
            t_np = _time(fn, factory(xnp), lambda: None, args.repeat)
            if gpu:
                import cupy

                gpu_args = factory(cupy)
                sync = cupy.cuda.Device().synchronize
                t_gpu = _time(fn, gpu_args, sync, args.repeat)
                same = np.allclose(to_numpy(fn(*factory(xnp))), to_numpy(fn(*gpu_args)),
                                   rtol=1e-6, atol=1e-9)
                rows.append((sub, label, f"{t_np * 1e3:.2f}", f"{t_gpu * 1e3:.2f}",
                             f"{t_np / t_gpu:.1f}", "yes" if same else "NO"))
                rc = rc or (0 if same else 1)
            else:
                rows.append((sub, label, f"{t_np * 1e3:.2f}", "-", "-", "-"))
    table = markdown_table(("subpackage", "case", "NumPy (ms)", "CuPy (ms)",
                            "speed-up", "same result"), rows)
    if gpu:
        write_section("gpu", f"CuPy against NumPy on {card}", table)
    else:
        print("No CUDA device visible to CuPy: NumPy timings only, nothing written.\n")
        print(table)
    return rc


if __name__ == "__main__":
    sys.exit(main())
