"""Grid world, soft-Q iteration and the Markov coding game.

References: hand-written transition probabilities, ordinary value iteration (the soft
values lie between V* and V* + beta log(4) / (1 - discount)), the soft Bellman fixed point,
exact policy evaluation by a linear solve (Monte Carlo check that coupling the message
with the policy leaves the reward unchanged), and the public encoders for the lean
per-step path.
"""

import math

import numpy as np
import pytest

from probstat.coupling import ebim_greedy, ebim_refine, greedy_mec, uniform_quantizer
from probstat.coupling._validation import LN2
from probstat.coupling.games import GridWorld, mcg_sweep, play, soft_q_iteration
from probstat.coupling.games._protocol import _action_given_code, _code_labels


def test_transitions_by_hand():
    w = GridWorld(size=4, obstacles=[(2, 2)], goal=(0, 3), trap=(1, 3), slip=0.1,
                  start=(3, 0))
    P = w.transitions
    np.testing.assert_allclose(P.sum(axis=2), 1.0, atol=1e-15)
    s = w.state((2, 1))
    up, right, down, left = range(4)
    # Up from (2, 1): 0.8 to (1, 1), 0.1 left to (2, 0), 0.1 right into the obstacle: stay.
    assert P[s, up, w.state((1, 1))] == pytest.approx(0.8)
    assert P[s, up, w.state((2, 0))] == pytest.approx(0.1)
    assert P[s, up, s] == pytest.approx(0.1)
    # Left from (3, 0) bumps the wall (0.8) or slips down into the wall (0.1): stay 0.9.
    corner = w.state((3, 0))
    assert P[corner, left, corner] == pytest.approx(0.9)
    assert P[corner, left, w.state((2, 0))] == pytest.approx(0.1)
    assert not P[:, :, w.state((2, 2))].any()  # nobody enters the obstacle
    for cell in [(0, 3), (1, 3)]:
        t = w.state(cell)
        assert w.terminal[t] and np.all(P[t, :, t] == 1.0)
    assert w.rewards[w.state((0, 3))] == 1.0 and w.rewards[w.state((1, 3))] == -1.0
    rng = np.random.default_rng(0)
    draws = [w.step(s, up, rng)[0] for _ in range(4000)]
    assert np.mean(np.array(draws) == w.state((1, 1))) == pytest.approx(0.8, abs=0.03)


def test_default_world_follows_readme():
    w = GridWorld()
    assert w.size == 8 and w.goal == (0, 7) and w.trap == (1, 7) and w.start == (5, 4)
    assert w.obstacles == [(i, i) for i in range(1, 8)]
    assert w.discount == 0.95


def _value_iteration(w, n_iter=2000):
    live = ~w.terminal
    immediate = np.einsum("sat,t->sa", w.transitions, w.rewards) * live[:, None]
    V = np.zeros(w.n_states)
    for _ in range(n_iter):
        Q = immediate + w.discount * np.einsum("sat,t->sa", w.transitions, V) * live[:, None]
        V = np.where(live, Q.max(axis=1), 0.0)
    return V


@pytest.mark.parametrize("beta", [1e-3, 0.05, 0.5])
def test_soft_values_bracket_hard_values(beta):
    w = GridWorld(size=5, obstacles=[(2, 2)], start=(4, 0))
    pol = soft_q_iteration(w, beta, n_iter=2000, tol=1e-13)
    hard = _value_iteration(w)
    live = ~w.terminal
    slack = beta * np.log(4) / (1 - w.discount)
    assert np.all(pol.values[live] >= hard[live] - 1e-9)
    assert np.all(pol.values[live] <= hard[live] + slack + 1e-9)
    # Fixed point of the soft Bellman equation.
    P, r = w.transitions, w.rewards
    q = (np.einsum("sat,t->sa", P, r) + w.discount * np.einsum("sat,t->sa", P, pol.values))
    np.testing.assert_allclose(pol.q_values[live], q[live], atol=1e-10)
    np.testing.assert_allclose(pol.policy.sum(axis=1), 1.0, atol=1e-12)


