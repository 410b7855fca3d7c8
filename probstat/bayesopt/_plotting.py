"""Plots: convergence (regret against evaluations) and a 1-D posterior with its acquisition."""

from __future__ import annotations

import numpy as np

from ..plotting import get_axes


def _best_so_far(run):
    vals = run.func_vals if hasattr(run, "func_vals") else run
    return np.minimum.accumulate(np.asarray(vals, dtype=float))


def plot_convergence(*runs, optimal_value=None, labels=None, ax=None):
    """Best value so far (or log10 simple regret) against the number of evaluations.

    Parameters
    ----------
    *runs : OptimizeResult, array-like, or list of them
        Each positional argument is one method: a single run (result or array of
        objective values, minimisation) or a list of runs (seeds), drawn as the median
        with an interquartile band.
    optimal_value : float, optional
        When given, the y-axis is ``log10(best - optimal_value)``.
    labels : list of str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from probstat.bayesopt import plot_convergence
    >>> ax = plot_convergence([3.0, 2.0, 2.5, 1.0], optimal_value=0.5)
    """
    ax = get_axes(ax, figsize=(5.5, 3.5))
    if labels is not None and len(labels) != len(runs):
        raise ValueError(f"labels must have {len(runs)} entries (got {len(labels)})")
    for k, method in enumerate(runs):
        is_group = isinstance(method, list | tuple) and len(method) > 0 and (
            hasattr(method[0], "func_vals") or np.ndim(method[0]) == 1)
        group = list(method) if is_group else [method]
        curves = [_best_so_far(r) for r in group]
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
        Plot range (default: the training range).
    n_grid : int, default=400
    ax : matplotlib.axes.Axes or pair of Axes, optional
    truth : callable, optional
        The true function, drawn dashed.

    Returns
    -------
    matplotlib.axes.Axes or ndarray of two Axes
    """
    X = model.X_train_
    if X.shape[1] != 1:
        raise ValueError(f"plot_posterior_1d needs a 1-D input (got {X.shape[1]} dimensions)")
    lo, hi = (X.min(), X.max()) if bounds is None else bounds
    grid = np.linspace(lo, hi, int(n_grid))[:, None]
    mu, sd = model.predict(grid, return_std=True)
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
    top.plot(X[:, 0], model.y_train_, "ko", ms=4, label="data")
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
