import numpy as np
import pytest

from probstat.utils import (
    check_joint,
    check_probability_vector,
    check_rng,
    check_scalar_in,
    check_stochastic_matrix,
    progress,
)


def test_probability_vector_accepts_and_clips():
    p = check_probability_vector([0.5, 0.5 + 1e-12, -1e-12])
    assert p.dtype == np.float64
    assert p.min() == 0.0
    out = check_probability_vector([2, 2], normalize=True)
    np.testing.assert_array_equal(out, [0.5, 0.5])


@pytest.mark.parametrize("bad, exc, match", [
    ([0.2, 0.2], ValueError, r"q must sum to 1 \(got 0.4\)"),
    ([0.5, np.inf], ValueError, "q must be finite"),
    (np.ones((2, 2)) / 4, ValueError, "q must be 1-D"),
    (["a", "b"], TypeError, "q must hold numbers, not strings"),
])
def test_probability_vector_errors_name_argument(bad, exc, match):
    with pytest.raises(exc, match=match):
        check_probability_vector(bad, name="q")


def test_normalize_rejects_zero_sum():
    with pytest.raises(ValueError, match="positive sum"):
        check_probability_vector([0.0, 0.0], normalize=True)


def test_joint_and_stochastic():
    P = check_joint([[0.25, 0.25], [0.25, 0.25]])
    assert P.shape == (2, 2)
    with pytest.raises(ValueError, match="must not be empty"):
        check_joint(np.zeros((0, 3)))
    W = check_stochastic_matrix([[0.5, 0.5], [1.0, 0.0]])
    assert W.shape == (2, 2)
    with pytest.raises(ValueError, match="along each row"):
        check_stochastic_matrix([[0.5, 0.4], [1.0, 0.0]])
    check_stochastic_matrix([[0.5, 1.0], [0.5, 0.0]], axis=0)


def test_check_rng_types():
    assert check_rng(3).random() == check_rng(3).random()
    g = np.random.default_rng(1)
    assert check_rng(g) is g
    a = check_rng(np.random.RandomState(5)).random()
    b = check_rng(np.random.RandomState(5)).random()
    assert a == b
    assert isinstance(check_rng(None), np.random.Generator)
    with pytest.raises(TypeError, match="random_state must be"):
        check_rng("seed")
    with pytest.raises(TypeError):
        check_rng(1.5)
    with pytest.raises(ValueError, match="non-negative"):
        check_rng(-1)


def test_check_scalar_in():
    assert check_scalar_in(3, "n", low=1, integer=True) == 3
    with pytest.raises(ValueError, match="n must be >= 1"):
        check_scalar_in(0, "n", low=1, integer=True)
    with pytest.raises(TypeError, match="n must be an integer"):
        check_scalar_in(1.5, "n", integer=True)
    with pytest.raises(ValueError, match="tol must be > 0"):
        check_scalar_in(0.0, "tol", low=0, low_inclusive=False)
    with pytest.raises(ValueError, match="finite"):
        check_scalar_in(np.nan, "tol")
    with pytest.raises(TypeError):
        check_scalar_in(True, "tol")


def test_progress_respects_config():
    import probstat

    items = [1, 2, 3]
    assert progress(items) is items
    with probstat.config_context(show_progress=True):
        bar = progress(items, disable=True)
        assert list(bar) == items
        assert type(bar).__name__ != "list"
