"""The block-SDP solvers: cvxpy (exact) and the non-negative Burer-Monteiro factorisation."""

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from probstat.cluster import SDPSolverError
from probstat.cluster._solvers import (
    _BlockProblem,
    _project,
    solve_burer_monteiro,
    solve_cvxpy,
)
from probstat.datasets import make_heterogeneous_gmm
from probstat.utils._numerics import precision_cholesky


def _la_problem(X, covs):
    """F_k, d_k and C_k of the LA-SDP, built directly from the definitions."""
    F, d, C = [], [], []
    for S in covs:
        P = np.linalg.inv(S)
        A = X @ P @ X.T
        dk = np.diag(A) + np.linalg.slogdet(S)[1]
        L = precision_cholesky(S)
        F.append(X @ L)
        d.append(dk)
        C.append(A - (dk[:, None] + dk[None, :]) / 2)
    return F, d, C


@pytest.fixture(scope="module")
def hetero():
    X, y, params = make_heterogeneous_gmm(40, 2, 2, separation=3.0, anisotropy=5.0,
                                          return_params=True, random_state=1)
    X = X - X.mean(axis=0)
    return X, y, params


@pytest.fixture(scope="module")
def la_cvxpy(hetero):
    X, _, params = hetero
    F, d, C = _la_problem(X, params.covariances)
    Z, info = solve_cvxpy(C, [1.0, 1.0], eps=1e-6)
    return F, d, C, Z, info


def test_factor_matches_precision(hetero):
    # F F' = X Sigma^-1 X' exactly (the factor is how the bm solver applies A_k).
    X, _, params = hetero
    F, _, C = _la_problem(X, params.covariances)
    for Fk, S in zip(F, params.covariances):
        np.testing.assert_allclose(Fk @ Fk.T, X @ np.linalg.inv(S) @ X.T, rtol=1e-10,
                                   atol=1e-10)


def test_augmented_lagrangian_gradient_by_finite_differences(hetero):
    X, _, params = hetero
    F, d, _ = _la_problem(X, params.covariances)
    rng = np.random.default_rng(0)
    prob = _BlockProblem(F, d, [1.0, 1.0], np)
    U = [np.abs(rng.standard_normal((40, 2))) for _ in range(2)]
    y = rng.standard_normal(40)
    L, G, _ = prob.value_and_grad(U, y, 3.0)
    assert L == pytest.approx(prob.value(U, y, 3.0), rel=1e-14)
    E = [rng.standard_normal((40, 2)) for _ in range(2)]
    h = 1e-6
    fd = (prob.value([u + h * e for u, e in zip(U, E)], y, 3.0)
          - prob.value([u - h * e for u, e in zip(U, E)], y, 3.0)) / (2 * h)
    exact = sum(float(np.sum(g * e)) for g, e in zip(G, E))
    # Central differences: error O(h^2 * third derivative) ~ 1e-6 relative here.
    assert fd == pytest.approx(exact, rel=1e-6)


def test_cvxpy_constraints_hold(la_cvxpy):
    *_, Z, info = la_cvxpy
    assert info["status"] == "optimal"
    for Zk in Z:
        assert np.trace(Zk) == pytest.approx(1.0, abs=1e-4)
        assert Zk.min() >= -1e-4
        assert np.linalg.eigvalsh(Zk).min() >= -1e-4
    np.testing.assert_allclose(sum(Zk.sum(axis=1) for Zk in Z), 1.0, atol=1e-4)


def test_cvxpy_optimum_beats_the_true_partition(hetero, la_cvxpy):
    # The relaxation contains every partition matrix: its value must be at least the
    # objective of the true labels (up to the solver tolerance).
    _, y, _ = hetero
    *_, C, Z, info = la_cvxpy
    truth = 0.0
    for k, Ck in enumerate(C):
        g = (y == k).astype(float)
        truth += g @ Ck @ g / g.sum()
    assert info["objective"] >= truth - 1e-4 * abs(truth)


def test_bm_agrees_with_cvxpy(la_cvxpy):
    F, d, C, Z, info = la_cvxpy
    rng = np.random.default_rng(0)
    # The optimal Z_k here have rank 3, so the factor needs rank >= 3 (4 is the default
    # of ILASDP); rank 2 stops 0.3% short of the optimum.
    U0 = [np.abs(rng.standard_normal((40, 4))) for _ in range(2)]
    U, binfo = solve_burer_monteiro(F, d, [1.0, 1.0], U0, tol=1e-7, feas_tol=1e-5)
    assert binfo["status"] == "converged"
    assert binfo["primal_infeasibility"] <= 1e-5
    # Objective within 1e-3 relative of the exact SDP optimum (a feasible factorised
    # point cannot beat it by more than the feasibility slack).
    assert binfo["objective"] == pytest.approx(info["objective"], rel=1e-3)
    W = np.column_stack([Zk.sum(axis=1) for Zk in Z])
    Wb = np.column_stack([u @ u.sum(axis=0) for u in U])
    assert np.abs(W - Wb).max() < 0.05
    np.testing.assert_array_equal(W.argmax(axis=1), Wb.argmax(axis=1))


