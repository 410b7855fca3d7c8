"""The plotting home of probstat.bayesopt: convergence curves and a 1-D posterior.

matplotlib is imported inside the functions (through :func:`probstat.plotting.get_axes`).
Array-API inputs are copied to the host: a figure is drawn there anyway.
"""

from __future__ import annotations

import re

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
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 3 (Algorithm 1 reports the best evaluated point; the simple regret is its
       gap to the optimum).

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
    ax.set_xlabel("number of evaluations n")
    ax.set_ylabel("log10 simple regret" if optimal_value is not None else "best value so far")
    many = any(len(g) > 1 for g in groups)
    ax.set_title("Convergence: " + ("median and interquartile range over seeds" if many
                                    else "best value so far"))
    if labels is not None:
        ax.legend()
    return ax


def _acquisition_label(acquisition):
    """A readable y-label: ``LogExpectedImprovement`` -> ``log expected improvement``."""
    name = type(acquisition).__name__
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()
    if name in ("MaxValueEntropySearch", "EntropySearch"):
        words += " [nats]"
    return words


def plot_posterior_1d(model, acquisition=None, bounds=None, *, n_grid=400, ax=None,
                      truth=None, xlabel="x", ylabel="f(x)", title=None):
    """GP posterior on a 1-D input (mean, 95 % band, data) with an acquisition beneath.

    The band is the pointwise ``mean +- 1.96 sd`` of the posterior *given the fitted
    hyperparameters* (Frazier's Section 3 [1]_; Rasmussen & Williams' Algorithm 2.1
    [2]_). It does not include the uncertainty about the hyperparameters themselves, so
    with few points, when the data cannot resolve the function's shortest wiggles, the
    fitted length scale is too long and the band too narrow: the true curve can leave
    it. When ``truth`` is given and leaves the band on more than 5 % of the grid, the
    title says so in a second line instead of hiding it; more evaluations
    (or a shorter fixed ``length_scale``) close the gap.

    Parameters
    ----------
    model : GaussianProcess
        Fitted on one input dimension.
    acquisition : AcquisitionFunction, optional
        Bound to ``model``; drawn in a second panel, its maximiser marked.
    bounds : (float, float), optional
        Plot range, finite with ``low < high`` (default: the training range).
    n_grid : int, default=400
        Number of grid points (>= 2).
    ax : matplotlib.axes.Axes or pair of Axes, optional
        Axes to draw on (a pair when ``acquisition`` is given).
    truth : callable, optional
        The true function, drawn dashed.
    xlabel : str, default="x"
        Label of the input axis (put the units in it, e.g. ``"temperature [K]"``).
    ylabel : str, default="f(x)"
        Label of the objective axis of the upper panel.
    title : str, optional
        Title of the upper panel (default: ``"GP posterior after n evaluations"``).

    Returns
    -------
    matplotlib.axes.Axes or ndarray of two Axes
        The axes drawn on.

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 3 (the GP posterior, eq. 3) and Section 4.1 (expected improvement).
    .. [2] C. E. Rasmussen and C. K. I. Williams, *Gaussian Processes for Machine
       Learning*, MIT Press, 2006, Algorithm 2.1.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.bayesopt import GaussianProcess, plot_posterior_1d
    >>> X = np.array([[0.1], [0.4], [0.8]])
    >>> gp = GaussianProcess(noise=0.0).fit(X, np.sin(4 * X[:, 0]))
    >>> ax = plot_posterior_1d(gp, bounds=(0.0, 1.0))
    >>> ax.get_title()
    'GP posterior after 3 evaluations'
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
    for name, value in (("xlabel", xlabel), ("ylabel", ylabel)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"{name} must be a non-empty string (got {value!r})")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None (got {title!r})")
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

        _, axes = plt.subplots(2, 1, sharex=True, figsize=(7, 5),
                               gridspec_kw={"height_ratios": [2, 1]})
    elif acquisition is not None:
        axes = np.asarray(ax)
    else:
        axes = np.array([get_axes(ax, figsize=(6, 3.2))])
    top = axes[0]
    top.fill_between(grid[:, 0], mu - 1.96 * sd, mu + 1.96 * sd, alpha=0.25, label="95% band")
    top.plot(grid[:, 0], mu, label="posterior mean")
    note = ""
    if truth is not None:
        true = np.array([float(truth(g)) for g in grid[:, 0]])
        top.plot(grid[:, 0], true, "k--", lw=1, label="truth")
        outside = np.abs(true - mu) > 1.96 * sd + 1e-9 * (1.0 + np.abs(true))
        if outside.mean() > 0.05:
            note = (f"\ntruth outside the band on {100 * outside.mean():.0f}% of the range: "
                    f"{X.shape[0]} points, too few to fit the length scale")
    top.plot(X[:, 0], model._y, "ko", ms=4, label="data", clip_on=False, zorder=3)
    top.set_ylabel(ylabel)
    head = title if title is not None else f"GP posterior after {X.shape[0]} evaluations"
    top.set_title(head + note, fontsize=10 if note else None)
    top.legend(fontsize=8, loc="best")
    if acquisition is None:
        top.set_xlabel(xlabel)
        return top
    vals = acquisition(grid)
    axes[1].plot(grid[:, 0], vals, color="C2", label=_acquisition_label(acquisition))
    finite = vals[np.isfinite(vals)]
    if finite.size and np.ptp(finite) > 40:  # a log acquisition: show its top 40 units
        axes[1].set_ylim(finite.max() - 40, finite.max() + 2)
    x_best = grid[int(np.nanargmax(vals)), 0]
    axes[1].axvline(x_best, color="C3", ls=":", label=f"next point x = {x_best:.3g}")
    axes[1].set_ylabel(_acquisition_label(acquisition), fontsize=8)
    axes[1].set_title("acquisition (it is maximised)", fontsize=9)
    axes[1].set_xlabel(xlabel)
    axes[1].legend(fontsize=7, loc="best")
    top.figure.tight_layout()
    return axes
