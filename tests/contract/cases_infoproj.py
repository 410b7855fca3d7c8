"""Contract cases for probstat.infoproj."""

from __future__ import annotations

import numpy as np

from probstat import infoproj as ip

from ._cases import Case

_RNG = np.random.default_rng(0)
#: A small Gaussian sample (two columns) and a positive one-column sample.
X2 = _RNG.normal(size=(12, 2)) @ np.array([[1.0, 0.3], [0.0, 0.8]]) + [0.5, -1.0]
X1 = _RNG.gamma(3.0, size=(10, 1))
#: Sample sizes for the exact risks.
NS = np.array([10.0, 20.0, 40.0])

# Model and truth cumulants of t = (x, x^2) for the normal family at N(0.4, 1.5).
_NORMAL = ip.ExponentialFamily.named("normal")
_THETA = np.array([0.4 / 1.5, -0.5 / 1.5])
G, PSI3, PSI4 = _NORMAL.cumulants(_THETA)
SIGMA = G * 1.2 + 0.05 * np.eye(2)
KAPPA3 = PSI3 * 1.1

# Per-observation derivatives of the normal log-likelihood in its natural parameter on 8
# points: l1 = t - eta, l2 = -G, l3 = -psi3, l4 = -psi4 (the same on every row).
_T = _NORMAL.stat(X2[:8, :1])
L1 = _T - _NORMAL.mean(_THETA)
L2 = np.repeat(-G[None], 8, axis=0)
L3 = np.repeat(-PSI3[None], 8, axis=0)
L4 = np.repeat(-PSI4[None], 8, axis=0)
W8 = np.linspace(0.5, 1.5, 8)
MOMENTS = ip.loglik_moments(L1, L2, L3, L4, W8)



def _rate_ll(th, X):
    """Exponential log-likelihood of one column in its rate ``th[0]``."""
    return np.log(th[0]) - th[0] * X[:, 0]


def _rate_derivs(th, X):
    n, r = X.shape[0], th[0]
    return ((1 / r - X[:, :1]), np.full((n, 1, 1), -1 / r**2), np.full((n, 1, 1, 1), 2 / r**3),
            np.full((n, 1, 1, 1, 1), -6 / r**4))


_BAD_FAMILY = {"family": ["cauchy", 3]}
_BAD_ORDER = {"order": [3, "2", 1.5]}
_BAD_TOL_OPTIONS = {"bayes_tv": [0.0, 1.5, "0.05"], "bound": ["worst", 2], **_BAD_ORDER}
_BAD_N_JOBS = {"n_jobs": [0, 1.5, "2", True]}
_SCALAR_N = {"n": {"zero_d", "extra_dim"}}   # a sample size, or an array of any shape


def _fit_likelihood(X):
    model = ip.LikelihoodModel(_rate_ll, _rate_derivs, fit=lambda X: 1 / X.mean(axis=0))
    theta = model.fit(X)
    return (theta, *model.coefficients(theta, X), model.logpdf(theta, X))


