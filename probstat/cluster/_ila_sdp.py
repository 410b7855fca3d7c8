"""iLA-SDP: iterative likelihood-adjusted SDP clustering of heterogeneous Gaussian data."""

from __future__ import annotations

import math
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

from .._warn import warn
from ..backend import on_host, to_numpy
from ..utils import ConvergenceWarning, check_labels, check_rng, progress
from ..utils._numerics import gaussian_log_density, precision_cholesky
from ..utils._param_validation import (
    BOOL,
    RANDOM_STATE,
    VERBOSE,
    Interval,
    StrOptions,
    fit_context,
)
from . import _dask
from ._certified import certified, solve_exact, solve_low_rank, start_info
from ._common import (
    Memberships,
    check_n_clusters,
    check_solver_options,
    check_squares_finite,
    check_X,
    choose_solver,
    logger,
    sketch_size,
)
from ._kmeans_sdp import SOLVERS, KMeansSDP

#: ``solver="auto"``: cvxpy up to ``_AUTO_CVXPY_SIZE // n_clusters`` points (the exact
#: path has K PSD blocks of n x n), then the low-rank solver up to ``_AUTO_BM_MAX``, then
#: the sketch.
_AUTO_CVXPY_SIZE = 160
_AUTO_BM_MAX = 5000
#: An uncertified low-rank solve falls back to the exact solver up to
#: ``_FALLBACK_SIZE // n_clusters`` points (where that takes about a second).
_FALLBACK_SIZE = 120
_INITS = ("sdp", "kmeans++", "gmm", "random")
_LOG_2PI = math.log(2.0 * math.pi)
#: An LA-SDP solution whose rows of ``sum_k Z_k 1`` miss 1 by more than this is not a
#: relaxed partition: its value is no likelihood, and its Laplacian covariances can be
#: singular (a block concentrated on one point), which inflates the objective.
_MAX_INFEASIBILITY = 0.05
_ARRAY_ATTRS = ("labels_", "membership_", "means_", "covariances_", "precisions_cholesky_",
                "weights_", "init_labels_", "objective_path_", "Z_", "sketch_indices_")


