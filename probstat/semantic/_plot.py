"""Figures of probstat.semantic: the R(G) and R(D) curves, CM convergence traces.

The result classes' ``plot()`` methods delegate here. matplotlib is imported (through
:func:`probstat.plotting.get_axes`) only when a figure is drawn; arrays from any namespace
are copied to the host first.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import to_numpy

__all__ = ["plot_log_likelihood_gaps", "plot_partition_history", "plot_rate_distortion",
           "plot_rate_fidelity"]


def _unit(base):
    if base == 2:
        return "bits"
    if base is None or base == math.e:
        return "nats"
    return f"log base {base}"


def plot_rate_fidelity(curve, ax=None, **kwargs):
    """Draw R against G for a :class:`RateFidelityCurve`.

    The ``s < 0`` and ``s > 0`` branches are separate lines through the computed points
    (no chord is drawn across s = 0), the zero-rate segment is drawn exactly from the
    curve's ``zero_rate_interval``, and the tangent line R = G is shown for reference.
    """
    from ..plotting import get_axes

    ax = get_axes(ax, figsize=(6, 4))
    s, R, G = to_numpy(curve.s), to_numpy(curve.R), to_numpy(curve.G)
    order = np.argsort(s)
    s, R, G = s[order], R[order], G[order]
    unit = _unit(curve.base)
    style = {"color": "C0", "label": "R(G)", **kwargs}
    for branch in (s < 0, s > 0):
        if branch.any():
            ax.plot(G[branch], R[branch], **style)
            style["label"] = "_nolegend_"  # one curve, two branches: one legend entry
    lo, hi = getattr(curve, "zero_rate_interval", (math.nan, math.nan))
    if np.isfinite(lo) and np.isfinite(hi):
        ax.plot([lo, hi], [0.0, 0.0], color="C2", lw=3, solid_capstyle="butt",
                label="R = 0: channels that ignore x")
    # R >= 0, so the tangent line R = G only matters for G >= 0
    top = float(max(np.max(G), 0.0))
    ax.plot([0.0, top], [0.0, top], ls="--", color="grey", lw=1, label="R = G")
    ax.set_xlabel(f"G, semantic mutual information [{unit}]")
    ax.set_ylabel(f"R, Shannon mutual information [{unit}]")
    ax.set_title("Rate-fidelity function R(G)")
    ax.legend(fontsize="small")
    return ax


def plot_rate_distortion(curve, ax=None, **kwargs):
    """Draw R against D for a :class:`RateDistortionCurve`."""
    from ..plotting import get_axes

    ax = get_axes(ax, figsize=(5, 4))
    s, R, D = to_numpy(curve.s), to_numpy(curve.R), to_numpy(curve.D)
    order = np.argsort(s)
    unit = _unit(curve.base)
    ax.plot(D[order], R[order], **{"label": "R(D)", **kwargs})
    ax.set_xlabel("D, expected distortion [units of d]")
    ax.set_ylabel(f"R, rate [{unit}]")
    ax.set_title("Rate-distortion function R(D)")
    ax.legend()
    return ax


def plot_partition_history(result, ax=None):
    """Draw I(X; Y) against the iteration for an :class:`MMIPartition`."""
    from ..plotting import get_axes

    ax = get_axes(ax, figsize=(5, 3.5))
    history = to_numpy(result.history)
    ax.plot(np.arange(history.size), history, marker="o", label="I(X; Y)")
    ax.set_xlabel("iteration")
    ax.set_ylabel("I(X; Y) [bits]")
    ax.set_title("Channels' matching: mutual information per iteration")
    return ax


def plot_log_likelihood_gaps(estimators, labels, ax=None):
    """Draw each fitted mixture's log-likelihood gap to the best one, per iteration."""
    from ..plotting import get_axes

    ax = get_axes(ax, figsize=(5.5, 3.6))
    traces = [to_numpy(est.history_["log_likelihood"]) for est in estimators]
    best = max(float(t.max()) for t in traces)
    for est, trace, label in zip(estimators, traces, labels):
        gap = best - trace + 1e-12
        ax.semilogy(np.arange(1, gap.size + 1), gap, label=f"{label} ({est.n_iter_} iter.)")
    ax.set_xlabel("iteration")
    ax.set_ylabel("log-likelihood gap to the optimum [nats]")
    ax.set_title("Mixture fits: distance to the best log-likelihood")
    ax.legend()
    return ax
