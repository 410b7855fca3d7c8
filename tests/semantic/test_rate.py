"""R(G) and R(D): an independent Blahut-Arimoto, closed forms and the curve's identities."""

import math
import warnings

import numpy as np
import pytest

from probstat.backend import to_numpy
from probstat.semantic import (
    logical_probability,
    rate_distortion,
    rate_fidelity,
    semantic_bayes,
    semantic_mutual_information,
    truth_from_channel,
)
from probstat.utils import ConvergenceWarning, binary_entropy, kl_divergence, mutual_information


def blahut_arimoto(A, p_x, s, n_iter=200_000, tol=1e-16):
    """Textbook BA: Q(y|x) ~ q(y) exp(s A), q = p_x Q, iterated to a fixed point.

    Returns (I(X;Y) in bits from the joint table, E[A] under the joint, the channel).
    """
    n_y = A.shape[1]
    q = np.full(n_y, 1.0 / n_y)
    K = np.exp(s * (A - A.max(axis=1, keepdims=True) if s > 0 else A - A.min(1, keepdims=True)))
    for _ in range(n_iter):
        Q = q * K
        Q /= Q.sum(axis=1, keepdims=True)
        q_new = p_x @ Q
        if np.max(np.abs(q_new - q)) < tol:
            q = q_new
            break
        q = q_new
    Q = q * K
    Q /= Q.sum(axis=1, keepdims=True)
    joint = p_x[:, None] * Q
    return mutual_information(joint), float(np.sum(joint * A)), Q


@pytest.fixture
def problem():
    rng = np.random.default_rng(7)
    p_x = rng.dirichlet(np.ones(5) * 2)
    T = rng.uniform(0.1, 1.0, size=(5, 3))
    T /= T.max(0)
    return p_x, T


def test_rate_fidelity_matches_independent_blahut(problem):
    p_x, T = problem
    info = np.log2(T / (p_x @ T))  # I(x_i; theta_j) in bits, computed here independently
    s_values = np.array([-2.0, -0.8, 0.6, 1.0, 2.5, 5.0])
    curve = rate_fidelity(T, p_x, s_values)
    assert curve.converged.all()
    for k, s in enumerate(s_values):
        # BA in bits: P(y|x) ~ P(y) m^s = P(y) 2^(s I) = P(y) exp(s ln2 I)
        R_ref, G_ref, Q = blahut_arimoto(info * math.log(2), p_x, s)
        # the reference stops at |dq| < 1e-16, so its (R, G) are exact to ~1e-12
        assert curve.R[k] == pytest.approx(R_ref, abs=1e-8)
        assert curve.G[k] == pytest.approx(G_ref / math.log(2), abs=1e-8)
        np.testing.assert_allclose(curve.channel(k), Q, atol=1e-7)


def test_rate_fidelity_curve_properties(problem):
    p_x, T = problem
    s_values = np.concatenate([np.linspace(-4, -0.5, 15), np.linspace(0.5, 8, 25)])
    curve = rate_fidelity(T, p_x, s_values)
    R, G = curve.R, curve.G
    assert np.all(R >= -1e-15)
    assert np.all(R >= G - 1e-10)  # R(G) >= G everywhere (tangent R = G at s = 1)
    # right branch: G non-decreasing in s; convexity: chord slopes increase with G
    order = np.argsort(G)
    assert np.all(np.diff(s_values[order]) > 0)  # G increases with s on the whole curve
    chord = np.diff(R[order]) / np.diff(G[order])
    assert np.all(np.diff(chord) > -1e-6)
    # dR/dG = s by central differences (O(h^2) error; curvature here is O(1))
    for s in (-1.5, 0.8, 1.0, 3.0):
        h = 1e-4
        c = rate_fidelity(T, p_x, [s - h, s + h])
        slope = (c.R[1] - c.R[0]) / (c.G[1] - c.G[0])
        assert slope == pytest.approx(s, abs=1e-4)
    # efficiency <= 1 wherever G > 0
    eff = curve.efficiency
    assert np.all(eff[np.isfinite(eff) & (G > 0)] <= 1 + 1e-10)


