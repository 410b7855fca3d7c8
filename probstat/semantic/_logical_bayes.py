"""Logical Bayesian Inference: truth functions learned per label by maximum semantic information."""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin

from .._warn import warn
from ..backend import on_host, to_numpy
from ..utils import ConvergenceWarning, check_probability_vector
from ..utils._estimator_data import (
    check_class_targets,
    check_predict_input,
    validate_estimator_data,
)
from ..utils._numerics import limit_blas_threads, logsumexp
from ..utils._param_validation import Interval, StrOptions, fit_context

__all__ = ["LogicalBayesClassifier"]


def _gaussian_objective(params, Z, member, d, log_n):
    """Negative semantic KL I(X; theta) (nats) of a diagonal Gaussian truth function."""
    c, u = params[:d], params[d:]
    inv = np.exp(-2.0 * u)
    diff = Z - c
    log_t = -0.5 * (diff ** 2) @ inv  # (n,)
    lse = logsumexp(log_t, xp=np)
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
    lse = logsumexp(log_t, xp=np)
    wts = np.exp(log_t - lse)
    value = np.mean(log_t[member]) - (lse - log_n) - 0.5 * alpha * (w_ @ w_)
    dz = expit(-z)  # d log T / d z
    grad_w = (dz[member, None] * Z[member]).mean(0) - (wts * dz) @ Z - alpha * w_
    grad_b = dz[member].mean() - wts @ dz
    return -value, -np.concatenate([grad_w, [grad_b]])


def _standardisation(X):
    """Per-feature centre and scale of ``X``, computed without overflow.

    Dividing by each column's largest magnitude first keeps the squares of the variance
    finite for data up to the largest float (``X * 1e200`` is fitted like ``X``).
    """
    unit = np.max(np.abs(X), axis=0)
    unit = np.where(unit > 0, unit, 1.0)
    Xu = X / unit
    mean = Xu.mean(0) * unit
    std = Xu.std(0) * unit
    return mean, np.where(std > 0, std, 1.0)


