"""CM-EM: the channels' matching EM algorithm for Gaussian mixtures (Lu 2017, 2018)."""

from __future__ import annotations

import math
import sys
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils.validation import check_is_fitted

from .._warn import warn
from ..backend import on_host, to_numpy
from ..utils import (
    ConvergenceWarning,
    check_array,
    check_probability_vector,
    check_rng,
    check_sample_weight,
    check_scalar_in,
    progress,
)
from ..utils._estimator_data import check_predict_input, validate_estimator_data
from ..utils._numerics import (
    gaussian_log_density,
    limit_blas_threads,
    log_base,
    log_normalize,
    precision_cholesky,
)
from ..utils._param_validation import (
    RANDOM_STATE,
    VERBOSE,
    Interval,
    StrOptions,
    fit_context,
)

__all__ = ["CMGaussianMixture"]

#: The fitted arrays (moved back to the input's namespace and device after a host fit).
_FITTED_ARRAYS = ("weights_", "means_", "covariances_", "precisions_cholesky_", "history_")


def _is_dask_array(X):
    """Whether ``X`` is a ``dask.array.Array`` (without importing dask)."""
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(X, da.Array)


def _log_joint_np(X, weights, means, prec_chol, covariance_type):
    """``log w_j + log N(x | mu_j, Sigma_j)`` for NumPy ``X``, shape (n, k)."""
    log_comp = _log_density(X, means, prec_chol, covariance_type)
    return log_comp + np.log(np.maximum(weights, 1e-300))[None, :]


def _precision_factors(covariances, covariance_type):
    """Precision Cholesky factors, in scikit-learn's ``precisions_cholesky_`` layout."""
    if not np.all(np.isfinite(covariances)):
        raise ValueError("the component covariances are not finite: X is too large in "
                         "magnitude (or reg_covar is); rescale X")
    if covariance_type == "full":
        return precision_cholesky(covariances, name="component covariance")
    if covariance_type == "tied":
        return precision_cholesky(covariances, name="tied covariance")
    if np.any(covariances <= 0):
        raise ValueError("a component variance is not positive: increase reg_covar")
    return 1.0 / np.sqrt(covariances)


def _log_density(X, means, prec_chol, covariance_type):
    """``log N(x_i | mu_j, Sigma_j)``, shape (n, k), for every covariance type."""
    if covariance_type == "tied":
        k = means.shape[0]
        return gaussian_log_density(X, means, np.broadcast_to(prec_chol, (k,) + prec_chol.shape),
                                    "full")
    return gaussian_log_density(X, means, prec_chol, covariance_type)


def _m_step(X, resp_w, reg_covar, covariance_type):
    """Weighted means and covariances; ``resp_w[i, j] = P(x_i) P(y_j | x_i)``."""
    nk = resp_w.sum(axis=0) + 10 * np.finfo(float).eps
    means = (resp_w.T @ X) / nk[:, None]
    k, d = means.shape
    if covariance_type in ("full", "tied"):
        cov = np.empty((k, d, d))
        for j in range(k):
            diff = X - means[j]
            cov[j] = (resp_w[:, j] * diff.T) @ diff
        if covariance_type == "tied":
            cov = cov.sum(axis=0) / nk.sum()
            cov.flat[:: d + 1] += reg_covar
        else:
            cov /= nk[:, None, None]
            for j in range(k):
                cov[j].flat[:: d + 1] += reg_covar
    else:
        avg_x2 = (resp_w.T @ (X * X)) / nk[:, None]
        diag = avg_x2 - means ** 2 + reg_covar
        cov = diag if covariance_type == "diag" else diag.mean(axis=1)
    return nk, means, cov


def _kernel_factors(prec_chol, covariance_type, k, d):
    """Inputs of the fused kernels: lower factors, diagonal precisions, log constants."""
    base = -0.5 * d * math.log(2.0 * math.pi)
    if covariance_type in ("full", "tied"):
        U = prec_chol if covariance_type == "full" else prec_chol[None]
        Lt = np.ascontiguousarray(np.transpose(U, (0, 2, 1)))
        log_det = np.sum(np.log(np.diagonal(U, axis1=1, axis2=2)), axis=1)
        const = base + np.broadcast_to(log_det, (k,)).astype(np.float64)
        return Lt, np.empty((1, 1)), np.ascontiguousarray(const), True
    P = prec_chol if covariance_type == "diag" else np.repeat(prec_chol[:, None], d, axis=1)
    const = base + np.sum(np.log(P), axis=1)
    return np.empty((1, 1, 1)), np.ascontiguousarray(P ** 2), const, False


