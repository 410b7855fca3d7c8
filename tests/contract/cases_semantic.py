"""Contract cases for probstat.semantic."""

from __future__ import annotations

import numpy as np

from probstat import semantic

from ._cases import Case

#: Truth functions T[i, j] = T(theta_j | x_i) (all positive, so that s < 0 is allowed).
T = np.array([[1.0, 0.2], [0.6, 0.7], [0.1, 1.0]])
P_X = np.array([0.2, 0.3, 0.5])
#: A joint sample distribution with row marginal P_X.
P_XY = np.array([[0.15, 0.05], [0.1, 0.2], [0.05, 0.45]])
#: Its sampling distributions P(x | y_j) (columns sum to one) and channel P(y | x).
P_X_GIVEN_Y = P_XY / P_XY.sum(axis=0)
P_Y_GIVEN_X = P_XY / P_XY.sum(axis=1, keepdims=True)
GRID = np.array([0.0, 0.5, 1.0, 2.0])

_rng = np.random.default_rng(0)
#: Two small, well separated groups of 2-D points and their classes.
X_SMALL = np.concatenate([_rng.normal(0.0, 1.0, (8, 2)), _rng.normal(4.0, 1.0, (6, 2))])
Y_SMALL = np.repeat([0, 1], [8, 6])
X_1D = np.concatenate([_rng.normal(0.0, 1.0, (8, 1)), _rng.normal(3.0, 1.0, (6, 1))])

#: Numbers (0-d) and arrays of another rank broadcast against the other argument (documented).
BROADCAST = {"zero_d", "extra_dim"}
#: None is the documented default of an optional array argument (it is then derived).
OPTIONAL = {"none"}
#: Class labels of a classifier may be any values, strings included.
CLASS_LABELS = {"y:strings": "class labels may be strings"}


def _measure(name, f, arrays, kinds, paired=(), **extra):
    return Case(f"probstat.semantic.{name}", lambda base, **a: f(**a, base=base),
                arrays=arrays, params={"base": 2}, kinds=kinds, paired=paired, **extra)


def _channel_methods(T, p_x, base):
    ch = semantic.SemanticChannel(T, p_x)
    return (ch.T, ch.p_x, ch.logical_probability(), ch.likelihood(),
            ch.information(base=base), ch.distortion(base=base), ch.classify())


def _channel_joint(T, p_x, p_xy, p_x_given_y, base):
    ch = semantic.SemanticChannel(T, p_x)
    return (ch.mutual_information(p_xy, base=base), ch.information_loss(p_xy, base=base),
            ch.kl(p_x_given_y, base=base))


def _curve_values(curve):
    """A curve's values, without the iteration counts (which float32 rounding may change)."""
    second = curve.G if hasattr(curve, "G") else curve.D
    return curve.s, curve.R, second, curve.p_y, curve.converged, curve.channel(0)


def _cm_gmm(X, sample_weight, **params):
    est = semantic.CMGaussianMixture(2, random_state=0, **params)
    est.fit(X, sample_weight=sample_weight)
    return est, est.predict_proba(X), est.score_samples(X), est.predict(X), est.sample(3)


def _mmi_classifier(X, y, **params):
    est = semantic.MMIClassifier(**params).fit(X, y)
    return (est, est.predict(X), est.predict_information(X), est.predict_proba(X),
            est.predict_log_proba(X))


def _logical_bayes(X, y, **params):
    est = semantic.LogicalBayesClassifier(**params).fit(X, y)
    return (est, est.predict(X), est.predict_truth(X), est.predict_channel(X),
            est.predict_proba(X), est.predict_log_proba(X))


_T_PX = {"T": T, "p_x": P_X}
_T_PXY = {"T": T, "p_xy": P_XY}
_K_T_PX = {"p_x": "prob"}
_K_T_PXY = {"p_xy": "joint"}
_PAIR_T_PX = (("T", "p_x"),)
_PAIR_T_PXY = (("T", "p_xy"),)

