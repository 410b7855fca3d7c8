"""Progress bars from a Jupyter kernel: no TqdmWarning unless a bar is shown."""

import importlib.util

import pytest

import probstat
from probstat.utils import progress


def test_no_bar_builds_no_tqdm():
    bar = progress(total=5)
    assert type(bar).__module__ == "probstat.utils._progress"
    bar.update(2)
    bar.close()
    items = [1, 2]
    assert progress(items) is items


def test_shown_bar_is_text_without_ipywidgets():
    if importlib.util.find_spec("ipywidgets") is not None:
        pytest.skip("ipywidgets installed: the notebook widget is used")
    with probstat.config_context(show_progress=True):
        bar = progress(range(2), disable=True)
    assert type(bar).__module__ == "tqdm.std"


def _notebook_outputs(code, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb.cells[0].outputs


def test_notebook_minimize_shows_no_tqdm_warning(tmp_path):
    code = (
        "import warnings; warnings.simplefilter('always')\n"
        "from probstat.bayesopt import minimize\n"
        "from probstat.utils import progress\n"
        "res = minimize(lambda x: (x[0] - 0.3) ** 2, [(0.0, 1.0)], n_calls=6, random_state=0)\n"
        "bar = progress(total=3); bar.update(3); bar.close()\n"
        "print('done', round(float(res.x[0]), 3))\n"
    )
    outputs = _notebook_outputs(code, tmp_path)
    text = "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")
    assert "done" in text
    assert "Tqdm" not in text and "IProgress" not in text, text