def _m_step_from_stats(nk_raw, sx, S, old_means, reg_covar, covariance_type,
                       data_scatter=None):
    """New weights, means and covariances from the fused pass's moments.

    ``S`` holds second moments about ``old_means``; subtracting the outer product of the
    mean's change gives the weighted covariance about the new mean. A tied covariance
    uses ``data_scatter = (centre, sum_i P(x_i) (x_i - centre)(x_i - centre)')`` instead:
    as the responsibilities of a sample sum to one, the pooled within-component scatter is
    that minus ``sum_j N_j (mu_j - centre)(mu_j - centre)'``.
    """
    nk = nk_raw + 10 * np.finfo(float).eps
    means = sx / nk[:, None]
    delta = means - old_means
    k, d = means.shape
    if covariance_type in ("full", "tied"):
        if covariance_type == "tied":
            centre, total = data_scatter
            shift = means - centre
            cov = (total - (nk_raw[:, None] * shift).T @ shift) / nk.sum()
            cov.flat[:: d + 1] += reg_covar
        else:
            S = np.triu(S) + np.transpose(np.triu(S, 1), (0, 2, 1))
            centred = S - nk_raw[:, None, None] * delta[:, :, None] * delta[:, None, :]
            cov = centred / nk[:, None, None]
            for j in range(k):
                cov[j].flat[:: d + 1] += reg_covar
    else:
        diag = (np.diagonal(S, axis1=1, axis2=2) / nk[:, None]
                - (nk_raw / nk)[:, None] * delta ** 2 + reg_covar)
        cov = diag if covariance_type == "diag" else diag.mean(axis=1)
    return nk, means, cov


class _InMemoryData:
    """The samples in memory: each pass of the fit calls a fused kernel on all rows.

    :mod:`._mixture_dask` has the same methods for a dask array, as map-reduce passes.
    """

    def __init__(self, X, px):
        self.X = np.ascontiguousarray(X)
        self.px = px
        self.n, self.d = X.shape
        self._buffers = (None, None)  # CM-EM's (n, k) log-densities and E2 matrix

    def initial_parameters(self, est, rng):
        return est._initial_parameters(self.X, self.px, rng)

    def plogp(self):
        """``sum_i P(x_i) log P(x_i)`` (nats)."""
        pos = self.px > 0
        return float(np.sum(self.px[pos] * np.log(self.px[pos])))

    def data_scatter(self):
        """Weighted centre and scatter about it (the tied covariance's M-step)."""
        centre = self.px @ self.X
        diff = self.X - centre
        return centre, (self.px[:, None] * diff).T @ diff

    def optimise_weights(self, est, means, factors, weights):
        """CM-EM's E2 step: ``(weights, state for em_pass)``.

        One pass computes the log-densities and the exponents of the E2 matrix
        ``E = exp(log_comp - row max)``, exponentiated in place: no (n, k) temporaries.
        """
        from ._kernels import fixed_point
        from ._mixture_kernels import cm_components

        shape = (self.n, means.shape[0])
        if self._buffers[0] is None or self._buffers[0].shape != shape:
            self._buffers = (np.empty(shape), np.empty(shape))
        log_comp, E = self._buffers
        cm_components(self.X, means, *factors, log_comp, E)
        np.exp(E, out=E)
        start = np.maximum(weights, 1e-12)
        q, _, _ = fixed_point(E, self.px, start / start.sum(), float(est.inner_tol),
                              int(est.max_inner_iter))
        q = np.asarray(q)
        return q, (log_comp, E, q)

    def em_pass(self, means, factors, log_w, state, use_comp, scatter):
        """The fused E/M pass: from ``state = optimise_weights(...)[1]`` when ``use_comp``."""
        from ._mixture_kernels import cm_pass, em_pass

        Lt, prec, const, full, tied = factors
        if use_comp:
            log_comp, E, q = state
            return cm_pass(self.X, self.px, means, log_comp, E, q, scatter, full)
        return em_pass(self.X, self.px, means, Lt, prec, const, log_w, full, tied,
                       np.empty((0, 0)), False, scatter)


