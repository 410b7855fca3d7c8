"""numpydoc validation of every public name's docstring (a subset of numpydoc's checks)."""

import importlib
import inspect

import pytest

import probstat

numpydoc_validate = pytest.importorskip("numpydoc.validate")

# Missing docstring, undocumented or unknown parameters, broken sections, missing Returns.
CHECKS = {"GL08", "PR01", "PR02", "RT01", "GL06", "GL07"}
SUBPACKAGES = ("utils", "backend", "datasets", "plotting") + probstat.RESEARCH_SUBPACKAGES


def _public_objects():
    for sub in SUBPACKAGES:
        try:
            module = importlib.import_module(f"probstat.{sub}")
        except ModuleNotFoundError as exc:
            if exc.name == f"probstat.{sub}":
                continue
            raise
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                if obj.__module__.startswith("probstat"):
                    yield f"{obj.__module__}.{obj.__qualname__}"
                if inspect.isclass(obj) and obj.__module__.startswith("probstat"):
                    for meth_name, meth in vars(obj).items():
                        if (not meth_name.startswith("_") and inspect.isfunction(meth)):
                            yield f"{obj.__module__}.{obj.__qualname__}.{meth_name}"


OBJECTS = sorted(set(_public_objects()))


@pytest.mark.parametrize("import_path", OBJECTS)
def test_docstring(import_path):
    report = numpydoc_validate.validate(import_path)
    errors = [f"{code}: {msg}" for code, msg in report["errors"] if code in CHECKS]
    assert not errors, f"{import_path}:\n" + "\n".join(errors)
