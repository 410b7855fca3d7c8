"""misclustering_error against brute force over label permutations."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.cluster import misclustering_error

labels = st.lists(st.integers(0, 3), min_size=1, max_size=30)


def _brute_force(a, b):
    # The authors' err_rate.m: enumerate every relabeling of the predicted clusters.
    a, b = np.asarray(a), np.asarray(b)
    names = np.unique(b)
    targets = list(range(max(4, names.size)))
    best = 1.0
    for perm in itertools.permutations(targets, names.size):
        mapped = np.asarray(perm)[np.searchsorted(names, b)]
        best = min(best, float(np.mean(mapped != a)))
    return best


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_matches_brute_force_and_is_relabeling_invariant(data):
    a = data.draw(labels)
    b = data.draw(st.lists(st.integers(0, 3), min_size=len(a), max_size=len(a)))
    err = misclustering_error(a, b)
    assert err == pytest.approx(_brute_force(a, b), abs=1e-12)
    relabel = np.array([2, 0, 3, 1])
    assert misclustering_error(a, relabel[np.asarray(b)]) == pytest.approx(err, abs=1e-12)
    assert misclustering_error(a, a) == 0.0


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        misclustering_error([0, 1], [0])
    with pytest.raises(ValueError, match="empty"):
        misclustering_error([], [])


@pytest.mark.parametrize("bad, error, match", [
    ([0, float("nan"), 1], ValueError, "labels_true must not contain NaN or inf"),
    (np.array([0, None, 1], dtype=object), TypeError, "labels_true must not contain None"),
    ([0, None, 1], TypeError, "labels_true must not contain None"),
    (np.array([0.0, np.inf, 1.0]), ValueError, "labels_true must not contain NaN or inf"),
    ([[0, 1, 1]], ValueError, "labels_true must be 1-D"),
    ([0, 1j, 1], TypeError, "labels_true must not hold complex"),
    (None, TypeError, "labels_true must be an array of labels"),
])
def test_nan_none_and_2d_labels_are_refused_by_name(bad, error, match):
    # A NaN label used to count as a class of its own.
    with pytest.raises(error, match=match):
        misclustering_error(bad, [0, 1, 1])
    with pytest.raises(error, match=match.replace("labels_true", "labels_pred")):
        misclustering_error([0, 1, 1], bad)


def test_any_hashable_labels():
    assert misclustering_error(["a", "a", "b", "b"], [1, 1, 0, 0]) == 0.0
    assert misclustering_error(["a", "a", "b"], ["x", "y", "y"]) == pytest.approx(1 / 3)
    mixed = np.array(["a", 1, ("t", 2), 1], dtype=object)  # mixed types do not sort
    assert misclustering_error(mixed, [0, 1, 2, 1]) == 0.0
    assert misclustering_error([True, False, True], [0, 1, 0]) == 0.0
