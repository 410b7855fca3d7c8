"""Semantic information G theory (Chenguang Lu): truth functions, semantic mutual
information, the rate-fidelity function R(G), channels' matching (CM) algorithms and the
confirmation measures b* and c*.

Layout: truth functions ``T[i, j] = T(theta_j | x_i)`` have shape (n_x, n_labels), the
source ``p_x`` shape (n_x,), and a joint sample distribution ``p_xy`` the shape of ``T``.
Information is in bits unless ``base=`` says otherwise.
"""

from ._channel import SemanticChannel
from ._cm import MMIClassifier, MMIPartition, mmi_partition
from ._confirmation import (
    MedicalTestConfirmation,
    channel_confirmation,
    kelly_growth_rate,
    kemeny_oppenheim,
    medical_test_confirmation,
    prediction_confirmation,
)
from ._demo import demo
from ._logical_bayes import LogicalBayesClassifier
from ._measures import (
    coverage_entropy,
    fuzzy_entropy,
    information_efficiency,
    logical_probability,
    semantic_bayes,
    semantic_classify,
    semantic_cross_entropy,
    semantic_distortion,
    semantic_information,
    semantic_information_loss,
    semantic_kl,
    semantic_mutual_information,
)
from ._mixture import CMGaussianMixture
from ._rate import RateDistortionCurve, RateFidelityCurve, rate_distortion, rate_fidelity
from ._truth import (
    gaussian_truth,
    logistic_truth,
    truth_from_channel,
    truth_from_likelihood,
    truth_from_samples,
)

__all__ = [
    # semantic channel and measures
    "SemanticChannel",
    "coverage_entropy",
    "fuzzy_entropy",
    "gaussian_truth",
    "information_efficiency",
    "logical_probability",
    "logistic_truth",
    "semantic_bayes",
    "semantic_classify",
    "semantic_cross_entropy",
    "semantic_distortion",
    "semantic_information",
    "semantic_information_loss",
    "semantic_kl",
    "semantic_mutual_information",
    "truth_from_channel",
    "truth_from_likelihood",
    "truth_from_samples",
    # R(G) and R(D)
    "RateDistortionCurve",
    "RateFidelityCurve",
    "rate_distortion",
    "rate_fidelity",
    # channels' matching and estimators
    "CMGaussianMixture",
    "LogicalBayesClassifier",
    "MMIClassifier",
    "MMIPartition",
    "mmi_partition",
    # confirmation and information value
    "MedicalTestConfirmation",
    "channel_confirmation",
    "kelly_growth_rate",
    "kemeny_oppenheim",
    "medical_test_confirmation",
    "prediction_confirmation",
    # tour
    "demo",
]
