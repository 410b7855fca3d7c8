"""Every result (and estimator) of probstat.semantic and probstat.infoproj with a
``summary()`` returns a probstat.base.Summary: a str that prints as a table and renders
as HTML in Jupyter."""

import numpy as np
from scipy import stats

import probstat.infoproj as infoproj
import probstat.semantic as semantic
from probstat.base import Summary


def _instances():
    T = np.array([[1.0, 0.2], [0.6, 0.7], [0.1, 1.0]])
    p_x = np.array([0.2, 0.3, 0.5])
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    return {
        "RateFidelityCurve": semantic.rate_fidelity(T, p_x, [0.5, 1.0]),
        "RateDistortionCurve": semantic.rate_distortion(1 - np.eye(2), [0.4, 0.6], -1.0),
        "MMIPartition": semantic.mmi_partition(
            [0.5, 0.5], np.array([[0.5, 0.3, 0.15, 0.05], [0.05, 0.15, 0.3, 0.5]]),
            [0, 1, 0, 1]),
        "MedicalTestConfirmation": semantic.medical_test_confirmation(0.9, 0.95, 0.01),
        "BootstrapRisk": infoproj.bootstrap_risk("normal", X[:, :1], n_boot=10,
                                                 random_state=0),
        "MonteCarloRisk": infoproj.monte_carlo_risk("normal", 20, 200, truth=stats.gamma(4),
                                                   random_state=0),
        "DimensionScan": infoproj.gaussian_dimension_scan(X, bayes_tv=0.1),
        "PNCriterion": infoproj.PNCriterion(bayes_tv=0.1).fit(X),
        "PNReport": infoproj.PNCriterion(bayes_tv=0.1).fit(X).report(),
    }


def test_every_summary_is_covered():
    with_summary = {name for mod in (semantic, infoproj) for name in mod.__all__
                    if isinstance(getattr(mod, name), type)
                    and hasattr(getattr(mod, name), "summary")}
    assert with_summary == set(_instances())


def test_summary_is_a_summary():
    for name, obj in _instances().items():
        text = obj.summary()
        assert isinstance(text, Summary), name
        assert name in text or name == "PNCriterion"
        assert "<table" in text._repr_html_(), name
