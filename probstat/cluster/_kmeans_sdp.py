"""The Peng-Wei K-means SDP as a scikit-learn clusterer."""

from __future__ import annotations

import time
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

from ..backend import on_host, to_numpy
from ..utils import check_rng
from ..utils._param_validation import (
    BOOL,
    RANDOM_STATE,
    VERBOSE,
    Interval,
    StrOptions,
    fit_context,
)
from . import _dask
from ._certified import certified, solve_exact, solve_low_rank
from ._common import (
    check_n_clusters,
    check_solver_options,
    check_squares_finite,
    check_X,
    choose_solver,
    logger,
    sketch_size,
    spectral_round,
    threshold_round,
)

#: ``solver="auto"`` uses cvxpy up to this many points, the low-rank solver up to
#: ``_AUTO_BM_MAX``, and the sketch beyond.
_AUTO_CVXPY_MAX = 200
_AUTO_BM_MAX = 10_000
#: A low-rank solve that is not certified falls back to the exact solver up to this size
#: (where the exact solve takes about a second).
_FALLBACK_MAX = 60
SOLVERS = ("auto", "cvxpy", "bm", "sketch")
_ARRAY_ATTRS = ("labels_", "cluster_centers_", "Z_", "sketch_indices_")


class KMeansSDP(ClusterMixin, BaseEstimator):
    """K-means clustering by the Peng-Wei semidefinite relaxation.

    Solves the relaxation of Peng and Wei [1]_, ``max <X X', Z>`` over ``Z`` positive
    semidefinite, entrywise non-negative, with ``Z 1 = 1`` and ``tr Z = K`` (X centred),
    then rounds ``Z`` to labels. On an isotropic mixture the relaxation is tight (its
    solution is the cluster indicator matrix) once the centres are separated beyond the
    cutoff of Chen and Yang [2]_ (:func:`probstat.datasets.sdp_recovery_threshold`). The
    scalable solvers follow the non-negative low-rank [3]_ and sketch-and-lift [4]_
    methods; the exact path calls SCS [5]_ through cvxpy.

    Array-API input (CuPy, ...) is accepted: the low-rank solver's iterations run in its
    namespace, the rest on the host (with a :class:`~probstat.backend.HostFallbackWarning`
    when array-API dispatch is on), and the fitted arrays and predictions come back in
    the namespace and on the device of ``X``.

    Parameters
    ----------
    n_clusters : int, default=2
    solver : {"auto", "cvxpy", "bm", "sketch"}, default="auto"
        ``"cvxpy"``: the exact SDP (SCS by default; fine up to a few hundred points).
        ``"bm"``: non-negative low-rank Burer-Monteiro factorisation ``Z = U U'`` with
        ``U >= 0`` of rank ``2K``, solved by an augmented Lagrangian (``O(n p K)`` per step).
        ``"sketch"``: solve on a random subsample and assign every point to the nearest
        subsample centroid. ``"auto"`` picks cvxpy for n <= 200, bm for n <= 10000 and the
        sketch beyond; ``solver_`` and ``solver_info_["reason"]`` say what was chosen.
    rounding : {"spectral", "threshold"}, default="spectral"
        ``"spectral"``: K-means on the top-K eigenvectors of Z. ``"threshold"``: the
        Chen-Yang rule, peeling off ``{j : Z_ij > Z_ii / 2}``.
    solver_options : dict, optional
        cvxpy: ``cvxpy_solver`` ("SCS" or "CLARABEL"), ``eps`` (> 0), ``max_iters``.
        bm: ``rank``, ``max_iter``, ``max_inner`` (integers >= 1), ``tol`` (>= 0),
        ``feas_tol`` and ``beta`` (> 0). Certificate: ``certify_tol`` (> 0, default 1e-3),
        the relative duality gap below which a solution counts as optimal, and
        ``max_rank`` (default twice the rank), the rank a low-rank solve that is not
        certified is repeated at before the exact solver takes over (up to 60 points, where
        the exact solve takes about a second).
        ``certify_tol`` must stay above the accuracy of the solver that produced the
        point: the low-rank solver stops at row-sum violations of ``feas_tol`` (1e-4)
        and SCS at ``eps`` (1e-5), both well inside the default 1e-3.
    certify : bool, default=True
        Compute an optimality certificate of the returned SDP solution (once per fit):
        an upper bound on the relaxation's optimum from a dual solution built at the
        point (weak duality), so that ``duality_gap_`` bounds how far the solution's
        objective is from the optimum, and ``certified_`` says whether that relative
        gap is at most ``solver_options["certify_tol"]``. An uncertified low-rank
        solution is solved again at twice the rank with 10x tighter tolerances, then by
        the exact solver on small data. It costs one dense top eigenvalue per solve (0.1 s at 1000 points), plus a
        least-squares fit of the multipliers up to 200 points (about 0.5 s); above 2000
        points it is skipped.
    subsample_size : int >= 2, optional
        Subsample size of the sketch (default ``min(n, 1000)``).
    store_Z : bool, default=False
        Keep the n x n solution as ``Z_`` (of the subsample for the sketch).
    random_state : None, int, RandomState or Generator
        Seeds the starting factor of the bm solver, the subsample and the rounding.
    verbose : int, default=0
        1 logs the solver choice (logger ``"probstat.cluster"``, level INFO) and lets
        cvxpy print its progress; 2 also logs the low-rank solver's outer iterations.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each point; for a dask ``X``, a dask array (persisted: on the workers
        with a distributed client).
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    inertia_ : float
        Within-cluster sum of squares of ``labels_`` (the K-means objective).
    objective_ : float
        Optimal value ``<X X', Z>`` of the relaxation (centred X).
    solver_ : str
        The solver that ran: ``"cvxpy"`` when a low-rank solve was not certified and
        the exact solver took over (``solver_info_["fallback"]`` says why).
    certified_ : bool
        Whether the relaxation's solution is certified optimal: the relative duality gap
        from a dual solution built at the point is at most ``certify_tol``. False (with
        ``duality_gap_ = inf``) with ``certify=False`` or above 2000 points
        (``solver_info_["certificate_note"]`` says why, and why an uncertified point was
        not solved again). Not certified does not mean not optimal: the dual built may
        just be too weak (it is tight when the relaxation's solution is a partition, as
        on separated clusters).
    duality_gap_ : float
        Relative duality gap ``(bound - objective) / max(1, |objective|)`` (of the
        subsample's solve for the sketch).
    solver_info_ : dict
        Status, time, iterations and primal infeasibility of the solve, and ``reason``.
    Z_ : ndarray of shape (n, n)
        Only with ``store_Z=True``.
    sketch_indices_ : ndarray
        Only for the sketch: the rows the SDP was solved on.
    n_features_in_ : int

    See Also
    --------
    ILASDP : The likelihood-adjusted SDP for clusters of different shapes.
    sklearn.cluster.KMeans : Lloyd's algorithm with k-means++ starts, far faster.

    References
    ----------
    .. [1] J. Peng and Y. Wei, "Approximating K-means-type clustering via semidefinite
       programming", SIAM Journal on Optimization 18(1), 186-205, 2007. The 0-1 SDP
       model of K-means and its semidefinite relaxation.
    .. [2] X. Chen and Y. Yang, "Cutoff for exact recovery of Gaussian mixture models",
       IEEE Transactions on Information Theory 67(6), 4223-4238, 2021; arXiv:2001.01194.
       The separation above which the relaxation recovers the partition exactly.
    .. [3] Y. Zhuang, X. Chen, Y. Yang and R. Y. Zhang, "Statistically optimal K-means
       clustering via nonnegative low-rank semidefinite programming", ICLR 2024;
       arXiv:2305.18436. The non-negative low-rank factorisation ``Z = U U'`` and its
       primal-dual augmented Lagrangian (``solver="bm"``).
    .. [4] Y. Zhuang, X. Chen and Y. Yang, "Sketch-and-lift: scalable subsampled
       semidefinite program for K-means clustering", AISTATS 2022, PMLR 151, 9214-9246;
       arXiv:2201.08226. The subsampled SDP with nearest-centroid lifting
       (``solver="sketch"``).
    .. [5] B. O'Donoghue, E. Chu, N. Parikh and S. Boyd, "Conic optimization via
       operator splitting and homogeneous self-dual embedding", Journal of Optimization
       Theory and Applications 169(3), 1042-1068, 2016. SCS, the default conic solver of
       ``solver="cvxpy"``.
    .. [6] S. Burer and R. D. C. Monteiro, "A nonlinear programming algorithm for solving
       semidefinite programs via low-rank factorization", Mathematical Programming
       95(2), 329-357, 2003. The low-rank factorisation and the practice of checking a
       low-rank point with a dual certificate (weak duality of the convex SDP).

    Examples
    --------
    >>> from probstat.cluster import KMeansSDP
    >>> from probstat.datasets import make_heterogeneous_gmm
    >>> X, y = make_heterogeneous_gmm(40, 2, 2, separation=8, shapes="isotropic",
    ...                               random_state=0)
    >>> km = KMeansSDP(n_clusters=2, random_state=0).fit(X)
    >>> km.solver_
    'cvxpy'
    >>> from probstat.cluster import misclustering_error
    >>> misclustering_error(y, km.labels_)
    0.0
    """

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions(set(SOLVERS))],
        "rounding": [StrOptions({"spectral", "threshold"})],
        "solver_options": [dict, None],
        "subsample_size": [Interval(Integral, 2, None, closed="left"), None],
        "store_Z": BOOL,
        "certify": BOOL,
        "random_state": RANDOM_STATE,
        "verbose": VERBOSE,
    }

    def __init__(self, n_clusters=2, *, solver="auto", rounding="spectral", solver_options=None,
                 subsample_size=None, store_Z=False, certify=True, random_state=None,
                 verbose=0):
        self.n_clusters = n_clusters
        self.solver = solver
        self.rounding = rounding
        self.solver_options = solver_options
        self.subsample_size = subsample_size
        self.store_Z = store_Z
        self.certify = certify
        self.random_state = random_state
        self.verbose = verbose

    @classmethod
    def _test_instance(cls):
        return cls(n_clusters=2, solver="bm", random_state=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True
        return tags

    @fit_context
    def fit(self, X, y=None):
        """Solve the relaxation and round it to labels.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            The data. A dask array needs ``solver="sketch"`` (or ``"auto"``, which then
            chooses it): the SDP is solved on the subsample in memory and the rows are
            assigned block by block; ``labels_`` is then a dask array.
        y : None
            Ignored.

        Returns
        -------
        self : KMeansSDP
            The fitted clusterer.
        """
        if _dask.is_dask_array(X):
            return self._fit_dask(X)
        host = on_host(X, where="KMeansSDP.fit")
        X = check_X(self, host.to_numpy(X), reset=True)
        self._fit_host(X, host)
        host.move_attributes(self, _ARRAY_ATTRS)
        return self

    def _fit_host(self, X, host):
        n = X.shape[0]
        K = check_n_clusters(self.n_clusters, n)
        solver, reason = choose_solver(self.solver, n, _AUTO_CVXPY_MAX, _AUTO_BM_MAX)
        opts = check_solver_options(self.solver_options)
        rng = check_rng(self.random_state)
        if K > 1 and np.all(np.ptp(X, axis=0) == 0):
            raise ValueError("X has only constant columns (all points are equal): there is "
                             "nothing to cluster")
        check_squares_finite(X - X.mean(axis=0))
        self.solver_ = solver
        if self.verbose:
            logger.info("KMeansSDP: %s", reason)
        if K == 1:
            self._set_labels(X, np.zeros(n, dtype=np.int64))
            self.objective_ = 0.0
            self.certified_ = True  # one cluster: Z = 11'/n is the only feasible point
            self.duality_gap_ = 0.0
            self.solver_info_ = dict(solver=solver, status="trivial (n_clusters=1)",
                                     reason=reason)
            return self
        if solver == "sketch":
            return self._fit_sketch(X, K, opts, rng, reason)
        labels, info, Zfull = _solve_and_round(X, K, solver, opts, self.rounding, rng,
                                               host=host, verbose=self.verbose,
                                               store_Z=self.store_Z, certify=self.certify)
        info["reason"] = reason
        self.solver_info_ = info
        self._set_certificate(info, solver)
        self.objective_ = info["objective"]
        if self.store_Z:
            self.Z_ = Zfull
        self._set_labels(X, labels)
        return self

    def _fit_dask(self, X):
        """``fit`` on a dask array: the checks and the lift block by block."""
        X = _dask.check_dask_X(self, X, reset=True)
        K = check_n_clusters(self.n_clusters, X.shape[0])
        if self.solver not in ("auto", "sketch"):
            _dask.refuse_solver(self, self.solver)
        reason = ("solver='sketch' was requested" if self.solver == "sketch" else
                  "solver='auto' chose 'sketch' (X is a dask array)")
        opts = check_solver_options(self.solver_options)
        rng = check_rng(self.random_state)
        lo, hi, mean = _dask.column_stats(X)
        if K > 1 and np.all(hi == lo):
            raise ValueError("X has only constant columns (all points are equal): there is "
                             "nothing to cluster")
        _dask.check_squares_finite(X, lo, hi, mean)
        self.solver_ = "sketch"
        if self.verbose:
            logger.info("KMeansSDP: %s", reason)
        if K > 1:
            return self._fit_sketch(X, K, opts, rng, reason)
        self._lift(X, mean[None, :])
        self.objective_ = 0.0
        self.certified_ = True
        self.duality_gap_ = 0.0
        self.solver_info_ = dict(solver="sketch", status="trivial (n_clusters=1)",
                                 reason=reason)
        return self

    def _fit_sketch(self, X, K, opts, rng, reason):
        start = time.perf_counter()
        n = X.shape[0]
        m = sketch_size(self.subsample_size, n)
        idx = np.sort(rng.choice(n, size=m, replace=False))
        inner_solver, _ = choose_solver("auto", m, _AUTO_CVXPY_MAX, np.inf)
        sample = _dask.rows(X, idx) if _dask.is_dask_array(X) else X[idx]
        sub_labels, info, Zfull = _solve_and_round(sample, K, inner_solver, opts,
                                                   self.rounding, rng, verbose=self.verbose,
                                                   store_Z=self.store_Z, certify=self.certify)
        centers = np.stack([sample[sub_labels == k].mean(axis=0)
                            for k in np.unique(sub_labels)])
        info = dict(info, solver=f"sketch/{info['solver']}", subsample_size=m, reason=reason,
                    total_time=time.perf_counter() - start)
        self.solver_info_ = info
        self._set_certificate(info, "sketch")
        self.objective_ = info["objective"]
        self.sketch_indices_ = idx
        if self.store_Z:
            self.Z_ = Zfull
        self._lift(X, centers)
        return self

    def _lift(self, X, centers):
        """Assign every row to the nearest centre, then recentre (``_set_labels``)."""
        if _dask.is_dask_array(X):
            self.labels_, self.cluster_centers_, self.inertia_ = _dask.lift_nearest(X, centers)
        else:
            self._set_labels(X, _nearest(X, centers))

    def _set_certificate(self, info, solver):
        """``solver_``, ``certified_`` and ``duality_gap_`` from the solve's certificate."""
        cert = info["certificate"]
        self.certified_ = bool(cert["certified"])
        self.duality_gap_ = float(cert["gap"])
        if "fallback" in info and solver != "sketch":
            self.solver_ = "cvxpy"
        if "note" in cert:
            info["certificate_note"] = cert["note"]
        elif not self.certified_ and self.verbose:
            logger.info("KMeansSDP: the SDP solution is not certified optimal (relative "
                        "duality gap %.2e > %g)", self.duality_gap_, cert["tol"])

    def _set_labels(self, X, labels):
        _, labels = np.unique(labels, return_inverse=True)
        labels = labels.astype(np.int64)
        centers = np.stack([X[labels == k].mean(axis=0) for k in range(labels.max() + 1)])
        self.labels_ = labels
        self.cluster_centers_ = centers
        self.inertia_ = float(np.sum((X - centers[labels]) ** 2))

    def predict(self, X):
        """Assign each point to the nearest cluster centre.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Points to assign.

        Returns
        -------
        labels : array of shape (n_samples,)
            Cluster indices, in the namespace and on the device of ``X`` (a lazy dask
            array for a dask ``X``, computed block by block).
        """
        check_is_fitted(self)
        if _dask.is_dask_array(X):
            X = _dask.check_dask_X(self, X, reset=False)
            return X.map_blocks(_dask._nearest_block, to_numpy(self.cluster_centers_),
                                drop_axis=1, dtype=np.int64)
        host = on_host(X, where="KMeansSDP.predict", fitted=self)
        X = check_X(self, host.to_numpy(X), reset=False)
        centers = host.to_numpy(self.cluster_centers_)
        return host.from_numpy(_nearest(X, centers))


def _nearest(X, centers):
    d = ((X[:, None, :] - centers[None, :, :]) ** 2).sum(-1) if X.shape[0] * len(centers) < 5e6 \
        else -2 * X @ centers.T + (centers**2).sum(1)
    return np.argmin(d, axis=1).astype(np.int64)


def _solve_and_round(X, K, solver, opts, rounding, rng, *, host=None, verbose=0,
                     store_Z=False, certify=True):
    """Solve the Peng-Wei SDP with ``solver`` ("cvxpy" or "bm") and round it.

    With a ``host`` round trip in use, the low-rank iterations run in the caller's
    namespace and device (they are written against the array API).
    """
    n = X.shape[0]
    Xc = X - X.mean(axis=0)
    Zfull = None
    zeros = np.zeros(n)
    if solver == "cvxpy":
        members, info = solve_exact([Xc], [zeros], [K], opts, verbose=verbose)
    else:
        rank = int(opts.get("rank", 2 * K))
        U0 = np.abs(rng.standard_normal((n, rank)))
        members, info = solve_low_rank([Xc], [zeros], [K], [U0], opts, host=host,
                                       verbose=verbose)
    members, info = certified([Xc], [zeros], [K], members, info, opts, certify=certify,
                              fallback_max=_FALLBACK_MAX, rng=rng, host=host,
                              verbose=verbose)
    info.pop("dual", None)
    info.pop("dual_N", None)
    if store_Z:
        Zfull = members.dense(0)
    factor = members.factor(0)
    seed = int(rng.integers(2**31 - 1))
    if rounding == "spectral":
        labels = spectral_round(factor, K, seed)
    else:
        labels = threshold_round(factor, K)
    return labels, info, Zfull