CASES = [
    # ------------------------------------------------------------------ measures
    Case("probstat.semantic.logical_probability", semantic.logical_probability,
         arrays=_T_PX, kinds=_K_T_PX, paired=_PAIR_T_PX),
    Case("probstat.semantic.semantic_bayes", semantic.semantic_bayes,
         arrays=_T_PX, kinds=_K_T_PX, paired=_PAIR_T_PX),
    Case("probstat.semantic.semantic_classify", semantic.semantic_classify,
         arrays=_T_PX, kinds=_K_T_PX, paired=_PAIR_T_PX),
    _measure("semantic_information", semantic.semantic_information, _T_PX, _K_T_PX,
             _PAIR_T_PX),
    _measure("semantic_kl", semantic.semantic_kl,
             {**_T_PX, "p_x_given_y": P_X_GIVEN_Y},
             {**_K_T_PX, "p_x_given_y": "stochastic"}, (*_PAIR_T_PX, ("T", "p_x_given_y"))),
    _measure("semantic_mutual_information", semantic.semantic_mutual_information, _T_PXY,
             _K_T_PXY, _PAIR_T_PXY),
    _measure("semantic_mutual_information", semantic.semantic_mutual_information,
             {**_T_PXY, "p_x": P_X}, {**_K_T_PXY, **_K_T_PX},
             (*_PAIR_T_PXY, *_PAIR_T_PX), id="p_x", accepts={"p_x": OPTIONAL}),
    Case("probstat.semantic.semantic_information_loss",
         lambda T, p_xy, base, per_label: semantic.semantic_information_loss(
             T, p_xy, base=base, per_label=per_label),
         arrays=_T_PXY, params={"base": 2, "per_label": False}, kinds=_K_T_PXY,
         paired=_PAIR_T_PXY, bad_params={"per_label": [1, "yes", None]}),
    Case("probstat.semantic.semantic_information_loss",
         lambda T, p_xy, base, per_label: semantic.semantic_information_loss(
             T, p_xy, base=base, per_label=per_label),
         arrays=_T_PXY, params={"base": 2, "per_label": True}, kinds=_K_T_PXY,
         paired=_PAIR_T_PXY, id="per_label"),
    _measure("coverage_entropy", semantic.coverage_entropy, _T_PXY, _K_T_PXY, _PAIR_T_PXY),
    _measure("coverage_entropy", semantic.coverage_entropy, {**_T_PXY, "p_x": P_X},
             {**_K_T_PXY, **_K_T_PX}, (*_PAIR_T_PXY, *_PAIR_T_PX), id="p_x",
             accepts={"p_x": OPTIONAL}),
    _measure("fuzzy_entropy", semantic.fuzzy_entropy, _T_PXY, _K_T_PXY, _PAIR_T_PXY),
    _measure("semantic_cross_entropy", semantic.semantic_cross_entropy, _T_PXY, _K_T_PXY,
             _PAIR_T_PXY),
    _measure("semantic_distortion", semantic.semantic_distortion, {"T": T}, {}),
    Case("probstat.semantic.truth_from_channel", semantic.truth_from_channel,
         arrays={"p_y_given_x": P_Y_GIVEN_X}, kinds={"p_y_given_x": "stochastic"}),
    Case("probstat.semantic.truth_from_likelihood", semantic.truth_from_likelihood,
         arrays={"likelihood": P_X_GIVEN_Y, "p_x": P_X},
         kinds={"likelihood": "stochastic", "p_x": "prob"}, paired=(("likelihood", "p_x"),)),
    Case("probstat.semantic.truth_from_samples",
         lambda x, y, n_x, n_labels: semantic.truth_from_samples(x, y, n_x=n_x,
                                                                n_labels=n_labels),
         arrays={"x": np.array([0, 0, 1, 1, 2, 2, 2]), "y": np.array([0, 1, 1, 1, 0, 1, 1])},
         params={"n_x": 3, "n_labels": 2}, kinds={"x": "labels", "y": "labels"},
         paired=(("x", "y"),), host=True,
         bad_params={"n_x": [0, 2.5, "3"], "n_labels": [0, -1, 1.5, "2"]}),
    Case("probstat.semantic.information_efficiency", semantic.information_efficiency,
         arrays={"G": np.array([0.2, 0.5, -0.1]), "R": np.array([0.4, 1.0, 0.3])},
         paired=(("G", "R"),), accepts={"G": BROADCAST, "R": BROADCAST}),
    Case("probstat.semantic.gaussian_truth", semantic.gaussian_truth,
         arrays={"x": GRID, "centers": np.array([0.0, 1.0, 2.5]),
                 "widths": np.array([0.5, 1.0, 2.0])},
         paired=(("centers", "widths"),),
         accepts={"centers": {"zero_d"}, "widths": {"zero_d"}}),
    Case("probstat.semantic.logistic_truth", semantic.logistic_truth,
         arrays={"x": GRID, "thresholds": np.array([0.0, 1.0, 2.5]),
                 "slopes": np.array([1.0, -2.0, 0.5])},
         paired=(("thresholds", "slopes"),),
         accepts={"thresholds": {"zero_d"}, "slopes": {"zero_d"}}),
    # ------------------------------------------------------------------ the channel object
    Case("probstat.semantic.SemanticChannel", _channel_methods, arrays=_T_PX,
         params={"base": 2}, kinds=_K_T_PX, paired=_PAIR_T_PX),
    Case("probstat.semantic.SemanticChannel", _channel_joint,
         arrays={**_T_PX, "p_xy": P_XY, "p_x_given_y": P_X_GIVEN_Y}, params={"base": 2},
         kinds={**_K_T_PX, **_K_T_PXY, "p_x_given_y": "stochastic"},
         paired=(*_PAIR_T_PX, *_PAIR_T_PXY, ("T", "p_x_given_y")), id="joint"),
    Case("probstat.semantic.SemanticChannel",
         lambda p_y_given_x, p_x: semantic.SemanticChannel.from_shannon_channel(
             p_y_given_x, p_x).T,
         arrays={"p_y_given_x": P_Y_GIVEN_X, "p_x": P_X},
         kinds={"p_y_given_x": "stochastic", "p_x": "prob"},
         paired=(("p_y_given_x", "p_x"),), id="from_shannon_channel"),
    # ------------------------------------------------------------------ R(G) and R(D)
    Case("probstat.semantic.rate_fidelity",
         lambda T, p_x, s, **p: _curve_values(semantic.rate_fidelity(T, p_x, s, **p)),
         arrays={**_T_PX, "s": np.array([-1.0, 0.5, 2.0])},
         params={"tol": 1e-10, "max_iter": 1000, "base": 2}, kinds=_K_T_PX,
         paired=_PAIR_T_PX, accepts={"s": {"zero_d"}}, rtol=1e-6, atol=1e-9),
    Case("probstat.semantic.rate_fidelity",
         lambda T, p_x, p_y0: semantic.rate_fidelity(T, p_x, [0.5, 2.0], p_y0=p_y0),
         arrays={**_T_PX, "p_y0": np.array([0.3, 0.7])},
         kinds={**_K_T_PX, "p_y0": "prob"}, paired=_PAIR_T_PX, rtol=1e-6, atol=1e-9,
         accepts={"p_y0": OPTIONAL}, id="p_y0"),
    Case("probstat.semantic.rate_distortion",
         lambda d, p_x, s, **p: _curve_values(semantic.rate_distortion(d, p_x, s, **p)),
         arrays={"d": np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0]]),
                 "p_x": P_X, "s": np.array([-2.0, -0.5])},
         params={"tol": 1e-10, "max_iter": 1000, "base": 2}, kinds={"p_x": "prob"},
         paired=(("d", "p_x"),), accepts={"s": {"zero_d"}}, rtol=1e-6, atol=1e-9),
    Case("probstat.semantic.rate_distortion",
         lambda d: semantic.rate_distortion(d, [0.2, 0.3, 0.5], [-2.0, -0.5]),
         arrays={"d": np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 1.0], [2.0, 1.0, 0.0]])},
         rtol=1e-6, atol=1e-9, id="curve"),
    # ------------------------------------------------------------------ channels' matching
    Case("probstat.semantic.mmi_partition",
         lambda p_x, p_z_given_x, init_labels, **p: semantic.mmi_partition(
             p_x, p_z_given_x, init_labels, **p),
         arrays={"p_x": np.array([0.6, 0.4]),
                 "p_z_given_x": np.array([[0.5, 0.3, 0.15, 0.05], [0.05, 0.15, 0.3, 0.5]]),
                 "init_labels": np.array([0, 1, 0, 1])},
         params={"n_labels": 2, "max_iter": 20, "verbose": 0},
         kinds={"p_x": "prob", "p_z_given_x": "stochastic", "init_labels": "labels"},
         paired=(("p_x", "p_z_given_x"),), host=True,
         bad_params={"n_labels": [0, 1.5, "2"]}),
    Case("probstat.semantic.MMIClassifier", _mmi_classifier,
         arrays={"X": X_SMALL, "y": Y_SMALL},
         params={"max_iter": 20, "reg_covar": 1e-6, "verbose": 0}, paired=(("X", "y"),),
         host=True, skip=CLASS_LABELS, bad_params={"reg_covar": [-1.0, "small"]}),
    Case("probstat.semantic.CMGaussianMixture", _cm_gmm,
         arrays={"X": X_SMALL, "sample_weight": np.linspace(0.5, 2.0, 14)},
         params={"tol": 1e-3, "max_iter": 50, "verbose": 0},
         kinds={"sample_weight": "weights"}, paired=(("X", "sample_weight"),), host=True,
         accepts={"sample_weight": {"none"}}, tol32=1e-3,
         bad_params={"n_components": [0, 1.5, "2"], "covariance_type": ["shared", 1],
                     "n_init": [0, 1.5, "2"],
                     "algorithm": ["fast", None], "reg_covar": [-1.0],
                     "inner_tol": [-1.0], "max_inner_iter": [0, 2.5],
                     "init_params": ["k-means++"], "bin_volume": [0.0, -1.0, "1"],
                     "weights_init": ["uniform"]}),
    Case("probstat.semantic.CMGaussianMixture",
         lambda X, **p: _cm_gmm(X, None, **p)[:2],
         arrays={"X": X_1D},
         params={"algorithm": "em", "covariance_type": "diag", "max_iter": 50},
         host=True, tol32=1e-3, id="em_diag"),
    Case("probstat.semantic.CMGaussianMixture",
         lambda X, **p: _cm_gmm(X, None, **p)[:2],
         arrays={"X": X_SMALL},
         params={"covariance_type": "tied", "n_init": 2, "max_iter": 50},
         host=True, tol32=1e-3, id="tied_n_init"),
    Case("probstat.semantic.MMIClassifier", _mmi_classifier,
         arrays={"X": X_SMALL, "y": Y_SMALL},
         params={"class_model": "histogram", "n_bins": 3, "max_iter": 20, "n_init": 4,
                 "random_state": 0},
         paired=(("X", "y"),), host=True, skip=CLASS_LABELS, id="histogram",
         bad_params={"class_model": ["kde", 1], "n_bins": [0, 2.5, "3"],
                     "n_init": [0, 1.5, "2"], "random_state": [-1, "seed"]}),
    Case("probstat.semantic.LogicalBayesClassifier", _logical_bayes,
         arrays={"X": X_1D, "y": Y_SMALL},
         params={"truth_model": "gaussian", "max_iter": 200}, paired=(("X", "y"),),
         host=True, skip=CLASS_LABELS,
         bad_params={"truth_model": ["box", 1], "min_width": [0.0, -1.0, "0.1"],
                     "alpha": [-1.0]}),
    Case("probstat.semantic.LogicalBayesClassifier", _logical_bayes,
         arrays={"X": X_SMALL, "y": Y_SMALL},
         params={"truth_model": "logistic", "max_iter": 200}, paired=(("X", "y"),),
         host=True, skip=CLASS_LABELS, id="logistic"),
    # ------------------------------------------------------------------ confirmation
    Case("probstat.semantic.channel_confirmation", semantic.channel_confirmation,
         arrays={"p_e_given_h": np.array([0.9, 0.2, 0.5]),
                 "p_e_given_not_h": np.array([0.1, 0.4, 0.5])},
         paired=(("p_e_given_h", "p_e_given_not_h"),),
         accepts={"p_e_given_h": BROADCAST, "p_e_given_not_h": BROADCAST}),
    Case("probstat.semantic.kemeny_oppenheim", semantic.kemeny_oppenheim,
         arrays={"p_e_given_h": np.array([0.9, 0.2, 0.5]),
                 "p_e_given_not_h": np.array([0.1, 0.4, 0.5])},
         paired=(("p_e_given_h", "p_e_given_not_h"),),
         accepts={"p_e_given_h": BROADCAST, "p_e_given_not_h": BROADCAST}),
    Case("probstat.semantic.prediction_confirmation", semantic.prediction_confirmation,
         arrays={"positives": np.array([3.0, 1.0, 10.0]),
                 "counterexamples": np.array([1.0, 3.0, 0.0])},
         kinds={"positives": "counts", "counterexamples": "counts"},
         paired=(("positives", "counterexamples"),),
         accepts={"positives": BROADCAST, "counterexamples": BROADCAST}),
    Case("probstat.semantic.medical_test_confirmation",
         lambda sensitivity, specificity, prevalence: semantic.medical_test_confirmation(
             sensitivity, specificity, prevalence),
         params={"sensitivity": 0.9, "specificity": 0.95, "prevalence": 0.01},
         bad_params={"sensitivity": [1.5, -0.1, float("nan"), "0.9", None],
                     "specificity": [1.5, -0.1, float("inf"), "0.95"],
                     "prevalence": [0.0, 1.0, "0.01", None]}),
    Case("probstat.semantic.kelly_growth_rate",
         lambda p_true, bets, odds, base: semantic.kelly_growth_rate(p_true, bets, odds,
                                                                     base=base),
         arrays={"p_true": np.array([0.5, 0.3, 0.2]), "bets": np.array([0.4, 0.4, 0.2]),
                 "odds": np.array([2.0, 3.0, 5.0])},
         params={"base": 2}, kinds={"p_true": "prob", "bets": "prob"},
         paired=(("p_true", "bets"), ("p_true", "odds"))),
]

EXEMPT = {"probstat.semantic.demo": "exercised by tests/test_tour.py"}
