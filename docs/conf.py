"""Sphinx configuration for probstat's documentation.

The API reference is generated from each subpackage's ``__all__`` at build time (see
``_write_api_pages``), and the vignettes are copied from ``../vignettes`` so that myst-nb
renders them. The vignettes are stored with their executed outputs and the site shows those
outputs: notebooks are not executed by default (the test suite executes each one once);
``NB_EXECUTION_MODE=cache make docs`` re-executes them with myst-nb's cache.

The site works without a network (air-gapped clusters, a laptop on a train): MathJax is
bundled with the built site by ``sphinx-mathjax-offline``, and a ``build-finished`` check
(``_check_local_assets``) fails the build if any page loads a remote script or stylesheet.
Two more checks keep the navigation and the vignettes readable: no page title or heading
holds LaTeX or ``$`` (``_check_titles``), and every vignette page shows at least one figure
(``_check_vignette_figures``).
"""

import importlib
import os
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
    # Copies MathJax 3 into _static/mathjax: formulas render without a network.
    "sphinx-mathjax-offline",
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

# MathJax's SVG output carries its glyphs inside the script; the CHTML output loads woff fonts
# with CORS requests, which browsers refuse for pages opened from file://. (sphinx-mathjax-offline
# sets its CHTML bundle while it loads; ``_use_offline_mathjax`` puts this one back.)
MATHJAX_PATH = "mathjax/tex-svg.js"
mathjax_path = MATHJAX_PATH

# Vignettes are stored executed: render their outputs as they are. Authors re-execute with
# NB_EXECUTION_MODE=cache (a failing cell then fails the build).
nb_execution_mode = os.environ.get("NB_EXECUTION_MODE", "off")
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_merge_streams = True
# Jupyter widgets (tqdm bars in JupyterLab) would need require.js and the widget manager from
# a CDN. The site loads nothing remote, so a widget shows its text form (a tqdm bar's text).
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [
    (builder, "application/vnd.jupyter.widget-view+json", None)
    for builder in ("html", "dirhtml", "singlehtml")
]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

html_theme = "pydata_sphinx_theme"
html_title = f"probstat {release}"
html_theme_options = {"navigation_with_keys": False}
# Top-level pages without sub-pages: no empty "Section Navigation" column.
html_sidebars = {page: [] for page in ("getting_started", "performance", "contributing")}
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
             "Teaching notebooks, one per topic. The pages below show them pre-executed: as",
             "they were last run, with their printed results and figures, so you can read them",
             "without running anything. Each ends with exercises whose worked solutions are",
             "collapsed: click *Show code cell content* under an exercise to open its solution.",
             "",
             "To run and change them yourself, from a clone of the repository:", "",
             "```bash", "make notebooks", "```", "",
             "installs the `notebook` extra (JupyterLab, ipywidgets) into `.venv` and opens",
             "JupyterLab on the `vignettes/` folder. Each notebook runs in about a minute on a",
             "laptop.", "",
             "```{toctree}", ":maxdepth: 1", ""]
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


# -- build checks ---------------------------------------------------------------------------

def _get_logger():
    from sphinx.util import logging

    return logging.getLogger("probstat.docs")


# A title holds LaTeX when it has a dollar, a \( \) or \[ \] delimiter, or a TeX command.
_LATEX_IN_TEXT = re.compile(r"\$|\\[()\[\]]|\\[A-Za-z]+")


def latex_in_title(title):
    """Return why ``title`` (a docutils title node or a string) holds LaTeX, or ``None``.

    A title with math renders as raw ``\\(n\\)`` in the browser tab, the search results and
    any navigation entry that MathJax does not process, so titles and headings stay plain
    text.
    """
    from docutils import nodes

    if isinstance(title, nodes.Node):
        if any(True for _ in title.findall(nodes.math)):
            return "it contains inline math"
        text = title.astext()
    else:
        text = str(title)
    match = _LATEX_IN_TEXT.search(text)
    if match:
        return f"it contains {match.group(0)!r}"
    return None


