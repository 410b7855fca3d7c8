"""Matplotlib helpers shared by every subpackage. matplotlib is imported on first use."""

from ._core import get_axes, plot_distributions

__all__ = ["get_axes", "plot_distributions"]
