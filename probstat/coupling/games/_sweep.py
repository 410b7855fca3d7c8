"""Reward and decoding accuracy of the Markov coding game over temperatures and rates."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ...backend import on_host
from ...base import ResultMixin
from ...utils import (
    check_array,
    check_option,
    check_rng,
    check_scalar_in,
    check_sequence,
    check_verbose,
    entropy,
    progress,
)
from ...utils._parallel import check_n_jobs, parallel_map, runs_serially
from ._gridworld import check_world
from ._protocol import ENCODERS, _play, check_policy
from ._softq import _soft_q


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class MCGSweep(ResultMixin):
    """Reward and decoding accuracy over temperatures, rates and encoders.

    The arrays live in the namespace and on the device of ``betas``.

    Parameters
    ----------
    betas : ndarray of shape (b,)
        Policy temperatures.
    rate_fractions : ndarray of shape (r,)
        Rates as fractions of ``H(M)``.
    encoders : tuple of str
        The encoders compared.
    mean_reward : ndarray of shape (len(encoders), r, b)
        Mean discounted reward of each cell.
    accuracy : ndarray of shape (len(encoders), r, b)
        Decoding accuracy of each cell.
    information : ndarray of shape (len(encoders), r, b)
        Bits delivered per episode (:attr:`MCGResult.information`) of each cell.
    policy_entropy : ndarray of shape (b,)
        Mean policy entropy (bits) for each temperature.
    reward_se, accuracy_se, information_se : ndarray of shape (len(encoders), r, b)
        Standard errors of ``mean_reward``, ``accuracy`` and ``information`` over the
        episodes of each cell (sample standard deviation over ``sqrt(n_episodes)``; NaN
        with a single episode).

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
    information: np.ndarray
    policy_entropy: np.ndarray
    reward_se: np.ndarray
    accuracy_se: np.ndarray
    information_se: np.ndarray

    def plot(self, ax=None, *, x="information"):
        """The trade-off: reward against what is sent, one curve per encoder and rate.

        Each marker is one temperature of the sweep; the curve joins them in order of
        ``betas``, so ask for enough temperatures to see its shape (about 10 spanning
        the change from a near-greedy to a random policy). Error bars are one standard
        error each way, in both directions.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when None).
        x : {"information", "accuracy"}, default="information"
            Horizontal axis: bits delivered per episode, or decoding accuracy.

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on.
        """
        from .._plot import plot_mcg_sweep

        check_option(x, "x", ("information", "accuracy"))
        return plot_mcg_sweep(self, ax, x=x)


def _check_encoders(encoders):
    encoders = check_sequence(encoders, "encoders", what="encoder names ('greedy', ...)")
    for name in encoders:
        check_option(name, "encoders", ENCODERS)
    return encoders


def _play_cell(task, world, tables, prior, rates, encoders, n_episodes, max_steps):
    """The six statistics of one (encoder, rate, beta) cell, from its own seed."""
    (i, j, k), seed = task
    res = _play(world, tables[k], prior, rates[j], encoders[i], n_episodes, max_steps,
                np.random.default_rng(seed), False)
    return (res.mean_reward, res.accuracy, res.information, res.reward_se, res.accuracy_se,
            res.information_se)