CASES = [
    # ------------------------------------------------------------ expansions and cumulants
    Case("probstat.infoproj.risk_expansion_expfam",
         lambda G, psi3, psi4, Sigma, kappa3, order: ip.risk_expansion_expfam(
             G, psi3, psi4, Sigma, kappa3, order=order),
         arrays={"G": G, "psi3": PSI3, "psi4": PSI4, "Sigma": SIGMA, "kappa3": KAPPA3},
         params={"order": 2}, bad_params=_BAD_ORDER),
    Case("probstat.infoproj.cumulant_invariants", ip.cumulant_invariants,
         arrays={"G": G, "psi3": PSI3, "psi4": PSI4}),
    Case("probstat.infoproj.risk_expansion_general",
         lambda order, **a: ip.risk_expansion_general(**a, order=order),
         arrays=dict(MOMENTS), params={"order": 2}, bad_params=_BAD_ORDER, host=True),
    Case("probstat.infoproj.loglik_moments", ip.loglik_moments,
         arrays={"l1": L1, "l2": L2, "l3": L3, "l4": L4, "weights": W8},
         kinds={"weights": "weights"}, host=True,
         paired=(("l1", "l2"), ("l1", "l3"), ("l1", "l4"), ("l1", "weights")),
         accepts={"weights": {"none"}}),
    Case("probstat.infoproj.sample_cumulants",
         lambda T, weights, estimator, order: ip.sample_cumulants(
             T, weights=weights, estimator=estimator, order=order),
         arrays={"T": X2[:8], "weights": W8}, kinds={"weights": "weights"},
         params={"estimator": "plugin", "order": 4}, paired=(("T", "weights"),),
         bad_params={"estimator": ["robust", 1], "order": [2, 5, "3"]},
         accepts={"weights": {"none"}}),
    Case("probstat.infoproj.sample_cumulants",
         lambda T: ip.sample_cumulants(T, estimator="kstat", order=3), arrays={"T": X2},
         id="kstat"),
    # ------------------------------------------------------------ exact risks, tolerances
    Case("probstat.infoproj.exact_risk_mvn", lambda n, d: ip.exact_risk_mvn(d, n),
         arrays={"n": NS}, params={"d": 2}, bad_params={"d": [0, 1.5, "2"]}, host=True,
         accepts=_SCALAR_N),
    Case("probstat.infoproj.exact_risk_gamma", lambda n, alpha: ip.exact_risk_gamma(alpha, n),
         arrays={"n": NS}, params={"alpha": 2.5},
         bad_params={"alpha": [0.0, -1.0, "2", float("nan")]}, host=True, accepts=_SCALAR_N),
    Case("probstat.infoproj.exact_risk_exponential", ip.exact_risk_exponential,
         arrays={"n": NS}, host=True, accepts=_SCALAR_N),
    Case("probstat.infoproj.exact_risk_normal_known_var", ip.exact_risk_normal_known_var,
         arrays={"n": NS}, params={"variance_ratio": 2.0},
         bad_params={"variance_ratio": [-1.0, "1", float("nan")]}, accepts=_SCALAR_N),
    Case("probstat.infoproj.kl_tolerance", ip.kl_tolerance,
         arrays={"eps": np.array([0.05, 0.1, 0.9])}, params={"bound": "best"},
         bad_params={"bound": ["worst", 2]}, accepts={"eps": {"zero_d", "extra_dim"}}),
    Case("probstat.infoproj.min_sample_size", ip.min_sample_size,
         params={"c1": 4.5, "c2": 38.0, "delta": 0.01, "order": 2},
         bad_params={"c1": [0.0, -1.0, "1", float("nan")], "c2": ["0", float("inf")],
                     "delta": [0.0, -0.1, None, "0.01"], **_BAD_ORDER}),
    # ------------------------------------------------------------ projection and risks
    Case("probstat.infoproj.information_projection",
         lambda truth, family: ip.information_projection(family, truth),
         arrays={"truth": X2[:, :1]}, params={"family": "normal"}, bad_params=_BAD_FAMILY,
         host=True),
    Case("probstat.infoproj.information_projection",
         lambda support, pmf: ip.information_projection("poisson", (support, pmf)),
         arrays={"support": np.array([[0.0], [1.0], [2.0], [4.0]]),
                 "pmf": np.array([0.1, 0.4, 0.3, 0.2])},
         kinds={"pmf": "prob"}, paired=(("support", "pmf"),), host=True, id="grid"),
    Case("probstat.infoproj.risk_coefficients",
         lambda truth, family, mode, estimator, order: ip.risk_coefficients(
             family, truth, mode=mode, estimator=estimator, order=order),
         arrays={"truth": X2}, params={"family": "mvn", "mode": "sandwich",
                                       "estimator": "kstat", "order": 2},
         bad_params={**_BAD_FAMILY, "mode": ["robust", 1], "estimator": ["x", None],
                     **_BAD_ORDER}, host=True),
    Case("probstat.infoproj.risk_coefficients",
         lambda truth: ip.risk_coefficients("exponential", truth, mode="cumulant"),
         arrays={"truth": X1}, host=True, id="cumulant"),
    Case("probstat.infoproj.monte_carlo_risk",
         lambda theta, family, n, n_rep, random_state, batch, n_jobs: ip.monte_carlo_risk(
             family, n, n_rep, theta=theta, random_state=random_state, batch=batch,
             n_jobs=n_jobs),
         arrays={"theta": np.array([-1.5])},
         params={"family": "exponential", "n": 5, "n_rep": 40, "random_state": 0,
                 "batch": 16, "n_jobs": None},
         bad_params={**_BAD_FAMILY, "n": [1, 2.5, "5"], "n_rep": [1, "40"],
                     "batch": [0, 1.5], **_BAD_N_JOBS}, host=True),
    Case("probstat.infoproj.bootstrap_risk",
         lambda X, family, m, n_boot, random_state, verbose, n_jobs: ip.bootstrap_risk(
             family, X, m=m, n_boot=n_boot, random_state=random_state, verbose=verbose,
             n_jobs=n_jobs),
         arrays={"X": X1}, params={"family": "exponential", "m": 6, "n_boot": 20,
                                   "random_state": 0, "verbose": False, "n_jobs": None},
         bad_params={**_BAD_FAMILY, "m": [1, 2.5], "n_boot": [1, "20"], **_BAD_N_JOBS},
         host=True),
    # ------------------------------------------------------------ classes
    Case("probstat.infoproj.ExponentialFamily",
         lambda X: (lambda fam, th: (th, fam.stat(X), fam.logpdf(th, X), fam.mean(th),
                                     *fam.cumulants(th), fam.kl(th, th)))(
             _NORMAL, _NORMAL.fit(X)),
         arrays={"X": X2[:, :1]}, host=True),
    Case("probstat.infoproj.ExponentialFamily",
         lambda theta: (_NORMAL.mean(theta), *_NORMAL.cumulants(theta), _NORMAL.psi(theta),
                        _NORMAL.natural_from_mean(_NORMAL.mean(theta))),
         arrays={"theta": _THETA}, host=True, id="theta"),
    Case("probstat.infoproj.LikelihoodModel", _fit_likelihood, arrays={"X": X1}, host=True),
    Case("probstat.infoproj.PNCriterion",
         lambda X, **params: ip.PNCriterion(**params).fit(X),
         arrays={"X": X2},
         params={"family": "mvn", "tol": 0.05, "order": 2, "mode": "sandwich",
                 "bootstrap": 0, "random_state": 0, "verbose": False, "n_jobs": None},
         bad_params={**_BAD_FAMILY, "mode": ["robust"], "bootstrap": [-1, 1.5],
                     **_BAD_ORDER, **_BAD_N_JOBS}, host=True),
    Case("probstat.infoproj.PNCriterion",
         lambda X: (lambda est: (est, est.score_samples(X), est.report()))(
             ip.PNCriterion(family="independent_normal", tol=0.05).fit(X)),
         arrays={"X": X2}, host=True, id="score_samples"),
    # ------------------------------------------------------------ scans
    Case("probstat.infoproj.gaussian_dimension_scan",
         lambda X, **params: ip.gaussian_dimension_scan(X, **params),
         arrays={"X": np.c_[X2, X2[:, :1] ** 2]},
         params={"tol": 0.05, "bayes_tv": 0.05, "bound": "best", "order": 2,
                 "mode": "sandwich", "estimator": "plugin", "columns": [2, 0, 1],
                 "verbose": False, "n_jobs": None},
         bad_params={**_BAD_TOL_OPTIONS, "mode": ["cumulant", 1], "estimator": ["x"],
                     "columns": [[0, 0, 1], [0, 1], "012"], **_BAD_N_JOBS}, host=True),
    Case("probstat.infoproj.multinomial_merge_scan",
         lambda labels, **params: ip.multinomial_merge_scan(labels, **params),
         arrays={"labels": np.array([0, 1, 1, 2, 2, 2, 3, 1, 2, 0, 3, 2])},
         kinds={"labels": "labels"},
         params={"tol": 0.05, "bayes_tv": 0.05, "bound": "best", "order": 2,
                 "mode": "correct", "n_jobs": None},
         bad_params={**_BAD_TOL_OPTIONS, "mode": ["robust", 1], **_BAD_N_JOBS}, host=True,
         accepts={"labels": {"label_out_of_range", "label_negative"}}),
    Case("probstat.infoproj.multinomial_merge_scan",
         lambda labels, partitions: ip.multinomial_merge_scan(labels, partitions=partitions),
         arrays={"labels": np.array([3, 4, 4, 5, 5, 5, 6, 4, 5, 3])},
         kinds={"labels": "labels"}, params={"partitions": [[[3, 4], [5, 6]]]},
         bad_params={"partitions": [[[[3, 4], [5]]], [[[3, 4], [5, 9]]], [[[3, 4, 5, 6]]],
                                    3, []]},
         host=True, id="partitions"),
]

EXEMPT = {"probstat.infoproj.demo": "exercised by tests/test_tour.py"}