def _check_titles(app, doctree):
    """Warn (an error under -W) for every section title that holds LaTeX or ``$``."""
    from docutils import nodes

    docname = app.env.docname
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        if title is None:
            continue
        why = latex_in_title(title)
        if why:
            kind = "page title" if section.parent is doctree else "heading"
            _get_logger().warning(
                "%s %r of %s: keep LaTeX and '$' out of titles and headings (%s); "
                "write the symbol in words or move the formula into the text",
                kind, title.astext(), docname, why,
                location=title, type="probstat", subtype="title")


class _AssetParser(HTMLParser):
    """Collect the scripts and stylesheets an HTML page loads."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.assets = []  # (tag, url)
        self.images = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.assets.append(("script", attrs["src"]))
        elif tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower().split()
            if {"stylesheet", "preload", "modulepreload"} & set(rel):
                self.assets.append(("stylesheet" if "stylesheet" in rel else "preload",
                                    attrs["href"]))
        elif tag == "img":
            self.images += 1


_CSS_URL = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)|url\(\s*["']?([^"')]+)""")


def _is_remote(url):
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme not in ("", "file", "data")


def find_remote_assets(outdir):
    """List the remote or missing scripts and stylesheets of a built HTML site.

    Returns a list of ``(page, url, problem)``: every ``<script src>`` and every stylesheet
    or preload ``<link>`` of every ``.html`` file under ``outdir`` must point to a file of
    the site, and the site's CSS must not import stylesheets or fonts from the web.
    """
    outdir = Path(outdir)
    problems = []
    for page in sorted(outdir.rglob("*.html")):
        if page.relative_to(outdir).parts[0] == "_static":
            continue  # theme templates copied as assets (webpack-macros.html), not pages
        parser = _AssetParser()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        rel = page.relative_to(outdir).as_posix()
        for tag, url in parser.assets:
            if _is_remote(url):
                problems.append((rel, url, f"remote {tag}"))
                continue
            path = unquote(urlsplit(url).path)
            if path and not (page.parent / path).resolve().is_file():
                problems.append((rel, url, f"missing {tag}"))
    for css in sorted(outdir.rglob("*.css")):
        text = css.read_text(encoding="utf-8", errors="replace")
        for match in _CSS_URL.finditer(text):
            url = match.group(1) or match.group(2)
            if _is_remote(url) and not url.startswith("data:"):
                problems.append((css.relative_to(outdir).as_posix(), url, "remote CSS url()"))
    return problems


def pages_without_figures(outdir, docnames):
    """The vignette pages (``vignettes/*`` except the index) that show no ``<img``."""
    outdir = Path(outdir)
    missing = []
    for docname in sorted(docnames):
        if not docname.startswith("vignettes/") or docname == "vignettes/index":
            continue
        page = outdir / f"{docname}.html"
        if not page.is_file() or "<img" not in page.read_text(encoding="utf-8"):
            missing.append(docname)
    return missing


def _check_local_assets(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    for page, url, problem in find_remote_assets(app.outdir):
        _get_logger().warning(
            "%s: %s %s; the site must work without a network, so every script and "
            "stylesheet has to ship with it (in _static)", page, problem, url,
            type="probstat", subtype="offline")


def _check_vignette_figures(app, exc):
    if exc is not None or app.builder.name not in ("html", "dirhtml"):
        return
    if app.builder.name == "dirhtml":
        return  # pages are <docname>/index.html there; the html build is the one checked
    for docname in pages_without_figures(app.outdir, app.env.found_docs):
        _get_logger().warning(
            "%s shows no figure: vignettes are stored with their executed outputs "
            "(execute it in place with jupyter-execute --inplace and commit the result)",
            docname, type="probstat", subtype="vignette")


def _use_offline_mathjax(app, config):
    config.mathjax_path = MATHJAX_PATH


def setup(app):
    _write_api_pages()
    _copy_vignettes()
    app.connect("config-inited", _use_offline_mathjax)
    app.connect("autodoc-skip-member", _skip_foreign_members)
    app.connect("doctree-read", _check_titles)
    # After the default priority (500), so that sphinx-mathjax-offline has copied MathJax.
    app.connect("build-finished", _check_local_assets, priority=900)
    app.connect("build-finished", _check_vignette_figures, priority=900)
