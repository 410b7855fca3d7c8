import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import probstat
from probstat.backend import (
    HostFallbackWarning,
    device,
    get_namespace,
    gpu_available,
    jit,
    move_to,
    to_numpy,
    warn_host_fallback,
)


def _run(code: str) -> str:
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env).stdout.strip()


def test_import_is_fast_and_lazy():
    out = _run(
        "import sys, time; t = time.perf_counter(); import probstat; "
        "dt = time.perf_counter() - t; "
        "heavy = [m for m in ('numba', 'cvxpy', 'sklearn', 'scipy', 'cupy', 'matplotlib', "
        "'probstat.coupling', 'probstat.bayesopt') if m in sys.modules]; "
        "print(dt, heavy)"
    )
    seconds, heavy = out.split(" ", 1)
    assert heavy == "[]"
    assert float(seconds) < 1.0


def test_lazy_subpackage_access():
    out = _run("import probstat, sys; probstat.utils; print('probstat.utils' in sys.modules)")
    assert out == "True"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        probstat.nope  # noqa: B018


def test_config_is_thread_local():
    seen = {}

    def worker():
        seen["thread"] = probstat.get_config()["show_progress"]

    with probstat.config_context(show_progress=True):
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert probstat.get_config()["show_progress"] is True
    assert seen["thread"] is False
    assert probstat.get_config()["show_progress"] is False


def test_namespace_defaults_to_numpy_even_for_other_arrays():
    strict = pytest.importorskip("array_api_strict")
    xp = get_namespace(strict.asarray([1.0]))
    assert "numpy" in xp.__name__
    with probstat.config_context(array_api_dispatch=True):
        assert get_namespace(strict.asarray([1.0])) is strict
        assert "numpy" in get_namespace(np.ones(2), None, 3.0).__name__
        with pytest.raises(TypeError, match="different array libraries"):
            get_namespace(strict.asarray([1.0]), np.ones(1))


def test_to_numpy_and_move_to_round_trip():
    strict = pytest.importorskip("array_api_strict")
    x = np.arange(3.0)
    dev = strict.Device("device1")
    y = move_to(x, xp=strict, device=dev)
    assert device(y) == dev
    np.testing.assert_array_equal(to_numpy(y), x)
    assert device(x) == "cpu"
    assert to_numpy([1, 2], dtype=float).dtype == np.float64


def test_jit_flags_and_py_func():
    @jit
    def add(a, b):
        return a + b

    assert add(1.0, 2.0) == 3.0
    assert add.py_func(1.0, 2.0) == 3.0
    assert add.targetoptions["nogil"] is True
    assert add.targetoptions["error_model"] == "numpy"

    @jit(fastmath={"contract"})
    def div(a, b):
        return a / b

    assert div(1.0, 0.0) == np.inf  # error_model="numpy": no ZeroDivisionError
    with pytest.raises(ValueError, match="fastmath=True is not allowed"):
        jit(fastmath=True)
    with pytest.raises(ValueError, match="subset"):
        jit(fastmath={"nnan"})


def test_gpu_probe_needs_a_device(monkeypatch):
    """CuPy importing is not enough: the probe asks for a device count."""
    import types

    from probstat.backend import _namespace

    class _Runtime:
        @staticmethod
        def getDeviceCount():
            raise RuntimeError("cudaErrorNoDevice")

    fake = types.SimpleNamespace(cuda=types.SimpleNamespace(runtime=_Runtime))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    _namespace._probe_gpu.cache_clear()
    try:
        assert gpu_available() is False
        _Runtime.getDeviceCount = staticmethod(lambda: 2)
        _namespace._probe_gpu.cache_clear()
        assert gpu_available() is True
    finally:
        _namespace._probe_gpu.cache_clear()


def test_gpu_probe_not_at_import():
    out = _run("import probstat.backend, sys; print('cupy' in sys.modules)")
    assert out == "False"


def test_host_fallback_warns_once():
    with pytest.warns(HostFallbackWarning, match="runs on the CPU"):
        warn_host_fallback("test_routine_xyz")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_host_fallback("test_routine_xyz")


def test_numba_disable_jit_gives_same_answer():
    code = (
        "import numpy as np\n"
        "from probstat.backend import jit\n"
        "@jit\n"
        "def cumsum(x):\n"
        "    out = np.empty_like(x)\n"
        "    s = 0.0\n"
        "    for i in range(x.shape[0]):\n"
        "        s += x[i]\n"
        "        out[i] = s\n"
        "    return out\n"
        "print(cumsum(np.arange(5.0)).tolist())\n"
    )
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    slow = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env).stdout.strip()
    fast = _run(code)
    assert slow == fast == str(np.cumsum(np.arange(5.0)).tolist())
