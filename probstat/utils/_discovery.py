"""Discovery of probstat's public estimators (used by the common tests and the docs)."""

from __future__ import annotations

import importlib
import inspect


def all_estimators(type_filter=None):
    """List every public scikit-learn estimator class that probstat exports.

    The search covers the public names (``__all__``) of each research subpackage.

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "cluster", "transformer"} or None
        Keep only estimators with the matching scikit-learn mixin.

    Returns
    -------
    list of (str, type)
        ``(qualified name, class)`` pairs sorted by name.
    """
    from sklearn.base import (
        BaseEstimator,
        ClassifierMixin,
        ClusterMixin,
        RegressorMixin,
        TransformerMixin,
    )

    import probstat

    mixins = {
        "classifier": ClassifierMixin,
        "regressor": RegressorMixin,
        "cluster": ClusterMixin,
        "transformer": TransformerMixin,
    }
    if type_filter is not None and type_filter not in mixins:
        raise ValueError(
            f"type_filter must be one of {sorted(mixins)} or None (got {type_filter!r})"
        )
    found = {}
    for sub in probstat.RESEARCH_SUBPACKAGES:
        module = importlib.import_module(f"probstat.{sub}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isclass(obj) and issubclass(obj, BaseEstimator)
                    and not inspect.isabstract(obj) and not name.startswith("_")):
                if type_filter is None or issubclass(obj, mixins[type_filter]):
                    found[f"probstat.{sub}.{name}"] = obj
    return sorted(found.items())
