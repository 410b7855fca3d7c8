"""Perfectly secure steganography by iterative minimum-entropy coupling (iMEC).

The sender encrypts the message with a key stream, so the ciphertext is uniform over all
bit strings, splits it into blocks (the components of a factored source) and couples it
with the cover model by FIMEC: the stego text is a draw from the coupling given the
ciphertext, hence distributed exactly as the cover model's text. The receiver, who knows
the model and the key, runs the same couplings on the text, reads the ciphertext off the
posterior and decrypts it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from importlib import resources

import numpy as np

from ..base import ResultMixin
from ..utils import check_array, check_rng, check_scalar_in
from ._iterative import _advance, _run
from ._iterative_state import FactoredSource, Target, _as_index_tuple

_ALPHABET = " ,.-abcdefghijklmnopqrstuvwxyz"
#: Remainder tolerance of the greedy coupling at each step.
_TOL = 1e-15


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class CharNgramModel(ResultMixin):
    """A character n-gram language model: a small autoregressive cover for steganography.

    Calling the model on a prefix of token indices returns the distribution of the next
    character given the last ``order`` characters (the start of a text is padded with
    spaces). Built by :func:`char_ngram_model`.

    Attributes
    ----------
    vocabulary : str
        The characters; token ``i`` is ``vocabulary[i]``.
    order : int
        Number of preceding characters the next one depends on.
    table : ndarray of shape (len(vocabulary) ** order, len(vocabulary))
        Next-character probabilities for every context (rows sum to one).
    entropy_rate : float
        Average next-character entropy in bits, weighted by the training text's contexts.

    Examples
    --------
    >>> from probstat.coupling import char_ngram_model
    >>> model = char_ngram_model(order=1)
    >>> bool(model(model.encode_text("th")).argmax() == model.vocabulary.index("e"))
    True
    """

    vocabulary: str
    order: int
    table: np.ndarray
    entropy_rate: float

    def _summary_rows(self):
        return [("vocabulary_size", len(self.vocabulary)), ("order", self.order),
                ("entropy_rate_bits", self.entropy_rate)]

    def __call__(self, prefix) -> np.ndarray:
        """Distribution of the next token given the token indices ``prefix``."""
        v = len(self.vocabulary)
        context = ([0] * self.order + [int(t) for t in prefix])[-self.order:] \
            if self.order else []
        row = 0
        for t in context:
            row = row * v + t
        return self.table[row]

    def encode_text(self, text) -> np.ndarray:
        """Token indices of a text (lower-cased; characters outside the vocabulary dropped).

        Parameters
        ----------
        text : str
            The text.

        Returns
        -------
        ndarray of int64
            One index per kept character.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str (got {type(text).__name__})")
        return np.array([self.vocabulary.index(c) for c in _normalise(text)], dtype=np.int64)

    def decode_tokens(self, tokens) -> str:
        """The text of a sequence of token indices.

        Parameters
        ----------
        tokens : array-like of int
            Token indices.

        Returns
        -------
        str
            The characters.
        """
        tokens = _as_index_tuple(tokens, "tokens", len(np.atleast_1d(tokens)))
        if any(not 0 <= t < len(self.vocabulary) for t in tokens):
            raise ValueError(f"tokens must be in [0, {len(self.vocabulary) - 1}]")
        return "".join(self.vocabulary[t] for t in tokens)


def _normalise(text):
    text = text.lower().replace("\n", " ")
    text = "".join(c if c in _ALPHABET else " " for c in text)
    return re.sub(" +", " ", text)


def load_gettysburg() -> str:
    """The text of the Gettysburg Address (1863, public domain) shipped with probstat.

    Returns
    -------
    str
        About 1,500 characters of English text.
    """
    return resources.files("probstat.datasets").joinpath(
        "data", "gettysburg.txt").read_text(encoding="utf-8")