def mcg_sweep(world, betas, rate_fractions=(1.0,), *,
              encoders=("greedy", "adaptive_bins", "fixed_bins"),
              n_messages=512, n_episodes=200, max_steps=1000, n_iter=100,
              random_state=None, verbose=False, n_jobs=None) -> MCGSweep:
    """Play the Markov coding game over temperatures, rates and encoders.

    Parameters
    ----------
    world : GridWorld
        The MDP.
    betas : array-like of shape (b,)
        Policy temperatures (> 0); a single number gives one temperature.
    rate_fractions : array-like of shape (r,), default=(1.0,)
        Rates as fractions of ``H(M)`` (>= 0).
    encoders : tuple of str, default=("greedy", "adaptive_bins", "fixed_bins")
        Encoders to compare (see :func:`play`): the greedy EBIM encoder, probstat's
        adaptive quantiser and the MEC-B paper's fixed-bin quantiser.
    n_messages : int, default=512
        Size of the (uniform) message set.
    n_episodes : int, default=200
        Episodes per cell.
    max_steps : int, default=1000
        Longest episode.
    n_iter : int, default=100
        Soft-Q iterations.
    random_state : None, int, RandomState or Generator
        Each (encoder, rate, beta) cell gets its own stream drawn from it.
    verbose : bool, default=False
        Progress bar over the cells (shown when the cells run in this process).
    n_jobs : int or None, default=None
        Number of joblib workers for the cells (``-1``: all cores); ``None`` follows the
        active ``joblib.parallel_config`` (joblib's Dask backend sends the cells to a
        Dask cluster) and otherwise runs in this process. Every cell draws from its own
        seed, so the result does not depend on ``n_jobs``.

    Returns
    -------
    MCGSweep
        Means and standard errors over the episodes of each cell. The episodes run on
        the CPU: array-API ``betas`` or ``rate_fractions`` are copied
        to NumPy and the result's arrays moved back to their namespace.

    Notes
    -----
    The sweep traces the trade-off studied in [1]_ and [2]_.

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
    >>> from probstat.coupling.games import GridWorld, mcg_sweep
    >>> world = GridWorld(size=4, obstacles=[], start=(3, 0))
    >>> sweep = mcg_sweep(world, [0.5], n_messages=4, n_episodes=4, random_state=0)
    >>> sweep.encoders
    ('greedy', 'adaptive_bins', 'fixed_bins')
    """
    check_world(world)
    host = on_host(betas, rate_fractions, where="mcg_sweep")
    betas = check_array(host.to_numpy(betas), "betas", ndim=(0, 1)).reshape(-1)
    if float(betas.min()) <= 0:
        raise ValueError(f"betas must be > 0 (smallest {float(betas.min()):g})")
    fractions = check_array(host.to_numpy(rate_fractions), "rate_fractions",
                            ndim=(0, 1)).reshape(-1)
    if float(fractions.min()) < 0:
        raise ValueError(f"rate_fractions must be >= 0 (smallest {float(fractions.min()):g})")
    encoders = _check_encoders(encoders)
    n_messages = check_scalar_in(n_messages, "n_messages", low=1, integer=True)
    n_episodes = check_scalar_in(n_episodes, "n_episodes", low=1, integer=True)
    max_steps = check_scalar_in(max_steps, "max_steps", low=1, integer=True)
    n_iter = check_scalar_in(n_iter, "n_iter", low=1, integer=True)
    rng = check_rng(random_state)
    verbose = check_verbose(verbose)
    n_jobs = check_n_jobs(n_jobs)

    policies = [_soft_q(world, float(b), n_iter, 0.0) for b in betas]
    prior = np.full(n_messages, 1.0 / n_messages)
    h_prior = entropy(prior)
    tables = [check_policy(p.policy, world) for p in policies]
    cells = [(i, j, k) for i in range(len(encoders)) for j in range(fractions.size)
             for k in range(betas.size)]
    seeds = [int(s) for s in rng.integers(0, 2**63 - 1, size=len(cells))]
    play_cell = functools.partial(
        _play_cell, world=world, tables=tables, prior=prior,
        rates=[float(f) * h_prior for f in fractions], encoders=encoders,
        n_episodes=n_episodes, max_steps=max_steps)
    tasks = list(zip(cells, seeds))
    if runs_serially(n_jobs):
        stats = [play_cell(task) for task in progress(tasks, verbose=verbose,
                                                      desc="MCG sweep")]
    else:
        stats = parallel_map(play_cell, tasks, n_jobs=n_jobs)
    shape = (len(encoders), fractions.size, betas.size)
    (reward, accuracy, information, reward_se, accuracy_se,
     information_se) = np.array(stats, dtype=np.float64).T.reshape(6, *shape)
    entropies = np.array([p.mean_entropy() for p in policies])
    sweep = MCGSweep(betas.copy(), fractions.copy(), encoders, reward, accuracy,
                     information, entropies, reward_se, accuracy_se, information_se)
    return host.from_numpy(sweep)
