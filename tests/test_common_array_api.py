"""scikit-learn's own array-API estimator checks, in a process with SciPy's array API on.

scikit-learn runs them only when ``SCIPY_ARRAY_API=1`` was set before SciPy was imported.
The rest of the suite runs without it, as users do, so these checks get a fresh
interpreter of their own.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_scikit_learn_array_api_checks_pass():
    env = {**os.environ, "SCIPY_ARRAY_API": "1", "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_common.py", "-q", "-p", "no:cacheprovider",
         "-k", "array_api", "-W", "ignore"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    tail = run.stdout[-4000:] + run.stderr[-2000:]
    assert run.returncode == 0, tail
    assert " passed" in tail and "SCIPY_ARRAY_API is not set" not in tail
