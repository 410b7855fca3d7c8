"""Package-wide bad-input suite, generated from the registry of public calls.

For each case (see ``_cases.py``) and each of its array arguments, the argument is
replaced by a malformed or unusual version. A *bad* version must raise a ``ValueError`` or
``TypeError`` (probstat's own or scikit-learn's parameter error, never a numba, cvxpy,
SciPy or LinAlgError from inside) whose message names an argument; an *unusual but valid*
version (float32, longdouble, non-contiguous, read-only) must give the float64 result.
Every call must leave its inputs unchanged and may return NaN only with a warning.
"""

from __future__ import annotations

import copy
import re
import warnings

import numpy as np
import pytest

from ._cases import assert_results_close, has_nan, load_registry

pytestmark = pytest.mark.timeout(120)

CASES, _ = load_registry()

#: Mutations every array argument gets: name -> (how to make it, expected outcome).
#: Outcomes: "error" (a named error), "same" (the float64 result), "ref" (a named error
#: or the result on the reference input), "either" (a named error or any clean result).
COMMON = ("none", "nan", "posinf", "neginf", "empty", "zero_d", "extra_dim", "ragged",
          "strings", "complex", "bool", "float32", "longdouble", "noncontiguous", "readonly")
BY_KIND = {
    "float": (),
    "prob": ("negative", "unnormalised"),
    "joint": ("negative", "unnormalised"),
    "stochastic": ("negative", "unnormalised"),
    "counts": ("negative",),
    "weights": ("negative", "all_zero"),
    # non-negative weights normalised into a distribution (scipy.stats.entropy's contract)
    "distribution": ("negative", "unnormalised", "all_zero"),
    "labels": ("label_out_of_range", "label_negative", "label_fraction"),
}
OUTCOME = {
    "none": "error", "nan": "error", "posinf": "error", "neginf": "error",
    "empty": "error", "zero_d": "error", "extra_dim": "error", "ragged": "error",
    "strings": "error", "complex": "error", "bool": "ref", "float32": "same32",
    "longdouble": "same", "noncontiguous": "same", "readonly": "same",
    "negative": "error", "unnormalised": "ref", "all_zero": "error",
    "label_out_of_range": "error", "label_negative": "error", "label_fraction": "error",
    "shape_mismatch": "error",
}


def _set_first(x, value, dtype=float):
    y = np.array(x, dtype=dtype, copy=True)
    y.flat[0] = value
    return y


def _ragged(x):
    x = np.asarray(x)
    if x.ndim == 0 or x.shape[0] < 2:
        return [x.tolist(), [0.0, 0.0]]
    rows = x.tolist()
    if x.ndim == 1:
        return [rows[0], [rows[1], rows[1]], *rows[2:]]
    return [*rows[:-1], rows[-1][:-1] if len(rows[-1]) > 1 else rows[-1] + rows[-1]]


def _noncontiguous(x):
    x = np.asarray(x)
    wide = np.repeat(x[..., None], 2, axis=-1)
    out = wide[..., 0]
    assert not out.flags.c_contiguous or x.size <= 1
    return out


def _readonly(x):
    y = np.array(x, copy=True)
    y.flags.writeable = False
    return y


def _negative(x):
    """One entry below zero, the sum (and each row's sum) kept."""
    y = np.array(x, dtype=float, copy=True)
    row = y[0] if y.ndim == 2 else y
    j = 1 if row.shape[0] > 1 else 0
    row[j] += row[0] + 0.1
    row[0] = -0.1
    return y


def mutate(x, mutation):
    x = np.asarray(x)
    return {
        "none": lambda: None,
        "nan": lambda: _set_first(x, np.nan),
        "posinf": lambda: _set_first(x, np.inf),
        "neginf": lambda: _set_first(x, -np.inf),
        "empty": lambda: x[:0],
        "zero_d": lambda: np.asarray(x.reshape(-1)[0]),
        "extra_dim": lambda: x[None],
        "ragged": lambda: _ragged(x),
        "strings": lambda: x.astype(str),
        "complex": lambda: x.astype(complex) + 1j,
        "bool": lambda: x.astype(bool),
        "float32": lambda: x.astype(np.float32),
        "longdouble": lambda: x.astype(np.longdouble),
        "noncontiguous": lambda: _noncontiguous(x),
        "readonly": lambda: _readonly(x),
        "negative": lambda: _negative(x),
        "unnormalised": lambda: x * 2.0,
        "all_zero": lambda: np.zeros_like(x, dtype=float),
        "label_out_of_range": lambda: _set_first(x, int(x.max()) + 5, dtype=x.dtype),
        "label_negative": lambda: _set_first(x, -1, dtype=x.dtype),
        "label_fraction": lambda: _set_first(x, 0.5),
        "shape_mismatch": lambda: x[:-1],
    }[mutation]()


def _reference_input(x, mutation):
    """The valid input a "ref" mutation must agree with (when it does not raise)."""
    x = np.asarray(x)
    if mutation == "bool":
        return x.astype(bool).astype(x.dtype if x.dtype.kind in "iu" else float)
    if mutation == "unnormalised":
        return x
    raise AssertionError(mutation)


