"""Figures of probstat.coupling: every result's ``plot()`` draws here.

matplotlib is imported by :func:`probstat.plotting.get_axes` when a figure is made, never
when this module is imported. Arrays of any namespace are read on the host.
"""

from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..plotting import get_axes


def plot_coupling(coupling, ax=None, *, max_cells=200_000):
    """A two-marginal :class:`~probstat.coupling.Coupling`: heat map, or atoms as points."""
    if coupling.n_marginals != 2:
        raise ValueError(f"plot needs a coupling of 2 marginals (got {coupling.n_marginals})")
    ax = get_axes(ax, figsize=(4.5, 4))
    indices, masses = to_numpy(coupling.indices), to_numpy(coupling.masses)
    rows, cols = coupling.shape
    if rows * cols <= max_cells:
        dense = np.zeros(coupling.shape)
        np.add.at(dense, (indices[:, 0], indices[:, 1]), masses)
        image = ax.imshow(dense, cmap="viridis", aspect="auto", interpolation="nearest")
        ax.figure.colorbar(image, ax=ax, label="probability")
    else:
        size = 400 * masses / masses.max()
        ax.scatter(indices[:, 1], indices[:, 0], s=size, alpha=0.6)
        ax.invert_yaxis()
    ax.set_xlabel("y")
    ax.set_ylabel("x")
    ax.set_title(f"{coupling.method} coupling, H = {coupling.entropy():.3f} bits")
    return ax


def plot_mecb(result, ax=None):
    """Heat map of the joint ``p(x, y)`` of a :class:`~probstat.coupling.MECBResult`."""
    ax = get_axes(ax, figsize=(4.5, 4))
    image = ax.imshow(to_numpy(result.joint), cmap="viridis", aspect="auto",
                      interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="p(x, y)")
    ax.set_xlabel("y")
    ax.set_ylabel("x")
    ax.set_title(f"MEC-B, R = {result.rate:.3g}: I(X;Y) = {result.I_xy:.3f}")
    return ax


def _unit(base):
    return "bits" if base == 2 else f"log base {base:g}"


def plot_ebim_curve(curve, ax=None):
    """The curves of an :class:`~probstat.coupling.EBIMCurve` with ``min(rate, H(X))``."""
    ax = get_axes(ax, figsize=(5.5, 4))
    rates = to_numpy(curve.rates)
    best = to_numpy(curve.best_deterministic)
    ax.plot(rates, np.minimum(rates, curve.entropy_x), color="0.6", ls=":",
            label="min(R, H(X))")
    if np.isfinite(best).any():
        ax.plot(rates, best, ls="--", label="best deterministic")
    ax.plot(rates, to_numpy(curve.greedy), label="greedy (Alg. 1)")
    ax.plot(rates, to_numpy(curve.refined), label="refined (Thm. 3 moves)")
    unit = _unit(curve.base)
    ax.set_xlabel(f"rate R ({unit})")
    ax.set_ylabel(f"I(X; T) ({unit})")
    ax.legend()
    return ax


def plot_mecb_rates(rates, curves, entropy_x, ax=None, *, title=None):
    """``I(X; Y)`` of MEC-B against the rate, one line per encoder (``curves`` a dict)."""
    ax = get_axes(ax, figsize=(5.5, 4))
    rates = to_numpy(rates)
    for label, values in curves.items():
        ax.plot(rates, to_numpy(values), marker="o", ms=3, label=f"{label} encoder")
    ax.plot(rates, np.minimum(rates, entropy_x), color="0.6", ls=":", label="min(R, H(X))")
    ax.set_xlabel("rate R (bits)")
    ax.set_ylabel("I(X; Y) (bits)")
    if title is not None:
        ax.set_title(title)
    ax.legend()
    return ax


def plot_mcg_sweep(sweep, ax=None):
    """Reward against accuracy of an :class:`~probstat.coupling.games.MCGSweep`."""
    ax = get_axes(ax, figsize=(6, 4.2))
    styles = {"greedy": "-", "uniform": "--"}
    accuracy, reward = to_numpy(sweep.accuracy), to_numpy(sweep.mean_reward)
    for i, enc in enumerate(sweep.encoders):
        for j, frac in enumerate(to_numpy(sweep.rate_fractions)):
            ax.plot(accuracy[i, j], reward[i, j], marker="o", ms=3, ls=styles.get(enc, "-"),
                    label=f"{enc}, R = {frac:g} H(M)")
    ax.set_xlabel("decoding accuracy")
    ax.set_ylabel("mean discounted reward")
    ax.set_title("Markov coding game: reward vs accuracy (varying beta)")
    ax.legend(fontsize="small")
    return ax