def test_equal_covariances_reduce_to_kmeans_sdp(hetero):
    # With Sigma_k = Sigma for every k, the LA-SDP equals the Peng-Wei SDP on the whitened
    # Gram matrix X Sigma^-1 X' minus the constant sum_i d_i.
    X, _, params = hetero
    S = params.covariances[0]
    F, d, C = _la_problem(X, [S, S])
    _, info_la = solve_cvxpy(C, [1.0, 1.0], eps=1e-7)
    A = X @ np.linalg.inv(S) @ X.T
    _, info_pw = solve_cvxpy([A], [2.0], eps=1e-7)
    const = d[0].sum()
    assert info_la["objective"] == pytest.approx(info_pw["objective"] - const, rel=1e-4)


def test_peng_wei_bm_agrees_with_cvxpy():
    X, _ = make_heterogeneous_gmm(40, 3, 3, separation=5.0, shapes="isotropic", random_state=4)
    X = X - X.mean(axis=0)
    Z, info = solve_cvxpy([X @ X.T], [3.0], eps=1e-7)
    U0 = [np.abs(np.random.default_rng(1).standard_normal((40, 6)))]
    U, binfo = solve_burer_monteiro([X], [np.zeros(40)], [3.0], U0, tol=1e-7, feas_tol=1e-5)
    assert binfo["objective"] == pytest.approx(info["objective"], rel=1e-4)
    # Well-separated isotropic clusters: the SDP is tight, Z is the partition matrix.
    assert np.abs(U[0] @ U[0].T - Z[0]).max() < 1e-2


@pytest.mark.filterwarnings("ignore:the low-rank")
def test_bm_array_api(xp, hetero):
    X, _, params = hetero
    F, d, _ = _la_problem(X, params.covariances)
    rng = np.random.default_rng(2)
    U0 = [np.abs(rng.standard_normal((40, 2))) for _ in range(2)]
    ref, _ = solve_burer_monteiro(F, d, [1.0, 1.0], U0, max_iter=400)
    out, info = solve_burer_monteiro([xp.asarray(f) for f in F], [xp.asarray(v) for v in d],
                                     [1.0, 1.0], [xp.asarray(u) for u in U0], max_iter=400)
    assert info["iterations"] <= 400
    for a, b in zip(ref, out):
        assert type(b).__module__.split(".")[0] == xp.__name__.split(".")[0] or \
            xp.__name__.startswith("array_api_compat")
        # Same arithmetic in another namespace: agreement to round-off.
        np.testing.assert_allclose(np.asarray(b), a, rtol=1e-8, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=12), st.floats(0.1, 4.0))
# Tiny entries: sqrt(sum(V * V)) of subnormal squares lost precision before the projection
# scaled by the largest entry first.
@example(values=[0.0, 2.0455405031602186e-160], t=1.0)
@example(values=[1e-170, 3e-171, -2.0], t=2.0)
def test_projection_is_feasible_and_nearest(values, t):
    V = np.asarray(values).reshape(-1, 1)
    P = _project(V, t, np)
    assert P.min() >= 0
    assert np.sum(P * P) == pytest.approx(t, rel=1e-12)
    # Nearest point of {U >= 0, ||U||^2 = t}: no random feasible point is closer.
    rng = np.random.default_rng(0)
    for _ in range(20):
        Q = np.abs(rng.standard_normal(V.shape))
        Q *= np.sqrt(t) / np.linalg.norm(Q)
        assert np.linalg.norm(V - P) <= np.linalg.norm(V - Q) + 1e-12


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_projection_of_huge_entries():
    # The squares overflow to inf; scaling by the largest entry keeps the norm exact.
    P = _project(np.array([[1e160], [3e159], [-2.0]]), 0.5, np)
    np.testing.assert_allclose(P.ravel(), np.sqrt(0.5) * np.array([10, 3, 0]) / np.sqrt(109),
                               rtol=1e-15)


def test_solver_failure_reports_status(monkeypatch, hetero):
    X, _, params = hetero
    _, _, C = _la_problem(X, params.covariances)

    def failing(self, *args, **kwargs):
        raise cp.error.SolverError("Solver 'SCS' failed. Try another solver.")

    monkeypatch.setattr(cp.Problem, "solve", failing)
    with pytest.raises(SDPSolverError, match="SCS failed .*status"):
        solve_cvxpy(C, [1.0, 1.0])

    def infeasible(self, *args, **kwargs):
        self._status = cp.INFEASIBLE

    monkeypatch.setattr(cp.Problem, "solve", infeasible)
    with pytest.raises(SDPSolverError, match="status 'infeasible'"):
        solve_cvxpy(C, [1.0, 1.0])


@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")
def test_inaccurate_solve_warns(hetero):
    from probstat.utils import ConvergenceWarning

    X, _, params = hetero
    _, _, C = _la_problem(X, params.covariances)
    with pytest.warns(ConvergenceWarning, match="optimal_inaccurate"):
        solve_cvxpy(C, [1.0, 1.0], max_iters=5)


def test_bad_cvxpy_solver_name(hetero):
    X, _, params = hetero
    _, _, C = _la_problem(X, params.covariances)
    with pytest.raises(ValueError, match="cvxpy_solver"):
        solve_cvxpy(C, [1.0, 1.0], cvxpy_solver="MOSEK")
