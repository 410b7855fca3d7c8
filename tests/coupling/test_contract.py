"""Regression tests: probstat.coupling under the package's contract.

One focused test per defect seen before the contract (local host fallbacks, positional
estimator options, float32 tolerances, two log-base conventions, the layout of the games,
reference code shipped in the package, numba loaded at import, plotting code spread over
the results), plus the bugs found while bringing the subpackage under it. The reference
values come from the float64 NumPy path, closed forms and probstat.utils' measures.
"""

import ast
import importlib.util
import inspect
import math
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import probstat
from probstat import coupling
from probstat.backend import HostFallbackWarning
from probstat.coupling import games
from probstat.utils import entropy

xps = pytest.importorskip("array_api_strict")
DEVICE = xps.Device("device1")
PACKAGE = Path(coupling.__file__).parent

P = np.array([0.6, 0.3, 0.1])  # not exact in float32: sums to 1 + 1.2e-7 there
Q = np.array([0.45, 0.35, 0.2])


def _strict(x):
    return xps.asarray(np.asarray(x), device=DEVICE)


def _is_strict(x):
    return isinstance(x, xps._array_object.Array) and x.device == DEVICE


# --------------------------------------------------------------------- host round trip


def test_no_local_host_fallback_helpers():
    """Every host round trip goes through probstat.backend.on_host."""
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        assert "warn_host_fallback" not in text, path
        assert "def _host(" not in text, path


def test_minimum_entropy_coupler_returns_the_input_namespace():
    X = np.array([[0.0, 5.0], [0.0, 5.0], [1.0, 6.0], [2.0, 6.0], [2.0, 7.0]])
    want = coupling.MinimumEntropyCoupler().fit(X)
    with probstat.config_context(array_api_dispatch=True):
        with pytest.warns(HostFallbackWarning):
            got = coupling.MinimumEntropyCoupler().fit(_strict(X))
        with pytest.warns(HostFallbackWarning):
            draws = got.sample(4, random_state=0)
    for name in ("indices", "masses"):
        assert _is_strict(getattr(got.coupling_, name))
    assert all(_is_strict(c) for c in got.categories_)
    assert all(_is_strict(m) for m in got.marginals_)
    assert _is_strict(draws)
    assert got.entropy_ == pytest.approx(want.entropy_, abs=1e-12)
    np.testing.assert_array_equal(np.asarray(xps.asarray(got.coupling_.masses,
                                                         device=xps.Device("CPU_DEVICE"))),
                                  want.coupling_.masses)


def test_results_hold_arrays_of_the_input_namespace():
    with probstat.config_context(array_api_dispatch=True), warnings.catch_warnings():
        warnings.simplefilter("ignore", HostFallbackWarning)
        mecb = coupling.mec_b(_strict(P), _strict(Q), 1.0)
        refined = coupling.ebim_refine(_strict(P), 0.7)
        curve = coupling.ebim_curve(_strict(P), _strict([0.5, 1.0]))
        batch = coupling.greedy_mec_batch(_strict(P[None]), _strict(Q[None]))
    for array in (mecb.encoder, mecb.decoder, mecb.joint, mecb.p_t,
                  mecb.coupling_ty.indices, mecb.coupling_ty.masses, refined.encoder,
                  refined.p_t, refined.deterministic_labels, curve.rates, curve.greedy,
                  batch.indices, batch.masses, batch.n_atoms):
        assert _is_strict(array)
    with probstat.config_context(array_api_dispatch=True), warnings.catch_warnings():
        warnings.simplefilter("ignore", HostFallbackWarning)
        assert _is_strict(batch[0].masses) and _is_strict(batch.entropy())
        assert _is_strict(mecb.coupling_ty.to_dense())


def test_ebim_greedy_stays_native_without_a_warning():
    with probstat.config_context(array_api_dispatch=True):
        with warnings.catch_warnings():
            warnings.simplefilter("error", HostFallbackWarning)
            r = coupling.ebim_greedy(_strict(P), 1.0)
        assert _is_strict(r.labels) and _is_strict(r.p_t) and _is_strict(r.encoder)


def test_no_warning_and_numpy_results_with_dispatch_off():
    with warnings.catch_warnings():
        warnings.simplefilter("error", HostFallbackWarning)
        c = coupling.greedy_mec(_strict(P), _strict(Q))
        m = coupling.MinimumEntropyCoupler().fit(_strict(np.array([[0.0], [1.0]])))
    assert isinstance(c.masses, np.ndarray)
    assert isinstance(m.coupling_.masses, np.ndarray)


