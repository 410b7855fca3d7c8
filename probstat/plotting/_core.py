"""Small matplotlib helpers; every plotting function returns the Axes it drew on."""

from __future__ import annotations

import numpy as np


def get_axes(ax=None, **subplot_kw):
    """Return ``ax``, or a new Axes on a new figure when ``ax`` is None.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
    **subplot_kw
        Passed to :func:`matplotlib.pyplot.subplots` when a figure is created
        (for example ``figsize``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(**subplot_kw)
    return ax


def plot_distributions(distributions, labels=None, *, ax=None, support=None, title=None):
    """Draw probability vectors side by side as grouped bars.

    Parameters
    ----------
    distributions : sequence of array-like of shape (n,)
        Probability vectors over the same support.
    labels : sequence of str, optional
        Legend entries.
    ax : matplotlib.axes.Axes, optional
    support : sequence, optional
        Tick labels for the outcomes (default 0..n-1).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..backend import to_numpy
    from ..utils import check_probability_vector

    if distributions is None or isinstance(distributions, (str, bytes)):
        raise TypeError("distributions must be a sequence of probability vectors "
                        f"(got {distributions!r})")
    if hasattr(distributions, "ndim") and distributions.ndim != 2:
        raise ValueError("distributions must be a 2-D array or a sequence of probability "
                         f"vectors (got {distributions.ndim}-D)")
    dists = [to_numpy(check_probability_vector(to_numpy(d) if hasattr(d, "shape") else d,
                                               name=f"distributions[{k}]"))
             for k, d in enumerate(distributions)]
    if not dists:
        raise ValueError("distributions must not be empty")
    n = dists[0].shape[0]
    if any(d.shape != (n,) for d in dists):
        raise ValueError("distributions must all have the same length")
    if labels is not None and len(labels) != len(dists):
        raise ValueError(f"labels must have {len(dists)} entries (got {len(labels)})")
    ax = get_axes(ax, figsize=(6, 3.5))
    width = 0.8 / len(dists)
    x = np.arange(n)
    for k, d in enumerate(dists):
        ax.bar(x + (k - (len(dists) - 1) / 2) * width, d, width=width,
               label=None if labels is None else labels[k])
    ax.set_xticks(x)
    ax.set_xticklabels([str(s) for s in (support if support is not None else x)])
    ax.set_ylabel("probability")
    if title:
        ax.set_title(title)
    if labels is not None:
        ax.legend()
    return ax
