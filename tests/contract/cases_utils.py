"""Contract cases for probstat.utils, probstat.datasets and probstat.plotting."""

from __future__ import annotations

import dataclasses

import numpy as np

from probstat import datasets, plotting, utils

from ._cases import Case

P = np.array([0.5, 0.3, 0.2])
Q = np.array([0.2, 0.2, 0.6])
JOINT = np.array([[0.3, 0.1], [0.05, 0.25], [0.1, 0.2]])
X = np.random.default_rng(0).normal(size=(6, 3))
STACK = np.stack([JOINT * 40, JOINT[::-1] * 7])  # two count tables, shape (2, 3, 2)

#: Bad values of the measures' axis (an int or None); "2" is out of range for 1-D input.
BAD_AXIS = [5, -5, 1.5, "0", True]
#: Bad values of the table measures' axis (a pair of distinct axes).
BAD_TABLE_AXIS = [(0, 0), (0, 5), 0, (0, 1, 2), (0, None), None, "ab"]

# The measures take non-negative weights and normalise them, as scipy.stats.entropy does
# (kind "distribution": rescaled input gives the same result, negative or all-zero weights
# are refused). They work on any number of dimensions (one value per slice along ``axis``),
# so an extra leading dimension is a valid input.
_ND = {"extra_dim"}


def _measure(name, f, *, axis=0, bad_axis=BAD_AXIS, case_id="", **arrays):
    kinds = dict.fromkeys(arrays, "distribution")
    return Case(f"probstat.utils.{name}", lambda base, axis, **a: f(**a, base=base, axis=axis),
                arrays=arrays, params={"base": 2, "axis": axis}, kinds=kinds,
                bad_params={"axis": list(bad_axis)}, accepts=dict.fromkeys(arrays, _ND),
                id=case_id)


