"""CM-EM: the channels' matching EM algorithm for Gaussian mixtures (Lu 2017, 2018)."""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils import ConvergenceWarning, check_rng, mutual_information, progress
from ._kernels import fixed_point

__all__ = ["CMGaussianMixture"]

_COV_TYPES = ("full", "diag", "spherical")


def _precision_cholesky(covariances, covariance_type):
    """Cholesky factors of the precision matrices (as in scikit-learn's parametrisation)."""
    if covariance_type == "full":
        k, d, _ = covariances.shape
        out = np.empty_like(covariances)
        for j in range(k):
            try:
                chol = linalg.cholesky(covariances[j], lower=True)
            except linalg.LinAlgError:
                raise ValueError("a component covariance is not positive definite: increase "
                                 "reg_covar or check for duplicated/degenerate samples") from None
            out[j] = linalg.solve_triangular(chol, np.eye(d), lower=True).T
        return out
    if np.any(covariances <= 0):
        raise ValueError("a component variance is not positive: increase reg_covar")
    return 1.0 / np.sqrt(covariances)


def _log_gaussian(X, means, prec_chol, covariance_type):
    """``log N(x_i | mu_j, Sigma_j)``, shape (n, k)."""
    n, d = X.shape
    k = means.shape[0]
    if covariance_type == "full":
        log_det = np.sum(np.log(np.diagonal(prec_chol, axis1=1, axis2=2)), axis=1)
        maha = np.empty((n, k))
        for j in range(k):
            y = X @ prec_chol[j] - means[j] @ prec_chol[j]
            maha[:, j] = np.einsum("ij,ij->i", y, y)
    elif covariance_type == "diag":
        log_det = np.sum(np.log(prec_chol), axis=1)
        prec = prec_chol ** 2
        maha = ((X ** 2) @ prec.T - 2.0 * X @ (means * prec).T
                + np.sum(means ** 2 * prec, axis=1)[None, :])
        np.maximum(maha, 0.0, out=maha)
    else:  # spherical
        log_det = d * np.log(prec_chol)
        prec = prec_chol ** 2
        maha = ((X ** 2).sum(1)[:, None] - 2.0 * X @ means.T
                + (means ** 2).sum(1)[None, :]) * prec[None, :]
        np.maximum(maha, 0.0, out=maha)
    return -0.5 * (d * math.log(2 * math.pi) + maha) + log_det[None, :]