def char_ngram_model(text=None, *, order=2, alpha=0.01) -> CharNgramModel:
    """Fit a character n-gram model with add-``alpha`` smoothing (a cover model).

    Parameters
    ----------
    text : str, optional
        Training text; default the Gettysburg Address shipped with probstat. It is
        lower-cased and reduced to letters, space, comma, full stop and hyphen.
    order : int, default=2
        Number of preceding characters each one depends on (0 to 4).
    alpha : float, default=0.01
        Pseudo-count added to every next-character count (> 0: every text has positive
        probability).

    Returns
    -------
    CharNgramModel
        A callable ``model(prefix) -> probs``.

    Notes
    -----
    The n-gram model with additive smoothing is the classical Markov model of text of
    [1]_; it stands in for the language models used as covers in [2]_.

    References
    ----------
    .. [1] C. E. Shannon, "A mathematical theory of communication", Bell System Technical
       Journal 27, 1948 (Section 3, the series of approximations to English by
       character n-grams).
    .. [2] C. Schroeder de Witt, S. Sokota, J. Z. Kolter, J. Foerster and M. Strohmeier,
       "Perfectly secure steganography using minimum entropy coupling", ICLR 2023,
       arXiv:2210.14889.

    Examples
    --------
    >>> from probstat.coupling import char_ngram_model
    >>> model = char_ngram_model(order=2)
    >>> len(model.vocabulary), round(float(model([]).sum()), 12)
    (30, 1.0)
    """
    if text is None:
        text = load_gettysburg()
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (got {type(text).__name__})")
    order = check_scalar_in(order, "order", low=0, high=4, integer=True)
    alpha = check_scalar_in(alpha, "alpha", low=0, low_inclusive=False)
    tokens = [_ALPHABET.index(c) for c in _normalise(text)]
    if len(tokens) <= order:
        raise ValueError(f"text must have more than order={order} characters "
                         f"(got {len(tokens)})")
    v = len(_ALPHABET)
    counts = np.zeros((v ** order, v))
    padded = [0] * order + tokens
    for i in range(order, len(padded)):
        row = 0
        for t in padded[i - order:i]:
            row = row * v + t
        counts[row, padded[i]] += 1.0
    weights = counts.sum(axis=1)
    table = (counts + alpha) / (weights[:, None] + alpha * v)
    with np.errstate(divide="ignore"):
        h = -(table * np.log2(table)).sum(axis=1)
    rate = float((weights * h).sum() / weights.sum())
    return CharNgramModel(_ALPHABET, order, table, rate)


# ------------------------------------------------------------------------ steganography


def _check_bits(bits, name="message_bits"):
    arr = check_array(bits, name, ndim=1)
    if not np.all((arr == 0) | (arr == 1)):
        raise ValueError(f"{name} must hold only 0 and 1")
    return arr.astype(np.int64)


