"""Lu's confirmation measures b* (channel confirmation) and c* (prediction confirmation).

For a rule "e1 -> h1" (a positive test means infected; a raven is black):

* ``b* = [P(e1|h1) - P(e1|h0)] / max(P(e1|h1), P(e1|h0)) = (LR - 1) / max(LR, 1)`` is the
  optimised degree of belief of the rule seen as a semantic channel (it is the ``T*`` of the
  label e1 over h, so it does not depend on the prior P(h));
* ``c* = [P(h1|e1) - P(h0|e1)] / max(P(h1|e1), P(h0|e1)) = (a - c) / max(a, c)`` with ``a``
  positive examples and ``c`` counterexamples: it measures the rule as a prediction and
  depends on P(h). Non-instances of e1 (chalk, for the ravens) do not enter it.
"""

from __future__ import annotations

import dataclasses
import math

from .._warn import warn
from ..backend import get_namespace
from ..base import ResultMixin
from ..utils import check_array, check_probability_vector, check_same_length, check_scalar_in
from ..utils._measures import as_scalar as scalar
from ..utils._numerics import log_base
from ._validation import (
    broadcast_pair,
    input_device,
    is_number,
    safe_log,
    to_device,
    weighted_sum_log,
)

__all__ = [
    "MedicalTestConfirmation",
    "channel_confirmation",
    "kelly_growth_rate",
    "kemeny_oppenheim",
    "medical_test_confirmation",
    "prediction_confirmation",
]


def _pair(a, b, names, *, high=None):
    """Two numbers or arrays of numbers >= 0 (and <= ``high``), broadcast together.

    Returns the two float64 arrays, their namespace and whether both were numbers.
    """
    xp = get_namespace(a, b)
    dev = input_device(a, b)
    scalar_in = is_number(a) and is_number(b)
    out = []
    for value, name in zip((a, b), names):
        arr = to_device(check_array(value, name, xp=xp), xp, dev)
        if bool(xp.any(arr < 0)):
            raise ValueError(f"{name} must be >= 0 (smallest {float(xp.min(arr)):.6g})")
        if high is not None and bool(xp.any(arr > high)):
            raise ValueError(f"{name} must be <= {high:g} (largest {float(xp.max(arr)):.6g})")
        out.append(arr)
    a, b = broadcast_pair(out[0], out[1], names, xp)
    return a, b, xp, scalar_in


def _ratio_measure(pos, neg, xp):
    """``(pos - neg) / max(pos, neg)``, elementwise."""
    top = xp.maximum(pos, neg)
    if bool(xp.any(top <= 0)):
        return None
    return (pos - neg) / top


def _out(value, scalar_in):
    return float(value) if scalar_in else value


def channel_confirmation(p_e_given_h, p_e_given_not_h):
    """Channel confirmation ``b* = [P(e|h) - P(e|not h)] / max(P(e|h), P(e|not h))``.

    Equivalently ``(LR - 1) / max(LR, 1)`` with the likelihood ratio
    ``LR = P(e|h) / P(e|not h)``; ``b* = 2F / (1 + |F|)`` with Kemeny-Oppenheim's F. It lies in
    [-1, 1], does not depend on the prior P(h), and is the degree of belief that maximises
    the semantic information of the rule "e -> h" (the truth function of e is 1 on h and
    ``1 - |b|`` on not-h).

    Parameters
    ----------
    p_e_given_h : float or array-like
        P(e | h), e.g. a test's sensitivity for the rule "positive -> infected".
    p_e_given_not_h : float or array-like
        P(e | not h), e.g. 1 - specificity. Broadcast against ``p_e_given_h``.

    Returns
    -------
    float or array

    Raises
    ------
    ValueError
        If a probability is outside [0, 1] or both are 0.

    References
    ----------
    .. [1] C. Lu, "Channels' Confirmation and Predictions' Confirmation", Entropy
           22(4):384, 2020.

    Examples
    --------
    A test with sensitivity 0.9 and specificity 0.95 (LR+ = 18):

    >>> from probstat.semantic import channel_confirmation
    >>> round(channel_confirmation(0.9, 0.05), 4)
    0.9444
    """
    a, b, xp, scalar_in = _pair(p_e_given_h, p_e_given_not_h,
                                ("p_e_given_h", "p_e_given_not_h"), high=1.0)
    value = _ratio_measure(a, b, xp)
    if value is None:
        raise ValueError("p_e_given_h and p_e_given_not_h must not both be 0 "
                         "(the evidence never occurs)")
    return _out(value, scalar_in)