def test_s_equal_one_identities(problem):
    p_x, T = problem
    curve = rate_fidelity(T, p_x, 1.0)
    p_y = curve.p_y[0]
    # R - G = KL(P_X || P_theta), P_theta = sum_j P(y_j) P(x|theta_j)
    p_theta = semantic_bayes(T, p_x) @ p_y
    assert curve.R[0] - curve.G[0] == pytest.approx(kl_divergence(p_x, p_theta), abs=1e-10)
    # with T* learned from a channel, s = 1 gives back that channel and R = G = I(X;Y)
    rng = np.random.default_rng(3)
    channel = rng.dirichlet(np.ones(3), size=5)
    T_star = truth_from_channel(channel)
    c = rate_fidelity(T_star, p_x, 1.0)
    I = mutual_information(p_x[:, None] * channel)
    assert c.R[0] == pytest.approx(I, abs=1e-10)
    assert c.G[0] == pytest.approx(I, abs=1e-10)
    np.testing.assert_allclose(c.channel(0), channel, atol=1e-8)
    # and the G of that channel, measured directly, agrees
    joint = p_x[:, None] * to_numpy(c.channel(0))
    assert semantic_mutual_information(T_star, joint) == pytest.approx(I, abs=1e-8)


def test_large_s_limit_and_start_independence(problem):
    p_x, T = problem
    info = np.log2(T / logical_probability(T, p_x))
    curve = rate_fidelity(T, p_x, [10.0, 60.0, 1000.0])
    # G -> sum_i P(x_i) max_j I(x_i; theta_j) as s -> inf, from below (the gap is O(1/s):
    # at finite s a little fidelity is traded for rate)
    limit = float(p_x @ info.max(1))
    assert np.all(np.diff(curve.G) > 0) and np.all(curve.G <= limit + 1e-12)
    assert curve.G[-1] == pytest.approx(limit, abs=1e-4)
    a = rate_fidelity(T, p_x, 2.0, p_y0=[0.8, 0.1, 0.1])
    b = rate_fidelity(T, p_x, 2.0, p_y0=[0.05, 0.05, 0.9])
    assert a.R[0] == pytest.approx(b.R[0], abs=1e-10)
    assert a.G[0] == pytest.approx(b.G[0], abs=1e-10)


def test_support_changes_are_followed():
    # many overlapping labels: at small s the optimal P(y) keeps only a few of them and
    # labels must leave and re-enter the support as s moves; compare with BA at each s
    x = np.linspace(0, 1, 40)
    p_x = np.full(40, 1 / 40)
    c = np.linspace(0, 1, 12)
    T = np.exp(-(x[:, None] - c[None, :]) ** 2 / (2 * 0.15 ** 2))
    info = np.log(T / (p_x @ T))
    s_values = [4.0, 0.7, 2.0]
    curve = rate_fidelity(T, p_x, s_values)
    for k, s in enumerate(s_values):
        R_ref, G_ref, _ = blahut_arimoto(info, p_x, s, tol=1e-14)
        # plain BA is slow here (zero weights decay geometrically); 1e-6 is what it reaches
        assert curve.R[k] == pytest.approx(R_ref, abs=1e-6)
        assert curve.G[k] == pytest.approx(G_ref / math.log(2), abs=1e-6)


def test_rate_distortion_binary_hamming_closed_form():
    p = 0.3
    d = 1.0 - np.eye(2)
    s_values = -np.array([1.0, 1.5, 2.0, 3.0, 5.0])
    curve = rate_distortion(d, [p, 1 - p], s_values)
    # slope s gives D = e^s / (1 + e^s) while D < min(p, 1 - p)
    D_expected = np.exp(s_values) / (1 + np.exp(s_values))
    np.testing.assert_allclose(curve.D, D_expected, rtol=1e-9)
    np.testing.assert_allclose(curve.R, binary_entropy(p) - binary_entropy(curve.D),
                               atol=1e-10)
    # below the slope where D reaches p the rate is 0
    flat = rate_distortion(d, [p, 1 - p], -0.2)
    assert flat.R[0] == pytest.approx(0.0, abs=1e-10)
    assert flat.D[0] == pytest.approx(p, abs=1e-8)


def test_rate_distortion_matches_blahut(rng):
    p_x = rng.dirichlet(np.ones(6))
    d = rng.uniform(0, 3, size=(6, 4))
    s_values = [-0.5, -1.0, -3.0]
    curve = rate_distortion(d, p_x, s_values, base=math.e)
    for k, s in enumerate(s_values):
        R_ref, D_ref, _ = blahut_arimoto(d, p_x, s)
        assert curve.R[k] == pytest.approx(R_ref * math.log(2), abs=1e-8)
        assert curve.D[k] == pytest.approx(D_ref, abs=1e-8)
    # dR/dD = s
    c = rate_distortion(d, p_x, [-1.0 - 1e-4, -1.0 + 1e-4], base=math.e)
    assert (c.R[1] - c.R[0]) / (c.D[1] - c.D[0]) == pytest.approx(-1.0, abs=1e-4)


