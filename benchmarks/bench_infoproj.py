"""p-n criterion and Monte Carlo risk against straightforward reference implementations.

Run: ``python benchmarks/bench_infoproj.py`` (writes docs/performance/infoproj.md).

* Criterion (sandwich c1, c2) for a d-variate Gaussian: probstat's contracted path
  (affine standardisation, no p^3/p^4 tensors) against the dense-tensor route (model
  cumulant tensors psi3, psi4 and the truth's sample cumulants, then
  ``risk_expansion_expfam``). The dense route is only feasible for small d: at d = 12
  (p = 90) psi4 alone has 65.6 million entries.
* Fourth-order sample cumulants (the cumulant mode, grid families): probstat's
  ``sample_cumulants`` (matrix products in the input's namespace) against the direct
  ``einsum`` of the central-moment definition.
* Monte Carlo risk of the Gaussian MLE: probstat's numba kernel against a vectorised
  NumPy reference (batched means, covariances, inverses and log-determinants) on the same
  standard-normal draws (the risk is affine invariant, so both work on standardised
  draws).
"""

import time
import warnings

import numpy as np
from _common import best_time, markdown_table, write_section

from probstat.infoproj import (
    ExpansionWarning,
    ExponentialFamily,
    PNCriterion,
    exact_risk_mvn,
    monte_carlo_risk,
    risk_expansion_expfam,
    sample_cumulants,
)
from probstat.infoproj._kernels import mvn_kl_batch


def dense_reference(X):
    fam = ExponentialFamily.named("mvn", d=X.shape[1])
    th = fam.fit(X)
    G, p3, p4 = fam.cumulants(th)
    _, S, k3 = sample_cumulants(fam.stat(X))
    return risk_expansion_expfam(G, p3, p4, S, k3)


def criterion(X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExpansionWarning)
        return PNCriterion(bayes_tv=0.05).fit(X)


def einsum_cumulant4(T):
    R = T - T.mean(axis=0)
    m2 = R.T @ R / T.shape[0]
    m4 = np.einsum("na,nb,nc,nd->abcd", R, R, R, R, optimize=True) / T.shape[0]
    return m4 - (np.einsum("ab,cd->abcd", m2, m2) + np.einsum("ac,bd->abcd", m2, m2)
                 + np.einsum("ad,bc->abcd", m2, m2))


def numpy_mc(Z):
    m = Z.mean(axis=1)
    R = Z - m[:, None, :]
    S = np.einsum("rna,rnb->rab", R, R) / Z.shape[1]
    Si = np.linalg.inv(S)
    return 0.5 * (np.trace(Si, axis1=1, axis2=2) + np.einsum("ra,rab,rb->r", m, Si, m)
                  - Z.shape[2] + np.linalg.slogdet(S)[1])


def bench_small_n(d=5, n=25, seed=1):
    """When the expansion is not the right tool: p close to n. Expansion vs exact vs bootstrap."""
    from probstat.infoproj import PNCriterion, bootstrap_risk

    X = np.random.default_rng(seed).normal(size=(n, d))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the ExpansionWarning is the point of this row
        crit = PNCriterion(mode="correct").fit(X)
    t_crit = time.perf_counter() - start
    start = time.perf_counter()
    boot = bootstrap_risk("mvn", X, n_boot=2000, random_state=0)
    t_boot = time.perf_counter() - start
    exact = float(exact_risk_mvn(d, n))
    rows = [("expansion, 1st order (PNCriterion)", f"{crit.c1_ / n:.3f}", f"{t_crit * 1e3:.1f}"),
            ("expansion, 2nd order (PNCriterion)", f"{crit.c1_ / n + crit.c2_ / n**2:.3f}",
             "(same fit)"),
            ("nonparametric bootstrap_risk, 2000 resamples",
             f"{boot.risk:.3f} +/- {boot.std_error:.3f}", f"{t_boot * 1e3:.1f}"),
            ("exact (exact_risk_mvn)", f"{exact:.3f}", "-")]
    return (
        f"**Small n.** A {d}-variate Gaussian (p = {d * (d + 3) // 2}) fitted to n = {n} "
        "standard normal draws. With p close to n the expansion underestimates the exact "
        "risk (the criterion warns with an ExpansionWarning) and the nonparametric "
        "bootstrap, which resamples the n points, overestimates it: use the exact risk "
        "where a closed form exists, or more data.\n\n"
        + markdown_table(("method", "risk R(n) (nats)", "time (ms)"), rows)
    )


