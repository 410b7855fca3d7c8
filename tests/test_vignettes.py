"""Execute every teaching notebook in vignettes/ and hold it to the vignette rules.

Vignettes are committed with their outputs (GitHub and the docs site show them as stored),
so each is run here once and checked:

- the stored copy is executed (every code cell has its outputs) and no older than the code:
  a fresh run shows the same number of figures in each cell, without errors or warnings;
- its title (the first cell's ``# ...`` line, the navigation title on the site) is plain text;
- every figure it shows has a title, labelled axes, labelled colorbars, and a legend when
  several series are labelled; a markdown cell follows the figure to say what to see;
- it ends with ``## Exercises``: 2 to 4 ``### Exercise`` cells, each followed by its worked
  solution in a code cell collapsed by the ``hide-cell`` tag.

Numbers are not compared output by output; assertions about results belong in unit tests.
"""

import json
import re
from pathlib import Path

import pytest

VIGNETTES = sorted((Path(__file__).resolve().parents[1] / "vignettes").glob("*.ipynb"))

# Runs first in the fresh kernel: record, for each figure the inline backend renders, what
# a reader would miss. Injected here, never stored in the notebooks.
FIGURE_CHECK = r'''
%matplotlib inline
import matplotlib.backend_bases as _mbb

_probstat_problems = []


def _probstat_series(ax):
    artists = list(ax.lines) + list(ax.collections) + list(ax.patches) + list(ax.containers)
    labels = [str(a.get_label() or "") for a in artists]
    return [label for label in labels if label and not label.startswith("_")]


def _probstat_check(fig):
    source = get_ipython().user_ns["In"][-1].strip().splitlines() or [""]
    cell = repr(source[0][:60])
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    supx = fig._supxlabel.get_text() if getattr(fig, "_supxlabel", None) else ""
    supy = fig._supylabel.get_text() if getattr(fig, "_supylabel", None) else ""
    for i, ax in enumerate(fig.axes):
        where = f"the cell starting {cell}, axes {i}"
        if not ax.get_visible() or not ax.axison:
            continue
        if getattr(ax, "_colorbar", None) is not None:
            if not (ax.get_ylabel() or ax.get_xlabel()):
                _probstat_problems.append(f"{where}: colorbar without a label")
            continue
        if not (ax.has_data() or ax.images):
            continue
        if not (suptitle or any(ax.get_title(loc) for loc in ("center", "left", "right"))):
            _probstat_problems.append(f"{where}: no title")
        for axis, sup in (("x", supx), ("y", supy)):
            siblings = getattr(ax, f"get_shared_{axis}_axes")().get_siblings(ax)
            twins = [a for a in fig.axes if a.bbox.bounds == ax.bbox.bounds]
            labelled = any(getattr(a, f"get_{axis}label")() for a in set(siblings) | set(twins))
            if not (sup or labelled):
                _probstat_problems.append(f"{where}: no {axis} label")
        if len(_probstat_series(ax)) >= 2 and ax.get_legend() is None and not fig.legends:
            _probstat_problems.append(f"{where}: several labelled series but no legend")
        cut = _probstat_cut_markers(fig, ax)
        if cut:
            _probstat_problems.append(f"{where}: {cut} markers cut off by the axes edge")


def _probstat_cut_markers(fig, ax):
    """How many scatter or line markers sit so close to the axes edge that they are clipped."""
    import numpy as np

    fig.canvas.draw()
    x0, y0, x1, y1 = ax.bbox.extents
    points_to_px = fig.dpi / 72.0
    marked = []
    for coll in ax.collections:
        offsets = np.asarray(coll.get_offsets(), dtype=float)
        sizes = coll.get_sizes() if hasattr(coll, "get_sizes") else []
        if coll.get_clip_on() and offsets.ndim == 2 and len(offsets) and len(sizes):
            radius = np.sqrt(np.resize(sizes, len(offsets))) / 2 * points_to_px
            marked.append((coll.get_offset_transform().transform(offsets), radius))
    for line in ax.lines:
        if line.get_marker() not in (None, "None", "", " ") and line.get_clip_on():
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            marked.append((xy, np.full(len(xy), line.get_markersize() / 2 * points_to_px)))
    cut = 0
    for xy, radius in marked:
        inside = ((xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1))
        near = ((xy[:, 0] - x0 < 0.6 * radius) | (x1 - xy[:, 0] < 0.6 * radius)
                | (xy[:, 1] - y0 < 0.6 * radius) | (y1 - xy[:, 1] < 0.6 * radius))
        cut += int(np.sum(inside & near))
    return cut


_probstat_print_figure = _mbb.FigureCanvasBase.print_figure


def _probstat_checked_print_figure(self, *args, **kwargs):
    _probstat_check(self.figure)
    return _probstat_print_figure(self, *args, **kwargs)


_mbb.FigureCanvasBase.print_figure = _probstat_checked_print_figure
'''

