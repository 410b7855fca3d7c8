"""Channels' matching (CM) for maximum-mutual-information classification (Lu 2019)."""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..base import ResultMixin
from ..utils import (
    ConvergenceWarning,
    check_probability_vector,
    check_scalar_in,
    check_stochastic_matrix,
    mutual_information,
    progress,
)

__all__ = ["MMIClassifier", "MMIPartition", "mmi_partition"]


@dataclasses.dataclass(frozen=True, repr=False)
class MMIPartition(ResultMixin):
    """Result of :func:`mmi_partition`.

    Attributes
    ----------
    labels : ndarray of int of shape (n_z,)
        Label y = f(z) of each observation cell.
    mutual_information : float
        Shannon I(X; Y) of the final partition (bits).
    history : ndarray of shape (n_iter + 1,)
        I(X; Y) of the initial partition and after each iteration; never decreases.
    n_iter : int
        Matching II steps taken.
    converged : bool
        True when the partition stopped changing.
    semantic_information : ndarray of shape (n_x, n_labels)
        ``I(x_i; theta_j) = log2[P(x_i | y_j) / P(x_i)]`` of the final partition (``-inf``
        for an empty label or where ``P(x_i | y_j) = 0``).
    """

    labels: np.ndarray
    mutual_information: float
    history: np.ndarray
    n_iter: int
    converged: bool
    semantic_information: np.ndarray = dataclasses.field(repr=False)

    def plot(self, ax=None):
        """Draw I(X; Y) against the iteration.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        from ..plotting import get_axes

        ax = get_axes(ax, figsize=(5, 3.5))
        ax.plot(np.arange(self.history.size), self.history, marker="o")
        ax.set_xlabel("iteration")
        ax.set_ylabel("I(X; Y) (bits)")
        return ax


def _matching_one(joint_xz, labels, n_labels):
    """Matching I: the Shannon channel of the partition and its T* information (nats)."""
    n_x = joint_xz.shape[0]
    onehot = np.zeros((labels.size, n_labels))
    onehot[np.arange(labels.size), labels] = 1.0
    joint_xy = joint_xz @ onehot  # P(x, y_j)
    p_x = joint_xz.sum(axis=1)
    p_y = joint_xy.sum(axis=0)
    info = np.full((n_x, n_labels), -np.inf)
    for j in range(n_labels):
        if p_y[j] <= 0:
            continue
        cond = joint_xy[:, j] / p_y[j]
        pos = (cond > 0) & (p_x > 0)
        info[pos, j] = np.log(cond[pos] / p_x[pos])
    return joint_xy, info


def _matching_two(post_xz, info, labels):
    """Matching II: relabel each z by argmax_j sum_x P(x|z) I(x; theta_j), keeping ties."""
    finite = np.isfinite(info)
    score = post_xz.T @ np.where(finite, info, 0.0)  # (n_z, n_labels)
    # a label with -inf information where P(x|z) > 0 scores -inf (it is falsified)
    dead = (post_xz.T > 0) @ (~finite).astype(float) > 0
    score[dead] = -np.inf
    best = np.argmax(score, axis=1)
    current = score[np.arange(labels.size), labels]
    gain = score[np.arange(labels.size), best] - current
    improve = gain > 1e-12 * np.maximum(1.0, np.abs(current))
    improve &= np.isfinite(score[np.arange(labels.size), best])
    new = labels.copy()
    new[improve] = best[improve]
    return new


def mmi_partition(p_x, p_z_given_x, init_labels, *, n_labels=None, max_iter=100, verbose=0):
    """Maximum-mutual-information partition of an observation by channels' matching.

    A class x is unseen; an observation z (here: a cell of a grid or a sample point) is
    seen and labelled ``y = f(z)``. Starting from ``init_labels`` the two matching steps
    alternate: (I) the truth functions match the Shannon channel of the partition,
    ``I(x; theta_j) = log P(x|y_j)/P(x)``; (II) each z moves to
    ``argmax_j sum_x P(x|z) I(x; theta_j)`` (which is ``argmin_j KL(P(x|z) || P(x|y_j))``).
    I(X; Y) never decreases, so the iteration stops at a partition that no single move of
    a z improves.

    Parameters
    ----------
    p_x : array-like of shape (n_x,)
        Class prior P(x).
    p_z_given_x : array-like of shape (n_x, n_z)
        Row i is P(z | x_i) over the observation cells.
    init_labels : array-like of int of shape (n_z,)
        Initial partition, labels in ``0 .. n_labels - 1``.
    n_labels : int, optional
        Number of labels; default ``max(init_labels) + 1``.
    max_iter : int, default=100
    verbose : int, default=0
        Show a progress bar.

    Returns
    -------
    MMIPartition

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.semantic import mmi_partition
    >>> p_z_given_x = np.array([[0.5, 0.3, 0.15, 0.05], [0.05, 0.15, 0.3, 0.5]])
    >>> res = mmi_partition([0.5, 0.5], p_z_given_x, [0, 1, 0, 1])
    >>> res.labels.tolist(), res.history.round(4).tolist()
    ([0, 0, 1, 1], [0.0659, 0.2781])
    """
    p_x = check_probability_vector(p_x, name="p_x")
    p_x = np.asarray(p_x, dtype=float)
    W = np.asarray(check_stochastic_matrix(p_z_given_x, name="p_z_given_x", axis=1))
    if W.shape[0] != p_x.shape[0]:
        raise ValueError(f"p_z_given_x must have {p_x.shape[0]} rows to match p_x "
                         f"(got {W.shape[0]})")
    labels = np.asarray(init_labels)
    if labels.shape != (W.shape[1],) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"init_labels must be {W.shape[1]} integers (one per z)")
    if labels.min() < 0:
        raise ValueError("init_labels must be >= 0")
    n_labels = int(labels.max()) + 1 if n_labels is None else int(n_labels)
    if labels.max() >= n_labels:
        raise ValueError(f"init_labels must be < n_labels = {n_labels}")
    check_scalar_in(max_iter, "max_iter", low=1, integer=True)
    joint = p_x[:, None] * W
    return _run_partition(joint, labels.astype(np.intp), n_labels, max_iter, verbose)


def _run_partition(joint, labels, n_labels, max_iter, verbose):
    p_z = joint.sum(axis=0)
    post = np.divide(joint, p_z[None, :], out=np.zeros_like(joint), where=p_z[None, :] > 0)
    joint_xy, info = _matching_one(joint, labels, n_labels)
    history = [mutual_information(joint_xy)]
    converged = False
    n_iter = 0
    for it in progress(range(1, max_iter + 1), verbose=verbose, desc="CM (MMI)"):
        n_iter = it
        new = _matching_two(post, info, labels)
        if np.array_equal(new, labels):
            converged = True
            break
        labels = new
        joint_xy, info = _matching_one(joint, labels, n_labels)
        history.append(mutual_information(joint_xy))
    if not converged:
        warnings.warn(f"mmi_partition: the partition was still changing after {n_iter} "
                      "iterations; the last one is kept", ConvergenceWarning, stacklevel=3)
    return MMIPartition(labels=labels, mutual_information=history[-1],
                        history=np.asarray(history), n_iter=n_iter, converged=converged,
                        semantic_information=info / math.log(2))


class MMIClassifier(ClassifierMixin, BaseEstimator):
    """Maximum-mutual-information classifier by Lu's channels' matching (CM) iteration.

    ``fit`` estimates the class prior P(c) and Gaussian class-conditional densities
    P(z | c), then partitions the training points to maximise the Shannon mutual
    information between the (unseen) class and the label, starting from the Bayes
    (minimum-error) partition. Unlike minimum error rate, the MMI criterion moves the
    boundaries towards rare classes, so small-probability events are reported more often.
    ``predict`` labels a new z by ``argmax_j sum_c P(c | z) I(c; theta_j)``.

    Parameters
    ----------
    max_iter : int, default=50
        CM iterations.
    reg_covar : float, default=1e-6
        Added to the diagonal of each class covariance (relative to the feature variance).
    verbose : int, default=0

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_prior_ : ndarray of shape (n_classes,)
    means_ : ndarray of shape (n_classes, n_features)
    covariances_ : ndarray of shape (n_classes, n_features, n_features)
    semantic_information_ : ndarray of shape (n_classes, n_classes)
        ``I(c_i; theta_j)`` in bits; row = class, column = label.
    mutual_information_ : float
        I(C; Y) of the final partition of the training points (bits).
    bayes_mutual_information_ : float
        I(C; Y) of the starting Bayes partition (bits).
    history_ : ndarray
        I(C; Y) per iteration (non-decreasing).
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.semantic import MMIClassifier
    >>> rng = np.random.default_rng(0)
    >>> Z = np.concatenate([rng.normal(0, 1, (180, 1)), rng.normal(2.5, 1, (20, 1))])
    >>> c = np.repeat([0, 1], [180, 20])
    >>> clf = MMIClassifier().fit(Z, c)
    >>> bool(clf.mutual_information_ >= clf.bayes_mutual_information_)
    True
    """

    def __init__(self, *, max_iter=50, reg_covar=1e-6, verbose=0):
        self.max_iter = max_iter
        self.reg_covar = reg_covar
        self.verbose = verbose

    def fit(self, X, y):
        """Estimate the class model and run the CM iteration on the training points.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Observed features z.
        y : array-like of shape (n_samples,)
            True classes.

        Returns
        -------
        self : MMIClassifier
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        check_scalar_in(self.max_iter, "max_iter", low=1, integer=True)
        check_scalar_in(self.reg_covar, "reg_covar", low=0)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        k = self.classes_.size
        n, d = X.shape
        self.class_prior_ = np.bincount(y_idx, minlength=k) / n
        scale = np.var(X, axis=0).mean() if n > 1 else 1.0
        reg = self.reg_covar * (scale if scale > 0 else 1.0) + 1e-12
        self.means_ = np.stack([X[y_idx == j].mean(0) for j in range(k)])
        covs = []
        for j in range(k):
            diff = X[y_idx == j] - self.means_[j]
            cov = diff.T @ diff / max(diff.shape[0], 1)
            cov.flat[:: d + 1] += reg
            covs.append(cov)
        self.covariances_ = np.stack(covs)
        post = self._posterior(X)  # P(c | z_k), (n, k)
        joint = (post / n).T  # P(c, z_k) with P(z_k) = 1/n
        init = np.argmax(post, axis=1)
        res = _run_partition(joint, init, k, self.max_iter, self.verbose)
        self.semantic_information_ = res.semantic_information
        self.mutual_information_ = res.mutual_information
        self.bayes_mutual_information_ = float(res.history[0])
        self.history_ = res.history
        self.n_iter_ = res.n_iter
        return self

    def _log_joint(self, X):
        k, d = self.means_.shape
        out = np.empty((X.shape[0], k))
        for j in range(k):
            chol = np.linalg.cholesky(self.covariances_[j])
            sol = np.linalg.solve(chol, (X - self.means_[j]).T)
            out[:, j] = (-0.5 * np.sum(sol ** 2, axis=0) - np.log(np.diag(chol)).sum()
                         - 0.5 * d * math.log(2 * math.pi))
        with np.errstate(divide="ignore"):
            return out + np.log(self.class_prior_)[None, :]

    def _posterior(self, X):
        lj = self._log_joint(X)
        return np.exp(lj - logsumexp(lj, axis=1, keepdims=True))

    def predict_information(self, X):
        """Expected semantic information ``sum_c P(c|z) I(c; theta_j)`` of each label (bits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            ``-inf`` for a label that is falsified where the posterior has mass.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        post = self._posterior(X)
        info = self.semantic_information_
        finite = np.isfinite(info)
        score = post @ np.where(finite, info, 0.0)
        dead = (post > 0) @ (~finite).astype(float) > 0
        score[dead] = -np.inf
        return score

    def predict(self, X):
        """MMI label of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Elements of ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_information(X), axis=1)]
