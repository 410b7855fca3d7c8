"""Figures of probstat.infoproj: the drawing code of every plot method lives here.

matplotlib is imported inside the functions, so importing the subpackage never loads it.
"""

from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..utils import check_array


def _grid(n_grid):
    """A validated 1-D NumPy grid of positive sample sizes."""
    n_grid = check_array(to_numpy(n_grid) if hasattr(n_grid, "__array_namespace__")
                         else n_grid, "n_grid", ndim=1)
    if not np.all(n_grid > 0):
        raise ValueError("n_grid must contain positive sample sizes")
    return np.asarray(n_grid)


def plot_risk_curve(crit, n_grid=None, ax=None):
    """``R(n)`` of a fitted :class:`PNCriterion` at first and second order, and its tolerance.

    Parameters
    ----------
    crit : PNCriterion
        A fitted criterion.
    n_grid : array-like, optional
        Sample sizes; default a geometric grid from ``p`` to ``4 max(n, n_min)``.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    from ..plotting import get_axes

    if n_grid is None:
        top = 4 * max(crit.n_samples_, crit.n_min_)
        n_grid = np.geomspace(max(crit.n_params_, 2), top, 200)
    n_grid = _grid(n_grid)
    ax = get_axes(ax, figsize=(6, 4))
    ax.loglog(n_grid, crit.risk_curve(n_grid, order=1), label="first order c1/n")
    r2 = crit.risk_curve(n_grid, order=2)
    pos = r2 > 0
    ax.loglog(n_grid[pos], r2[pos], label="second order")
    ax.axhline(crit.tol_, color="k", ls="--", lw=1, label=f"tolerance {crit.tol_:.3g}")
    ax.axvline(crit.n_samples_, color="gray", ls=":", lw=1, label=f"n = {crit.n_samples_}")
    ax.set_title(f"p-n criterion: estimation risk of a {crit.n_params_}-parameter model")
    ax.set_xlabel("sample size n")
    ax.set_ylabel("risk R(n) [nats]")
    ax.legend(fontsize=8)
    return ax


def plot_dimension_scan(scan, ax=None, n_grid=None):
    """``R(n)`` curves of every model of a :class:`DimensionScan` against the tolerance.

    Parameters
    ----------
    scan : DimensionScan
        The scan.
    ax : matplotlib.axes.Axes, optional
        Where to draw (a new figure by default).
    n_grid : array-like, optional
        Sample sizes (default: a geometric grid up to three times the largest of ``n`` and
        the ``n_min`` values).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; solid curves pass the criterion at the data's ``n``.
    """
    import matplotlib as mpl

    from ..plotting import get_axes

    p, c1, c2, accept, n_min = (to_numpy(getattr(scan, name)) for name in
                                ("p", "c1", "c2", "accept", "n_min"))
    ax = get_axes(ax, figsize=(6.4, 4.2))
    if n_grid is None:
        top = 3 * max(scan.n, int(np.max(n_min)))
        n_grid = np.geomspace(max(int(np.min(p)), 2), top, 200)
    n_grid = _grid(n_grid)
    cmap = mpl.colormaps["viridis"]
    for k, lab in enumerate(scan.labels):
        r = c1[k] / n_grid + (c2[k] / n_grid**2 if scan.order == 2 else 0.0)
        ok = r > 0
        color = cmap(k / max(len(scan.labels) - 1, 1))
        ax.loglog(n_grid[ok], r[ok], color=color, lw=1.4, ls="-" if accept[k] else "--",
                  label=f"{lab} (p={p[k]})")
    ax.axhline(scan.tol, color="k", lw=1, ls=":", label=f"tolerance {scan.tol:.3g}")
    ax.axvline(scan.n, color="gray", lw=1, ls=":")
    ax.set_xlabel("sample size n")
    ax.set_ylabel("risk R(n) [nats]")
    ax.set_title("p-n criterion: solid = passes at the data's n")
    ax.legend(fontsize=7, ncol=2)
    return ax
