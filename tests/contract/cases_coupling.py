"""Contract cases for probstat.coupling and probstat.coupling.games.

Inputs are dyadic (exact in float16/float32), so the float32 mutations give the float64
result and the greedy steps meet no new ties. ``greedy_mec``, ``mec_lower_bound`` and
``MinimumEntropyCoupler.fit_marginals`` take their marginals as ``*marginals``: errors
name them ``marginals[0]``, ``marginals[1]``, which are the array keys here.
"""

from __future__ import annotations

import numpy as np

from probstat import coupling
from probstat.coupling import games

from ._cases import Case

P = np.array([0.5, 0.375, 0.125])
Q = np.array([0.625, 0.25, 0.125])
P4 = np.array([0.5, 0.25, 0.125, 0.125])
P_BATCH = np.array([[0.5, 0.375, 0.125], [0.25, 0.25, 0.5]])
Q_BATCH = np.array([[0.625, 0.375], [0.5, 0.5]])
MARGINALS = {"marginals[0]": P, "marginals[1]": Q}
PROB2 = {"marginals[0]": "prob", "marginals[1]": "prob"}

# A 3 x 3 world: goal at state 2, trap at state 5, start in the bottom-left corner.
WORLD = games.GridWorld(size=3, obstacles=[], start=(2, 0))
POLICY = np.tile([0.5, 0.25, 0.125, 0.125], (WORLD.n_states, 1))
PRIOR = np.array([0.5, 0.25, 0.125, 0.125])
# Category codes: X has 4 symbols with masses 1/2, 1/4, 1/8, 1/8; y has 3/8, 3/8, 1/4.
X_CODES = np.array([[0.0], [0.0], [0.0], [0.0], [1.0], [1.0], [2.0], [3.0]])
Y_CODES = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0])
X_PAIRS = np.array([[0.0, 5.0], [0.0, 5.0], [1.0, 6.0], [2.0, 6.0], [2.0, 7.0], [2.0, 7.0],
                    [0.0, 6.0], [1.0, 7.0]])

RATE_BAD = [-0.5, float("nan"), "1", None]


def _greedy_mec(tol, **marginals):
    return coupling.greedy_mec(marginals["marginals[0]"], marginals["marginals[1]"], tol=tol)


def _lower_bound(method, base, **marginals):
    return coupling.mec_lower_bound(marginals["marginals[0]"], marginals["marginals[1]"],
                                    method=method, base=base)


def _fit_marginals(**marginals):
    return coupling.MinimumEntropyCoupler().fit_marginals(marginals["marginals[0]"],
                                                          marginals["marginals[1]"])


def _bottleneck(X, y, rate, encoder, base):
    est = coupling.BottleneckCoupler(rate, encoder=encoder, base=base).fit(X, y)
    return est, est.transform(X)