def test_temperature_raises_policy_entropy():
    w = GridWorld()
    entropies = [soft_q_iteration(w, float(np.exp(b))).mean_entropy() for b in (-8, -6, -4)]
    assert entropies[0] < entropies[1] < entropies[2] <= 2.0 + 1e-12
    # (Much hotter policies avoid the absorbing goal and trap, whose value is 0, to keep
    # earning the entropy bonus, so the mean entropy is not monotone for large beta.)


def test_lean_step_equals_public_encoders():
    from probstat.coupling._kernels import greedy_core

    rng = np.random.default_rng(0)
    for _ in range(30):
        belief = rng.dirichlet(np.ones(40) * 0.5)
        belief[rng.random(40) < 0.3] = 0.0
        belief /= belief.sum()
        rate = rng.uniform(0, 5)
        lean = _code_labels(belief, rate * LN2, "greedy")
        public = ebim_greedy(belief, rate).labels
        p_lean = np.bincount(lean, weights=belief)
        p_public = np.bincount(public, weights=belief)
        np.testing.assert_allclose(np.sort(p_lean[p_lean > 0]),
                                   np.sort(p_public[p_public > 0]), atol=1e-15)
        assert np.array_equal(_code_labels(belief, rate * LN2, "uniform"),
                              uniform_quantizer(belief, rate))
        pi = rng.dirichlet(np.ones(4))
        p_t = p_public / p_public.sum()
        cond = _action_given_code(p_t, pi, greedy_core)
        dense = greedy_mec(p_t, pi).to_dense()
        np.testing.assert_allclose(cond * p_t[:, None], dense, atol=1e-16)


def _policy_return(w, pi):
    """Exact expected discounted return from the start state (linear solve)."""
    live = ~w.terminal
    P_pi = np.einsum("sa,sat->st", pi, w.transitions) * live[:, None]
    r_pi = P_pi @ w.rewards
    v = np.linalg.solve(np.eye(w.n_states) - w.discount * P_pi, r_pi)
    return v[w.state(w.start)]


def test_coupling_keeps_the_policy_reward():
    w = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
    pol = soft_q_iteration(w, 0.03)
    exact = _policy_return(w, pol.policy)
    res = play(w, pol, n_messages=16, rate=2.0, n_episodes=600, max_steps=400,
               random_state=1)
    assert res.accuracy > 0.9
    se = res.rewards.std(ddof=1) / np.sqrt(res.rewards.size)
    assert abs(res.mean_reward - exact) <= 4 * se
    assert np.all(res.posterior_true > 0)  # the receiver never rules out the truth


def test_rate_zero_and_full_rate():
    w = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
    pol = soft_q_iteration(w, 0.03)  # about 1.6 bits of policy entropy per step
    none = play(w, pol, n_messages=8, rate=0.0, n_episodes=100, max_steps=60,
                random_state=0)
    np.testing.assert_allclose(none.posterior_true, 1 / 8)  # nothing is transmitted
    full = play(w, pol, n_messages=8, n_episodes=100, max_steps=200, random_state=0)
    assert full.accuracy > 0.9
    uni = play(w, pol, n_messages=8, encoder="uniform", n_episodes=100, max_steps=200,
               random_state=0)
    assert uni.accuracy > 0.9
    adaptive = play(w, pol, n_messages=8, encoder="adaptive_bins", n_episodes=100,
                    max_steps=200, random_state=0)
    # "uniform" is the former name of the adaptive quantiser: the same episodes.
    assert np.array_equal(adaptive.posterior_true, uni.posterior_true)


def test_seeded_reproducibility_and_sweep():
    import matplotlib

    matplotlib.use("Agg")
    w = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
    pol = soft_q_iteration(w, 0.3)
    a = play(w, pol, n_messages=32, rate_fraction=0.5, n_episodes=20, random_state=3)
    b = play(w, pol, n_messages=32, rate_fraction=0.5, n_episodes=20, random_state=3)
    assert np.array_equal(a.rewards, b.rewards) and np.array_equal(a.decoded, b.decoded)
    assert a.rate == pytest.approx(2.5)
    sweep = mcg_sweep(w, [0.01, 0.03], [0.5, 1.0], n_messages=16, n_episodes=30,
                      max_steps=100, random_state=0)
    assert sweep.accuracy.shape == (3, 2, 2)
    assert sweep.encoders == ("greedy", "adaptive_bins", "fixed_bins")
    assert sweep.reward_se.shape == sweep.accuracy_se.shape == sweep.information_se.shape
    assert np.all(sweep.reward_se > 0) and np.all(sweep.information_se >= 0)
    # Hotter policy: more information per step, so at least as accurate on average.
    assert sweep.accuracy[:, :, 1].mean() >= sweep.accuracy[:, :, 0].mean()
    assert sweep.policy_entropy[1] > sweep.policy_entropy[0]
    ax = sweep.plot(x="accuracy")
    assert ax.get_xlabel() == "decoding accuracy [fraction of episodes]"
    with pytest.raises(ValueError, match="x must be"):
        sweep.plot(x="reward")