def test_semantic_rate_distortion_same_kernel(problem):
    # R(G) at slope s is R(D) at slope -s with the distortion d = -I(x; theta) (nats):
    # G is linear in the channel once the logical probabilities are fixed
    p_x, T = problem
    info = np.log(T / (p_x @ T))
    rd = rate_distortion(-info, p_x, -2.0, base=math.e)
    rg = rate_fidelity(T, p_x, 2.0, base=math.e)
    assert rd.R[0] == pytest.approx(rg.R[0], abs=1e-10)
    assert -rd.D[0] == pytest.approx(rg.G[0], abs=1e-10)
    np.testing.assert_allclose(rd.channel(0), rg.channel(0), atol=1e-9)
    # the semantic distortion -log T alone gives a different (pure R(D)) problem
    plain = rate_distortion(-np.log(T), p_x, -2.0, base=math.e)
    assert plain.R[0] >= 0


def test_bad_input(problem):
    p_x, T = problem
    T0 = T.copy()
    T0[0, 0] = 0.0
    with pytest.raises(ValueError, match="s < 0 needs every truth value in T to be > 0"):
        rate_fidelity(T0, p_x, -1.0)
    with pytest.raises(ValueError, match="s must be <= 0"):
        rate_distortion(np.ones((5, 2)), p_x, 1.0)
    with pytest.raises(ValueError, match="p_y0 must be > 0"):
        rate_fidelity(T, p_x, 1.0, p_y0=[1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="p_y0 must have length 3"):
        rate_fidelity(T, p_x, 1.0, p_y0=[0.5, 0.5])
    with pytest.raises(ValueError, match="s must be finite"):
        rate_fidelity(T, p_x, [1.0, np.nan])
    with pytest.raises(ValueError, match="tol must be > 0"):
        rate_fidelity(T, p_x, 1.0, tol=0)
    with pytest.raises(ValueError, match="p_x must have length 2"):
        rate_distortion(np.ones((2, 2)), p_x, -1.0)
    with pytest.raises(ValueError, match="T row 1 is all zero where p_x > 0"):
        rate_fidelity([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]], [0.3, 0.4, 0.3], 2.0)
    with pytest.raises(ValueError, match="d must be finite"):
        rate_distortion([[0.0, np.inf], [1.0, 0.0]], [0.5, 0.5], -1.0)


def test_non_convergence_warns_and_keeps_result(problem):
    p_x, T = problem
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 iterations"):
        curve = rate_fidelity(T, p_x, 3.0, max_iter=1)
    assert not curve.converged[0]
    assert np.isfinite(curve.R[0])


