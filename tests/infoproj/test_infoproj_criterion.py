"""PNCriterion, its report, warnings and bad input; dimension scans; the real-data values.

References: Mardia's multivariate kurtosis computed directly, the spec's univariate
normal-model formula in standardized cumulants, scipy log-densities, closed forms.
"""

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from probstat.datasets import load_abalone, load_wine_quality
from probstat.infoproj import (
    ExpansionWarning,
    ExponentialFamily,
    LikelihoodModel,
    PNCriterion,
    gaussian_dimension_scan,
    kl_tolerance,
    min_sample_size,
    multinomial_merge_scan,
    risk_coefficients,
    risk_expansion_expfam,
    sample_cumulants,
)


def _fit(est, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExpansionWarning)
        return est.fit(X)


def _mardia_b2(X):
    R = X - X.mean(0)
    S = R.T @ R / X.shape[0]
    q = np.einsum("na,ab,nb->n", R, np.linalg.inv(S), R)
    return float(np.mean(q**2))


def test_fitted_attributes_consistent():
    X = np.random.default_rng(0).normal(size=(800, 3))
    crit = _fit(PNCriterion(bayes_tv=0.1), X)
    n = 800
    assert crit.n_params_ == 9 and crit.n_samples_ == n and crit.n_features_in_ == 3
    assert crit.tol_ == pytest.approx(kl_tolerance(0.1, "best"), rel=1e-15)
    assert crit.risk_ == pytest.approx(crit.c1_ / n + crit.c2_ / n**2, rel=1e-14)
    assert crit.accept_ == (crit.risk_ <= crit.tol_)
    assert crit.margin_ == pytest.approx(crit.tol_ - crit.risk_, rel=1e-14)
    assert crit.n_min_ == min_sample_size(crit.c1_, crit.c2_, crit.tol_)
    grid = np.array([100, 1000, 1e4])
    assert np.allclose(crit.risk_curve(grid), crit.c1_ / grid + crit.c2_ / grid**2, rtol=1e-14)
    assert np.allclose(crit.risk_curve(grid, order=1), crit.c1_ / grid, rtol=1e-14)
    # Gaussian data: sandwich coefficients near the correct-model values
    assert crit.c1_ == pytest.approx(4.5, rel=0.1)
    assert crit.misspecification_ratio_ == pytest.approx(1.0, rel=0.1)
    ll = stats.multivariate_normal(X.mean(0), np.cov(X, rowvar=False, bias=True)).logpdf(X)
    assert crit.loglik_ == pytest.approx(ll.sum(), rel=1e-12)
    assert crit.score(X) == pytest.approx(ll.mean(), rel=1e-12)
    assert crit.aic_ == pytest.approx(-2 * ll.sum() + 18, rel=1e-12)
    assert crit.aicc_ == pytest.approx(crit.aic_ + 2 * 9 * 10 / (n - 10), rel=1e-12)
    assert crit.bic_ == pytest.approx(-2 * ll.sum() + 9 * math.log(n), rel=1e-12)
    assert crit.tic_ == pytest.approx(-2 * ll.sum() + 4 * crit.c1_, rel=1e-12)


def test_report_and_summary():
    X = np.random.default_rng(1).normal(size=(300, 2))
    crit = _fit(PNCriterion(tol=0.02), X)
    rep = crit.report()
    assert rep.p == 5 and rep.n == 300 and rep.verdict in ("accept", "reject")
    assert rep.risk_second == pytest.approx(crit.risk_, rel=1e-14)
    text = crit.summary()
    for key in ("aic", "aicc", "tic", "bic", "verdict", "c1", "c2", "n_min"):
        assert key in text
    frame = rep.to_frame()
    assert list(frame["p"]) == [5]
    assert "<table>" in rep._repr_html_()


def test_mardia_sandwich_c1():  # T19
    X = np.random.default_rng(2).standard_t(5, size=(700, 3))
    d = 3
    c1_mardia = (_mardia_b2(X) + d) / 4
    fam = ExponentialFamily.named("mvn", d=d)
    th = fam.fit(X)
    G, p3, p4 = fam.cumulants(th)
    _, S, k3 = sample_cumulants(fam.stat(X))
    c1_long = 0.5 * np.trace(np.linalg.solve(G, S))
    assert c1_mardia == pytest.approx(c1_long, rel=1e-10)
    crit = _fit(PNCriterion(), X)
    assert crit.c1_ == pytest.approx(c1_mardia, rel=1e-10)
    # the contracted fast path equals the dense-tensor formula for c2 too
    assert crit.c2_ == pytest.approx(risk_expansion_expfam(G, p3, p4, S, k3)[1], rel=1e-8)


def test_correct_and_first_order_modes():
    X = np.random.default_rng(3).normal(size=(500, 2))
    crit = _fit(PNCriterion(mode="correct", tol=0.01, order=1), X)
    assert crit.c1_ == 2.5 and crit.c2_ == pytest.approx(203 / 12, rel=1e-14)
    assert crit.risk_ == pytest.approx(2.5 / 500, rel=1e-14)
    assert crit.n_min_ == 250
    crit = _fit(PNCriterion(family="poisson", mode="correct", tol=0.01),
                np.random.default_rng(0).poisson(4.0, size=(300, 1)))
    lam = crit.theta_[0]
    assert crit.c2_ == pytest.approx(5 / (12 * math.exp(lam)), rel=1e-10)


