"""scikit-learn's common estimator checks on every public probstat estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from probstat.utils import all_estimators

# Checks that cannot apply to an estimator, with the reason: {class name: {check: reason}}.
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {}


def _instances():
    instances = []
    for _, cls in all_estimators():
        factory = getattr(cls, "_test_instance", None)
        instances.append(factory() if factory is not None else cls())
    return instances


def _expected_failed(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_all_estimators_filters():
    for name, cls in all_estimators():
        assert name.startswith("probstat.")
        assert isinstance(cls, type)
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators("nonsense")
