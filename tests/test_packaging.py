"""Packaging metadata: an SPDX license expression, no deprecated license classifier."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")


def test_license_is_an_spdx_expression():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "BSD-3-Clause"
    assert project["license-files"] == ["LICENSE"] and (ROOT / "LICENSE").is_file()
    # setuptools deprecates license tables and "License ::" classifiers (removal in 2027)
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))