def prediction_confirmation(positives, counterexamples):
    """Prediction confirmation ``c* = (a - c) / max(a, c)``.

    ``a`` counts positive examples of the rule "e -> h" (e and h: black ravens) and ``c``
    counterexamples (e and not h: non-black ravens). Probabilities work too:
    ``c* = [P(h|e) - P(not h|e)] / max(P(h|e), P(not h|e))``, since the measure is
    unchanged when both arguments are scaled. Instances of not-e (chalk, for the ravens)
    do not enter, which is how Lu's measure resolves the raven paradox.

    Parameters
    ----------
    positives : float or array-like
        Count (or probability) of e and h; >= 0.
    counterexamples : float or array-like
        Count (or probability) of e and not h; >= 0. Broadcast against ``positives``.

    Returns
    -------
    float or array
        In [-1, 1]; 1 when there is no counterexample.

    Raises
    ------
    ValueError
        If an argument is negative or both are 0.

    References
    ----------
    .. [1] C. Lu, "Channels' Confirmation and Predictions' Confirmation", Entropy
           22(4):384, 2020.

    Examples
    --------
    >>> from probstat.semantic import prediction_confirmation
    >>> prediction_confirmation(1000, 1)  # 1000 black ravens, one white
    0.999
    >>> prediction_confirmation(0.1538, 0.8462) < 0  # most positive tests are false alarms
    True
    """
    a, c, xp, scalar_in = _pair(positives, counterexamples, ("positives", "counterexamples"))
    value = _ratio_measure(a, c, xp)
    if value is None:
        raise ValueError("positives and counterexamples must not both be 0")
    return _out(value, scalar_in)


def kemeny_oppenheim(p_e_given_h, p_e_given_not_h):
    """Kemeny-Oppenheim factual support ``F = (LR - 1) / (LR + 1)``.

    Given for comparison with :func:`channel_confirmation`: ``b* = 2F / (1 + |F|)``, so the
    two measures always share sign and ordering.

    Parameters
    ----------
    p_e_given_h, p_e_given_not_h : float or array-like
        Likelihoods of the evidence under h and not-h.

    Returns
    -------
    float or array

    References
    ----------
    .. [1] J. G. Kemeny and P. Oppenheim, "Degree of Factual Support", Philosophy of Science
           19(4):307-324, 1952.
    .. [2] C. Lu, "Channels' Confirmation and Predictions' Confirmation", Entropy
           22(4):384, 2020.

    Examples
    --------
    >>> from probstat.semantic import kemeny_oppenheim
    >>> round(kemeny_oppenheim(0.9, 0.05), 4)
    0.8947
    """
    a, b, xp, scalar_in = _pair(p_e_given_h, p_e_given_not_h,
                                ("p_e_given_h", "p_e_given_not_h"), high=1.0)
    if bool(xp.any(a + b <= 0)):
        raise ValueError("p_e_given_h and p_e_given_not_h must not both be 0")
    return _out((a - b) / (a + b), scalar_in)


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class MedicalTestConfirmation(ResultMixin):
    """Confirmation of the two rules of a medical test.

    "positive -> infected" (e1 -> h1) and "negative -> uninfected" (e0 -> h0).

    Attributes
    ----------
    lr_positive, lr_negative : float
        ``LR+ = sens / (1 - spec)`` and ``LR- = (1 - sens) / spec``.
    b1, b0 : float
        Channel confirmation b* of e1 -> h1 and of e0 -> h0 (prior-free).
    c1, c0 : float
        Prediction confirmation c* of the same rules (depends on the prevalence).
    f1, f0 : float
        Kemeny-Oppenheim F of the same rules.
    ppv, npv : float
        P(h1 | e1) and P(h0 | e0).

    A measure of a rule whose evidence never occurs (a test that is never positive, or
    never negative) is undefined and NaN.
    """

    lr_positive: float
    lr_negative: float
    b1: float
    b0: float
    c1: float
    c0: float
    f1: float
    f0: float
    ppv: float
    npv: float


