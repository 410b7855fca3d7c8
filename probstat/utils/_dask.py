"""Checks shared by the estimators that accept dask arrays (imported only for dask input)."""

from __future__ import annotations

import math

import numpy as np


def check_dask_matrix(X, name="X"):
    """``X`` as a float64 2-D dask array chunked along rows only, with known chunk sizes.

    Parameters
    ----------
    X : dask.array.Array
        The data, of shape (n_samples, n_features).
    name : str, default="X"
        Argument name used in error messages.

    Returns
    -------
    dask.array.Array
        Float64, one chunk across the columns, every row-chunk size known.

    Raises
    ------
    ValueError
        When ``X`` is not 2-D.
    TypeError
        When ``X`` does not hold real numbers.
    """
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D dask array of shape (n_samples, n_features) "
                         f"(got {X.ndim} dimensions)")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers (got dtype {X.dtype})")
    if any(math.isnan(c) for c in X.chunks[0]):
        X = X.compute_chunk_sizes()
    X = X if X.dtype == np.float64 else X.astype(np.float64)
    return X.rechunk({1: -1})
