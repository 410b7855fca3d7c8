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
    """Draw R against G for a :class:`RateFidelityCurve`, with the line R = G."""
    from ..plotting import get_axes

    ax = get_axes(ax, figsize=(5, 4))
    s, R, G = to_numpy(curve.s), to_numpy(curve.R), to_numpy(curve.G)
    order = np.argsort(s)
    unit = _unit(curve.base)
    ax.plot(G[order], R[order], **{"label": "R(G)", **kwargs})
    # R >= 0, so the tangent line R = G only matters for G >= 0
    hi = float(max(np.max(G), 0.0))
    ax.plot([0.0, hi], [0.0, hi], ls="--", color="grey", lw=1, label="R = G")
    ax.set_xlabel(f"G (semantic mutual information, {unit})")
    ax.set_ylabel(f"R (Shannon mutual information, {unit})")
    ax.legend()
    return ax


def plot_rate_distortion(curve, ax=None, **kwargs):
    """Draw R against D for a :class:`RateDistortionCurve`."""
    from ..plotting import get_axes

    ax = get_axes(ax, figsize=(5, 4))
    s, R, D = to_numpy(curve.s), to_numpy(curve.R), to_numpy(curve.D)
    order = np.argsort(s)
    ax.plot(D[order], R[order], **{"label": "R(D)", **kwargs})
    ax.set_xlabel("D (expected distortion)")
    ax.set_ylabel("R")
    ax.legend()
    return ax


def plot_partition_history(result, ax=None):
    """Draw I(X; Y) against the iteration for an :class:`MMIPartition`."""
    from ..plotting import get_axes

    ax = get_axes(ax, figsize=(5, 3.5))
    history = to_numpy(result.history)
    ax.plot(np.arange(history.size), history, marker="o")
    ax.set_xlabel("iteration")
    ax.set_ylabel("I(X; Y) (bits)")
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
    ax.set_ylabel("log-likelihood gap to the optimum (nats)")
    ax.legend()
    return ax