def medical_test_confirmation(sensitivity, specificity, prevalence):
    """Confirmation measures b*, c* and F for both rules of a diagnostic test.

    Parameters
    ----------
    sensitivity : float
        P(positive | infected), in [0, 1].
    specificity : float
        P(negative | uninfected), in [0, 1].
    prevalence : float
        P(infected), in (0, 1).

    Returns
    -------
    MedicalTestConfirmation

    References
    ----------
    .. [1] C. Lu, "Channels' Confirmation and Predictions' Confirmation", Entropy
           22(4):384, 2020.

    Examples
    --------
    Rare disease: the channel confirmation of "positive -> infected" is high, but as a
    prediction most positives are false alarms, so c1 < 0:

    >>> from probstat.semantic import medical_test_confirmation
    >>> res = medical_test_confirmation(0.9, 0.95, 0.01)
    >>> round(res.b1, 3), round(res.c1, 3)
    (0.944, -0.818)
    """
    sens = check_scalar_in(sensitivity, "sensitivity", low=0, high=1)
    spec = check_scalar_in(specificity, "specificity", low=0, high=1)
    prev = check_scalar_in(prevalence, "prevalence", low=0, high=1, low_inclusive=False,
                           high_inclusive=False)
    p_e1_h1, p_e1_h0 = sens, 1.0 - spec
    p_e0_h0, p_e0_h1 = spec, 1.0 - sens
    n11, n10 = prev * p_e1_h1, (1 - prev) * p_e1_h0  # P(e1, h1), P(e1, h0)
    n00, n01 = (1 - prev) * p_e0_h0, prev * p_e0_h1  # P(e0, h0), P(e0, h1)
    nan = math.nan
    positive = p_e1_h1 + p_e1_h0 > 0  # the test is positive for someone
    negative = p_e0_h0 + p_e0_h1 > 0
    if not (positive and negative):
        which, fields = (("positive", "b1, c1, f1 and ppv") if not positive
                         else ("negative", "b0, c0, f0 and npv"))
        warn(f"medical_test_confirmation: with sensitivity {sens:g} and specificity "
             f"{spec:g} the test is never {which}, so {fields} are undefined (NaN)",
             RuntimeWarning)
    return MedicalTestConfirmation(
        lr_positive=p_e1_h1 / p_e1_h0 if p_e1_h0 > 0 else math.inf,
        lr_negative=p_e0_h1 / p_e0_h0 if p_e0_h0 > 0 else math.inf,
        b1=channel_confirmation(p_e1_h1, p_e1_h0) if positive else nan,
        b0=channel_confirmation(p_e0_h0, p_e0_h1) if negative else nan,
        c1=prediction_confirmation(n11, n10) if positive else nan,
        c0=prediction_confirmation(n00, n01) if negative else nan,
        f1=kemeny_oppenheim(p_e1_h1, p_e1_h0) if positive else nan,
        f0=kemeny_oppenheim(p_e0_h0, p_e0_h1) if negative else nan,
        ppv=n11 / (n11 + n10) if positive else nan,
        npv=n00 / (n00 + n01) if negative else nan,
    )


def kelly_growth_rate(p_true, bets, odds, *, base=2):
    """Expected log-growth ``sum_i p_i log(b_i o_i)`` of a Kelly bettor in a horse race.

    Betting the semantic-Bayes prediction ``b = P(x | theta_j)`` at fair odds
    ``o_i = 1 / P(x_i)`` when outcomes follow ``P(x | y_j)`` grows wealth at exactly the
    generalised KL information ``I(X; theta_j)`` (see :func:`semantic_kl`); averaged over
    labels this is G. This is the information value of a semantic prediction.

    Parameters
    ----------
    p_true : array-like of shape (n,)
        Outcome distribution.
    bets : array-like of shape (n,)
        Fractions of wealth on each outcome (sum to one).
    odds : array-like of shape (n,)
        Payout per unit bet; > 0.
    base : float, default=2

    Returns
    -------
    float
        ``-inf`` if a possible outcome gets no bet.

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.

    Examples
    --------
    >>> from probstat.semantic import kelly_growth_rate
    >>> kelly_growth_rate([0.5, 0.5], [0.5, 0.5], [2.0, 2.0])
    0.0
    """
    scale = log_base(base)
    xp = get_namespace(p_true, bets, odds)
    dev = input_device(p_true, bets, odds)
    p = to_device(check_probability_vector(p_true, name="p_true"), xp, dev)
    b = to_device(check_probability_vector(bets, name="bets"), xp, dev)
    o = to_device(check_array(odds, "odds", ndim=1, xp=xp), xp, dev)
    check_same_length(("p_true", p), ("bets", b), ("odds", o))
    if bool(xp.any(o <= 0)):
        raise ValueError(f"odds must be > 0 (smallest {float(xp.min(o)):.6g})")
    return scalar(weighted_sum_log(p, safe_log(b * o, xp), xp) / scale, xp)