REPORT = "import json; print('PROBSTAT-FIGURES' + json.dumps(_probstat_problems))"


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def _n_figures(cell):
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def _source(cell):
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def _read(path):
    nbformat = pytest.importorskip("nbformat")
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", VIGNETTES, ids=[p.stem for p in VIGNETTES])
def test_vignette_structure(path):
    nb = _read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and _source(first).startswith("# "), (
        f"{path.name}: the first cell must be a markdown '# Title'")
    title = _source(first).splitlines()[0]
    assert not re.search(r"[$\\]", title), f"{path.name}: LaTeX in the title {title!r}"

    heads = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "markdown" and re.search(r"^## Exercises", _source(c), re.M)]
    assert heads, f"{path.name}: no '## Exercises' section"
    tail = nb.cells[heads[-1] + 1:]
    exercises = [i for i, c in enumerate(tail)
                 if c.cell_type == "markdown" and _source(c).lstrip().startswith("### Exercise")]
    assert 2 <= len(exercises) <= 4, f"{path.name}: {len(exercises)} exercises (want 2 to 4)"
    for i in exercises:
        solution = tail[i + 1] if i + 1 < len(tail) else None
        assert solution is not None and solution.cell_type == "code", (
            f"{path.name}: exercise without a solution cell after it")
        assert "hide-cell" in _tags(solution), f"{path.name}: solution not tagged hide-cell"

    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code), (
        f"{path.name} must be committed executed (run it with jupyter-execute --inplace)")
    assert sum(map(_n_figures, code)) >= 1, f"{path.name}: no figure in the stored outputs"
    for cell in code:
        for out in cell.outputs:
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r"/(work|home|tmp|Users|private)/", text), (
                f"{path.name}: an output shows a local path (cell {cell.execution_count})")
    for k, cell in enumerate(nb.cells[:-1]):
        if cell.cell_type == "code" and _n_figures(cell) and "hide-cell" not in _tags(cell):
            assert nb.cells[k + 1].cell_type == "markdown", (
                f"{path.name}: the figure of cell {cell.execution_count} has no sentence after it")


@pytest.mark.parametrize("path", VIGNETTES, ids=[p.stem for p in VIGNETTES])
def test_vignette_runs(path, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    stored = _read(path)
    nb = _read(path)
    nb.cells.insert(0, nbformat.v4.new_code_cell(FIGURE_CHECK))
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    report = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    problems = json.loads(report.split("PROBSTAT-FIGURES", 1)[1])
    assert not problems, f"{path.name} figures:\n" + "\n".join(problems)

    fresh = nb.cells[1:-1]
    for old, new in zip(stored.cells, fresh, strict=True):
        if new.cell_type != "code":
            continue
        where = f"{path.name}, cell {new.execution_count - 1}"
        for out in new.outputs:
            assert out.output_type != "error", where
            if out.output_type == "stream" and out.name == "stderr":
                assert "Warning" not in out.text, f"{where} warns:\n{out.text}"
        assert _n_figures(old) == _n_figures(new), (
            f"{where}: the stored outputs are stale ({_n_figures(old)} figures stored, "
            f"{_n_figures(new)} now); re-run it with jupyter-execute --inplace")
