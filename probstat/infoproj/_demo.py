"""The tour's section for probstat.infoproj: the p-n criterion on wine and abalone data."""

from __future__ import annotations

import warnings

import numpy as np


def demo(out_dir, *, random_state=0):
    """Run the p-n criterion tour: exact versus expanded risks, real-data verdicts, scans.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder for the figures.
    random_state : int, default=0

    Returns
    -------
    probstat._tour.DemoSection
    """
    from .._tour import DemoSection, save_figure
    from ..datasets import load_abalone, load_wine_quality
    from ..plotting import get_axes
    from ._criterion import PNCriterion
    from ._exact import exact_risk_exponential, exact_risk_mvn
    from ._mvn import mvn_correct_c2
    from ._risk import monte_carlo_risk
    from ._scan import gaussian_dimension_scan, multinomial_merge_scan

    section = DemoSection("Information projection and the p-n criterion (probstat.infoproj)")

    # 1. exact risk of the Gaussian MLE against its expansion
    ax = get_axes(figsize=(6, 4))
    n_grid = np.arange(8, 400)
    for d, color in ((1, "C0"), (2, "C1"), (3, "C2")):
        ok = n_grid > d + 2
        ng = n_grid[ok]
        c1, c2 = d * (d + 3) / 4.0, mvn_correct_c2(d)
        ax.loglog(ng, exact_risk_mvn(d, ng), color=color, lw=2, label=f"exact, d={d}")
        ax.loglog(ng, c1 / ng + c2 / ng**2, color=color, ls="--", lw=1, label="c1/n + c2/n^2")
        ax.loglog(ng, c1 / ng, color=color, ls=":", lw=1, label="c1/n")
    ax.set_xlabel("n")
    ax.set_ylabel("R(n) = E KL(projection || MLE) (nats)")
    ax.set_title("Gaussian MLE risk: exact vs expansion")
    ax.legend(fontsize=7, ncol=3)
    section.figures.append(save_figure(ax, out_dir, "infoproj_exact_vs_expansion.png"))
    r_exact = exact_risk_mvn(3, 30)
    section.findings.append(
        f"Gaussian d=3 (p=9) at n=30: exact risk {r_exact:.4f} nats, second-order expansion "
        f"{4.5 / 30 + 38 / 900:.4f}, first order {4.5 / 30:.4f}: the n^-2 term "
        "(c2 = 38) closes most of the gap.")
    mc = monte_carlo_risk("exponential", 20, 50000, theta=[-1.0], random_state=random_state)
    section.findings.append(
        f"Monte Carlo check, exponential model at n=20: {mc.risk:.5f} +/- {mc.std_error:.5f} "
        f"against the exact digamma formula {exact_risk_exponential(20):.5f}.")

    # 2. criterion on the red wine data
    wine = load_wine_quality("red")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        crit = PNCriterion(bayes_tv=0.05).fit(wine.data)
        ab = PNCriterion(bayes_tv=0.05).fit(load_abalone().data)
    section.findings.append(
        f"Red wine, 11-variate Gaussian (p={crit.n_params_}, n={crit.n_samples_}): tolerance "
        f"{crit.tol_:.4f} nats (TV 0.05); sandwich c1 = {crit.c1_:.1f} vs p/2 = "
        f"{crit.n_params_ / 2:.1f}, risk {crit.risk_:.4f}: "
        f"{'accepted' if crit.accept_ else 'rejected'}; n_min = {crit.n_min_}.")
    section.findings.append(
        f"Abalone, 7 measurements (p={ab.n_params_}, n={ab.n_samples_}): heavy tails push "
        f"c1 to {ab.c1_:.0f} ({ab.misspecification_ratio_:.1f} x p/2) and n_min to "
        f"{ab.n_min_}; the criterion warns: {len(ab.warnings_)} warning(s).")

    # 3. scans
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scan = multinomial_merge_scan(wine.target, bayes_tv=0.02)
        gscan = gaussian_dimension_scan(wine.data[:, [0, 2, 7, 8, 10]], bayes_tv=0.06)
    section.findings.append(
        f"Quality score as a multinomial with merged cells (TV 0.02, tol {scan.tol:.4f}): "
        f"largest passing model {scan.best} (p={scan.p[list(scan.labels).index(scan.best)]}"
        f"); AIC picks {scan.aic_choice}, BIC picks {scan.bic_choice}."
        if scan.best is not None else
        "Quality score as a multinomial: no merged model passes.")
    best = gscan.best if gscan.best is not None else "none"
    section.findings.append(
        f"Nested Gaussians on 5 wine variables (TV 0.06, tol {gscan.tol:.4f}): largest "
        f"passing block model: {best}; AIC picks {gscan.aic_choice}, BIC {gscan.bic_choice}.")
    ax = scan.plot()
    section.figures.append(save_figure(ax, out_dir, "infoproj_multinomial_scan.png"))
    return section
