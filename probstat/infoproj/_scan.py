"""Model-dimension scans: the largest p that passes the p-n criterion at the data's n."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..backend import on_host
from ..base import ResultMixin, Summary
from ..utils import (
    check_array,
    check_option,
    check_scalar_in,
    check_sequence,
    check_verbose,
    progress,
)
from ..utils._parallel import check_n_jobs, parallel_map, runs_serially
from ._exact import _BOUNDS, kl_tolerance, min_sample_size
from ._expfam import ExponentialFamily, _about, _as_2d
from ._mvn import gaussian_max_loglik, mvn_correct_c2
from ._risk import _ESTIMATORS, _MODES, _truth_coefficients
from ._sandwich import mvn_sandwich_coefficients

__all__ = ["DimensionScan", "gaussian_dimension_scan", "multinomial_merge_scan"]


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class DimensionScan(ResultMixin):
    """Nested models scored by the p-n criterion, with AIC and BIC for comparison.

    Attributes
    ----------
    labels : tuple of str
        One label per model, in nesting order (growing ``p``).
    p : array of int
        Number of parameters of each model.
    n : int
        Number of observations.
    c1, c2 : array
        Risk coefficients.
    risk : array
        ``c1/n + c2/n^2`` (or ``c1/n`` at first order) at the data's ``n``.
    accept : array of bool
        Whether each model passes.
    n_min : array of int
        Smallest passing sample size of each model.
    loglik, aic, bic : array
        Log-likelihood at the MLE on the same data for every model (so AIC and BIC are
        comparable across the nest).
    tol : float
        Tolerance on the risk.
    order : int
        Order of the expansion.
    best : str or None
        Label of the largest model that passes the criterion (None if none does).
    aic_choice, bic_choice : str
        Labels of the AIC- and BIC-minimising models.
    """

    labels: tuple
    p: np.ndarray
    n: int
    c1: np.ndarray
    c2: np.ndarray
    risk: np.ndarray
    accept: np.ndarray
    n_min: np.ndarray
    loglik: np.ndarray
    aic: np.ndarray
    bic: np.ndarray
    tol: float
    order: int
    best: str | None
    aic_choice: str
    bic_choice: str

    def _summary_rows(self):
        return [("tol", self.tol), ("n", self.n), ("order", self.order), ("best", self.best),
                ("aic_choice", self.aic_choice), ("bic_choice", self.bic_choice)]

    def summary(self):
        """A table with one row per model.

        Returns
        -------
        probstat.base.Summary
            Text when printed, an HTML table in Jupyter.
        """
        from ..backend import to_numpy

        cols = {name: to_numpy(getattr(self, name)) for name in
                ("p", "c1", "c2", "risk", "n_min", "accept", "aic", "bic")}
        rows = [[lab, str(int(cols["p"][k])), f"{cols['c1'][k]:.4g}", f"{cols['c2'][k]:.4g}",
                 f"{cols['risk'][k]:.4g}", str(int(cols["n_min"][k])),
                 "yes" if cols["accept"][k] else "no", f"{cols['aic'][k]:.6g}",
                 f"{cols['bic'][k]:.6g}"] for k, lab in enumerate(self.labels)]
        return Summary.table(
            f"DimensionScan (n = {self.n}, tol = {self.tol:.4g}, order {self.order})",
            ["model", "p", "c1", "c2", "R(n)", "n_min", "pass", "AIC", "BIC"], rows,
            notes=[f"largest passing model: {self.best}; AIC picks {self.aic_choice}; "
                   f"BIC picks {self.bic_choice}"])

    def plot(self, ax=None, n_grid=None):
        """R(n) curves of every model against the tolerance (log-log).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw (a new figure by default).
        n_grid : array-like, optional
            Sample sizes (default: a geometric grid up to three times the largest of
            ``n`` and the ``n_min`` values).

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on.
        """
        from ._plot import plot_dimension_scan

        return plot_dimension_scan(self, ax=ax, n_grid=n_grid)


def _finish(labels, p, n, c1, c2, loglik, tol, order):
    p = np.asarray(p, dtype=int)
    c1, c2, loglik = (np.asarray(a, dtype=float) for a in (c1, c2, loglik))
    risk = c1 / n + (c2 / n**2 if order == 2 else 0.0)
    accept = risk <= tol
    n_min = np.array([min_sample_size(a, b, tol, order=order) for a, b in zip(c1, c2)])
    aic = -2 * loglik + 2 * p
    bic = -2 * loglik + p * math.log(n)
    passing = np.nonzero(accept)[0]
    best = labels[passing[np.argmax(p[passing])]] if passing.size else None
    return DimensionScan(labels=tuple(labels), p=p, n=int(n), c1=c1, c2=c2, risk=risk,
                         accept=accept, n_min=n_min, loglik=loglik, aic=aic, bic=bic,
                         tol=float(tol), order=int(order), best=best,
                         aic_choice=labels[int(np.argmin(aic))],
                         bic_choice=labels[int(np.argmin(bic))])


def _tolerance(tol, bayes_tv, bound):
    bound = check_option(bound, "bound", _BOUNDS)
    eps = check_scalar_in(bayes_tv, "bayes_tv", low=0, high=1, low_inclusive=False,
                          high_inclusive=False)
    if tol is not None:
        return check_scalar_in(tol, "tol", low=0, low_inclusive=False)
    return float(kl_tolerance(eps, bound))


def _gauss_task(task):
    return _gauss_block(*task)


def _gauss_block(Xb, mode, estimator):
    n, d = Xb.shape
    if mode == "correct":
        c1, c2 = d * (d + 3) / 4.0, mvn_correct_c2(d)
    else:
        c1, c2 = mvn_sandwich_coefficients(Xb, estimator=estimator)
    return c1, c2, gaussian_max_loglik(Xb)


def gaussian_dimension_scan(X, *, tol=None, bayes_tv=0.05, bound="best", order=2,
                            mode="sandwich", estimator="plugin", columns=None, verbose=False,
                            n_jobs=None):
    """Nested Gaussian models on growing variable blocks, scored by the p-n criterion.

    Model ``k`` (``k = 1..d``) is a Gaussian with full covariance on the first ``k``
    columns (in ``columns`` order) and independent univariate normals on the others, so
    every model describes the same data (AIC and BIC are comparable) and
    ``p_k = 2d + k(k-1)/2``. Model blocks are independent, so both the KL risk and its
    coefficients are sums over blocks (exactly, also under misspecification).

    Each model is judged by Sheena's p-n criterion [1]_ (section 3); walking a nest of
    models this way is probstat's construction. AIC [2]_ and BIC [3]_ are reported for
    comparison; in sandwich mode the Gaussian ``c1`` is ``(beta_2 + d)/4`` with
    ``beta_2`` Mardia's multivariate kurtosis [4]_.

    Parameters
    ----------
    X : array of shape (n, d)
        The data (a 1-D array is one column).
    tol : float, optional
        Tolerance on the risk in nats (> 0); default ``kl_tolerance(bayes_tv, bound)``.
    bayes_tv : float, default=0.05
        Allowed expected total variation, in (0, 1).
    bound : {"pinsker", "bretagnolle_huber", "best"}, default="best"
        Inequality of :func:`kl_tolerance`.
    order : {1, 2}, default=2
        As in :class:`PNCriterion`.
    mode : {"sandwich", "correct"}, default="sandwich"
        How the coefficients are computed (see :func:`risk_coefficients`).
    estimator : {"plugin", "kstat"}, default="plugin"
        How the truth's cumulants are estimated.
    columns : sequence of int, optional
        Order in which variables join the full-covariance block (a permutation of
        ``0..d-1``).
    verbose : bool, default=False
        Show a progress bar (when the models are scored in this process).
    n_jobs : int, optional
        Number of joblib workers over the models (-1: all cores). None follows the active
        ``joblib.parallel_config``: one process by default, the Dask cluster inside
        ``parallel_config(backend="dask")`` with a ``distributed.Client``. The scan has no
        randomness: the result is the same whatever ``n_jobs``.

    Returns
    -------
    DimensionScan
        The scored nest (arrays in the namespace of ``X``).

    Raises
    ------
    ValueError
        For bad options, ``X`` that is not finite, too few rows or a singular covariance.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 3, "Criterion for Model
       Complexity & Sample Size".
    .. [2] H. Akaike, "A new look at the statistical model identification", IEEE
       Transactions on Automatic Control 19(6) (1974), 716-723.
    .. [3] G. Schwarz, "Estimating the dimension of a model", Annals of Statistics 6(2)
       (1978), 461-464.
    .. [4] K. V. Mardia, "Measures of multivariate skewness and kurtosis with
       applications", Biometrika 57(3) (1970), 519-530.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.infoproj import gaussian_dimension_scan
    >>> X = np.random.default_rng(0).normal(size=(300, 4))
    >>> scan = gaussian_dimension_scan(X, mode="correct", tol=0.02)
    >>> scan.p.tolist()
    [8, 9, 11, 14]
    """
    mode = check_option(mode, "mode", ("sandwich", "correct"))
    estimator = check_option(estimator, "estimator", _ESTIMATORS)
    order = check_option(order, "order", (1, 2))
    tol = _tolerance(tol, bayes_tv, bound)
    verbose = check_verbose(verbose)
    n_jobs = check_n_jobs(n_jobs)
    host = on_host(X, where="gaussian_dimension_scan")
    X = _as_2d(host.to_numpy(X))
    n, d = X.shape
    cols = _permutation(columns, d)
    if n <= d + 1:
        raise ValueError(f"X has too few samples: n_samples={n} but d={d} columns")
    X = X[:, cols]
    # one task per univariate block and per full block on the first k > 1 columns
    tasks = [(X[:, [j]], mode, estimator) for j in range(d)] + \
        [(X[:, :k], mode, estimator) for k in range(2, d + 1)]
    with _about("X"):
        if verbose and runs_serially(n_jobs):
            blocks = [_gauss_task(t) for t in progress(tasks, verbose=verbose,
                                                       desc="gaussian scan (blocks)")]
        else:
            blocks = parallel_map(_gauss_task, tasks, n_jobs=n_jobs)
    uni = blocks[:d]
    labels, ps, c1s, c2s, lls = [], [], [], [], []
    for k in range(1, d + 1):
        b = blocks[d + k - 2] if k > 1 else uni[0]
        rest = uni[k:]
        labels.append(f"full on {k}")
        ps.append(2 * d + k * (k - 1) // 2)
        c1s.append(b[0] + sum(u[0] for u in rest))
        c2s.append(b[1] + sum(u[1] for u in rest))
        lls.append(b[2] + sum(u[2] for u in rest))
    return host.from_numpy(_finish(labels, ps, n, c1s, c2s, lls, tol, order))


def _permutation(columns, d):
    if columns is None:
        return list(range(d))
    try:
        cols = [int(c) for c in columns]
        ok = all(c == o for c, o in zip(cols, columns)) and sorted(cols) == list(range(d))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"columns must be a permutation of 0..{d - 1} (got {columns!r})")
    return cols


def _merge_sequence(counts):
    """Partitions of ordered cells, merging the smallest cell into its smaller neighbour."""
    groups = [[j] for j in range(len(counts))]
    seq = [[list(g) for g in groups]]
    while len(groups) > 2:
        sizes = [sum(counts[j] for j in g) for g in groups]
        i = int(np.argmin(sizes))
        if i == 0:
            nb = 1
        elif i == len(groups) - 1:
            nb = i - 1
        else:
            nb = i - 1 if sizes[i - 1] <= sizes[i + 1] else i + 1
        lo, hi = min(i, nb), max(i, nb)
        groups = groups[:lo] + [groups[lo] + groups[hi]] + groups[hi + 1:]
        seq.append([list(g) for g in groups])
    return seq[::-1]


def _check_partitions(partitions, cats):
    """Partitions given by category values -> lists of groups of category indices."""
    lookup = {c: j for j, c in enumerate(cats.tolist())}
    parts = []
    for part in check_sequence(partitions, "partitions", what="partitions", allow_empty=True):
        try:
            groups = [[lookup[c] for c in g] for g in part]
        except KeyError as exc:
            raise ValueError(f"partitions mention a category that labels do not have "
                             f"({exc})") from None
        except TypeError:
            raise TypeError("partitions must be lists of groups (lists) of category values "
                            f"(got {part!r})") from None
        if len(groups) < 2:
            raise ValueError("each of the partitions needs at least 2 groups")
        if sorted(j for g in groups for j in g) != list(range(len(cats))):
            raise ValueError("each of the partitions must cover every category of labels once")
        parts.append(groups)
    if not parts:
        raise ValueError("partitions must not be empty")
    return parts


def _merge_task(task):
    """(c1, c2, log-likelihood) of the multinomial on one partition's groups."""
    groups, codes, n_cats, mode = task
    k = len(groups)
    gmap = np.empty(n_cats, dtype=int)
    for g, members in enumerate(groups):
        gmap[members] = g
    gcount = np.bincount(gmap[codes], minlength=k)
    fam = ExponentialFamily.named("multinomial", k=k)
    grouped = gmap[codes].astype(float)[:, None]
    c1, c2 = _truth_coefficients(fam, grouped, None, mode, "plugin", 2)
    sizes = np.array([len(g) for g in groups])
    n = codes.shape[0]
    return c1, c2, float(np.sum(gcount * np.log(gcount / (n * sizes))))


