"""Declarative hyperparameter validation for probstat's estimators.

Estimators declare ``_parameter_constraints`` (a dict from each ``__init__`` parameter to a
list of allowed types, :class:`Interval`, :class:`StrOptions`, ...) and decorate ``fit``
with :func:`fit_context`; a bad value then raises :class:`InvalidParameterError` (a
subclass of both ``ValueError`` and ``TypeError``) whose message names the parameter, the
estimator and the rule, exactly as scikit-learn's own estimators do::

    class MyEstimator(BaseEstimator):
        _parameter_constraints = {
            "n_components": [Interval(Integral, 1, None, closed="left")],
            "solver": [StrOptions({"auto", "exact"})],
            "random_state": RANDOM_STATE,
        }

        @fit_context
        def fit(self, X, y=None): ...

scikit-learn keeps this machinery in private modules (``sklearn.utils._param_validation``,
``sklearn.base._fit_context``); this module is the one place probstat imports it from, so
a change in scikit-learn is fixed here and nowhere else.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)

__all__ = [
    "BOOL",
    "RANDOM_STATE",
    "VERBOSE",
    "HasMethods",
    "Hidden",
    "Integral",
    "Interval",
    "InvalidParameterError",
    "Options",
    "Real",
    "StrOptions",
    "fit_context",
    "validate_parameter_constraints",
]

#: ``random_state``: None, a non-negative int, a RandomState or a Generator.
RANDOM_STATE = [None, Interval(Integral, 0, None, closed="left"), np.random.RandomState,
                np.random.Generator]
#: ``verbose``: a bool or a non-negative int.
VERBOSE = ["boolean", Interval(Integral, 0, None, closed="left")]
#: A plain flag.
BOOL = ["boolean"]


def fit_context(fit_method):
    """Decorate ``fit`` (or ``partial_fit``) to validate the hyperparameters first.

    The estimator's ``_parameter_constraints`` are checked against ``get_params()`` before
    the method body runs; nested validation of probstat's own helpers is skipped.

    Parameters
    ----------
    fit_method : callable
        The estimator's ``fit`` method.

    Returns
    -------
    callable
        The decorated method.
    """
    return _fit_context(prefer_skip_nested_validation=True)(fit_method)
