"""MEC-B, the uniform quantiser and the two estimators.

References: Lemma 1 re-derived numerically on random Markov chains (three-way joint
tables), the special cases R = 0 (independence) and R >= H(X) (plain MEC), direct
counting for the empirical marginals, Monte Carlo for sampling.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.coupling import (
    BottleneckCoupler,
    MinimumEntropyCoupler,
    exact_mec,
    greedy_mec,
    mec_b,
    uniform_quantizer,
)
from probstat.utils import entropy, mutual_information


def _dist(max_size=7):
    return st.lists(st.floats(0.02, 1.0), min_size=1, max_size=max_size).map(
        lambda w: np.array(w) / np.sum(w))


def test_lemma_1_on_random_markov_chains():
    # I(X;Y) = I(X;T) + I(T;Y) - I(T;X,Y) for any chain X - T - Y (spec 1.1, Lemma 1).
    rng = np.random.default_rng(0)
    for _ in range(50):
        nx, nt, ny = rng.integers(2, 6, size=3)
        p = rng.dirichlet(np.ones(nx))
        enc = rng.dirichlet(np.ones(nt), size=nx)
        dec = rng.dirichlet(np.ones(ny), size=nt)
        xty = p[:, None, None] * enc[:, :, None] * dec[None, :, :]
        i_xy = mutual_information(xty.sum(axis=1))
        i_xt = mutual_information(xty.sum(axis=2))
        i_ty = mutual_information(xty.sum(axis=0))
        i_t_xy = mutual_information(xty.transpose(1, 0, 2).reshape(nt, nx * ny))
        assert i_xy == pytest.approx(i_xt + i_ty - i_t_xy, abs=1e-12)
        assert i_t_xy <= entropy(p @ enc) + 1e-12


def test_rate_zero_is_independence():
    p, q = np.array([0.7, 0.2, 0.1]), np.array([0.4, 0.6])
    m = mec_b(p, q, 0.0)
    np.testing.assert_allclose(m.joint, np.outer(p, q), atol=1e-15)
    assert m.I_xy == pytest.approx(0.0, abs=1e-12)
    assert m.p_t.shape == (1,)


def test_large_rate_is_plain_mec():
    rng = np.random.default_rng(1)
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(5))
    m = mec_b(p, q, rate=10.0)
    c = greedy_mec(p, q)
    assert m.I_xy == pytest.approx(c.mutual_information(), abs=1e-12)
    np.testing.assert_allclose(m.joint, c.to_dense(), atol=1e-15)
    assert m.H_t == pytest.approx(entropy(p), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(_dist(), _dist(), st.floats(0.0, 1.0), st.sampled_from(["greedy", "uniform",
                                                                 "refined"]))
def test_mecb_invariants(p, q, fraction, encoder):
    rate = fraction * entropy(p) * 1.1
    m = mec_b(p, q, rate, encoder=encoder)
    np.testing.assert_allclose(m.joint.sum(axis=1), p, atol=1e-12)
    np.testing.assert_allclose(m.joint.sum(axis=0), q, atol=1e-12)
    np.testing.assert_allclose(m.encoder.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(m.decoder.sum(axis=1), 1.0, atol=1e-12)
    assert m.H_t <= rate + 1e-9
    assert m.I_xy <= min(rate, entropy(p), entropy(q)) + 1e-9
    assert m.I_xy >= m.lower_bound - 1e-9
    if encoder != "refined":  # deterministic encoder: I(T; X, Y) = H(T), I(X;Y) = I(T;Y)
        assert m.I_xy == pytest.approx(m.I_ty, abs=1e-10)
        assert m.I_xt == pytest.approx(m.H_t, abs=1e-10)


def test_refined_encoder_beats_greedy_on_paper_example():
    p = [0.7, 0.2, 0.1]
    greedy = mec_b(p, p, 0.7, encoder="greedy")
    refined = mec_b(p, p, 0.7, encoder="refined")
    assert refined.I_xt > greedy.I_xt + 0.05
    assert refined.H_t <= 0.7 + 1e-9


def test_base_nats():
    p, q = [0.7, 0.2, 0.1], [0.5, 0.5]
    bits = mec_b(p, q, 1.0)
    nats = mec_b(p, q, math.log(2), base=math.e)
    assert nats.I_xy == pytest.approx(bits.I_xy * math.log(2), rel=1e-12)
    assert "I_xy" in bits.summary()


def test_uniform_quantizer():
    u8 = np.full(8, 1 / 8)
    assert uniform_quantizer(u8, 1.0).tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert uniform_quantizer(u8, math.log2(3)).tolist() == [0, 0, 0, 1, 1, 1, 2, 2]
    assert uniform_quantizer(u8, 0.0).tolist() == [0] * 8
    assert uniform_quantizer(u8, 5.0).tolist() == list(range(8))
    labels = uniform_quantizer([0.0, 0.5, 0.0, 0.25, 0.25], 1.0)
    assert labels.tolist() == [0, 0, 0, 0, 1]  # support {1, 3, 4}: bins of ceil(3/2) = 2
    rng = np.random.default_rng(2)
    for _ in range(20):
        p = rng.dirichlet(np.ones(12))
        rate = rng.uniform(0, 4)
        labels = uniform_quantizer(p, rate)
        assert entropy(np.bincount(labels, weights=p)) <= rate + 1e-12


def test_plot():
    import matplotlib

    matplotlib.use("Agg")
    ax = mec_b([0.5, 0.5], [0.5, 0.5], 1.0).plot()
    assert ax.get_xlabel() == "outcome y (index)"


def test_mecb_bad_input():
    with pytest.raises(ValueError, match="encoder must be one of"):
        mec_b([1.0], [1.0], 1.0, encoder="best")
    with pytest.raises(ValueError, match="rate must be >= 0"):
        mec_b([1.0], [1.0], -0.5)
    with pytest.raises(ValueError, match="p_y must sum to 1"):
        mec_b([1.0], [0.5, 0.6], 1.0)


# ------------------------------------------------------------------------- estimators


def test_min_entropy_coupler_from_samples():
    X = np.array([[0, 5], [0, 5], [1, 6], [2, 6], [2, 7], [2, 7]])
    mec = MinimumEntropyCoupler().fit(X)
    np.testing.assert_allclose(mec.marginals_[0], [2 / 6, 1 / 6, 3 / 6])
    np.testing.assert_allclose(mec.marginals_[1], [2 / 6, 2 / 6, 2 / 6])
    assert mec.categories_[1].tolist() == [5, 6, 7]
    ref = greedy_mec(mec.marginals_[0], mec.marginals_[1])
    assert mec.entropy_ == pytest.approx(ref.entropy(), abs=1e-14)
    assert mec.gap_ >= 0
    exact = MinimumEntropyCoupler(method="exact").fit(X)
    assert exact.entropy_ == pytest.approx(
        exact_mec(mec.marginals_[0], mec.marginals_[1]).entropy(), abs=1e-14)
    assert exact.entropy_ <= mec.entropy_ + 1e-12
    draws = mec.sample(5000, random_state=0)
    assert set(np.unique(draws[:, 1]).tolist()) <= {5, 6, 7}
    np.testing.assert_array_equal(draws, mec.sample(5000, random_state=0))
    cond = mec.conditional(0, 2)
    dense = ref.to_dense()
    np.testing.assert_allclose(cond, dense[2] / dense[2].sum(), atol=1e-15)
    with pytest.raises(ValueError, match="not a category"):
        mec.conditional(0, 9)


def test_min_entropy_coupler_bad_params():
    X = np.zeros((4, 3))
    with pytest.raises(ValueError, match="exactly 2 variables"):
        MinimumEntropyCoupler(method="exact").fit(X)
    with pytest.raises(ValueError, match="'method' parameter of MinimumEntropyCoupler"):
        MinimumEntropyCoupler(method="lp").fit(X)
    with pytest.raises(ValueError, match="'tol' parameter of MinimumEntropyCoupler"):
        MinimumEntropyCoupler(tol=-1.0).fit_marginals([1.0])


def test_bottleneck_coupler():
    X = np.repeat([[0.0], [1.0], [2.0], [3.0]], [4, 2, 1, 1], axis=0)
    y = np.repeat(["a", "b", "c"], [3, 3, 2])
    bc = BottleneckCoupler(rate=1.0).fit(X, y)
    ref = mec_b(bc.p_x_, [3 / 8, 3 / 8, 2 / 8], 1.0)
    np.testing.assert_allclose(bc.joint_, ref.joint, atol=1e-15)
    assert bc.target_categories_.tolist() == ["a", "b", "c"]
    codes = bc.encode(X, random_state=0)
    assert codes.tolist() == np.argmax(bc.transform(X), axis=1).tolist()
    # Monte Carlo: y | x = 0 follows joint[0] / p_x[0].
    draws = bc.sample_y(np.zeros((20_000, 1)), random_state=1)
    freq = np.array([np.mean(draws == v) for v in ["a", "b", "c"]])
    want = bc.joint_[0] / bc.p_x_[0]
    np.testing.assert_allclose(freq, want, atol=0.02)  # 5+ binomial standard errors
    np.testing.assert_array_equal(draws[:50], bc.sample_y(np.zeros((20_000, 1)),
                                                          random_state=1)[:50])
    prior = bc.transform([[9.0]])
    np.testing.assert_allclose(prior[0], bc.result_.p_t, atol=0)
    strict = BottleneckCoupler(rate=1.0, handle_unknown="error").fit(X)
    with pytest.raises(ValueError, match="not seen during fit"):
        strict.transform([[9.0]])
    with pytest.raises(ValueError, match="'handle_unknown' parameter of BottleneckCoupler"):
        BottleneckCoupler(handle_unknown="ignore").fit(X)
    with pytest.raises(ValueError, match="'encoder' parameter of BottleneckCoupler"):
        BottleneckCoupler(encoder="x").fit(X)
    with pytest.raises(ValueError, match="'rate' parameter of BottleneckCoupler"):
        BottleneckCoupler(rate=-1).fit(X)


def test_decoder_rows_of_a_tiny_code_sum_to_one():
    # Regression (found by hypothesis): at a rate near 0 the refined encoder splits off a
    # code of mass ~2e-11; its decoder row used to sum to 1 - 2e-6.
    p, q = np.array([0.8, 0.2]), np.array([1.0])
    m = mec_b(p, q, 1e-9 * entropy(p) * 1.1, encoder="refined")
    assert m.p_t.min() < 1e-10
    np.testing.assert_allclose(m.decoder.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(m.joint.sum(axis=0), q, atol=1e-12)
