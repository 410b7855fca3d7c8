"""The optimality certificate of the block SDP and what the clusterers do with it.

References: cvxpy with Clarabel (an interior-point solver, written by other hands) gives
the SDP optimum; weak duality says no certificate bound may fall below it.
"""

import warnings

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.cluster import ILASDP, KMeansSDP
from probstat.cluster._certified import costs
from probstat.cluster._certify import certify
from probstat.cluster._ila_sdp import random_partition
from probstat.datasets import make_heterogeneous_gmm
from probstat.utils import ConvergenceWarning


def _clarabel(C_list, traces):
    """The block SDP solved to high accuracy, built from its definition."""
    n = C_list[0].shape[0]
    Zs = [cp.Variable((n, n), PSD=True) for _ in C_list]
    cons = [c for Z, t in zip(Zs, traces) for c in (Z >= 0, cp.trace(Z) == t)]
    cons.append(sum(Z @ np.ones(n) for Z in Zs) == np.ones(n))
    prob = cp.Problem(cp.Maximize(sum(cp.sum(cp.multiply(C, Z))
                                      for C, Z in zip(C_list, Zs))), cons)
    prob.solve(solver="CLARABEL")
    return prob.value


@pytest.fixture(scope="module")
def kmeans_problem():
    X, y = make_heterogeneous_gmm(24, 2, 2, separation=6, shapes="isotropic",
                                  random_state=3)
    Xc = X - X.mean(axis=0)
    C = [Xc @ Xc.T]
    return X, y, C, _clarabel(C, [2.0])


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), spread=st.floats(0.0, 50.0))
def test_any_dual_bounds_the_optimum(kmeans_problem, seed, spread):
    # Weak duality: whatever multipliers start the certificate, its bound is >= the optimum.
    X, y, C, opt = kmeans_problem
    rng = np.random.default_rng(seed)
    y0 = spread * rng.standard_normal(X.shape[0])
    Z = np.full((X.shape[0],) * 2, 2.0 / X.shape[0])  # feasible: tr = 2, rows sum to 1
    res = certify(C, [2.0], [Z], y0, max_steps=3)
    assert res["bound"] >= opt - 1e-6 * max(1.0, abs(opt))


def test_certified_solution_has_the_optimal_objective(kmeans_problem):
    X, y, C, opt = kmeans_problem
    km = KMeansSDP(2, solver="bm", random_state=0).fit(X)
    assert km.solver_ == "bm" and km.certified_
    assert 0 <= km.duality_gap_ + 1e-6 <= 1e-3 + 1e-6
    # Certified => within the tolerance of the exact optimum (plus bm's feasibility slack).
    assert km.objective_ == pytest.approx(opt, rel=1.5e-3)


def test_planted_suboptimal_point_is_not_certified(kmeans_problem):
    X, y, C, opt = kmeans_problem
    n = X.shape[0]
    wrong = np.arange(n) % 2  # a feasible partition that ignores the clusters
    Z = sum(np.outer(wrong == k, wrong == k) / np.sum(wrong == k) for k in (0, 1))
    P = float(np.sum(C[0] * Z))
    assert P < opt - 1.0
    res = certify(C, [2.0], [Z], np.zeros(n))
    assert not res["certified"]
    assert res["bound"] >= opt - 1e-6 * abs(opt)
    assert res["gap"] >= (opt - P) / max(1.0, abs(P)) - 1e-9


def test_la_sdp_certificate_matches_clarabel():
    X, y, params = make_heterogeneous_gmm(20, 2, 2, separation=6, anisotropy=4,
                                          return_params=True, random_state=0)
    model = ILASDP(2, solver="bm", max_iter=1, certify=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X)
    assert model.certified_
    assert abs(model.duality_gap_) <= 1e-3
    # Rebuild the solved LA-SDP from the starting labels' covariances and check its optimum.
    Xc = X - X.mean(axis=0)
    from probstat.cluster._ila_sdp import _indicator_memberships

    state = {"small": set(), "means": None}
    members = _indicator_memberships(model.init_labels_, 2)
    _, covs, sizes = model._sigma_step(Xc, members, model.init_labels_, 2, state)
    F, d = model._costs(Xc, covs, sizes)
    opt = _clarabel(costs(F, d), [1.0, 1.0])
    assert model.solver_info_["certificate"]["certified"]
    assert model.solver_info_["objective"] == pytest.approx(opt, rel=1.5e-3, abs=1e-3)


@pytest.mark.parametrize("separation", [3.0, 4.0, 6.0])
def test_certified_implies_optimal_objective(separation):
    # Whichever stage of the dual certifies a low-rank point, its objective is within the
    # tolerance of the exact optimum (Clarabel), up to the solver's feasibility slack.
    X, _ = make_heterogeneous_gmm(40, 3, 2, separation=separation, anisotropy=3,
                                  random_state=7)
    Xc = X - X.mean(axis=0)
    opt = _clarabel([Xc @ Xc.T], [2.0])
    km = KMeansSDP(2, solver="bm", random_state=0, solver_options={"max_rank": 4})
    km.fit(X)
    cert = km.solver_info_["certificate"]
    assert cert["bound"] >= opt - 1e-6 * abs(opt)  # weak duality, whatever the stage
    if km.certified_:
        # (a point violating the row sums by feas_tol may sit slightly above the bound)
        assert km.objective_ <= cert["bound"] + 2e-4 * abs(opt)
        assert abs(km.objective_ - opt) <= (1e-3 + 2e-4) * max(1.0, abs(opt))


