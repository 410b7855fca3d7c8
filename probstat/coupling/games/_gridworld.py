"""The grid-world MDP of the Markov coding game."""

from __future__ import annotations

import numpy as np

from ...utils import check_rng, check_scalar_in, check_sequence

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
        Discount factor in ``[0, 1)``.
    goal_reward : float, default=1.0
        Reward for entering the goal.
    trap_reward : float, default=-1.0
        Reward for entering the trap.
    start : (int, int), optional
        Start cell; default (5, 4) on the 8 x 8 grid, the bottom-left corner otherwise.

    Attributes
    ----------
    transitions : ndarray of shape (n_states, 4, n_states)
        ``P(s' | s, a)``.
    rewards : ndarray of shape (n_states,)
        Reward for entering each state.
    terminal : ndarray of shape (n_states,), bool
        The goal and the trap.
    blocked : ndarray of shape (n_states,), bool
        The obstacles.

    Notes
    -----
    Markov coding games are defined in [1]_; this grid world follows the rate-limited
    experiments of [2]_.

    References
    ----------
    .. [1] S. Sokota, C. Schroeder de Witt, M. Igl, L. Zintgraf, P. Torr, M. Strohmeier,
       J. Z. Kolter, S. Whiteson and J. Foerster, "Communicating via Markov decision
       processes", ICML 2022, arXiv:2107.08295 (Markov coding games; MEME: a
       maximum-entropy policy coupled with the message by minimum-entropy coupling).
    .. [2] M. R. Ebrahimi, J. Chen and A. Khisti, "Minimum entropy coupling with
       bottleneck", NeurIPS 2024, arXiv:2410.21666 (Markov coding games under a rate
       limit: the belief compressed by EBIM before the coupling, and the reward against
       receiver accuracy trade-off).

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
        obstacles = check_sequence(obstacles, "obstacles", what="(row, column) pairs",
                                   allow_empty=True)
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
        """``cell`` as a (row, column) pair of non-negative ints inside the grid."""
        if isinstance(cell, (str, bytes)) or not hasattr(cell, "__len__"):
            raise TypeError(f"{name} must be (row, column) pairs of integers (got {cell!r})")
        if len(cell) != 2:
            raise ValueError(f"{name} must be (row, column) pairs (got {cell!r})")
        n = self.size
        r, c = (check_scalar_in(v, name, integer=True) for v in cell)
        if not (-n <= r < n and -n <= c < n):
            raise ValueError(f"{name} {tuple(cell)} lies outside the {n} x {n} grid")
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
            Row and column (negative values count from the end).

        Returns
        -------
        int
            ``row * size + column``.
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
            Current state, in ``[0, n_states)``.
        action : int
            Action in ``[0, 4)`` (up, right, down, left).
        rng : None, int, RandomState or Generator
            Source of randomness (see :func:`probstat.utils.check_rng`).

        Returns
        -------
        next_state : int
            The sampled next state.
        reward : float
            Reward for entering it (0 from a terminal state).
        done : bool
            Whether the next state is terminal.
        """
        state = check_scalar_in(state, "state", low=0, high=self.n_states - 1, integer=True)
        action = check_scalar_in(action, "action", low=0, high=3, integer=True)
        return self._step(state, action, check_rng(rng))

    def _step(self, state, action, rng):
        """:meth:`step` without the argument checks (the game's inner loop)."""
        probs = self.transitions[state, action]
        nxt = int(np.searchsorted(np.cumsum(probs), rng.random() * probs.sum(),
                                  side="right"))
        nxt = min(nxt, self.n_states - 1)
        reward = 0.0 if self.terminal[state] else float(self.rewards[nxt])
        return nxt, reward, bool(self.terminal[nxt])


def check_world(world):
    """Refuse anything but a :class:`GridWorld` with a TypeError naming ``world``."""
    if not isinstance(world, GridWorld):
        raise TypeError(f"world must be a GridWorld (got {type(world).__name__})")
    return world
