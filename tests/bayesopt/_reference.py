"""Reference implementations used only by the tests of probstat.bayesopt."""

import numpy as np


def sklearn_equivalent(name, length_scale, signal_variance):
    """The scikit-learn kernel with the same covariance as probstat's ``name`` kernel."""
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern

    ls = np.asarray(length_scale, dtype=float)
    base = {"rbf": lambda: RBF(ls, "fixed"),
            "matern12": lambda: Matern(ls, "fixed", nu=0.5),
            "matern32": lambda: Matern(ls, "fixed", nu=1.5),
            "matern52": lambda: Matern(ls, "fixed", nu=2.5)}[name]()
    return ConstantKernel(signal_variance, "fixed") * base
