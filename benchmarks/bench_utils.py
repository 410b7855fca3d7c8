"""Shared measures against scipy.stats.entropy on the same inputs.

Run: ``python benchmarks/bench_utils.py`` (writes docs/performance/utils.md).
"""

import numpy as np
import scipy.stats
from _common import best_time, markdown_table, write_section

from probstat.utils import entropy, kl_divergence, mutual_information


def main():
    rng = np.random.default_rng(0)
    rows = []
    for n in (10**3, 10**5, 10**7):
        p, q = rng.dirichlet(np.ones(n), size=2)
        ours = best_time(entropy, p)
        peer = best_time(scipy.stats.entropy, p, base=2)
        assert abs(entropy(p) - scipy.stats.entropy(p, base=2)) < 1e-9
        rows.append((f"entropy, n = {n:.0e}", f"{ours * 1e3:.3f}", f"{peer * 1e3:.3f}",
                     f"{peer / ours:.2f}"))
        ours = best_time(kl_divergence, p, q)
        peer = best_time(scipy.stats.entropy, p, q, base=2)
        rows.append((f"KL divergence, n = {n:.0e}", f"{ours * 1e3:.3f}", f"{peer * 1e3:.3f}",
                     f"{peer / ours:.2f}"))
    P = rng.dirichlet(np.ones(1000 * 1000)).reshape(1000, 1000)

    def mi_scipy(P):
        return scipy.stats.entropy(P.ravel(), np.outer(P.sum(1), P.sum(0)).ravel(), base=2)

    ours, peer = best_time(mutual_information, P), best_time(mi_scipy, P)
    rows.append(("mutual information, 1000 x 1000", f"{ours * 1e3:.3f}", f"{peer * 1e3:.3f}",
                 f"{peer / ours:.2f}"))
    body = (
        "probstat's measures validate their input (finite, non-negative, summing to one) on "
        "every call, which scipy.stats.entropy does not; ratio = scipy time / probstat time "
        "(above 1: probstat faster).\n\n"
        + markdown_table(("case", "probstat (ms)", "scipy (ms)", "ratio"), rows)
    )
    write_section("utils", "Shared measures (probstat.utils) vs scipy.stats.entropy", body)


if __name__ == "__main__":
    main()
