"""Tour section for probstat.coupling: greedy vs exact MEC, the EBIM curve, MEC-B."""

from __future__ import annotations

import time

import numpy as np

from .._tour import DemoSection, save_figure
from ..datasets import make_dirichlet_distributions
from ..utils import entropy


def demo(out_dir, *, random_state=0) -> DemoSection:
    """Minimum-entropy coupling, EBIM and MEC-B on synthetic distributions.

    Parameters
    ----------
    out_dir : str or os.PathLike
        Folder for the figures.
    random_state : int, default=0
        Seed of the synthetic draws.

    Returns
    -------
    probstat._tour.DemoSection
        Findings and figures of the section.

    Notes
    -----
    It shows the greedy coupling [1]_ against the exact optimum and the bounds of [2]_,
    the EBIM curve and MEC-B of [3]_, and the Markov coding game of [4]_.

    References
    ----------
    .. [1] M. Kocaoglu, A. G. Dimakis, S. Vishwanath and B. Hassibi, "Entropic causal
       inference", AAAI 2017, arXiv:1611.04035.
    .. [2] S. Compton, D. Katz, B. Qi, K. Greenewald and M. Kocaoglu, "Minimum-entropy
       coupling approximation guarantees beyond the majorization barrier", AISTATS 2023,
       arXiv:2302.11838.
    .. [3] M. R. Ebrahimi, J. Chen and A. Khisti, "Minimum entropy coupling with
       bottleneck", NeurIPS 2024, arXiv:2410.21666.
    .. [4] S. Sokota, C. Schroeder de Witt, M. Igl, L. Zintgraf, P. Torr, M. Strohmeier,
       J. Z. Kolter, S. Whiteson and J. Foerster, "Communicating via Markov decision
       processes", ICML 2022, arXiv:2107.08295.
    """
    from . import (
        ebim_curve,
        exact_mec,
        greedy_mec,
        mec_b,
        mec_lower_bound,
    )
    from ._plot import plot_mecb_rates

    section = DemoSection("Minimum-entropy coupling, EBIM and MEC-B (probstat.coupling)")
    p, q = [0.6, 0.4], [0.4, 0.3, 0.3]
    g, opt = greedy_mec(p, q), exact_mec(p, q)
    section.findings.append(
        f"Greedy is not always optimal: for p = {p}, q = {q} it reaches "
        f"{g.entropy():.4f} bits while the exact optimum is {opt.entropy():.4f} bits "
        f"(= H(q)); the gap {g.entropy() - opt.entropy():.4f} is below the proven "
        f"log2(e)/e = {np.log2(np.e) / np.e:.4f}."
    )

    pairs = make_dirichlet_distributions(60, 6, random_state=random_state).reshape(30, 2, 6)
    gaps = np.array([greedy_mec(a, b).entropy() - exact_mec(a, b).entropy()
                     for a, b in pairs])
    section.findings.append(
        f"On 30 random pairs of 6-outcome Dirichlet(1) marginals, greedy was exactly optimal "
        f"in {int(np.sum(gaps < 1e-9))} and its worst gap to the exact DP solver was "
        f"{gaps.max():.4f} bits."
    )

    n = 200_000
    big = make_dirichlet_distributions(2, n, random_state=random_state)
    greedy_mec(big[0][:10] / big[0][:10].sum(), big[1][:10] / big[1][:10].sum())  # JIT
    start = time.perf_counter()
    c = greedy_mec(big[0], big[1])
    seconds = time.perf_counter() - start
    lb = mec_lower_bound(big[0], big[1])
    section.findings.append(
        f"Greedy coupling of two {n:,}-outcome marginals: {seconds:.2f} s, {c.n_atoms:,} "
        f"atoms (bound 2n - 1 = {2 * n - 1:,}), entropy {c.entropy():.3f} bits, at most "
        f"{c.entropy() - lb:.3f} bits above the majorize-profile lower bound; the "
        f"marginals match to {c.marginal_error:.1e}."
    )

    px = [0.7, 0.2, 0.1]
    rates = np.linspace(0.0, 1.3, 66)
    curve = ebim_curve(px, rates)
    worst = float(np.max(curve.refined - curve.greedy))
    section.findings.append(
        f"EBIM for p_X = {px}: the greedy deterministic encoder loses up to {worst:.3f} "
        "bits against the Theorem 3 refinement, which fills the staircase between "
        "deterministic points with stochastic encoders."
    )
    ax = curve.plot()
    ax.set_title("EBIM trade-off, p_X = [0.7, 0.2, 0.1]")
    section.figures.append(save_figure(ax, out_dir, "coupling_ebim_curve.png"))

    k = 16
    u = np.full(k, 1 / k)
    rates_b = np.linspace(0, 4, 17)
    results = {enc: [mec_b(u, u, r, encoder=enc) for r in rates_b]
               for enc in ("greedy", "uniform")}
    ax = plot_mecb_rates(rates_b, {enc: [m.I_xy for m in res] for enc, res in results.items()},
                         entropy(u), title=f"MEC-B, uniform p_X = p_Y on {k} outcomes")
    section.figures.append(save_figure(ax, out_dir, "coupling_mecb_rate.png"))
    mid = int(np.searchsorted(rates_b, 2.5))
    section.findings.append(
        f"MEC-B with uniform p_X = p_Y on {k} outcomes at R = {rates_b[mid]:.2f} bits: "
        f"I(X;Y) = {results['greedy'][mid].I_xy:.3f} bits with the greedy EBIM encoder vs "
        f"{results['uniform'][mid].I_xy:.3f} with the uniform quantiser "
        f"(upper bound {min(rates_b[mid], 4.0):.2f})."
    )

    from .games import GridWorld, mcg_sweep

    world = GridWorld()
    betas = np.exp(np.linspace(-8.0, -3.5, 8))
    sweep = mcg_sweep(world, betas, [0.8], encoders=("greedy",), n_messages=64,
                      n_episodes=30, max_steps=200, random_state=random_state)
    info, rew = sweep.information[0, 0], sweep.mean_reward[0, 0]
    section.findings.append(
        f"Markov coding game on the 8 x 8 grid world (64 messages, rate 0.8 H(M), greedy "
        f"EBIM, 30 episodes at each of {betas.size} temperatures, log beta from "
        f"{np.log(betas[0]):.1f} to {np.log(betas[-1]):.1f}): the information sent per "
        f"episode rises from {info[0]:.2f} to {info[-1]:.2f} bits while the mean "
        f"discounted reward falls from {rew[0]:.3f} to {rew[-1]:.3f}."
    )
    ax = sweep.plot()
    section.figures.append(save_figure(ax, out_dir, "coupling_mcg_tradeoff.png"))
    return section
