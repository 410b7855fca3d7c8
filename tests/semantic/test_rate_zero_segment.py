"""R(G) = 0 on a whole interval of G: the flat segment of the curve is genuine.

Reference: R(G) by brute force, minimising I(X; Y) over all channels P(y|x) subject to
G(channel) = g with SLSQP from many starts, independent of the parametric solver.
"""

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from probstat.semantic import rate_fidelity, semantic_information

T = np.array([[1.0, 0.3, 0.05], [0.5, 1.0, 0.2], [0.1, 0.6, 1.0], [0.05, 0.2, 0.7]])
P_X = np.array([0.4, 0.3, 0.2, 0.1])


def _mi_bits(W):
    q = P_X @ W
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(W > 0, W * np.log2(W / q), 0.0)
    return float(P_X @ terms.sum(1))


def _brute_force_rate(g, info, rng, starts=12):
    """min I(X;Y) subject to sum_ij P(x_i) P(y_j|x_i) I_ij = g (bits)."""
    n_x, n_y = info.shape
    cons = [{"type": "eq", "fun": lambda w: P_X @ (w.reshape(n_x, n_y) * info).sum(1) - g},
            {"type": "eq", "fun": lambda w: w.reshape(n_x, n_y).sum(1) - 1.0}]
    best = math.inf
    for _ in range(starts):
        w0 = rng.dirichlet(np.ones(n_y), n_x).ravel()
        res = minimize(lambda w: _mi_bits(np.clip(w.reshape(n_x, n_y), 0, 1)), w0,
                       method="SLSQP", bounds=[(0, 1)] * w0.size, constraints=cons,
                       options={"ftol": 1e-12, "maxiter": 500})
        W = np.clip(res.x.reshape(n_x, n_y), 0, 1)
        if res.success and abs(P_X @ (W * info).sum(1) - g) < 1e-7:
            best = min(best, _mi_bits(W))
    return best


def test_zero_rate_interval_is_the_range_of_constant_channels():
    info = semantic_information(T, P_X)
    g_const = P_X @ info  # G of always answering y_j
    curve = rate_fidelity(T, P_X, [1.0])
    lo, hi = curve.zero_rate_interval
    assert lo == pytest.approx(g_const.min(), abs=1e-12)
    assert hi == pytest.approx(g_const.max(), abs=1e-12)
    assert hi <= 0  # Jensen: sum_i P(x_i) log m_ij <= log sum_i P(x_i) m_ij = 0


def test_flat_segment_and_branches_against_brute_force():
    rng = np.random.default_rng(0)
    info = semantic_information(T, P_X)
    s = np.array([-1.5, -0.5, -1e-3, 1e-3, 0.7, 1.0, 2.5])
    curve = rate_fidelity(T, P_X, s)
    lo, hi = curve.zero_rate_interval
    # inside the interval the cheapest channel carries no information at all
    for g in np.linspace(lo, hi, 5)[1:-1]:
        assert _brute_force_rate(g, info, rng) < 1e-6
    # outside it the rate is positive, and the parametric points are the brute-force minima
    for k in (0, 1, 4, 5, 6):
        g, r = float(curve.G[k]), float(curve.R[k])
        assert not lo - 1e-9 <= g <= hi + 1e-9
        assert r > 1e-4
        assert _brute_force_rate(g, info, rng) == pytest.approx(r, abs=2e-6)
    # as s -> 0- and s -> 0+ the branches end exactly at the ends of the segment
    assert float(curve.G[2]) == pytest.approx(lo, abs=1e-6)
    assert float(curve.G[3]) == pytest.approx(hi, abs=1e-6)
    assert float(curve.R[2]) == pytest.approx(0, abs=1e-9)
    assert float(curve.R[3]) == pytest.approx(0, abs=1e-9)


def test_zero_rate_interval_skips_falsified_labels():
    T0 = T.copy()
    T0[3, 0] = 0.0  # label 0 is false of x_3: always answering it gives G = -inf
    curve = rate_fidelity(T0, P_X, [1.0])
    g_const = P_X @ np.where(np.isfinite(semantic_information(T0, P_X)),
                             semantic_information(T0, P_X), 0.0)
    assert curve.zero_rate_interval == pytest.approx((g_const[1:].min(), g_const[1:].max()))


def test_plot_draws_the_segment_and_labels(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = np.concatenate([-np.geomspace(2, 1e-3, 15), np.geomspace(1e-3, 4, 20)])
    curve = rate_fidelity(T, P_X, s)
    ax = curve.plot()
    lo, hi = curve.zero_rate_interval
    segment = [ln for ln in ax.lines if ln.get_label().startswith("R = 0")]
    assert len(segment) == 1
    np.testing.assert_allclose(segment[0].get_xdata(), [lo, hi])
    np.testing.assert_allclose(segment[0].get_ydata(), [0, 0])
    # no line crosses s = 0: the two branches are drawn separately
    branches = [ln for ln in ax.lines if ln.get_color() == "C0"]
    assert len(branches) == 2
    assert ax.get_title() and "bits" in ax.get_xlabel() and "bits" in ax.get_ylabel()
    assert ax.get_legend() is not None
    ax.figure.savefig(tmp_path / "rg.png")
    plt.close(ax.figure)
