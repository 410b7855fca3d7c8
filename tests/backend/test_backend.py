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


def test_host_fallback_warning_goes_through_warnings_filters():
    import warnings

    with pytest.warns(HostFallbackWarning, match="runs on the CPU"):
        warn_host_fallback("test_routine_xyz")
    # A filter silences it, as for any warning (no private warn-once registry).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HostFallbackWarning)
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=HostFallbackWarning)
        warn_host_fallback("test_routine_xyz")
    # Every call warns under "always"; the default rule shows it once per user call site.
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warn_host_fallback("test_routine_xyz")
        warn_host_fallback("test_routine_xyz")
    assert len(seen) == 2


def test_host_fallback_warning_points_at_the_user_line():
    # The warning is attributed to the first frame outside probstat, so the default
    # "once per location" rule applies per user call site and filters see the user module.
    code = (
        "import warnings, numpy as np, array_api_strict as xp, probstat\n"
        "from probstat.coupling import greedy_mec\n"
        "probstat.set_config(array_api_dispatch=True)\n"
        "p = xp.asarray([0.5, 0.5])\n"
        "greedy_mec(np.ones(2) / 2, np.ones(2) / 2)  # compile first: numba resets filters\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.simplefilter('default')\n"
        "    for _ in range(3):\n"
        "        greedy_mec(p, p)\n"
        "    greedy_mec(p, p)\n"
        "print(len(seen), {w.filename for w in seen}, sorted(w.lineno for w in seen))\n"
    )
    out = _run(code)
    assert out == "2 {'<string>'} [9, 10]"


def test_on_host_round_trip(xp):
    from probstat.backend import host_only, on_host

    x = xp.asarray([1.0, 2.0, 3.0])
    host = on_host(x, None, [1, 2], where="t")
    assert host.used == (xp.__name__ != "array_api_compat.numpy")
    assert isinstance(host.to_numpy(x), np.ndarray) or not host.used
    assert host.to_numpy([1, 2]) == [1, 2]          # lists pass through to validation

    @host_only
    def double(a, *, k=2.0):
        assert isinstance(a, np.ndarray)
        return {"y": a * k, "n": int(a.shape[0]), "pair": (a, 1.0)}

    if host.used:
        with pytest.warns(HostFallbackWarning, match="double"):
            out = double(x)
        assert type(out["y"]) is type(x)
        assert device(out["y"]) == device(x)
        assert type(out["pair"][0]) is type(x)
    else:
        out = double(np.asarray([1.0, 2.0, 3.0]))
    assert out["n"] == 3
    np.testing.assert_allclose(to_numpy(out["y"]), [2.0, 4.0, 6.0])


def test_on_host_moves_dataclass_fields():
    import dataclasses

    import array_api_strict as xps

    from probstat.backend import on_host

    @dataclasses.dataclass(frozen=True, eq=False)
    class R:
        a: np.ndarray
        b: float

    with probstat.config_context(array_api_dispatch=True):
        x = xps.asarray([1.0], device=xps.Device("device1"))
        with pytest.warns(HostFallbackWarning):
            host = on_host(x, where="t")
        r = host.from_numpy(R(np.ones(2), 3.0))
    assert r.b == 3.0 and device(r.a) == device(x)


def test_dispatch_off_never_warns():
    import warnings

    import array_api_strict as xps

    from probstat.backend import on_host

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        host = on_host(xps.asarray([1.0, 2.0]), where="t")
    assert not host.used
    assert isinstance(host.to_numpy(xps.asarray([1.0, 2.0])), np.ndarray)


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


def test_scikit_learn_dispatch_setting_is_honoured():
    # scikit-learn refuses array-API dispatch unless SciPy's is on: a fresh interpreter
    code = (
        "import os; os.environ['SCIPY_ARRAY_API'] = '1'\n"
        "import array_api_strict as xps, sklearn\n"
        "from probstat.backend import dispatch_enabled, get_namespace\n"
        "x = xps.asarray([1.0, 2.0])\n"
        "a = dispatch_enabled()\n"
        "with sklearn.config_context(array_api_dispatch=True):\n"
        "    b = dispatch_enabled(), get_namespace(x).__name__\n"
        "print(a, b, get_namespace(x).__name__)\n"
    )
    assert _run(code) == "False (True, 'array_api_strict') array_api_compat.numpy"


def test_warnings_from_fit_point_past_scikit_learn_wrappers():
    # fit is wrapped by scikit-learn's _fit_context: the warning must still name the
    # user's file, not sklearn/base.py
    import warnings

    import array_api_strict as xps

    from probstat.cluster import KMeansSDP

    X = xps.asarray(np.random.default_rng(0).normal(size=(12, 2)))
    with probstat.config_context(array_api_dispatch=True):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            KMeansSDP(n_clusters=2, solver="bm", random_state=0).fit(X)
    host = [w for w in seen if issubclass(w.category, HostFallbackWarning)]
    assert host and all(w.filename == __file__ for w in host)


def test_predicting_on_another_namespace_than_the_fit_is_refused():
    import array_api_strict as xps

    from probstat.cluster import KMeansSDP

    X = np.random.default_rng(0).normal(size=(12, 2))
    with probstat.config_context(array_api_dispatch=True):
        with pytest.warns(HostFallbackWarning):
            est = KMeansSDP(n_clusters=2, solver="bm", random_state=0).fit(xps.asarray(X))
        with pytest.raises(ValueError, match=r"KMeansSDP.predict\(\) must use the same "
                                             "namespace and device as fit"):
            est.predict(X)
        with pytest.raises(ValueError, match="same namespace and device"):
            est.predict(xps.asarray(X, device=xps.Device("device1")))
    # with dispatch off, any input is converted as usual
    assert est.predict(X).shape == (12,)
