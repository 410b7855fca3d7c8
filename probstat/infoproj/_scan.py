"""Model-dimension scans: the largest p that passes the p-n criterion at the data's n."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..base import ResultMixin
from ..utils import check_scalar_in, progress
from ._core import kl_tolerance, min_sample_size
from ._expfam import ExponentialFamily, _as_2d, mvn_correct_c2, mvn_sandwich_coefficients
from ._risk import _MODES, risk_coefficients

__all__ = ["DimensionScan", "gaussian_dimension_scan", "multinomial_merge_scan"]


@dataclasses.dataclass(frozen=True)
class DimensionScan(ResultMixin):
    """Nested models scored by the p-n criterion, with AIC and BIC for comparison.

    Attributes
    ----------
    labels : tuple of str
        One label per model, in nesting order (growing ``p``).
    p : ndarray of int
    n : int
    c1, c2 : ndarray
        Risk coefficients.
    risk : ndarray
        ``c1/n + c2/n^2`` (or ``c1/n`` at first order) at the data's ``n``.
    accept : ndarray of bool
    n_min : ndarray of int
    loglik, aic, bic : ndarray
        Log-likelihood at the MLE on the same data for every model (so AIC and BIC are
        comparable across the nest).
    tol : float
    order : int
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
        str
        """
        head = (f"{'model':<16}{'p':>5}{'c1':>10}{'c2':>11}{'R(n)':>11}{'n_min':>8}"
                f"{'pass':>6}{'AIC':>12}{'BIC':>12}")
        lines = [f"DimensionScan (n = {self.n}, tol = {self.tol:.4g}, order {self.order})",
                 head, "-" * len(head)]
        for k, lab in enumerate(self.labels):
            lines.append(f"{lab[:15]:<16}{self.p[k]:>5}{self.c1[k]:>10.4g}{self.c2[k]:>11.4g}"
                         f"{self.risk[k]:>11.4g}{self.n_min[k]:>8}"
                         f"{'yes' if self.accept[k] else 'no':>6}"
                         f"{self.aic[k]:>12.6g}{self.bic[k]:>12.6g}")
        lines.append(f"largest passing model: {self.best}; AIC picks {self.aic_choice}; "
                     f"BIC picks {self.bic_choice}")
        return "\n".join(lines)

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
        """
        from ..plotting import get_axes

        ax = get_axes(ax, figsize=(6.4, 4.2))
        if n_grid is None:
            top = 3 * max(self.n, int(np.max(self.n_min)))
            n_grid = np.geomspace(max(int(np.min(self.p)), 2), top, 200)
        n_grid = np.asarray(n_grid, dtype=float)
        import matplotlib as mpl

        cmap = mpl.colormaps["viridis"]
        for k, lab in enumerate(self.labels):
            r = self.c1[k] / n_grid + (self.c2[k] / n_grid**2 if self.order == 2 else 0.0)
            ok = r > 0
            color = cmap(k / max(len(self.labels) - 1, 1))
            ax.loglog(n_grid[ok], r[ok], color=color, lw=1.4,
                      ls="-" if self.accept[k] else "--", label=f"{lab} (p={self.p[k]})")
        ax.axhline(self.tol, color="k", lw=1, ls=":", label=f"tolerance {self.tol:.3g}")
        ax.axvline(self.n, color="gray", lw=1, ls=":")
        ax.set_xlabel("sample size n")
        ax.set_ylabel("risk R(n) (nats)")
        ax.set_title("p-n criterion: solid = passes at the data's n")
        ax.legend(fontsize=7, ncol=2)
        return ax


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
    if tol is not None:
        return check_scalar_in(tol, "tol", low=0, low_inclusive=False)
    eps = check_scalar_in(bayes_tv, "bayes_tv", low=0, high=1, low_inclusive=False,
                          high_inclusive=False)
    return float(kl_tolerance(eps, bound))


def _gauss_block(Xb, mode, estimator):
    n, d = Xb.shape
    if mode == "correct":
        c1, c2 = d * (d + 3) / 4.0, mvn_correct_c2(d)
    else:
        c1, c2 = mvn_sandwich_coefficients(Xb, estimator=estimator)
    S = np.cov(Xb, rowvar=False, bias=True).reshape(d, d)
    logdet = np.linalg.slogdet(2 * np.pi * S)[1]
    return c1, c2, -0.5 * n * (logdet + d)


