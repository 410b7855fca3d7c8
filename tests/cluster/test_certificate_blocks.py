"""The per-block dual of the LA-SDP certificate (several blocks sharing the row sums).

References: cvxpy with Clarabel (an interior-point solver, written by other hands) gives
the LA-SDP optimum; weak duality says no certificate bound may fall below it, and a
certified point must have the optimal objective.
"""

import warnings

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.cluster import ILASDP
from probstat.cluster._certified import costs, solve_low_rank
from probstat.cluster._certify import blocks_bound, certify, home_multipliers
from probstat.cluster._ila_sdp import _indicator_memberships
from probstat.datasets import make_heterogeneous_gmm


def _clarabel(C_list):
    """The LA-SDP (traces 1) solved to high accuracy, built from its definition."""
    n = C_list[0].shape[0]
    Zs = [cp.Variable((n, n), PSD=True) for _ in C_list]
    cons = [c for Z in Zs for c in (Z >= 0, cp.trace(Z) == 1.0)]
    cons.append(sum(Z @ np.ones(n) for Z in Zs) == np.ones(n))
    prob = cp.Problem(cp.Maximize(sum(cp.sum(cp.multiply(C, Z))
                                      for C, Z in zip(C_list, Zs))), cons)
    prob.solve(solver="CLARABEL")
    return prob.value


def _la_problem(n, K, separation, seed):
    """The LA-SDP of ILASDP at the true labels' covariances, its optimum, a low-rank solve."""
    X, y = make_heterogeneous_gmm(n, 3, K, separation=separation, anisotropy=4.0,
                                  random_state=seed)
    Xc = X - X.mean(axis=0)
    model = ILASDP(K)
    members = _indicator_memberships(y, K)
    _, covs, sizes = model._sigma_step(Xc, members, y, K, {"small": set(), "means": None})
    F, d = model._costs(Xc, covs, sizes)
    C = costs(F, d)
    rng = np.random.default_rng(0)
    U0 = []
    for k in range(K):
        ind = np.zeros((n, 4))
        ind[y == k, 0] = 1.0
        noise = np.abs(rng.standard_normal((n, 4)))
        U0.append(0.5 * ind / np.linalg.norm(ind) + 0.5 * noise / np.linalg.norm(noise))
    low, info = solve_low_rank(F, d, [1.0] * K, U0, {})
    Z = [low.dense(b) for b in range(K)]
    return dict(C=C, y=y, Z=Z, U=low.U, dual=info["dual"], opt=_clarabel(C),
                infeasibility=info["primal_infeasibility"])


@pytest.fixture(scope="module", params=[(40, 2), (36, 3)], ids=["K2", "K3"])
def la(request):
    n, K = request.param
    return _la_problem(n, K, 8.0, seed=n)


def test_low_rank_point_is_certified_and_optimal(la):
    K = len(la["C"])
    res = certify(la["C"], [1.0] * K, la["Z"], la["dual"], U_list=la["U"],
                  infeasibility=la["infeasibility"])
    # (K = 2 here is certified by the smoothed dual, K = 3 by the per-block closed form.)
    assert res["certified"]
    # Weak duality, and certified => the exact optimum to the tolerance.
    assert res["bound"] >= la["opt"] - 1e-6 * abs(la["opt"])
    assert res["objective"] == pytest.approx(la["opt"], rel=1.5e-3)


def test_per_block_dual_is_tight_at_a_separated_optimum():
    # Three clusters 10 apart: y from each row's own block with the negative entries
    # outside each support cancelled gives a bound equal to the Clarabel optimum.
    la = _la_problem(36, 3, 10.0, seed=36)
    bound, _, N = blocks_bound(la["C"], [1.0] * 3, la["Z"], la["dual"])
    assert bound >= la["opt"] - 1e-6 * abs(la["opt"])
    assert bound == pytest.approx(la["opt"], rel=1e-4)
    res = certify(la["C"], [1.0] * 3, la["Z"], la["dual"], U_list=la["U"],
                  infeasibility=la["infeasibility"])
    assert res["certified"] and res["stage"] == "closed form, per block"


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), spread=st.floats(0.0, 30.0),
       shift=st.floats(-3.0, 3.0))