def _key_stream(key, n_bits):
    """``n_bits`` pseudo-random bits from a key (SHAKE-256), or a one-time pad of bits."""
    if isinstance(key, (bool, np.bool_)):
        raise TypeError("key must be an int, str, bytes or an array of bits (got bool)")
    if isinstance(key, (int, np.integer)):
        if key < 0:
            raise ValueError(f"key must be >= 0 (got {key})")
        key = int(key).to_bytes(max(1, (int(key).bit_length() + 7) // 8), "big")
    elif isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(key, (bytes, bytearray)):
        raw = hashlib.shake_256(bytes(key)).digest((n_bits + 7) // 8)
        return np.unpackbits(np.frombuffer(raw, dtype=np.uint8))[:n_bits].astype(np.int64)
    if key is None:
        raise TypeError("key must be an int, str, bytes or an array of bits (got None)")
    pad = _check_bits(key, "key")
    if pad.shape[0] != n_bits:
        raise ValueError(f"a key given as bits is a one-time pad and must have one bit per "
                         f"message bit ({n_bits}) (got {pad.shape[0]})")
    return pad


def _blocks(bits, block_bits):
    """Bit string -> block values (big-endian) and the size of each block's alphabet."""
    values, sizes = [], []
    for start in range(0, bits.shape[0], block_bits):
        chunk = bits[start:start + block_bits]
        values.append(int("".join(map(str, chunk.tolist())), 2))
        sizes.append(2 ** chunk.shape[0])
    return tuple(values), sizes


def _unblocks(values, n_bits, block_bits):
    out = []
    for i, v in enumerate(values):
        width = min(block_bits, n_bits - i * block_bits)
        out.extend(int(c) for c in format(v, f"0{width}b"))
    return np.array(out, dtype=np.int64)


def _check_tokens(tokens):
    arr = check_array(tokens, "tokens", ndim=1)
    return _as_index_tuple(arr, "tokens", arr.shape[0])


def _check_model(model):
    if not callable(model):
        raise TypeError(f"model must be a callable next_distribution(prefix) -> probs "
                        f"(got {type(model).__name__})")
    return model


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class StegoResult(ResultMixin):
    """A stego text and how efficiently it carries its message.

    Attributes
    ----------
    tokens : ndarray of shape (n_tokens,), int64
        The stego text as token indices (distributed exactly as the cover model).
    n_bits : int
        Length of the hidden message.
    n_tokens : int
        Number of tokens generated.
    decodable : bool
        Whether the receiver's posterior has no uncertainty left (the message is recovered
        exactly by :func:`stego_decode`).
    bits_per_token : float
        ``n_bits / n_tokens``.
    entropy_per_token : float
        Mean entropy (bits) of the cover model's next-token distributions along the text:
        the most a token can carry.
    """

    tokens: np.ndarray
    n_bits: int
    n_tokens: int
    decodable: bool
    bits_per_token: float
    entropy_per_token: float

    def _summary_rows(self):
        return [("n_bits", self.n_bits), ("n_tokens", self.n_tokens),
                ("decodable", self.decodable), ("bits_per_token", self.bits_per_token),
                ("entropy_per_token", self.entropy_per_token)]


def stego_encode(message_bits, model, key, *, block_bits=8, n_tokens=None,
                 max_tokens=2000, random_state=None) -> StegoResult:
    """Hide bits in a text drawn exactly from a cover model (iMEC steganography).

    The message is encrypted with the key stream, split into blocks of ``block_bits``
    bits (independent uniform components) and coupled with the cover model by FIMEC;
    tokens are drawn from the coupling given the ciphertext. Because the ciphertext is
    uniform, every token sequence has exactly its cover-model probability: an observer
    who does not hold the key cannot tell the stego text from an ordinary sample.

    Parameters
    ----------
    message_bits : array-like of shape (n_bits,)
        The message, 0s and 1s.
    model : callable
        The cover model ``next_distribution(prefix) -> probs`` (``prefix``: a tuple of
        token indices), e.g. a :class:`CharNgramModel`.
    key : int, str, bytes or array-like of bits
        Shared secret: hashed into a key stream with SHAKE-256, or, as an array of
        ``n_bits`` bits, used directly as a one-time pad (perfect secrecy).
    block_bits : int, default=8
        Bits per block of the factored source (1 to 16).
    n_tokens : int, optional
        Generate exactly this many tokens. Default: stop as soon as the message is
        decodable (or at ``max_tokens``).
    max_tokens : int, default=2000
        Upper limit on the text length when ``n_tokens`` is None.
    random_state : None, int, RandomState or Generator
        Seed or generator of the token draws (the same seed gives the same text).

    Returns
    -------
    StegoResult
        The tokens and the capacity used. A ``RuntimeWarning`` says when ``max_tokens``
        was reached before the message became decodable.

    See Also
    --------
    stego_decode, stego_log_prob, fimec

    Notes
    -----
    This is the iMEC scheme of [1]_ (factored source, highest-entropy block first),
    computed with the FIMEC iteration of [2]_ and the greedy coupling at every step.

    References
    ----------
    .. [1] C. Schroeder de Witt, S. Sokota, J. Z. Kolter, J. Foerster and M. Strohmeier,
       "Perfectly secure steganography using minimum entropy coupling", ICLR 2023,
       arXiv:2210.14889 (iMEC; perfect security from the exact cover marginal).
    .. [2] S. Sokota, D. Sam, C. Schroeder de Witt, S. Compton, J. Foerster and
       J. Z. Kolter, "Computing low-entropy couplings for large-support distributions",
       UAI 2024, arXiv:2405.19540 (FIMEC).

    Examples
    --------
    >>> from probstat.coupling import char_ngram_model, stego_decode, stego_encode
    >>> model = char_ngram_model()
    >>> bits = [1, 0, 1, 1, 0, 0, 1, 0]
    >>> r = stego_encode(bits, model, key="secret", random_state=0)
    >>> r.decodable, stego_decode(r.tokens, model, key="secret", n_bits=8).tolist() == bits
    (True, True)
    """
    bits = _check_bits(message_bits)
    model = _check_model(model)
    block_bits = check_scalar_in(block_bits, "block_bits", low=1, high=16, integer=True)
    max_tokens = check_scalar_in(max_tokens, "max_tokens", low=1, integer=True)
    if n_tokens is not None:
        n_tokens = check_scalar_in(n_tokens, "n_tokens", low=1, integer=True)
    rng = check_rng(random_state)
    x, sizes = _blocks(bits ^ _key_stream(key, bits.shape[0]), block_bits)
    source = FactoredSource([np.full(s, 1.0 / s) for s in sizes])
    limit = n_tokens if n_tokens is not None else max_tokens
    target = Target(model, limit, name="model")
    state = source.initial_state()
    tokens, entropies = [], []
    for _ in range(limit):
        if n_tokens is None and state.is_certain():
            break
        q = target.conditional(tokens)
        qq = q[q > 0]
        entropies.append(float(-(qq * np.log2(qq)).sum()))
        y_j, _ = _advance(state, q, _TOL, x=x, rng=rng)
        tokens.append(y_j)
    decodable = state.is_certain()
    if n_tokens is None and not decodable:
        import warnings

        warnings.warn(f"the message is not decodable after max_tokens={max_tokens} tokens; "
                      "raise max_tokens", RuntimeWarning, stacklevel=2)
    n = len(tokens)
    return StegoResult(np.asarray(tokens, dtype=np.int64), int(bits.shape[0]), n,
                       bool(decodable), bits.shape[0] / n if n else 0.0,
                       float(np.mean(entropies)) if entropies else 0.0)


def _posterior(tokens, model, n_bits, block_bits):
    sizes = _blocks(np.zeros(n_bits, dtype=np.int64), block_bits)[1]
    source = FactoredSource([np.full(s, 1.0 / s) for s in sizes])
    target = Target(model, len(tokens), name="model")
    return source, target


def stego_decode(tokens, model, key, *, n_bits, block_bits=8) -> np.ndarray:
    """Recover the bits hidden by :func:`stego_encode`.

    Parameters
    ----------
    tokens : array-like of int, shape (n_tokens,)
        The stego text as token indices.
    model : callable
        The same cover model as the sender's.
    key : int, str, bytes or array-like of bits
        The same key as the sender's.
    n_bits : int
        Length of the message.
    block_bits : int, default=8
        The sender's block size.

    Returns
    -------
    ndarray of shape (n_bits,), int64
        The message (exact when the text was generated until decodable).

    Notes
    -----
    The receiver repeats the sender's couplings on the observed tokens and reads the
    ciphertext off the posterior of each block, as in the iMEC decoder of [1]_.

    References
    ----------
    .. [1] C. Schroeder de Witt, S. Sokota, J. Z. Kolter, J. Foerster and M. Strohmeier,
       "Perfectly secure steganography using minimum entropy coupling", ICLR 2023,
       arXiv:2210.14889 (iMEC decoding).

    Examples
    --------
    >>> from probstat.coupling import char_ngram_model, stego_decode, stego_encode
    >>> model = char_ngram_model()
    >>> r = stego_encode([1, 1, 0], model, key=7, random_state=1)
    >>> stego_decode(r.tokens, model, key=7, n_bits=3).tolist()
    [1, 1, 0]
    """
    model = _check_model(model)
    n_bits = check_scalar_in(n_bits, "n_bits", low=1, integer=True)
    block_bits = check_scalar_in(block_bits, "block_bits", low=1, high=16, integer=True)
    tokens = _check_tokens(tokens)
    pad = _key_stream(key, n_bits)
    source, target = _posterior(tokens, model, n_bits, block_bits)
    _, loglik, state = _run(source, target, _TOL, y=tokens)
    if loglik == -math.inf:
        raise ValueError("tokens has probability 0 under the model")
    cipher = _unblocks(state.decode(source), n_bits, block_bits)
    return cipher ^ pad


def stego_log_prob(tokens, message_bits, model, key, *, block_bits=8) -> float:
    """Log-probability (nats) that :func:`stego_encode` writes ``tokens`` for a message.

    The probability of the first ``len(tokens)`` tokens of the stego text given the
    message and the key. Averaged over uniformly random keys it equals the cover model's
    probability of ``tokens``: the perfect security of the scheme.

    Parameters
    ----------
    tokens : array-like of int, shape (n_tokens,)
        A token sequence.
    message_bits : array-like of shape (n_bits,)
        The message.
    model : callable
        The cover model.
    key : int, str, bytes or array-like of bits
        The key.
    block_bits : int, default=8
        Bits per block.

    Returns
    -------
    float
        ``log p(tokens | message, key)``; ``-inf`` when impossible.

    Notes
    -----
    The probability is that of the coupling of [1]_ given the ciphertext.

    References
    ----------
    .. [1] C. Schroeder de Witt, S. Sokota, J. Z. Kolter, J. Foerster and M. Strohmeier,
       "Perfectly secure steganography using minimum entropy coupling", ICLR 2023,
       arXiv:2210.14889 (the stego distribution equals the cover distribution).

    Examples
    --------
    >>> from probstat.coupling import char_ngram_model, stego_log_prob
    >>> model = char_ngram_model(order=1)
    >>> stego_log_prob([0, 1], [1, 0], model, key=3) <= 0
    True
    """
    bits = _check_bits(message_bits)
    model = _check_model(model)
    block_bits = check_scalar_in(block_bits, "block_bits", low=1, high=16, integer=True)
    tokens = _check_tokens(tokens)
    x, _ = _blocks(bits ^ _key_stream(key, bits.shape[0]), block_bits)
    source, target = _posterior(tokens, model, bits.shape[0], block_bits)
    _, loglik, _ = _run(source, target, _TOL, x=x, y=tokens)
    return float(loglik)
