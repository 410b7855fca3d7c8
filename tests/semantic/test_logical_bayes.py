"""LogicalBayesClassifier: brute-force maximum semantic information, specificity, P(x) change."""

import math

import numpy as np
import pytest

from probstat.semantic import (
    LogicalBayesClassifier,
    gaussian_truth,
    logistic_truth,
    semantic_kl,
)


def sample_ages(rng, n, age_sampler):
    """People of age x described by one of the labels true of them, chosen uniformly.

    Truth by definition: child < 18, youth 15-30, adult >= 18, elder >= 65. The speaker's
    channel P(y | x) does not depend on the age distribution P(x).
    """
    ages = age_sampler(n)
    labels = np.empty(n, dtype=object)
    for i, a in enumerate(ages):
        true = [name for name, ok in (("child", a < 18), ("youth", 15 <= a <= 30),
                                      ("adult", a >= 18), ("elder", a >= 65)) if ok]
        labels[i] = true[rng.integers(len(true))]
    return ages[:, None], labels.astype(str)


def test_gaussian_fit_is_the_brute_force_maximum(rng):
    x = np.concatenate([rng.normal(0, 1, 150), rng.normal(3, 1.5, 150)])
    y = np.repeat([0, 1], 150)
    clf = LogicalBayesClassifier().fit(x[:, None], y)
    # independent evaluation of I(X; theta) with the measure functions on a (c, w) grid:
    # P(x) is the empirical distribution of all x, P(x | y) that of the label's x
    p_x = np.full(x.size, 1 / x.size)
    for j in (0, 1):
        cond = (y == j) / np.sum(y == j)
        cs = np.linspace(-2, 5, 141)
        ws = np.linspace(0.3, 4, 75)
        C, Wd = np.meshgrid(cs, ws, indexing="ij")
        T = gaussian_truth(x, C.ravel(), Wd.ravel())
        info = semantic_kl(T, p_x, np.repeat(cond[:, None], T.shape[1], axis=1))
        best = int(np.argmax(info))
        # the optimiser's value is at least the grid maximum, and its parameters are in
        # the grid's best cell (grid steps 0.05 and 0.05)
        assert clf.semantic_kl_[j] >= info[best] - 1e-9
        assert clf.centers_[j, 0] == pytest.approx(C.ravel()[best], abs=0.06)
        assert clf.widths_[j, 0] == pytest.approx(Wd.ravel()[best], abs=0.06)
        T_fit = gaussian_truth(x, clf.centers_[j, 0], clf.widths_[j, 0])
        assert semantic_kl(T_fit, p_x, cond[:, None])[0] == pytest.approx(
            clf.semantic_kl_[j], rel=1e-9)


def test_logistic_fit_is_the_brute_force_maximum(rng):
    x = np.concatenate([rng.normal(0, 1, 200), rng.normal(2, 1, 200)])
    y = np.repeat([0, 1], 200)
    clf = LogicalBayesClassifier(truth_model="logistic", alpha=0.0).fit(x[:, None], y)
    p_x = np.full(x.size, 1 / x.size)
    cond = (y == 1) / 200.0
    ts = np.linspace(-1, 3, 161)
    ks = np.linspace(0.1, 6, 119)
    Tg, Kg = np.meshgrid(ts, ks, indexing="ij")
    T = logistic_truth(x, Tg.ravel(), Kg.ravel())
    info = semantic_kl(T, p_x, np.repeat(cond[:, None], T.shape[1], axis=1))
    assert clf.semantic_kl_[1] >= info.max() - 1e-9
    # slope and threshold of the fitted truth function T = sigmoid(k (x - t))
    k = clf.coef_[1, 0]
    t = -clf.intercept_[1] / k
    T_fit = logistic_truth(x, t, k)
    assert semantic_kl(T_fit, p_x, cond[:, None])[0] == pytest.approx(clf.semantic_kl_[1],
                                                                       rel=1e-9)


