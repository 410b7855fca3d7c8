"""Validation of estimators' ``X`` and ``y``: scikit-learn's bookkeeping, probstat's rule."""

from __future__ import annotations

import re

import numpy as np

from ._validation import check_array

_NAMES_X_OR_Y = re.compile(r"(?<![\w])(X|y)(?![\w])")
#: validate_data's keywords that concern y only (not accepted when X is checked alone).
_Y_ONLY_KWARGS = frozenset({"y_numeric", "multi_output"})


def validate_estimator_data(estimator, X, y="no_validation", *, reset, **kwargs):
    """scikit-learn's ``validate_data`` with probstat's input rule and argument names.

    Every estimator validates ``X`` (and ``y``) with this in ``fit`` and its predicting
    methods, on host data (after :func:`probstat.backend.on_host`). scikit-learn accepts
    numeric strings and words some errors without naming the argument ("Expected 2D
    array, got 1D array instead"), while its estimator checks expect that wording. ``X``
    is first checked with :func:`check_array`; when that refuses it, scikit-learn's
    message (if it has one) is appended so that both readings hold. Other errors that
    name neither argument are prefixed with the one they concern.

    Parameters
    ----------
    estimator : estimator instance
        Records ``n_features_in_`` (``reset=True``) or checks it.
    X : array-like of shape (n_samples, n_features)
        Host data.
    y : array-like, optional
        Targets; the default ``"no_validation"`` validates ``X`` alone.
    reset : bool
        True in ``fit``, False in predicting methods.
    **kwargs
        Passed to :func:`sklearn.utils.validation.validate_data` (``dtype``,
        ``ensure_min_samples``, ``order``, ...).

    Returns
    -------
    X or (X, y)
        The validated arrays.
    """
    from sklearn.utils.validation import validate_data

    x_kwargs = {k: v for k, v in kwargs.items() if k not in _Y_ONLY_KWARGS}
    try:
        check_array(X, "X", ndim=2)
    except (ValueError, TypeError) as ours:
        try:
            validate_data(estimator, X, reset=False, **x_kwargs)
        except (ValueError, TypeError) as theirs:
            raise type(theirs)(f"{ours}; {theirs}") from None
        except Exception:  # noqa: BLE001 - e.g. an unfitted estimator: ours is enough
            pass
        raise
    only_X = isinstance(y, str) and y == "no_validation"
    if not only_X and kwargs.get("y_numeric"):
        check_array(y, "y", ndim=(1, 2))  # numeric targets follow the input rule too
    try:
        if only_X:
            return validate_data(estimator, X, reset=reset, **kwargs)
        return validate_data(estimator, X, y, reset=reset, **kwargs)
    except (ValueError, TypeError) as exc:
        raise _named(exc, "X" if only_X else "y") from None


def _named(exc, default):
    """``exc`` itself if its message names X or y, else a copy that names the argument."""
    message = str(exc)
    if _NAMES_X_OR_Y.search(message) or type(exc).__name__ == "InvalidParameterError":
        return exc
    if "inconsistent numbers of samples" in message:
        return ValueError(f"X and y must have the same number of samples ({message})")
    if "Found array with" in message:  # the size checks run on X before y
        default = "X"
    return type(exc)(f"{default} is not valid: {message}")


def check_class_targets(y):
    """scikit-learn's ``check_classification_targets``, with the argument named."""
    from sklearn.utils.multiclass import check_classification_targets

    try:
        check_classification_targets(y)
    except ValueError as exc:
        raise ValueError(f"y must hold class labels: {exc}") from None


def check_predict_input(estimator, X, *others, where):
    """The common start of a predicting method: fitted?, namespace, ``X`` on the host.

    Checks that ``estimator`` is fitted, prepares the host round trip with
    :func:`probstat.backend.on_host` (refusing arrays of another namespace or device than
    the fit's while dispatch is on) and validates ``X`` against the fit.

    Parameters
    ----------
    estimator : estimator instance
        The fitted estimator.
    X : array-like of shape (n_samples, n_features)
        The input of the predicting method.
    *others : array-like
        Further array inputs of the method (they take part in the round trip).
    where : str
        ``"ClassName.method"``, shown in warnings and errors.

    Returns
    -------
    host : HostRoundTrip
        Moves the method's results back (``host.from_numpy``).
    X : ndarray of shape (n_samples, n_features)
        Validated float64 host data.
    """
    from sklearn.utils.validation import check_is_fitted

    from ..backend import on_host

    check_is_fitted(estimator)
    host = on_host(X, *others, where=where, fitted=estimator)
    return host, validate_estimator_data(estimator, host.to_numpy(X), reset=False,
                                         dtype=np.float64)
