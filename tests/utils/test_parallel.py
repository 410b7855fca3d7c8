"""Replications in parallel give the same numbers as in series, on joblib and on Dask."""

import numpy as np
import pytest

from probstat.utils._parallel import check_n_jobs, parallel_map, spawn_rngs


def _draw(task):
    rng, size = task
    return rng.standard_normal(size).sum()


def _tasks(seed):
    return [(rng, 50) for rng in spawn_rngs(seed, 8)]


def test_spawned_streams_are_reproducible_and_distinct():
    a = [r.random() for r in spawn_rngs(3, 5)]
    b = [r.random() for r in spawn_rngs(3, 5)]
    assert a == b and len(set(a)) == 5
    assert spawn_rngs(np.random.default_rng(3), 2)[0].random() != spawn_rngs(4, 2)[0].random()


@pytest.mark.parametrize("n_jobs", [None, 1, 2, -1])
def test_worker_count_does_not_change_results(n_jobs):
    serial = [_draw(t) for t in _tasks(0)]
    assert parallel_map(_draw, _tasks(0), n_jobs=n_jobs) == serial


def test_threading_and_dask_backends_give_the_same_results():
    joblib = pytest.importorskip("joblib")
    distributed = pytest.importorskip("distributed")
    serial = parallel_map(_draw, _tasks(1))
    with joblib.parallel_config(backend="threading", n_jobs=3):
        assert parallel_map(_draw, _tasks(1)) == serial
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster):
        with joblib.parallel_config(backend="dask"):
            assert parallel_map(_draw, _tasks(1)) == serial


@pytest.mark.parametrize("bad, error", [(0, ValueError), (1.5, TypeError), (True, TypeError),
                                         ("2", TypeError)])
def test_bad_n_jobs(bad, error):
    with pytest.raises(error, match="n_jobs must be"):
        check_n_jobs(bad)
