"""Confirmation measures b*, c*: derivation by brute force, identities, the two examples."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.backend import to_numpy
from probstat.semantic import (
    channel_confirmation,
    kelly_growth_rate,
    kemeny_oppenheim,
    medical_test_confirmation,
    prediction_confirmation,
    semantic_bayes,
    semantic_kl,
)

prob = st.floats(0.001, 0.999)


def test_b_star_maximises_semantic_information():
    # b* is defined (Lu 2020) as the degree of belief of "e1 -> h1" that maximises the
    # semantic information I(H; theta_e1) = sum_h P(h|e1) log[T(theta|h)/T(theta)], with
    # T(theta|h1) = 1, T(theta|h0) = 1 - b. Brute-force the maximiser over a grid of b and
    # several priors: it must be b* and must not depend on the prior.
    sens, fpr = 0.8, 0.3  # P(e1|h1), P(e1|h0)
    b_grid = np.linspace(0.0, 0.999, 99_901)
    for prior in (0.05, 0.3, 0.7):
        p_h = np.array([1 - prior, prior])  # (h0, h1)
        post = p_h * np.array([fpr, sens])
        post /= post.sum()  # P(h | e1)
        T = np.stack([1.0 - b_grid, np.ones_like(b_grid)], axis=0)  # rows h0, h1
        info = semantic_kl(T, p_h, np.repeat(post[:, None], b_grid.size, axis=1))
        best = b_grid[int(np.argmax(info))]
        assert best == pytest.approx(channel_confirmation(sens, fpr), abs=2e-5)
    assert channel_confirmation(sens, fpr) == pytest.approx((sens - fpr) / sens, rel=1e-15)


@settings(max_examples=200, deadline=None)
@given(p1=prob, p0=prob)
def test_b_star_and_kemeny_oppenheim(p1, p0):
    b = channel_confirmation(p1, p0)
    F = kemeny_oppenheim(p1, p0)
    LR = p1 / p0
    assert b == pytest.approx((LR - 1) / max(LR, 1), rel=1e-12, abs=1e-14)
    assert b == pytest.approx(2 * F / (1 + abs(F)), rel=1e-12, abs=1e-14)
    if LR >= 1:
        assert b == pytest.approx(2 * F / (1 + F), rel=1e-12, abs=1e-14)
    assert np.sign(b) == np.sign(F)
    assert -1 <= b <= 1


@settings(max_examples=200, deadline=None)
@given(a=st.integers(0, 10_000), c=st.integers(0, 10_000), chalk=st.integers(0, 10**6))
def test_c_star_counts_and_raven_invariance(a, c, chalk):
    if a == 0 and c == 0:
        return
    cs = prediction_confirmation(a, c)
    assert -1 <= cs <= 1
    assert cs == pytest.approx((a - c) / max(a, c), rel=1e-15)
    # from posterior probabilities P(h1|e1) = a / (a + c): same value
    post = a / (a + c)
    assert prediction_confirmation(post, 1 - post) == pytest.approx(cs, abs=1e-12)
    # chalk (non-raven, non-black) enters b* through P(raven | non-black) but never c*
    n_black_nonravens = 50
    b_before = channel_confirmation(a / (a + n_black_nonravens), c / (c + chalk + 1))
    b_after = channel_confirmation(a / (a + n_black_nonravens), c / (c + chalk + 1001))
    if c > 0 and a > 0:
        assert b_after > b_before  # chalk does change the channel view...
    assert prediction_confirmation(a, c) == cs  # ...but not the prediction c*


def test_raven_examples():
    assert prediction_confirmation(1000, 0) == 1.0
    assert prediction_confirmation(1000, 1) == pytest.approx(0.999)
    assert prediction_confirmation(1, 1000) == pytest.approx(-0.999)
    assert prediction_confirmation(500, 500) == 0.0
    np.testing.assert_allclose(prediction_confirmation(np.array([3, 1]), np.array([1, 3])),
                               [2 / 3, -2 / 3], rtol=1e-15)


@pytest.mark.parametrize("sens, spec, prev", [(0.9, 0.95, 0.01), (0.7, 0.99, 0.2),
                                              (0.95, 0.6, 0.5), (0.3, 0.4, 0.3)])
def test_medical_test(sens, spec, prev):
    res = medical_test_confirmation(sens, spec, prev)
    # posteriors by Bayes' rule, written out
    ppv = prev * sens / (prev * sens + (1 - prev) * (1 - spec))
    npv = (1 - prev) * spec / ((1 - prev) * spec + prev * (1 - sens))
    assert res.ppv == pytest.approx(ppv, rel=1e-12)
    assert res.npv == pytest.approx(npv, rel=1e-12)
    lr = sens / (1 - spec)
    assert res.lr_positive == pytest.approx(lr, rel=1e-12)
    assert res.b1 == pytest.approx((lr - 1) / max(lr, 1), rel=1e-12)
    lr0 = spec / (1 - sens)  # for e0 -> h0: P(e0|h0) / P(e0|h1)
    assert res.b0 == pytest.approx((lr0 - 1) / max(lr0, 1), rel=1e-12)
    assert res.c1 == pytest.approx((ppv - (1 - ppv)) / max(ppv, 1 - ppv), rel=1e-12)
    assert res.c0 == pytest.approx((npv - (1 - npv)) / max(npv, 1 - npv), rel=1e-12)
    assert res.f1 == pytest.approx((lr - 1) / (lr + 1), rel=1e-12)
    # b* does not depend on the prevalence, c* does
    other = medical_test_confirmation(sens, spec, 0.5 * prev + 0.2)
    assert other.b1 == res.b1 and other.b0 == res.b0
    assert other.c1 != res.c1
    assert "MedicalTestConfirmation" in res.summary()


def test_rare_disease_positive_is_strong_channel_weak_prediction():
    res = medical_test_confirmation(0.9, 0.95, 0.01)
    assert res.b1 == pytest.approx(17 / 18, rel=1e-12)
    assert res.c1 < -0.8  # most positives are false alarms at 1% prevalence


def test_kelly_growth_equals_semantic_kl(rng):
    # betting P(x|theta_j) at odds 1/P(x) when x ~ P(x|y_j) grows wealth at I(X; theta_j)
    p_x = rng.dirichlet(np.ones(6))
    T = rng.uniform(0.05, 1, size=(6, 2))
    lik = semantic_bayes(T, p_x)
    p_x_given_y = rng.dirichlet(np.ones(6), size=2).T
    kl = semantic_kl(T, p_x, p_x_given_y)
    for j in range(2):
        g = kelly_growth_rate(p_x_given_y[:, j], lik[:, j], 1 / p_x)
        assert g == pytest.approx(kl[j], rel=1e-12)
    # Monte Carlo: realised log-wealth per race of 200k races, within 5 standard errors
    n = 200_000
    xs = rng.choice(6, size=n, p=p_x_given_y[:, 0])
    steps = np.log2(lik[xs, 0] / p_x[xs])
    assert abs(steps.mean() - kl[0]) < 5 * steps.std() / math.sqrt(n)
    assert kelly_growth_rate([0.5, 0.5], [1.0, 0.0], [2.0, 2.0]) == -math.inf


def test_bad_input():
    with pytest.raises(ValueError, match="p_e_given_h must be <= 1"):
        channel_confirmation(1.2, 0.1)
    with pytest.raises(ValueError, match="must not both be 0"):
        channel_confirmation(0.0, 0.0)
    with pytest.raises(ValueError, match="counterexamples must be >= 0"):
        prediction_confirmation(3, -1)
    with pytest.raises(ValueError, match="positives and counterexamples must not both be 0"):
        prediction_confirmation(0, 0)
    with pytest.raises(ValueError, match="positives must be finite"):
        prediction_confirmation(np.nan, 1)
    with pytest.raises(ValueError, match="prevalence must be > 0"):
        medical_test_confirmation(0.9, 0.9, 0.0)
    with pytest.raises(ValueError, match="odds must be > 0"):
        kelly_growth_rate([0.5, 0.5], [0.5, 0.5], [1.0, 0.0])


def test_array_api(xp):
    p1 = xp.asarray([0.9, 0.2, 0.5])
    p0 = xp.asarray([0.1, 0.4, 0.5])
    b = channel_confirmation(p1, p0)
    assert type(b) is type(p1)
    np.testing.assert_allclose(to_numpy(b), [8 / 9, -0.5, 0.0], rtol=1e-12)
    c = prediction_confirmation(xp.asarray([3.0, 1.0]), xp.asarray([1.0, 3.0]))
    np.testing.assert_allclose(to_numpy(c), [2 / 3, -2 / 3], rtol=1e-12)
