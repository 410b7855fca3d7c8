"""Argument checks specific to probstat.bayesopt, built on the vocabulary of probstat.utils."""

from __future__ import annotations

from sklearn.exceptions import NotFittedError

from ..utils import check_scalar_in


def check_int(value, name, low):
    """An integer ``>= low`` (``"5"``, ``2.5`` and ``True`` are type errors)."""
    return check_scalar_in(value, name, low=low, integer=True)


def check_name(name, what="name"):
    """An optional label: None or a string."""
    if name is not None and not isinstance(name, str):
        raise TypeError(f"{what} must be a string or None (got {type(name).__name__})")
    return name


def check_model(model, name="model"):
    """A fitted :class:`~probstat.bayesopt.GaussianProcess`."""
    from ._gp import GaussianProcess

    if not isinstance(model, GaussianProcess):
        raise TypeError(f"{name} must be a fitted GaussianProcess "
                        f"(got {type(model).__name__})")
    if not hasattr(model, "_L"):
        raise NotFittedError(f"{name} must be fitted: call {name}.fit(X, y) first")
    return model