def gaussian_dimension_scan(X, *, tol=None, bayes_tv=0.05, bound="best", order=2,
                            mode="sandwich", estimator="plugin", columns=None, verbose=False):
    """Nested Gaussian models on growing variable blocks, scored by the p-n criterion.

    Model ``k`` (``k = 1..d``) is a Gaussian with full covariance on the first ``k``
    columns (in ``columns`` order) and independent univariate normals on the others, so
    every model describes the same data (AIC and BIC are comparable) and
    ``p_k = 2d + k(k-1)/2``. Model blocks are independent, so both the KL risk and its
    coefficients are sums over blocks (exactly, also under misspecification).

    Parameters
    ----------
    X : array of shape (n, d)
    tol : float, optional
    bayes_tv : float, default=0.05
    bound : str, default="best"
    order : {1, 2}, default=2
        As in :class:`PNCriterion`.
    mode : {"sandwich", "correct"}, default="sandwich"
    estimator : {"plugin", "kstat"}, default="plugin"
    columns : sequence of int, optional
        Order in which variables join the full-covariance block.
    verbose : bool, default=False

    Returns
    -------
    DimensionScan

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.infoproj import gaussian_dimension_scan
    >>> X = np.random.default_rng(0).normal(size=(300, 4))
    >>> scan = gaussian_dimension_scan(X, mode="correct", tol=0.02)
    >>> scan.p.tolist()
    [8, 9, 11, 14]
    """
    X = _as_2d(X)
    if mode not in ("sandwich", "correct"):
        raise ValueError(f"mode must be 'sandwich' or 'correct' (got {mode!r})")
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2 (got {order!r})")
    tol = _tolerance(tol, bayes_tv, bound)
    n, d = X.shape
    cols = list(range(d)) if columns is None else [int(c) for c in columns]
    if sorted(cols) != list(range(d)):
        raise ValueError(f"columns must be a permutation of 0..{d - 1}")
    if n <= d + 1:
        raise ValueError(f"fewer samples than needed: n_samples={n} but d={d} columns")
    X = X[:, cols]
    uni = [_gauss_block(X[:, [j]], mode, estimator) for j in range(d)]
    labels, ps, c1s, c2s, lls = [], [], [], [], []
    for k in progress(range(1, d + 1), verbose=verbose, desc="gaussian scan"):
        b = _gauss_block(X[:, :k], mode, estimator) if k > 1 else uni[0]
        rest = uni[k:]
        labels.append(f"full on {k}")
        ps.append(2 * d + k * (k - 1) // 2)
        c1s.append(b[0] + sum(u[0] for u in rest))
        c2s.append(b[1] + sum(u[1] for u in rest))
        lls.append(b[2] + sum(u[2] for u in rest))
    return _finish(labels, ps, n, c1s, c2s, lls, tol, order)


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


def multinomial_merge_scan(labels, *, partitions=None, tol=None, bayes_tv=0.05, bound="best",
                           order=2, mode="correct"):
    """Multinomial models with merged cells, scored by the p-n criterion.

    A partition of the observed categories into ``k`` groups is the submodel of the full
    multinomial with equal probabilities inside each group (``p = k - 1``); its MLE and
    risk depend only on the group counts. Log-likelihoods are on the original categories,
    so AIC and BIC compare the nest fairly.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Category of each observation (any sortable values; ordinal order is used for the
        default merges).
    partitions : list of list of list, optional
        Each partition is a list of groups of category values. Default: start from the
        observed categories and repeatedly merge the smallest cell into its smaller
        neighbour, down to 2 groups.
    tol : float, optional
    bayes_tv : float, default=0.05
    bound : str, default="best"
    order : {1, 2}, default=2
        As in :class:`PNCriterion`.
    mode : {"correct", "sandwich"}, default="correct"
        A saturated multinomial is always correct on its grouped sample space, so both
        give ``c1 = p/2``; ``"sandwich"`` estimates it.

    Returns
    -------
    DimensionScan

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.infoproj import multinomial_merge_scan
    >>> y = np.random.default_rng(0).choice(5, size=400, p=[0.05, 0.2, 0.4, 0.3, 0.05])
    >>> scan = multinomial_merge_scan(y, tol=0.01)
    >>> scan.p.tolist()
    [1, 2, 3, 4]
    """
    y = np.asarray(labels).reshape(-1)
    if y.size < 2:
        raise ValueError(f"labels must hold at least 2 observations (got {y.size})")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES} (got {mode!r})")
    tol = _tolerance(tol, bayes_tv, bound)
    cats, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    n = y.size
    if partitions is None:
        parts = _merge_sequence(counts.tolist())
    else:
        lookup = {c: j for j, c in enumerate(cats.tolist())}
        parts = []
        for part in partitions:
            try:
                groups = [[lookup[c] for c in g] for g in part]
            except KeyError as exc:
                raise ValueError(f"partition mentions an unobserved category {exc}") from None
            flat = sorted(j for g in groups for j in g)
            if flat != list(range(len(cats))):
                raise ValueError("each partition must cover every observed category once")
            parts.append(groups)
    labs, ps, c1s, c2s, lls = [], [], [], [], []
    for groups in parts:
        k = len(groups)
        if k < 2:
            raise ValueError("a partition needs at least 2 groups")
        gmap = np.empty(len(cats), dtype=int)
        for g, members in enumerate(groups):
            gmap[members] = g
        gy = gmap[codes].astype(float)[:, None]
        gcount = np.bincount(gmap[codes], minlength=k)
        if np.any(gcount == 0):
            raise ValueError("every group must be observed at least once")
        fam = ExponentialFamily.named("multinomial", k=k)
        c1, c2 = risk_coefficients(fam, gy, mode=mode)
        sizes = np.array([len(g) for g in groups])
        ll = float(np.sum(gcount * np.log(gcount / (n * sizes))))
        labs.append("{" + "|".join(",".join(str(cats[j]) for j in g) for g in groups) + "}")
        ps.append(k - 1)
        c1s.append(c1)
        c2s.append(c2)
        lls.append(ll)
    return _finish(labs, ps, n, c1s, c2s, lls, tol, order)
