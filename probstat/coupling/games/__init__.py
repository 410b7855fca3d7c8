"""Markov coding games: send a message through the actions of an agent in an MDP.

An agent acts in a grid world with a maximum-entropy policy (soft-Q iteration). A
receiver watches the actions. At every step the receiver's current belief over the
message is compressed to a code ``T`` with ``H(T) <= rate`` (greedy or refined EBIM; as
baselines the MEC-B paper's fixed bins of message indices, or probstat's adaptive bins of
the messages still possible), ``T`` is coupled with the policy ``pi(a | s)`` by greedy
minimum-entropy coupling, and the agent draws its action from ``p(a | t = code of the
true message)``. The action is still distributed as ``pi(a | s)`` on average over
messages, so the expected reward is that of the policy, while the receiver updates its
belief to ``p(m | a)``. Higher policy entropy (temperature ``beta``) carries more
information per step but earns less reward: the trade-off of Sokota et al. (2022) and of
the MEC-B paper's Markov coding game experiments (Ebrahimi, Chen and Khisti, 2024).

The grid-world defaults follow the MEC-B authors' README example (8 x 8 grid, goal in the
top-right corner, trap below it, obstacles on the diagonal, slip 0.1, discount 0.95,
start (5, 4)); that this is the paper's exact setup is not verified.

- :class:`GridWorld` (``_gridworld.py``): the MDP;
- :func:`soft_q_iteration`, :class:`SoftQPolicy` (``_softq.py``): maximum-entropy policies;
- :func:`play`, :class:`MCGResult` (``_protocol.py``): the coding protocol, episode by
  episode;
- :func:`mcg_sweep`, :class:`MCGSweep` (``_sweep.py``): reward against accuracy over
  temperatures, rates and encoders.
"""

from ._gridworld import ACTION_NAMES, ACTIONS, GridWorld  # noqa: F401 (the action table)
from ._protocol import MCGResult, play
from ._softq import SoftQPolicy, soft_q_iteration
from ._sweep import MCGSweep, mcg_sweep

__all__ = [
    "GridWorld",
    "MCGResult",
    "MCGSweep",
    "SoftQPolicy",
    "mcg_sweep",
    "play",
    "soft_q_iteration",
]
