"""GPU cases for probstat.semantic: array-API semantic information measures and R(G)."""

import numpy as np

from probstat.semantic import rate_fidelity, semantic_information, semantic_mutual_information


def _inputs(n_x, n_y, seed=0):
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, n_x)
    c = np.linspace(0, 1, n_y)
    T = 0.01 + 0.99 * np.exp(-((x[:, None] - c[None, :]) ** 2) / (2 * 0.05 ** 2))
    p_x = rng.dirichlet(np.full(n_x, 5.0))
    channel = rng.dirichlet(np.ones(n_y), size=n_x)
    return T, p_x, p_x[:, None] * channel


def _measures(T, p_x, p_xy):
    semantic_information(T, p_x)
    return semantic_mutual_information(T, p_xy)


def _rg(T, p_x):
    return rate_fidelity(T, p_x, np.linspace(0.5, 4, 20))


def cases():
    for n_x, n_y in ((2000, 200), (10_000, 500)):
        T, p_x, p_xy = _inputs(n_x, n_y)
        yield (f"semantic information + G, {n_x} x {n_y}", _measures,
               lambda xp, T=T, p_x=p_x, p_xy=p_xy: (xp.asarray(T), xp.asarray(p_x),
                                                     xp.asarray(p_xy)))
    T, p_x, _ = _inputs(2000, 200)
    yield ("R(G) curve, 20 values of s, 2000 x 200", _rg,
           lambda xp, T=T, p_x=p_x: (xp.asarray(T), xp.asarray(p_x)))
