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
        _integer_ticks(ax)
    else:
        size = 400 * masses / masses.max()
        ax.scatter(indices[:, 1], indices[:, 0], s=size, alpha=0.6)
        ax.invert_yaxis()
    ax.set_xlabel("outcome of the second variable (index)")
    ax.set_ylabel("outcome of the first variable (index)")
    ax.set_title(f"{coupling.method} coupling, H = {coupling.entropy():.3f} bits")
    return ax


def plot_mecb(result, ax=None):
    """Heat map of the joint ``p(x, y)`` of a :class:`~probstat.coupling.MECBResult`."""
    ax = get_axes(ax, figsize=(4.5, 4))
    image = ax.imshow(to_numpy(result.joint), cmap="viridis", aspect="auto",
                      interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="probability p(x, y)")
    _integer_ticks(ax)
    unit = _unit(result.base)
    ax.set_xlabel("outcome y (index)")
    ax.set_ylabel("outcome x (index)")
    ax.set_title(f"MEC-B, R = {result.rate:.3g} {unit}: I(X;Y) = {result.I_xy:.3f} {unit}")
    return ax


def _integer_ticks(ax):
    """Outcome indices: integer ticks only."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


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
    ax.set_xlabel(f"rate R [{unit}]")
    ax.set_ylabel(f"I(X; T) [{unit}]")
    ax.set_title(f"EBIM trade-off, H(X) = {curve.entropy_x:.3f} {unit}")
    ax.legend()
    return ax


def plot_mecb_rates(rates, curves, entropy_x, ax=None, *, title=None):
    """``I(X; Y)`` of MEC-B against the rate, one line per encoder (``curves`` a dict)."""
    ax = get_axes(ax, figsize=(5.5, 4))
    rates = to_numpy(rates)
    for label, values in curves.items():
        ax.plot(rates, to_numpy(values), marker="o", ms=3, label=f"{label} encoder")
    ax.plot(rates, np.minimum(rates, entropy_x), color="0.6", ls=":", label="min(R, H(X))")
    ax.set_xlabel("rate R [bits]")
    ax.set_ylabel("I(X; Y) [bits]")
    ax.set_title(title if title is not None else "MEC-B: I(X; Y) against the rate")
    ax.legend()
    return ax


def plot_mcg_sweep(sweep, ax=None, *, x="information"):
    """Reward against bits sent (or accuracy) of an :class:`~probstat.coupling.games.MCGSweep`.

    One curve per encoder and rate; every computed temperature is a marker, joined in
    order of ``beta``; the coldest and hottest temperatures are annotated.
    """
    ax = get_axes(ax, figsize=(9.5, 4.2))
    styles = {"greedy": "-", "refined": "-.", "adaptive_bins": "--", "uniform": "--",
              "fixed_bins": ":"}
    markers = {"greedy": "o", "refined": "D", "adaptive_bins": "s", "uniform": "s",
               "fixed_bins": "^"}
    values = to_numpy(sweep.information if x == "information" else sweep.accuracy)
    values_se = to_numpy(sweep.information_se if x == "information" else sweep.accuracy_se)
    reward = to_numpy(sweep.mean_reward)
    reward_se = to_numpy(sweep.reward_se)
    log_betas = np.log(to_numpy(sweep.betas))
    for i, enc in enumerate(sweep.encoders):
        for j, frac in enumerate(to_numpy(sweep.rate_fractions)):
            ax.errorbar(values[i, j], reward[i, j], xerr=values_se[i, j],
                        yerr=reward_se[i, j], marker=markers.get(enc, "o"), ms=4,
                        ls=styles.get(enc, "-"), capsize=2, elinewidth=0.8,
                        label=f"{enc} encoder, R = {frac:g} H(M)")
    # the coldest end sits where the curve starts: label it below, clear of the line
    for k, offset in ((int(np.argmin(log_betas)), (2, -12)), (int(np.argmax(log_betas)), (5, 5))):
        ax.annotate(f"log beta = {log_betas[k]:.1f}", (values[0, -1, k], reward[0, -1, k]),
                    fontsize=7, textcoords="offset points", xytext=offset)
    if x == "information":
        ax.set_xlabel("information sent I(M; trajectory) [bits per episode]")
    else:
        ax.set_xlabel("decoding accuracy [fraction of episodes]")
    ax.set_ylabel("mean discounted reward per episode")
    ax.set_title("Markov coding game: reward vs "
                 + ("information" if x == "information" else "accuracy")
                 + f" over {log_betas.size} temperatures")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
