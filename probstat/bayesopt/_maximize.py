"""Maximising an acquisition over the unit cube: batched multistart L-BFGS-B."""

from __future__ import annotations

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from ..utils import check_rng
from ._acquisition import AcquisitionFunction
from ._checks import check_int
from ._gp import _blas_limit
from ._space import Space


def maximize_acquisition(acq, dim, *, rng, raw_samples=512, n_restarts=10, maxiter=100,
                         space=None, q=1):
    """Maximise a bound acquisition over ``[0, 1]^dim`` by batched multistart L-BFGS-B.

    ``raw_samples`` scrambled-Sobol points are evaluated; ``n_restarts`` starts are the best
    point plus Boltzmann draws (probability proportional to ``exp`` of the z-scored values,
    as BoTorch's ``initialize_q_batch``); all starts run in one L-BFGS-B problem on the
    stacked vector with the summed objective (the one-shot KG first moves each raw
    sample's fantasy points to their best candidates). Acquisitions with ``smooth=False`` use the
    raw samples only. With a mixed ``space`` the results are snapped to valid encodings
    and re-scored.

    Described in [1]_ and [2]_.

    Parameters
    ----------
    acq : AcquisitionFunction
        Bound to a model of ``dim`` features; takes ``(m, dim)`` (or ``(m, q, dim)`` when
        ``acq.batch``).
    dim : int
        Number of input columns of the bound model (>= 1).
    rng : numpy.random.Generator, int, RandomState or None
        Source of the Sobol scrambling and of the Boltzmann draws.
    raw_samples : int, default=512
        Number of quasi-random points evaluated first (>= 1).
    n_restarts : int, default=10
        Number of L-BFGS-B starts (>= 0; 0 keeps the best raw point).
    maxiter : int, default=100
        L-BFGS-B iterations (>= 1).
    space : Space, optional
        Mixed search space whose encoding has ``dim`` columns.
    q : int, default=1
        Batch size, > 1 only for batch acquisitions.

    Returns
    -------
    x : ndarray of shape (dim,) or (q, dim)
        The maximiser found, in the unit cube.
    value : float
        The acquisition value there.

    References
    ----------
    .. [1] M. Balandat, B. Karrer, D. R. Jiang, S. Daulton, B. Letham, A. G. Wilson and E.
       Bakshy, "BoTorch: a framework for efficient Monte-Carlo Bayesian optimization",
       NeurIPS 2020, arXiv:1910.06403, multistart optimisation from Boltzmann-sampled raw
       points.
    .. [2] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Section 4.1 (EI maximised by L-BFGS-B with gradients).
    """
    if not isinstance(acq, AcquisitionFunction):
        raise TypeError(f"acq must be a bound AcquisitionFunction (got {type(acq).__name__})")
    acq._check_bound()
    dim = check_int(dim, "dim", 1)
    if dim != acq.model_.n_features_in_:
        raise ValueError(f"dim must equal the number of features of acq's model "
                         f"({acq.model_.n_features_in_}) (got {dim})")
    rng = check_rng(rng, "rng")
    raw_samples = check_int(raw_samples, "raw_samples", 1)
    n_restarts = check_int(n_restarts, "n_restarts", 0)
    maxiter = check_int(maxiter, "maxiter", 1)
    q = check_int(q, "q", 1)
    if q > 1 and not acq.batch:
        raise ValueError(f"q must be 1 for {type(acq).__name__}, which is not a batch "
                         f"acquisition (got {q})")
    if space is not None:
        if not isinstance(space, Space):
            raise TypeError(f"space must be a Space or None (got {type(space).__name__})")
        if space.n_columns != dim:
            raise ValueError(f"space must encode to dim = {dim} columns (got "
                             f"{space.n_columns})")
    with _blas_limit(acq.model_._L.shape[0]):
        return _maximize(acq, dim, rng, raw_samples, n_restarts, maxiter, space, q)


def _maximize(acq, dim, rng, raw_samples, n_restarts, maxiter, space, q):
    """:func:`maximize_acquisition` on validated arguments, BLAS threads already set."""
    shape = (q, dim) if acq.batch else (dim,)
    width = int(np.prod(shape))
    raw = qmc.Sobol(width, scramble=True, seed=rng).random(int(raw_samples))
    raw = raw.reshape(-1, *shape)
    if hasattr(acq, "_initial_batches"):  # augmented acquisitions place their extra points
        raw = acq._initial_batches(raw)
    if space is not None and not space.is_real:
        raw = space.snap(raw.reshape(-1, dim)).reshape(-1, *shape)
    vals = acq._value(raw)
    finite = np.isfinite(vals)
    if not finite.any():
        i = int(rng.integers(raw.shape[0]))
        return raw[i], float(vals[i])
    best_i = int(np.argmax(np.where(finite, vals, -np.inf)))
    if not getattr(acq, "smooth", True) or n_restarts <= 0:
        return raw[best_i], float(vals[best_i])
    z = np.where(finite, vals, np.nan)
    z = (z - np.nanmean(z)) / (np.nanstd(z) + 1e-12)
    w = np.where(finite, np.exp(np.minimum(np.nan_to_num(z, nan=-np.inf), 50.0)), 0.0)
    w[best_i] = 0.0
    k = min(int(n_restarts) - 1, int(np.count_nonzero(w)))
    others = rng.choice(raw.shape[0], size=k, replace=False, p=w / w.sum()) if k > 0 else []
    starts = raw[np.concatenate([[best_i], np.asarray(others, dtype=int)])]
    R = starts.shape[0]

    def fun(flat):
        X = flat.reshape(R, *shape)
        v, g = acq._evaluate_with_grad(X)
        v = np.where(np.isfinite(v), v, -1e10)
        g = np.where(np.isfinite(g), g, 0.0)
        return -float(np.sum(v)), -g.ravel()

    res = optimize.minimize(fun, starts.ravel(), jac=True, method="L-BFGS-B",
                            bounds=[(0.0, 1.0)] * (R * width), options={"maxiter": int(maxiter)})
    cand = np.clip(res.x.reshape(R, *shape), 0.0, 1.0)
    if space is not None and not space.is_real:
        cand = space.snap(cand.reshape(-1, dim)).reshape(R, *shape)
    cvals = acq._value(cand)
    j = int(np.nanargmax(np.where(np.isfinite(cvals), cvals, -np.inf)))
    if cvals[j] >= vals[best_i]:
        return cand[j], float(cvals[j])
    return raw[best_i], float(vals[best_i])
