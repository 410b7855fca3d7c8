"""The coding protocol of the Markov coding game: compress the belief, couple, act, update."""

from __future__ import annotations

import dataclasses

import numpy as np

from ...backend import on_host, to_numpy
from ...base import ResultMixin
from ...utils import (
    check_array,
    check_option,
    check_probability_vector,
    check_rng,
    check_scalar_in,
    check_stochastic_matrix,
    check_verbose,
    entropy,
    progress,
    sum_tolerance,
)
from .._ebim import RATE_SLACK, _greedy_candidates, _labels_for, _move_at
from .._ebim_refine import _refine
from .._mecb import _uniform_labels
from .._validation import LN2
from ._gridworld import check_world
from ._softq import SoftQPolicy

#: Encoders of the belief. "uniform" is the former name of "adaptive_bins", still accepted.
ENCODERS = ("greedy", "refined", "adaptive_bins", "fixed_bins", "uniform")


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class MCGResult(ResultMixin):
    """Episodes of a Markov coding game.

    The arrays live in the namespace and on the device of the policy or prior given to
    :func:`play` (NumPy for a :class:`SoftQPolicy`).

    Parameters
    ----------
    rewards : ndarray of shape (n_episodes,)
        Discounted return ``sum_t discount**t r_{t+1}`` of each episode.
    decoded : ndarray of shape (n_episodes,), bool
        Whether the receiver's most likely message equals the sent one at the end.
    messages : ndarray of shape (n_episodes,), int64
        The message sent in each episode.
    steps : ndarray of shape (n_episodes,), int64
        Length of each episode.
    posterior_true : ndarray of shape (n_episodes,)
        Receiver's final probability of the sent message.
    rate : float
        Bits allowed for the code of the belief at each step.
    encoder : str
        The encoder of the belief (see :func:`play`).
    prior_entropy : float
        ``H(M)`` of the message prior, in bits.

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
    prior_entropy: float

    def _summary_rows(self):
        return [("encoder", self.encoder), ("rate", self.rate),
                ("n_episodes", int(self.rewards.shape[0])),
                ("mean_reward", self.mean_reward), ("reward_se", self.reward_se),
                ("accuracy", self.accuracy), ("accuracy_se", self.accuracy_se),
                ("information_bits", self.information),
                ("information_se", self.information_se),
                ("mean_steps", float(np.mean(to_numpy(self.steps))))]

    @property
    def mean_reward(self) -> float:
        """Average discounted return."""
        return float(np.mean(to_numpy(self.rewards)))

    @property
    def accuracy(self) -> float:
        """Fraction of episodes where the receiver decoded the message."""
        return float(np.mean(to_numpy(self.decoded)))

    @property
    def information(self) -> float:
        """Bits delivered: a Monte Carlo estimate of ``I(M; trajectory)``.

        The receiver's final belief is the exact posterior ``p(m | trajectory)``, so
        ``H(M) + mean(log2 posterior_true)`` estimates ``H(M) - H(M | trajectory)``
        without bias (it can fall slightly below 0 when almost nothing is sent).
        """
        post = to_numpy(self.posterior_true)
        return float(self.prior_entropy + np.mean(np.log2(post)))

    @property
    def reward_se(self) -> float:
        """Standard error of :attr:`mean_reward` (sample standard deviation over
        ``sqrt(n_episodes)``; NaN for a single episode)."""
        return _standard_error(to_numpy(self.rewards))

    @property
    def accuracy_se(self) -> float:
        """Standard error of :attr:`accuracy` over the episodes."""
        return _standard_error(to_numpy(self.decoded).astype(np.float64))

    @property
    def information_se(self) -> float:
        """Standard error of :attr:`information` over the episodes."""
        return _standard_error(np.log2(to_numpy(self.posterior_true)))


def _standard_error(values):
    """Sample standard deviation (ddof 1) over the square root of the count."""
    n = values.shape[0]
    if n < 2:
        return float("nan")
    return float(np.std(values, ddof=1) / np.sqrt(n))


def _fixed_bin_labels(n, rate_nats):
    """The paper's quantiser: all ``n`` message indices in ``floor(e**rate_nats)``
    contiguous bins of ``ceil(n / bins)`` indices, whatever the belief."""
    bins = n if rate_nats >= np.log(n) else int(min(max(np.floor(np.exp(rate_nats) + 1e-9),
                                                        1), n))
    return np.arange(n, dtype=np.int64) // -(-n // bins)


def _code_labels(belief, rate_nats, encoder):
    """Code of every message for the current belief (lean path of the public encoders)."""
    if encoder in ("adaptive_bins", "uniform"):
        return _uniform_labels(belief, rate_nats)
    if encoder == "fixed_bins":
        return _fixed_bin_labels(belief.shape[0], rate_nats)
    support = np.flatnonzero(belief > 0)
    labels = np.zeros(belief.shape[0], dtype=np.int64)
    ps = belief[support]
    order = np.argsort(-ps, kind="stable")
    candidates, h_identity = _greedy_candidates(ps[order])
    if h_identity <= rate_nats + RATE_SLACK or support.size < 2:
        codes = np.arange(support.size)
    else:
        k, merge_small = _move_at(int(np.argmax(candidates <= rate_nats + RATE_SLACK)))
        codes = _labels_for(support.size, np.arange(support.size), k, merge_small)
    labels[support[order]] = codes
    return labels


def _action_given_code(p_t, pi, greedy_core):
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


def check_policy(policy, world):
    """The policy as a float64 (n_states, 4) array whose live rows are distributions."""
    pi = policy.policy if isinstance(policy, SoftQPolicy) else policy
    dtype = getattr(pi, "dtype", np.float64)  # the tolerance on the rows scales with it
    pi = check_array(pi, "policy", ndim=2)
    if pi.shape != (world.n_states, 4):
        raise ValueError(f"policy must have shape ({world.n_states}, 4) (got {pi.shape})")
    pi = np.array(pi, dtype=np.float64, copy=True)  # never write into the caller's array
    live = ~world.terminal
    pi[live] = check_stochastic_matrix(pi[live], name="policy", axis=1,
                                       atol=sum_tolerance(dtype, 4))
    return pi


def _play(world, pi, prior, rate_bits, encoder, n_episodes, max_steps, rng, verbose):
    """The episodes of :func:`play` on validated arguments (NumPy)."""
    from .._kernels import greedy_core  # numba compiles on the first call

    n_messages = prior.shape[0]
    rate_nats = rate_bits * LN2
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
            elif encoder == "refined":  # stochastic p(t | m): p(a | m) = sum_t p(t|m) p(a|t)
                enc = _refine(belief, rate_bits, "greedy", LN2, 2, window=1).encoder
                p_t = belief @ enc
                given_m = enc @ _action_given_code(p_t / p_t.sum(), pi[s], greedy_core)
                row = given_m[m]
            else:
                labels = _code_labels(belief, rate_nats, encoder)
                p_t = np.bincount(labels, weights=belief)
                cond = _action_given_code(p_t / p_t.sum(), pi[s], greedy_core)  # p(a | t)
                given_m = cond[labels]
                row = given_m[m]
            a = int(min(np.searchsorted(np.cumsum(row), rng.random() * row.sum(),
                                        side="right"), 3))
            if not known:
                belief = belief * given_m[:, a]
                belief /= belief.sum()
                known = np.count_nonzero(belief) == 1
            s, r, _ = world._step(s, a, rng)
            ret += disc * r
            disc *= world.discount
            t += 1
        rewards[e] = ret
        messages[e] = m
        steps[e] = t
        posterior[e] = belief[m]
        decoded[e] = int(np.argmax(belief)) == m
    return MCGResult(rewards, decoded, messages, steps, posterior, rate_bits, encoder,
                     float(entropy(prior)))


def play(world, policy, *, n_messages=512, prior=None, rate=None, rate_fraction=None,
         encoder="greedy", n_episodes=200, max_steps=1000, random_state=None,
         verbose=False) -> MCGResult:
    """Play episodes of the Markov coding game.

    Parameters
    ----------
    world : GridWorld
        The MDP.
    policy : SoftQPolicy or array-like of shape (n_states, 4)
        The agent's policy ``pi(a | s)`` (rows of terminal states are not used).
    n_messages : int, default=512
        Size of the message set.
    prior : array-like of shape (n_messages,), optional
        Message prior (default uniform); the message is drawn from it.
    rate : float, optional
        Bits allowed for the code of the belief at every step. Give ``rate`` or
        ``rate_fraction``; neither means no bottleneck (``rate = H(prior)``).
    rate_fraction : float, optional
        ``rate = rate_fraction * H(prior)`` (the MEC-B code's "compression rate").
    encoder : str, default="greedy"
        One of ``"greedy"``, ``"refined"``, ``"fixed_bins"``, ``"adaptive_bins"`` or
        ``"uniform"``.
        How the receiver's belief over the messages becomes a code ``T`` with
        ``H(T) <= rate`` at every step:

        - ``"greedy"``: the greedy EBIM encoder (as :func:`probstat.coupling.ebim_greedy`)
          of the current belief;
        - ``"refined"``: a stochastic EBIM encoder: the moves of
          :func:`probstat.coupling.ebim_refine` applied to the identity and to the greedy
          candidates next to the greedy answer (the one just above the rate and the ones
          at and just below it), so that it stays fast at every step;
        - ``"fixed_bins"``: the baseline of the MEC-B paper: all message indices cut once
          into ``floor(2**rate)`` contiguous bins that ignore the belief. The receiver can
          never tell apart two messages of one bin, so its accuracy is at most one over
          the bin size;
        - ``"adaptive_bins"``: probstat's own, stronger baseline: the messages the receiver
          still considers possible are cut into ``floor(2**rate)`` contiguous bins again
          at every step (as :func:`probstat.coupling.uniform_quantizer` on the belief);
        - ``"uniform"``: the former name of ``"adaptive_bins"``, kept as an alias.
    n_episodes : int, default=200
        Number of episodes.
    max_steps : int, default=1000
        Longest episode.
    random_state : None, int, RandomState or Generator
        Seed or generator of the messages, actions and moves.
    verbose : bool, default=False
        Progress bar over episodes.

    Returns
    -------
    MCGResult
        The episodes run on the CPU: an array-API policy or prior is copied to NumPy and
        the result's arrays moved back to its namespace.

    Notes
    -----
    The protocol is MEME [1]_ with the rate-limited encoder of [2]_. The rate limit
    binds only when it is below what one action can carry: a step sends at most
    ``min(rate, H(pi(. | s)))`` bits, so a rate above the policy's entropy per step
    changes nothing, while a rate below it caps the bits per step.

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
    >>> from probstat.coupling.games import GridWorld, soft_q_iteration, play
    >>> world = GridWorld(size=4, obstacles=[], start=(3, 0))
    >>> pol = soft_q_iteration(world, beta=0.5)
    >>> res = play(world, pol, n_messages=4, n_episodes=20, random_state=0)
    >>> 0.0 <= res.accuracy <= 1.0
    True
    """
    check_world(world)
    host = on_host(policy, prior, where="play")
    pi = check_policy(host.to_numpy(policy), world)
    n_messages = check_scalar_in(n_messages, "n_messages", low=1, integer=True)
    if prior is None:
        prior = np.full(n_messages, 1.0 / n_messages)
    else:
        prior = check_probability_vector(host.to_numpy(prior), name="prior")
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
    check_option(encoder, "encoder", ENCODERS)
    n_episodes = check_scalar_in(n_episodes, "n_episodes", low=1, integer=True)
    max_steps = check_scalar_in(max_steps, "max_steps", low=1, integer=True)
    rng = check_rng(random_state)
    verbose = check_verbose(verbose)
    result = _play(world, pi, prior, rate, encoder, n_episodes, max_steps, rng, verbose)
    return host.from_numpy(result)
