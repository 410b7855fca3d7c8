"""The shipped data sets through PNCriterion and the Gaussian scan.

White wine's covariance has a condition number of about 6e9 (density varies by 3e-3 and
total sulfur dioxide by 40 units). The log-likelihood at the Gaussian MLE is checked against
``-n/2 (d log 2 pi + log det S + d)`` evaluated in 40-digit arithmetic (mpmath), and the
criterion against its invariance under a change of units.
"""

import math
import warnings

import numpy as np
import pytest

from probstat.datasets import load_abalone, load_wine_quality
from probstat.infoproj import PNCriterion, gaussian_dimension_scan

mpmath = pytest.importorskip("mpmath")

DATA = {
    "white_wine": lambda: load_wine_quality("white").data,
    "red_wine": lambda: load_wine_quality("red").data,
    "abalone": lambda: load_abalone().data,
}


def _reference_loglik(X):
    n, d = X.shape
    with mpmath.workdps(40):
        cols = [[mpmath.mpf(float(v)) for v in X[:, j]] for j in range(d)]
        mu = [mpmath.fsum(c) / n for c in cols]
        cen = [[v - m for v in c] for c, m in zip(cols, mu)]
        S = mpmath.matrix(d, d)
        for a in range(d):
            for b in range(a, d):
                S[a, b] = S[b, a] = mpmath.fsum(u * v for u, v in zip(cen[a], cen[b])) / n
        return float(-n / 2 * (d * mpmath.log(2 * mpmath.pi) + mpmath.log(mpmath.det(S)) + d))


def _fit(X, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # heavy tails: ExpansionWarning is expected
        return PNCriterion(**kw).fit(X)


@pytest.mark.parametrize("name", list(DATA))
def test_loglik_against_extended_precision(name):
    X = np.asarray(DATA[name](), dtype=float)
    n, d = X.shape
    ref = _reference_loglik(X)
    crit = _fit(X)
    p = d * (d + 3) // 2
    assert crit.n_params_ == p
    assert crit.loglik_ == pytest.approx(ref, rel=1e-12)
    assert crit.aic_ == pytest.approx(-2 * ref + 2 * p, rel=1e-12)
    assert crit.aicc_ == pytest.approx(-2 * ref + 2 * p + 2 * p * (p + 1) / (n - p - 1),
                                       rel=1e-12)
    assert crit.bic_ == pytest.approx(-2 * ref + p * math.log(n), rel=1e-12)
    assert crit.tic_ == pytest.approx(-2 * ref + 4 * crit.c1_, rel=1e-12)
    assert crit.score(X) == pytest.approx(ref / n, rel=1e-12)
    for mode in ("correct", "cumulant"):
        assert _fit(X, mode=mode).loglik_ == pytest.approx(ref, rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scan = gaussian_dimension_scan(X)
    assert scan.loglik[-1] == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("unit", [1e-8, 1e6])
def test_change_of_units(name, unit):
    # the risk is affine invariant and the log-likelihood shifts by n log|unit|
    X = np.asarray(DATA[name](), dtype=float)
    crit = _fit(X)
    Y = X.copy()
    Y[:, 1] *= unit
    crit2 = _fit(Y)
    n = X.shape[0]
    assert crit2.c1_ == pytest.approx(crit.c1_, rel=1e-8)
    assert crit2.c2_ == pytest.approx(crit.c2_, rel=1e-7)
    assert crit2.loglik_ == pytest.approx(crit.loglik_ - n * math.log(unit), rel=1e-11,
                                          abs=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s1, s2 = gaussian_dimension_scan(X), gaussian_dimension_scan(Y)
    assert np.allclose(s2.c1, s1.c1, rtol=1e-8)
    assert np.allclose(s2.loglik, s1.loglik - n * math.log(unit), rtol=1e-11, atol=1e-6)