def test_bottleneck_coupler_keeps_string_categories_on_the_host():
    X = np.array([[0.0], [0.0], [1.0], [2.0]])
    y = ["a", "b", "a", "c"]
    with probstat.config_context(array_api_dispatch=True), warnings.catch_warnings():
        warnings.simplefilter("ignore", HostFallbackWarning)
        bc = coupling.BottleneckCoupler(1.0).fit(_strict(X), y)
        draws = bc.sample_y(_strict(X), random_state=0)
        codes = bc.encode(_strict(X), random_state=0)
    assert bc.target_categories_.tolist() == ["a", "b", "c"]
    assert set(draws.tolist()) <= {"a", "b", "c"}
    assert _is_strict(bc.joint_) and _is_strict(bc.p_x_) and _is_strict(codes)


# ----------------------------------------------------------------------- parameters


@pytest.mark.parametrize("cls, first", [(coupling.MinimumEntropyCoupler, "method"),
                                        (coupling.BottleneckCoupler, "rate")])
def test_estimator_options_are_keyword_only_and_declared(cls, first):
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert params[0].name == first and params[0].kind == params[0].POSITIONAL_OR_KEYWORD
    assert all(p.kind == p.KEYWORD_ONLY for p in params[1:])
    assert set(cls._parameter_constraints) == {p.name for p in params}
    with pytest.raises(TypeError):
        cls(1.0, "greedy")


def test_random_state_is_keyword_only():
    with pytest.raises(TypeError):
        coupling.greedy_mec(P, Q).sample(2, 0)
    with pytest.raises(TypeError):
        coupling.MinimumEntropyCoupler().fit_marginals(P, Q).sample(2, 0)
    bc = coupling.BottleneckCoupler().fit(np.array([[0.0], [1.0]]))
    for name in ("encode", "sample_y"):
        with pytest.raises(TypeError):
            getattr(bc, name)(np.array([[0.0]]), 0)


# ------------------------------------------------------------------- dtypes, tolerances


ROUTINES = {
    "greedy_mec": lambda p, q: coupling.greedy_mec(p, q),
    "greedy_mec_batch": lambda p, q: coupling.greedy_mec_batch(p[None], q[None]),
    "mec_lower_bound": lambda p, q: coupling.mec_lower_bound(p, q),
    "exact_mec": lambda p, q: coupling.exact_mec(p, q),
    "ebim_greedy": lambda p, q: coupling.ebim_greedy(p, 1.0),
    "ebim_best_partition": lambda p, q: coupling.ebim_best_partition(p, 0.8),
    "ebim_refine": lambda p, q: coupling.ebim_refine(p, 0.7),
    "ebim_curve": lambda p, q: coupling.ebim_curve(p, [0.5, 1.0]),
    "uniform_quantizer": lambda p, q: coupling.uniform_quantizer(p, 1.0),
    "mec_b": lambda p, q: coupling.mec_b(p, q, 1.0),
    "fit_marginals": lambda p, q: coupling.MinimumEntropyCoupler().fit_marginals(p, q),
    "play": lambda p, q: games.play(games.GridWorld(size=3, obstacles=[]),
                                    np.tile(np.r_[p, 0.0], (9, 1)), n_messages=3,
                                    prior=q, n_episodes=2, max_steps=5, random_state=0),
}


def _summary(result):
    """A few numbers that characterise a result, for dtype comparisons."""
    if isinstance(result, float):
        return [result]
    if isinstance(result, np.ndarray):
        return result.astype(float).ravel().tolist()
    for attr in ("masses", "mutual_information", "I_xy", "greedy", "entropy_", "rewards"):
        if hasattr(result, attr):
            return np.atleast_1d(np.asarray(getattr(result, attr), dtype=float)).ravel().tolist()
    raise AssertionError(type(result))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.longdouble])
@pytest.mark.parametrize("name", sorted(ROUTINES))
def test_every_routine_accepts_narrow_and_wide_floats(name, dtype):
    """float32 [0.6, 0.3, 0.1] sums to 1 + 1.2e-7: accepted (the tolerance scales with
    the dtype) and renormalised in float64; exact_mec no longer fails on it."""
    want = _summary(ROUTINES[name](P, Q))
    got = _summary(ROUTINES[name](P.astype(dtype), Q.astype(dtype)))
    rtol = {np.float16: 5e-3, np.float32: 1e-5, np.longdouble: 1e-12}[dtype]
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol)


