"""Semantic information measures: golden values, G-theory identities, bad input, array API."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.backend import to_numpy
from probstat.semantic import (
    coverage_entropy,
    fuzzy_entropy,
    gaussian_truth,
    information_efficiency,
    logical_probability,
    logistic_truth,
    semantic_bayes,
    semantic_classify,
    semantic_cross_entropy,
    semantic_distortion,
    semantic_information,
    semantic_information_loss,
    semantic_kl,
    semantic_mutual_information,
    truth_from_channel,
    truth_from_likelihood,
    truth_from_samples,
)
from probstat.utils import entropy, mutual_information

# Round-off of sums over <= 100 terms of O(1) numbers in float64 stays far below 1e-12.
TOL = 1e-12


def brute_G(T, p_xy, p_x):
    """G by explicit double loop with math.log2 (independent of the vectorised code)."""
    n_x, n_y = T.shape
    tl = [sum(p_x[i] * T[i, j] for i in range(n_x)) for j in range(n_y)]
    total = 0.0
    for i in range(n_x):
        for j in range(n_y):
            if p_xy[i, j] > 0:
                total += p_xy[i, j] * math.log2(T[i, j] / tl[j])
    return total


def random_problem(rng, n_x=6, n_y=3):
    p_x = rng.dirichlet(np.ones(n_x))
    channel = rng.dirichlet(np.ones(n_y), size=n_x)  # P(y|x), rows sum to one
    p_xy = p_x[:, None] * channel
    T = rng.uniform(0.05, 1.0, size=(n_x, n_y))
    return p_x, channel, p_xy, T


# ---------------------------------------------------------------- golden values

P_X = np.array([0.1, 0.2, 0.3, 0.4])
CHANNEL = np.array([[0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.1, 0.9]])
P_XY = P_X[:, None] * CHANNEL


def test_golden_matched_channel():
    # by hand: P(y1) = .09+.12+.09+.04 = .34, max_x P(y1|x) = .9 -> T*(theta_1) = .34/.9
    T = truth_from_channel(CHANNEL)
    np.testing.assert_allclose(T[:, 0], [1.0, 0.6 / 0.9, 0.3 / 0.9, 0.1 / 0.9], rtol=TOL)
    np.testing.assert_allclose(T[:, 1], [0.1 / 0.9, 0.4 / 0.9, 0.7 / 0.9, 1.0], rtol=TOL)
    tl = logical_probability(T, P_X)
    np.testing.assert_allclose(tl, [0.34 / 0.9, 0.66 / 0.9], rtol=TOL)
    # P(x | theta*) = P(x | y)
    np.testing.assert_allclose(semantic_bayes(T, P_X), P_XY / P_XY.sum(0), rtol=TOL)
    I = mutual_information(P_XY)
    assert semantic_mutual_information(T, P_XY) == pytest.approx(I, rel=TOL)
    assert semantic_mutual_information(T, P_XY) == pytest.approx(brute_G(T, P_XY, P_X),
                                                                 rel=TOL)
    assert semantic_information_loss(T, P_XY) == pytest.approx(0.0, abs=TOL)


def test_golden_mismatched_channel():
    T = np.array([[1.0, 0.2], [1.0, 0.5], [0.5, 1.0], [0.2, 1.0]])
    tl = np.array([0.1 + 0.2 + 0.15 + 0.08, 0.02 + 0.1 + 0.3 + 0.4])  # 0.53, 0.82
    np.testing.assert_allclose(logical_probability(T, P_X), tl, rtol=TOL)
    info = np.log2(T / tl)
    np.testing.assert_allclose(semantic_information(T, P_X), info, rtol=TOL)
    G = float((P_XY * info).sum())
    assert semantic_mutual_information(T, P_XY) == pytest.approx(G, rel=TOL)
    assert semantic_mutual_information(T, P_XY) == pytest.approx(brute_G(T, P_XY, P_X),
                                                                 rel=TOL)
    p_y = P_XY.sum(0)
    H_theta = -float((p_y * np.log2(tl)).sum())
    H_theta_x = -float((P_XY * np.log2(T)).sum())
    assert coverage_entropy(T, P_XY) == pytest.approx(H_theta, rel=TOL)
    assert fuzzy_entropy(T, P_XY) == pytest.approx(H_theta_x, rel=TOL)
    mean_loglik = float((P_XY * np.log2(P_X[:, None] * T / tl)).sum())
    assert -semantic_cross_entropy(T, P_XY) == pytest.approx(mean_loglik, rel=TOL)
    assert mean_loglik == pytest.approx(G - entropy(P_X), rel=TOL)
    loss = mutual_information(P_XY) - G
    assert loss > 0.01
    assert semantic_information_loss(T, P_XY) == pytest.approx(loss, rel=1e-10)
    # per-label generalised KL: I(X; theta_j) = sum_x P(x|y_j) I(x; theta_j)
    cond = P_XY / p_y
    np.testing.assert_allclose(semantic_kl(T, P_X, cond), (cond * info).sum(0), rtol=TOL)


def test_crisp_truth_function_is_popper_carnap():
    p_x = np.array([0.1, 0.15, 0.25, 0.5])
    T = np.array([[1.0], [1.0], [0.0], [0.0]])  # set A = {x0, x1}, P(A) = 0.25
    info = semantic_information(T, p_x)[:, 0]
    np.testing.assert_allclose(info[:2], [2.0, 2.0], rtol=TOL)
    assert np.all(np.isneginf(info[2:]))
    assert not np.isnan(info).any()
    # G is -inf when the falsified label was used, and never NaN
    p_xy = np.array([[0.5], [0.0], [0.5], [0.0]])
    assert semantic_mutual_information(T, p_xy, p_x=p_x) == -math.inf


def test_gaussian_truth_gps_example():
    # Uniform source on a fine grid; T = exp(-(x - c)^2 / (2 sigma^2)).
    x = np.linspace(-10, 10, 2001)
    p_x = np.full(x.size, 1 / x.size)
    sigma = 1.0
    T = gaussian_truth(x, 0.0, sigma)
    tl = float(logical_probability(T, p_x)[0])
    # the logical probability is the Riemann sum of the Gaussian integral, divided by the
    # number of grid points: sqrt(2 pi) sigma / (2001 * 0.01) (tails beyond 10 sigma ~ 1e-23)
    assert tl == pytest.approx(math.sqrt(2 * math.pi) * sigma / (2001 * 0.01), rel=1e-12)
    info = semantic_information(T, p_x, base=math.e)[:, 0]
    offsets = np.array([0.0, 0.5, 1.0, 2.0, 3.0])
    idx = np.searchsorted(x, offsets)
    expected = math.log(1 / tl) - offsets ** 2 / (2 * sigma ** 2)
    np.testing.assert_allclose(info[idx], expected, rtol=1e-12)
    # the zero crossing of I is at |x| = sigma sqrt(2 log(1/T(theta))); beyond it I < 0
    root = sigma * math.sqrt(2 * math.log(1 / tl))
    assert np.all(info[np.abs(x) < root - 0.02] > 0)
    assert np.all(info[np.abs(x) > root + 0.02] < 0)


def test_classifier_prefers_more_specific_true_label():
    ages = np.arange(0, 100)
    p_x = np.full(ages.size, 1 / ages.size)
    youth = logistic_truth(ages, 30.0, -0.5)[:, 0] * logistic_truth(ages, 14.0, 0.5)[:, 0]
    youth = youth / youth.max()
    adult = logistic_truth(ages, 18.0, 1.0)[:, 0]
    T = np.stack([youth, adult], axis=1)
    labels = semantic_classify(T, p_x)
    assert T[25, 0] > 0.9 and T[25, 1] > 0.9  # both labels are true of a 25-year-old
    assert labels[25] == 0  # "youth" is the more specific, hence more informative
    assert labels[60] == 1
    # a label falsified by x carries -inf information there and is never chosen
    T2 = np.array([[1.0, 1.0], [0.0, 1.0]])
    assert np.isneginf(semantic_information(T2, [0.5, 0.5])[1, 0])
    assert semantic_classify(T2, [0.5, 0.5]).tolist() == [0, 1]


def test_distortion_and_efficiency():
    T = np.array([[1.0, 0.25], [0.5, 0.0]])
    d = semantic_distortion(T)
    np.testing.assert_array_equal(d, [[0.0, 2.0], [1.0, np.inf]])
    assert semantic_distortion(T, base=math.e)[1, 0] == pytest.approx(math.log(2), rel=TOL)
    assert information_efficiency(0.3, 0.6) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="R must be > 0"):
        information_efficiency(0.3, 0.0)


# ---------------------------------------------------------------- identities (hypothesis)

@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_x=st.integers(2, 7), n_y=st.integers(1, 4))
def test_identities(seed, n_x, n_y):
    rng = np.random.default_rng(seed)
    p_x, channel, p_xy, T = random_problem(rng, n_x, n_y)
    I = mutual_information(p_xy)
    G = semantic_mutual_information(T, p_xy)
    # G <= I(X;Y); the gap is the semantic information loss (sum of weighted KLs)
    assert G <= I + 1e-12
    assert semantic_information_loss(T, p_xy) == pytest.approx(I - G, abs=1e-11)
    per_label = semantic_information_loss(T, p_xy, per_label=True)
    assert per_label.sum() == pytest.approx(I - G, abs=1e-11)
    # decompositions
    assert G == pytest.approx(coverage_entropy(T, p_xy) - fuzzy_entropy(T, p_xy), abs=1e-11)
    assert G == pytest.approx(entropy(p_x) - semantic_cross_entropy(T, p_xy), abs=1e-11)
    # likelihood columns sum to one; semantic Bayes inverts
    lik = semantic_bayes(T, p_x)
    np.testing.assert_allclose(lik.sum(0), 1.0, rtol=1e-12)
    T_norm = T / T.max(0)
    np.testing.assert_allclose(truth_from_likelihood(semantic_bayes(T_norm, p_x), p_x),
                               T_norm, rtol=1e-10)
    # optimised truth functions: G(T*) = I, T*(theta_j) = P(y_j) / max P(y_j|x) >= P(y_j)
    T_star = truth_from_channel(channel)
    assert semantic_mutual_information(T_star, p_xy) == pytest.approx(I, rel=1e-10,
                                                                      abs=1e-13)
    p_y = p_xy.sum(0)
    tl = logical_probability(T_star, p_x)
    np.testing.assert_allclose(tl, p_y / channel.max(0), rtol=1e-12)
    assert np.all(tl >= p_y - 1e-15)
    # any T proportional to the channel columns is as good as T*
    scale = rng.uniform(0.2, 1.0, size=n_y)
    assert semantic_mutual_information(T_star * scale, p_xy) == pytest.approx(
        I, rel=1e-10, abs=1e-13)
    # base change scales everything by ln 2
    assert semantic_mutual_information(T, p_xy, base=math.e) == pytest.approx(
        G * math.log(2), rel=1e-12, abs=1e-14)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_equality_only_when_proportional(seed):
    rng = np.random.default_rng(seed)
    p_x, channel, p_xy, _ = random_problem(rng, 5, 3)
    T = truth_from_channel(channel)
    T_perturbed = T.copy()
    T_perturbed[0, 0] *= 0.5  # no longer proportional to P(y_0 | x)
    loss = semantic_information_loss(T_perturbed, p_xy)
    assert loss > 0
    # loss is P(y_0) KL(P(x|y_0) || P(x|theta_0)) computed directly
    post = p_xy[:, 0] / p_xy[:, 0].sum()
    lik = p_x * T_perturbed[:, 0] / (p_x @ T_perturbed[:, 0])
    direct = p_xy[:, 0].sum() * float(np.sum(post * np.log2(post / lik)))
    assert loss == pytest.approx(direct, rel=1e-10)


def test_mean_loglik_equals_G_minus_HX(rng):
    # Monte Carlo check of the maximum-semantic-information = maximum-likelihood identity:
    # the average log P(x|theta_y) over a large sample drawn from p_xy equals G - H(X).
    p_x, channel, p_xy, T = random_problem(rng, 5, 3)
    n = 400_000
    flat = rng.choice(p_xy.size, size=n, p=p_xy.ravel())
    i, j = np.unravel_index(flat, p_xy.shape)
    lik = semantic_bayes(T, p_x)
    mc = float(np.mean(np.log2(lik[i, j])))
    # standard error of a mean of O(1) terms over 4e5 draws is ~ 2e-3; allow 5 sigma
    sd = float(np.std(np.log2(lik[i, j]))) / math.sqrt(n)
    expected = semantic_mutual_information(T, p_xy) - entropy(p_x)
    assert abs(mc - expected) < 5 * sd


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize(
    "T, p_x, match",
    [
        ([[1.5, 0.2]], [1.0], r"T must lie in \[0, 1\]"),
        ([[-0.1, 0.2]], [1.0], r"T must lie in \[0, 1\]"),
        ([[1.0, 0.0], [0.5, 0.0]], [0.5, 0.5], "column 1 is all zero"),
        ([[1.0], [0.5]], [0.5, 0.4], "p_x must sum to 1"),
        ([[1.0], [0.5]], [1.0], "p_x must have length 2"),
        ([1.0, 0.5], [0.5, 0.5], "T must be 2-D"),
        ([[np.nan], [0.5]], [0.5, 0.5], "T must be finite"),
        ([[1.0], [0.0]], [0.0, 1.0], "logical probability 0"),
    ],
)
def test_bad_truth_or_source(T, p_x, match):
    with pytest.raises(ValueError, match=match):
        semantic_information(T, p_x)


def test_bad_joint_and_channel():
    T = np.ones((2, 2))
    with pytest.raises(ValueError, match=r"p_xy must have the shape of T"):
        semantic_mutual_information(T, np.full((2, 3), 1 / 6))
    with pytest.raises(ValueError, match="p_xy must sum to 1"):
        semantic_mutual_information(T, np.full((2, 2), 0.3))
    with pytest.raises(ValueError, match="p_y_given_x must sum to 1 along each row"):
        truth_from_channel([[0.5, 0.6], [0.5, 0.5]])
    with pytest.raises(ValueError, match="column 1 is all zero"):
        truth_from_channel([[1.0, 0.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="base must be"):
        semantic_information(T, [0.5, 0.5], base=1)
    with pytest.raises(TypeError, match="T must hold numbers, not strings"):
        semantic_information(np.array([["a", "b"]]), [1.0])
    with pytest.raises(ValueError, match="widths must be > 0"):
        gaussian_truth([0.0, 1.0], 0.0, 0.0)
    with pytest.raises(ValueError, match="puts mass on x_1 where p_x is 0"):
        truth_from_likelihood([[0.5], [0.5]], [1.0, 0.0])


# ---------------------------------------------------------------- array API

def test_array_api_matches_numpy(xp, rng):
    p_x, channel, p_xy, T = random_problem(rng, 6, 3)
    Tx, pxx, pxyx = xp.asarray(T), xp.asarray(p_x), xp.asarray(p_xy)
    info = semantic_information(Tx, pxx)
    assert type(info) is type(Tx)
    np.testing.assert_allclose(to_numpy(info), np.log2(T / (p_x @ T)), rtol=1e-12)
    G = semantic_mutual_information(Tx, pxyx)
    assert float(G) == pytest.approx(brute_G(T, p_xy, p_x), rel=1e-12)
    assert float(semantic_information_loss(Tx, pxyx)) == pytest.approx(
        mutual_information(p_xy) - brute_G(T, p_xy, p_x), rel=1e-10)
    np.testing.assert_allclose(to_numpy(semantic_bayes(Tx, pxx)).sum(0), 1.0, rtol=1e-12)
    Ts = truth_from_channel(xp.asarray(channel))
    assert float(semantic_mutual_information(Ts, pxyx)) == pytest.approx(
        mutual_information(p_xy), rel=1e-10)
    assert float(coverage_entropy(Tx, pxyx)) - float(fuzzy_entropy(Tx, pxyx)) == \
        pytest.approx(float(G), abs=1e-12)
    np.testing.assert_array_equal(to_numpy(semantic_classify(Tx, pxx)),
                                  np.argmax(np.log(T / (p_x @ T)), axis=1))
    g = gaussian_truth(xp.asarray(np.linspace(0, 1, 5)), 0.5, 0.2)
    np.testing.assert_allclose(to_numpy(g)[:, 0],
                               np.exp(-(np.linspace(0, 1, 5) - 0.5) ** 2 / 0.08), rtol=1e-12)


def test_truth_from_samples_ignores_how_x_was_sampled(rng):
    # the same speakers (channel) observed under two very different P(x): same T*
    channel = np.array([[0.8, 0.2, 0.0], [0.5, 0.4, 0.1], [0.1, 0.6, 0.3], [0.0, 0.3, 0.7]])
    estimates = []
    for p_x in ([0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7]):
        x = rng.choice(4, size=200_000, p=p_x)
        u = rng.random(x.size)
        cdf = np.cumsum(channel, axis=1)[x]
        y = (u[:, None] > cdf).sum(axis=1)
        estimates.append(truth_from_samples(x, y, n_x=4, n_labels=3))
    exact = truth_from_channel(channel)
    # binomial sd of P(y|x) with >= 20000 draws per x is <= 0.0035, and dividing by a column
    # maximum >= 0.6 keeps the sd of T* below 0.006: allow 5 sd
    for T_hat in estimates:
        np.testing.assert_allclose(T_hat, exact, atol=0.03)
    # exact counts: same as the empirical channel's T*
    x = np.array([0, 0, 1, 1, 1, 2])
    y = np.array([0, 1, 1, 1, 0, 1])
    emp = np.array([[0.5, 0.5], [1 / 3, 2 / 3], [0.0, 1.0]])
    np.testing.assert_allclose(truth_from_samples(x, y), truth_from_channel(emp), rtol=1e-15)
    with pytest.raises(ValueError, match="label 2 never occurs"):
        truth_from_samples(x, y, n_labels=3)
    with pytest.raises(ValueError, match="y must have 6 entries along axis 0 to match x"):
        truth_from_samples(x, y[:3])
