"""Cells of a histogram class model: discrete values or equal-width bins per feature.

A cell is one combination of per-feature bins. Only the cells that held training samples
are stored; a new sample falls in one of them or in none (an unseen cell).
"""

from __future__ import annotations

import numpy as np


def fit_bins(X, n_bins):
    """Per-feature bins: the distinct values (``n_bins=None``) or ``n_bins + 1`` edges."""
    bins = []
    for f in range(X.shape[1]):
        col = X[:, f]
        if n_bins is None:
            bins.append(np.unique(col))
        else:
            lo, hi = float(col.min()), float(col.max())
            if hi <= lo:  # a constant feature: one bin around it
                lo, hi = lo - 0.5, hi + 0.5
            bins.append(np.linspace(lo, hi, n_bins + 1))
    return bins


def bin_codes(X, bins, discrete):
    """Bin index of every sample and feature, shape (n, d); ``-1`` for an unseen value."""
    codes = np.empty(X.shape, dtype=np.int64)
    for f, b in enumerate(bins):
        col = X[:, f]
        if discrete:
            idx = np.clip(np.searchsorted(b, col), 0, b.size - 1)
            codes[:, f] = np.where(b[idx] == col, idx, -1)
        else:
            # equal-width bins; values beyond the training range go to the end bins
            codes[:, f] = np.clip(np.searchsorted(b[1:-1], col, side="right"), 0, b.size - 2)
    return codes


def _as_keys(codes):
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    return codes.view(np.dtype((np.void, codes.dtype.itemsize * codes.shape[1]))).ravel()


def cell_index(codes, cells):
    """Index of each row of ``codes`` among the rows of ``cells``; ``-1`` when absent."""
    keys = _as_keys(cells)
    order = np.argsort(keys)
    sorted_keys = keys[order]
    query = _as_keys(codes)
    pos = np.clip(np.searchsorted(sorted_keys, query), 0, max(sorted_keys.size - 1, 0))
    found = sorted_keys[pos] == query
    return np.where(found, order[pos], -1)