def _params():
    out = []
    for case in CASES:
        for arg in case.arrays:
            kind = case.kind(arg)
            mutations = list(COMMON) + list(BY_KIND[kind])
            for mutation in mutations:
                out.append(pytest.param(case, arg, mutation,
                                        id=f"{case.label}-{arg}-{mutation}"))
        for _, b in case.paired:
            out.append(pytest.param(case, b, "shape_mismatch",
                                    id=f"{case.label}-{b}-shape_mismatch"))
    return out


_BASELINES: dict[int, object] = {}


def _baseline(case, **overrides):
    """The case's result on its valid inputs (cached), or on ``overrides``."""
    if overrides or id(case) not in _BASELINES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = case.run(**overrides)
        if overrides:
            return result
        _BASELINES[id(case)] = result
    return _BASELINES[id(case)]


def _snapshot(arrays):
    return {k: copy.deepcopy(v) for k, v in arrays.items()}


def _assert_unchanged(before, after, where):
    for name, old in before.items():
        new = after[name]
        if isinstance(old, np.ndarray):
            assert isinstance(new, np.ndarray)
            assert new.dtype == old.dtype and new.shape == old.shape, f"{where}: {name} changed"
            assert np.array_equal(new, old, equal_nan=new.dtype.kind in "fc"), (
                f"{where}: the routine modified its input {name}")
        elif old is not None:
            assert repr(new) == repr(old), f"{where}: the routine modified its input {name}"


_FOREIGN_MODULES = ("numba", "cvxpy", "scipy", "numpy", "clarabel", "scs", "threadpoolctl")


def _assert_named_error(exc, names, where):
    assert isinstance(exc, (ValueError, TypeError)), (
        f"{where}: expected ValueError/TypeError, got {type(exc).__name__}: {exc}")
    module = type(exc).__module__.split(".")[0]
    assert module not in _FOREIGN_MODULES or type(exc).__name__ == "InvalidParameterError", (
        f"{where}: an internal {type(exc).__module__}.{type(exc).__name__} reached the user: "
        f"{exc}")
    message = str(exc)
    assert any(re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", message) for n in names), (
        f"{where}: the message does not name the argument ({' / '.join(names)}): {message!r}")


def _call(case, arrays, params):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = case.call(**arrays, **params)
    return result, seen


def _check_clean(case, result, seen, where):
    if case.nan_ok is None and has_nan(result):
        assert seen, f"{where}: NaN in the result without a warning"


@pytest.mark.parametrize(("case", "arg", "mutation"), _params())
def test_bad_array_input(case, arg, mutation):
    reason = case.skipped(arg, mutation)
    if reason:
        pytest.skip(reason)
    where = f"{case.label}({arg}: {mutation})"
    baseline = _baseline(case)
    bad = mutate(case.arrays[arg], mutation)
    arrays = {**case.arrays, arg: bad}
    before = _snapshot(arrays)
    outcome = OUTCOME[mutation]
    if mutation in case.accepts.get(arg, ()):
        outcome = "either"
    names = [arg] if mutation != "shape_mismatch" else list(case.arrays)
    try:
        result, seen = _call(case, arrays, case.params)
    except Exception as exc:  # noqa: BLE001 - the assertion says what was wrong
        _assert_unchanged(before, arrays, where)
        if outcome in ("same", "same32"):
            raise AssertionError(f"{where}: a valid {mutation} input was refused: "
                                 f"{type(exc).__name__}: {exc}") from exc
        _assert_named_error(exc, names, where)
        return
    _assert_unchanged(before, arrays, where)
    _check_clean(case, result, seen, where)
    if outcome == "error":
        raise AssertionError(f"{where}: accepted without an error")
    if outcome == "same":
        assert_results_close(result, baseline, rtol=1e-9, atol=1e-12, where=where)
    elif outcome == "same32":
        assert_results_close(result, baseline, rtol=case.tol32, atol=case.tol32 * 1e-3,
                             where=where)
    elif outcome == "ref":
        try:
            want = _baseline(case, **{arg: _reference_input(case.arrays[arg], mutation)})
        except (ValueError, TypeError) as exc:
            raise AssertionError(f"{where}: accepted, although the equivalent float input "
                                 f"is refused ({exc})") from exc
        assert_results_close(result, want, rtol=1e-7, atol=1e-10, where=where)


def _param_params():
    out = []
    for case in CASES:
        for name, values in case.all_bad_params().items():
            for k, value in enumerate(values):
                shown = re.sub(r" at 0x[0-9a-f]+", "", repr(value))[:40]  # stable ids
                out.append(pytest.param(case, name, value,
                                        id=f"{case.label}-{name}-{k}:{shown}"))
    return out


@pytest.mark.parametrize(("case", "param", "value"), _param_params())
def test_bad_parameter(case, param, value):
    where = f"{case.label}({param}={value!r})"
    arrays = dict(case.arrays)
    before = _snapshot(arrays)
    with pytest.raises((ValueError, TypeError)) as info:
        _call(case, arrays, {**case.params, param: value})
    _assert_unchanged(before, arrays, where)
    _assert_named_error(info.value, [param], where)
