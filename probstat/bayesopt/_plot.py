"""The plotting home of probstat.bayesopt: convergence curves and a 1-D posterior.

matplotlib is imported inside the functions (through :func:`probstat.plotting.get_axes`).
Array-API inputs are copied to the host: a figure is drawn there anyway.
"""

from __future__ import annotations

import numpy as np

from ..backend._namespace import _is_foreign_array
from ..plotting import get_axes
from ..utils import check_array, check_callable, check_scalar_in
from ._checks import check_int, check_model


def _values(run, name):
    """The objective values of one run (a result with ``func_vals`` or an array)."""
    vals = run.func_vals if hasattr(run, "func_vals") else run
    return check_array(vals, name, ndim=1, xp=np)


def _is_group(method):
    """A list or tuple of runs (results or 1-D sequences), not one run of numbers."""
    if not isinstance(method, list | tuple) or len(method) == 0:
        return False
    first = method[0]
    return hasattr(first, "func_vals") or _is_foreign_array(first) or (
        not isinstance(first, (str, bytes)) and hasattr(first, "__len__"))


def plot_convergence(*runs, optimal_value=None, labels=None, ax=None):
    """Best value so far (or log10 simple regret) against the number of evaluations.

    Parameters
    ----------
    *runs : OptimizeResult, array-like, or list of them
        Each positional argument is one method: a single run (result or 1-D array of
        finite objective values, minimisation) or a list of runs (seeds), drawn as the
        median with an interquartile band.
    optimal_value : float, optional
        When given, the y-axis is ``log10(best - optimal_value)``.
    labels : list of str, optional
        One legend entry per positional argument.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    References
    ----------
    P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018.

    Examples
    --------
    >>> from probstat.bayesopt import plot_convergence
    >>> ax = plot_convergence([3.0, 2.0, 2.5, 1.0], optimal_value=0.5)
    """
    if not runs:
        raise ValueError("runs must hold at least one run")
    if optimal_value is not None:
        optimal_value = check_scalar_in(optimal_value, "optimal_value")
    if labels is not None:
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
            raise TypeError(f"labels must be a list of strings (got {labels!r})")
        if len(labels) != len(runs):
            raise ValueError(f"labels must have {len(runs)} entries (got {len(labels)})")
    groups = []
    for k, method in enumerate(runs):
        if _is_group(method):
            groups.append([_values(r, f"runs[{k}][{j}]") for j, r in enumerate(method)])
        else:
            groups.append([_values(method, f"runs[{k}]")])
    ax = get_axes(ax, figsize=(5.5, 3.5))
    for k, group in enumerate(groups):
        curves = [np.minimum.accumulate(v) for v in group]
        n = min(len(c) for c in curves)
        C = np.array([c[:n] for c in curves])
        if optimal_value is not None:
            C = np.log10(np.maximum(C - optimal_value, 1e-16))
        x = np.arange(1, n + 1)
        label = None if labels is None else labels[k]
        if C.shape[0] == 1:
            ax.plot(x, C[0], label=label)
        else:
            q25, q50, q75 = np.percentile(C, [25, 50, 75], axis=0)
            line, = ax.plot(x, q50, label=label)
            ax.fill_between(x, q25, q75, color=line.get_color(), alpha=0.2)
    ax.set_xlabel("evaluations")
    ax.set_ylabel("log10 simple regret" if optimal_value is not None else "best value so far")
    if labels is not None:
        ax.legend()
    return ax


def plot_posterior_1d(model, acquisition=None, bounds=None, *, n_grid=400, ax=None,
                      truth=None):
    """GP posterior on a 1-D input (mean, 95 % band, data) with an acquisition beneath.

    Parameters
    ----------
    model : GaussianProcess
        Fitted on one input dimension.
    acquisition : AcquisitionFunction, optional
        Bound to ``model``; drawn in a second panel.
    bounds : (float, float), optional
        Plot range, finite with ``low < high`` (default: the training range).
    n_grid : int, default=400
        Number of grid points (>= 2).
    ax : matplotlib.axes.Axes or pair of Axes, optional
        Axes to draw on (a pair when ``acquisition`` is given).
    truth : callable, optional
        The true function, drawn dashed.

    Returns
    -------
    matplotlib.axes.Axes or ndarray of two Axes
        The axes drawn on.

    References
    ----------
    P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018.
    """
    from ._acquisition import AcquisitionFunction

    model = check_model(model, "model")
    X = model._X
    if X.shape[1] != 1:
        raise ValueError(f"model must be fitted on one input dimension (got {X.shape[1]})")
    if acquisition is not None:
        if not isinstance(acquisition, AcquisitionFunction):
            raise TypeError("acquisition must be a bound AcquisitionFunction or None "
                            f"(got {type(acquisition).__name__})")
        acquisition._check_bound()
    n_grid = check_int(n_grid, "n_grid", 2)
    truth = check_callable(truth, "truth", optional=True)
    if bounds is None:
        lo, hi = float(X.min()), float(X.max())
    else:
        b = check_array(bounds, "bounds", ndim=1, xp=np)
        if b.shape != (2,) or not b[0] < b[1]:
            raise ValueError(f"bounds must be a pair (low, high) with low < high "
                             f"(got {bounds!r})")
        lo, hi = float(b[0]), float(b[1])
    grid = np.linspace(lo, hi, n_grid)[:, None]
    mu, sd = model._predict_np(grid, return_std=True)
    if acquisition is not None and ax is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 1, sharex=True, figsize=(6, 4.5),
                               gridspec_kw={"height_ratios": [2, 1]})
    elif acquisition is not None:
        axes = np.asarray(ax)
    else:
        axes = np.array([get_axes(ax, figsize=(6, 3.2))])
    top = axes[0]
    top.fill_between(grid[:, 0], mu - 1.96 * sd, mu + 1.96 * sd, alpha=0.25, label="95% band")
    top.plot(grid[:, 0], mu, label="posterior mean")
    if truth is not None:
        top.plot(grid[:, 0], [truth(g) for g in grid[:, 0]], "k--", lw=1, label="truth")
    top.plot(X[:, 0], model._y, "ko", ms=4, label="data")
    top.legend(fontsize=8)
    if acquisition is None:
        return top
    vals = acquisition(grid)
    axes[1].plot(grid[:, 0], vals, color="C2")
    finite = vals[np.isfinite(vals)]
    if finite.size and np.ptp(finite) > 40:  # a log acquisition: show its top 40 units
        axes[1].set_ylim(finite.max() - 40, finite.max() + 2)
    axes[1].axvline(grid[int(np.nanargmax(vals)), 0], color="C3", ls=":")
    axes[1].set_ylabel(type(acquisition).__name__, fontsize=8)
    axes[1].set_xlabel("x")
    return axes