def main():
    rng = np.random.default_rng(0)
    rows = []
    for d in (3, 6):
        X = rng.gamma(4.0, size=(5000, d)) @ (np.eye(d) + 0.3 * rng.normal(size=(d, d)))
        crit = criterion(X)
        ref = dense_reference(X)
        assert abs(crit.c1_ - ref[0]) < 1e-8 * abs(ref[0])
        assert abs(crit.c2_ - ref[1]) < 1e-6 * abs(ref[1])
        ours = best_time(criterion, X, repeat=3)
        peer = best_time(dense_reference, X, repeat=2)
        rows.append((f"criterion fit, Gaussian d={d} (p={d * (d + 3) // 2}), n=5000",
                     f"{ours * 1e3:.1f}", f"{peer * 1e3:.1f}", f"{peer / ours:.1f}"))
    X = rng.gamma(4.0, size=(5000, 12)) @ (np.eye(12) + 0.3 * rng.normal(size=(12, 12)))
    ours = best_time(criterion, X, repeat=3)
    rows.append(("criterion fit, Gaussian d=12 (p=90), n=5000", f"{ours * 1e3:.1f}",
                 "infeasible (psi4: 65.6M entries)", "-"))

    T = rng.gamma(3.0, size=(5000, 14))
    k4 = sample_cumulants(T, order=4)[3]
    assert np.allclose(k4, einsum_cumulant4(T), rtol=1e-9, atol=1e-9 * np.abs(k4).max())
    ours = best_time(lambda: sample_cumulants(T, order=4), repeat=3)
    peer = best_time(einsum_cumulant4, T, repeat=2)
    rows.append(("fourth-order sample cumulants, n=5000, p=14", f"{ours * 1e3:.1f}",
                 f"{peer * 1e3:.1f}", f"{peer / ours:.1f}"))

    fam = ExponentialFamily.named("mvn", d=3)
    mu = np.array([1.0, -1.0, 0.5])
    cov = np.array([[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 0.5]])
    theta = fam.to_natural(mu, cov)
    n, reps = 100, 10**5
    monte_carlo_risk(fam, n, 10, theta=theta, random_state=0)  # compile the kernel
    start = time.perf_counter()
    mc = monte_carlo_risk(fam, n, reps, theta=theta, random_state=0)
    t_total = time.perf_counter() - start
    Z = np.random.default_rng(1).standard_normal((reps, n, 3))
    assert np.allclose(mvn_kl_batch(Z), numpy_mc(Z), rtol=1e-9)
    ours = best_time(mvn_kl_batch, Z, repeat=3)
    peer = best_time(numpy_mc, Z, repeat=2)
    rows.append((f"MC risk kernel, Gaussian d=3, n={n}, {reps:.0e} replications (same draws)",
                 f"{ours * 1e3:.1f}", f"{peer * 1e3:.1f}", f"{peer / ours:.1f}"))
    rows.append(("monte_carlo_risk end to end (draws included), same size",
                 f"{t_total * 1e3:.1f}", "-", "-"))
    body = (
        "Ratio = reference time / probstat time (above 1: probstat faster). Both sides "
        "give the same numbers (asserted in the script). The Monte Carlo estimate was "
        f"{mc.risk:.5f} +/- {mc.std_error:.5f} against the exact risk "
        f"{exact_risk_mvn(3, n):.5f}.\n\n"
        + markdown_table(("case", "probstat (ms)", "reference (ms)", "ratio"), rows)
        + "\n\n" + bench_small_n()
    )
    write_section("infoproj", "p-n criterion and MLE risk (probstat.infoproj)", body)


if __name__ == "__main__":
    main()
