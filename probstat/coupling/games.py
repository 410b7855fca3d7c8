"""Markov coding games: send a message through the actions of an agent in an MDP.

An agent acts in a grid world with a maximum-entropy policy (soft-Q iteration). A
receiver watches the actions. At every step the receiver's current belief over the
message is compressed to a code ``T`` with ``H(T) <= rate`` (greedy EBIM, or the uniform
quantiser as baseline), ``T`` is coupled with the policy ``pi(a | s)`` by greedy
minimum-entropy coupling, and the agent draws its action from ``p(a | t = code of the
true message)``. The action is still distributed as ``pi(a | s)`` on average over
messages, so the expected reward is that of the policy, while the receiver updates its
belief to ``p(m | a)``. Higher policy entropy (temperature ``beta``) carries more
information per step but earns less reward: the trade-off of Sokota et al. (2022) and of
the MEC-B paper's Markov coding game experiments (Ebrahimi, Chen and Khisti, 2024).

The grid-world defaults follow the MEC-B authors' README example (8 x 8 grid, goal in the
top-right corner, trap below it, obstacles on the diagonal, slip 0.1, discount 0.95,
start (5, 4)); that this is the paper's exact setup is not verified.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import logsumexp, softmax

from ..base import ResultMixin
from ..plotting import get_axes
from ..utils import check_probability_vector, check_rng, check_scalar_in, entropy, progress
from ._ebim import RATE_SLACK, _greedy_candidates, _labels_for, _move_at
from ._kernels import greedy_core

__all__ = [
    "GridWorld",
    "MCGResult",
    "MCGSweep",
    "SoftQPolicy",
    "mcg_sweep",
    "play",
    "soft_q_iteration",
]

#: Moves of the four actions: up, right, down, left (row, column offsets).
ACTIONS = np.array([[-1, 0], [0, 1], [1, 0], [0, -1]])
ACTION_NAMES = ("up", "right", "down", "left")


class GridWorld:
    """A grid-world MDP with slippery moves, obstacles, a goal and a trap.

    Action ``a`` moves in its direction with probability ``1 - 2 slip`` and in each of the
    two perpendicular directions with probability ``slip``; a move into the border or an
    obstacle leaves the agent in place. Entering the goal or the trap pays its reward and
    ends the episode (both are absorbing).

    Parameters
    ----------
    size : int, default=8
        The grid is ``size x size``; cell ``(r, c)`` is state ``r * size + c``.
    obstacles : sequence of (int, int), optional
        Blocked cells; default the diagonal ``(1, 1), ..., (size-1, size-1)``.
    goal : (int, int), default=(0, -1)
        Goal cell (negative indices count from the end).
    trap : (int, int), default=(1, -1)
        Trap cell.
    slip : float, default=0.1
        Probability of each perpendicular slip (at most 0.5).
    discount : float, default=0.95
    goal_reward : float, default=1.0
    trap_reward : float, default=-1.0
    start : (int, int), optional
        Start cell; default (5, 4) on the 8 x 8 grid, the bottom-left corner otherwise.

    Attributes
    ----------
    transitions : ndarray of shape (n_states, 4, n_states)
        ``P(s' | s, a)``.
    rewards : ndarray of shape (n_states,)
        Reward for entering each state.
    terminal : ndarray of shape (n_states,), bool

    Examples
    --------
    >>> from probstat.coupling.games import GridWorld
    >>> world = GridWorld(size=4, obstacles=[])
    >>> world.n_states, world.transitions.shape
    (16, (16, 4, 16))
    """

    def __init__(self, size=8, obstacles=None, goal=(0, -1), trap=(1, -1), slip=0.1,
                 discount=0.95, goal_reward=1.0, trap_reward=-1.0, start=None):
        self.size = check_scalar_in(size, "size", low=2, integer=True)
        self.slip = check_scalar_in(slip, "slip", low=0, high=0.5)
        self.discount = check_scalar_in(discount, "discount", low=0, high=1,
                                        high_inclusive=False)
        self.goal_reward = float(check_scalar_in(goal_reward, "goal_reward"))
        self.trap_reward = float(check_scalar_in(trap_reward, "trap_reward"))
        if obstacles is None:
            obstacles = [(i, i) for i in range(1, self.size)]
        self.obstacles = [self._cell(o, "obstacles") for o in obstacles]
        self.goal = self._cell(goal, "goal")
        self.trap = self._cell(trap, "trap")
        if start is None:
            start = (5, 4) if self.size == 8 else (self.size - 1, 0)
        self.start = self._cell(start, "start")
        special = {"goal": self.goal, "trap": self.trap, "start": self.start}
        for name, cell in special.items():
            if cell in self.obstacles:
                raise ValueError(f"{name} {cell} must not be an obstacle")
        if self.goal == self.trap:
            raise ValueError(f"goal and trap must differ (both {self.goal})")
        self._build()

    def _cell(self, cell, name):
        try:
            r, c = (int(v) for v in cell)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be (row, column) pairs (got {cell!r})") from None
        n = self.size
        if not (-n <= r < n and -n <= c < n):
            raise ValueError(f"{name} {cell} lies outside the {n} x {n} grid")
        return (r % n, c % n)

    @property
    def n_states(self) -> int:
        """Number of cells ``size * size``."""
        return self.size * self.size

    def state(self, cell) -> int:
        """State index of cell ``(row, column)``.

        Parameters
        ----------
        cell : (int, int)

        Returns
        -------
        int
        """
        r, c = self._cell(cell, "cell")
        return r * self.size + c

    def _build(self):
        n, S = self.size, self.n_states
        blocked = np.zeros((n, n), dtype=bool)
        for r, c in self.obstacles:
            blocked[r, c] = True
        P = np.zeros((S, 4, S))
        for r in range(n):
            for c in range(n):
                s = r * n + c
                for a in range(4):
                    perpendicular = [(a + 1) % 4, (a + 3) % 4]
                    outcomes = [(a, 1 - 2 * self.slip)] + [(b, self.slip)
                                                          for b in perpendicular]
                    for b, prob in outcomes:
                        rr, cc = r + ACTIONS[b, 0], c + ACTIONS[b, 1]
                        if not (0 <= rr < n and 0 <= cc < n) or blocked[rr, cc]:
                            rr, cc = r, c
                        P[s, a, rr * n + cc] += prob
        self.terminal = np.zeros(S, dtype=bool)
        self.terminal[[self.state(self.goal), self.state(self.trap)]] = True
        P[self.terminal] = 0.0
        for s in np.flatnonzero(self.terminal):
            P[s, :, s] = 1.0
        self.transitions = P
        self.rewards = np.zeros(S)
        self.rewards[self.state(self.goal)] = self.goal_reward
        self.rewards[self.state(self.trap)] = self.trap_reward
        self.blocked = blocked.ravel()

    def step(self, state, action, rng):
        """Sample the next state.

        Parameters
        ----------
        state : int
        action : int
        rng : numpy.random.Generator

        Returns
        -------
        next_state : int
        reward : float
        done : bool
        """
        probs = self.transitions[state, action]
        nxt = int(np.searchsorted(np.cumsum(probs), rng.random() * probs.sum(),
                                  side="right"))
        nxt = min(nxt, self.n_states - 1)
        reward = 0.0 if self.terminal[state] else float(self.rewards[nxt])
        return nxt, reward, bool(self.terminal[nxt])


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class SoftQPolicy(ResultMixin):
    """Maximum-entropy policy from soft-Q iteration.

    Parameters
    ----------
    policy : ndarray of shape (n_states, 4)
        ``pi(a | s) = softmax(Q(s, .) / beta)``.
    q_values : ndarray of shape (n_states, 4)
    values : ndarray of shape (n_states,)
        ``V(s) = beta log sum_a exp(Q(s, a) / beta)`` (0 at terminal states).
    beta : float
        Temperature.
    n_iter : int
        Iterations run.
    residual : float
        Last sup-norm change of ``Q``.

    Examples
    --------
    >>> from probstat.coupling.games import GridWorld, soft_q_iteration
    >>> pol = soft_q_iteration(GridWorld(size=4, obstacles=[]), beta=0.1)
    >>> pol.policy.shape
    (16, 4)
    """

    policy: np.ndarray
    q_values: np.ndarray
    values: np.ndarray
    beta: float
    n_iter: int
    residual: float

    def _summary_rows(self):
        return [("beta", self.beta), ("n_iter", self.n_iter), ("residual", self.residual),
                ("mean_policy_entropy_bits", self.mean_entropy())]

    def mean_entropy(self) -> float:
        """Average entropy of ``pi(a | s)`` over states, in bits.

        Returns
        -------
        float
        """
        return float(np.mean([entropy(row) for row in self.policy]))


def soft_q_iteration(world, beta, *, n_iter=100, tol=0.0) -> SoftQPolicy:
    """Maximum-entropy (soft) Q iteration.

    ``Q(s, a) = sum_s' P(s' | s, a) (r(s') + discount V(s'))`` with
    ``V(s) = beta log sum_a exp(Q(s, a) / beta)`` and ``V = 0`` at terminal states. The
    fixed point maximises expected discounted reward plus ``beta`` times the policy's
    entropy (in nats); as ``beta -> 0`` it tends to ordinary value iteration.

    Parameters
    ----------
    world : GridWorld
    beta : float
        Temperature (> 0).
    n_iter : int, default=100
        Number of iterations (the MEC-B authors use 100).
    tol : float, default=0.0
        Stop early when the sup-norm change of ``Q`` is below ``tol``.

    Returns
    -------
    SoftQPolicy

    Examples
    --------
    >>> from probstat.coupling.games import GridWorld, soft_q_iteration
    >>> pol = soft_q_iteration(GridWorld(), beta=float(np.exp(-6)))
    >>> pol.n_iter
    100
    """
    if not isinstance(world, GridWorld):
        raise TypeError(f"world must be a GridWorld (got {type(world).__name__})")
    beta = check_scalar_in(beta, "beta", low=0, low_inclusive=False)
    n_iter = check_scalar_in(n_iter, "n_iter", low=1, integer=True)
    tol = check_scalar_in(tol, "tol", low=0)
    P, r, gamma = world.transitions, world.rewards, world.discount
    live = ~world.terminal
    # Reward for entering s' is paid only on leaving a live state.
    immediate = np.einsum("sat,t->sa", P, r) * live[:, None]
    Q = np.zeros((world.n_states, 4))
    V = np.zeros(world.n_states)
    residual = np.inf
    it = 0
    for it in range(1, n_iter + 1):  # noqa: B007 - ``it`` is reported after the loop
        V = np.where(live, beta * logsumexp(Q / beta, axis=1), 0.0)
        Q_new = immediate + gamma * np.einsum("sat,t->sa", P, V) * live[:, None]
        residual = float(np.max(np.abs(Q_new - Q)))
        Q = Q_new
        if residual < tol:
            break
    V = np.where(live, beta * logsumexp(Q / beta, axis=1), 0.0)
    policy = softmax(Q / beta, axis=1)
    policy[~live] = 0.25
    return SoftQPolicy(policy, Q, V, float(beta), it, residual)


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class MCGResult(ResultMixin):
    """Episodes of a Markov coding game.

    Parameters
    ----------
    rewards : ndarray of shape (n_episodes,)
        Discounted return ``sum_t discount**t r_{t+1}`` of each episode.
    decoded : ndarray of shape (n_episodes,), bool
        Whether the receiver's most likely message equals the sent one at the end.
    messages : ndarray of shape (n_episodes,), int64
    steps : ndarray of shape (n_episodes,), int64
    posterior_true : ndarray of shape (n_episodes,)
        Receiver's final probability of the sent message.
    rate : float
        Bits allowed for the code of the belief at each step.
    encoder : str

    Examples
    --------
    >>> from probstat.coupling.games import GridWorld, soft_q_iteration, play
    >>> world = GridWorld(size=4, obstacles=[], start=(3, 0))
    >>> res = play(world, soft_q_iteration(world, 0.3), n_messages=8, n_episodes=5,
    ...            random_state=0)
    >>> res.rewards.shape
    (5,)
    """

    rewards: np.ndarray
    decoded: np.ndarray
    messages: np.ndarray
    steps: np.ndarray
    posterior_true: np.ndarray
    rate: float
    encoder: str

    def _summary_rows(self):
        return [("encoder", self.encoder), ("rate", self.rate),
                ("n_episodes", int(self.rewards.shape[0])),
                ("mean_reward", self.mean_reward), ("accuracy", self.accuracy),
                ("mean_steps", float(np.mean(self.steps)))]

    @property
    def mean_reward(self) -> float:
        """Average discounted return."""
        return float(np.mean(self.rewards))

    @property
    def accuracy(self) -> float:
        """Fraction of episodes where the receiver decoded the message."""
        return float(np.mean(self.decoded))


def _code_labels(belief, rate, encoder):
    """Code of every message for the current belief (lean path of the public encoders)."""
    support = np.flatnonzero(belief > 0)
    labels = np.zeros(belief.shape[0], dtype=np.int64)
    if encoder == "uniform":
        m = int(min(max(np.floor(2.0 ** rate + 1e-9), 1), support.size))
        labels[support] = np.arange(support.size) // -(-support.size // m)
        return labels
    ps = belief[support]
    order = np.argsort(-ps, kind="stable")
    candidates, h_identity = _greedy_candidates(ps[order])
    if h_identity <= rate + RATE_SLACK or support.size < 2:
        codes = np.arange(support.size)
    else:
        k, merge_small = _move_at(int(np.argmax(candidates <= rate + RATE_SLACK)))
        codes = _labels_for(support.size, np.arange(support.size), k, merge_small)
    labels[support[order]] = codes
    return labels


def _action_given_code(p_t, pi):
    """``p(a | t)`` of the greedy coupling of ``p_t`` with ``pi`` (kernel called directly)."""
    n_t = p_t.shape[0]
    offsets = np.array([0, n_t, n_t + pi.shape[0]], dtype=np.int64)
    o_t, o_a = np.argsort(-p_t, kind="stable"), np.argsort(-pi, kind="stable")
    values = np.concatenate([p_t[o_t], pi[o_a]])
    order = np.concatenate([o_t, o_a]).astype(np.int64)
    capacity = n_t + pi.shape[0] - 1
    idx = np.empty((capacity, 2), dtype=np.int64)
    mass = np.empty(capacity)
    k = greedy_core(values, offsets, order, 1e-15, idx, mass)
    joint = np.zeros((n_t, pi.shape[0]))
    np.add.at(joint, (idx[:k, 0], idx[:k, 1]), mass[:k])
    return np.divide(joint, p_t[:, None], out=np.zeros_like(joint), where=p_t[:, None] > 0)


def play(world, policy, *, n_messages=512, prior=None, rate=None, rate_fraction=None,
         encoder="greedy", n_episodes=200, max_steps=1000, random_state=None,
         verbose=False) -> MCGResult:
    """Play episodes of the Markov coding game.

    Parameters
    ----------
    world : GridWorld
    policy : SoftQPolicy or array-like of shape (n_states, 4)
        The agent's policy ``pi(a | s)``.
    n_messages : int, default=512
        Size of the message set.
    prior : array-like of shape (n_messages,), optional
        Message prior (default uniform); the message is drawn from it.
    rate : float, optional
        Bits allowed for the code of the belief at every step. Give ``rate`` or
        ``rate_fraction``; neither means no bottleneck (``rate = H(prior)``).
    rate_fraction : float, optional
        ``rate = rate_fraction * H(prior)`` (the MEC-B code's "compression rate").
    encoder : {"greedy", "uniform"}, default="greedy"
        Greedy EBIM (as :func:`probstat.coupling.ebim_greedy`) or the uniform quantiser
        (as :func:`probstat.coupling.uniform_quantizer`) of the messages that the receiver
        still considers possible. Rates are in bits.
    n_episodes : int, default=200
    max_steps : int, default=1000
    random_state : None, int, RandomState or Generator
    verbose : bool, default=False
        Progress bar over episodes.

    Returns
    -------
    MCGResult

    Examples
    --------
    >>> from probstat.coupling.games import GridWorld, soft_q_iteration, play
    >>> world = GridWorld(size=4, obstacles=[], start=(3, 0))
    >>> pol = soft_q_iteration(world, beta=0.5)
    >>> res = play(world, pol, n_messages=4, n_episodes=20, random_state=0)
    >>> 0.0 <= res.accuracy <= 1.0
    True
    """
    if not isinstance(world, GridWorld):
        raise TypeError(f"world must be a GridWorld (got {type(world).__name__})")
    pi = policy.policy if isinstance(policy, SoftQPolicy) else policy
    pi = np.asarray(pi, dtype=np.float64)
    if pi.shape != (world.n_states, 4):
        raise ValueError(f"policy must have shape ({world.n_states}, 4) (got {pi.shape})")
    for s in np.flatnonzero(~world.terminal):
        check_probability_vector(pi[s], name=f"policy[{s}]", atol=1e-9)
    n_messages = check_scalar_in(n_messages, "n_messages", low=1, integer=True)
    if prior is None:
        prior = np.full(n_messages, 1.0 / n_messages)
    else:
        prior = np.asarray(check_probability_vector(prior, name="prior", atol=1e-9),
                           dtype=np.float64)
        if prior.shape[0] != n_messages:
            raise ValueError(
                f"prior must have n_messages={n_messages} entries (got {prior.shape[0]})"
            )
    if rate is not None and rate_fraction is not None:
        raise ValueError("give rate or rate_fraction, not both")
    if rate_fraction is not None:
        rate = check_scalar_in(rate_fraction, "rate_fraction", low=0) * entropy(prior)
    elif rate is None:
        rate = entropy(prior)
    rate = float(check_scalar_in(rate, "rate", low=0))
    if encoder not in ("greedy", "uniform"):
        raise ValueError(f"encoder must be 'greedy' or 'uniform' (got {encoder!r})")
    n_episodes = check_scalar_in(n_episodes, "n_episodes", low=1, integer=True)
    max_steps = check_scalar_in(max_steps, "max_steps", low=1, integer=True)
    rng = check_rng(random_state)

    start = world.state(world.start)
    rewards = np.zeros(n_episodes)
    decoded = np.zeros(n_episodes, dtype=bool)
    messages = np.zeros(n_episodes, dtype=np.int64)
    steps = np.zeros(n_episodes, dtype=np.int64)
    posterior = np.zeros(n_episodes)
    prior_cdf = np.cumsum(prior)
    for e in progress(range(n_episodes), verbose=verbose, desc="MCG episodes"):
        m = int(min(np.searchsorted(prior_cdf, rng.random() * prior_cdf[-1], side="right"),
                    n_messages - 1))
        belief = prior.copy()
        s = start
        ret, disc, t = 0.0, 1.0, 0
        known = False
        while t < max_steps and not world.terminal[s]:
            if known:  # the receiver already knows the message: T is constant, a ~ pi
                row = pi[s]
            else:
                labels = _code_labels(belief, rate, encoder)
                p_t = np.bincount(labels, weights=belief)
                cond = _action_given_code(p_t / p_t.sum(), pi[s])  # p(a | t)
                row = cond[labels[m]]
            a = int(min(np.searchsorted(np.cumsum(row), rng.random() * row.sum(),
                                        side="right"), 3))
            if not known:
                belief = belief * cond[labels, a]
                belief /= belief.sum()
                known = np.count_nonzero(belief) == 1
            s, r, _ = world.step(s, a, rng)
            ret += disc * r
            disc *= world.discount
            t += 1
        rewards[e] = ret
        messages[e] = m
        steps[e] = t
        posterior[e] = belief[m]
        decoded[e] = int(np.argmax(belief)) == m
    return MCGResult(rewards, decoded, messages, steps, posterior, rate, encoder)


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class MCGSweep(ResultMixin):
    """Reward and decoding accuracy over temperatures, rates and encoders.

    Parameters
    ----------
    betas : ndarray of shape (b,)
    rate_fractions : ndarray of shape (r,)
    encoders : tuple of str
    mean_reward : ndarray of shape (len(encoders), r, b)
    accuracy : ndarray of shape (len(encoders), r, b)
    policy_entropy : ndarray of shape (b,)
        Mean policy entropy (bits) for each temperature.

    Examples
    --------
    >>> from probstat.coupling.games import GridWorld, mcg_sweep
    >>> world = GridWorld(size=4, obstacles=[], start=(3, 0))
    >>> sweep = mcg_sweep(world, [0.1, 1.0], [1.0], n_messages=4, n_episodes=4,
    ...                   random_state=0)
    >>> sweep.accuracy.shape
    (2, 1, 2)
    """

    betas: np.ndarray
    rate_fractions: np.ndarray
    encoders: tuple
    mean_reward: np.ndarray
    accuracy: np.ndarray
    policy_entropy: np.ndarray

    def plot(self, ax=None):
        """Reward against accuracy, one curve per encoder and rate (varying beta).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = get_axes(ax, figsize=(6, 4.2))
        styles = {"greedy": "-", "uniform": "--"}
        for i, enc in enumerate(self.encoders):
            for j, frac in enumerate(self.rate_fractions):
                ax.plot(self.accuracy[i, j], self.mean_reward[i, j], marker="o", ms=3,
                        ls=styles.get(enc, "-"),
                        label=f"{enc}, R = {frac:g} H(M)")
        ax.set_xlabel("decoding accuracy")
        ax.set_ylabel("mean discounted reward")
        ax.set_title("Markov coding game: reward vs accuracy (varying beta)")
        ax.legend(fontsize="small")
        return ax


def mcg_sweep(world, betas, rate_fractions=(1.0,), *, encoders=("greedy", "uniform"),
              n_messages=512, n_episodes=200, max_steps=1000, n_iter=100,
              random_state=None, verbose=False) -> MCGSweep:
    """Play the Markov coding game over temperatures, rates and encoders.

    Parameters
    ----------
    world : GridWorld
    betas : array-like of shape (b,)
        Policy temperatures (> 0).
    rate_fractions : array-like of shape (r,), default=(1.0,)
        Rates as fractions of ``H(M)``.
    encoders : tuple of str, default=("greedy", "uniform")
    n_messages : int, default=512
    n_episodes : int, default=200
    max_steps : int, default=1000
    n_iter : int, default=100
        Soft-Q iterations.
    random_state : None, int, RandomState or Generator
        Each (encoder, rate, beta) cell gets its own stream drawn from it.
    verbose : bool, default=False

    Returns
    -------
    MCGSweep

    Examples
    --------
    >>> from probstat.coupling.games import GridWorld, mcg_sweep
    >>> world = GridWorld(size=4, obstacles=[], start=(3, 0))
    >>> sweep = mcg_sweep(world, [0.5], n_messages=4, n_episodes=4, random_state=0)
    >>> sweep.encoders
    ('greedy', 'uniform')
    """
    betas = np.asarray(betas, dtype=np.float64).ravel()
    fractions = np.asarray(rate_fractions, dtype=np.float64).ravel()
    if betas.size == 0 or fractions.size == 0:
        raise ValueError("betas and rate_fractions must not be empty")
    encoders = tuple(encoders)
    rng = check_rng(random_state)
    policies = [soft_q_iteration(world, float(b), n_iter=n_iter) for b in betas]
    reward = np.zeros((len(encoders), fractions.size, betas.size))
    accuracy = np.zeros_like(reward)
    cells = [(i, j, k) for i in range(len(encoders)) for j in range(fractions.size)
             for k in range(betas.size)]
    seeds = rng.integers(0, 2**63 - 1, size=len(cells))
    for (i, j, k), seed in progress(list(zip(cells, seeds)), verbose=verbose,
                                    desc="MCG sweep"):
        res = play(world, policies[k], n_messages=n_messages,
                   rate_fraction=float(fractions[j]), encoder=encoders[i],
                   n_episodes=n_episodes, max_steps=max_steps,
                   random_state=np.random.default_rng(int(seed)))
        reward[i, j, k] = res.mean_reward
        accuracy[i, j, k] = res.accuracy
    entropies = np.array([p.mean_entropy() for p in policies])
    return MCGSweep(betas, fractions, encoders, reward, accuracy, entropies)
