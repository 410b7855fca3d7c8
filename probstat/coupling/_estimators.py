"""scikit-learn estimators: MinimumEntropyCoupler and BottleneckCoupler."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils import check_rng, check_scalar_in
from ._bounds import exact_mec, mec_lower_bound
from ._coupling import greedy_mec
from ._mecb import ENCODERS, mec_b
from ._validation import check_base, check_marginals, check_rate


def _column_marginals(X):
    """Categories and empirical frequencies of every column of X."""
    categories, marginals = [], []
    for j in range(X.shape[1]):
        values, counts = np.unique(X[:, j], return_counts=True)
        categories.append(values)
        marginals.append(counts / counts.sum())
    return categories, marginals


class MinimumEntropyCoupler(BaseEstimator):
    """Minimum-entropy coupling of the marginals of several discrete variables.

    ``fit(X)`` treats every column of ``X`` as a categorical variable (its distinct values
    are the categories), estimates its distribution by the empirical frequencies, and
    couples these marginals with the least joint entropy the chosen method finds; the
    pairing of values within rows of ``X`` is ignored. :meth:`fit_marginals` takes the
    probability vectors directly.

    Parameters
    ----------
    method : {"greedy", "exact"}, default="greedy"
        :func:`greedy_mec` (any number of variables, ``O(N log N)``) or :func:`exact_mec`
        (two variables with at most 14 categories in all).
    tol : float, default=1e-15
        Remainder tolerance of the greedy coupling.

    Attributes
    ----------
    coupling_ : Coupling
        The sparse joint distribution over category indices.
    categories_ : list of ndarray
        Category values of each variable (``arange(n_i)`` after :meth:`fit_marginals`).
    marginals_ : list of ndarray
        The marginals that were coupled.
    entropy_ : float
        Joint entropy of the coupling, in bits.
    lower_bound_ : float
        Majorize-profile lower bound on any coupling's entropy, in bits.
    gap_ : float
        ``entropy_ - lower_bound_``: a certificate of how far from optimal it can be.
    n_features_in_ : int
        Number of coupled variables.

    See Also
    --------
    greedy_mec, exact_mec, BottleneckCoupler

    Examples
    --------
    >>> from probstat.coupling import MinimumEntropyCoupler
    >>> mec = MinimumEntropyCoupler().fit_marginals([0.6, 0.4], [0.4, 0.3, 0.3])
    >>> round(mec.entropy_, 4), round(mec.lower_bound_, 4)
    (1.8464, 1.571)
    >>> mec.conditional(0, 1).round(2).tolist()
    [0.0, 0.75, 0.25]
    """

    def __init__(self, method="greedy", tol=1e-15):
        self.method = method
        self.tol = tol

    def _check_params(self):
        if self.method not in ("greedy", "exact"):
            raise ValueError(f"method must be 'greedy' or 'exact' (got {self.method!r})")
        check_scalar_in(self.tol, "tol", low=0)

    def _fit_from(self, categories, marginals):
        if self.method == "exact":
            if len(marginals) != 2:
                raise ValueError(
                    f"method='exact' couples exactly 2 variables (got {len(marginals)})"
                )
            coupling = exact_mec(*marginals)
        else:
            coupling = greedy_mec(*marginals, tol=self.tol)
        self.categories_ = categories
        self.marginals_ = marginals
        self.coupling_ = coupling
        self.entropy_ = coupling.entropy()
        self.lower_bound_ = mec_lower_bound(*marginals)
        self.gap_ = max(self.entropy_ - self.lower_bound_, 0.0)
        return self

    def fit(self, X, y=None):
        """Estimate each column's distribution and couple them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_variables)
            Samples of categorical variables, one column each (numeric codes).
        y : None
            Ignored.

        Returns
        -------
        self : MinimumEntropyCoupler
        """
        self._check_params()
        X = validate_data(self, X)
        categories, marginals = _column_marginals(X)
        return self._fit_from(categories, marginals)

    def fit_marginals(self, *marginals):
        """Couple given probability vectors.

        Parameters
        ----------
        *marginals : array-like of shape (n_i,)
            Probability vectors (each summing to one).

        Returns
        -------
        self : MinimumEntropyCoupler
        """
        self._check_params()
        marginals = check_marginals(marginals, "MinimumEntropyCoupler.fit_marginals")
        self.n_features_in_ = len(marginals)
        return self._fit_from([np.arange(p.shape[0]) for p in marginals], marginals)

    def sample(self, n_samples=1, random_state=None):
        """Draw joint samples of the variables from the coupling.

        Parameters
        ----------
        n_samples : int, default=1
        random_state : None, int, RandomState or Generator

        Returns
        -------
        ndarray of shape (n_samples, n_variables)
            Category values (an object array when the variables' dtypes differ).
        """
        check_is_fitted(self)
        idx = self.coupling_.sample(n_samples, random_state=check_rng(random_state))
        columns = [cats[idx[:, j]] for j, cats in enumerate(self.categories_)]
        return np.column_stack(columns)

    def conditional(self, axis, value):
        """Distribution of the other variable(s) given variable ``axis`` equals ``value``.

        Parameters
        ----------
        axis : int
            The conditioning variable.
        value : scalar
            One of its categories (``categories_[axis]``).

        Returns
        -------
        ndarray or Coupling
            A probability vector over ``categories_`` of the other variable for two
            variables; a :class:`Coupling` of the remaining ones otherwise.
        """
        check_is_fitted(self)
        m = len(self.categories_)
        axis = check_scalar_in(axis, "axis", low=-m, high=m - 1, integer=True) % m
        match = np.flatnonzero(self.categories_[axis] == value)
        if match.size == 0:
            raise ValueError(f"value {value!r} is not a category of variable {axis}")
        return self.coupling_.conditional(axis, int(match[0]))


class BottleneckCoupler(TransformerMixin, BaseEstimator):
    """MEC-B as an estimator: compress ``X`` to a code ``T`` with ``H(T) <= rate``, then
    couple ``T`` with ``Y`` by minimum entropy.

    ``fit`` estimates ``p_X`` from the distinct rows of ``X`` (each row is one source
    symbol) and ``p_Y`` from ``y`` (or uses ``p_Y = p_X`` when ``y`` is None), then solves
    :func:`mec_b`. The pairing of ``X`` and ``y`` within samples is not used: only the
    marginals are fixed, as in the MEC-B problem.

    Parameters
    ----------
    rate : float, default=1.0
        Bottleneck on ``H(T)``, in units of ``base``.
    encoder : {"greedy", "refined", "uniform"}, default="greedy"
        EBIM method of the encoder (see :func:`mec_b`).
    base : float, default=2
        Log base of ``rate`` and of the reported information.
    handle_unknown : {"prior", "error"}, default="prior"
        What :meth:`transform` and :meth:`sample_y` do with a row not seen in ``fit``:
        ``"prior"`` gives it the code distribution ``p(t)`` (no information about it),
        ``"error"`` raises a ValueError.

    Attributes
    ----------
    result_ : MECBResult
        The full solution (information values, lower bound).
    source_categories_ : ndarray of shape (n_x, n_features)
        The distinct rows of ``X``, in the order of ``p_x_``.
    target_categories_ : ndarray of shape (n_y,) or (n_x, n_features)
        Values of ``y`` (or the source rows when ``y`` is None).
    p_x_, p_y_ : ndarray
        The fitted marginals.
    encoder_ : ndarray of shape (n_x, n_codes)
        ``p(t | x)``.
    decoder_ : ndarray of shape (n_codes, n_y)
        ``q(y | t)``.
    joint_ : ndarray of shape (n_x, n_y)
        ``p(x, y)``.
    n_codes_ : int
    n_features_in_ : int

    See Also
    --------
    mec_b, MinimumEntropyCoupler

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.coupling import BottleneckCoupler
    >>> X = np.repeat([[0], [1], [2], [3]], [4, 2, 1, 1], axis=0)
    >>> bc = BottleneckCoupler(rate=1.0).fit(X)
    >>> bc.n_codes_, round(bc.result_.I_xy, 4)
    (2, 0.8113)
    >>> bc.transform([[0], [3]]).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """

    def __init__(self, rate=1.0, encoder="greedy", base=2, handle_unknown="prior"):
        self.rate = rate
        self.encoder = encoder
        self.base = base
        self.handle_unknown = handle_unknown

    def _check_params(self):
        check_rate(self.rate)
        check_base(self.base)
        if self.encoder not in ENCODERS:
            raise ValueError(f"encoder must be one of {ENCODERS} (got {self.encoder!r})")
        if self.handle_unknown not in ("prior", "error"):
            raise ValueError(
                f"handle_unknown must be 'prior' or 'error' (got {self.handle_unknown!r})"
            )

    def fit(self, X, y=None):
        """Fit the marginals and solve MEC-B.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source samples; each distinct row is a symbol.
        y : array-like of shape (n_samples,), optional
            Target samples (categorical). None uses ``p_Y = p_X``.

        Returns
        -------
        self : BottleneckCoupler
        """
        self._check_params()
        if y is None:
            X = validate_data(self, X)
        else:
            X, y = validate_data(self, X, y, dtype=None)
            X = np.asarray(X, dtype=np.float64)
        rows, counts = np.unique(X, axis=0, return_counts=True)
        self.source_categories_ = rows
        self.p_x_ = counts / counts.sum()
        if y is None:
            self.target_categories_ = rows
            self.p_y_ = self.p_x_.copy()
        else:
            values, counts_y = np.unique(np.asarray(y), return_counts=True)
            self.target_categories_ = values
            self.p_y_ = counts_y / counts_y.sum()
        result = mec_b(self.p_x_, self.p_y_, self.rate, encoder=self.encoder, base=self.base)
        self.result_ = result
        self.encoder_ = result.encoder
        self.decoder_ = result.decoder
        self.joint_ = result.joint
        self.n_codes_ = int(result.p_t.shape[0])
        self._lookup = {tuple(r): i for i, r in enumerate(rows)}
        return self

    def _rows(self, X):
        X = validate_data(self, X, reset=False)
        index = np.array([self._lookup.get(tuple(r), -1) for r in X], dtype=np.int64)
        if self.handle_unknown == "error" and np.any(index < 0):
            bad = X[np.flatnonzero(index < 0)[0]]
            raise ValueError(f"X contains a row not seen during fit: {bad.tolist()}")
        return index

    def transform(self, X):
        """The encoder's code distribution ``p(t | x)`` for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, ``n_codes_``)
            One-hot rows for a deterministic encoder.
        """
        check_is_fitted(self)
        index = self._rows(X)
        out = self.encoder_[np.maximum(index, 0)].copy()
        out[index < 0] = self.result_.p_t
        return out

    def encode(self, X, random_state=None):
        """Draw a code ``t ~ p(t | x)`` for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        random_state : None, int, RandomState or Generator

        Returns
        -------
        ndarray of shape (n_samples,), int64
        """
        probs = self.transform(X)
        return _draw_rows(probs, check_rng(random_state))

    def sample_y(self, X, random_state=None):
        """Draw ``y ~ p(y | x)`` through the code, for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        random_state : None, int, RandomState or Generator

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_features)
            Values from ``target_categories_``.
        """
        rng = check_rng(random_state)
        t = _draw_rows(self.transform(X), rng)
        y_index = _draw_rows(self.decoder_[t], rng)
        return self.target_categories_[y_index]


def _draw_rows(probs, rng):
    """One categorical draw per row of a row-stochastic matrix."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cdf[:, -1]
    return np.minimum((cdf <= u[:, None]).sum(axis=1), probs.shape[1] - 1)
