"""numpydoc validation of every public name's docstring (a subset of numpydoc's checks)."""

import dataclasses
import importlib
import inspect

import pytest

import probstat

numpydoc_validate = pytest.importorskip("numpydoc.validate")

# Missing docstring, undocumented or unknown parameters, missing Returns, bad section layout.
CHECKS = {"GL08", "PR01", "PR02", "RT01", "GL06", "GL07"}
SUBPACKAGES = (("utils", "backend", "datasets", "plotting") + probstat.RESEARCH_SUBPACKAGES
               + ("coupling.games", "bayesopt.test_functions"))


def _public_objects():
    found = {}
    for sub in SUBPACKAGES:
        module = importlib.import_module(f"probstat.{sub}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not obj.__module__.startswith("probstat"):
                continue
            checks = set(CHECKS)
            if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
                checks.discard("PR01")  # result dataclasses document fields as Attributes
            found[f"{obj.__module__}.{obj.__qualname__}"] = checks
            if inspect.isclass(obj):
                for meth_name, meth in vars(obj).items():
                    if not meth_name.startswith("_") and inspect.isfunction(meth):
                        found[f"{obj.__module__}.{obj.__qualname__}.{meth_name}"] = set(CHECKS)
    return found


OBJECTS = _public_objects()


@pytest.mark.parametrize("import_path", sorted(OBJECTS))
def test_docstring(import_path):
    report = numpydoc_validate.validate(import_path)
    errors = [f"{code}: {msg}" for code, msg in report["errors"] if code in OBJECTS[import_path]]
    assert not errors, f"{import_path}:\n" + "\n".join(errors)


def _research_callables():
    """Public functions and estimators of the research subpackages (not results or errors)."""
    found = {}
    for sub in probstat.RESEARCH_SUBPACKAGES + ("coupling.games",):
        module = importlib.import_module(f"probstat.{sub}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if name == "demo" or not obj.__module__.startswith("probstat"):
                continue
            if inspect.isclass(obj) and (dataclasses.is_dataclass(obj)
                                         or issubclass(obj, BaseException)):
                continue
            if inspect.isfunction(obj) or inspect.isclass(obj):
                found[f"probstat.{sub}.{name}"] = obj
    return found


RESEARCH = _research_callables()


@pytest.mark.parametrize("name", sorted(RESEARCH))
def test_research_names_cite_their_source(name):
    """Every research routine says which paper (and which equation or algorithm) it implements."""
    from numpydoc.docscrape import ClassDoc, FunctionDoc

    obj = RESEARCH[name]
    doc = ClassDoc(obj) if inspect.isclass(obj) else FunctionDoc(obj)
    references = "\n".join(doc["References"]).strip()
    assert references, f"{name} has no References section"
    assert any(str(year) in references for year in range(1940, 2027)), (
        f"{name}: its References name no dated publication:\n{references}")
