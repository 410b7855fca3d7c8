"""FIMEC and ARIMEC against enumeration, chain-rule marginals and greedy MEC on the
flattened supports."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.coupling import IterativeCoupler, arimec, fimec, greedy_mec, mec_lower_bound


def _random_ar(seed, k):
    """An autoregressive model whose conditionals are fixed Dirichlet draws per prefix."""
    cache = {}

    def next_distribution(prefix):
        if prefix not in cache:
            sub = np.random.default_rng([seed, len(prefix), *prefix])
            cache[prefix] = sub.dirichlet(np.ones(k))
        return cache[prefix]

    return next_distribution


def _chain_prob(fn, seq):
    """p(seq) by the chain rule, written independently of the library."""
    p = 1.0
    for j, v in enumerate(seq):
        p *= fn(tuple(seq[:j]))[v]
    return p


def _joint_by_evaluation(c, xs, ys, px):
    """p(x, y) = p(x) * exp(log p(y | x)) from log_prob, cell by cell."""
    table = np.zeros((len(xs), len(ys)))
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            lp = c.log_prob(x, y)
            table[i, j] = 0.0 if lp == -math.inf else math.exp(lp)
    return table


@pytest.mark.parametrize("seed", range(4))
def test_fimec_marginals_exact_by_enumeration(seed):
    rng = np.random.default_rng(seed)
    comps = [rng.dirichlet(np.ones(k)) for k in (2, 3, 2)]
    tgt = _random_ar(seed, 3)
    c = fimec(comps, tgt, n_steps=3)
    xs = list(itertools.product(range(2), range(3), range(2)))
    ys = list(itertools.product(range(3), repeat=3))
    px = np.array([comps[0][a] * comps[1][b] * comps[2][d] for a, b, d in xs])
    table = _joint_by_evaluation(c, xs, ys, px)
    np.testing.assert_allclose(table.sum(axis=1), px, atol=1e-12, rtol=0)
    nu = np.array([_chain_prob(tgt, y) for y in ys])
    np.testing.assert_allclose(table.sum(axis=0), nu, atol=1e-12, rtol=0)
    # The enumeration used by entropy() (posterior route) agrees with log_prob.
    xs2, ys2, table2 = c.support()
    cols = [ys.index(y) for y in ys2]
    np.testing.assert_allclose(table2, table[[xs.index(x) for x in xs2]][:, cols],
                               atol=1e-13)
    h = -np.sum(table[table > 0] * np.log2(table[table > 0]))
    assert c.entropy() == pytest.approx(h, abs=1e-10)


@pytest.mark.parametrize("seed", range(4))
def test_arimec_marginals_exact_by_enumeration(seed):
    src, tgt = _random_ar(100 + seed, 3), _random_ar(200 + seed, 2)
    c = arimec(src, tgt, source_length=2, n_steps=4)
    xs = list(itertools.product(range(3), repeat=2))
    ys = list(itertools.product(range(2), repeat=4))
    px = np.array([_chain_prob(src, x) for x in xs])
    table = _joint_by_evaluation(c, xs, ys, px)
    np.testing.assert_allclose(table.sum(axis=1), px, atol=1e-12, rtol=0)
    nu = np.array([_chain_prob(tgt, y) for y in ys])
    np.testing.assert_allclose(table.sum(axis=0), nu, atol=1e-12, rtol=0)
    assert c.entropy() == pytest.approx(
        -np.sum(table[table > 0] * np.log2(table[table > 0])), abs=1e-10)


def test_tabular_target_and_factored_target():
    # A tabular source coupled with a factored target (and the reverse roles).
    p = np.array([0.5, 0.25, 0.125, 0.125])
    q = [np.array([0.5, 0.5]), np.array([0.75, 0.25])]
    c = fimec(p, q)
    xs, ys, table = c.support()
    np.testing.assert_allclose(table.sum(axis=1), p[[x[0] for x in xs]], atol=1e-12)
    np.testing.assert_allclose(table.sum(axis=0), [q[0][a] * q[1][b] for a, b in ys],
                               atol=1e-12)


def test_entropy_between_lower_bound_and_independence_and_near_flat_greedy():
    # Small cases: the iterative coupling is a coupling of the flattened marginals, so
    # its entropy is at least the best lower bound; it is never worse than independence,
    # and stays within 1 bit of greedy MEC on the flattened supports (measured gaps
    # are below 0.6 bit on these seeds).
    gaps = []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        comps = [rng.dirichlet(np.ones(3)) for _ in range(2)]
        steps = [rng.dirichlet(np.ones(3)) for _ in range(2)]
        c = fimec(comps, steps)
        h = c.entropy()
        px = np.kron(comps[0], comps[1])
        py = np.kron(steps[0], steps[1])
        assert h >= mec_lower_bound(px, py) - 1e-9
        hx = -np.sum(px * np.log2(px))
        hy = -np.sum(py * np.log2(py))
        assert h <= hx + hy + 1e-9
        gaps.append(h - greedy_mec(px, py).entropy())
    assert max(gaps) < 1.0


def test_encode_decode_round_trip_uniform_bits():
    # 12 uniform bits as 3 components of 16 values, coupled with a long Bernoulli target:
    # the posterior collapses and decoding recovers x exactly.
    comps = [np.full(16, 1 / 16)] * 3
    tgt = _random_ar(5, 4)
    c = fimec(comps, tgt, n_steps=40)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = tuple(rng.integers(0, 16, 3))
        y = c.encode(x, random_state=rng)
        assert tuple(c.decode(y)) == x
        post = c.posterior(y)
        assert all(p[xi] == pytest.approx(1.0) for p, xi in zip(post, x))


def test_arimec_round_trip():
    src = _random_ar(9, 4)
    c = arimec(src, _random_ar(10, 5), source_length=3, n_steps=30)
    rng = np.random.default_rng(1)
    for _ in range(5):
        x = c._source.sample(rng)
        y = c.encode(x, random_state=rng)
        assert tuple(c.decode(y)) == tuple(x)


def test_sample_marginals_monte_carlo():
    # Both marginals by Monte Carlo (2000 draws, 5 standard errors).
    rng = np.random.default_rng(3)
    comps = [rng.dirichlet(np.ones(3))]
    tgt = [rng.dirichlet(np.ones(4))]
    c = fimec(comps, tgt)
    X, Y = c.sample(2000, random_state=0)
    for values, p in ((X[:, 0], comps[0]), (Y[:, 0], tgt[0])):
        freq = np.bincount(values, minlength=p.shape[0]) / 2000
        assert np.all(np.abs(freq - p) <= 5 * np.sqrt(p * (1 - p) / 2000) + 1e-3)


def test_decode_sample_is_exact_posterior_draw():
    src, tgt = _random_ar(21, 2), _random_ar(22, 2)
    c = arimec(src, tgt, source_length=2, n_steps=1)
    xs, ys, table = c.support()
    y = ys[0]
    post = table[:, 0] / table[:, 0].sum()
    rng = np.random.default_rng(0)
    draws = [tuple(c.decode(y, method="sample", random_state=rng)) for _ in range(1500)]
    freq = np.array([draws.count(x) for x in xs]) / 1500
    assert np.all(np.abs(freq - post) <= 5 * np.sqrt(post * (1 - post) / 1500) + 1e-3)


def test_seeded_reproducible_and_entropy_estimate():
    c = fimec([np.full(8, 1 / 8)] * 2, _random_ar(3, 3), n_steps=6)
    a = c.encode([3, 5], random_state=7)
    b = c.encode([3, 5], random_state=7)
    np.testing.assert_array_equal(a, b)
    exact = c.entropy()
    est, se = c.entropy_estimate(400, random_state=0)
    assert abs(est - exact) <= 5 * se + 1e-9


def test_bad_input():
    with pytest.raises(ValueError, match="n_steps is required"):
        fimec([0.5, 0.5], lambda prefix: [0.5, 0.5])
    with pytest.raises(ValueError, match=r"source\[0\]"):
        fimec([[0.5, 0.6]], [0.5, 0.5])
    with pytest.raises(TypeError, match="source must be a callable"):
        arimec([0.5, 0.5], [0.5, 0.5], source_length=1)
    with pytest.raises(ValueError, match="target"):
        fimec([0.5, 0.5], lambda prefix: [0.7, 0.7], n_steps=2).encode([0])
    c = fimec([0.5, 0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="x"):
        c.encode([2])
    with pytest.raises(ValueError, match="method"):
        c.decode([0], method="mode")
    assert c.log_prob([0], [1]) == -math.inf


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 3), st.integers(1, 3))
def test_property_marginals(seed, n_comp, n_steps):
    rng = np.random.default_rng(seed)
    comps = [rng.dirichlet(np.ones(rng.integers(2, 4))) for _ in range(n_comp)]
    steps = [rng.dirichlet(np.ones(rng.integers(2, 4))) for _ in range(n_steps)]
    xs, ys, table = fimec(comps, steps).support()
    px = np.array([np.prod([c[v] for c, v in zip(comps, x)]) for x in xs])
    py = np.array([np.prod([s[v] for s, v in zip(steps, y)]) for y in ys])
    np.testing.assert_allclose(table.sum(axis=1), px, atol=1e-12)
    np.testing.assert_allclose(table.sum(axis=0), py, atol=1e-12)
    assert np.all(table >= 0)


def test_estimator():
    X = np.array([[0, 1], [0, 2], [1, 1], [1, 1]])
    y = np.array([3, 3, 4, 5])
    est = IterativeCoupler().fit(X, y)
    assert est.coupling_.method == "FIMEC"
    assert est.entropy_ == pytest.approx(est.coupling_.entropy())
    out = est.encode(X, random_state=0)
    assert set(out.tolist()) <= {3, 4, 5}
    back = est.decode(out)
    assert back.shape == X.shape
    est2 = IterativeCoupler().fit_marginals(_random_ar(1, 3), [0.5, 0.5], source_length=2)
    assert est2.coupling_.method == "ARIMEC"
    assert est2.encode([[0, 1]], random_state=0).shape == (1, 1)