def _too_large():
    return ValueError("X is too large in magnitude for the truth-function parameters to be "
                      "finite; rescale X")


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
    log_logical_probabilities_ : ndarray of shape (n_labels,)
        ``log T(theta_j)``, kept in logs: a far-away Gaussian truth function (the limit
        the information maximisation may approach) has a logical probability that
        underflows to 0 while its logarithm stays finite.
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

    References
    ----------
    .. [1] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for Machine
           Learning", Information 10(8):261, 2019.

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

    _parameter_constraints = {
        "truth_model": [StrOptions({"gaussian", "logistic"})],
        "min_width": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, truth_model="gaussian", min_width=1e-2, alpha=1e-4, max_iter=500):
        self.truth_model = truth_model
        self.min_width = min_width
        self.alpha = alpha
        self.max_iter = max_iter

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True
        return tags

    @fit_context
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
        host = on_host(X, y, where="LogicalBayesClassifier.fit")
        X, y = validate_estimator_data(self, host.to_numpy(X), host.to_numpy(y), reset=True,
                                       dtype=np.float64)
        check_class_targets(y)
        classes, y_idx = np.unique(y, return_inverse=True)
        n, d = X.shape
        mean, scale = _standardisation(X)
        with np.errstate(over="ignore", invalid="ignore"):
            Z = (X - mean) / scale
        if not np.all(np.isfinite(Z)):
            raise _too_large()
        log_n = math.log(n)
        k = classes.size
        params, values, n_iter = [], [], []
        # tiny problems: multi-threaded BLAS inside L-BFGS-B only adds contention
        with limit_blas_threads(1):
            for j in range(k):
                res = self._fit_label(Z, y_idx == j, log_n)
                if not res.success and res.nit >= self.max_iter:
                    warn(f"LogicalBayesClassifier: the fit of label {classes[j]!r} did not "
                         f"converge in {res.nit} iterations", ConvergenceWarning)
                params.append(res.x)
                n_iter.append(int(res.nit))
                values.append(-res.fun)
        params = np.array(params)
        self.classes_ = classes
        self.label_prior_ = np.bincount(y_idx, minlength=k) / n
        with np.errstate(over="ignore", invalid="ignore"):
            if self.truth_model == "gaussian":
                self.centers_ = params[:, :d] * scale + mean
                self.widths_ = np.exp(params[:, d:]) * scale
                fitted = [self.centers_, self.widths_]
            else:
                self.coef_ = params[:, :d] / scale
                self.intercept_ = params[:, d] - self.coef_ @ mean
                fitted = [self.coef_, self.intercept_]
        if not all(np.all(np.isfinite(a)) for a in fitted):
            raise _too_large()
        if self.truth_model == "logistic":
            # report the unpenalised information of the fitted truth functions
            values = [v + 0.5 * self.alpha * float(params[j, :d] @ params[j, :d])
                      for j, v in enumerate(values)]
        self.semantic_kl_ = np.asarray(values) / math.log(2)
        self.n_iter_ = max(max(n_iter), 1)
        self.log_logical_probabilities_ = logsumexp(self._log_truth(X), axis=0, xp=np) - log_n
        self.logical_probabilities_ = np.exp(self.log_logical_probabilities_)
        names = ["label_prior_", "logical_probabilities_", "log_logical_probabilities_",
                 "semantic_kl_", "centers_",
                 "widths_", "coef_", "intercept_"]
        if classes.dtype.kind in "biuf":
            names.append("classes_")
        host.move_attributes(self, names)
        return self

    def _fit_label(self, Z, member, log_n):
        """Maximise the semantic KL information of one label (standardised features)."""
        from scipy.optimize import minimize

        d = Z.shape[1]
        if self.truth_model == "gaussian":
            c0 = Z[member].mean(0)
            s0 = Z[member].std(0) if member.sum() > 1 else np.ones(d)
            s0 = np.maximum(s0, 2 * self.min_width)
            x0 = np.concatenate([c0, np.log(s0)])
            bounds = [(None, None)] * d + [(math.log(self.min_width), math.log(1e3))] * d
            fun, args = _gaussian_objective, (Z, member, d, log_n)
        else:
            x0 = np.concatenate([Z[member].mean(0) - Z.mean(0), [0.0]])
            bounds = None
            fun, args = _logistic_objective, (Z, member, d, log_n, self.alpha)
        return minimize(fun, x0, args=args, jac=True, method="L-BFGS-B", bounds=bounds,
                        options={"maxiter": self.max_iter})

    def _log_truth(self, X):
        """``log T(theta_j | x)`` for host ``X`` from the fitted parameters."""
        if self.truth_model == "gaussian":
            c, w = to_numpy(self.centers_), to_numpy(self.widths_)
            # (x - c) / w as x / w - c / w: no overflow for x and c near the largest float;
            # a squared distance beyond it gives log T = -inf (T underflows to 0)
            with np.errstate(over="ignore"):
                return -0.5 * ((X[:, None, :] / w[None] - (c / w)[None]) ** 2).sum(-1)
        a, b = to_numpy(self.coef_), to_numpy(self.intercept_)
        return log_expit(X @ a.T + b[None, :])

    def _log_information(self, X):
        """``log[T(theta_j|x) / T(theta_j)]`` in nats for host ``X``."""
        return self._log_truth(X) - to_numpy(self.log_logical_probabilities_)[None, :]

    def _relative_log_information(self, X):
        """``log[T(theta_j|x) / T(theta_j)]`` up to a constant per row, never all ``-inf``.

        Far from every truth function ``log T(theta_j | x)`` can overflow to ``-inf`` for
        every label (a squared distance above the largest float). Those rows are
        recomputed after dividing the distances (or the logistic arguments) by the row's
        largest one: the label whose ``log T`` is least negative keeps a finite value and
        the others get their exact, possibly ``-inf``, difference to it.
        """
        log_tp = to_numpy(self.log_logical_probabilities_)[None, :]
        with np.errstate(over="ignore", invalid="ignore"):
            out = self._log_truth(X) - log_tp
        bad = ~np.isfinite(np.max(out, axis=1))
        if not bad.any():
            return out
        Xb = X[bad]
        with np.errstate(over="ignore", invalid="ignore"):
            if self.truth_model == "gaussian":
                c, w = to_numpy(self.centers_), to_numpy(self.widths_)
                u = Xb[:, None, :] / w[None] - (c / w)[None]
                m = np.max(np.abs(u), axis=(1, 2))
                v = -0.5 * ((u / m[:, None, None]) ** 2).sum(-1)  # log T = m^2 v
                scale = m ** 2
            else:
                a, b = to_numpy(self.coef_), to_numpy(self.intercept_)
                m = np.max(np.abs(Xb), axis=1)
                m = np.where(m > 1.0, m, 1.0)
                v = (Xb / m[:, None]) @ a.T + b[None, :] / m[:, None]  # log T ~ m v
                scale = m
            gap = v - np.max(v, axis=1, keepdims=True)
            rel = np.where(gap < 0, scale[:, None] * gap, 0.0)
        out[bad] = rel - log_tp
        return out

    def _log_proba(self, X):
        """Log posterior of the labels under equal label weights, host ``X``."""
        scores = self._relative_log_information(X)
        return scores - logsumexp(scores, axis=1, keepdims=True, xp=np)

    def predict_truth(self, X):
        """Truth values ``T(theta_j | x)`` of every label (membership in [0, 1]).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_labels)
        """
        host, X = check_predict_input(self, X, where="LogicalBayesClassifier.predict_truth")
        return host.from_numpy(np.exp(self._log_truth(X)))

    def predict_information(self, X):
        """Semantic information ``I(x; theta_j) = log2[T(theta_j|x) / T(theta_j)]``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_labels)
        """
        host, X = check_predict_input(self, X, where="LogicalBayesClassifier.predict_information")
        return host.from_numpy(self._log_information(X) / math.log(2))

    def predict(self, X):
        """Label with maximum semantic information.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        host, X = check_predict_input(self, X, where="LogicalBayesClassifier.predict")
        labels = to_numpy(self.classes_)[np.argmax(self._log_proba(X), axis=1)]
        return host.from_numpy(labels) if labels.dtype.kind in "biuf" else labels

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed in log space.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_labels)
            Columns in the order of ``classes_``; ``-inf`` where a label is impossible.
        """
        host, X = check_predict_input(self, X, where="LogicalBayesClassifier.predict_log_proba")
        return host.from_numpy(self._log_proba(X))

    def predict_proba(self, X):
        """Posterior probability of each label under the learned truth functions.

        The semantic-Bayes likelihood of label ``y_j`` is
        ``P(x | theta_j) = P(x) T(theta_j | x) / T(theta_j)`` [1]_; with the same prior
        weight on every label the posterior is

        ``P(y_j | x) = [T(theta_j|x) / T(theta_j)] / sum_k [T(theta_k|x) / T(theta_k)]``,

        the softmax of the semantic information ``I(x; theta_j)`` (in nats). Its largest
        entry is the label of :meth:`predict` (maximum semantic information is maximum
        likelihood), so ``predict(X) == classes_[argmax(predict_proba(X))]``. The
        probabilities say how much better each label's truth function explains ``x``
        than the others'; they ignore how often each label is used. For the
        semantic-Bayes channel weighted by the label frequencies ``P(y_j)``, use
        :meth:`predict_channel`. Computed in log space: far from every truth function the
        label whose truth value decays slowest gets the probability, never NaN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_labels)
            Columns in the order of ``classes_``; rows sum to one.

        References
        ----------
        .. [1] C. Lu, "Semantic Information G Theory and Logical Bayesian Inference for
               Machine Learning", Information 10(8):261, 2019, arXiv:1809.01577: the
               semantic Bayes formula and the semantic classifier.
        """
        host, X = check_predict_input(self, X, where="LogicalBayesClassifier.predict_proba")
        return host.from_numpy(np.exp(self._log_proba(X)))

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
            P(y) to use instead of the training frequencies (non-negative, normalised
            here).

        Returns
        -------
        ndarray of shape (n_samples, n_labels)
            Rows sum to one.
        """
        host, X = check_predict_input(self, X, label_prior,
                                      where="LogicalBayesClassifier.predict_channel")
        k = self.classes_.shape[0]
        if label_prior is None:
            prior = to_numpy(self.label_prior_)
        else:
            prior = to_numpy(check_probability_vector(host.to_numpy(label_prior),
                                                      name="label_prior", normalize=True))
            if prior.shape[0] != k:
                raise ValueError(f"label_prior must have one entry per label ({k}) "
                                 f"(got {prior.shape[0]})")
        with np.errstate(divide="ignore"):
            logits = self._log_information(X) + np.log(prior)[None, :]
        return host.from_numpy(np.exp(logits - logsumexp(logits, axis=1, keepdims=True,
                                                         xp=np)))