class CMGaussianMixture(DensityMixin, BaseEstimator):
    """Gaussian mixture fitted by Lu's channels' matching EM (CM-EM).

    CM-EM is EM with an extra step: before each M-step the mixing proportions are
    optimised for the current components (the "E2" step: iterate
    ``P(y_j) <- sum_i P(x_i) P(y_j | x_i)`` to its fixed point, which maximises the
    likelihood over the weights with means and covariances held; solved here by the
    active-set SQP of :func:`rate_fidelity`). The M-step is the usual weighted
    mean/covariance, which maximises the semantic mutual information G. The log-likelihood
    never decreases. E2 can set a weight to exactly 0 (a boundary optimum for the current
    components); that component then keeps its parameters until a later E2 revives it.
    ``algorithm="em"`` runs plain EM (as :class:`sklearn.mixture.GaussianMixture`) for
    comparison.

    Parameters
    ----------
    n_components : int, default=1
        Number of mixture components (labels y_j).
    covariance_type : {"full", "tied", "diag", "spherical"}, default="full"
        As in :class:`sklearn.mixture.GaussianMixture`: one full covariance per component,
        one full covariance shared by all components, one diagonal covariance per
        component, or one variance per component.
    algorithm : {"cm", "em"}, default="cm"
        ``"cm"``: CM-EM (weights fully optimised before each M-step); ``"em"``: plain EM.
    tol : float, default=1e-3
        Stop when the mean log-likelihood per sample (nats) changes by less than ``tol``.
    max_iter : int, default=100
        Outer (M-step) iterations.
    n_init : int, default=1
        Number of initialisations; the fit with the largest final log-likelihood is kept
        (as in scikit-learn). Successive starts draw from the one ``random_state`` stream,
        so the first start of ``n_init=m`` is the start of ``n_init=1``.
    inner_tol : float, default=1e-10
        Tolerance (nats) of the E2 weight optimisation.
    max_inner_iter : int, default=100
        Iterations of the E2 solver per outer iteration.
    reg_covar : float, default=1e-6
        Added to the covariance diagonals.
    init_params : {"kmeans", "random"}, default="kmeans"
        How responsibilities are initialised when ``means_init`` is not given.
    weights_init, means_init, precisions_init : array-like, optional
        Initial parameters, in scikit-learn's layout (precisions are inverse covariances).
    bin_volume : float, optional
        When the data are cell centres of a grid and ``sample_weight`` the histogram (Lu's
        setting), the volume of one cell. Then ``P(x_i | theta_j) = p(x_i | theta_j) *
        bin_volume`` and the semantic mutual information G and ``R - G = KL(P_X || P_theta)``
        are recorded per iteration. Without it G is not defined for raw samples
        (``G_`` is None) and only R and the log-likelihood are recorded.
    random_state : None, int, numpy.random.RandomState or numpy.random.Generator
        Seeds the initialisation and :meth:`sample`.
    verbose : int, default=0
        Show a progress bar over the outer iterations.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
    means_ : ndarray of shape (n_components, n_features)
    covariances_ : ndarray
        (k, d, d) for "full", (d, d) for "tied", (k, d) for "diag", (k,) for "spherical".
    precisions_cholesky_ : ndarray
    converged_ : bool
    n_iter_ : int
    lower_bound_ : float
        Mean log-likelihood per sample (nats) at the last E-step, as in scikit-learn (the
        returned parameters are those of the M-step that followed it).
    R_ : float
        Shannon mutual information I(X; Y) between samples and components of the final
        channel (bits).
    G_ : float or None
        Semantic mutual information (bits); only with ``bin_volume``.
    history_ : dict of ndarray
        Per iteration: ``"log_likelihood"``, ``"R"`` and, with ``bin_volume``, ``"G"`` and
        ``"R_minus_G"`` (= KL(P_X || P_theta) after the E2 step), all in bits except the
        log-likelihood (nats per sample).
    n_features_in_ : int

    See Also
    --------
    sklearn.mixture.GaussianMixture : EM; ``algorithm="em"`` reproduces it.

    Notes
    -----
    ``fit`` also takes a ``dask.array.Array`` (with the optional ``distributed`` extra):
    each pass over the rows (the fused E/M pass and the sums of the E2 weight
    optimisation) runs block by block on the Dask scheduler in use (a
    ``distributed.Client`` if one is active) and the client adds the blocks' sums, so the
    rows never need to fit in one process. The fitted attributes are NumPy arrays and
    agree with the in-memory fit on the same data and start to about 1e-12.
    ``predict``, ``predict_proba`` and ``score_samples`` on a dask array return dask
    arrays (``map_blocks``). With at most 100 000 rows the start is the in-memory one;
    with more, k-means runs on a uniform subsample of 100 000 rows and ``"random"``
    responsibilities are drawn block by block, so the start (not the iterations)
    differs from the in-memory fit's; ``means_init`` gives the same start either way.

    References
    ----------
    .. [1] C. Lu, preprints on the channels' matching EM algorithm for mixture models,
           arXiv:1706.07918 (2017) and arXiv:1810.11227 (2018).
    .. [2] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.semantic import CMGaussianMixture
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(-2, 1, (50, 1)), rng.normal(3, 1, (150, 1))])
    >>> cm = CMGaussianMixture(n_components=2, random_state=0).fit(X)
    >>> np.sort(cm.means_.ravel()).round(1).tolist()
    [-1.9, 3.0]
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "covariance_type": [StrOptions({"full", "tied", "diag", "spherical"})],
        "algorithm": [StrOptions({"cm", "em"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "inner_tol": [Interval(Real, 0, None, closed="left")],
        "max_inner_iter": [Interval(Integral, 1, None, closed="left")],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "init_params": [StrOptions({"kmeans", "random"})],
        "weights_init": ["array-like", None],
        "means_init": ["array-like", None],
        "precisions_init": ["array-like", None],
        "bin_volume": [Interval(Real, 0, None, closed="neither"), None],
        "random_state": RANDOM_STATE,
        "verbose": VERBOSE,
    }

    def __init__(self, n_components=1, *, covariance_type="full", algorithm="cm", tol=1e-3,
                 max_iter=100, n_init=1, inner_tol=1e-10, max_inner_iter=100, reg_covar=1e-6,
                 init_params="kmeans", weights_init=None, means_init=None,
                 precisions_init=None, bin_volume=None, random_state=None, verbose=0):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.algorithm = algorithm
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.inner_tol = inner_tol
        self.max_inner_iter = max_inner_iter
        self.reg_covar = reg_covar
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.bin_volume = bin_volume
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True
        return tags

    # ------------------------------------------------------------------ initialisation
    def _initial_parameters(self, X, px, rng):
        k = self.n_components
        n, d = X.shape
        if self.means_init is not None:
            means = self._check_means_init(d)
            dist = ((X[:, None, :] - means[None]) ** 2).sum(-1)
            resp = np.zeros((n, k))
            resp[np.arange(n), dist.argmin(1)] = 1.0
        elif self.init_params == "kmeans":
            from sklearn.cluster import KMeans

            seed = int(rng.integers(0, 2**31 - 1))
            labels = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(
                X, sample_weight=px * n).labels_
            resp = np.zeros((n, k))
            resp[np.arange(n), labels] = 1.0
        else:
            resp = rng.uniform(size=(n, k))
            resp /= resp.sum(1, keepdims=True)
        nk, means_est, cov = _m_step(X, px[:, None] * resp, self.reg_covar, self.covariance_type)
        return self._finish_init(nk, means_est if self.means_init is None else means, cov, d)

    def _check_means_init(self, d):
        means = to_numpy(check_array(self.means_init, "means_init", ndim=2))
        if means.shape != (self.n_components, d):
            raise ValueError(f"means_init must have shape {(self.n_components, d)} "
                             f"(got {means.shape})")
        return means

    def _finish_init(self, nk, means, cov, d):
        """Starting weights, means and covariances: the initial M-step's, or those given."""
        k = self.n_components
        weights = nk / nk.sum()
        if self.weights_init is not None:
            weights = to_numpy(check_probability_vector(self.weights_init, name="weights_init"))
            if weights.shape != (k,):
                raise ValueError(f"weights_init must have length {k} (got {weights.shape[0]})")
        if self.precisions_init is not None:
            prec = to_numpy(check_array(self.precisions_init, "precisions_init"))
            if self.covariance_type in ("full", "tied"):
                want = (k, d, d) if self.covariance_type == "full" else (d, d)
                if prec.shape != want:
                    raise ValueError(f"precisions_init must have shape {want} "
                                     f"(got {prec.shape})")
                try:
                    cov = np.linalg.inv(prec)
                except np.linalg.LinAlgError:
                    raise ValueError("precisions_init must hold invertible (positive "
                                     "definite) matrices") from None
            else:
                want = (k, d) if self.covariance_type == "diag" else (k,)
                if prec.shape != want or np.any(prec <= 0):
                    raise ValueError(f"precisions_init must have shape {want} and be > 0")
                cov = 1.0 / prec
        return weights, means, cov

    # ------------------------------------------------------------------ fitting
    @fit_context
    def fit(self, X, y=None, sample_weight=None):
        """Fit the mixture by CM-EM (or EM).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights (a histogram when X is a grid); normalised to P(x).

        Returns
        -------
        self : CMGaussianMixture
        """
        if _is_dask_array(X):
            from . import _mixture_dask

            return _mixture_dask.fit(self, X, sample_weight)
        host = on_host(X, sample_weight, where="CMGaussianMixture.fit")
        X = validate_estimator_data(self, host.to_numpy(X), reset=True, dtype=np.float64,
                                    ensure_min_samples=2)
        n, d = X.shape
        if n < self.n_components:
            raise ValueError(f"Expected n_samples >= n_components but got "
                             f"n_components = {self.n_components}, n_samples = {n}")
        sw = to_numpy(check_sample_weight(host.to_numpy(sample_weight), n))
        px = sw / sw.sum()
        return self._fit_data(_InMemoryData(X, px), host)

    def _fit_data(self, data, host=None):
        """Run the starts on ``data`` and set the fitted attributes."""
        rng = check_rng(self.random_state)
        best = None
        for start in range(self.n_init):
            run = self._fit_one(data, rng, start)
            if best is None or run["lower_bound"] > best["lower_bound"]:
                best = run
        if not best["converged"]:
            warn(f"CMGaussianMixture did not converge in {best['n_iter']} iterations; "
                 "increase max_iter or tol (the last parameters are kept)", ConvergenceWarning)
        self.weights_ = best["weights"]
        self.means_ = best["means"]
        self.covariances_ = best["cov"]
        self.precisions_cholesky_ = best["prec_chol"]
        self.converged_ = best["converged"]
        self.n_iter_ = best["n_iter"]
        self.lower_bound_ = best["lower_bound"]
        self.history_ = best["history"]
        self.R_ = float(self.history_["R"][-1])
        self.G_ = float(self.history_["G"][-1]) if self.bin_volume is not None else None
        if host is not None:
            host.move_attributes(self, _FITTED_ARRAYS)
        return self

    def _fit_one(self, data, rng, start):
        """One start: initialise, then iterate E(/E2)/M with the fused kernels."""
        k, d = self.n_components, data.d
        cov_type = self.covariance_type
        weights, means, cov = data.initial_parameters(self, rng)
        prec_chol = _precision_factors(cov, cov_type)
        log_ln2 = log_base(2)
        plogp = data.plogp()
        log_v = math.log(self.bin_volume) if self.bin_volume is not None else 0.0
        hist = {"log_likelihood": [], "R": []}
        if self.bin_volume is not None:
            hist["G"] = []
            hist["R_minus_G"] = []
        ll_old = -np.inf
        ll = -np.inf
        converged = False
        n_iter = 0
        desc = "CM-EM" if self.algorithm == "cm" else "EM"
        if self.n_init > 1:
            desc += f" (start {start + 1} of {self.n_init})"
        tied = cov_type == "tied"
        data_scatter = data.data_scatter() if tied else None
        with limit_blas_threads(1):
            for it in progress(range(1, self.max_iter + 1), verbose=self.verbose, desc=desc):
                n_iter = it
                factors = (*_kernel_factors(prec_chol, cov_type, k, d), tied)
                log_comp = None
                if self.algorithm == "cm":
                    weights, log_comp = data.optimise_weights(self, means, factors, weights)
                log_w = np.log(np.maximum(weights, 1e-300))
                nk_raw, sx, S, ll, ent, cross = data.em_pass(
                    means, factors, log_w, log_comp, self.algorithm == "cm", not tied)
                del log_comp
                p_y = nk_raw[nk_raw > 0]
                hist["log_likelihood"].append(ll)
                hist["R"].append(max(ent - float(p_y @ np.log(p_y)), 0.0) / log_ln2)
                if self.bin_volume is not None:
                    hist["G"].append((cross + log_v - plogp) / log_ln2)
                    hist["R_minus_G"].append((plogp - ll - log_v) / log_ln2)
                nk, new_means, new_cov = _m_step_from_stats(nk_raw, sx, S, means,
                                                            self.reg_covar, cov_type,
                                                            data_scatter)
                # A component with (numerically) no responsibility has no M-step: E2 can
                # put a weight exactly at 0 (a boundary optimum for the current
                # components). Keep its parameters so that a later E2 can revive it,
                # instead of collapsing it.
                empty = nk < 1e-12
                new_means[empty] = means[empty]
                if cov_type != "tied":
                    new_cov[empty] = cov[empty]
                means, cov = new_means, new_cov
                weights = nk / nk.sum()
                prec_chol = _precision_factors(cov, cov_type)
                # as in scikit-learn: the M-step is taken, then the gain of the E-step
                # log-likelihood decides convergence
                if abs(ll - ll_old) < self.tol:
                    converged = True
                    break
                ll_old = ll
        return {"weights": weights, "means": means, "cov": cov, "prec_chol": prec_chol,
                "converged": converged, "n_iter": n_iter, "lower_bound": ll,
                "history": {key: np.asarray(v) for key, v in hist.items()}}

    # ------------------------------------------------------------------ prediction
    def _log_joint(self, X):
        """``log w_j + log N(x | mu_j, Sigma_j)`` for host ``X``, shape (n, k)."""
        return _log_joint_np(X, to_numpy(self.weights_), to_numpy(self.means_),
                             to_numpy(self.precisions_cholesky_), self.covariance_type)

    def score_samples(self, X):
        """Log density ``log p_theta(x)`` of each sample (nats).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        if _is_dask_array(X):
            from . import _mixture_dask

            return _mixture_dask.map_method(self, X, "score_samples")
        host, X = check_predict_input(self, X, where="CMGaussianMixture.score_samples")
        return host.from_numpy(log_normalize(self._log_joint(X))[0])

    def score(self, X, y=None):
        """Mean log-likelihood per sample (nats).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        float
        """
        if _is_dask_array(X):
            return float(self.score_samples(X).mean().compute())
        _, X = check_predict_input(self, X, where="CMGaussianMixture.score")
        return float(np.mean(log_normalize(self._log_joint(X))[0]))

    def predict_proba(self, X):
        """Posterior ``P(y_j | x)`` of each component (the Shannon channel).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        if _is_dask_array(X):
            from . import _mixture_dask

            return _mixture_dask.map_method(self, X, "predict_proba")
        host, X = check_predict_input(self, X, where="CMGaussianMixture.predict_proba")
        return host.from_numpy(log_normalize(self._log_joint(X))[1])

    def predict(self, X):
        """Most probable component of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of int of shape (n_samples,)
        """
        if _is_dask_array(X):
            from . import _mixture_dask

            return _mixture_dask.map_method(self, X, "predict")
        host, X = check_predict_input(self, X, where="CMGaussianMixture.predict")
        return host.from_numpy(np.argmax(self._log_joint(X), axis=1))

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit, then return :meth:`predict` on the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        ndarray of int of shape (n_samples,)
        """
        return self.fit(X, sample_weight=sample_weight).predict(X)

    def sample(self, n_samples=1):
        """Draw samples from the fitted mixture.

        Parameters
        ----------
        n_samples : int, default=1

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            In the namespace and on the device of the fitted arrays.
        y : ndarray of int of shape (n_samples,)
            Component labels.
        """
        check_is_fitted(self)
        n_samples = check_scalar_in(n_samples, "n_samples", low=1, integer=True)
        host = on_host(self.means_, where="CMGaussianMixture.sample")
        means, covariances = to_numpy(self.means_), to_numpy(self.covariances_)
        rng = check_rng(self.random_state)
        k, d = means.shape
        counts = rng.multinomial(n_samples, to_numpy(self.weights_))
        Xs, ys = [], []
        for j in range(k):
            if counts[j] == 0:
                continue
            if self.covariance_type == "full":
                cov = covariances[j]
            elif self.covariance_type == "tied":
                cov = covariances
            elif self.covariance_type == "diag":
                cov = np.diag(covariances[j])
            else:
                cov = np.eye(d) * covariances[j]
            Xs.append(rng.multivariate_normal(means[j], cov, size=counts[j]))
            ys.append(np.full(counts[j], j))
        return host.from_numpy((np.vstack(Xs), np.concatenate(ys)))

    def _n_parameters(self):
        k, d = self.means_.shape
        cov = {"full": k * d * (d + 1) / 2, "tied": d * (d + 1) / 2, "diag": k * d,
               "spherical": k}[self.covariance_type]
        return int(cov + k * d + k - 1)

    def bic(self, X):
        """Bayesian information criterion on ``X`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
        """
        n = X.shape[0] if hasattr(X, "shape") else len(X)
        return -2 * self.score(X) * n + self._n_parameters() * math.log(n)

    def aic(self, X):
        """Akaike information criterion on ``X`` (lower is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        float
        """
        n = X.shape[0] if hasattr(X, "shape") else len(X)
        return -2 * self.score(X) * n + 2 * self._n_parameters()

    @classmethod
    def _test_instance(cls):
        return cls(n_components=1, max_iter=20, random_state=0)