class ILASDP(ClusterMixin, BaseEstimator):
    r"""Iterative likelihood-adjusted SDP clustering (iLA-SDP) for heterogeneous Gaussians.

    Treating the labels as parameters of a Gaussian mixture ``x_i ~ N(mu_k, Sigma_k)``
    and profiling out the means, twice the log-likelihood is linear in the
    group-specific membership matrices ``Z_k = 1_{G_k} 1_{G_k}' / n_k``:

    .. math::

        2 \ell = \sum_k \langle A_k, Z_k \rangle - d_k^\top Z_k 1 + \text{const},
        \quad A_k = X \Sigma_k^{-1} X^\top,\;
        d_k = \operatorname{diag}(A_k) + \log\det\Sigma_k \, 1.

    The LA-SDP relaxes ``Z_k`` to PSD, entrywise non-negative matrices with
    ``tr Z_k = 1`` and ``sum_k Z_k 1 = 1``. iLA-SDP [1]_ alternates this convex step with
    the closed-form covariance step ``Sigma_k = X' (diag(Z_k 1) - Z_k) X / (1' Z_k 1)``;
    both steps increase the same objective. Labels are ``argmax_k (Z_k 1)_i``. The start
    is the K-means SDP of Peng and Wei [2]_; the scalable solvers follow the
    non-negative low-rank [3]_ and sketch-and-lift [4]_ methods; the exact path calls
    SCS [5]_ through cvxpy.

    It is worth its cost over :class:`sklearn.mixture.GaussianMixture` on small samples
    (up to a few hundred points) where EM's start matters: centroid configurations that
    trap a single EM start, few points per cluster for the dimension. On large,
    well-separated samples both find the same clusters and ``GaussianMixture`` is
    hundreds of times faster; with strongly unbalanced cluster sizes EM, which fits the
    mixing weights, does better. See the user guide's "When to use this, and when not".

    Array-API input (CuPy, ...) is accepted: the low-rank solver's iterations run in its
    namespace, the rest on the host (with a :class:`~probstat.backend.HostFallbackWarning`
    when array-API dispatch is on), and the fitted arrays and predictions come back in
    the namespace and on the device of ``X``.

    Parameters
    ----------
    n_clusters : int, default=2
    init : {"sdp", "kmeans++", "gmm", "random"} or array-like, default="sdp"
        Starting labels, from which the first covariances are computed. An array holds
        one label in ``0 .. n_clusters - 1`` per sample, and uses every label. ``"sdp"``:
        the
        Peng-Wei K-means SDP (:class:`KMeansSDP`) with the same solver family.
        ``"random"``: the cells of ``n_clusters`` data points drawn at random (each point
        joins the nearest drawn point, in standardised coordinates); use it with
        ``n_init`` several starts. Uniformly random labels are not offered: every such
        cluster has the total covariance, so the first step would see no structure.
    n_init : int, default=1
        Number of starts (each with its own seed from ``random_state``); the fit with the
        largest ``objective_`` is kept and ``solver_info_["start_objectives"]`` lists all.
        Ignored, with a warning, when ``init`` is an array.
    max_iter : int, default=20
        Maximum number of LA-SDP solves.
    tol : float, default=1e-6
        Stop when the relative gain of the objective falls below ``tol`` (or when the
        labels stop changing).
    solver : {"auto", "cvxpy", "bm", "sketch"}, default="auto"
        ``"cvxpy"``: the exact LA-SDP (K PSD blocks; up to a few hundred points).
        ``"bm"``: non-negative low-rank factorisation ``Z_k = U_k U_k'`` (``U_k >= 0`` of
        rank 4 by default) by an augmented Lagrangian, ``O(n p K)`` per step (array API).
        ``"sketch"``: fit on a random subsample and assign every point by the fitted
        Gaussian rule. ``"auto"``: cvxpy for n <= 160 / K, bm for n <= 5000, sketch beyond;
        ``solver_`` and ``solver_info_["reason"]`` say what was chosen.
    solver_options : dict, optional
        cvxpy: ``cvxpy_solver`` ("SCS" or "CLARABEL"), ``eps`` (> 0), ``max_iters``.
        bm: ``rank``, ``max_iter``, ``max_inner`` (integers >= 1), ``tol`` (>= 0),
        ``feas_tol`` and ``beta`` (> 0). Certificate: ``certify_tol`` (> 0, default 1e-3),
        the relative duality gap below which a solution counts as optimal, and
        ``max_rank`` (default twice the rank), the rank a low-rank solve that is not
        certified is repeated at before the exact solver takes over (up to 120 / n_clusters
        points, where the exact solve takes about a second).
        ``certify_tol`` must stay above the accuracy of the solver that produced the
        point: the low-rank solver stops at row-sum violations of ``feas_tol`` (1e-4)
        and SCS at ``eps`` (1e-5), both well inside the default 1e-3.
    certify : bool, default=True
        Certify the returned SDP solution (once per fit): an upper bound on the
        relaxation's optimum from a dual solution built at the point (weak duality), so
        that ``duality_gap_`` bounds how far the solution's objective is from the
        optimum, and ``certified_`` says whether that relative gap is at most
        ``solver_options["certify_tol"]``. An uncertified low-rank solution is solved
        again at twice the rank with 10x tighter tolerances (up to 100 points), then by
        the exact solver on small data. The dual takes each point's row-sum multiplier
        from the stationarity of its own cluster's block, cancels the negative entries
        outside each block's cluster, and searches one shift per block; up to 100
        points a smoothed dual refines it (overlapping clusters). Cost: about the fit's
        own time from 1000 points; a median 2.6-2.9 s (slowest 5 s) on 90-100
        overlapping points (K = 3, 2), where the fit alone takes 0.3-0.4 s. Set False in
        loops of many fits.
    covariance_update : {"lifted", "labels"}, default="lifted"
        ``"lifted"``: the Laplacian-weighted scatter above (exact maximiser of the joint
        objective). ``"labels"``: per-cluster sample covariances of the rounded labels.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance (as in scikit-learn's GaussianMixture).
        A cluster with no more points than features (whose own covariance would be
        singular, making the likelihood unbounded) uses the pooled within-cluster
        covariance instead, with a warning.
    shrinkage : None, float in [0, 1] or "ledoit_wolf", default=None
        Shrink each covariance towards ``tr(Sigma_k)/p * I``: by a fixed amount, or by the
        Ledoit-Wolf amount estimated from the cluster's points.
    subsample_size : int >= 2, optional
        Subsample size of the sketch (default ``min(n, 1000)``).
    weights : bool, default=False
        Add the classification-EM term ``sum_k n_k log pi_k`` (mixing proportions) to the
        likelihood; it is linear in ``Z_k`` too. Off in the paper's formulation.
    store_Z : bool, default=False
        Keep the final membership matrices as ``Z_`` (K x n x n).
    random_state : None, int, RandomState or Generator
    verbose : int, default=0
        1 logs the solver choice (logger ``"probstat.cluster"``, level INFO) and shows a
        progress bar; 2 also lets cvxpy print its output and logs the low-rank solver's
        outer iterations.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        For a dask ``X`` (``solver="sketch"``), a persisted dask array, as ``membership_``.
    membership_ : ndarray of shape (n_samples, n_clusters)
        Soft memberships ``W_ik = (Z_k 1)_i`` (clipped at 0, rows normalised to sum to 1).
    means_ : ndarray of shape (n_clusters, n_features)
        Membership-weighted means ``X' Z_k 1 / (1' Z_k 1)``.
    covariances_ : ndarray of shape (n_clusters, n_features, n_features)
    precisions_cholesky_ : ndarray of shape (n_clusters, n_features, n_features)
        Upper-triangular ``L_k`` with ``L_k L_k' = covariances_[k]^{-1}``.
    weights_ : ndarray of shape (n_clusters,)
        ``1' Z_k 1 / n``.
    objective_path_ : ndarray
        Profile log-likelihood (natural log, with the ``-n p log(2 pi) / 2`` constant) of
        the starting labels and after each outer iteration; non-decreasing up to the
        solver's tolerance.
    objective_ : float
        The profile log-likelihood of the returned solution (the best iterate).
    n_iter_ : int
        Number of LA-SDP solves.
    converged_ : bool
    solver_ : str
        The solver of the fit: ``"cvxpy"`` when a low-rank solve was not certified and
        the exact solver took over (``solver_info_["fallback"]`` says why).
    certified_ : bool
        Whether the LA-SDP solve whose memberships are returned was certified optimal:
        its relative duality gap is at most ``certify_tol``. False (with
        ``duality_gap_ = inf``) with ``certify=False`` or above 2000 points; otherwise
        ``solver_info_["certificate_note"]`` says why it was not solved again. A returned
        start is certified. Not certified does not mean not optimal (a weak dual).
    duality_gap_ : float
        Relative duality gap ``(bound - objective) / max(1, |objective|)`` of that
        solve, in the units of the SDP objective; slightly negative values mean the
        point violates the constraints by up to ``feas_tol``.
    solver_info_ : dict
        Status, time and primal infeasibility of the last solve, ``reason`` and
        ``total_time``.
    init_labels_ : ndarray of shape (n_samples,)
    Z_ : ndarray of shape (n_clusters, n, n)
        Only with ``store_Z=True``.
    sketch_indices_ : ndarray
        Only for the sketch: the rows the SDP was solved on.
    n_features_in_ : int

    See Also
    --------
    KMeansSDP : The Peng-Wei K-means SDP (the special case of equal covariances).
    sklearn.mixture.GaussianMixture : EM for the same model.

    References
    ----------
    .. [1] Y. Zhuang, X. Chen and Y. Yang, "Likelihood adjusted semidefinite programs
       for clustering heterogeneous data", Proceedings of the 40th International
       Conference on Machine Learning (ICML 2023), PMLR 202; arXiv:2209.15097. The
       likelihood-adjusted SDP (LA-SDP) relaxation and the iterative iLA-SDP algorithm
       that alternates it with the covariance update.
    .. [2] J. Peng and Y. Wei, "Approximating K-means-type clustering via semidefinite
       programming", SIAM Journal on Optimization 18(1), 186-205, 2007. The K-means SDP
       that supplies the default starting labels (``init="sdp"``).
    .. [3] Y. Zhuang, X. Chen, Y. Yang and R. Y. Zhang, "Statistically optimal K-means
       clustering via nonnegative low-rank semidefinite programming", ICLR 2024;
       arXiv:2305.18436. The non-negative Burer-Monteiro factorisation solved by a
       primal-dual augmented Lagrangian, which ``solver="bm"`` transfers to the
       LA-SDP's blocks.
    .. [4] Y. Zhuang, X. Chen and Y. Yang, "Sketch-and-lift: scalable subsampled
       semidefinite program for K-means clustering", AISTATS 2022, PMLR 151, 9214-9246;
       arXiv:2201.08226. Solve on a subsample, then lift (``solver="sketch"``; the lift
       by the fitted Gaussian rule rather than the nearest centroid is this package's
       extension).
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
    >>> from probstat.cluster import ILASDP, misclustering_error
    >>> from probstat.datasets import make_heterogeneous_gmm
    >>> X, y = make_heterogeneous_gmm(40, 2, 2, separation=6, anisotropy=4, random_state=0)
    >>> model = ILASDP(n_clusters=2, random_state=0).fit(X)
    >>> model.solver_
    'cvxpy'
    >>> misclustering_error(y, model.labels_)
    0.0
    """

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions(set(_INITS)), "array-like"],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "certify": BOOL,
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(set(SOLVERS))],
        "solver_options": [dict, None],
        "covariance_update": [StrOptions({"lifted", "labels"})],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "shrinkage": [None, StrOptions({"ledoit_wolf"}), Interval(Real, 0, 1, closed="both")],
        "subsample_size": [Interval(Integral, 2, None, closed="left"), None],
        "weights": BOOL,
        "store_Z": BOOL,
        "random_state": RANDOM_STATE,
        "verbose": VERBOSE,
    }

    def __init__(self, n_clusters=2, *, init="sdp", n_init=1, max_iter=20, tol=1e-6,
                 solver="auto", solver_options=None, certify=True, covariance_update="lifted",
                 reg_covar=1e-6, shrinkage=None, subsample_size=None, weights=False,
                 store_Z=False, random_state=None, verbose=0):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.solver_options = solver_options
        self.certify = certify
        self.covariance_update = covariance_update
        self.reg_covar = reg_covar
        self.shrinkage = shrinkage
        self.subsample_size = subsample_size
        self.weights = weights
        self.store_Z = store_Z
        self.random_state = random_state
        self.verbose = verbose

    @classmethod
    def _test_instance(cls):
        return cls(n_clusters=2, solver="bm", max_iter=3, random_state=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True
        return tags

    # ------------------------------------------------------------------ validation
    def _check_data(self, X):
        """The checks of the hyperparameters against the data (the rest: constraints)."""
        K = check_n_clusters(self.n_clusters, X.shape[0])
        constant = np.flatnonzero(np.ptp(X, axis=0) == 0)
        if constant.size and K > 1:
            raise ValueError(
                f"X has constant columns {constant.tolist()[:10]}: a Gaussian cluster model "
                "needs variation in every feature; drop those columns")
        check_squares_finite(X - X.mean(axis=0))
        return K

    def _init_array(self, n, K, host):
        """``init`` given as labels: integers ``0..K-1``, one per sample, all present."""
        labels = check_labels(host.to_numpy(self.init), "init", n_labels=K, n_samples=n)
        found = np.unique(labels).size
        if found != K:
            raise ValueError(f"init must use every label 0..{K - 1} (n_clusters={K} distinct "
                             f"values; got {found})")
        return labels

    def _init_labels(self, X, K, solver, opts, rng, init_array):
        init = self.init
        if init_array is not None:
            return init_array
        seed = int(rng.integers(2**31 - 1))
        if init == "sdp":
            sub_opts = {k: v for k, v in opts.items() if k != "rank"}
            km = KMeansSDP(n_clusters=K, solver=solver, solver_options=sub_opts,
                           certify=False, random_state=seed,
                           verbose=max(self.verbose - 1, 0))
            return km.fit(X).labels_
        if init == "kmeans++":
            from sklearn.cluster import KMeans

            return KMeans(K, n_init=10, random_state=seed).fit(X).labels_.astype(np.int64)
        if init == "gmm":
            from sklearn.mixture import GaussianMixture

            gm = GaussianMixture(K, reg_covar=max(self.reg_covar, 1e-6), random_state=seed)
            return gm.fit(X).predict(X).astype(np.int64)
        return random_partition(X, K, rng)

    # ------------------------------------------------------------------ model pieces
    def _sigma_step(self, Xc, members, labels, K, state):
        """Covariances, means and sizes from the memberships (the closed-form step).

        A cluster with no more than ``p`` points (soft size for ``"lifted"``) has a singular
        scatter matrix and an unbounded likelihood; it borrows the pooled within-cluster
        covariance instead (and the fit warns).
        """
        n, p = Xc.shape
        W = np.clip(members.rowsums(), 0.0, None)
        scatters, means, sizes = [], [], []
        for k in range(K):
            if self.covariance_update == "labels":
                rows = labels == k
                nk = float(rows.sum())
                mu = Xc[rows].mean(axis=0) if nk > 0 else np.zeros(p)
                D = Xc[rows] - mu
                T = D.T @ D
            else:
                w = W[:, k]
                nk = float(w.sum())
                mu = w @ Xc / nk if nk > 1e-12 else np.zeros(p)
                T = (Xc * w[:, None]).T @ Xc - members.scatter(k, Xc)
            scatters.append((T + T.T) / 2.0)
            means.append(mu)
            sizes.append(nk)
        pooled = sum(scatters) / max(sum(sizes), 1e-300)
        covs = []
        for k in range(K):
            if sizes[k] > p:
                S = self._shrink(scatters[k] / sizes[k], Xc[labels == k])
            else:
                state["small"].add((k, round(sizes[k], 2)))
                S = self._shrink(pooled, Xc)
                if sizes[k] <= 1e-12:  # an emptied cluster keeps its previous mean
                    means[k] = state["means"][k] if state["means"] is not None else means[k]
            covs.append(S + self.reg_covar * np.eye(p))
        return np.stack(means), np.stack(covs), np.asarray(sizes)

    def _shrink(self, S, members):
        sh = self.shrinkage
        if sh is None:
            return S
        p = S.shape[0]
        if sh == "ledoit_wolf":
            if members.shape[0] < 2:
                return S
            from sklearn.covariance import ledoit_wolf_shrinkage

            sh = float(ledoit_wolf_shrinkage(members))
        return (1.0 - sh) * S + sh * np.trace(S) / p * np.eye(p)

    def _precisions(self, covs):
        """``precision_cholesky`` of the covariances, with an error that says what to do."""
        try:
            return precision_cholesky(np.asarray(covs), name="the covariance of cluster")
        except ValueError as exc:
            raise ValueError(f"{exc}: X has repeated or collinear points within a cluster; "
                             f"set reg_covar > 0 (got {self.reg_covar:g})") from None

    def _costs(self, Xc, covs, sizes):
        """Factors ``F_k`` (``F_k F_k' = A_k``) and linear costs ``d_k``."""
        n = Xc.shape[0]
        F_list, d_list = [], []
        for k, L in enumerate(self._precisions(covs)):
            F = Xc @ L
            logdet = -2.0 * np.sum(np.log(np.diag(L)))
            d = np.sum(F * F, axis=1) + logdet
            if self.weights:
                d = d - 2.0 * math.log(max(sizes[k], 1e-12) / n)
            if not (np.all(np.isfinite(F)) and np.all(np.isfinite(d))):
                raise ValueError(f"the likelihood of cluster {k} overflows: its covariance is "
                                 "tiny next to the spread of X; set a larger reg_covar (got "
                                 f"{self.reg_covar:g}) or rescale X")
            F_list.append(F)
            d_list.append(d)
        return F_list, d_list

    def _loglik(self, Xc, members, covs, sizes):
        """Profile log-likelihood of the memberships at the given covariances."""
        n, p = Xc.shape
        F_list, d_list = self._costs(Xc, covs, sizes)
        W = members.rowsums()
        total = sum(members.between(k, F) - float(d @ W[:, k])
                    for k, (F, d) in enumerate(zip(F_list, d_list)))
        return 0.5 * total - 0.5 * n * p * _LOG_2PI

    # ------------------------------------------------------------------ fit
    @fit_context
    def fit(self, X, y=None):
        """Cluster X by alternating the LA-SDP and the covariance step.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            The data (a dask array needs ``solver="sketch"`` or ``"auto"``).
        y : None
            Ignored.

        Returns
        -------
        self : ILASDP
            The fitted clusterer.
        """
        if _dask.is_dask_array(X):
            return self._fit_host(_dask.check_dask_X(self, X, reset=True), None)
        host = on_host(X, where="ILASDP.fit")
        X = check_X(self, host.to_numpy(X), reset=True)
        self._fit_host(X, host)
        host.move_attributes(self, _ARRAY_ATTRS)
        return self

    def _fit_host(self, X, host):
        if self.n_init > 1 and isinstance(self.init, str):
            return self._fit_starts(X, host)
        if self.n_init > 1:
            warn(f"init is an array of labels: n_init={self.n_init} would repeat the same "
                 "start, so one fit is run", RuntimeWarning)
        return self._fit_one_start(X, host)

    def _fit_starts(self, X, host):
        """``n_init`` fits from independently seeded starts; the best objective wins."""
        rng = check_rng(self.random_state)
        best, objectives = None, []
        for _ in range(self.n_init):
            params = dict(self.get_params(), n_init=1,
                          random_state=int(rng.integers(2**31 - 1)))
            model = type(self)(**params)
            model.n_features_in_ = self.n_features_in_
            model._fit_one_start(X, host)
            objectives.append(model.objective_)
            if best is None or model.objective_ > best.objective_:
                best = model
        fitted = {k: v for k, v in vars(best).items() if k.endswith("_")
                  and not k.startswith("__")}
        vars(self).update(fitted)
        self.solver_info_ = dict(self.solver_info_, start_objectives=objectives)
        return self

    def _fit_one_start(self, X, host):
        if _dask.is_dask_array(X):
            return _dask.ila_fit_one_start(self, X)
        n, p = X.shape
        K = self._check_data(X)
        init_array = None if isinstance(self.init, str) else self._init_array(n, K, host)
        solver, reason = choose_solver(self.solver, n, _AUTO_CVXPY_SIZE // K, _AUTO_BM_MAX)
        opts = check_solver_options(self.solver_options)
        rng = check_rng(self.random_state)
        self.solver_ = solver
        if self.verbose:
            logger.info("ILASDP: %s", reason)
        start = time.perf_counter()
        if K == 1:
            return self._fit_one(X, reason)
        if solver == "sketch":
            return self._fit_sketch(X, K, rng, reason, start, init_array)

        labels0 = self._init_labels(X, K, solver, opts, rng, init_array)
        self.init_labels_ = labels0
        Xc = X - X.mean(axis=0)
        state = {"small": set(), "means": None, "covs": None}
        members = _indicator_memberships(labels0, K)
        means, covs, sizes = self._sigma_step(Xc, members, labels0, K, state)
        state.update(means=means, covs=covs)
        value = self._loglik(Xc, members, covs, sizes)
        path = [value]
        best = (value, members, labels0, means, covs, sizes, None)
        labels = labels0
        self.converged_ = False
        info = {}
        n_iter = 0
        infeasible = first = None
        for _ in progress(range(self.max_iter), verbose=self.verbose,
                          desc=f"iLA-SDP ({solver})"):
            n_iter += 1
            members, info, problem = self._la_step(Xc, covs, sizes, labels, solver, opts, rng,
                                                   host, state)
            violation = float(info.get("primal_infeasibility", 0.0))
            if not violation <= _MAX_INFEASIBILITY:
                # Keep the best feasible iterate rather than a point that covers only part
                # of the data (its objective is no likelihood and can be unbounded).
                infeasible = (n_iter, violation)
                break
            new_labels = np.argmax(members.rowsums(), axis=1).astype(np.int64)
            means, covs, sizes = self._sigma_step(Xc, members, new_labels, K, state)
            state.update(means=means, covs=covs)
            value = self._loglik(Xc, members, covs, sizes)
            gain = value - path[-1]
            path.append(value)
            first = first or (problem, info)  # the LA-SDP at the start's covariances
            if value > best[0]:
                best = (value, members, new_labels, means, covs, sizes, (problem, info))
            stable = np.array_equal(new_labels, labels)
            labels = new_labels
            if stable or gain <= self.tol * abs(value):
                self.converged_ = True
                break
        if infeasible is not None:
            warn(f"the LA-SDP solve of iteration {infeasible[0]} ended infeasible (constraint "
                 f"violation {infeasible[1]:.2e} > {_MAX_INFEASIBILITY}); its memberships "
                 "were discarded and the best earlier iterate is returned. Raise "
                 "solver_options['max_iter'] or use solver='cvxpy' on small data",
                 ConvergenceWarning)
        elif not self.converged_:
            warn(f"ILASDP did not converge in max_iter={self.max_iter} iterations (labels "
                 "still changing); returning the best iterate", ConvergenceWarning)
        if state["small"]:
            worst = sorted(state["small"])[:5]
            warn("clusters with no more points than n_features "
                 f"({', '.join(f'cluster {k}: {nk:g} points' for k, nk in worst)}; "
                 f"n_features={p}) during the fit: their own covariance is singular, so "
                 "they used the pooled within-cluster covariance (+ reg_covar) instead",
                 UserWarning)
        value, members, labels, means, covs, sizes, solve = best
        if solve is None and first is not None:  # the start is returned: certify it
            solve = (first[0], start_info(*first[0], members, first[1]))
        if solve is not None:
            members, info, fitted = self._certify_solve(Xc, K, solve, members, opts, rng,
                                                        host, state, path)
            if fitted is not None:
                value, means, covs, sizes = fitted
        else:
            info = dict(info, certificate=dict(certified=False, gap=math.inf, note=(
                "not computed: no LA-SDP solve was feasible (the start is returned)")))
        W = np.clip(members.rowsums(), 0.0, None)
        W = W / np.maximum(W.sum(axis=1, keepdims=True), 1e-300)
        self.labels_ = np.argmax(W, axis=1).astype(np.int64)
        self.membership_ = W
        self._set_gaussians(means + X.mean(axis=0), covs, sizes)
        self.objective_path_ = np.asarray(path)
        self.objective_ = float(value)
        self.n_iter_ = n_iter
        self.solver_info_ = dict(info, reason=reason, total_time=time.perf_counter() - start)
        self._set_certificate(self.solver_info_, solver)
        if self.store_Z:
            self.Z_ = np.stack([members.dense(k) for k in range(K)])
        return self

    def _la_step(self, Xc, covs, sizes, labels, solver, opts, rng, host, state):
        K = len(covs)
        F_list, d_list = self._costs(Xc, covs, sizes)
        if solver == "cvxpy":
            members, info = solve_exact(F_list, d_list, [1.0] * K, opts,
                                        verbose=self.verbose > 1)
            return members, info, (F_list, d_list)
        rank = int(opts.get("rank", 4))
        n = Xc.shape[0]
        warm = state.get("warm")
        if warm is not None and warm[0][0].shape[1] == rank:
            # Later outer iterations: the previous factors and multipliers, with a little
            # positive noise, start next to the new optimum (the covariances moved a bit).
            U0 = [U + 1e-3 * np.abs(rng.standard_normal(U.shape)) / math.sqrt(U.size)
                  for U in warm[0]]
            y0 = warm[1]
        else:
            # First solve: half the current indicator, half a random positive factor (an
            # exact indicator has zero entries that projected gradient cannot leave).
            U0 = []
            for k in range(K):
                ind = np.zeros((n, rank))
                ind[labels == k, 0] = 1.0
                ind /= max(np.linalg.norm(ind), 1e-300)
                noise = np.abs(rng.standard_normal((n, rank)))
                U0.append(0.5 * ind + 0.5 * noise / np.linalg.norm(noise))
            y0 = None
        members, info = solve_low_rank(F_list, d_list, [1.0] * K, U0, opts, y0=y0,
                                       host=host, verbose=self.verbose)
        state["warm"] = (members.U, info["dual"])
        return members, info, (F_list, d_list)

    def _certify_solve(self, Xc, K, solve, members, opts, rng, host, state, path):
        """Certify the LA-SDP solve whose memberships the fit returns (once per fit).

        When a higher rank or the exact solver replaced it, the covariances and the
        objective are those of the new memberships.
        """
        (F_list, d_list), info = solve
        new, info = certified(F_list, d_list, [1.0] * K, members, info, opts,
                              certify=self.certify, fallback_max=_FALLBACK_SIZE // K,
                              rng=rng, host=host, verbose=self.verbose)
        info = {k: v for k, v in info.items() if k not in ("dual", "dual_N")}
        if new is members:
            return new, info, None
        labels = np.argmax(new.rowsums(), axis=1).astype(np.int64)
        means, covs, sizes = self._sigma_step(Xc, new, labels, K, state)
        value = self._loglik(Xc, new, covs, sizes)
        path.append(value)
        return new, info, (value, means, covs, sizes)

    def _set_certificate(self, info, solver):
        """``solver_``, ``certified_`` and ``duality_gap_`` from the final solve's certificate."""
        cert = info["certificate"]
        self.certified_ = bool(cert["certified"])
        self.duality_gap_ = float(cert["gap"])
        self.solver_ = "cvxpy" if "fallback" in info else solver
        if "note" in cert:
            info["certificate_note"] = cert["note"]
        elif not self.certified_ and self.verbose:
            logger.info("ILASDP: the final LA-SDP solution is not certified optimal "
                        "(relative duality gap %.2e > %g)", self.duality_gap_, cert["tol"])

    def _fit_one(self, X, reason):
        n, p = X.shape
        mu = X.mean(axis=0)
        D = X - mu
        S = self._shrink(D.T @ D / n, X) + self.reg_covar * np.eye(p)
        self.init_labels_ = np.zeros(n, dtype=np.int64)
        self.labels_ = np.zeros(n, dtype=np.int64)
        self.membership_ = np.ones((n, 1))
        self._set_gaussians(mu[None, :], S[None], np.array([float(n)]))
        members = _indicator_memberships(self.labels_, 1)
        value = self._loglik(D, members, S[None], np.array([float(n)]))
        self.objective_path_ = np.array([value])
        self.objective_ = float(value)
        self.n_iter_ = 0
        self.converged_ = True
        self.certified_ = True  # one cluster: the only feasible point is the optimum
        self.duality_gap_ = 0.0
        self.solver_info_ = dict(solver=self.solver_, status="trivial (n_clusters=1)",
                                 reason=reason)
        return self

    def _fit_sketch(self, X, K, rng, reason, start, init_array):
        n = X.shape[0]
        m = sketch_size(self.subsample_size, n)
        idx = np.sort(rng.choice(n, size=m, replace=False))
        inner, _ = choose_solver("auto", m, _AUTO_CVXPY_SIZE // K, np.inf)
        params = self.get_params()
        params.update(solver=inner, subsample_size=None, store_Z=self.store_Z,
                      random_state=int(rng.integers(2**31 - 1)))
        if init_array is not None:
            params["init"] = init_array[idx]
        on_dask = _dask.is_dask_array(X)
        sub = type(self)(**params).fit(_dask.rows(X, idx) if on_dask else X[idx])
        self._set_gaussians(sub.means_, sub.covariances_, sub.weights_ * m)
        lift_start = time.perf_counter()
        self.labels_ = _dask.lift_rule(self, X, persist=True) if on_dask else self._rule(X)
        self.membership_ = (_dask.one_hot(self.labels_, K) if on_dask
                            else np.eye(K)[self.labels_])
        self.init_labels_ = sub.init_labels_
        self.objective_path_ = sub.objective_path_
        self.objective_ = sub.objective_
        self.n_iter_ = sub.n_iter_
        self.converged_ = sub.converged_
        self.certified_ = sub.certified_
        self.duality_gap_ = sub.duality_gap_
        self.sketch_indices_ = idx
        if self.store_Z:
            self.Z_ = sub.Z_
        self.solver_info_ = dict(sub.solver_info_, solver=f"sketch/{sub.solver_}",
                                 subsample_size=m, reason=reason,
                                 lift_time=time.perf_counter() - lift_start,
                                 total_time=time.perf_counter() - start)
        return self

    def _set_gaussians(self, means, covs, sizes):
        self.means_ = np.asarray(means, dtype=float)
        self.covariances_ = np.asarray(covs, dtype=float)
        self.precisions_cholesky_ = self._precisions(self.covariances_)
        self.weights_ = np.asarray(sizes, dtype=float) / float(np.sum(sizes))

    # ------------------------------------------------------------------ prediction
    def _log_rule(self, X):
        """``log N(x_i; mu_k, Sigma_k)`` (+ ``log weights_[k]``) on the host, n x K."""
        logp = gaussian_log_density(X, to_numpy(self.means_), to_numpy(self.precisions_cholesky_))
        if self.weights:
            logp = logp + np.log(np.maximum(to_numpy(self.weights_), 1e-300))
        return logp

    def _rule(self, X):
        return np.argmax(self._log_rule(X), axis=1).astype(np.int64)

    def predict(self, X):
        """Assign points by the fitted Gaussian rule ``argmax_k log N(x; mu_k, Sigma_k)``.

        With ``weights=True`` the rule adds ``log weights_[k]``.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Points to assign.

        Returns
        -------
        labels : array of shape (n_samples,)
            Cluster indices, in the namespace and on the device of ``X`` (lazy for dask).
        """
        check_is_fitted(self)
        if _dask.is_dask_array(X):
            return _dask.lift_rule(self, _dask.check_dask_X(self, X, reset=False), persist=False)
        host = on_host(X, where="ILASDP.predict", fitted=self)
        X = check_X(self, host.to_numpy(X), reset=False)
        return host.from_numpy(self._rule(X))

    def score(self, X, y=None):
        """Mean classification log-likelihood ``mean_i max_k log N(x_i; mu_k, Sigma_k)``.

        This is the profile likelihood that iLA-SDP maximises, per point, evaluated at the
        fitted parameters (plus ``log weights_`` when ``weights=True``).

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            Points to score.
        y : None
            Ignored.

        Returns
        -------
        float
            The mean over the points (natural log).
        """
        check_is_fitted(self)
        if _dask.is_dask_array(X):
            return _dask.mean_max_log_rule(self, _dask.check_dask_X(self, X, reset=False))
        host = on_host(X, where="ILASDP.score", fitted=self)
        X = check_X(self, host.to_numpy(X), reset=False)
        return float(np.mean(np.max(self._log_rule(X), axis=1)))


def random_partition(X, K, rng):
    """A random start: the Voronoi cells of ``K`` data points drawn without replacement.

    Uniformly random labels would give every cluster the total covariance (each cell a
    thinned copy of the whole sample), so the first LA-SDP step would see no structure.
    The cells of random seed points are random yet spatially coherent (the random start
    of Forgy's K-means), in the standardised coordinates.
    """
    n = X.shape[0]
    Xs = (X - X.mean(axis=0)) / np.maximum(X.std(axis=0), 1e-300)
    seeds = Xs[rng.choice(n, size=K, replace=False)]
    labels = np.argmin(((Xs[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2), axis=1)
    labels = labels.astype(np.int64)
    # Every seed is its own nearest seed unless two coincide: give those a point each.
    missing = np.setdiff1d(np.arange(K), labels)
    if missing.size:
        spare = rng.choice(n, size=missing.size, replace=False)
        labels[spare] = missing
    return labels


def _indicator_memberships(labels, K):
    n = labels.shape[0]
    U = []
    for k in range(K):
        u = np.zeros((n, 1))
        rows = labels == k
        if rows.any():
            u[rows, 0] = 1.0 / math.sqrt(rows.sum())
        U.append(u)
    return Memberships(U=U)