def test_any_per_block_dual_bounds_the_optimum(la, seed, spread, shift):
    # Whatever y0, point and shifts, the bound is >= the optimum (weak duality).
    K = len(la["C"])
    n = la["C"][0].shape[0]
    rng = np.random.default_rng(seed)
    y0 = spread * rng.standard_normal(n)
    labels = rng.integers(0, K, n)
    labels[:K] = np.arange(K)
    Z = [np.outer(labels == k, labels == k) / np.sum(labels == k) for k in range(K)]
    bound, y, N = blocks_bound(la["C"], [1.0] * K, Z, y0, evals=3)
    assert bound >= la["opt"] - 1e-6 * abs(la["opt"])
    assert all(np.all(Nb >= 0) for Nb in N)
    y_s = home_multipliers(la["C"], Z, y0, np.full(K, shift))
    from probstat.cluster._certify import cancel_multipliers, dual_bound

    N_s = [cancel_multipliers(C - (y_s[:, None] + y_s[None, :]) / 2.0, Zb)
           for C, Zb in zip(la["C"], Z)]
    assert dual_bound(la["C"], [1.0] * K, y_s, N_s) >= la["opt"] - 1e-6 * abs(la["opt"])


def test_planted_suboptimal_partition_is_not_certified(la):
    K = len(la["C"])
    n = la["C"][0].shape[0]
    wrong = np.arange(n) % K  # feasible, ignores the clusters
    Z = [np.outer(wrong == k, wrong == k) / np.sum(wrong == k) for k in range(K)]
    P = sum(float(np.sum(C * Zb)) for C, Zb in zip(la["C"], Z))
    assert P < la["opt"] - 1.0
    res = certify(la["C"], [1.0] * K, Z, np.zeros(n))
    assert not res["certified"]
    assert res["bound"] >= la["opt"] - 1e-6 * abs(la["opt"])


@pytest.mark.slow
def test_ilasdp_n1000_is_certified_by_the_per_block_dual():
    X, _ = make_heterogeneous_gmm(1000, 5, 2, separation=8.0, anisotropy=4.0,
                                  random_state=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ILASDP(2, solver="bm", certify=True, random_state=0).fit(X)
    cert = fit.solver_info_["certificate"]
    assert fit.certified_ and cert["stage"] == "closed form, per block"
    assert 0 <= fit.duality_gap_ + 1e-4 <= 1e-3 + 1e-4


@pytest.mark.slow
def test_returned_start_is_certified_when_no_solve_improved_on_it():
    # Here no LA-SDP solve beats the start (its K-means SDP labels): the fit returns the
    # start and certifies it as a point of the first LA-SDP (costs at the start's
    # covariances); certified => its objective is Clarabel's optimum of that problem.
    X, _ = make_heterogeneous_gmm(80, 3, 2, separation=8.0, anisotropy=4.0, random_state=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ILASDP(2, solver="bm", certify=True, random_state=0).fit(X)
    info = fit.solver_info_
    assert info["attempts"][0]["solver"] == "start"
    assert "certificate_note" not in info
    assert fit.certified_ and np.isfinite(fit.duality_gap_)
    labels = fit.init_labels_
    np.testing.assert_array_equal(fit.labels_, labels)
    Xc = X - X.mean(axis=0)
    model = ILASDP(2)
    members = _indicator_memberships(labels, 2)
    _, covs, sizes = model._sigma_step(Xc, members, labels, 2, {"small": set(), "means": None})
    C = costs(*model._costs(Xc, covs, sizes))
    opt = _clarabel(C)
    P = sum(float(np.sum(Cb * members.dense(b))) for b, Cb in enumerate(C))
    assert info["certificate"]["objective"] == pytest.approx(P, rel=1e-10)
    assert info["certificate"]["bound"] >= opt - 1e-6 * abs(opt)
    assert P == pytest.approx(opt, rel=1.5e-3)


def test_returned_start_gets_a_certificate_quickly():
    # The same path without the reference solve: a certificate is computed for the start.
    X, _ = make_heterogeneous_gmm(80, 3, 2, separation=8.0, anisotropy=4.0, random_state=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ILASDP(2, solver="bm", certify=True, random_state=0).fit(X)
        off = ILASDP(2, solver="bm", certify=False, random_state=0).fit(X)
    assert fit.solver_info_["attempts"][0]["solver"] == "start"
    assert np.isfinite(fit.duality_gap_) and fit.certified_
    np.testing.assert_array_equal(fit.labels_, off.labels_)
    assert not off.certified_ and off.solver_info_["certificate_note"].endswith("False")


@pytest.fixture(scope="module", params=[(36, 3, 4.0), (44, 2, 3.0), (40, 2, 4.0)],
                ids=["K3-sep4", "K2-sep3", "K2-sep4-suboptimal"])
def overlapping(request):
    n, K, sep = request.param
    return _la_problem(n, K, sep, seed=n)


def test_overlapping_clusters_certified_iff_the_point_is_optimal(overlapping):
    # Overlapping clusters: some rows carry mass in two blocks. When the low-rank point is
    # the optimum (objective within 1e-5 of Clarabel's) it is certified; when it is not
    # (the third case: 3e-3 below), it is not, and the bound stays above the optimum.
    la = overlapping
    K = len(la["C"])
    res = certify(la["C"], [1.0] * K, la["Z"], la["dual"], U_list=la["U"],
                  infeasibility=la["infeasibility"])
    opt = la["opt"]
    assert any(np.sum(np.diag(Z) > 1e-3) for Z in la["Z"])
    mass = np.array([np.diag(Z) for Z in la["Z"]])
    assert np.sum(np.sum(mass > 1e-3 * mass.max(), axis=0) > 1) >= 3  # shared rows
    assert res["bound"] >= opt - 1e-6 * abs(opt)
    if abs(res["objective"] - opt) <= 1e-5 * abs(opt):
        assert res["certified"]
    if res["certified"]:
        assert res["objective"] == pytest.approx(opt, rel=1.5e-3)
    else:
        assert opt - res["objective"] > 1e-3 * abs(opt)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), spread=st.floats(0.0, 30.0),
       steps=st.integers(0, 60))
def test_refined_bound_never_below_the_optimum(overlapping, seed, spread, steps):
    # Weak duality for the whole certificate (per-block dual + smoothed-dual refinement)
    # at any point and any solver multipliers.
    la = overlapping
    K = len(la["C"])
    n = la["C"][0].shape[0]
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, K, n)
    labels[:K] = np.arange(K)
    mix = rng.uniform(0.0, 1.0)
    Z = [(1 - mix) * np.outer(labels == k, labels == k) / np.sum(labels == k) + mix * Zb
         for k, Zb in enumerate(la["Z"])]
    res = certify(la["C"], [1.0] * K, Z, spread * rng.standard_normal(n), max_steps=steps,
                  tol=1e-6)
    assert res["bound"] >= la["opt"] - 1e-6 * abs(la["opt"])


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(200, 320),
       offset=st.floats(-1.0, 1.0))
