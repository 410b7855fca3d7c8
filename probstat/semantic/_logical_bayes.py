"""Logical Bayesian Inference: truth functions learned per label by maximum semantic information."""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_expit, logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from ..utils import ConvergenceWarning, check_scalar_in

__all__ = ["LogicalBayesClassifier"]


def _gaussian_objective(params, Z, member, d, log_n):
    """Negative semantic KL I(X; theta) (nats) of a diagonal Gaussian truth function."""
    c, u = params[:d], params[d:]
    inv = np.exp(-2.0 * u)
    diff = Z - c
    log_t = -0.5 * (diff ** 2) @ inv  # (n,)
    lse = logsumexp(log_t)
    w = np.exp(log_t - lse)  # T_i / sum T
    value = np.mean(log_t[member]) - (lse - log_n)
    g_logt_c = diff * inv  # d log T / d c
    g_logt_u = diff ** 2 * inv  # d log T / d u
    grad_c = g_logt_c[member].mean(0) - w @ g_logt_c
    grad_u = g_logt_u[member].mean(0) - w @ g_logt_u
    return -value, -np.concatenate([grad_c, grad_u])


def _logistic_objective(params, Z, member, d, log_n, alpha):
    """Negative penalised semantic KL of a logistic truth function T = sigmoid(w.z + b)."""
    w_, b = params[:d], params[d]
    z = Z @ w_ + b
    log_t = log_expit(z)
    lse = logsumexp(log_t)
    wts = np.exp(log_t - lse)
    value = np.mean(log_t[member]) - (lse - log_n) - 0.5 * alpha * (w_ @ w_)
    dz = expit(-z)  # d log T / d z
    grad_w = (dz[member, None] * Z[member]).mean(0) - (wts * dz) @ Z - alpha * w_
    grad_b = dz[member].mean() - wts @ dz
    return -value, -np.concatenate([grad_w, [grad_b]])


