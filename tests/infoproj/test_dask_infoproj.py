"""Replications, bootstraps and scans give the same numbers on 1, 2 workers and on Dask."""

import numpy as np
import pytest
from scipy import stats

from probstat.infoproj import (
    ExponentialFamily,
    PNCriterion,
    bootstrap_risk,
    exact_risk_mvn,
    gaussian_dimension_scan,
    monte_carlo_risk,
    multinomial_merge_scan,
)

joblib = pytest.importorskip("joblib")

_MVN2 = ExponentialFamily.named("mvn", d=2)
_THETA = _MVN2.to_natural([0.0, 0.0], [[1.0, 0.3], [0.3, 1.0]])


def _runs(call, dask_client):
    """The result of ``call(n_jobs)`` serially, on 2 threads, and on the Dask cluster."""
    serial = call(1)
    with joblib.parallel_config(backend="threading"):
        threads = call(2)
    with joblib.parallel_config(backend="dask"):
        on_dask = call(None)
    return serial, threads, on_dask


def _same_fields(results, names):
    first = results[0]
    for other in results[1:]:
        for name in names:
            np.testing.assert_array_equal(getattr(other, name), getattr(first, name),
                                          err_msg=name)


@pytest.mark.parametrize("kwargs", [
    {"family": _MVN2, "theta": _THETA},                                   # numba kernel
    {"family": "poisson", "truth": stats.nbinom(2, 0.4), "control_variate": True},
    {"family": "exponential", "theta": np.array([-1.5])},
])
def test_monte_carlo_risk_is_independent_of_the_workers(kwargs, dask_client):
    runs = _runs(lambda n_jobs: monte_carlo_risk(n=30, n_rep=2500, random_state=7,
                                                 batch=700, n_jobs=n_jobs, **kwargs),
                 dask_client)
    _same_fields(runs, ("risk", "std_error", "n_rep", "n_failed"))
    assert runs[0].n_rep + runs[0].n_failed == 2500


def test_monte_carlo_risk_batch_is_only_a_memory_bound():
    # within a task the draws come in pieces of `batch` from one stream: normal draws do
    # not depend on how they are split
    a = monte_carlo_risk(_MVN2, 30, 1500, theta=_THETA, random_state=3, batch=1000)
    b = monte_carlo_risk(_MVN2, 30, 1500, theta=_THETA, random_state=3, batch=128)
    assert a.risk == b.risk


def test_monte_carlo_risk_parallel_matches_the_exact_risk():
    # reference: the exact Gaussian risk (closed form); 4 standard errors
    mc = monte_carlo_risk(_MVN2, 40, 6000, theta=_THETA, random_state=0, n_jobs=2)
    assert abs(mc.risk - exact_risk_mvn(2, 40)) < 4 * mc.std_error


def test_monte_carlo_risk_seeds_differ_between_tasks():
    # every task has its own stream: no two tasks repeat the same replications
    from probstat.infoproj._risk import _MC_TASK

    mc = monte_carlo_risk("exponential", 20, 3 * _MC_TASK, theta=np.array([-1.0]),
                          random_state=1)
    assert mc.std_error > 0
    one = monte_carlo_risk("exponential", 20, _MC_TASK, theta=np.array([-1.0]),
                           random_state=1)
    assert one.risk != mc.risk


def test_bootstrap_risk_is_independent_of_the_workers(dask_client):
    x = np.random.default_rng(0).exponential(size=(300, 1))
    runs = _runs(lambda n_jobs: bootstrap_risk("exponential", x, m=60, n_boot=450,
                                               random_state=2, n_jobs=n_jobs), dask_client)
    _same_fields(runs, ("risk", "std_error", "n_boot", "n_failed"))
    assert runs[0].n_boot + runs[0].n_failed == 450


def test_bootstrap_risk_parallel_matches_a_brute_force_resampling():
    # reference: the same m-out-of-n bootstrap written out by hand (exponential family:
    # KL(Exp(1/xbar) || Exp(1/xbar*)) = log(xbar*/xbar) + xbar/xbar* - 1), 200k resamples
    # from another generator; the two estimates agree within 4 combined standard errors
    rng = np.random.default_rng(5)
    x = rng.exponential(size=(500, 1))
    m, xbar = 40, float(x.mean())
    ref = []
    for _ in range(20):
        star = x[rng.integers(0, 500, size=(10_000, m)), 0].mean(axis=1)
        ref.append(np.log(star / xbar) + xbar / star - 1.0)
    ref = np.concatenate(ref)
    b = bootstrap_risk("exponential", x, m=m, n_boot=3000, random_state=0, n_jobs=2)
    se = np.hypot(b.std_error, ref.std(ddof=1) / np.sqrt(ref.size))
    assert abs(b.risk - ref.mean()) < 4 * se


def test_pn_criterion_bootstrap_is_independent_of_the_workers(dask_client):
    X = np.random.default_rng(1).normal(size=(200, 2))

    def fit(n_jobs):
        return PNCriterion(bootstrap=60, random_state=4, n_jobs=n_jobs).fit(X)

    runs = _runs(fit, dask_client)
    for est in runs[1:]:
        assert est.c1_interval_ == runs[0].c1_interval_
        assert est.bootstrap_risk_.risk == runs[0].bootstrap_risk_.risk


@pytest.mark.parametrize("bad, error", [(0, ValueError), (1.5, TypeError), ("2", TypeError)])
def test_pn_criterion_refuses_bad_n_jobs(bad, error):
    with pytest.raises(error, match="n_jobs"):
        PNCriterion(bootstrap=5, n_jobs=bad).fit(np.random.default_rng(0).normal(size=(50, 2)))


def test_scans_are_independent_of_the_workers(dask_client):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 5)) @ rng.normal(size=(5, 5))
    runs = _runs(lambda n_jobs: gaussian_dimension_scan(X, tol=0.05, n_jobs=n_jobs),
                 dask_client)
    _same_fields(runs, ("p", "c1", "c2", "risk", "loglik", "aic", "bic"))
    y = rng.choice(6, size=500, p=[0.05, 0.1, 0.2, 0.3, 0.25, 0.1])
    runs = _runs(lambda n_jobs: multinomial_merge_scan(y, tol=0.01, mode="sandwich",
                                                       n_jobs=n_jobs), dask_client)
    _same_fields(runs, ("p", "c1", "c2", "risk", "loglik", "aic", "bic"))
    assert runs[0].labels == runs[2].labels


@pytest.mark.parametrize("call", [
    lambda n_jobs: monte_carlo_risk("exponential", 5, 40, theta=np.array([-1.0]),
                                    n_jobs=n_jobs),
    lambda n_jobs: bootstrap_risk("exponential", np.ones((10, 1)), n_jobs=n_jobs),
    lambda n_jobs: gaussian_dimension_scan(np.eye(5), n_jobs=n_jobs),
    lambda n_jobs: multinomial_merge_scan(np.array([0, 1, 1, 2]), n_jobs=n_jobs),
])
@pytest.mark.parametrize("bad, error", [(0, ValueError), (1.5, TypeError), (True, TypeError)])
def test_functions_refuse_bad_n_jobs(call, bad, error):
    with pytest.raises(error, match="n_jobs must be"):
        call(bad)
