"""scikit-learn's common checks on the non-default model options (the package-wide suite
runs each estimator at its defaults)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from probstat.semantic import CMGaussianMixture, MMIClassifier


@parametrize_with_checks([
    MMIClassifier(class_model="histogram"),
    MMIClassifier(class_model="histogram", n_bins=4),
    CMGaussianMixture(n_components=1, covariance_type="tied", n_init=2, max_iter=20,
                      random_state=0),
])
def test_sklearn_compatible_options(estimator, check):
    check(estimator)