def test_warnings():
    rng = np.random.default_rng(4)
    X = rng.standard_t(3, size=(400, 2))
    with pytest.warns(ExpansionWarning, match="heavy"):
        crit = PNCriterion().fit(X)
    assert any("heavy" in w for w in crit.warnings_)
    # d = 5 at n = 25: |c2|/(c1 n) = 118/(10 x 25) > 0.25
    with pytest.warns(ExpansionWarning, match="unreliable"):
        PNCriterion(mode="correct").fit(rng.normal(size=(25, 5)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crit = PNCriterion(mode="correct").fit(rng.normal(size=(5000, 1)))
    assert crit.warnings_ == []


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(10, 4))
    with pytest.raises(ValueError, match="fewer samples than parameters"):
        PNCriterion().fit(X)
    # hyperparameters: scikit-learn's InvalidParameterError, naming the parameter
    for params, name in [({"tol": 0.0}, "tol"), ({"tol": -1.0}, "tol"),
                         ({"bayes_tv": 1.5}, "bayes_tv"), ({"mode": "robust"}, "mode"),
                         ({"order": 3}, "order"), ({"family": 3.0}, "family"),
                         ({"family": "cauchy"}, "family"), ({"bootstrap": -1}, "bootstrap")]:
        with pytest.raises((ValueError, TypeError), match=f"'{name}' parameter of PNCriterion"):
            PNCriterion(**params).fit(X[:, :1])
    with pytest.raises(ValueError, match="X must be finite"):
        PNCriterion().fit(np.array([[0.0], [np.nan], [1.0]]))
    with pytest.raises(ValueError, match="singular"):
        PNCriterion().fit(np.c_[X[:, 0], X[:, 0], X[:, 1]].repeat(3, axis=0))
    with pytest.raises(ValueError, match="n_samples=1"):
        PNCriterion().fit(np.ones((1, 1)))
    with pytest.raises(ValueError, match="'sandwich' for a LikelihoodModel"):
        PNCriterion(LikelihoodModel(lambda th, X: -((X[:, 0] - th[0]) ** 2),
                                    fit=lambda X: X.mean(0)), mode="correct").fit(X[:, :1])


def test_bootstrap_reproducible_and_interval():
    X = np.random.default_rng(5).gamma(3.0, size=(400, 2))
    a = _fit(PNCriterion(bootstrap=40, random_state=0), X)
    b = _fit(PNCriterion(bootstrap=40, random_state=0), X)
    assert a.c1_interval_ == b.c1_interval_
    assert a.bootstrap_risk_.risk == b.bootstrap_risk_.risk
    lo, hi = a.c1_interval_
    assert lo < a.c1_ < hi
    # bootstrap risk at n is of the size of the expansion (both ~ c1/n)
    assert a.bootstrap_risk_.risk == pytest.approx(a.risk_, rel=0.5)


def test_array_api_inputs_run_on_the_host(xp):
    X = np.random.default_rng(9).normal(size=(300, 2))
    ref = _fit(PNCriterion(), X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # HostFallbackWarning, once per process
        got = _fit(PNCriterion(), xp.asarray(X))
        coef = risk_coefficients("mvn", xp.asarray(X))
    assert got.c1_ == pytest.approx(ref.c1_, rel=1e-12)
    assert got.c2_ == pytest.approx(ref.c2_, rel=1e-12)
    assert coef == pytest.approx((ref.c1_, ref.c2_), rel=1e-12)


def test_plot_risk_curve():
    import matplotlib

    matplotlib.use("Agg")
    crit = _fit(PNCriterion(), np.random.default_rng(6).normal(size=(200, 2)))
    ax = crit.plot_risk_curve()
    assert ax.get_xlabel() == "sample size n"
    assert len(ax.get_lines()) >= 3


# ------------------------------------------------------------------ scans
def test_gaussian_scan_ends_match_direct_criteria():
    X = np.random.default_rng(7).gamma(3.0, size=(600, 4)) @ np.triu(np.ones((4, 4)))
    scan = gaussian_dimension_scan(X, tol=0.02)
    full = _fit(PNCriterion(tol=0.02), X)
    indep = _fit(PNCriterion(family="independent_normal", tol=0.02), X)
    assert scan.p.tolist() == [8, 9, 11, 14]
    assert scan.c1[-1] == pytest.approx(full.c1_, rel=1e-10)
    assert scan.c2[-1] == pytest.approx(full.c2_, rel=1e-10)
    assert scan.loglik[-1] == pytest.approx(full.loglik_, rel=1e-10)
    assert scan.c1[0] == pytest.approx(indep.c1_, rel=1e-10)
    assert scan.c2[0] == pytest.approx(indep.c2_, rel=1e-10)
    assert scan.loglik[0] == pytest.approx(indep.loglik_, rel=1e-10)
    assert np.all(np.diff(scan.loglik) >= -1e-8)   # nested models on the same data
    passing = scan.p[scan.accept]
    assert scan.best is None or scan.p[list(scan.labels).index(scan.best)] == passing.max()
    assert scan.aic_choice == scan.labels[int(np.argmin(scan.aic))]
    assert "largest passing model" in scan.summary()
    assert scan.plot().get_ylabel() == "risk R(n) [nats]"


def test_multinomial_merge_scan():
    y = np.random.default_rng(8).choice([3, 4, 5, 6], size=500, p=[0.1, 0.4, 0.3, 0.2])
    scan = multinomial_merge_scan(y, tol=0.003)
    assert scan.p.tolist() == [1, 2, 3]
    counts = np.bincount(y)[3:]
    assert scan.loglik[-1] == pytest.approx(float(np.sum(counts * np.log(counts / 500))),
                                            rel=1e-12)
    full = risk_coefficients(ExponentialFamily.named("multinomial", k=4), (y - 3)[:, None],
                             mode="correct")
    assert (scan.c1[-1], scan.c2[-1]) == pytest.approx(full, rel=1e-12)
    custom = multinomial_merge_scan(y, partitions=[[[3, 4], [5, 6]], [[3], [4], [5, 6]]],
                                    tol=0.003)
    assert custom.labels == ("{3,4|5,6}", "{3|4|5,6}")
    # merged model: equal probabilities inside a group (loglik on the original cells)
    g = np.array([counts[:2].sum(), counts[2:].sum()])
    assert custom.loglik[0] == pytest.approx(float(np.sum(g * np.log(g / (500 * 2)))),
                                             rel=1e-12)
    with pytest.raises(ValueError, match="cover every category of labels"):
        multinomial_merge_scan(y, partitions=[[[3, 4], [5]]])
    with pytest.raises(ValueError, match="a category that labels do not have"):
        multinomial_merge_scan(y, partitions=[[[3, 4], [5, 9]]])


# ------------------------------------------------------------------ real data (T21)
@pytest.fixture(scope="module")
def wine(shared_data):
    path = None if shared_data is None else shared_data / "winequality-red.csv"
    return load_wine_quality("red", path=path)


@pytest.fixture(scope="module")
def abalone(shared_data):
    path = None if shared_data is None else shared_data / "abalone.csv"
    data = load_abalone(path=path)
    table = np.c_[data.data, data.target]
    _, idx = np.unique(np.c_[table, data.sex == "M", data.sex == "F"], axis=0,
                      return_index=True)
    return data.data[np.sort(idx)], data.target[np.sort(idx)]


def _check_gaussian_config(X):
    n, d = X.shape
    p = d * (d + 3) // 2
    b2 = _mardia_b2(X)
    crit = _fit(PNCriterion(), X)
    assert crit.n_params_ == p
    assert crit.c1_ == pytest.approx((b2 + d) / 4, rel=1e-10)
    assert crit.c1_ / n == pytest.approx((b2 + d) / (4 * n), rel=1e-10)
    correct = _fit(PNCriterion(mode="correct"), X)
    c2 = d * (10 * d * d + 51 * d + 61) / 24
    assert correct.risk_ == pytest.approx(p / (2 * n) + c2 / n**2, rel=1e-12)
    return b2, crit


def test_real_data_gaussian_configurations(wine, abalone):
    assert wine.data.shape == (1599, 11) and wine.data[:, 10].max() == 14.9
    b2, crit = _check_gaussian_config(wine.data)
    assert b2 > 11 * 13                     # heavy tails: above the normal value d(d+2)
    _check_gaussian_config(np.c_[wine.data, wine.target])
    X, rings = abalone
    assert X.shape[0] == 4177
    _check_gaussian_config(X)
    _check_gaussian_config(np.c_[X, rings])


@pytest.mark.parametrize("col,name", [(8, "pH"), (10, "alcohol"), (3, "residual sugar")])
def test_real_data_univariate_normal(wine, col, name):
    x = wine.data[:, col]
    r = x - x.mean()
    m = [np.mean(r**k) for k in range(7)]
    k3 = m[3] / m[2] ** 1.5
    k4 = m[4] / m[2] ** 2 - 3
    kappa6 = m[6] - 15 * m[4] * m[2] - 10 * m[3] ** 2 + 30 * m[2] ** 3
    k6 = kappa6 / m[2] ** 3
    c1 = 1 + k4 / 4
    c2 = 61 / 12 + k4 + 9 / 8 * k4**2 - k3**2 / 3 - k6 / 3
    got = risk_coefficients("normal", x[:, None])
    assert got[0] == pytest.approx(c1, rel=1e-9)
    assert got[1] == pytest.approx(c2, rel=1e-7)
    crit = _fit(PNCriterion(family="normal"), x[:, None])
    assert crit.risk_ == pytest.approx(c1 / 1599 + c2 / 1599**2, rel=1e-7)
    if name == "residual sugar":
        assert c2 == pytest.approx(503, rel=0.01)   # the spec's illustrative value