def test_information_closed_forms():
    """Uniform random policy, no bottleneck: each step carries exactly 2 bits."""
    w = GridWorld(size=6, obstacles=[], start=(5, 0))
    uniform = np.full((w.n_states, 4), 0.25)
    for steps, bits in [(1, 2.0), (2, 4.0), (3, 6.0)]:  # terminal states are 5+ moves away
        res = play(w, uniform, n_messages=64, max_steps=steps, n_episodes=20,
                   random_state=0)
        np.testing.assert_allclose(res.posterior_true, 2.0 ** (bits - 6))  # H(M) = 6
        assert res.information == pytest.approx(bits, abs=1e-12)
    none = play(w, uniform, n_messages=16, rate=0.0, max_steps=5, n_episodes=10,
                random_state=0)
    assert none.information == pytest.approx(0.0, abs=1e-12)  # a constant code sends nothing


def test_information_matches_the_one_step_mutual_information():
    """One step from the start: the estimate converges to I(M; A) of the coupling."""
    from probstat.coupling import ebim_greedy, greedy_mec
    from probstat.utils import mutual_information

    w = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
    pol = soft_q_iteration(w, 0.05)
    prior = np.full(8, 1 / 8)
    rate = 1.7
    res = play(w, pol, n_messages=8, rate=rate, max_steps=1, n_episodes=4000,
               random_state=2)
    # Exact I(M; A): joint p(m, a) = prior(m) p(a | t(m)) from the public encoder + MEC.
    labels = ebim_greedy(prior, rate).labels
    p_t = np.bincount(labels, weights=prior)
    p_ta = np.asarray(greedy_mec(p_t, pol.policy[w.state(w.start)]))
    joint = prior[:, None] * (p_ta / p_t[:, None])[labels]
    exact = mutual_information(joint)
    samples = 3.0 + np.log2(res.posterior_true)
    se = samples.std(ddof=1) / np.sqrt(samples.size)
    assert 0.3 < exact < rate
    assert abs(res.information - exact) <= 4 * se + 1e-12


def test_tradeoff_figure_marks_a_grid_of_points():
    """Regression: the reward/information trade-off joined only three points, unlabelled."""
    import matplotlib

    matplotlib.use("Agg")
    w = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
    betas = np.geomspace(0.005, 0.5, 8)
    sweep = mcg_sweep(w, betas, [0.5, 1.0], n_messages=16, n_episodes=10, max_steps=50,
                      random_state=0)
    assert sweep.information.shape == (3, 2, 8)
    ax = sweep.plot()
    assert "[bits" in ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    series = [c for c in ax.containers if c.get_label().endswith("H(M)")]
    assert len(series) == 6 and len(ax.get_legend().get_texts()) == 6
    for bars in series:
        line = bars.lines[0]
        assert line.get_marker() in ("o", "s", "^")  # every computed point is marked
        assert len(line.get_xdata()) == 8
        assert bars.has_xerr and bars.has_yerr  # standard errors both ways
    np.testing.assert_allclose(series[0].lines[0].get_xdata(), sweep.information[0, 0])
    # Hotter policies send more: the information rises across the grid.
    assert sweep.information[..., -1].mean() > sweep.information[..., 0].mean()
    matplotlib.pyplot.close("all")