def test_zero_mass_rows_and_zero_truth(problem):
    p_x, T = problem
    # an x with P(x) = 0 does not change the curve
    p_ext = np.append(p_x, 0.0)
    T_ext = np.vstack([T, [0.0, 0.3, 0.0]])
    a = rate_fidelity(T, p_x, [0.7, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b = rate_fidelity(T_ext, p_ext, [0.7, 2.0])
    np.testing.assert_allclose(a.R, b.R, atol=1e-10)
    np.testing.assert_allclose(a.G, b.G, atol=1e-10)
    assert np.all(np.isfinite(to_numpy(b.channel(1))))


def test_single_label_and_single_x():
    # one label: the channel is fixed, R = 0 and G = sum_x P(x) I(x; theta) at every s
    T = np.array([[1.0], [0.5]])
    c = rate_fidelity(T, [0.5, 0.5], [0.5, 2.0])
    expected_G = 0.5 * np.log2(1 / 0.75) + 0.5 * np.log2(0.5 / 0.75)
    np.testing.assert_allclose(c.R, 0.0, atol=1e-15)
    np.testing.assert_allclose(c.G, expected_G, rtol=1e-12)
    # one x: I(X;Y) = 0 whatever the channel, and G = 0 (T(theta) = T(theta | x))
    c = rate_fidelity([[1.0, 0.2]], [1.0], [0.5, 2.0])
    np.testing.assert_allclose(c.R, 0.0, atol=1e-15)
    np.testing.assert_allclose(c.G, 0.0, atol=1e-15)


def test_plot_and_summary(problem):
    p_x, T = problem
    curve = rate_fidelity(T, p_x, [0.5, 1.0, 2.0])
    ax = curve.plot()
    assert ax.get_xlabel().startswith("G")
    assert "RateFidelityCurve" in curve.summary()
    rd = rate_distortion(1 - np.eye(2), [0.5, 0.5], [-1.0, -2.0])
    assert rd.plot().get_ylabel() == "R, rate [bits]"


def test_array_api(xp, problem):
    p_x, T = problem
    s_values = [-1.0, 0.7, 2.0]
    ref = rate_fidelity(T, p_x, s_values)
    curve = rate_fidelity(xp.asarray(T), xp.asarray(p_x), s_values)
    for name in ("s", "R", "G", "p_y", "n_iter", "converged"):
        assert type(getattr(curve, name)) is type(xp.asarray(T)), name
    np.testing.assert_allclose(to_numpy(curve.R), ref.R, atol=1e-10)
    np.testing.assert_allclose(to_numpy(curve.G), ref.G, atol=1e-10)
    np.testing.assert_allclose(to_numpy(curve.efficiency), ref.efficiency, atol=1e-10)
    ch = curve.channel(1)
    assert type(ch) is type(xp.asarray(T))
    np.testing.assert_allclose(to_numpy(ch), ref.channel(1), atol=1e-9)
    rd = rate_distortion(xp.asarray(1 - np.eye(2)), xp.asarray([0.3, 0.7]), -2.0)
    R, D = float(rd.R[0]), float(rd.D[0])
    assert R == pytest.approx(binary_entropy(0.3) - binary_entropy(D), abs=1e-10)


def test_kernel_matches_array_api_solver_and_py_func(problem):
    # the NumPy path runs the numba kernel; the array-API path the Python reference
    import array_api_compat.numpy as xp_np

    from probstat.semantic import _kernels
    from probstat.semantic._rate import _fixed_point

    p_x, T = problem
    A = np.log(T / (p_x @ T))
    for s in (-1.5, 0.8, 3.0):
        logE = s * A
        E = np.ascontiguousarray(np.exp(logE - logE.max(1, keepdims=True)))
        q0 = np.full(3, 1 / 3)
        q_ref, _, conv_ref = _fixed_point(E, p_x, q0, 1e-12, 200, xp_np)
        q_jit, _, conv_jit = _kernels.fixed_point(E, p_x, q0, 1e-12, 200)
        py_func = getattr(_kernels.fixed_point, "py_func", _kernels.fixed_point)
        q_py, _, conv_py = py_func(E, p_x, q0, 1e-12, 200)
        assert conv_ref and conv_jit and conv_py
        # the optimum is unique here (E has full column rank): all three agree closely
        np.testing.assert_allclose(q_jit, q_ref, atol=1e-8)
        np.testing.assert_allclose(q_py, q_jit, atol=1e-12)


def test_kernel_converges_on_large_mixture_weight_problem():
    # CM-EM's E2 problem with many samples: a plain (uncompensated) sum of 2e4 log terms
    # has round-off above the objective changes near the optimum and once stalled the
    # line search; the compensated sum converges in a few SQP steps, like the reference
    import array_api_compat.numpy as xp_np

    from probstat.semantic import _kernels
    from probstat.semantic._rate import _fixed_point

    rng = np.random.default_rng(0)
    n = 20_000
    x = np.concatenate([rng.normal(0, 1, n // 2), rng.normal(1.0, 1, n // 2)])
    centres = np.array([-0.5, 0.2, 0.9, 1.6])
    logp = -0.5 * (x[:, None] - centres[None, :]) ** 2
    E = np.ascontiguousarray(np.exp(logp - logp.max(1, keepdims=True)))
    px = np.full(n, 1 / n)
    q0 = np.array([0.4, 0.3, 0.2, 0.1])
    q, n_iter, conv = _kernels.fixed_point(E, px, q0, 1e-10, 100)
    q_ref, _, conv_ref = _fixed_point(E, px, q0, 1e-10, 100, xp_np)
    assert conv and conv_ref and n_iter <= 30
    c = E.T @ (px / (E @ q))
    assert np.log(c.max()) <= 1e-10  # Blahut/KKT bound: within 1e-10 nats of the optimum
    np.testing.assert_allclose(q, q_ref, atol=1e-6)


def test_spd_solve_matches_numpy(rng):
    from probstat.semantic import _kernels

    for m in (1, 3, 12):
        A = rng.normal(size=(m, m))
        A = A @ A.T + 0.1 * np.eye(m)
        B = rng.normal(size=(m, 2))
        np.testing.assert_allclose(_kernels._spd_solve(A, B), np.linalg.solve(A, B),
                                   rtol=1e-9, atol=1e-12)
        spd_py = getattr(_kernels._spd_solve, "py_func", _kernels._spd_solve)
        np.testing.assert_allclose(spd_py(A, B), np.linalg.solve(A, B),
                                   rtol=1e-9, atol=1e-12)
