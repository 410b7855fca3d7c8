"""The shifted closed-form certificate and the low-rank K-means SDP at n = 1000.

References: cvxpy with Clarabel (an interior-point solver, written by other hands) gives
the SDP optimum, which no dual bound may fall below (weak duality); stationarity of the
groups is checked from its definition with dense matrices.
"""

import warnings

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.cluster import KMeansSDP
from probstat.cluster._certify import _groups, certify, group_multipliers, shifted_bound
from probstat.cluster._solvers import solve_burer_monteiro
from probstat.datasets import make_heterogeneous_gmm


def _clarabel_kmeans(C, K):
    n = C.shape[0]
    Z = cp.Variable((n, n), PSD=True)
    cons = [Z >= 0, cp.trace(Z) == K, Z @ np.ones(n) == np.ones(n)]
    prob = cp.Problem(cp.Maximize(cp.sum(cp.multiply(C, Z))), cons)
    prob.solve(solver="CLARABEL")
    return prob.value


def _partition_Z(labels):
    return sum(np.outer(labels == k, labels == k) / np.sum(labels == k)
               for k in np.unique(labels))


@pytest.fixture(scope="module")
def separated():
    X, y = make_heterogeneous_gmm(60, 5, 2, separation=8.0, anisotropy=4.0, random_state=60)
    Xc = X - X.mean(axis=0)
    C = Xc @ Xc.T
    return X, y, C, _clarabel_kmeans(C, 2)


def test_group_multipliers_make_the_groups_stationary(separated):
    X, y, C, _ = separated
    Z = _partition_Z(y)
    for lam in (-50.0, 0.0, 300.0):
        yy = group_multipliers(C, Z, np.zeros(len(y)), lam)
        M = C - (yy[:, None] + yy[None, :]) / 2.0
        for idx, w in _groups(Z):
            # (M w)[A] = lam w on every group A: the definition, with dense matrices.
            np.testing.assert_allclose((M[:, idx] @ w)[idx], lam * w, rtol=1e-9,
                                       atol=1e-9 * np.abs(C).max())


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), spread=st.floats(0.0, 100.0),
       planted=st.booleans())
def test_shifted_bound_is_an_upper_bound(separated, seed, spread, planted):
    # Weak duality: whatever the starting multipliers and the point, the bound of the
    # shifted closed form (Lanczos-steered search, dense final eigenvalue) is >= optimum.
    X, y, C, opt = separated
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(len(y)) % 2) if planted else y
    Z = _partition_Z(labels)
    bound, _, N = shifted_bound(C, 2.0, Z, spread * rng.standard_normal(len(y)))
    assert np.all(N >= 0)
    assert bound >= opt - 1e-7 * abs(opt)


def test_certified_objective_is_the_clarabel_optimum(separated):
    X, y, C, opt = separated
    km = KMeansSDP(2, solver="bm", random_state=0).fit(X)
    assert km.certified_ and km.solver_ == "bm"
    cert = km.solver_info_["certificate"]
    assert cert["bound"] >= opt - 1e-7 * abs(opt)
    assert abs(cert["objective"] - opt) <= (1e-3 + 2e-4) * abs(opt)


def test_planted_suboptimal_partition_is_not_certified(separated):
    X, y, C, opt = separated
    wrong = y.copy()
    wrong[:6] = 1 - wrong[:6]  # six points in the wrong cluster: still two groups
    Z = _partition_Z(wrong)
    P = float(np.sum(C * Z))
    assert P < opt - 1e-2 * abs(opt)
    res = certify([C], [2.0], [Z], np.zeros(len(y)), max_steps=0)
    assert not res["certified"]
    assert res["bound"] >= opt - 1e-7 * abs(opt)


def test_shift_certifies_where_the_solver_multipliers_do_not(separated):
    # The solver's multipliers are right only up to the shift: at the true partition the
    # unshifted closed form is loose, the shifted one tight (and never below the optimum).
    X, y, C, opt = separated
    Z = _partition_Z(y)
    P = float(np.sum(C * Z))
    assert P == pytest.approx(opt, rel=1e-6)  # the partition is the SDP optimum here
    y_bad = group_multipliers(C, Z, np.zeros(len(y)), float(np.sum(C * Z)) / 2.0 + 1e3)
    res = certify([C], [2.0], [Z], y_bad, max_steps=0)
    assert res["certified"] and res["stage"] == "closed form, shifted"
    assert opt - 1e-7 * abs(opt) <= res["bound"] <= P + 1e-3 * abs(P)


@pytest.fixture(scope="module")
def n1000():
    X, y = make_heterogeneous_gmm(1000, 5, 2, separation=8.0, anisotropy=4.0,
                                  random_state=1000)
    return X, y


def test_low_rank_solver_converges_at_n1000(n1000):
    # It used to stall with a row-sum violation of 2.5: the inner solves stopped after one
    # tiny step once the penalty grew, and the penalty then grew without bound.
    X, _ = n1000
    Xc = X - X.mean(axis=0)
    U0 = np.abs(np.random.default_rng(0).standard_normal((1000, 4)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        U, info = solve_burer_monteiro([Xc], [np.zeros(1000)], [2.0], [U0])
    assert info["status"] == "converged"
    assert info["primal_infeasibility"] <= 1e-4
    assert np.all(U[0] >= 0)
    assert np.sum(U[0] * U[0]) == pytest.approx(2.0)


def test_kmeans_sdp_n1000_is_certified(n1000):
    X, y = n1000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        km = KMeansSDP(2, solver="bm", random_state=0).fit(X)
    assert km.solver_ == "bm" and km.certified_
    assert 0 <= km.duality_gap_ + 1e-4 <= 1e-3 + 1e-4
    assert np.mean(km.labels_ == y) > 0.99 or np.mean(km.labels_ != y) > 0.99