def test_bad_input():
    with pytest.raises(ValueError, match="slip must be <= 0.5"):
        GridWorld(slip=0.7)
    with pytest.raises(ValueError, match="outside"):
        GridWorld(size=4, goal=(9, 9))
    with pytest.raises(ValueError, match="must not be an obstacle"):
        GridWorld(size=4, start=(1, 1))
    w = GridWorld(size=4, obstacles=[], start=(3, 0))
    with pytest.raises(ValueError, match="beta must be > 0"):
        soft_q_iteration(w, 0.0)
    with pytest.raises(TypeError, match="world must be a GridWorld"):
        soft_q_iteration("grid", 1.0)
    pol = soft_q_iteration(w, 1.0)
    with pytest.raises(ValueError, match="rate or rate_fraction"):
        play(w, pol, rate=1.0, rate_fraction=0.5)
    with pytest.raises(ValueError, match="encoder must be"):
        play(w, pol, encoder="optimal")
    with pytest.raises(ValueError, match="prior must have n_messages=4"):
        play(w, pol, n_messages=4, prior=[0.5, 0.5])
    with pytest.raises(ValueError, match="policy must have shape"):
        play(w, np.ones((3, 4)) / 4)
    with pytest.raises(ValueError, match="rate must be >= 0"):
        play(w, pol, rate=-1.0)


# ------------------------------------------------------------ the paper's fixed bins


