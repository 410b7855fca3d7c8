"""The package-wide contract, checked over every public name.

- every public function and class is exercised by a case of the registry (or exempt with
  a reason);
- estimators declare ``_parameter_constraints`` for every parameter, validate them in
  ``fit``, take their options as keywords and tell the truth in their array-API tag;
- options such as ``random_state`` or ``max_iter`` are keyword-only everywhere;
- result classes are frozen dataclasses with ``eq=False``, a one-line ``repr``, and a
  ``summary()`` that prints as text and renders as HTML;
- importing a subpackage compiles nothing and loads no solver; library code never prints.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import probstat
from probstat.base import ResultMixin, Summary
from probstat.utils import all_estimators

from ._cases import load_registry

CASES, EXEMPT = load_registry()

#: Modules whose ``__all__`` is the public surface the contract covers.
PUBLIC_MODULES = (
    "probstat.utils",
    "probstat.datasets",
    "probstat.plotting",
    *(f"probstat.{s}" for s in probstat.RESEARCH_SUBPACKAGES),
    "probstat.coupling.games",
    "probstat.bayesopt.acquisition",
    "probstat.bayesopt.test_functions",
)

#: Options that are keyword-only wherever a public routine takes them.
KEYWORD_ONLY = ("random_state", "verbose", "max_iter", "tol", "n_jobs")


def _public():
    seen = {}
    for modname in PUBLIC_MODULES:
        module = importlib.import_module(modname)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                continue
            seen.setdefault(id(obj), (f"{modname}.{name}", obj))
    return sorted(seen.values())


PUBLIC = _public()


def _qualnames(obj):
    """Every public path under which ``obj`` is exported."""
    names = set()
    for modname in PUBLIC_MODULES:
        module = importlib.import_module(modname)
        for name in module.__all__:
            if getattr(module, name) is obj:
                names.add(f"{modname}.{name}")
    return names


def _is_result(obj):
    return inspect.isclass(obj) and issubclass(obj, ResultMixin)


def _is_error(obj):
    return inspect.isclass(obj) and issubclass(obj, (Warning, Exception))


def test_every_public_name_is_exercised():
    covered = {c.name for c in CASES}
    missing = []
    for qualname, obj in PUBLIC:
        if _is_result(obj) or _is_error(obj):
            continue  # results: test_result_convention; warnings and errors: raised by cases
        names = _qualnames(obj)
        if names & covered or names & set(EXEMPT):
            continue
        missing.append(qualname)
    assert not missing, f"public names without a contract case or exemption: {missing}"


def test_cases_name_public_objects():
    public = set()
    for _, obj in PUBLIC:
        public |= _qualnames(obj)
    unknown = sorted({c.name for c in CASES} - public)
    assert not unknown, f"cases for names that are not public: {unknown}"
    for name, reason in EXEMPT.items():
        assert name in public, f"exemption for a name that is not public: {name}"
        assert isinstance(reason, str) and len(reason) > 10, f"{name}: give a reason"


# ------------------------------------------------------------------------- estimators

ESTIMATORS = [pytest.param(cls, id=name.rsplit(".", 1)[1]) for name, cls in all_estimators()]


def _instance(cls):
    factory = getattr(cls, "_test_instance", None)
    return factory() if factory is not None else cls()


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_estimator_declares_parameter_constraints(cls):
    constraints = getattr(cls, "_parameter_constraints", None)
    assert isinstance(constraints, dict), f"{cls.__name__} has no _parameter_constraints"
    params = set(cls().get_params(deep=False))
    assert set(constraints) == params, (
        f"{cls.__name__}: constraints for {sorted(set(constraints) - params)} are not "
        f"parameters; parameters without constraints: {sorted(params - set(constraints))}")


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_estimator_validates_parameters_in_fit(cls):
    from sklearn.utils.estimator_checks import check_param_validation

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_param_validation(cls.__name__, _instance(cls))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_estimator_options_are_keyword_only(cls):
    sig = inspect.signature(cls.__init__)
    positional = [p.name for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.name != "self"]
    assert len(positional) <= 1, (
        f"{cls.__name__} takes {positional} positionally; only the obvious first "
        "parameter may be positional")


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_estimator_array_api_tag(cls):
    tags = _instance(cls).__sklearn_tags__()
    cases = [c for c in CASES if c.name in _qualnames(cls)]
    native_or_host = [c for c in cases if c.array_api is None]
    assert tags.array_api_support == bool(native_or_host), (
        f"{cls.__name__}: array_api_support={tags.array_api_support}, but its cases "
        f"{'do' if native_or_host else 'do not'} run on array-api-strict")


def _signature_params():
    out = []
    for qualname, obj in PUBLIC:
        if _is_error(obj) or _is_result(obj):
            continue
        targets = []
        if inspect.isfunction(obj):
            targets.append((qualname, obj))
        elif inspect.isclass(obj):
            targets.append((qualname, obj.__init__))
            for mname, meth in vars(obj).items():
                if inspect.isfunction(meth) and not mname.startswith("_"):
                    targets.append((f"{qualname}.{mname}", meth))
        for name, func in targets:
            try:
                sig = inspect.signature(func)
            except (TypeError, ValueError):
                continue
            params = [p for p in sig.parameters.values() if p.name != "self"]
            for p in params[1:]:  # the obvious first argument may be positional
                if p.name in KEYWORD_ONLY:
                    out.append(pytest.param(name, p, id=f"{name}:{p.name}"))
    return out


@pytest.mark.parametrize(("where", "param"), _signature_params())
def test_options_are_keyword_only(where, param):
    assert param.kind == param.KEYWORD_ONLY, (
        f"{where}: {param.name} must be keyword-only (put it after '*')")


# ---------------------------------------------------------------------------- results


def _result_instances():
    """One instance of each result class, from the registry's runs."""
    found = {}

    def walk(obj, depth=0):
        if depth > 4:
            return
        if isinstance(obj, ResultMixin):
            found.setdefault(type(obj), obj)
        if isinstance(obj, (list, tuple)):
            for item in obj[:10]:
                walk(item, depth + 1)
        elif isinstance(obj, dict):
            for item in list(obj.values())[:10]:
                walk(item, depth + 1)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name), depth + 1)
        elif hasattr(obj, "get_params"):
            for key, value in vars(obj).items():
                if key.endswith("_") and not key.startswith("_"):
                    walk(value, depth + 1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in CASES:
            try:
                result = case.run()
            except Exception:  # noqa: BLE001 - test_bad_input reports failing cases
                continue
            walk(result)
            # Estimators and other objects may hand out results from methods.
            for method in ("report", "result_"):
                attr = getattr(result, method, None)
                if callable(attr):
                    try:
                        walk(attr())
                    except Exception:  # noqa: BLE001
                        pass
    return found


@pytest.fixture(scope="module")
def result_instances():
    return _result_instances()


RESULT_CLASSES = sorted({obj for _, obj in PUBLIC if _is_result(obj)},
                        key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", [pytest.param(c, id=c.__name__) for c in RESULT_CLASSES])
def test_result_convention(cls, result_instances):
    assert dataclasses.is_dataclass(cls), f"{cls.__name__} is not a dataclass"
    params = cls.__dataclass_params__
    assert params.frozen, f"{cls.__name__} must be frozen"
    assert not params.eq, f"{cls.__name__} must be declared with eq=False"
    assert not params.repr, f"{cls.__name__} must be declared with repr=False (short repr)"
    instance = result_instances.get(cls)
    assert instance is not None, f"no case produces a {cls.__name__}"
    text = repr(instance)
    assert "\n" not in text and len(text) <= 300, f"{cls.__name__}: repr too long: {text}"
    assert instance == instance and instance != dataclasses.replace(instance)
    summary = instance.summary()
    assert isinstance(summary, Summary), f"{cls.__name__}.summary() must return a Summary"
    assert cls.__name__ in summary or len(summary) > 0
    assert "<" in instance._repr_html_() and "<" in summary._repr_html_()


def test_public_dataclasses_are_results():
    offenders = [q for q, obj in PUBLIC if inspect.isclass(obj)
                 and dataclasses.is_dataclass(obj) and not issubclass(obj, ResultMixin)
                 and q not in EXEMPT]
    assert not offenders, f"public dataclasses that are not results: {offenders}"


# ---------------------------------------------------------------------- imports, print


@pytest.mark.parametrize("sub", [*probstat.RESEARCH_SUBPACKAGES, "utils", "datasets"])
def test_import_loads_no_compiler_or_solver(sub):
    code = (f"import sys, probstat.{sub}; "
            "print([m for m in ('numba', 'cvxpy', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", f"import probstat.{sub} loads {out}"


def test_no_print_in_library_code():
    root = Path(probstat.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name in ("__main__.py", "_tour.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "print"):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not offenders, f"print() in library code: {offenders}"


def test_no_module_over_800_lines():
    root = Path(probstat.__file__).parent
    long = [f"{p.relative_to(root)} ({n})" for p in root.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 800]
    assert not long, f"modules over 800 lines: {long}"
