"""Shared measures against scipy.stats.entropy and scikit-learn on the same inputs.

Run: ``python benchmarks/bench_utils.py`` (writes docs/performance/utils.md).
"""

import math

import numpy as np
import scipy.stats
from _common import best_time, markdown_table, write_section
from sklearn.metrics import mutual_info_score

from probstat.utils import entropy, kl_divergence, mutual_information


def _row(case, ours, peer):
    return (case, f"{ours * 1e3:.3f}", f"{peer * 1e3:.3f}", f"{peer / ours:.2f}")


def main():
    rng = np.random.default_rng(0)
    rows = []
    # Unnormalised weights (as a user passes counts or scores), one distribution per
    # column (axis=0) or per row (axis=1).
    W = rng.random((1000, 1000))
    V = rng.random((1000, 1000)) + 0.01
    for axis in (0, 1):
        np.testing.assert_allclose(entropy(W, axis=axis),
                                   scipy.stats.entropy(W, axis=axis, base=2), rtol=1e-12)
        rows.append(_row(f"entropy, (1000, 1000) weights, axis={axis}",
                         best_time(entropy, W, axis=axis),
                         best_time(scipy.stats.entropy, W, axis=axis, base=2)))
    for axis in (0, 1):
        np.testing.assert_allclose(kl_divergence(W, V, axis=axis),
                                   scipy.stats.entropy(W, V, axis=axis, base=2), rtol=1e-11)
        rows.append(_row(f"KL divergence, (1000, 1000) weights, axis={axis}",
                         best_time(kl_divergence, W, V, axis=axis),
                         best_time(scipy.stats.entropy, W, V, axis=axis, base=2)))
    for n in (10**3, 10**6):
        p, q = rng.dirichlet(np.ones(n), size=2)
        assert abs(entropy(p) - scipy.stats.entropy(p, base=2)) < 1e-9
        rows.append(_row(f"entropy, one vector, n = {n:.0e}", best_time(entropy, p),
                         best_time(scipy.stats.entropy, p, base=2)))
        rows.append(_row(f"KL divergence, one vector, n = {n:.0e}",
                         best_time(kl_divergence, p, q),
                         best_time(scipy.stats.entropy, p, q, base=2)))
    # Mutual information of a contingency table of counts, against scikit-learn (nats).
    counts = rng.integers(0, 50, size=(1000, 1000))
    assert abs(mutual_information(counts, base=math.e)
               - mutual_info_score(None, None, contingency=counts)) < 1e-9
    rows.append(_row("mutual information, (1000, 1000) counts vs sklearn mutual_info_score",
                     best_time(mutual_information, counts, base=math.e),
                     best_time(mutual_info_score, None, None, contingency=counts)))
    body = (
        "Inputs are unnormalised weights; both libraries normalise them. probstat also "
        "checks every call (finite, non-negative, no all-zero slice), which "
        "scipy.stats.entropy does not, and reports bits (scipy is asked for base=2 here). "
        "ratio = peer time / probstat time (above 1: probstat faster). The last row "
        "compares with sklearn.metrics.mutual_info_score(contingency=...), which converts "
        "the table to a sparse matrix first.\n\n"
        + markdown_table(("case", "probstat (ms)", "peer (ms)", "ratio"), rows)
    )
    write_section("utils", "Shared measures (probstat.utils) vs scipy.stats.entropy", body)


if __name__ == "__main__":
    main()