def multinomial_merge_scan(labels, *, partitions=None, tol=None, bayes_tv=0.05, bound="best",
                           order=2, mode="correct", n_jobs=None):
    """Multinomial models with merged cells, scored by the p-n criterion.

    A partition of the observed categories into ``k`` groups is the submodel of the full
    multinomial with equal probabilities inside each group (``p = k - 1``); its MLE and
    risk depend only on the group counts. Log-likelihoods are on the original categories,
    so AIC [2]_ and BIC [3]_ compare the nest fairly. Each model is judged by Sheena's
    p-n criterion [1]_ (section 3); the merge sequence is probstat's construction.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Category of each observation: integers (e.g. quality scores; their order is used
        for the default merges).
    partitions : list of list of list, optional
        Each partition is a list of groups of category values. Default: start from the
        observed categories and repeatedly merge the smallest cell into its smaller
        neighbour, down to 2 groups.
    tol : float, optional
        Tolerance on the risk in nats (> 0); default ``kl_tolerance(bayes_tv, bound)``.
    bayes_tv : float, default=0.05
        Allowed expected total variation, in (0, 1).
    bound : {"pinsker", "bretagnolle_huber", "best"}, default="best"
        Inequality of :func:`kl_tolerance`.
    order : {1, 2}, default=2
        As in :class:`PNCriterion`.
    mode : {"correct", "sandwich", "cumulant"}, default="correct"
        A saturated multinomial is always correct on its grouped sample space, so all
        give ``c1 = p/2``; ``"sandwich"`` estimates it.
    n_jobs : int, optional
        Number of joblib workers over the partitions (-1: all cores). None follows the
        active ``joblib.parallel_config``: one process by default, the Dask cluster inside
        ``parallel_config(backend="dask")`` with a ``distributed.Client``. The scan has no
        randomness: the result is the same whatever ``n_jobs``.

    Returns
    -------
    DimensionScan
        The scored nest (arrays in the namespace of ``labels``).

    Raises
    ------
    ValueError
        If ``labels`` are not finite integers, hold fewer than 2 observations or fewer than
        2 categories, or a partition is malformed.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 3, "Criterion for Model
       Complexity & Sample Size".
    .. [2] H. Akaike, "A new look at the statistical model identification", IEEE
       Transactions on Automatic Control 19(6) (1974), 716-723.
    .. [3] G. Schwarz, "Estimating the dimension of a model", Annals of Statistics 6(2)
       (1978), 461-464.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.infoproj import multinomial_merge_scan
    >>> y = np.random.default_rng(0).choice(5, size=400, p=[0.05, 0.2, 0.4, 0.3, 0.05])
    >>> scan = multinomial_merge_scan(y, tol=0.01)
    >>> scan.p.tolist()
    [1, 2, 3, 4]
    """
    mode = check_option(mode, "mode", _MODES)
    order = check_option(order, "order", (1, 2))
    tol = _tolerance(tol, bayes_tv, bound)
    n_jobs = check_n_jobs(n_jobs)
    host = on_host(labels, where="multinomial_merge_scan")
    y = check_array(host.to_numpy(labels), "labels", ndim=1)
    if y.shape[0] < 2:
        raise ValueError(f"labels must hold at least 2 observations (got {y.shape[0]})")
    if not np.all(y == np.round(y)):
        raise ValueError(f"labels must be integers (got {y[y != np.round(y)][0]:g})")
    cats, codes, counts = np.unique(y.astype(np.int64), return_inverse=True,
                                    return_counts=True)
    if cats.shape[0] < 2:
        raise ValueError("labels must hold at least 2 different categories")
    n = y.shape[0]
    parts = _merge_sequence(counts.tolist()) if partitions is None else \
        _check_partitions(partitions, cats)
    scored = parallel_map(_merge_task, [(groups, codes, len(cats), mode) for groups in parts],
                          n_jobs=n_jobs)
    labs = ["{" + "|".join(",".join(str(cats[j]) for j in g) for g in groups) + "}"
            for groups in parts]
    ps = [len(groups) - 1 for groups in parts]
    c1s, c2s, lls = ([row[i] for row in scored] for i in range(3))
    return host.from_numpy(_finish(labs, ps, n, c1s, c2s, lls, tol, order))