class LogicalBayesClassifier(ClassifierMixin, BaseEstimator):
    """Multilabel-style classifier that learns a truth function per label (Lu's LBI).

    Each label's truth function ``T(theta_j | x)`` (membership, maximum 1) is fitted
    separately by maximising the semantic KL information
    ``I(X; theta_j) = mean_{x | y_j} log T(theta_j | x) - log T(theta_j)``, where the
    logical probability ``T(theta_j)`` averages T over all training x. This equals maximum
    likelihood of the semantic-Bayes likelihood ``P(x | theta_j)``, and unlike a posterior
    the learned truth function does not change when only P(x) changes. ``predict`` picks the
    label with the largest semantic information ``log[T(theta_j|x) / T(theta_j)]``, so of two
    true labels it prefers the more specific one ("youth" over "adult" for a 25-year-old).

    Parameters
    ----------
    truth_model : {"gaussian", "logistic"}, default="gaussian"
        ``"gaussian"``: ``exp(-sum_d (x_d - c_d)^2 / (2 w_d^2))`` (a label like "about 25");
        ``"logistic"``: ``1 / (1 + exp(-(a.x + b)))`` (a half-space label like "old").
    min_width : float, default=1e-2
        Smallest Gaussian width, in units of each feature's standard deviation (keeps the
        fit bounded when a label has one distinct value). Widths are also capped at 1000
        standard deviations (a label used everywhere has the flat truth function T = 1).
    alpha : float, default=1e-4
        L2 penalty on the logistic slopes (standardised features): without it a separable
        label's slopes grow without bound.
    max_iter : int, default=500
        L-BFGS iterations per label.

    Attributes
    ----------
    classes_ : ndarray of shape (n_labels,)
    label_prior_ : ndarray of shape (n_labels,)
        Training frequencies P(y_j).
    logical_probabilities_ : ndarray of shape (n_labels,)
        ``T(theta_j)`` under the training distribution of x.
    centers_, widths_ : ndarray of shape (n_labels, n_features)
        Gaussian truth-function parameters (original units); ``truth_model="gaussian"``.
    coef_ : ndarray of shape (n_labels, n_features)
    intercept_ : ndarray of shape (n_labels,)
        Logistic truth-function parameters (original units); ``truth_model="logistic"``.
    semantic_kl_ : ndarray of shape (n_labels,)
        Maximised ``I(X; theta_j)`` in bits.
    n_iter_ : int
        Largest number of L-BFGS iterations over the labels.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.semantic import LogicalBayesClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (100, 1)), rng.normal(4, 1, (100, 1))])
    >>> y = np.repeat([0, 1], 100)
    >>> clf = LogicalBayesClassifier().fit(X, y)
    >>> clf.predict([[-0.5], [4.2]]).tolist()
    [0, 1]
    """

    def __init__(self, *, truth_model="gaussian", min_width=1e-2, alpha=1e-4, max_iter=500):
        self.truth_model = truth_model
        self.min_width = min_width
        self.alpha = alpha
        self.max_iter = max_iter

    def fit(self, X, y):
        """Fit one truth function per label by maximum semantic information.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            The label used for each instance (labels may overlap in meaning).

        Returns
        -------
        self : LogicalBayesClassifier
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        if self.truth_model not in ("gaussian", "logistic"):
            raise ValueError(f"truth_model must be 'gaussian' or 'logistic' "
                             f"(got {self.truth_model!r})")
        check_scalar_in(self.min_width, "min_width", low=0, low_inclusive=False)
        check_scalar_in(self.alpha, "alpha", low=0)
        check_scalar_in(self.max_iter, "max_iter", low=1, integer=True)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        n, d = X.shape
        self._mean = X.mean(0)
        std = X.std(0)
        self._scale = np.where(std > 0, std, 1.0)
        Z = (X - self._mean) / self._scale
        log_n = math.log(n)
        k = self.classes_.size
        self.label_prior_ = np.bincount(y_idx, minlength=k) / n
        params, values, n_iter = [], [], []
        for j in range(k):
            member = y_idx == j
            if self.truth_model == "gaussian":
                c0 = Z[member].mean(0)
                s0 = Z[member].std(0) if member.sum() > 1 else np.ones(d)
                s0 = np.maximum(s0, 2 * self.min_width)
                x0 = np.concatenate([c0, np.log(s0)])
                bounds = [(None, None)] * d + [(math.log(self.min_width), math.log(1e3))] * d
                fun = _gaussian_objective
                args = (Z, member, d, log_n)
            else:
                x0 = np.concatenate([Z[member].mean(0) - Z.mean(0), [0.0]])
                bounds = None
                fun = _logistic_objective
                args = (Z, member, d, log_n, self.alpha)
            # tiny problems: multi-threaded BLAS inside L-BFGS-B only adds contention
            with threadpool_limits(limits=1, user_api="blas"):
                res = minimize(fun, x0, args=args, jac=True, method="L-BFGS-B",
                               bounds=bounds, options={"maxiter": self.max_iter})
            if not res.success and res.nit >= self.max_iter:
                warnings.warn(f"LogicalBayesClassifier: the fit of label {self.classes_[j]!r} "
                              f"did not converge in {res.nit} iterations",
                              ConvergenceWarning, stacklevel=2)
            params.append(res.x)
            n_iter.append(int(res.nit))
            values.append(-res.fun)
        params = np.array(params)
        if self.truth_model == "gaussian":
            self._z_params = (params[:, :d], np.exp(params[:, d:]))
            self.centers_ = params[:, :d] * self._scale + self._mean
            self.widths_ = np.exp(params[:, d:]) * self._scale
        else:
            self._z_params = (params[:, :d], params[:, d])
            self.coef_ = params[:, :d] / self._scale
            self.intercept_ = params[:, d] - self.coef_ @ self._mean
        if self.truth_model == "logistic":
            # report the unpenalised information of the fitted truth functions
            values = [v + 0.5 * self.alpha * float(params[j, :d] @ params[j, :d])
                      for j, v in enumerate(values)]
        self.semantic_kl_ = np.asarray(values) / math.log(2)
        self.n_iter_ = max(max(n_iter), 1)
        self._log_logical = logsumexp(self._log_truth(X), axis=0) - log_n
        self.logical_probabilities_ = np.exp(self._log_logical)
        return self

    def _log_truth(self, X):
        Z = (X - self._mean) / self._scale
        if self.truth_model == "gaussian":
            c, w = self._z_params
            return -0.5 * (((Z[:, None, :] - c[None]) / w[None]) ** 2).sum(-1)
        a, b = self._z_params
        return log_expit(Z @ a.T + b[None, :])

    def predict_truth(self, X):
        """Truth values ``T(theta_j | x)`` of every label (membership in [0, 1]).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_labels)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return np.exp(self._log_truth(X))

    def predict_information(self, X):
        """Semantic information ``I(x; theta_j) = log2[T(theta_j|x) / T(theta_j)]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_labels)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return (self._log_truth(X) - self._log_logical[None, :]) / math.log(2)

    def predict(self, X):
        """Label with maximum semantic information.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        info = self.predict_information(X)
        return self.classes_[np.argmax(info, axis=1)]

    def predict_channel(self, X, label_prior=None):
        """Shannon channel implied by the truth functions (semantic Bayes).

        ``P(y_j | x)`` is proportional to ``P(y_j) T(theta_j | x) / T(theta_j)``.
        This is the semantic-Bayes prediction (the s = 1 channel of R(G)); it equals the
        true ``P(y|x)`` when the truth functions are the optimised T*. It is not the decision
        rule of :meth:`predict`, which maximises information rather than posterior
        probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        label_prior : array-like of shape (n_labels,), optional
            P(y) to use instead of the training frequencies.

        Returns
        -------
        ndarray of shape (n_samples, n_labels)
            Rows sum to one.
        """
        info = self.predict_information(X) * math.log(2)
        prior = self.label_prior_ if label_prior is None else np.asarray(label_prior, float)
        if prior.shape != self.label_prior_.shape or np.any(prior < 0) or prior.sum() <= 0:
            raise ValueError(f"label_prior must be {self.label_prior_.size} non-negative "
                             "numbers with a positive sum")
        with np.errstate(divide="ignore"):
            logits = info + np.log(prior / prior.sum())[None, :]
        return np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