CASES = [
    Case("probstat.coupling.greedy_mec", _greedy_mec, arrays=dict(MARGINALS),
         params={"tol": 1e-15}, kinds=dict(PROB2), host=True,
         bad_params={"tol": [None, True]}),
    Case("probstat.coupling.greedy_mec_batch",
         lambda P, Q, tol, n_jobs: coupling.greedy_mec_batch(P, Q, tol=tol, n_jobs=n_jobs),
         arrays={"P": P_BATCH, "Q": Q_BATCH}, params={"tol": 1e-15, "n_jobs": 1},
         kinds={"P": "stochastic", "Q": "stochastic"}, host=True, paired=(("P", "Q"),)),
    Case("probstat.coupling.mec_lower_bound", _lower_bound, arrays=dict(MARGINALS),
         params={"method": "majorize_profile", "base": 2}, kinds=dict(PROB2), host=True,
         bad_params={"method": ["nope", 3, None]}),
    Case("probstat.coupling.exact_mec",
         lambda p, q, max_atoms: coupling.exact_mec(p, q, max_atoms=max_atoms),
         arrays={"p": P, "q": Q}, params={"max_atoms": 14},
         kinds={"p": "prob", "q": "prob"}, host=True,
         bad_params={"max_atoms": [1, 19, 2.5, "14", None]}),
    Case("probstat.coupling.ebim_greedy",
         lambda p_x, rate, base: coupling.ebim_greedy(p_x, rate, base=base),
         arrays={"p_x": P4}, params={"rate": 1.0, "base": 2}, kinds={"p_x": "prob"},
         bad_params={"rate": RATE_BAD}),
    Case("probstat.coupling.ebim_best_partition",
         lambda p_x, rate, base, max_size: coupling.ebim_best_partition(
             p_x, rate, base=base, max_size=max_size),
         arrays={"p_x": P4}, params={"rate": 0.8, "base": 2, "max_size": 10},
         kinds={"p_x": "prob"}, host=True,
         bad_params={"rate": RATE_BAD, "max_size": [0, 13, 2.5, "10"]}),
    Case("probstat.coupling.ebim_refine",
         lambda p_x, rate, start, base: coupling.ebim_refine(p_x, rate, start=start,
                                                            base=base),
         arrays={"p_x": P4}, params={"rate": 0.7, "start": "all_partitions", "base": 2},
         kinds={"p_x": "prob"}, host=True,
         bad_params={"rate": RATE_BAD, "start": ["bogus", 1, None]}),
    # A single rate is a one-point curve, so a 0-d ``rates`` is valid.
    Case("probstat.coupling.ebim_curve",
         lambda p_x, rates, start, base: coupling.ebim_curve(p_x, rates, start=start,
                                                            base=base),
         arrays={"p_x": P, "rates": np.array([0.5, 1.0])},
         params={"start": "auto", "base": 2}, kinds={"p_x": "prob"}, host=True,
         accepts={"rates": {"zero_d"}}, bad_params={"start": ["bogus", 1]}),
    Case("probstat.coupling.mec_b",
         lambda p_x, p_y, rate, encoder, base: coupling.mec_b(p_x, p_y, rate,
                                                             encoder=encoder, base=base),
         arrays={"p_x": P4, "p_y": Q}, params={"rate": 1.0, "encoder": "greedy", "base": 2},
         kinds={"p_x": "prob", "p_y": "prob"}, host=True,
         bad_params={"rate": RATE_BAD, "encoder": ["best", 1, None]}),
    Case("probstat.coupling.mec_b",
         lambda p_x, p_y, rate, encoder: coupling.mec_b(p_x, p_y, rate, encoder=encoder),
         arrays={"p_x": P4, "p_y": Q}, params={"rate": 0.7, "encoder": "refined"},
         kinds={"p_x": "prob", "p_y": "prob"}, host=True, id="refined"),
    Case("probstat.coupling.uniform_quantizer",
         lambda p_x, rate, base: coupling.uniform_quantizer(p_x, rate, base=base),
         arrays={"p_x": P4}, params={"rate": 1.0, "base": 2}, kinds={"p_x": "prob"},
         host=True, bad_params={"rate": RATE_BAD}),
    Case("probstat.coupling.MinimumEntropyCoupler",
         lambda X, method, tol: coupling.MinimumEntropyCoupler(method, tol=tol).fit(X),
         arrays={"X": X_PAIRS}, params={"method": "greedy", "tol": 1e-15}, host=True,
         bad_params={"method": ["lp", 1, None]}),
    Case("probstat.coupling.MinimumEntropyCoupler", _fit_marginals, arrays=dict(MARGINALS),
         kinds=dict(PROB2), host=True, id="fit_marginals"),
    # ``y`` holds category values: strings are valid categories, and y=None couples X
    # with itself (p_Y = p_X).
    Case("probstat.coupling.BottleneckCoupler", _bottleneck,
         arrays={"X": X_CODES, "y": Y_CODES},
         params={"rate": 1.0, "encoder": "greedy", "base": 2}, host=True,
         paired=(("X", "y"),), accepts={"y": {"none", "strings"}},
         bad_params={"rate": [-1.0, "1", None], "encoder": ["best", 1]}),
    # games
    Case("probstat.coupling.games.GridWorld",
         lambda size, slip, discount: (lambda w: (w.transitions, w.rewards, w.terminal))(
             games.GridWorld(size, obstacles=[], slip=slip, discount=discount)),
         params={"size": 3, "slip": 0.1, "discount": 0.9},
         bad_params={"size": [1, 2.5, "3", None, True], "slip": [-0.1, 0.6, "0.1"],
                     "discount": [1.0, -0.5, "0.9", float("nan")]}),
    Case("probstat.coupling.games.soft_q_iteration",
         lambda beta, n_iter, tol: games.soft_q_iteration(WORLD, beta, n_iter=n_iter,
                                                          tol=tol),
         params={"beta": 0.5, "n_iter": 20, "tol": 0.0},
         bad_params={"beta": [0.0, -1.0, "0.5", float("nan")], "n_iter": [0, 2.5, "5"]}),
    # prior=None is the uniform prior.
    Case("probstat.coupling.games.play",
         lambda policy, prior, **kw: games.play(WORLD, policy, prior=prior, **kw),
         arrays={"policy": POLICY, "prior": PRIOR},
         params={"n_messages": 4, "rate": 1.0, "encoder": "greedy", "n_episodes": 2,
                 "max_steps": 10, "random_state": 0, "verbose": False},
         kinds={"policy": "stochastic", "prior": "prob"}, host=True,
         accepts={"prior": {"none"}},
         bad_params={"n_messages": [0, 2.5, "4"], "rate": [-1.0, float("nan"), "1"],
                     "encoder": ["optimal", 1], "n_episodes": [0, "2"],
                     "max_steps": [0, 1.5]}),
    # The stochastic refined encoder and the paper's fixed bins take the same inputs.
    Case("probstat.coupling.games.play",
         lambda policy, prior, **kw: games.play(WORLD, policy, prior=prior, **kw),
         arrays={"policy": POLICY, "prior": PRIOR},
         params={"n_messages": 4, "rate": 1.0, "encoder": "refined", "n_episodes": 2,
                 "max_steps": 10, "random_state": 0, "verbose": False},
         kinds={"policy": "stochastic", "prior": "prob"}, host=True,
         accepts={"prior": {"none"}},
         bad_params={"encoder": ["fixed bins", "Greedy"]}),
    Case("probstat.coupling.games.play",
         lambda policy, prior, **kw: games.play(WORLD, policy, prior=prior, **kw),
         arrays={"policy": POLICY, "prior": PRIOR},
         params={"n_messages": 4, "rate": 1.0, "encoder": "fixed_bins", "n_episodes": 2,
                 "max_steps": 10, "random_state": 0, "verbose": False},
         kinds={"policy": "stochastic", "prior": "prob"}, host=True,
         accepts={"prior": {"none"}},
         bad_params={"rate": [-0.5, float("inf")]}),
    # A single temperature or rate is a one-point sweep, so 0-d inputs are valid.
    Case("probstat.coupling.games.mcg_sweep",
         lambda betas, rate_fractions, **kw: games.mcg_sweep(WORLD, betas, rate_fractions,
                                                             **kw),
         arrays={"betas": np.array([0.5, 1.0]), "rate_fractions": np.array([0.5, 1.0])},
         params={"encoders": ("greedy",), "n_messages": 4, "n_episodes": 2, "max_steps": 10,
                 "n_iter": 10, "random_state": 0, "verbose": False, "n_jobs": 1},
         host=True, accepts={"betas": {"zero_d"}, "rate_fractions": {"zero_d"}},
         bad_params={"encoders": ["greedy", ("optimal",), (), 3],
                     "n_messages": [0, "4"], "n_iter": [0, "5"]}),
]

