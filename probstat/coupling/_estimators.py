"""scikit-learn estimators: MinimumEntropyCoupler and BottleneckCoupler."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..backend import on_host, to_numpy
from ..utils import check_rng, check_scalar_in
from ..utils._estimator_data import validate_estimator_data
from ..utils._numerics import log_base
from ..utils._param_validation import Interval, StrOptions, fit_context
from ._bounds import exact_mec, mec_lower_bound
from ._coupling import greedy_mec
from ._mecb import ENCODERS, _mec_b
from ._validation import check_marginals


def _check_X(estimator, X, *, reset):
    """``X`` as a float64 2-D NumPy array, with probstat's named errors."""
    return validate_estimator_data(estimator, X, reset=reset, dtype=np.float64)


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
    probability vectors directly. Array-API input is accepted: the coupling runs on the
    CPU and the fitted arrays are moved to the input's namespace and device.

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

    Notes
    -----
    The greedy method is that of [1]_, within log2(e)/e bits of the optimum for two
    variables [2]_, which also gives the ``lower_bound_`` certificate.

    References
    ----------
    .. [1] M. Kocaoglu, A. G. Dimakis, S. Vishwanath and B. Hassibi, "Entropic causal
       inference", AAAI 2017, arXiv:1611.04035 (the greedy minimum-entropy coupling
       algorithm).
    .. [2] S. Compton, D. Katz, B. Qi, K. Greenewald and M. Kocaoglu, "Minimum-entropy
       coupling approximation guarantees beyond the majorization barrier", AISTATS 2023,
       arXiv:2302.11838 (the profile lower bound; greedy within log2(e)/e bits of the
       optimum for two marginals and (1 + log2 e)/2 for any number; exact
       exponential-time solvers).

    Examples
    --------
    >>> from probstat.coupling import MinimumEntropyCoupler
    >>> mec = MinimumEntropyCoupler().fit_marginals([0.6, 0.4], [0.4, 0.3, 0.3])
    >>> round(mec.entropy_, 4), round(mec.lower_bound_, 4)
    (1.8464, 1.571)
    >>> mec.conditional(0, 1).round(2).tolist()
    [0.0, 0.75, 0.25]
    """

    _parameter_constraints = {
        "method": [StrOptions({"greedy", "exact"})],
        "tol": [Interval(Real, 0, None, closed="left")],
    }
    def __init__(self, method="greedy", *, tol=1e-15):
        self.method = method
        self.tol = tol

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True
        return tags

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

    @fit_context
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
            The fitted estimator.
        """
        host = on_host(X, where="MinimumEntropyCoupler.fit")
        X = _check_X(self, host.to_numpy(X), reset=True)
        categories, marginals = _column_marginals(X)
        self._fit_from(categories, marginals)
        return host.move_attributes(self, ("categories_", "marginals_", "coupling_"))

    @fit_context
    def fit_marginals(self, *marginals):
        """Couple given probability vectors.

        Parameters
        ----------
        *marginals : array-like of shape (n_i,)
            Probability vectors (each summing to one).

        Returns
        -------
        self : MinimumEntropyCoupler
            The fitted estimator.
        """
        host = on_host(*marginals, where="MinimumEntropyCoupler.fit_marginals")
        marginals = check_marginals([host.to_numpy(p) for p in marginals])
        self.n_features_in_ = len(marginals)
        self._fit_from([np.arange(p.shape[0]) for p in marginals], marginals)
        return host.move_attributes(self, ("categories_", "marginals_", "coupling_"))

    def sample(self, n_samples=1, *, random_state=None):
        """Draw joint samples of the variables from the coupling.

        Parameters
        ----------
        n_samples : int, default=1
            Number of draws (>= 1).
        random_state : None, int, RandomState or Generator
            Seed or generator of the draws.

        Returns
        -------
        ndarray of shape (n_samples, n_variables)
            Category values (an object array when the variables' dtypes differ), in the
            namespace of the fitted categories.
        """
        check_is_fitted(self)
        n_samples = check_scalar_in(n_samples, "n_samples", low=1, integer=True)
        rng = check_rng(random_state)
        host = on_host(*self.categories_, where="MinimumEntropyCoupler.sample")
        coupling = self.coupling_
        indices, masses = to_numpy(coupling.indices), to_numpy(coupling.masses)
        cdf = np.cumsum(masses)
        u = rng.random(n_samples) * cdf[-1]
        idx = indices[np.minimum(np.searchsorted(cdf, u, side="right"), masses.shape[0] - 1)]
        columns = [to_numpy(cats)[idx[:, j]] for j, cats in enumerate(self.categories_)]
        return host.from_numpy(np.column_stack(columns))

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
        match = np.flatnonzero(to_numpy(self.categories_[axis]) == value)
        if match.size == 0:
            raise ValueError(f"value {value!r} is not a category of variable {axis}")
        return self.coupling_.conditional(axis, int(match[0]))


