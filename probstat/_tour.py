"""The tour: run each subpackage's ``demo()`` and write a report with its figures.

A research subpackage joins the tour by exposing ``demo(out_dir, *, random_state=0)`` that
returns a :class:`DemoSection`. Demos run on built-in data (the bundled UCI copies or
synthetic draws), save their figures with :func:`save_figure` and finish in seconds.
"""

from __future__ import annotations

import dataclasses
import html
import importlib
import time
import traceback
from pathlib import Path

import numpy as np


@dataclasses.dataclass
class DemoSection:
    """What one demo showed: a title, Markdown findings and the figures it saved.

    Attributes
    ----------
    title : str
    findings : list of str
        Markdown bullet points (one finding each, with the numbers that support it).
    figures : list of str
        File names of saved figures, relative to the output folder.
    """

    title: str
    findings: list = dataclasses.field(default_factory=list)
    figures: list = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def save_figure(ax_or_fig, out_dir, name: str) -> str:
    """Save the figure of ``ax_or_fig`` as ``out_dir/name`` (PNG) and close it.

    Parameters
    ----------
    ax_or_fig : matplotlib.axes.Axes or matplotlib.figure.Figure
    out_dir : str or os.PathLike
    name : str
        File name, e.g. ``"coupling_greedy.png"``.

    Returns
    -------
    str
        ``name``, for :attr:`DemoSection.figures`.
    """
    import matplotlib.pyplot as plt

    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    fig.tight_layout()
    fig.savefig(Path(out_dir) / name, dpi=110)
    plt.close(fig)
    return name


def measures_demo(out_dir, *, random_state=0) -> DemoSection:
    """Tour of the shared Shannon measures on random distributions."""
    from .datasets import make_dirichlet_distributions
    from .plotting import get_axes
    from .utils import binary_entropy, entropy, kl_divergence, mutual_information

    section = DemoSection("Shared measures (probstat.utils)")
    p, q = make_dirichlet_distributions(2, 8, random_state=random_state)
    joint = make_dirichlet_distributions(1, 12, random_state=random_state)[0].reshape(3, 4)
    section.findings += [
        f"Entropy of a Dirichlet(1) draw on 8 outcomes: {entropy(p):.4f} bits "
        f"(maximum log2 8 = 3).",
        f"KL(p || q) = {kl_divergence(p, q):.4f} bits, KL(q || p) = {kl_divergence(q, p):.4f} "
        "bits: the divergence is not symmetric.",
        f"Mutual information of a random 3 x 4 joint table: {mutual_information(joint):.4f} bits.",
    ]
    ax = get_axes(figsize=(5, 3.2))
    grid = np.linspace(0, 1, 201)
    ax.plot(grid, binary_entropy(grid), label="h(p) in bits")
    ax.plot(grid, binary_entropy(grid, base=np.e), label="h(p) in nats")
    ax.set_xlabel("p")
    ax.set_ylabel("binary entropy")
    ax.legend()
    section.figures.append(save_figure(ax, out_dir, "utils_binary_entropy.png"))
    return section


# What ``tour --help`` lists; tests/test_tour.py checks it against the demos that exist.
SECTIONS = {
    "utils": "Shannon measures shared by every subpackage",
    "infoproj": "information projection, the MLE's risk and the p-n criterion",
    "cluster": "iLA-SDP clustering of Gaussians with different covariances",
    "coupling": "minimum-entropy coupling, EBIM and MEC with bottleneck",
    "semantic": "semantic information G theory and channel matching",
    "bayesopt": "Gaussian-process Bayesian optimisation",
}


def _demos():
    import probstat

    yield "utils", measures_demo
    for name in probstat.RESEARCH_SUBPACKAGES:
        module = importlib.import_module(f"probstat.{name}")
        if hasattr(module, "demo"):
            yield name, module.demo


def run_tour(out_dir, *, only=None, random_state=0, stream=None) -> list[DemoSection]:
    """Run every demo, write ``report.md`` and ``report.html`` into ``out_dir``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Created if missing.
    only : str or sequence of str, optional
        Section names to run, keys of ``SECTIONS`` (``"utils"`` for the shared measures);
        default all.
    random_state : int, default=0
    stream : file-like, optional
        Where progress lines go (default: nowhere).

    Returns
    -------
    list of DemoSection
        A demo that raised is kept with its ``error`` so the report shows it.

    Raises
    ------
    ValueError
        When ``only`` names no section or an unknown one.
    """
    import matplotlib

    if only is not None:
        only = [only] if isinstance(only, str) else list(only)
        unknown = sorted(set(only) - set(SECTIONS))
        if unknown or not only:
            raise ValueError(f"only must name sections among {', '.join(SECTIONS)} "
                             f"(got {unknown or 'none'})")
    matplotlib.use("Agg")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sections = []
    for name, demo in _demos():
        if only and name not in only:
            continue
        start = time.perf_counter()
        try:
            section = demo(out, random_state=random_state)
        except Exception:  # a broken demo must not hide the others; the report shows it
            section = DemoSection(f"{name} (failed)", error=traceback.format_exc())
        section.seconds = time.perf_counter() - start
        sections.append(section)
        if stream is not None:
            status = "FAILED" if section.error else "ok"
            print(f"  {name:<10} {status:<6} {section.seconds:6.1f} s  {section.title}",
                  file=stream, flush=True)
    _write_reports(out, sections)
    return sections


def _write_reports(out: Path, sections) -> None:
    from . import __version__

    md = [f"# probstat {__version__}: the tour", ""]
    body = [f"<h1>probstat {html.escape(__version__)}: the tour</h1>"]
    for s in sections:
        md += [f"## {s.title}", "", f"_{s.seconds:.1f} s_", ""]
        body += [f"<h2>{html.escape(s.title)}</h2>", f"<p><em>{s.seconds:.1f} s</em></p>"]
        if s.error:
            md += ["```", s.error.rstrip(), "```", ""]
            body.append(f"<pre>{html.escape(s.error)}</pre>")
        md += [f"- {f}" for f in s.findings] + [""]
        body.append("<ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in s.findings) + "</ul>")
        for fig in s.figures:
            md += [f"![{fig}]({fig})", ""]
            body.append(f"<img src='{html.escape(fig)}' style='max-width:720px'>")
    (out / "report.md").write_text("\n".join(md))
    (out / "report.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>probstat tour</title></head>"
        "<body style='font-family:sans-serif;max-width:800px;margin:auto'>"
        + "\n".join(body) + "</body></html>"
    )
