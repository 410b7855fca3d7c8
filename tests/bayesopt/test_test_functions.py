"""Test functions at their known optima (Surjanovic & Bingham's library)."""

import numpy as np
import pytest
from scipy.optimize import minimize as sp_minimize

from probstat.bayesopt.test_functions import (
    ackley,
    branin,
    get_test_function,
    goldstein_price,
    hartmann3,
    hartmann6,
    levy,
    rosenbrock,
    six_hump_camel,
)

# exact minimisers: 1e-9; minimisers given to 4-7 digits: 1e-6
CASES = [(branin, 1e-9), (goldstein_price, 1e-9), (six_hump_camel, 1e-6), (hartmann3, 1e-6),
         (hartmann6, 1e-6), (ackley(3), 1e-9), (levy(4), 1e-9), (rosenbrock(5), 1e-9)]


@pytest.mark.parametrize("fn, tol", CASES, ids=[c[0].name for c in CASES])
def test_value_at_known_minimisers(fn, tol):
    for x in fn.optimizers:
        assert fn(x) == pytest.approx(fn.optimal_value, abs=tol)
        lo, hi = np.array(fn.bounds).T
        assert np.all((np.array(x) >= lo) & (np.array(x) <= hi))


@pytest.mark.parametrize("fn", [branin, six_hump_camel, hartmann3, hartmann6],
                         ids=lambda f: f.name)
def test_minimisers_are_local_minima(fn):
    # polishing from the listed minimiser does not find a lower value (beyond 1e-8)
    for x in fn.optimizers:
        res = sp_minimize(fn, np.array(x), method="L-BFGS-B", bounds=fn.bounds,
                          options={"ftol": 1e-15, "gtol": 1e-12})
        assert res.fun >= fn.optimal_value - 1e-8


def test_vectorised_and_random_points_above_optimum(rng):
    for fn in (branin, goldstein_price, hartmann6, levy(3)):
        lo, hi = np.array(fn.bounds).T
        X = lo + rng.uniform(size=(500, fn.dim)) * (hi - lo)
        vals = fn(X)
        assert vals.shape == (500,)
        np.testing.assert_allclose(vals[:3], [fn(x) for x in X[:3]], rtol=1e-14)
        assert vals.min() >= fn.optimal_value - 1e-12
    # Goldstein-Price's listed local minima
    assert goldstein_price([-0.6, -0.4]) == pytest.approx(30.0, abs=1e-9)


def test_lookup_and_errors():
    assert get_test_function("branin") is branin
    assert get_test_function("rosenbrock", 3).dim == 3
    with pytest.raises(ValueError, match="name must be one of"):
        get_test_function("sphere")
    with pytest.raises(ValueError, match="x must hold points of dimension 2"):
        branin([1.0, 2.0, 3.0])
