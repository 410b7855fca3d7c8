"""Search spaces of real, integer and categorical dimensions, encoded into the unit cube."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..backend import to_numpy
from ..backend._namespace import _is_foreign_array
from ..utils import check_option, check_scalar_in, check_sequence
from ._checks import check_name


class Real:
    """A continuous dimension ``[low, high]`` (scikit-optimize's ``Real``).

    A plain ``(low, high)`` pair given to :class:`Space`, :func:`minimize` or
    :class:`BayesianOptimizer` is a ``Real`` whatever the number types, as in
    :func:`scipy.optimize.minimize`'s ``bounds``: ``(0, 1)`` is the interval, not the
    integers 0 and 1.

    Parameters
    ----------
    low, high : float
        Finite bounds, ``low < high`` (integers are accepted and read as reals).
    prior : {"uniform", "log-uniform"}, default="uniform"
        ``"log-uniform"`` encodes ``log(x)`` (needs ``low > 0``); ``"log_uniform"`` is
        accepted as a spelling of it.
    name : str, optional
        A label.

    See Also
    --------
    Integer, Categorical, Space

    References
    ----------
    .. [1] T. Head, M. Kumar, H. Nahrstaedt, G. Louppe and I. Shcherbatyi,
       "scikit-optimize", Zenodo, 2021, doi:10.5281/zenodo.1157319 (``skopt.space.Real``:
       the names and meanings of ``low``, ``high`` and ``prior``).

    Examples
    --------
    >>> from probstat.bayesopt import Real
    >>> Real(1e-4, 1e-1, prior="log-uniform").encode([1e-4, 1e-2, 1e-1]).ravel().round(6).tolist()
    [0.0, 0.666667, 1.0]
    """

    def __init__(self, low, high, prior="uniform", name=None):
        low = float(check_scalar_in(low, "low"))
        high = float(check_scalar_in(high, "high"))
        if not low < high:
            raise ValueError(f"Real needs low < high (got low={low}, high={high})")
        prior = _check_prior(prior)
        if prior == "log-uniform" and low <= 0:
            raise ValueError(f"low must be > 0 for a log-uniform Real (got {low})")
        self.low, self.high, self.prior, self.name = low, high, prior, check_name(name)

    n_columns = 1

    def __repr__(self):
        return f"Real({self.low}, {self.high}, prior={self.prior!r})"

    def _t(self, v):
        return np.log(v) if self.prior == "log-uniform" else v

    def encode(self, values):
        """Map values linearly (in ``log`` for a log-uniform prior) onto ``[0, 1]``.

        Parameters
        ----------
        values : array-like of shape (n,)
            Values in ``[low, high]``.

        Returns
        -------
        ndarray of shape (n, 1)
            The encoded column.
        """
        v = np.asarray(values, dtype=float)
        lo, hi = self._t(self.low), self._t(self.high)
        return ((self._t(v) - lo) / (hi - lo))[:, None]

    def decode(self, cols):
        """Map encoded values back to the dimension, clipped to ``[low, high]``.

        Parameters
        ----------
        cols : ndarray of shape (n, 1)
            Encoded column; entries outside ``[0, 1]`` are clipped.

        Returns
        -------
        list of float
            The decoded values.
        """
        lo, hi = self._t(self.low), self._t(self.high)
        v = lo + np.clip(cols[:, 0], 0.0, 1.0) * (hi - lo)
        v = np.exp(v) if self.prior == "log-uniform" else v
        return [float(min(max(x, self.low), self.high)) for x in v]

    def contains(self, value):
        """Whether ``value`` is a real number (not a bool) in ``[low, high]``.

        Parameters
        ----------
        value : object
            The value to check.

        Returns
        -------
        bool
            True if ``value`` belongs to the dimension.
        """
        return (isinstance(value, numbers.Real) and not isinstance(value, bool)
                and self.low <= float(value) <= self.high)


class Integer:
    """An integer dimension ``{low, ..., high}`` (scikit-optimize's ``Integer``).

    The surrogate sees a continuous relaxation; proposals are rounded to the nearest
    integer. Integer dimensions must be asked for with this class: a plain ``(0, 10)``
    pair is the real interval.

    Parameters
    ----------
    low, high : int
        Integer bounds, ``low < high``.
    prior : {"uniform", "log-uniform"}, default="uniform"
        ``"log-uniform"`` relaxes ``log(x)`` (needs ``low > 0``), for counts spanning
        orders of magnitude.
    name : str, optional
        A label.

    See Also
    --------
    Real, Categorical, Space

    References
    ----------
    .. [1] T. Head, M. Kumar, H. Nahrstaedt, G. Louppe and I. Shcherbatyi,
       "scikit-optimize", Zenodo, 2021, doi:10.5281/zenodo.1157319
       (``skopt.space.Integer``).

    Examples
    --------
    >>> from probstat.bayesopt import Integer
    >>> Integer(1, 5).decode(Integer(1, 5).encode([1, 3, 5]))
    [1, 3, 5]
    """

    n_columns = 1

    def __init__(self, low, high, prior="uniform", name=None):
        low = check_scalar_in(low, "low", integer=True)
        high = check_scalar_in(high, "high", integer=True)
        if not low < high:
            raise ValueError(f"Integer needs low < high (got low={low}, high={high})")
        prior = _check_prior(prior)
        if prior == "log-uniform" and low <= 0:
            raise ValueError(f"low must be > 0 for a log-uniform Integer (got {low})")
        self.low, self.high, self.prior, self.name = low, high, prior, check_name(name)

    def __repr__(self):
        extra = "" if self.prior == "uniform" else f", prior={self.prior!r}"
        return f"Integer({self.low}, {self.high}{extra})"

    def _t(self, v):
        return np.log(v) if self.prior == "log-uniform" else v

    def encode(self, values):
        """Map integers linearly (in ``log`` for a log-uniform prior) onto ``[0, 1]``.

        Parameters
        ----------
        values : array-like of shape (n,)
            Integers in ``[low, high]``.

        Returns
        -------
        ndarray of shape (n, 1)
            The encoded column.
        """
        v = np.asarray(values, dtype=float)
        lo, hi = self._t(float(self.low)), self._t(float(self.high))
        return ((self._t(v) - lo) / (hi - lo))[:, None]

    def decode(self, cols):
        """Map encoded values back to the nearest integers in ``[low, high]``.

        Parameters
        ----------
        cols : ndarray of shape (n, 1)
            Encoded column; entries outside ``[0, 1]`` are clipped before rounding.

        Returns
        -------
        list of int
            The decoded values.
        """
        lo, hi = self._t(float(self.low)), self._t(float(self.high))
        v = lo + np.clip(cols[:, 0], 0.0, 1.0) * (hi - lo)
        v = np.exp(v) if self.prior == "log-uniform" else v
        return [int(min(max(x, self.low), self.high)) for x in np.rint(v)]

    def contains(self, value):
        """Whether ``value`` is an integer-valued number (not a bool) in ``[low, high]``.

        Parameters
        ----------
        value : object
            The value to check; integral floats such as ``3.0`` are accepted.

        Returns
        -------
        bool
            True if ``value`` belongs to the dimension.
        """
        return (isinstance(value, numbers.Integral | numbers.Real) and not isinstance(value, bool)
                and float(value) == math.floor(float(value))
                and self.low <= value <= self.high)


class Categorical:
    """A categorical dimension, one-hot encoded (scikit-optimize's ``Categorical``).

    Parameters
    ----------
    categories : sequence
        At least two distinct values.
    name : str, optional
        A label.

    See Also
    --------
    Real, Integer, Space

    References
    ----------
    .. [1] T. Head, M. Kumar, H. Nahrstaedt, G. Louppe and I. Shcherbatyi,
       "scikit-optimize", Zenodo, 2021, doi:10.5281/zenodo.1157319
       (``skopt.space.Categorical``).

    Examples
    --------
    >>> from probstat.bayesopt import Categorical
    >>> Categorical(["relu", "tanh"]).encode(["tanh"]).tolist()
    [[0.0, 1.0]]
    """

    def __init__(self, categories, name=None):
        cats = list(check_sequence(categories, "categories", what="values",
                                   allow_empty=True))
        if len(cats) < 2 or len(set(map(repr, cats))) != len(cats):
            raise ValueError(f"categories must hold >= 2 distinct values (got {cats!r})")
        self.categories, self.name = cats, check_name(name)

    def __repr__(self):
        return f"Categorical({self.categories!r})"

    @property
    def n_columns(self):
        return len(self.categories)

    def encode(self, values):
        """One-hot encode categories.

        Parameters
        ----------
        values : sequence of length n
            Values, each one of ``categories``.

        Returns
        -------
        ndarray of shape (n, len(categories))
            One row per value, with a 1 in the column of its category.
        """
        idx = [self.categories.index(v) for v in values]
        out = np.zeros((len(idx), len(self.categories)))
        out[np.arange(len(idx)), idx] = 1.0
        return out

    def decode(self, cols):
        """Decode each row to the category of its largest entry.

        Parameters
        ----------
        cols : ndarray of shape (n, len(categories))
            Encoded rows (one-hot or relaxed scores).

        Returns
        -------
        list
            The decoded categories.
        """
        return [self.categories[i] for i in np.argmax(cols, axis=1)]

    def contains(self, value):
        """Whether ``value`` is one of ``categories``.

        Parameters
        ----------
        value : object
            The value to check.

        Returns
        -------
        bool
            True if ``value`` equals one of the categories.
        """
        return value in self.categories


def _check_prior(prior):
    if isinstance(prior, str):
        prior = prior.replace("_", "-").lower()
    return check_option(prior, "prior", ("uniform", "log-uniform"))


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _as_dimension(spec, k):
    """One dimension from a Real/Integer/Categorical or a shorthand.

    ``(low, high)`` and ``(low, high, prior)`` are real intervals whatever the number
    types (SciPy's reading of ``bounds``); any other list or tuple is a categorical.
    """
    if isinstance(spec, Real | Integer | Categorical):
        return spec
    if isinstance(spec, tuple | list) and len(spec) in (2, 3) and all(
            _is_number(v) for v in spec[:2]) and (len(spec) == 2 or isinstance(spec[2], str)):
        if len(spec) == 3:
            return Real(spec[0], spec[1], prior=spec[2])
        return Real(*spec)
    if isinstance(spec, tuple | list):
        return Categorical(spec)
    raise TypeError(f"dimensions[{k}] must be a (low, high) pair, a list of categories or a "
                    f"Real/Integer/Categorical (got {spec!r})")


class Space:
    """A product of dimensions with an encoding into ``[0, 1]^n_columns``.

    Parameters
    ----------
    dimensions : sequence
        Each a :class:`Real`, :class:`Integer` or :class:`Categorical`, or a shorthand:
        ``(low, high)`` for a Real **whatever the number types** (``(0, 1)`` is the
        interval, as in :func:`scipy.optimize.minimize`), ``(low, high, prior)`` for a
        Real with that prior, any other list or tuple for a Categorical. Integer
        dimensions are asked for with ``Integer(low, high)``. scikit-optimize reads an
        int pair as an integer dimension; probstat does not.

    Attributes
    ----------
    dimensions : list
        The :class:`Real`, :class:`Integer` and :class:`Categorical` dimensions.

    See Also
    --------
    Real, Integer, Categorical

    References
    ----------
    .. [1] T. Head, M. Kumar, H. Nahrstaedt, G. Louppe and I. Shcherbatyi,
       "scikit-optimize", Zenodo, 2021, doi:10.5281/zenodo.1157319
       (``skopt.space.Space``).

    Examples
    --------
    >>> from probstat.bayesopt import Integer, Space
    >>> s = Space([(-5.0, 10.0), (0, 1), Integer(0, 3), ["a", "b"]])
    >>> [type(d).__name__ for d in s.dimensions]
    ['Real', 'Real', 'Integer', 'Categorical']
    >>> s.encode([[10.0, 0.25, 3, "b"]]).tolist()
    [[1.0, 0.25, 1.0, 0.0, 1.0]]
    """

    def __init__(self, dimensions):
        if isinstance(dimensions, Space):
            dimensions = dimensions.dimensions
        dims = check_sequence(dimensions, "dimensions", what="dimensions")
        self.dimensions = []
        for k, spec in enumerate(dims):
            try:
                self.dimensions.append(_as_dimension(spec, k))
            except (TypeError, ValueError) as exc:
                if str(exc).startswith("dimensions["):
                    raise
                raise type(exc)(f"dimensions[{k}]: {exc}") from None

    def __repr__(self):
        return f"Space({self.dimensions!r})"

    def __len__(self):
        return len(self.dimensions)

    @property
    def n_columns(self):
        return sum(d.n_columns for d in self.dimensions)

    @property
    def n_dims(self):
        """Number of dimensions (scikit-optimize's name)."""
        return len(self.dimensions)

    @property
    def bounds(self):
        """``(low, high)`` of each numeric dimension, the categories of a categorical."""
        return [tuple(d.categories) if isinstance(d, Categorical) else (d.low, d.high)
                for d in self.dimensions]

    @property
    def is_real(self):
        return all(isinstance(d, Real) for d in self.dimensions)

    def check_point(self, x, name="x"):
        """Validate one point; return it as a list.

        Parameters
        ----------
        x : sequence or ndarray
            One value per dimension.
        name : str, default="x"
            Name used in error messages.

        Returns
        -------
        list
            ``x`` as a list.

        Raises
        ------
        TypeError
            If ``x`` is not a sequence, or a numeric dimension gets a non-number.
        ValueError
            If ``x`` has the wrong length, a non-finite float, or a value outside its
            dimension.
        """
        if _is_foreign_array(x):
            x = to_numpy(x)
        if isinstance(x, np.ndarray):
            x = x.tolist()
        if not isinstance(x, list | tuple):
            raise TypeError(f"{name} must be a list of {len(self.dimensions)} values "
                            f"(got {x!r})")
        if len(x) != len(self.dimensions):
            raise ValueError(f"{name} must have {len(self.dimensions)} entries (got {x!r})")
        for k, (v, dim) in enumerate(zip(x, self.dimensions)):
            if not isinstance(dim, Categorical) and (
                    isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real)):
                raise TypeError(f"{name}[{k}] must be a number (got {v!r})")
            if isinstance(v, numbers.Real) and not np.isfinite(v):
                raise ValueError(f"{name}[{k}] must be finite (got {v})")
            if not dim.contains(v):
                raise ValueError(f"{name}[{k}] = {v!r} is outside dimension {k}: {dim!r}")
        return list(x)

    def encode(self, points):
        """Encode points (a list of lists) into an array of shape ``(n, n_columns)``.

        Parameters
        ----------
        points : sequence of sequences
            ``n`` points, each with one value per dimension.

        Returns
        -------
        ndarray of shape (n, n_columns)
            The encoded points in the unit cube.
        """
        points = [list(p) for p in points]
        cols = [dim.encode([p[k] for p in points]) for k, dim in enumerate(self.dimensions)]
        return np.hstack(cols)

    def decode(self, U):
        """Decode rows of the unit-cube array back into points (lists).

        Parameters
        ----------
        U : array-like of shape (n, n_columns) or (n_columns,)
            Encoded rows; a 1-D array is one row.

        Returns
        -------
        list of list
            ``n`` decoded points, each with one value per dimension.
        """
        U = np.atleast_2d(U)
        out, j = [], 0
        per_dim = []
        for dim in self.dimensions:
            per_dim.append(dim.decode(U[:, j:j + dim.n_columns]))
            j += dim.n_columns
        for i in range(U.shape[0]):
            out.append([vals[i] for vals in per_dim])
        return out

    def snap(self, U):
        """Round encoded rows to the nearest valid encoding (integers, one-hot).

        Parameters
        ----------
        U : array-like of shape (n, n_columns) or (n_columns,)
            Encoded rows; a 1-D array is one row.

        Returns
        -------
        ndarray of shape (n, n_columns)
            The rows decoded and re-encoded.
        """
        return self.encode(self.decode(U))
