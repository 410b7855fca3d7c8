"""Tour section for probstat.semantic."""

from __future__ import annotations

import numpy as np


def demo(out_dir, *, random_state=0):
    """Run the semantic-information tour: G vs I, the R(G) curve, CM-EM, b* and c*.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder for the figures.
    random_state : int, default=0

    Returns
    -------
    probstat._tour.DemoSection
    """
    import warnings

    from .._tour import DemoSection, save_figure
    from ..utils import check_rng, mutual_information
    from . import (
        CMGaussianMixture,
        gaussian_truth,
        medical_test_confirmation,
        prediction_confirmation,
        rate_fidelity,
        semantic_information_loss,
        semantic_mutual_information,
        truth_from_channel,
    )
    from ._plot import plot_log_likelihood_gaps

    rng = check_rng(random_state)
    section = DemoSection("Semantic information G theory (probstat.semantic)")

    # 1. G versus Shannon I: optimised truth functions T* reach I(X;Y), others fall short
    x = np.linspace(0, 10, 101)
    p_x = np.exp(-0.5 * ((x - 5) / 2.0) ** 2)
    p_x /= p_x.sum()
    centers = np.array([2.0, 5.0, 8.0])
    T_true = gaussian_truth(x, centers, 1.2)
    channel = T_true / T_true.sum(1, keepdims=True)  # how the labels are really used
    p_xy = p_x[:, None] * channel
    I = mutual_information(p_xy)
    T_star = truth_from_channel(channel)
    T_narrow = gaussian_truth(x, centers, 0.8)
    G_star = semantic_mutual_information(T_star, p_xy)
    G_narrow = semantic_mutual_information(T_narrow, p_xy)
    section.findings += [
        f"Three fuzzy labels on a 101-point grid: Shannon I(X;Y) = {I:.4f} bits; the learned "
        f"truth functions T* give G = {G_star:.4f} bits (equal, as the theory says).",
        f"Over-precise truth functions (width 0.8 instead of 1.2) give G = {G_narrow:.4f} bits; "
        f"the semantic information loss I - G = "
        f"{semantic_information_loss(T_narrow, p_xy):.4f} bits.",
    ]

    # 2. The R(G) curve of the over-precise labels, with a 5% floor of truth (a label is
    #    never entirely false), which keeps the left branch (s < 0) finite
    s_values = np.concatenate([np.linspace(-3, -0.3, 25), np.linspace(0.3, 6, 40)])
    curve = rate_fidelity(0.05 + 0.95 * T_narrow, p_x, s_values)
    k1 = int(np.argmin(np.abs(s_values - 1.0)))
    ax = curve.plot()
    ax.scatter([curve.G[k1]], [curve.R[k1]], color="C3", zorder=3, label="s = 1")
    ax.legend()
    ax.set_title("Rate-fidelity function R(G)")
    section.figures.append(save_figure(ax, out_dir, "semantic_rg_curve.png"))
    section.findings.append(
        f"R(G) of those labels (with a 5% truth floor), 65 values of s: R >= G everywhere "
        f"(min R - G = "
        f"{float(np.min(curve.R - curve.G)):.2e} bits); at s = {s_values[k1]:.2f}, "
        f"G = {curve.G[k1]:.3f} and R = {curve.R[k1]:.3f} bits "
        f"(efficiency G/R = {curve.G[k1] / curve.R[k1]:.3f}).")

    # 3. CM-EM versus EM on an imbalanced mixture, from the same start
    X = np.concatenate([rng.normal(0, 1, (1900, 1)), rng.normal(3.5, 1, (100, 1))])
    init = dict(weights_init=[0.5, 0.5], means_init=[[-1.0], [4.5]],
                precisions_init=[[[1.0]], [[1.0]]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        em = CMGaussianMixture(2, algorithm="em", tol=1e-8, max_iter=2000, **init).fit(X)
        cm = CMGaussianMixture(2, algorithm="cm", tol=1e-8, max_iter=2000, **init).fit(X)
    ax = plot_log_likelihood_gaps((em, cm), ("EM", "CM-EM"))
    ax.set_title("Mixture 95% / 5%, start 50/50")
    section.figures.append(save_figure(ax, out_dir, "semantic_cm_em.png"))
    section.findings.append(
        f"Imbalanced two-Gaussian mixture (weights 0.95/0.05), same start, tol 1e-8: EM "
        f"needs {em.n_iter_} iterations, CM-EM {cm.n_iter_}; final mean log-likelihoods "
        f"{em.lower_bound_:.6f} and {cm.lower_bound_:.6f}.")

    # 4. Confirmation measures
    res = medical_test_confirmation(0.9, 0.95, 0.01)
    section.findings += [
        f"Medical test (sensitivity 0.9, specificity 0.95, prevalence 1%): channel "
        f"confirmation b* = {res.b1:.3f} (prior-free) but prediction confirmation "
        f"c* = {res.c1:.3f}, since only {res.ppv:.1%} of positives are infected.",
        f"Ravens: 1000 black and 1 white raven give c* = "
        f"{prediction_confirmation(1000, 1):.3f}; any number of white chalks leaves it "
        "unchanged.",
    ]
    return section
