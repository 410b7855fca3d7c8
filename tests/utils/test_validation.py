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


# ------------------------------------------------------------- the input rule (contract)

from probstat.utils import (  # noqa: E402
    check_array,
    check_bool,
    check_labels,
    check_option,
    check_sample_weight,
    sum_tolerance,
)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble,
                                   np.int32, np.uint8, np.bool_])
def test_check_array_accepts_every_real_dtype_as_float64(dtype):
    x = np.array([[1, 0], [0, 1]], dtype=dtype)
    out = check_array(x, "X", ndim=2)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("bad, exc, match", [
    (None, TypeError, r"X must be an array of numbers \(got None\)"),
    ([1.0, None], TypeError, r"X must hold numbers \(found None\)"),
    (["1.5", "2"], TypeError, "X must hold numbers, not strings"),
    ("1.5", TypeError, "X must be an array of numbers, not a string"),
    ([1 + 2j], TypeError, "X must hold real numbers"),
    ([[1.0, 2.0], [3.0]], ValueError, "X must be a rectangular array"),
    ([1.0, np.nan], ValueError, r"X must be finite \(found NaN\)"),
    ([1.0, -np.inf], ValueError, r"X must be finite \(found inf\)"),
    ([], ValueError, "X must not be empty"),
    ([[[1.0]]], ValueError, "X must be 1-D or 2-D"),
    (np.array([object()]), TypeError, "X must hold real numbers"),
])
def test_check_array_refuses_by_name(bad, exc, match):
    with pytest.raises(exc, match=match):
        check_array(bad, "X", ndim=(1, 2))


def test_longdouble_beyond_float64_is_refused_not_silently_inf():
    big = np.array([np.finfo(np.longdouble).max / 2], dtype=np.longdouble)
    if np.finfo(np.longdouble).max <= np.finfo(np.float64).max:
        pytest.skip("longdouble is float64 on this platform")
    with pytest.raises(ValueError, match="X must be finite"):
        check_array(big, "X")


def test_float32_probabilities_are_accepted_and_renormalised():
    # float32 [0.6, 0.3, 0.1] sums to 1 + 1.2e-7: refused by a fixed 1e-9 tolerance before
    p32 = np.array([0.6, 0.3, 0.1], dtype=np.float32)
    assert abs(float(p32.astype(np.float64).sum()) - 1) > 1e-8
    p = check_probability_vector(p32)
    assert p.dtype == np.float64
    assert abs(p.sum() - 1.0) <= 2 * np.finfo(np.float64).eps
    # the same numbers announced as float64 are held to float64's tolerance
    with pytest.raises(ValueError, match="must sum to 1"):
        check_probability_vector(p32.astype(np.float64) * (1 + 1e-7))
    assert sum_tolerance(np.float32, 3) > 1e-6 and sum_tolerance(np.float64, 3) == 1e-8


def test_probability_vector_never_modifies_input():
    p = np.array([0.5, 0.5 + 1e-12, -1e-12])
    before = p.copy()
    check_probability_vector(p)
    np.testing.assert_array_equal(p, before)


def test_check_labels():
    np.testing.assert_array_equal(check_labels([0, 2.0, 1], n_labels=3), [0, 2, 1])
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\) \(got 5\)"):
        check_labels([0, 5, 0, 1], n_labels=3)
    with pytest.raises(ValueError, match=r"init_labels must be >= 0 \(got -1\)"):
        check_labels([0, -1], "init_labels")
    with pytest.raises(ValueError, match="labels must be integers"):
        check_labels([0, 0.5])
    with pytest.raises(ValueError, match="labels must be finite"):
        check_labels([0, np.nan])
    with pytest.raises(ValueError, match="labels must be 1-D"):
        check_labels([[0, 1]])
    with pytest.raises(ValueError, match="labels must have length 3"):
        check_labels([0, 1], n_samples=3)
    with pytest.raises(TypeError, match="labels must hold numbers, not strings"):
        check_labels(["0", "1"])


def test_check_sample_weight():
    np.testing.assert_array_equal(check_sample_weight(None, 3), np.ones(3))
    np.testing.assert_array_equal(check_sample_weight([1, 0, 2], 3), [1.0, 0.0, 2.0])
    with pytest.raises(ValueError, match="sample_weight must be non-negative"):
        check_sample_weight([1, -1, 2], 3)
    with pytest.raises(ValueError, match="sample_weight must not be all zero"):
        check_sample_weight([0, 0, 0], 3)
    with pytest.raises(ValueError, match="weights must have one weight per sample"):
        check_sample_weight([1, 1], 3, name="weights")
    with pytest.raises(ValueError, match="sample_weight must be finite"):
        check_sample_weight([1, np.nan, 1], 3)


def test_check_option_and_bool():
    assert check_option("bm", "solver", ("cvxpy", "bm")) == "bm"
    with pytest.raises(ValueError, match=r"solver must be one of 'cvxpy', 'bm' \(got 'x'\)"):
        check_option("x", "solver", ("cvxpy", "bm"))
    with pytest.raises(TypeError, match="solver must be one of"):
        check_option(3, "solver", ("cvxpy", "bm"))
    assert check_option(None, "axis", (None, 0, 1)) is None
    with pytest.raises(ValueError, match="axis must be one of"):
        check_option(True, "axis", (0, 1))
    assert check_bool(np.bool_(True), "flag") is True
    with pytest.raises(TypeError, match="flag must be True or False"):
        check_bool(1, "flag")


def test_scalar_rules_type_versus_value():
    with pytest.raises(TypeError, match=r"max_iter must be an integer \(got '5'\)"):
        check_scalar_in("5", "max_iter", low=1, integer=True)
    with pytest.raises(TypeError, match="max_iter must be an integer"):
        check_scalar_in(5.0, "max_iter", low=1, integer=True)
    with pytest.raises(ValueError, match=r"max_iter must be >= 1 \(got 0\)"):
        check_scalar_in(0, "max_iter", low=1, integer=True)
    with pytest.raises(ValueError, match="tol must be finite"):
        check_scalar_in(np.nan, "tol", low=0)
    assert check_scalar_in(np.float32(0.5), "tol") == 0.5


def test_check_sequence():
    from probstat.utils import check_sequence

    assert check_sequence(["a", "b"], "names") == ("a", "b")
    assert check_sequence((), "points", allow_empty=True) == ()
    with pytest.raises(TypeError, match="names must be a sequence of items"):
        check_sequence("ab", "names")
    with pytest.raises(TypeError, match="names must be a sequence"):
        check_sequence(3, "names")
    with pytest.raises(ValueError, match="names must hold at least one"):
        check_sequence([], "names")
