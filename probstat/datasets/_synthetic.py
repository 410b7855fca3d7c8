"""Small synthetic generators shared by the tests, vignettes and the tour."""

from __future__ import annotations

import numpy as np

from ..utils import check_rng, check_scalar_in


def make_dirichlet_distributions(n_distributions, n_outcomes, *, alpha=1.0, random_state=None):
    """Draw probability vectors from a symmetric Dirichlet distribution.

    Parameters
    ----------
    n_distributions : int
        How many vectors.
    n_outcomes : int
        Length of each vector.
    alpha : float, default=1.0
        Concentration: 1 is uniform on the simplex, small values give sparse vectors.
    random_state : None, int, RandomState or Generator

    Returns
    -------
    ndarray of shape (n_distributions, n_outcomes)
        Rows sum to one.

    Examples
    --------
    >>> from probstat.datasets import make_dirichlet_distributions
    >>> make_dirichlet_distributions(2, 3, random_state=0).sum(axis=1)
    array([1., 1.])
    """
    n_distributions = check_scalar_in(n_distributions, "n_distributions", low=1, integer=True)
    n_outcomes = check_scalar_in(n_outcomes, "n_outcomes", low=1, integer=True)
    alpha = check_scalar_in(alpha, "alpha", low=0, low_inclusive=False)
    rng = check_rng(random_state)
    samples = rng.dirichlet(np.full(n_outcomes, alpha), size=n_distributions)
    # Tiny alphas can underflow a whole row to zeros; put its mass on one random outcome.
    empty = ~(samples.sum(axis=1) > 0)
    if empty.any():
        samples[empty] = 0.0
        samples[np.flatnonzero(empty), rng.integers(n_outcomes, size=int(empty.sum()))] = 1.0
    return samples / samples.sum(axis=1, keepdims=True)
