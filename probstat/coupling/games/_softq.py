"""Maximum-entropy policies of the grid world by soft-Q iteration."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import entr, softmax

from ..._warn import warn
from ...backend import to_numpy
from ...base import ResultMixin
from ...utils import ConvergenceWarning, check_scalar_in
from ...utils._numerics import logsumexp
from .._validation import LN2
from ._gridworld import check_world


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class SoftQPolicy(ResultMixin):
    """Maximum-entropy policy from soft-Q iteration.

    Parameters
    ----------
    policy : ndarray of shape (n_states, 4)
        ``pi(a | s) = softmax(Q(s, .) / beta)``.
    q_values : ndarray of shape (n_states, 4)
        The soft action values ``Q(s, a)``.
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
            The mean over all states (terminal states count as uniform).
        """
        return float(np.mean(entr(to_numpy(self.policy)).sum(axis=1))) / LN2


def _soft_q(world, beta, n_iter, tol):
    """Soft-Q iteration on validated arguments."""
    P, r, gamma = world.transitions, world.rewards, world.discount
    live = ~world.terminal
    # Reward for entering s' is paid only on leaving a live state.
    immediate = np.einsum("sat,t->sa", P, r) * live[:, None]
    Q = np.zeros((world.n_states, 4))
    residual = np.inf
    it = 0
    for it in range(1, n_iter + 1):  # noqa: B007 - ``it`` is reported after the loop
        V = np.where(live, beta * logsumexp(Q / beta, axis=1, xp=np), 0.0)
        Q_new = immediate + gamma * np.einsum("sat,t->sa", P, V) * live[:, None]
        residual = float(np.max(np.abs(Q_new - Q)))
        Q = Q_new
        if residual < tol:
            break
    if tol > 0 and not residual < tol:
        warn(f"soft_q_iteration did not reach tol={tol:g} in {it} iterations (last change "
             f"{residual:.3g}); increase n_iter", ConvergenceWarning)
    V = np.where(live, beta * logsumexp(Q / beta, axis=1, xp=np), 0.0)
    policy = softmax(Q / beta, axis=1)
    policy[~live] = 0.25
    return SoftQPolicy(policy, Q, V, float(beta), it, residual)


def soft_q_iteration(world, beta, *, n_iter=100, tol=0.0) -> SoftQPolicy:
    """Maximum-entropy (soft) Q iteration.

    ``Q(s, a) = sum_s' P(s' | s, a) (r(s') + discount V(s'))`` with
    ``V(s) = beta log sum_a exp(Q(s, a) / beta)`` and ``V = 0`` at terminal states. The
    fixed point maximises expected discounted reward plus ``beta`` times the policy's
    entropy (in nats); as ``beta -> 0`` it tends to ordinary value iteration.

    Parameters
    ----------
    world : GridWorld
        The MDP.
    beta : float
        Temperature (> 0).
    n_iter : int, default=100
        Number of iterations (the MEC-B authors use 100).
    tol : float, default=0.0
        Stop early when the sup-norm change of ``Q`` is below ``tol``; with ``tol > 0``,
        not getting there in ``n_iter`` iterations gives a ``ConvergenceWarning``.

    Returns
    -------
    SoftQPolicy
        The policy, its values and the last change of ``Q``.

    Notes
    -----
    Soft Q-iteration as in [1]_; maximum-entropy policies are the first half of MEME
    [2]_.

    References
    ----------
    .. [1] T. Haarnoja, H. Tang, P. Abbeel and S. Levine, "Reinforcement learning with
       deep energy-based policies", ICML 2017, arXiv:1702.08165 (soft Q-iteration and
       the Boltzmann policy of the soft Q-function).
    .. [2] S. Sokota, C. Schroeder de Witt, M. Igl, L. Zintgraf, P. Torr, M. Strohmeier,
       J. Z. Kolter, S. Whiteson and J. Foerster, "Communicating via Markov decision
       processes", ICML 2022, arXiv:2107.08295 (Markov coding games; MEME: a
       maximum-entropy policy coupled with the message by minimum-entropy coupling).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.coupling.games import GridWorld, soft_q_iteration
    >>> pol = soft_q_iteration(GridWorld(), beta=float(np.exp(-6)))
    >>> pol.n_iter
    100
    """
    check_world(world)
    beta = check_scalar_in(beta, "beta", low=0, low_inclusive=False)
    n_iter = check_scalar_in(n_iter, "n_iter", low=1, integer=True)
    tol = check_scalar_in(tol, "tol", low=0)
    return _soft_q(world, beta, n_iter, tol)
