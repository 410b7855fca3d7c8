"""The shared numerics layer against independent references (SciPy, brute force)."""

import math

import numpy as np
import pytest
import scipy.special
import scipy.stats

import probstat
from probstat.backend import to_numpy
from probstat.utils._numerics import (
    cholesky,
    gaussian_log_density,
    limit_blas_threads,
    log_base,
    logsumexp,
    precision_cholesky,
)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_gaussian_log_density_matches_scipy(covariance_type, rng):
    d, k = 3, 2
    X = rng.normal(size=(7, d))
    means = rng.normal(size=(k, d))
    if covariance_type == "full":
        A = rng.normal(size=(k, d, d))
        covs = A @ A.transpose(0, 2, 1) + np.eye(d)
        prec = precision_cholesky(covs)
    elif covariance_type == "diag":
        var = rng.uniform(0.5, 2.0, size=(k, d))
        covs = np.stack([np.diag(v) for v in var])
        prec = 1 / np.sqrt(var)
    else:
        var = rng.uniform(0.5, 2.0, size=k)
        covs = np.stack([v * np.eye(d) for v in var])
        prec = 1 / np.sqrt(var)
    got = gaussian_log_density(X, means, prec, covariance_type)
    want = np.column_stack([scipy.stats.multivariate_normal(means[j], covs[j]).logpdf(X)
                            for j in range(k)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_precision_cholesky_inverts_and_names_the_component():
    C = np.array([[2.0, 0.5], [0.5, 1.0]])
    U = precision_cholesky(C)
    np.testing.assert_allclose(U @ U.T, np.linalg.inv(C), rtol=1e-12)
    bad = np.stack([C, np.array([[1.0, 2.0], [2.0, 1.0]])])
    with pytest.raises(ValueError, match=r"covariances\[1\] is not positive definite"):
        precision_cholesky(bad, name="covariances")


def test_cholesky_jitter_and_clear_failure():
    v = np.array([1.0, 2.0, 3.0])
    K = np.outer(v, v)                       # rank one: needs jitter
    L, jitter = cholesky(K)
    assert jitter > 0
    np.testing.assert_allclose(L @ L.T, K + jitter * np.eye(3), rtol=1e-10, atol=1e-12)
    L0, j0 = cholesky(np.eye(2))
    assert j0 == 0.0 and np.array_equal(L0, np.eye(2))
    with pytest.raises(np.linalg.LinAlgError, match="kernel matrix is not positive definite"):
        cholesky(-np.eye(2), name="kernel matrix")
    with pytest.raises(ValueError, match="K must be finite"):
        cholesky(np.array([[1.0, np.nan], [np.nan, 1.0]]), name="K")


def test_logsumexp_numpy_and_array_api(xp):
    a = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf], [1e3, 1e3, 0.0]])
    want = scipy.special.logsumexp(a, axis=1)
    got = logsumexp(xp.asarray(a), axis=1)
    np.testing.assert_allclose(to_numpy(got), want, rtol=1e-14)
    assert math.isclose(float(logsumexp(xp.asarray(a[0]))), float(want[0]), rel_tol=1e-14)
    kept = logsumexp(xp.asarray(a), axis=0, keepdims=True)
    assert tuple(kept.shape) == (1, 3)


def test_log_base():
    assert log_base(None) == 1.0 and log_base(math.e) == 1.0
    assert log_base(2) == math.log(2)
    for bad in (1, 0, -2.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="base must be"):
            log_base(bad)
    for bad in ("2", True):
        with pytest.raises(TypeError, match="base must be"):
            log_base(bad)


def test_limit_blas_threads_restores():
    from threadpoolctl import threadpool_info

    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    with limit_blas_threads(1):
        inside = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        assert all(n == 1 for n in inside)
    after = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert after == before


def test_measures_accept_longdouble_and_float32():
    p = np.array([0.6, 0.3, 0.1])
    want = probstat.utils.entropy(p)
    for dtype in (np.float32, np.longdouble, np.float16):
        got = probstat.utils.entropy(p.astype(dtype))
        assert math.isclose(got, want, rel_tol=1e-3 if dtype == np.float16 else 1e-6)


def test_log_normalize_matches_scipy():
    from probstat.utils._numerics import log_normalize

    a = np.random.default_rng(3).normal(size=(20, 4)) * 50
    lse, p = log_normalize(a, axis=1)
    np.testing.assert_allclose(lse, scipy.special.logsumexp(a, axis=1), rtol=1e-14)
    np.testing.assert_allclose(p, scipy.special.softmax(a, axis=1), rtol=1e-12, atol=1e-300)
