"""Sphinx configuration for probstat's documentation.

The API reference is generated from each subpackage's ``__all__`` at build time (see
``_write_api_pages``), and the vignettes are copied from ``../vignettes`` so that myst-nb
renders them. Notebooks are not executed by default (``NB_EXECUTION_MODE=cache`` renders
their outputs); the test suite executes them instead.
"""

import importlib
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import probstat  # noqa: E402

project = "probstat"
author = "The probstat developers"
copyright = "2026, the probstat developers"
release = probstat.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]
# Intersphinx needs the network; CI has none beyond package registries, so it is opt-in.
if os.environ.get("PROBSTAT_DOCS_INTERSPHINX"):
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "statsmodels": ("https://www.statsmodels.org/stable", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
    }

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "jupyter_execute", "performance/*.md", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
nb_execution_mode = os.environ.get("NB_EXECUTION_MODE", "off")
nb_execution_timeout = 300
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

html_theme = "pydata_sphinx_theme"
html_title = f"probstat {release}"
html_theme_options = {"navigation_with_keys": False}
html_static_path = []

# Public modules with their own API page: the research subpackages, the shared layers, and
# the two public submodules whose names the parent does not re-export.
SUBPACKAGES = (("utils", "backend", "datasets", "plotting") + probstat.RESEARCH_SUBPACKAGES
               + ("coupling.games", "bayesopt.test_functions"))


def _write_api_pages():
    """One autosummary page per subpackage, listing its ``__all__``."""
    api = HERE / "api"
    api.mkdir(exist_ok=True)
    written = []
    for name in SUBPACKAGES:
        module = importlib.import_module(f"probstat.{name}")
        public = [n for n in getattr(module, "__all__", []) if not n.startswith("_")]
        title = f"probstat.{name}"
        lines = [title, "=" * len(title), "", f".. automodule:: probstat.{name}",
                 "   :no-members:", "", ".. currentmodule:: probstat." + name, ""]
        if public:
            lines += [".. autosummary::", "   :toctree: generated", ""]
            lines += [f"   {n}" for n in public]
        (api / f"{name}.rst").write_text("\n".join(lines) + "\n")
        written.append(name)
    top = ["API reference", "=============", "",
           "Every public name of probstat, generated from each subpackage's ``__all__``.",
           "", ".. toctree::", "   :maxdepth: 1", ""]
    top += [f"   {name}" for name in written]
    (api / "index.rst").write_text("\n".join(top) + "\n")


def _copy_vignettes():
    target = HERE / "vignettes"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    notebooks = sorted((ROOT / "vignettes").glob("*.ipynb"))
    for nb in notebooks:
        shutil.copy2(nb, target / nb.name)
    lines = ["# Vignettes", "",
             "Teaching notebooks, one per topic. Each runs in about a minute on a laptop;",
             "download them from the repository's `vignettes/` folder to run them yourself.",
             "", "```{toctree}", ":maxdepth: 1", ""]
    lines += [nb.stem for nb in notebooks] + ["```", ""]
    (target / "index.md").write_text("\n".join(lines))


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Leave out members that scikit-learn adds or defines (set_*_request, score, ...).

    Their docstrings point into scikit-learn's own glossary, which this site does not have.
    """
    module = getattr(obj, "__module__", None) or ""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    if module.startswith("sklearn"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)


_write_api_pages()
_copy_vignettes()
