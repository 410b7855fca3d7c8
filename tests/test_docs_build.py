"""The documentation site: offline assets, plain-text titles, vignettes with their figures.

The checks live in ``docs/conf.py`` (they run in every ``make docs``); here they are tested on
small hand-made inputs, and one slow test builds the whole site and looks at the result.
"""

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.stats

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def conf():
    spec = importlib.util.spec_from_file_location("probstat_docs_conf", ROOT / "docs" / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # no side effects: pages are written in setup()
    return module


# -- titles ------------------------------------------------------------------------------------

@pytest.mark.parametrize("title", [
    # The vignette title users saw as raw "\(n\)" in the navigation (regression).
    "The p–n criterion: is $n$ large enough for $p$ parameters?",
    r"The p–n criterion: is \(n\) large enough for \(p\) parameters?",
    r"Display \[x\] math",
    r"The \alpha-divergence",
    "Prices in $",
])
def test_latex_in_title_flags_latex_and_dollars(conf, title):
    assert conf.latex_in_title(title) is not None


@pytest.mark.parametrize("title", [
    "The p–n criterion: is n large enough for p parameters?",
    "Channels’ matching: MMI classification, CM-EM and confirmation",
    "Semantic information: truth functions, G and the R(G) curve",
    "Getting started with probstat",
    "I(X;Y) of a joint table [bits]",
])
def test_latex_in_title_accepts_plain_titles(conf, title):
    assert conf.latex_in_title(title) is None


def test_latex_in_title_sees_parsed_math(conf):
    # After MyST parsing, "$n$" is a math node whose text has no dollar left.
    from docutils import nodes

    title = nodes.title("", "", nodes.Text("is "), nodes.math("", "n"), nodes.Text(" large"))
    assert title.astext() == "is n large"
    assert conf.latex_in_title(title) == "it contains inline math"
    assert conf.latex_in_title(nodes.title("", "", nodes.Text("is n large"))) is None


# -- offline assets ----------------------------------------------------------------------------

def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_find_remote_assets(conf, tmp_path):
    _write(tmp_path / "_static" / "local.js", "")
    _write(tmp_path / "_static" / "mathjax" / "tex-svg.js", "")
    _write(tmp_path / "index.html", """<html><head>
        <script src="_static/local.js?v=1"></script>
        <script defer="defer" src="https://cdn.jsdelivr.net/npm/mathjax@4/tex-mml-chtml.js"></script>
        <script>window.MathJax = {}</script>
        <link rel="stylesheet" href="//fonts.googleapis.com/css?family=Lato" />
        <link rel="preload" as="script" href="_static/missing.js" />
        <link rel="canonical" href="https://example.org/index.html" />
        </head><body><a href="https://example.org">a link is fine</a></body></html>""")
    _write(tmp_path / "sub" / "page.html",
           '<script defer src="../_static/mathjax/tex-svg.js"></script>'
           '<link rel="stylesheet" type="text/css" href="http://example.org/x.css">')
    _write(tmp_path / "_static" / "theme.css",
           '@import url("https://fonts.googleapis.com/css2?family=Roboto");\n'
           '.a { background: url(data:image/png;base64,AAAA); }\n'
           ".b { src: url('fonts/local.woff2'); }\n")
    # A Jinja template the theme copies into _static is not a page.
    _write(tmp_path / "_static" / "webpack-macros.html", "<script src=\"{{ pathto('x.js', 1) }}\">")

    problems = conf.find_remote_assets(tmp_path)
    assert sorted(problems) == sorted([
        ("index.html", "https://cdn.jsdelivr.net/npm/mathjax@4/tex-mml-chtml.js", "remote script"),
        ("index.html", "//fonts.googleapis.com/css?family=Lato", "remote stylesheet"),
        ("index.html", "_static/missing.js", "missing preload"),
        ("sub/page.html", "http://example.org/x.css", "remote stylesheet"),
        ("_static/theme.css", "https://fonts.googleapis.com/css2?family=Roboto",
         "remote CSS url()"),
    ])


def test_pages_without_figures(conf, tmp_path):
    _write(tmp_path / "vignettes" / "00_a.html", '<p>text</p><img alt="" src="../_images/a.png">')
    _write(tmp_path / "vignettes" / "10_b.html", "<p>no outputs stored</p>")
    _write(tmp_path / "vignettes" / "index.html", "<p>the list</p>")
    docs = {"index", "vignettes/index", "vignettes/00_a", "vignettes/10_b", "vignettes/20_c"}
    assert conf.pages_without_figures(tmp_path, docs) == ["vignettes/10_b", "vignettes/20_c"]


# -- vignette 00 -------------------------------------------------------------------------------

def _stored_text(nb):
    out = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            text = o.get("text") or o.get("data", {}).get("text/plain") or ""
            out.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(out)


def test_vignette_00_teaches_an_asymmetric_divergence():
    # Users saw "D(p||q) = D(q||p) (not symmetric)": both numbers equal on the old example.
    nb = json.loads((ROOT / "vignettes" / "00_getting_started.ipynb").read_text())
    text = _stored_text(nb)
    forward = float(re.search(r"D\(p \|\| q\) = ([0-9.]+) bits", text).group(1))
    reverse = float(re.search(r"D\(q \|\| p\) = ([0-9.]+) bits", text).group(1))
    assert abs(forward - reverse) > 0.1

    # The printed numbers are the divergences of the p and q defined in the notebook,
    # checked against scipy (an independent implementation).
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    p = np.array(ast.literal_eval(re.search(r"^p = np\.array\((\[.*?\])\)", source, re.M).group(1)))
    q = np.array(ast.literal_eval(re.search(r"^q = np\.array\((\[.*?\])\)", source, re.M).group(1)))
    assert forward == pytest.approx(scipy.stats.entropy(p, q, base=2), abs=1e-4)
    assert reverse == pytest.approx(scipy.stats.entropy(q, p, base=2), abs=1e-4)


def test_vignette_00_is_stored_executed_with_hidden_solutions():
    nb = json.loads((ROOT / "vignettes" / "00_getting_started.ipynb").read_text())
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 2
    assert not [o for o in outputs if o["output_type"] == "error"
                or (o["output_type"] == "stream" and o["name"] == "stderr")]
    cells = nb["cells"]
    start = next(i for i, c in enumerate(cells)
                 if c["cell_type"] == "markdown" and "".join(c["source"]).strip() == "## Exercises")
    exercises = [i for i in range(start + 1, len(cells)) if cells[i]["cell_type"] == "markdown"]
    assert 2 <= len(exercises) <= 4
    for i in exercises:
        assert "".join(cells[i]["source"]).startswith(f"### Exercise {exercises.index(i) + 1}:")
        solution = cells[i + 1]
        assert solution["cell_type"] == "code" and solution["outputs"]
        assert solution["metadata"]["tags"] == ["hide-cell"]
        assert solution["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}


# -- the whole site ----------------------------------------------------------------------------

@pytest.mark.slow
def test_built_site_is_offline_and_shows_vignette_figures(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    pytest.importorskip("pydata_sphinx_theme")
    if importlib.util.find_spec("sphinx-mathjax-offline") is None:
        pytest.skip("sphinx-mathjax-offline is not installed (the docs extra)")
    out = tmp_path / "html"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p])}
    env.pop("NB_EXECUTION_MODE", None)
    # No -W: pages owned elsewhere may still warn; this test looks at what got built.
    subprocess.run([sys.executable, "-m", "sphinx", "-E", "-q", "-b", "html",
                    "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(out)],
                   check=True, env=env, cwd=ROOT, timeout=600)

    spec = importlib.util.spec_from_file_location("probstat_docs_conf2", ROOT / "docs" / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.find_remote_assets(out) == []

    page = (out / "user_guide" / "infoproj.html").read_text()
    assert '_static/mathjax/tex-svg.js"' in page and "cdn.jsdelivr" not in page
    assert (out / "_static" / "mathjax" / "tex-svg.js").is_file()

    vignette = (out / "vignettes" / "00_getting_started.html").read_text()
    assert vignette.count("<img") >= 2
    assert vignette.count('<details class="admonition hide above-input">') == 3
    index = re.sub(r"<[^>]+>", "", (out / "vignettes" / "index.html").read_text())
    assert "make notebooks" in index and "pre-executed" in index