def test_float32_message_was_refused_before():
    p32 = np.array([0.6, 0.3, 0.1], dtype=np.float32)
    assert abs(float(p32.sum(dtype=np.float64)) - 1) > 1e-9  # the old fixed tolerance
    c = coupling.greedy_mec(p32, p32)
    assert c.masses.dtype == np.float64
    assert c.entropy() == pytest.approx(entropy(P), abs=1e-6)
    assert coupling.exact_mec(p32, np.float32([0.5, 0.5])).marginal_error < 1e-12


def test_no_local_sum_tolerance():
    from probstat.coupling import _validation

    assert not hasattr(_validation, "SUM_ATOL")
    with pytest.raises(ValueError, match="p must sum to 1"):
        coupling.exact_mec([0.6, 0.3, 0.09], [1.0])


# ------------------------------------------------------------------------- log base


def test_one_log_base_convention():
    """Every base goes through probstat.utils._numerics.log_base (ln of the base)."""
    from probstat.coupling import _validation

    assert not hasattr(_validation, "check_base")
    for base in (2, math.e, 10, 4):
        ratio = math.log(2) / math.log(base)  # bits -> units of base
        assert coupling.mec_lower_bound(P, Q, base=base) == pytest.approx(
            coupling.mec_lower_bound(P, Q) * ratio, rel=1e-12)
        assert coupling.ebim_greedy(P, 0.9 * ratio, base=base).mutual_information == \
            pytest.approx(coupling.ebim_greedy(P, 0.9).mutual_information * ratio, rel=1e-12)
        m = coupling.mec_b(P, Q, 1.0 * ratio, base=base)
        assert m.I_xy == pytest.approx(coupling.mec_b(P, Q, 1.0).I_xy * ratio, rel=1e-12)
        assert m.joint_entropy == pytest.approx(entropy(m.joint.ravel(), base=base),
                                                rel=1e-12)
        batch = coupling.greedy_mec_batch(P[None], Q[None])
        assert batch.entropy(base=base)[0] == pytest.approx(
            coupling.greedy_mec(P, Q).entropy(base=base), rel=1e-12)


@pytest.mark.parametrize("base, error", [(1, ValueError), (0, ValueError), (-2, ValueError),
                                         ("2", TypeError), (float("nan"), ValueError)])
def test_bad_base_is_named(base, error):
    with pytest.raises(error, match="base"):
        coupling.ebim_greedy(P, 1.0, base=base)
    with pytest.raises(error, match="base"):
        coupling.greedy_mec(P, Q).entropy(base=base)


# --------------------------------------------------------------------------- layout


def test_games_is_a_package_with_the_same_public_names():
    assert hasattr(games, "__path__")
    for module in ("_gridworld", "_softq", "_protocol", "_sweep"):
        assert (PACKAGE / "games" / f"{module}.py").is_file()
    assert sorted(games.__all__) == ["GridWorld", "MCGResult", "MCGSweep", "SoftQPolicy",
                                     "mcg_sweep", "play", "soft_q_iteration"]
    from probstat.coupling.games import ACTIONS, GridWorld, play  # noqa: F401


def test_modules_are_short():
    for path in PACKAGE.rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 800, path


def test_reference_implementations_are_not_shipped():
    assert importlib.util.find_spec("probstat.coupling._reference") is None
    from ._reference import greedy_mec_argmax  # noqa: F401


def test_mecb_joint_entropy_is_the_entropy_of_the_joint():
    m = coupling.mec_b(P, Q, 0.9)
    assert m.joint_entropy == pytest.approx(entropy(m.joint.ravel()), abs=1e-12)


