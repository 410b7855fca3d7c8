"""predict_proba / predict_log_proba of LogicalBayesClassifier and MMIClassifier.

References are brute-force Bayes computations written with loops and scipy.stats,
independent of the estimators' vectorised log-space code.
"""

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import log_loss

from probstat.semantic import LogicalBayesClassifier, MMIClassifier


@pytest.fixture
def two_groups():
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(0, 1, (12, 1)), rng.normal(2.5, 0.7, (9, 1))])
    y = np.repeat(["a", "b"], [12, 9])
    return X, y


def _brute_force_logical_bayes(clf, X_train, X):
    """P(y_j | x) = P(x | theta_j) / sum_k P(x | theta_k), semantic Bayes with loops."""
    n_labels = clf.classes_.size
    out = np.empty((X.shape[0], n_labels))

    def truth(j, x):
        if clf.truth_model == "gaussian":
            z = (x - clf.centers_[j]) / clf.widths_[j]
            return math.exp(-0.5 * float(z @ z))
        return 1.0 / (1.0 + math.exp(-(float(clf.coef_[j] @ x) + clf.intercept_[j])))

    # logical probabilities T(theta_j) = mean over the training x of T(theta_j | x)
    logical = [sum(truth(j, x) for x in X_train) / len(X_train) for j in range(n_labels)]
    for i, x in enumerate(X):
        lik = [truth(j, x) / logical[j] for j in range(n_labels)]  # P(x|theta_j) / P(x)
        total = sum(lik)
        out[i] = [v / total for v in lik]
    return out


@pytest.mark.parametrize("truth_model", ["gaussian", "logistic"])
def test_logical_bayes_proba_matches_brute_force(two_groups, truth_model):
    X, y = two_groups
    clf = LogicalBayesClassifier(truth_model=truth_model).fit(X, y)
    grid = np.linspace(-2, 4.5, 14)[:, None]
    proba = clf.predict_proba(grid)
    np.testing.assert_allclose(proba, _brute_force_logical_bayes(clf, X, grid), rtol=1e-9,
                               atol=1e-15)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(grid)), proba, rtol=1e-12)
    assert np.array_equal(clf.predict(grid), clf.classes_[np.argmax(proba, axis=1)])
    # the information decision rule and the probabilities agree
    assert np.array_equal(clf.predict(grid),
                          clf.classes_[np.argmax(clf.predict_information(grid), axis=1)])


@pytest.mark.parametrize("truth_model", ["gaussian", "logistic"])
def test_logical_bayes_proba_far_away_is_not_nan(two_groups, truth_model):
    X, y = two_groups
    clf = LogicalBayesClassifier(truth_model=truth_model).fit(X, y)
    far = np.array([[1e3], [-1e3], [1e160], [-1e200], [1e300]])
    with np.errstate(over="raise", invalid="raise"):
        proba = clf.predict_proba(far)
        log_proba = clf.predict_log_proba(far)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert not np.any(np.isnan(log_proba))
    assert np.array_equal(clf.predict(far), clf.classes_[np.argmax(proba, axis=1)])
    if truth_model == "gaussian":
        # far away the widest truth function decays slowest and takes the probability
        widest = np.argmax(clf.widths_[:, 0])
        assert np.all(np.argmax(proba[2:], axis=1) == widest)


def _brute_force_mmi(clf, X):
    """Softmax over labels of -KL(P(c|z) || P(c|y_j)) with scipy densities."""
    n_c = clf.classes_.size
    p_c_given_y = clf.class_prior_[:, None] * 2.0 ** clf.semantic_information_
    out = np.empty((X.shape[0], n_c))
    for i, z in enumerate(X):
        dens = np.array([clf.class_prior_[c] * multivariate_normal(
            clf.means_[c], clf.covariances_[c]).pdf(z) for c in range(n_c)])
        post = dens / dens.sum()
        w = np.empty(n_c)
        for j in range(n_c):
            kl = sum(p * math.log(p / p_c_given_y[c, j]) for c, p in enumerate(post) if p > 0)
            w[j] = math.exp(-kl)
        out[i] = w / w.sum()
    return out


def test_mmi_proba_matches_brute_force():
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal(0, 1, (40, 2)), rng.normal((2.0, 1.0), 1, (15, 2)),
                        rng.normal((0.0, 2.5), 0.8, (10, 2))])
    y = np.repeat([0, 1, 2], [40, 15, 10])
    clf = MMIClassifier().fit(X, y)
    Z = rng.normal(1.0, 1.5, (25, 2))
    proba = clf.predict_proba(Z)
    np.testing.assert_allclose(proba, _brute_force_mmi(clf, Z), rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(Z)), proba, rtol=1e-12)
    assert np.array_equal(clf.predict(Z), clf.classes_[np.argmax(proba, axis=1)])


def test_mmi_proba_where_every_label_is_falsified():
    # classes so far apart that each label's training cells hold a single class: every
    # P(c | y_j) off the diagonal is exactly 0, and between two classes every label is
    # falsified. The probabilities go to the labels with the least falsified posterior mass.
    rng = np.random.default_rng(5)
    X = np.concatenate([rng.normal(c, 1, (20, 1)) for c in (0.0, 100.0, 200.0)])
    y = np.repeat([0, 1, 2], 20)
    clf = MMIClassifier().fit(X, y)
    assert np.isinf(clf.semantic_information_[0, 1])
    Z = np.array([[0.0], [45.0], [55.0], [150.0], [1e6], [-1e6]])
    with np.errstate(invalid="raise"):
        proba = clf.predict_proba(Z)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(1), 1.0)
    # the label of the most probable class wins: the posterior mass that falsifies a
    # class's own label is 1 - P(c | z), smallest for the largest class posterior
    log_dens = np.stack([multivariate_normal(clf.means_[c], clf.covariances_[c]).logpdf(Z)
                         + math.log(clf.class_prior_[c]) for c in range(3)], axis=1)
    np.testing.assert_array_equal(clf.predict(Z), np.argmax(log_dens, axis=1))
    assert clf.predict(Z)[0] == 0 and clf.predict(Z)[3] in (1, 2)
    np.testing.assert_array_equal(np.argmax(proba, axis=1), clf.predict(Z))


def test_probabilities_work_with_log_loss_and_calibration(two_groups):
    X, y = two_groups
    for clf in (LogicalBayesClassifier(), MMIClassifier()):
        clf.fit(X, y)
        loss = log_loss(y, clf.predict_proba(X), labels=clf.classes_)
        assert np.isfinite(loss) and loss > 0
        # the same number from the log-probabilities of the true labels
        idx = np.searchsorted(clf.classes_, y)
        own = -np.mean(clf.predict_log_proba(X)[np.arange(y.size), idx])
        assert loss == pytest.approx(own, rel=1e-9)
        cal = CalibratedClassifierCV(type(clf)(), method="sigmoid", cv=3).fit(X, y)
        p = cal.predict_proba(X)
        assert p.shape == (y.size, 2)
        np.testing.assert_allclose(p.sum(1), 1.0)
