"""iMEC steganography: round trips, exact security by enumeration over one-time pads,
capacity against the cover model's entropy."""

import itertools
import math

import numpy as np
import pytest

from probstat.coupling import char_ngram_model, stego_decode, stego_encode, stego_log_prob


@pytest.fixture(scope="module")
def model():
    return char_ngram_model(order=2)


def _tiny_model(prefix):
    """A 3-token Markov chain (independent of the library's cover model)."""
    table = np.array([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]])
    return table[prefix[-1]] if prefix else np.array([0.4, 0.35, 0.25])


def _cover_prob(y):
    p = 1.0
    for j, v in enumerate(y):
        p *= _tiny_model(tuple(y[:j]))[v]
    return p


@pytest.mark.parametrize("seed", range(6))
def test_round_trip_random_messages(model, seed):
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, int(rng.integers(1, 40)))
    key = f"key-{seed}"
    r = stego_encode(bits, model, key, random_state=seed)
    assert r.decodable
    np.testing.assert_array_equal(stego_decode(r.tokens, model, key, n_bits=bits.size), bits)


def test_one_time_pad_key_and_block_sizes(model):
    rng = np.random.default_rng(1)
    bits = rng.integers(0, 2, 20)
    pad = rng.integers(0, 2, 20)
    for block_bits in (1, 5, 8, 16):
        r = stego_encode(bits, model, pad, block_bits=block_bits, random_state=2)
        out = stego_decode(r.tokens, model, pad, n_bits=20, block_bits=block_bits)
        np.testing.assert_array_equal(out, bits)


def test_seeded_reproducible(model):
    a = stego_encode([1, 0, 1], model, 5, random_state=3).tokens
    b = stego_encode([1, 0, 1], model, 5, random_state=3).tokens
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("message", [(0, 0, 0, 0), (1, 0, 1, 1)])
def test_stego_distribution_equals_cover_exactly(message):
    # Enumerate every one-time pad of 4 bits (the key uniform) and every text of 3
    # tokens: the stego distribution of a fixed message equals the cover distribution.
    n_tokens = 3
    ys = list(itertools.product(range(3), repeat=n_tokens))
    stego = np.zeros(len(ys))
    for pad in itertools.product((0, 1), repeat=4):
        for i, y in enumerate(ys):
            lp = stego_log_prob(y, message, _tiny_model, np.array(pad), block_bits=2)
            stego[i] += 0.0 if lp == -math.inf else math.exp(lp) / 16
    cover = np.array([_cover_prob(y) for y in ys])
    np.testing.assert_allclose(stego, cover, atol=1e-14)
    kl = float(np.sum(stego * np.log(stego / cover)))
    assert abs(kl) < 1e-12
    # Not independent of the key: a fixed key gives a different distribution.
    fixed = np.array([math.exp(stego_log_prob(y, message, _tiny_model, np.zeros(4, int),
                                              block_bits=2)) for y in ys])
    assert np.abs(fixed - cover).max() > 0.01


def test_log_prob_matches_encoder_frequencies():
    # stego_log_prob is the law of stego_encode's tokens (3000 draws, 5 standard errors).
    message, key = [1, 0, 1, 1], np.array([0, 1, 1, 0])
    ys = list(itertools.product(range(3), repeat=2))
    probs = np.array([math.exp(stego_log_prob(y, message, _tiny_model, key, block_bits=2))
                      for y in ys])
    rng = np.random.default_rng(0)
    counts = dict.fromkeys(ys, 0)
    for _ in range(3000):
        t = stego_encode(message, _tiny_model, key, block_bits=2, n_tokens=2,
                         random_state=rng).tokens
        counts[tuple(t.tolist())] += 1
    freq = np.array([counts[y] for y in ys]) / 3000
    assert np.all(np.abs(freq - probs) <= 5 * np.sqrt(probs * (1 - probs) / 3000) + 1e-3)


def test_bits_per_token_below_model_entropy(model):
    # Each token carries at most the entropy of its distribution, so on average the
    # capacity used stays below the model's entropy per token (with slack for the last,
    # partly used token); and it uses a good part of it.
    rng = np.random.default_rng(4)
    ratios = []
    for seed in range(8):
        bits = rng.integers(0, 2, 64)
        r = stego_encode(bits, model, seed, random_state=seed)
        assert r.decodable
        ratios.append(r.bits_per_token / r.entropy_per_token)
    assert np.mean(ratios) <= 1.05
    assert np.mean(ratios) >= 0.5


def test_model_is_a_distribution(model):
    assert len(model.vocabulary) == 30
    np.testing.assert_allclose(model.table.sum(axis=1), 1.0, atol=1e-12)
    text = "four score"
    assert model.decode_tokens(model.encode_text(text)) == text
    # order 0 is the unigram model: the frequencies of the text
    m0 = char_ngram_model("aab", order=0, alpha=1e-9)
    assert m0([])[m0.vocabulary.index("a")] == pytest.approx(2 / 3, abs=1e-6)


def test_bad_input(model):
    with pytest.raises(ValueError, match="message_bits"):
        stego_encode([0, 2], model, 1)
    with pytest.raises(ValueError, match="one-time pad"):
        stego_encode([0, 1], model, np.array([1, 0, 1]))
    with pytest.raises(TypeError, match="key"):
        stego_encode([0, 1], model, None)
    with pytest.raises(TypeError, match="model"):
        stego_encode([0, 1], "gpt", 1)
    with pytest.raises(ValueError, match="block_bits"):
        stego_encode([0, 1], model, 1, block_bits=0)
    with pytest.warns(RuntimeWarning, match="max_tokens"):
        r = stego_encode(np.ones(64, int), model, 1, max_tokens=2, random_state=0)
    assert not r.decodable
