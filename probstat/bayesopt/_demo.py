"""The tour's bayesopt section: log-EI in the tail, a 1-D posterior, BO on Branin."""

from __future__ import annotations

import time

import numpy as np


def demo(out_dir, *, random_state=0):
    """Run a short Bayesian-optimisation tour and save its figures.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder the figures are written to.
    random_state : int, default=0
        Seed of the data and of the runs.

    Returns
    -------
    probstat._tour.DemoSection
        Findings (text) and figure paths.

    References
    ----------
    .. [1] P. I. Frazier, "A tutorial on Bayesian optimization", arXiv:1807.02811, 2018,
       Algorithm 1 and Section 4.1.
    .. [2] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy, "Unexpected
       improvements to expected improvement for Bayesian optimization", NeurIPS 2023,
       arXiv:2310.20708.
    """
    from .._tour import DemoSection, save_figure
    from . import acquisition as acq
    from ._gp import GaussianProcess
    from ._optimizer import minimize
    from ._plot import plot_convergence, plot_posterior_1d
    from .test_functions import branin

    section = DemoSection("Bayesian optimisation (probstat.bayesopt)")
    z = np.array([-5.0, -20.0, -40.0, -1e3])
    ei = acq.expected_improvement(z, 1.0, 0.0)
    lei = acq.log_expected_improvement(z, 1.0, 0.0)
    section.findings.append(
        "Plain EI in float64 at z = -5, -20, -40, -1000: "
        + ", ".join(f"{v:.3g}" for v in ei)
        + "; log-EI stays finite: " + ", ".join(f"{v:.4g}" for v in lei) + ".")

    rng = np.random.default_rng(random_state)

    def f(x):
        return np.sin(3 * x) + 0.5 * np.cos(7 * x)

    # 8 points: with 6 random ones the gap around x = 0.8 hides the cos(7x) bump, the
    # fitted length scale comes out too long and the truth leaves the 95 % band there
    X = rng.uniform(0, 2, size=(8, 1))
    gp = GaussianProcess(noise=0.0).fit(X, f(X[:, 0]))
    bound = acq.ExpectedImprovement().bind(gp)
    axes = plot_posterior_1d(gp, bound, bounds=(0, 2), truth=f,
                             title="GP posterior (Matern 5/2) of sin(3x) + cos(7x)/2, "
                                   "8 evaluations")
    grid = np.linspace(0, 2, 400)[:, None]
    mu, sd = gp.predict(grid, return_std=True)
    inside = np.mean(np.abs(f(grid[:, 0]) - mu) <= 1.96 * sd + 1e-9)
    x_next = float(grid[np.argmax(bound(grid)), 0])
    section.findings.append(
        f"1-D GP (Matern 5/2, 8 points): fitted length scale {gp.length_scale_[0]:.3f} "
        f"(unit-cube units); the true curve is inside the 95 % band on "
        f"{100 * inside:.0f} % of [0, 2]; EI for the maximum (lower panel) proposes "
        f"x = {x_next:.3f}.")
    section.figures.append(save_figure(axes[0].figure, out_dir, "bayesopt_posterior_1d.png"))

    runs, rand = [], []
    start = time.perf_counter()
    for seed in range(3):
        res = minimize(branin, branin.bounds, n_calls=25, random_state=random_state + seed)
        runs.append(res)
        r = np.random.default_rng(seed)
        lo, hi = np.array(branin.bounds).T
        rand.append(branin(lo + r.uniform(size=(25, 2)) * (hi - lo)))
    secs = time.perf_counter() - start
    regrets = [r.fun - branin.optimal_value for r in runs]
    rand_reg = [np.min(v) - branin.optimal_value for v in rand]
    section.findings.append(
        f"Branin, 25 evaluations, 3 seeds: median simple regret {np.median(regrets):.2e} with "
        f"log-EI BO vs {np.median(rand_reg):.2e} for random search ({secs:.1f} s in total).")
    ax = plot_convergence(runs, rand, optimal_value=branin.optimal_value,
                          labels=["log-EI BO", "random search"])
    ax.set_title("Branin: median and IQR over 3 seeds")
    section.figures.append(save_figure(ax, out_dir, "bayesopt_branin_convergence.png"))
    return section
