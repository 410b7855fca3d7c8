"""Every figure drawn by probstat.coupling's plot functions follows the figure rules.

Each Axes that draws data has a title and non-empty axis labels, a colorbar has a label,
and a legend names the series where more than one is drawn.
"""

import numpy as np
import pytest

from probstat import coupling
from probstat.coupling import games

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _figures():
    p, q = [0.5, 0.3, 0.2], [0.6, 0.4]
    big = np.random.default_rng(0).dirichlet(np.ones(600), size=2)
    world = games.GridWorld(size=3, obstacles=[], start=(2, 0))
    sweep = games.mcg_sweep(world, [0.1, 0.5, 2.0], [0.5, 1.0], n_messages=4,
                            n_episodes=3, max_steps=10, random_state=0)
    from probstat.coupling._plot import plot_mecb_rates

    yield "coupling heat map", coupling.greedy_mec(p, q).plot()
    yield "coupling atoms", coupling.greedy_mec(*big).plot(max_cells=10)
    yield "mec_b joint", coupling.mec_b(p, q, 1.0).plot()
    yield "ebim curve", coupling.ebim_curve(p, np.linspace(0, 1.5, 7)).plot()
    yield "mecb rates", plot_mecb_rates([0, 1, 2], {"greedy": [0, 1, 1.5]}, 1.5)
    yield "mcg information", sweep.plot()
    yield "mcg accuracy", sweep.plot(x="accuracy")


@pytest.mark.parametrize("name,ax", list(_figures()), ids=lambda v: v if isinstance(v, str) else "")
def test_figure_rules(name, ax):
    fig = ax.figure
    for a in fig.axes:
        if a.get_label() == "<colorbar>":
            assert a.get_ylabel() or a.get_xlabel(), f"{name}: colorbar without a label"
            continue
        assert a.get_title(), f"{name}: no title"
        assert a.get_xlabel() and a.get_ylabel(), f"{name}: unlabelled axis"
        series = [ln for ln in a.get_lines() if not ln.get_label().startswith("_")]
        series += [c for c in a.collections if not c.get_label().startswith("_")]
        if len(series) > 1:
            assert a.get_legend() is not None, f"{name}: several series and no legend"
    matplotlib.pyplot.close(fig)