@pytest.mark.parametrize("module", ["probstat.coupling", "probstat.coupling.games"])
def test_import_loads_no_numba(module):
    code = (f"import sys, {module}; "
            "print([m for m in ('numba', 'cvxpy', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_plotting_lives_in_plot_module():
    for path in PACKAGE.rglob("*.py"):
        if path.name == "_plot.py":
            continue
        tree = ast.parse(path.read_text())
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {a.attr for a in ast.walk(tree) if isinstance(a, ast.Attribute)}
        assert not names & {"get_axes", "imshow", "colorbar", "set_xlabel"}, path
    import matplotlib

    matplotlib.use("Agg")
    assert coupling.greedy_mec(P, Q).plot().get_xlabel().startswith("outcome")
    assert coupling.mec_b(P, Q, 1.0).plot().get_xlabel() == "outcome y (index)"
    assert coupling.ebim_curve(P, [0.5, 1.0]).plot().get_ylabel().startswith("I(X; T)")


# ---------------------------------------------------------------- bugs found on the way


def test_sweep_refuses_a_single_encoder_string():
    world = games.GridWorld(size=3, obstacles=[])
    with pytest.raises(TypeError, match="encoders"):
        games.mcg_sweep(world, [0.5], encoders="greedy", n_messages=2, n_episodes=1)
    with pytest.raises(ValueError, match="encoders"):
        games.mcg_sweep(world, [0.5], encoders=("optimal",), n_messages=2, n_episodes=1)


def test_uniform_quantizer_with_a_huge_rate():
    # base**rate used to overflow (OverflowError) before being capped at n.
    assert coupling.uniform_quantizer(P, 5000.0).tolist() == [0, 1, 2]
    assert coupling.mec_b(P, Q, 5000.0, encoder="uniform").H_t == pytest.approx(entropy(P))


def test_soft_q_warns_when_tol_is_not_reached():
    from probstat.utils import ConvergenceWarning

    world = games.GridWorld(size=3, obstacles=[])
    with pytest.warns(ConvergenceWarning, match="2 iterations"):
        games.soft_q_iteration(world, 0.5, n_iter=2, tol=1e-12)


def test_ebim_curve_warns_about_nan():
    with pytest.warns(RuntimeWarning, match="best_deterministic is NaN"):
        curve = coupling.ebim_curve(np.full(11, 1 / 11), [1.0])
    assert np.isnan(curve.best_deterministic).all()


def test_play_checks_the_whole_policy_and_keeps_it_unchanged():
    world = games.GridWorld(size=3, obstacles=[])
    pi = np.full((9, 4), 0.25)
    terminal = int(np.flatnonzero(world.terminal)[0])
    bad = pi.copy()
    bad[terminal, 0] = np.nan  # a terminal row is not used, but NaN is still refused
    with pytest.raises(ValueError, match="policy must be finite"):
        games.play(world, bad, n_messages=2, n_episodes=1)
    unnormalised = pi.copy()
    unnormalised[0] = 0.5
    with pytest.raises(ValueError, match="policy must sum to 1 along each row"):
        games.play(world, unnormalised, n_messages=2, n_episodes=1)
    frozen = pi.copy()
    frozen.flags.writeable = False
    games.play(world, frozen, n_messages=2, n_episodes=1, random_state=0)


@pytest.mark.parametrize("cell, error", [("ab", TypeError), ((0.5, 1), TypeError),
                                         ((0,), ValueError), ((9, 9), ValueError)])
def test_grid_cells_are_checked_by_type_and_value(cell, error):
    with pytest.raises(error, match="goal"):
        games.GridWorld(size=4, goal=cell)


def test_grid_step_validates_and_uses_the_same_stream():
    world = games.GridWorld(size=3, obstacles=[])
    a = world.step(6, 0, np.random.default_rng(0))
    b = world.step(6, 0, 0)
    assert a == b
    with pytest.raises(ValueError, match="action"):
        world.step(6, 4, 0)


def test_bottleneck_coupler_refuses_bad_targets_by_name():
    X = np.array([[0.0], [1.0], [1.0]])
    for y, error in [([1 + 1j, 2, 3], TypeError), ([0.0, np.nan, 1.0], ValueError),
                     ([[0, 1, 2]], ValueError), ([0, 1], ValueError)]:
        with pytest.raises(error, match="y"):
            coupling.BottleneckCoupler().fit(X, y)


def test_estimators_name_x_in_their_errors():
    for est in (coupling.MinimumEntropyCoupler(), coupling.BottleneckCoupler()):
        with pytest.raises((TypeError, ValueError), match="X must"):
            est.fit(None)
        with pytest.raises(TypeError, match="X must hold numbers"):
            est.fit(np.array([["0.5"], ["1"]]))
        with pytest.raises(ValueError, match="X must hold real numbers.*Complex data not"):
            est.fit(np.array([[1j], [1.0]]))