def test_prefers_the_more_specific_label(rng):
    X, y = sample_ages(rng, 4000, lambda n: rng.uniform(0, 90, n))
    clf = LogicalBayesClassifier().fit(X, y)
    truth = dict(zip(clf.classes_, clf.predict_truth([[25.0]])[0]))
    # "youth" and "adult" are both fairly true of a 25-year-old...
    assert truth["youth"] > 0.5 and truth["adult"] > 0.3
    # ...but youth is the narrower label, so it carries more information and wins
    assert clf.predict([[25.0]])[0] == "youth"
    assert clf.predict([[8.0], [45.0], [80.0]]).tolist() == ["child", "adult", "elder"]
    lp = dict(zip(clf.classes_, clf.logical_probabilities_))
    assert lp["youth"] < lp["adult"]


def test_truth_functions_survive_a_change_of_p_x():
    # Lu's argument for truth functions over posteriors: same speakers (same P(y|x)),
    # different age distributions -> same learned truth functions, different posteriors.
    rng = np.random.default_rng(11)
    young = lambda n: rng.uniform(0, 90, n) ** 1.0 * rng.uniform(0.4, 1.0, n)  # noqa: E731
    old = lambda n: 90 - (90 - rng.uniform(0, 90, n)) * rng.uniform(0.4, 1.0, n)  # noqa: E731
    X1, y1 = sample_ages(rng, 20_000, young)
    X2, y2 = sample_ages(rng, 20_000, old)
    a = LogicalBayesClassifier().fit(X1, y1)
    b = LogicalBayesClassifier().fit(X2, y2)
    j = list(a.classes_).index("youth")
    # the "youth" truth function (support 15-30, well inside both samples) barely moves
    assert a.centers_[j, 0] == pytest.approx(b.centers_[j, 0], abs=1.0)
    assert a.widths_[j, 0] == pytest.approx(b.widths_[j, 0], rel=0.1)
    # while the label frequencies (and so the posteriors) change a lot
    assert abs(a.label_prior_[j] - b.label_prior_[j]) > 0.05


def test_channel_and_information(rng):
    X = np.concatenate([rng.normal(0, 1, (100, 2)), rng.normal(3, 1, (100, 2))])
    y = np.repeat(["a", "b"], 100)
    clf = LogicalBayesClassifier().fit(X, y)
    ch = clf.predict_channel(X)
    np.testing.assert_allclose(ch.sum(1), 1.0, rtol=1e-12)
    info = clf.predict_information(X)
    truth = clf.predict_truth(X)
    np.testing.assert_allclose(info, np.log2(truth / clf.logical_probabilities_), rtol=1e-10)
    # the logical probability is the mean truth over the training x
    np.testing.assert_allclose(clf.logical_probabilities_, truth.mean(0), rtol=1e-10)
    # semantic Bayes channel: P(y|x) ~ P(y) T / T(theta)
    manual = clf.label_prior_ * truth / clf.logical_probabilities_
    np.testing.assert_allclose(ch, manual / manual.sum(1, keepdims=True), rtol=1e-10)
    flat = clf.predict_channel(X, label_prior=[0.5, 0.5])
    assert not np.allclose(flat, ch) or np.allclose(clf.label_prior_, 0.5)
    assert np.mean(clf.predict(X) == y) > 0.9
    np.testing.assert_array_equal(LogicalBayesClassifier().fit(X, y).predict(X), clf.predict(X))


def test_bad_input():
    X = np.zeros((4, 1))
    with pytest.raises(ValueError, match="'truth_model' parameter of LogicalBayesClassifier"):
        LogicalBayesClassifier(truth_model="box").fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="'min_width' parameter of LogicalBayesClassifier"):
        LogicalBayesClassifier(min_width=0).fit(X, [0, 1, 0, 1])
    clf = LogicalBayesClassifier().fit(np.arange(4.0)[:, None], [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"label_prior must have one entry per label \(2\)"):
        clf.predict_channel(X, label_prior=[1.0])
    assert math.isfinite(clf.semantic_kl_.sum())