def _fixed_bins_reference(n, rate_bits):
    """floor(2**rate) bins (at least 1, at most n) of ceil(n / bins) consecutive indices."""
    bins = n if 2.0**rate_bits >= n else max(int(math.floor(2.0**rate_bits + 1e-9)), 1)
    size = -(-n // bins)
    return np.array([i // size for i in range(n)])


def test_fixed_bin_labels_equal_a_plain_reimplementation():
    from probstat.coupling.games._protocol import _fixed_bin_labels

    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 64, 100, 512):
        for rate in np.concatenate([[0.0, 1.0, 3.0, 9.0, 20.0], rng.uniform(0, 10, 8)]):
            belief = rng.dirichlet(np.ones(n))
            got = _code_labels(belief, rate * LN2, "fixed_bins")
            assert np.array_equal(got, _fixed_bins_reference(n, rate))
            assert np.array_equal(got, _fixed_bin_labels(n, rate * LN2))


def _play_fixed_bins_reference(w, pi, n_messages, rate_bits, n_episodes, max_steps, seed):
    """The game with the paper's fixed bins, written out step by step from the protocol:
    code T = bin of the message, greedy MEC of p_T with pi(. | s) (public greedy_mec),
    a ~ p(a | T = bin of the true message), belief <- belief * p(a | bin) normalised. The
    random draws are made in the same order as the library's loop."""
    rng = np.random.default_rng(seed)
    prior = np.full(n_messages, 1.0 / n_messages)
    labels = _fixed_bins_reference(n_messages, rate_bits)
    out = []
    for _ in range(n_episodes):
        m = int(min(np.searchsorted(np.cumsum(prior), rng.random(), side="right"),
                    n_messages - 1))
        belief = prior.copy()
        s, ret, disc, t, known = w.state(w.start), 0.0, 1.0, 0, False
        while t < max_steps and not w.terminal[s]:
            if known:
                row = pi[s]
            else:
                p_t = np.bincount(labels, weights=belief)
                p_t = p_t / p_t.sum()
                joint = greedy_mec(p_t, pi[s]).to_dense()
                cond = np.zeros_like(joint)
                cond[p_t > 0] = joint[p_t > 0] / p_t[p_t > 0, None]
                row = cond[labels[m]]
            a = int(min(np.searchsorted(np.cumsum(row), rng.random() * row.sum(),
                                        side="right"), 3))
            if not known:
                belief = belief * cond[labels, a]
                belief /= belief.sum()
                known = np.count_nonzero(belief) == 1
            s, r, _ = w.step(s, a, rng)
            ret += disc * r
            disc *= w.discount
            t += 1
        out.append((ret, t, belief[m], int(np.argmax(belief)) == m))
    return out


def test_fixed_bins_game_equals_reference():
    w = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
    pol = soft_q_iteration(w, 0.1)
    for n_messages, rate in ((16, 2.0), (20, 2.5), (8, 0.0)):
        res = play(w, pol, n_messages=n_messages, rate=rate, encoder="fixed_bins",
                   n_episodes=25, max_steps=60, random_state=np.random.default_rng(4))
        ref = _play_fixed_bins_reference(w, pol.policy, n_messages, rate, 25, 60, 4)
        np.testing.assert_allclose(res.rewards, [r[0] for r in ref], rtol=0, atol=1e-12)
        assert res.steps.tolist() == [r[1] for r in ref]
        np.testing.assert_allclose(res.posterior_true, [r[2] for r in ref], atol=1e-12)
        assert res.decoded.tolist() == [r[3] for r in ref]


def test_fixed_bins_cap_what_gets_through():
    # 64 messages, 2 bits: 4 fixed bins of 16. However long the episode, the receiver
    # can at best single out the bin: posterior <= 1/16 and at most 2 bits delivered,
    # while the greedy encoder at the same rate per step sends far more.
    w = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
    pol = soft_q_iteration(w, 0.3)
    kw = dict(n_messages=64, rate=2.0, n_episodes=80, max_steps=200, random_state=2)
    fixed = play(w, pol, encoder="fixed_bins", **kw)
    greedy = play(w, pol, encoder="greedy", **kw)
    assert np.all(fixed.posterior_true <= 1 / 16 + 1e-12)
    assert fixed.information <= 2.0 + 1e-9
    assert fixed.accuracy <= 1 / 16 + 4 * np.sqrt(1 / 16 * 15 / 16 / 80)
    assert greedy.accuracy > 0.8
    assert greedy.information > fixed.information + 3.0


def test_refined_encoder_in_the_game():
    w = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
    pol = soft_q_iteration(w, 0.3)
    # Without a bottleneck the refined encoder is the identity, as greedy's is.
    kw = dict(n_messages=16, n_episodes=20, max_steps=50, random_state=5)
    a = play(w, pol, encoder="refined", **kw)
    b = play(w, pol, encoder="greedy", **kw)
    np.testing.assert_allclose(a.posterior_true, b.posterior_true, atol=1e-12)
    # Under a bottleneck its stochastic code still leaves the action distributed as pi:
    # sum over messages of belief(m) p(a | m) = pi(a | s), checked on one step.
    rng = np.random.default_rng(0)
    from probstat.coupling._kernels import greedy_core

    for _ in range(10):
        belief = rng.dirichlet(np.ones(12))
        enc = ebim_refine(belief, 1.3, start="greedy").encoder  # any stochastic encoder
        p_t = belief @ enc
        pi = rng.dirichlet(np.ones(4))
        given_m = enc @ _action_given_code(p_t / p_t.sum(), pi, greedy_core)
        np.testing.assert_allclose(belief @ given_m, pi, atol=1e-12)
    res = play(w, pol, n_messages=16, rate=1.0, encoder="refined", n_episodes=20,
               max_steps=50, random_state=5)
    assert np.all(res.posterior_true > 0)
    assert -0.5 < res.information <= 4.0


def test_standard_errors():
    w = GridWorld(size=4, obstacles=[], goal=(0, 3), trap=(1, 3), start=(3, 0))
    pol = soft_q_iteration(w, 0.1, n_iter=100)
    res = play(w, pol, n_messages=16, rate=1.0, n_episodes=30, max_steps=60,
               random_state=0)
    n = 30
    assert res.reward_se == pytest.approx(np.std(res.rewards, ddof=1) / np.sqrt(n))
    assert res.accuracy_se == pytest.approx(np.std(res.decoded.astype(float), ddof=1)
                                            / np.sqrt(n))
    assert res.information_se == pytest.approx(
        np.std(np.log2(res.posterior_true), ddof=1) / np.sqrt(n))
    one = play(w, pol, n_messages=16, n_episodes=1, random_state=0)
    assert np.isnan(one.reward_se)
    # A one-cell sweep plays the cell with the first seed drawn from its random_state.
    seed = int(np.random.default_rng(7).integers(0, 2**63 - 1, size=1)[0])
    sweep = mcg_sweep(w, [0.1], [0.25], encoders=("fixed_bins",), n_messages=16,
                      n_episodes=30, max_steps=60, random_state=7)
    cell = play(w, pol, n_messages=16, rate=1.0, encoder="fixed_bins", n_episodes=30,
                max_steps=60, random_state=np.random.default_rng(seed))
    assert sweep.reward_se[0, 0, 0] == pytest.approx(cell.reward_se)
    assert sweep.accuracy_se[0, 0, 0] == pytest.approx(cell.accuracy_se)
    assert sweep.information_se[0, 0, 0] == pytest.approx(cell.information_se)
