"""The registry behind the package-wide contract tests.

Every public function and class of probstat is exercised through at least one
:class:`Case`: a call on small, valid NumPy inputs, with a declaration of what kind each
array argument is. From that one declaration the contract tests derive

- ``test_array_api.py``: the same call on array-api-strict input (dispatch on, a
  non-default device) gives the same values, returns arrays of the input's namespace and
  device, and warns :class:`~probstat.backend.HostFallbackWarning` exactly when the case
  says the routine uses the host;
- ``test_bad_input.py``: each array argument is replaced by NaN, inf, None, empty, 0-d,
  extra-dimension, ragged, string, complex, bool, float32, longdouble, non-contiguous and
  read-only versions (plus kind-specific ones: negative or unnormalised probabilities,
  out-of-range labels, bad weights), and each bad parameter value is tried; every call
  must end in a ``ValueError``/``TypeError`` naming the argument, or in a correct result,
  and must never modify its inputs or return NaN without a warning.

Cases live in ``cases_<subpackage>.py`` modules beside this file, each exporting ``CASES``
(a list of :class:`Case`) and ``EXEMPT`` (public names not exercised, each with its
reason). ``test_api.py`` fails when a public name has neither.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import pkgutil
from collections.abc import Callable
from typing import Any

import numpy as np

#: Kinds of array argument, and the extra mutations each one gets.
KINDS = ("float", "prob", "joint", "stochastic", "labels", "weights", "counts", "distribution")

#: Bad values tried automatically for parameters with these names (when the case passes
#: them in ``params``), so that every routine treats them alike.
AUTO_BAD_PARAMS = {
    "random_state": ["seed", -1, 1.5],
    "max_iter": ["5", 0, -1, 2.5],
    "tol": [-1.0, float("nan"), "1e-3"],
    "base": [1, 0, -2.0, float("nan"), "2"],
    "verbose": ["yes"],
    "n_jobs": [0, 1.5, "2", True],
}


@dataclasses.dataclass
class Case:
    """One exercised call of a public name.

    Parameters
    ----------
    name : str
        Qualified public name, e.g. ``"probstat.coupling.greedy_mec"``.
    call : callable
        ``call(**arrays, **params)`` runs the routine and returns what it returns (for an
        estimator: the fitted estimator, or a tuple with predictions).
    arrays : dict
        Valid NumPy inputs, by argument name: the arguments the checks vary.
    params : dict
        Valid non-array keyword values passed to ``call``.
    kinds : dict
        Kind of each array argument (default ``"float"``), one of :data:`KINDS`.
    host : bool
        Whether the routine runs (partly) on the host under array-API dispatch.
    bad_params : dict
        Parameter name -> values that must raise a named error (added to
        :data:`AUTO_BAD_PARAMS` for names found in ``params``).
    paired : tuple of (str, str)
        Array arguments whose lengths (axis 0) must agree.
    accepts : dict
        Argument -> names of mutations that may also end in a valid result (the check
        then only asks for no NaN, no mutated input).
    skip : dict
        ``"mutation"`` or ``"arg:mutation"`` -> the reason it does not apply.
    array_api : str or None
        Why the array-API check does not apply to this case (None: it applies).
    rtol, atol : float
        Tolerances of the array-API comparison with the NumPy run.
    tol32 : float
        Relative tolerance for float32 input against the float64 result.
    nan_ok : str or None
        Why NaN in the result is legitimate (None: NaN without a warning fails).
    id : str
        Suffix telling apart several cases of one name.
    """

    name: str
    call: Callable[..., Any]
    arrays: dict = dataclasses.field(default_factory=dict)
    params: dict = dataclasses.field(default_factory=dict)
    kinds: dict = dataclasses.field(default_factory=dict)
    host: bool = False
    bad_params: dict = dataclasses.field(default_factory=dict)
    paired: tuple = ()
    accepts: dict = dataclasses.field(default_factory=dict)
    skip: dict = dataclasses.field(default_factory=dict)
    array_api: str | None = None
    rtol: float = 1e-7
    atol: float = 1e-10
    tol32: float = 1e-4
    nan_ok: str | None = None
    id: str = ""

    def __post_init__(self):
        for arg, kind in self.kinds.items():
            if kind not in KINDS:
                raise ValueError(f"{self.name}: unknown kind {kind!r} for {arg}")
            if arg not in self.arrays:
                raise ValueError(f"{self.name}: kind given for unknown array {arg!r}")

    @property
    def label(self) -> str:
        short = self.name.removeprefix("probstat.")
        return f"{short}[{self.id}]" if self.id else short

    def kind(self, arg) -> str:
        return self.kinds.get(arg, "float")

    def run(self, **overrides):
        kwargs = {**self.arrays, **self.params, **overrides}
        return self.call(**kwargs)

    def all_bad_params(self):
        bad = {name: list(values) for name, values in self.bad_params.items()}
        for name, values in AUTO_BAD_PARAMS.items():
            if name in self.params:
                bad.setdefault(name, []).extend(values)
        return bad

    def skipped(self, arg, mutation):
        return self.skip.get(f"{arg}:{mutation}") or self.skip.get(mutation)


def load_registry():
    """All cases and exemptions from the ``cases_*`` modules of this package."""
    cases, exempt = [], {}
    package = importlib.import_module(__package__)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.name.startswith("cases_"):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        cases.extend(module.CASES)
        exempt.update(getattr(module, "EXEMPT", {}))
    return cases, exempt


# ----------------------------------------------------------------------- result leaves


def leaves(result, path="result"):
    """Flatten a result into ``(path, value)`` pairs of arrays, numbers and strings.

    Dataclass results contribute their fields, estimators their fitted attributes
    (public names ending in ``_``), containers their items; other objects are skipped.
    """
    from sklearn.base import BaseEstimator

    out = []
    if result is None or isinstance(result, (bool, np.bool_, str, bytes)):
        out.append((path, result))
    elif isinstance(result, (int, float, np.integer, np.floating)):
        out.append((path, result))
    elif isinstance(result, np.ndarray) or _is_xp_array(result):
        out.append((path, result))
    elif isinstance(result, dict):
        for key in sorted(result, key=str):
            out += leaves(result[key], f"{path}[{key!r}]")
    elif isinstance(result, (tuple, list)):
        for i, item in enumerate(result):
            out += leaves(item, f"{path}[{i}]")
    elif isinstance(result, BaseEstimator):
        for key in sorted(vars(result)):
            if key.endswith("_") and not key.startswith("_"):
                out += leaves(getattr(result, key), f"{path}.{key}")
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        for field in dataclasses.fields(result):
            out += leaves(getattr(result, field.name), f"{path}.{field.name}")
    return out


def _is_xp_array(x):
    return hasattr(x, "__array_namespace__") and not isinstance(x, np.ndarray)


def host_values(x):
    """A leaf as NumPy (or a Python scalar) for comparisons."""
    from probstat.backend import to_numpy

    if _is_xp_array(x):
        return to_numpy(x)
    return x


def has_nan(result) -> bool:
    for _, value in leaves(result):
        value = host_values(value)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            if np.isnan(value).any():
                return True
        elif isinstance(value, (float, np.floating)) and math.isnan(value):
            return True
    return False


def assert_results_close(got, want, *, rtol, atol, where=""):
    """Leaf-by-leaf comparison of two results (host values)."""
    g, w = leaves(got), leaves(want)
    assert [p for p, _ in g] == [p for p, _ in w], f"{where}: result structure differs"
    for (path, a), (_, b) in zip(g, w):
        a, b = host_values(a), host_values(b)
        if isinstance(b, np.ndarray) and b.dtype.kind in "fiub":
            a = np.asarray(a)
            assert a.shape == b.shape, f"{where} {path}: shape {a.shape} != {b.shape}"
            np.testing.assert_allclose(a.astype(float), b.astype(float), rtol=rtol,
                                       atol=atol, equal_nan=True, err_msg=f"{where} {path}")
        elif isinstance(b, (float, np.floating, int, np.integer)) and not isinstance(
                b, (bool, np.bool_)):
            a = float(np.asarray(a))
            assert (math.isnan(a) and math.isnan(b)) or math.isclose(
                a, float(b), rel_tol=rtol, abs_tol=atol), f"{where} {path}: {a} != {b}"
        elif isinstance(b, np.ndarray):
            assert np.array_equal(np.asarray(a), b), f"{where} {path}"
        else:
            assert a == b, f"{where} {path}: {a!r} != {b!r}"
