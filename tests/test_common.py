"""scikit-learn's common estimator checks on every public probstat estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from probstat.utils import all_estimators

# A check that truly cannot apply to an estimator is listed, with its reason, in the class
# attribute ``_expected_failed_checks = {"check_name": "reason"}`` beside the code it
# concerns. An estimator whose defaults are too slow for the checks may define a
# ``_test_instance()`` classmethod returning a small, fast instance.


def _instances():
    instances = []
    for _, cls in all_estimators():
        factory = getattr(cls, "_test_instance", None)
        instances.append(factory() if factory is not None else cls())
    return instances


def _expected_failed(estimator):
    return dict(getattr(type(estimator), "_expected_failed_checks", {}))


@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_all_estimators_filters():
    for name, cls in all_estimators():
        assert name.startswith("probstat.")
        assert isinstance(cls, type)
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators("nonsense")