def test_cholesky_upper_bound_on_the_top_eigenvalue(seed, n, offset):
    # Reference: LAPACK's dense eigenvalues. The bound is never below the top eigenvalue
    # and, from a good estimate, within 1e-6 (relative) of it; a low estimate falls back
    # to the dense eigenvalue, a high one stays a valid (looser) bound.
    from scipy.linalg import eigvalsh

    from probstat.cluster._certify import lambda_max_upper

    rng = np.random.default_rng(seed)
    G = rng.standard_normal((n, n))
    A = (G + G.T) / 2.0 + 30.0 * offset * np.eye(n)
    A[: n // 2, : n // 2] -= 5.0  # a cluster-like block structure
    top = float(eigvalsh(A)[-1])
    size = max(abs(top), float(np.max(np.abs(np.diag(A)))))
    for estimate in (top, top - 1e-9 * abs(top), top - 0.5, top + 0.5, None):
        before = A.copy()
        upper = lambda_max_upper(A, estimate)
        np.testing.assert_array_equal(A, before)  # A is left as it was
        assert upper >= top - 1e-12 * size
        if estimate is not None and estimate <= top:
            assert upper <= top + 1e-6 * size


def test_lanczos_estimates_do_not_depend_on_earlier_arpack_calls():
    # ARPACK's own random start moves with every call in the process; the certificate's
    # Lanczos estimates must not (same random_state, same result).
    from scipy.sparse.linalg import eigsh

    from probstat.cluster._certify import _lambda_max_estimate

    rng = np.random.default_rng(3)
    G = rng.standard_normal((120, 120))
    A = G + G.T
    first = _lambda_max_estimate(A)[0]
    eigsh(A + np.diag(rng.standard_normal(120)), k=1, which="LA")
    assert _lambda_max_estimate(A)[0] == first
    assert first == pytest.approx(np.linalg.eigvalsh(A)[-1], rel=1e-8)


def test_an_uncertified_fit_says_why_it_was_not_solved_again():
    # Above the exact solver's size the fit keeps its low-rank point and says so.
    X, _ = make_heterogeneous_gmm(150, 2, 3, separation=4.0, anisotropy=3.0, random_state=1)
    fit = ILASDP(3, solver="bm", certify=True, random_state=0).fit(X)
    assert not fit.certified_ and fit.solver_ == "bm"
    note = fit.solver_info_["certificate_note"]
    assert note.startswith("not certified") and "n = 150" in note