def test_scs_optimal_point_is_certified():
    # The conic solver's own multipliers of Z >= 0 (not only those of the row sums) give
    # a bound within SCS's accuracy: an SCS-optimal point is certified.
    X, _ = make_heterogeneous_gmm(60, 5, 2, separation=4.0, anisotropy=4.0,
                                  random_state=60)
    km = KMeansSDP(2, solver="cvxpy", random_state=0).fit(X)
    assert km.certified_ and km.solver_ == "cvxpy"
    assert -1e-4 <= km.duality_gap_ <= 1e-3
    assert km.solver_info_["certificate"]["stage"] in ("closed form", "solver multipliers")


def test_certificate_runs_once_per_fit_and_can_be_switched_off():
    X, _ = make_heterogeneous_gmm(40, 2, 2, separation=4, anisotropy=3, random_state=2)
    on = ILASDP(2, solver="bm", init="random", certify=True, random_state=0).fit(X)
    # One certificate: the first solve, at most a rank raise and the exact solve.
    assert 1 <= len(on.solver_info_["attempts"]) <= 3
    assert on.n_iter_ >= 2  # several LA-SDP solves, still one certificate
    off = ILASDP(2, solver="bm", certify=False, random_state=0).fit(X)
    assert not off.certified_ and off.duality_gap_ == np.inf
    assert "certify=False" in off.solver_info_["certificate_note"]
    # on by default; it leaves the labels alone when it certifies the first solve
    default = ILASDP(2, solver="bm", random_state=0).fit(X)
    assert np.isfinite(default.duality_gap_) and default.solver_info_["attempts"]
    np.testing.assert_array_equal(off.labels_, default.labels_)
    km = KMeansSDP(2, solver="bm", certify=False, random_state=0).fit(X)
    assert not km.certified_ and km.duality_gap_ == np.inf


def test_uncertified_low_rank_falls_back_to_exact(kmeans_problem):
    X, *_ = kmeans_problem
    km = KMeansSDP(2, solver="bm", random_state=0,
                   solver_options={"max_iter": 3, "rank": 1, "max_rank": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        km.fit(X)
    assert km.solver_ == "cvxpy"
    assert "not certified" in km.solver_info_["fallback"]
    assert km.certified_
    assert [a["solver"] for a in km.solver_info_["attempts"]] == ["bm", "cvxpy/SCS"]


def test_random_partition_is_random_and_uses_every_label():
    X, y = make_heterogeneous_gmm(50, 2, 3, separation=5, random_state=0)
    a = random_partition(X, 3, np.random.default_rng(0))
    b = random_partition(X, 3, np.random.default_rng(0))
    c = random_partition(X, 3, np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert set(a.tolist()) == {0, 1, 2}
    # Spatially coherent: the cells' covariances are not all the total covariance.
    total = np.trace(np.cov(X.T))
    within = [np.trace(np.cov(X[a == k].T)) for k in range(3) if np.sum(a == k) > 2]
    assert min(within) < 0.8 * total


def test_n_init_keeps_the_best_start():
    X, y = make_heterogeneous_gmm(30, 2, 2, separation=5, anisotropy=3, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = ILASDP(2, init="random", n_init=3, solver="bm", max_iter=3,
                       random_state=0).fit(X)
    objs = model.solver_info_["start_objectives"]
    assert len(objs) == 3
    assert model.objective_ == max(objs)


def test_resolve_is_tighter_bounded_and_silent():
    """The re-solve of an uncertified point: 10x tighter tolerances, at most 5000 steps,
    and a re-solve that stops at that cap is reported in ``attempts``, not warned about
    (the user did not ask for it)."""
    from probstat.cluster._certified import _tighter

    opts = _tighter({"tol": 1e-4, "max_iter": 100000})
    assert opts["tol"] == pytest.approx(1e-5) and opts["feas_tol"] == pytest.approx(1e-5)
    assert opts["max_iter"] == 5000
    assert _tighter({"max_iter": 300})["max_iter"] == 300
    means = np.array([[0.0, 0.0], [4.5, 0.0], [30.0, 0.0]])
    X, _ = make_heterogeneous_gmm(90, 2, 3, means=means, covariances=np.array([np.eye(2)] * 3),
                                  random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fit = ILASDP(3, solver="bm", random_state=3).fit(X)
    attempts = fit.solver_info_["attempts"]
    assert [a["rank"] for a in attempts] == [4, 8]  # not certified at rank 4: re-solved
    assert attempts[1]["status"] in ("converged", "max_iter")
    assert fit.duality_gap_ == pytest.approx(min(a["gap"] for a in attempts))