def _check_target(y, n_samples):
    """Category values of ``y`` as a 1-D NumPy array of numbers or strings."""
    try:
        arr = np.asarray(y)
    except ValueError:
        raise ValueError("y must be a 1-D array of category values; nested sequences of "
                         "different lengths are not") from None
    if arr.dtype.kind == "c":
        raise TypeError(f"y must hold real numbers or strings (got complex dtype {arr.dtype})")
    if arr.dtype.kind not in "biufUSO":
        raise TypeError(f"y must hold real numbers or strings (got dtype {arr.dtype})")
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D (got shape {arr.shape})")
    if arr.shape[0] != n_samples:
        raise ValueError(f"y must have one value per row of X ({n_samples}) "
                         f"(got {arr.shape[0]})")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError("y must be finite (found NaN or inf)")
    if arr.dtype.kind == "O":
        for value in arr:
            if value is None or (isinstance(value, float) and not np.isfinite(value)):
                raise ValueError(f"y must not contain {value!r}")
    return arr


class BottleneckCoupler(TransformerMixin, BaseEstimator):
    """MEC-B as an estimator: compress ``X`` to a code ``T`` with ``H(T) <= rate``, then
    couple ``T`` with ``Y`` by minimum entropy.

    ``fit`` estimates ``p_X`` from the distinct rows of ``X`` (each row is one source
    symbol) and ``p_Y`` from ``y`` (or uses ``p_Y = p_X`` when ``y`` is None), then solves
    :func:`mec_b`. The pairing of ``X`` and ``y`` within samples is not used: only the
    marginals are fixed, as in the MEC-B problem. Array-API input is accepted: the solver
    runs on the CPU and the fitted arrays are moved to the input's namespace and device
    (category values that are strings stay NumPy).

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
    p_x_ : ndarray of shape (n_x,)
        The fitted source marginal.
    p_y_ : ndarray of shape (n_y,)
        The fitted target marginal.
    encoder_ : ndarray of shape (n_x, n_codes)
        ``p(t | x)``.
    decoder_ : ndarray of shape (n_codes, n_y)
        ``q(y | t)``.
    joint_ : ndarray of shape (n_x, n_y)
        ``p(x, y)``.
    n_codes_ : int
        Number of codes ``|T|``.
    n_features_in_ : int
        Number of columns of ``X``.

    See Also
    --------
    mec_b, MinimumEntropyCoupler

    Notes
    -----
    MEC-B and its encoder/decoder split are those of [1]_; the decoder is the greedy
    coupling of [2]_.

    References
    ----------
    .. [1] M. R. Ebrahimi, J. Chen and A. Khisti, "Minimum entropy coupling with
       bottleneck", NeurIPS 2024, arXiv:2410.21666 (the split of MEC-B into an EBIM
       encoder and an MEC decoder through I(X; Y) >= I(X; T) + I(T; Y) - R).
    .. [2] M. Kocaoglu, A. G. Dimakis, S. Vishwanath and B. Hassibi, "Entropic causal
       inference", AAAI 2017, arXiv:1611.04035 (the greedy minimum-entropy coupling
       algorithm).

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

    _parameter_constraints = {
        "rate": [Interval(Real, 0, None, closed="left")],
        "encoder": [StrOptions(set(ENCODERS))],
        # base != 1 is checked by log_base in fit (an Interval cannot leave out one point).
        "base": [Interval(Real, 0, None, closed="neither")],
        "handle_unknown": [StrOptions({"prior", "error"})],
    }
    def __init__(self, rate=1.0, *, encoder="greedy", base=2, handle_unknown="prior"):
        self.rate = rate
        self.encoder = encoder
        self.base = base
        self.handle_unknown = handle_unknown

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.array_api_support = True
        return tags

    @fit_context
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
            The fitted estimator.
        """
        scale = log_base(self.base)
        host = on_host(X, y, where="BottleneckCoupler.fit")
        X = _check_X(self, host.to_numpy(X), reset=True)
        rows, counts = np.unique(X, axis=0, return_counts=True)
        self.source_categories_ = rows
        self.p_x_ = counts / counts.sum()
        if y is None:
            self.target_categories_ = rows
            self.p_y_ = self.p_x_.copy()
        else:
            values, counts_y = np.unique(_check_target(host.to_numpy(y), X.shape[0]),
                                         return_counts=True)
            self.target_categories_ = values
            self.p_y_ = counts_y / counts_y.sum()
        result = _mec_b(self.p_x_, self.p_y_, float(self.rate), self.encoder, scale, self.base)
        self.result_ = result
        self.encoder_ = result.encoder
        self.decoder_ = result.decoder
        self.joint_ = result.joint
        self.n_codes_ = int(result.p_t.shape[0])
        self._lookup = {tuple(r): i for i, r in enumerate(rows)}
        moved = ["result_", "source_categories_", "p_x_", "p_y_", "encoder_", "decoder_",
                 "joint_"]
        if self.target_categories_.dtype.kind in "biuf":  # strings have no device array
            moved.append("target_categories_")
        return host.move_attributes(self, moved)

    def _rows(self, X):
        X = _check_X(self, X, reset=False)
        index = np.array([self._lookup.get(tuple(r), -1) for r in X], dtype=np.int64)
        if self.handle_unknown == "error" and np.any(index < 0):
            bad = X[np.flatnonzero(index < 0)[0]]
            raise ValueError(f"X contains a row not seen during fit: {bad.tolist()}")
        return index

    def _code_probabilities(self, X):
        index = self._rows(X)
        out = to_numpy(self.encoder_)[np.maximum(index, 0)].copy()
        out[index < 0] = to_numpy(self.result_.p_t)
        return out

    def transform(self, X):
        """The encoder's code distribution ``p(t | x)`` for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source rows.

        Returns
        -------
        ndarray of shape (n_samples, ``n_codes_``)
            One-hot rows for a deterministic encoder, in the namespace of ``X``.
        """
        check_is_fitted(self)
        host = on_host(X, where="BottleneckCoupler.transform", fitted=self)
        return host.from_numpy(self._code_probabilities(host.to_numpy(X)))

    def encode(self, X, *, random_state=None):
        """Draw a code ``t ~ p(t | x)`` for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source rows.
        random_state : None, int, RandomState or Generator
            Seed or generator of the draws.

        Returns
        -------
        ndarray of shape (n_samples,), int64
            Codes, in the namespace of ``X``.
        """
        check_is_fitted(self)
        rng = check_rng(random_state)
        host = on_host(X, where="BottleneckCoupler.encode", fitted=self)
        probs = self._code_probabilities(host.to_numpy(X))
        return host.from_numpy(_draw_rows(probs, rng))

    def sample_y(self, X, *, random_state=None):
        """Draw ``y ~ p(y | x)`` through the code, for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Source rows.
        random_state : None, int, RandomState or Generator
            Seed or generator of the draws.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_features)
            Values from ``target_categories_`` (in the namespace of ``X`` when numeric).
        """
        check_is_fitted(self)
        rng = check_rng(random_state)
        host = on_host(X, where="BottleneckCoupler.sample_y", fitted=self)
        t = _draw_rows(self._code_probabilities(host.to_numpy(X)), rng)
        y_index = _draw_rows(to_numpy(self.decoder_)[t], rng)
        values = to_numpy(self.target_categories_)[y_index]
        return host.from_numpy(values) if values.dtype.kind in "biuf" else values


def _draw_rows(probs, rng):
    """One categorical draw per row of a row-stochastic matrix."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cdf[:, -1]
    return np.minimum((cdf <= u[:, None]).sum(axis=1), probs.shape[1] - 1)