EXEMPT = {
    "probstat.coupling.demo": "exercised by tests/test_tour.py",
}

# iterative coupling for large supports and steganography
P2 = np.array([0.5, 0.5])
Q4 = np.array([0.5, 0.25, 0.125, 0.125])


def _ar_uniform(prefix):
    return np.array([0.5, 0.5])


def _fimec(n_steps, tol, **a):
    c = coupling.fimec([a["source[0]"], a["source[0]"]], a["target"], n_steps=n_steps,
                       tol=tol)
    return c, c.entropy(), c.log_prob([0, 1], c.encode([0, 1], random_state=0))


def _arimec(target, source_length, tol):
    c = coupling.arimec(_ar_uniform, target, source_length=source_length, tol=tol)
    return c.entropy(), float(c.decode([1])[0])


CASES += [
    Case("probstat.coupling.fimec", _fimec, arrays={"source[0]": P, "target": Q4},
         params={"n_steps": 1, "tol": 1e-15},
         kinds={"source[0]": "prob", "target": "prob"}, host=True,
         bad_params={"n_steps": [0, 2, 2.5, "1"]}),
    Case("probstat.coupling.arimec", _arimec, arrays={"target": Q4},
         params={"source_length": 2, "tol": 1e-15}, kinds={"target": "prob"}, host=True,
         bad_params={"source_length": [0, 1.5, "2", None]}),
    Case("probstat.coupling.IterativeCoupler",
         lambda X, y, tol: coupling.IterativeCoupler(tol=tol).fit(X, y),
         arrays={"X": X_PAIRS, "y": Y_CODES}, params={"tol": 1e-15}, host=True,
         paired=(("X", "y"),), accepts={"y": {"strings"}}),
    Case("probstat.coupling.IterativeCoupler",
         lambda **a: coupling.IterativeCoupler().fit_marginals(
             [a["source[0]"], a["source[0]"]], a["target"]).entropy_,
         arrays={"source[0]": P, "target": Q4},
         kinds={"source[0]": "prob", "target": "prob"}, host=True,
         id="fit_marginals"),
    Case("probstat.coupling.char_ngram_model",
         lambda order, alpha: coupling.char_ngram_model(order=order, alpha=alpha),
         params={"order": 1, "alpha": 0.01},
         bad_params={"order": [-1, 5, 1.5, "2"], "alpha": [0.0, -1.0, "0.1"]}),
    Case("probstat.coupling.stego_encode",
         lambda message_bits, key, block_bits, random_state: coupling.stego_encode(
             message_bits, coupling.char_ngram_model(order=1), key, block_bits=block_bits,
             random_state=random_state),
         arrays={"message_bits": np.array([1.0, 0.0, 1.0])},
         params={"key": 3, "block_bits": 2, "random_state": 0}, host=True,
         array_api="token sequences are host integer lists; the text model is NumPy",
         accepts={"message_bits": {"bool", "float32", "longdouble"}},
         bad_params={"block_bits": [0, 17, 1.5], "key": [None, -1, True]}),
    Case("probstat.coupling.stego_decode",
         lambda tokens, key, n_bits: coupling.stego_decode(
             tokens, coupling.char_ngram_model(order=1), key, n_bits=n_bits),
         arrays={"tokens": np.array([5, 7, 9, 11])}, params={"key": 3, "n_bits": 3},
         host=True, array_api="token sequences are host integer lists",
         accepts={"tokens": {"float32", "longdouble"}},
         bad_params={"n_bits": [0, 1.5, "3"], "key": [None]}),
    Case("probstat.coupling.stego_log_prob",
         lambda tokens, message_bits, key: coupling.stego_log_prob(
             tokens, message_bits, coupling.char_ngram_model(order=1), key),
         arrays={"tokens": np.array([5, 7]), "message_bits": np.array([1.0, 0.0])},
         params={"key": 3}, host=True, array_api="token sequences are host integer lists",
         accepts={"tokens": {"float32", "longdouble"},
                  "message_bits": {"bool", "float32", "longdouble"}},
         bad_params={"key": [None, 2.5]}),
]