def _m_step(X, resp_w, reg_covar, covariance_type):
    """Weighted means and covariances; ``resp_w[i, j] = P(x_i) P(y_j | x_i)``."""
    nk = resp_w.sum(axis=0) + 10 * np.finfo(float).eps
    means = (resp_w.T @ X) / nk[:, None]
    k, d = means.shape
    if covariance_type == "full":
        cov = np.empty((k, d, d))
        for j in range(k):
            diff = X - means[j]
            cov[j] = (resp_w[:, j] * diff.T) @ diff / nk[j]
            cov[j].flat[:: d + 1] += reg_covar
    else:
        avg_x2 = (resp_w.T @ (X * X)) / nk[:, None]
        diag = avg_x2 - means ** 2 + reg_covar
        cov = diag if covariance_type == "diag" else diag.mean(axis=1)
    return nk, means, cov


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
    covariance_type : {"full", "diag", "spherical"}, default="full"
    algorithm : {"cm", "em"}, default="cm"
        ``"cm"``: CM-EM (weights fully optimised before each M-step); ``"em"``: plain EM.
    tol : float, default=1e-3
        Stop when the mean log-likelihood per sample (nats) changes by less than ``tol``.
    max_iter : int, default=100
        Outer (M-step) iterations.
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
        (k, d, d) for "full", (k, d) for "diag", (k,) for "spherical".
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

    def __init__(self, n_components=1, *, covariance_type="full", algorithm="cm", tol=1e-3,
                 max_iter=100, inner_tol=1e-10, max_inner_iter=100, reg_covar=1e-6,
                 init_params="kmeans", weights_init=None, means_init=None,
                 precisions_init=None, bin_volume=None, random_state=None, verbose=0):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.algorithm = algorithm
        self.tol = tol
        self.max_iter = max_iter
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

    # ------------------------------------------------------------------ validation
    def _check_params(self, n, d):
        if not isinstance(self.n_components, numbers.Integral) or self.n_components < 1:
            raise ValueError(f"n_components must be an integer >= 1 (got {self.n_components!r})")
        if n < self.n_components:
            raise ValueError(f"Expected n_samples >= n_components but got "
                             f"n_components = {self.n_components}, n_samples = {n}")
        if self.covariance_type not in _COV_TYPES:
            raise ValueError(f"covariance_type must be one of {_COV_TYPES} "
                             f"(got {self.covariance_type!r})")
        if self.algorithm not in ("cm", "em"):
            raise ValueError(f"algorithm must be 'cm' or 'em' (got {self.algorithm!r})")
        if self.init_params not in ("kmeans", "random"):
            raise ValueError(f"init_params must be 'kmeans' or 'random' "
                             f"(got {self.init_params!r})")
        for name in ("tol", "inner_tol"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Real) or not v >= 0:
                raise ValueError(f"{name} must be >= 0 (got {v!r})")
        if not isinstance(self.reg_covar, numbers.Real) or not self.reg_covar >= 0:
            raise ValueError(f"reg_covar must be >= 0 (got {self.reg_covar!r})")
        for name in ("max_iter", "max_inner_iter"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Integral) or v < 1:
                raise ValueError(f"{name} must be an integer >= 1 (got {v!r})")
        if self.bin_volume is not None and not (isinstance(self.bin_volume, numbers.Real)
                                                and self.bin_volume > 0):
            raise ValueError(f"bin_volume must be > 0 (got {self.bin_volume!r})")

    def _initial_parameters(self, X, px, rng):
        k = self.n_components
        n, d = X.shape
        if self.means_init is not None:
            means = np.asarray(self.means_init, dtype=float)
            if means.shape != (k, d):
                raise ValueError(f"means_init must have shape {(k, d)} (got {means.shape})")
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
        weights = nk / nk.sum()
        means = means_est if self.means_init is None else means
        if self.weights_init is not None:
            weights = np.asarray(self.weights_init, dtype=float)
            if weights.shape != (k,) or np.any(weights < 0) or abs(weights.sum() - 1) > 1e-6:
                raise ValueError(f"weights_init must be {k} non-negative numbers summing to 1")
            weights = weights / weights.sum()
        if self.precisions_init is not None:
            prec = np.asarray(self.precisions_init, dtype=float)
            if self.covariance_type == "full":
                if prec.shape != (k, d, d):
                    raise ValueError(f"precisions_init must have shape {(k, d, d)}")
                cov = np.linalg.inv(prec)
            else:
                want = (k, d) if self.covariance_type == "diag" else (k,)
                if prec.shape != want or np.any(prec <= 0):
                    raise ValueError(f"precisions_init must have shape {want} and be > 0")
                cov = 1.0 / prec
        return weights, means, cov

    # ------------------------------------------------------------------ fitting
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
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        X = np.asarray(X, dtype=np.float64)
        n, d = X.shape
        self._check_params(n, d)
        if sample_weight is None:
            px = np.full(n, 1.0 / n)
        else:
            sw = np.asarray(sample_weight, dtype=float)
            if sw.shape != (n,):
                raise ValueError(f"sample_weight must have shape ({n},) (got {sw.shape})")
            if not np.all(np.isfinite(sw)) or np.any(sw < 0) or sw.sum() <= 0:
                raise ValueError("sample_weight must be finite, >= 0 and not all zero")
            px = sw / sw.sum()
        rng = check_rng(self.random_state)
        weights, means, cov = self._initial_parameters(X, px, rng)
        prec_chol = _precision_cholesky(cov, self.covariance_type)

        hist = {"log_likelihood": [], "R": []}
        if self.bin_volume is not None:
            hist["G"] = []
            hist["R_minus_G"] = []
        ll_old = -np.inf
        converged = False
        n_iter = 0
        for it in progress(range(1, self.max_iter + 1), verbose=self.verbose,
                           desc="CM-EM" if self.algorithm == "cm" else "EM"):
            n_iter = it
            log_comp = _log_gaussian(X, means, prec_chol, self.covariance_type)
            if self.algorithm == "cm":
                weights = self._optimise_weights(log_comp, px, weights)
            log_joint = log_comp + np.log(np.maximum(weights, 1e-300))[None, :]
            log_mix = _logsumexp_rows(log_joint)
            resp = np.exp(log_joint - log_mix[:, None])
            ll = float(px @ log_mix)
            self._record(hist, px, resp, log_comp, log_mix, ll)
            nk, new_means, new_cov = _m_step(X, px[:, None] * resp, self.reg_covar,
                                             self.covariance_type)
            # A component with (numerically) no responsibility has no M-step: E2 can put
            # a weight exactly at 0 (a boundary optimum for the current components). Keep
            # its parameters so that a later E2 can revive it, instead of collapsing it.
            empty = nk < 1e-12
            new_means[empty] = means[empty]
            new_cov[empty] = cov[empty]
            means, cov = new_means, new_cov
            weights = nk / nk.sum()
            prec_chol = _precision_cholesky(cov, self.covariance_type)
            # as in scikit-learn: the M-step is taken, then the gain of the E-step
            # log-likelihood decides convergence
            if abs(ll - ll_old) < self.tol:
                converged = True
                break
            ll_old = ll
        if not converged:
            warnings.warn(f"CMGaussianMixture did not converge in {n_iter} iterations; "
                          "increase max_iter or tol (the last parameters are kept)",
                          ConvergenceWarning, stacklevel=2)
        self.weights_ = weights
        self.means_ = means
        self.covariances_ = cov
        self.precisions_cholesky_ = prec_chol
        self.converged_ = converged
        self.n_iter_ = n_iter
        self.lower_bound_ = ll
        self.history_ = {key: np.asarray(v) for key, v in hist.items()}
        self.R_ = float(self.history_["R"][-1])
        self.G_ = float(self.history_["G"][-1]) if self.bin_volume is not None else None
        return self

    def _optimise_weights(self, log_comp, px, weights):
        shift = log_comp.max(axis=1, keepdims=True)
        E = np.exp(log_comp - shift)
        start = np.maximum(weights, 1e-12)
        w, _, _ = fixed_point(np.ascontiguousarray(E), np.ascontiguousarray(px),
                              start / start.sum(), float(self.inner_tol),
                              int(self.max_inner_iter))
        return np.asarray(w)

    def _record(self, hist, px, resp, log_comp, log_mix, ll):
        joint = px[:, None] * resp
        hist["log_likelihood"].append(ll)
        hist["R"].append(mutual_information(joint / joint.sum()))
        if self.bin_volume is not None:
            log_v = math.log(self.bin_volume)
            log_px = np.log(np.where(px > 0, px, 1.0))
            pos = joint > 0
            G = np.sum(np.where(pos, joint * (log_comp + log_v - log_px[:, None]), 0.0))
            kl = np.sum(np.where(px > 0, px * (log_px - log_mix - log_v), 0.0))
            hist["G"].append(G / math.log(2))
            hist["R_minus_G"].append(kl / math.log(2))

    # ------------------------------------------------------------------ prediction
    def _log_joint(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        X = np.asarray(X, dtype=np.float64)
        log_comp = _log_gaussian(X, self.means_, self.precisions_cholesky_,
                                 self.covariance_type)
        return log_comp + np.log(np.maximum(self.weights_, 1e-300))[None, :]

    def score_samples(self, X):
        """Log density ``log p_theta(x)`` of each sample (nats).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return _logsumexp_rows(self._log_joint(X))

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
        return float(np.mean(self.score_samples(X)))

    def predict_proba(self, X):
        """Posterior ``P(y_j | x)`` of each component (the Shannon channel).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_components)
        """
        lj = self._log_joint(X)
        return np.exp(lj - _logsumexp_rows(lj)[:, None])

    def predict(self, X):
        """Most probable component of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of int of shape (n_samples,)
        """
        return np.argmax(self._log_joint(X), axis=1)

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
        y : ndarray of int of shape (n_samples,)
            Component labels.
        """
        check_is_fitted(self)
        if not isinstance(n_samples, numbers.Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be an integer >= 1 (got {n_samples!r})")
        rng = check_rng(self.random_state)
        k, d = self.means_.shape
        counts = rng.multinomial(n_samples, self.weights_)
        Xs, ys = [], []
        for j in range(k):
            if counts[j] == 0:
                continue
            if self.covariance_type == "full":
                cov = self.covariances_[j]
            elif self.covariance_type == "diag":
                cov = np.diag(self.covariances_[j])
            else:
                cov = np.eye(d) * self.covariances_[j]
            Xs.append(rng.multivariate_normal(self.means_[j], cov, size=counts[j]))
            ys.append(np.full(counts[j], j))
        return np.vstack(Xs), np.concatenate(ys)

    def _n_parameters(self):
        k, d = self.means_.shape
        cov = {"full": k * d * (d + 1) / 2, "diag": k * d, "spherical": k}[self.covariance_type]
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
        n = np.asarray(X).shape[0]
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
        n = np.asarray(X).shape[0]
        return -2 * self.score(X) * n + 2 * self._n_parameters()

    @classmethod
    def _test_instance(cls):
        return cls(n_components=1, max_iter=20, random_state=0)


def _logsumexp_rows(a):
    m = a.max(axis=1)
    return m + np.log(np.exp(a - m[:, None]).sum(axis=1))