CASES = [
    _measure("entropy", utils.entropy, pk=P),
    # qk=None is valid: entropy(pk) instead of the relative entropy
    dataclasses.replace(_measure("entropy", utils.entropy, pk=P, qk=Q, case_id="relative"),
                        accepts={"pk": _ND, "qk": _ND | {"none"}}),
    _measure("entropy", utils.entropy, pk=JOINT, axis=1, case_id="rows"),
    Case("probstat.utils.entropy", lambda pk, qk: utils.entropy(pk, qk, 2, 0),
         arrays={"pk": P * 3, "qk": Q}, kinds={"pk": "distribution", "qk": "distribution"},
         accepts={"pk": _ND, "qk": _ND | {"none"}}, id="positional"),
    Case("probstat.utils.binary_entropy", lambda p, base: utils.binary_entropy(p, base=base),
         arrays={"p": np.array([0.1, 0.5, 0.9])}, params={"base": 2},
         accepts={"p": {"zero_d", "extra_dim"}}),
    _measure("cross_entropy", utils.cross_entropy, p=P, q=Q),
    _measure("kl_divergence", utils.kl_divergence, p=P, q=Q),
    _measure("kl_divergence", utils.kl_divergence, p=JOINT, q=JOINT[::-1], axis=None,
             case_id="flat", bad_axis=[2, 1.0, "0"]),
    _measure("mutual_information", utils.mutual_information, joint=JOINT, axis=(-2, -1),
             bad_axis=BAD_TABLE_AXIS),
    _measure("mutual_information", utils.mutual_information, joint=STACK, axis=(0, 2),
             bad_axis=BAD_TABLE_AXIS, case_id="stack"),
    _measure("conditional_entropy", utils.conditional_entropy, joint=JOINT, axis=(-2, -1),
             bad_axis=BAD_TABLE_AXIS),
    _measure("conditional_entropy", utils.conditional_entropy, joint=STACK, axis=(-1, -2),
             bad_axis=BAD_TABLE_AXIS, case_id="stack"),
    Case("probstat.utils.check_probability_vector",
         lambda p: utils.check_probability_vector(p, name="p"), arrays={"p": P},
         kinds={"p": "prob"}),
    Case("probstat.utils.check_joint", lambda joint: utils.check_joint(joint, name="joint"),
         arrays={"joint": JOINT}, kinds={"joint": "joint"}),
    Case("probstat.utils.check_stochastic_matrix",
         lambda W: utils.check_stochastic_matrix(W, name="W"),
         arrays={"W": JOINT / JOINT.sum(1, keepdims=True)}, kinds={"W": "stochastic"}),
    Case("probstat.utils.check_array", lambda X: utils.check_array(X, "X", ndim=2),
         arrays={"X": X}),
    Case("probstat.utils.check_labels",
         lambda labels, n_labels: utils.check_labels(labels, "labels", n_labels=n_labels),
         arrays={"labels": np.array([0, 2, 1, 1])}, params={"n_labels": 3},
         kinds={"labels": "labels"}),
    Case("probstat.utils.check_sample_weight",
         lambda sample_weight: utils.check_sample_weight(sample_weight, 4),
         arrays={"sample_weight": np.array([1.0, 0.5, 2.0, 0.0])},
         kinds={"sample_weight": "weights"}, accepts={"sample_weight": {"none"}}),
    Case("probstat.utils.check_same_length",
         lambda a, b: utils.check_same_length(("a", np.asarray(a)), ("b", np.asarray(b))),
         arrays={"a": np.zeros(3), "b": np.ones(3)}, paired=(("a", "b"),),
         skip={"ragged": "only lengths are checked", "strings": "only lengths are checked",
               "complex": "only lengths are checked", "nan": "only lengths are checked",
               "posinf": "only lengths are checked", "neginf": "only lengths are checked",
               "none": "takes arrays validated by the caller",
               "zero_d": "takes arrays validated by the caller",
               "extra_dim": "only lengths are checked", "empty": "only lengths are checked"},
         array_api="checks shapes only; returns None"),
    Case("probstat.utils.check_scalar_in",
         lambda value: utils.check_scalar_in(value, "value", low=0, high=1),
         params={"value": 0.5}, bad_params={"value": [-0.1, 1.5, float("nan"), "0.5", None,
                                                      True]}),
    Case("probstat.utils.check_option",
         lambda value: utils.check_option(value, "value", ("a", "b")),
         params={"value": "a"}, bad_params={"value": ["c", 1, None]}),
    Case("probstat.utils.check_bool", lambda value: utils.check_bool(value, "value"),
         params={"value": True}, bad_params={"value": [1, "True", None]}),
    Case("probstat.utils.check_verbose", lambda verbose: utils.check_verbose(verbose),
         params={"verbose": 2}, bad_params={"verbose": [-1, 1.5, None]}),
    Case("probstat.utils.check_callable",
         lambda value: utils.check_callable(value, "value") is value,
         params={"value": len}, bad_params={"value": [None, 3, "len"]}),
    Case("probstat.utils.check_sequence",
         lambda value: utils.check_sequence(value, "value", what="names"),
         params={"value": ("a", "b")}, bad_params={"value": ["ab", (), 3, None]}),
    Case("probstat.utils.check_rng", lambda random_state: utils.check_rng(random_state).random(),
         params={"random_state": 0}, bad_params={"random_state": [np.float64(1.0), "0"]}),
    Case("probstat.utils.sum_tolerance", lambda n: utils.sum_tolerance(np.float32, n),
         params={"n": 10}),
    Case("probstat.utils.progress",
         lambda verbose: list(utils.progress(range(3), verbose=verbose)),
         params={"verbose": False}),
    Case("probstat.utils.all_estimators", lambda type_filter: len(
        utils.all_estimators(type_filter)), params={"type_filter": "cluster"},
         bad_params={"type_filter": ["nonsense", 3]}),
    # datasets
    Case("probstat.datasets.load_wine_quality",
         lambda color: datasets.load_wine_quality(color).data[:5],
         params={"color": "red"}, bad_params={"color": ["blue", 1]}),
    Case("probstat.datasets.load_abalone", lambda: datasets.load_abalone().data[:5]),
    Case("probstat.datasets.get_data_home", lambda: str(datasets.get_data_home()) != ""),
    Case("probstat.datasets.make_dirichlet_distributions",
         lambda n_distributions, alpha, random_state: datasets.make_dirichlet_distributions(
             n_distributions, 4, alpha=alpha, random_state=random_state),
         params={"n_distributions": 3, "alpha": 1.0, "random_state": 0},
         bad_params={"n_distributions": [0, 2.5, "3"], "alpha": [0.0, -1.0, float("inf")]}),
    Case("probstat.datasets.make_heterogeneous_gmm",
         lambda n_samples, separation, random_state: datasets.make_heterogeneous_gmm(
             n_samples, 2, 2, separation=separation, return_params=True,
             random_state=random_state),
         params={"n_samples": 20, "separation": 4.0, "random_state": 0},
         bad_params={"n_samples": [0, -3, 2.5], "separation": [-1.0, float("nan")]}),
    Case("probstat.datasets.sdp_recovery_threshold",
         lambda n_samples: datasets.sdp_recovery_threshold(n_samples, 2, 3),
         params={"n_samples": 100}, bad_params={"n_samples": [0, "100", 1.5]}),
    # plotting
    Case("probstat.plotting.plot_distributions",
         lambda distributions: plotting.plot_distributions(distributions).get_title(),
         arrays={"distributions": np.stack([P, Q])}, kinds={"distributions": "stochastic"},
         array_api="draws a figure; returns matplotlib Axes",
         accepts={"distributions": {"extra_dim"}}),
    Case("probstat.plotting.get_axes", lambda: type(plotting.get_axes()).__name__),
]

EXEMPT = {}
