"""probstat.semantic benchmarks: the R(G) curve against a plain Blahut-Arimoto reference, and
CM-EM per-iteration time against scikit-learn's GaussianMixture (EM).

Run: ``python benchmarks/bench_semantic.py`` (writes docs/performance/semantic.md).
"""

import math
import time
import warnings

import numpy as np
from _common import markdown_table, write_section
from sklearn.mixture import GaussianMixture

from probstat.semantic import CMGaussianMixture, rate_fidelity


def rg_problem(n_x=1000, n_y=100, seed=0):
    """Fuzzy labels 'about c_j' on [0, 1] with a 1% truth floor, random source."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, n_x)
    c = np.linspace(0, 1, n_y)
    T = 0.01 + 0.99 * np.exp(-((x[:, None] - c[None, :]) ** 2) / (2 * 0.08 ** 2))
    p_x = rng.dirichlet(np.full(n_x, 5.0))
    s = np.concatenate([np.linspace(5, 0.1, 140), np.linspace(-0.1, -3, 60)])
    return T, p_x, s


def blahut_arimoto_curve(T, p_x, s_values, tol=1e-8, max_iter=1000):
    """Textbook BA, vectorised and warm-started: the straightforward reference."""
    T_theta = p_x @ T
    info = np.log(T / T_theta)
    q = np.full(T.shape[1], 1.0 / T.shape[1])
    R, G, conv = [], [], 0
    for s in s_values:
        logK = s * info
        K = np.exp(logK - logK.max(1, keepdims=True))
        for _ in range(max_iter):
            lam = K @ q
            c = K.T @ (p_x / lam)
            if math.log(c.max()) <= tol:
                conv += 1
                break
            q = q * c
        Q = q * K
        Q /= Q.sum(1, keepdims=True)
        joint = p_x[:, None] * Q
        py = joint.sum(0)
        pos = joint > 0
        R.append(np.sum(joint[pos] * np.log2(Q[pos] / np.broadcast_to(py, Q.shape)[pos])))
        G.append(np.sum(joint * info) / math.log(2))
    return np.array(R), np.array(G), conv


def bench_rg(rows):
    T, p_x, s = rg_problem()
    rate_fidelity(T[:50, :10], p_x[:50] / p_x[:50].sum(), [1.0])  # warm-up imports
    start = time.perf_counter()
    curve = rate_fidelity(T, p_x, s)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    R_ref, G_ref, conv = blahut_arimoto_curve(T, p_x, s)
    ref = time.perf_counter() - start
    err = max(np.max(np.abs(curve.R - R_ref)), np.max(np.abs(curve.G - G_ref)))
    rows.append((
        "R(G) curve, 200 values of s, 1000 source values x 100 labels",
        f"{ours:.3f} s (all {int(curve.converged.sum())} s values to 1e-10 nats)",
        f"{ref:.3f} s ({conv}/200 s values reached 1e-8 nats within 1000 iterations)",
        f"{ref / ours:.1f}",
        f"BA, stopped at 1000 iterations per s, is still up to {err:.2f} bits from "
        "probstat's converged (R, G); the tests check agreement to 1e-8 bits on small cases",
    ))
    return ours


def bench_cm_em(rows, n=100_000, d=10, k=4, seed=0, repeats=7, long=11):
    """Per-iteration time of CM-EM and EM against sklearn's EM, one BLAS thread each.

    One process, interleaved: each repetition times sklearn, then probstat's EM, then
    CM-EM (each as ``(time of long iterations - time of 1) / (long - 1)``), so that the
    load of the shared machine hits all three alike; the ratio is formed per repetition.
    Returns ``{covariance_type: {"em": ratios, "cm": ratios}}``.
    """
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, (k, d))
    weights = np.array([0.55, 0.25, 0.15, 0.05])
    counts = rng.multinomial(n, weights)
    X = np.concatenate([rng.normal(c, 1.0, (m, d)) for c, m in zip(centers, counts)])
    means_init = centers + rng.normal(0, 1, (k, d))

    def init(cov):
        prec = {"full": np.stack([np.eye(d)] * k), "tied": np.eye(d),
                "diag": np.ones((k, d)), "spherical": np.ones(k)}[cov]
        return dict(covariance_type=cov, weights_init=np.full(k, 1 / k),
                    means_init=means_init, precisions_init=prec)

    def fit_time(make, iters):
        est = make(iters)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X)
        return time.perf_counter() - start

    def per_iteration(make):
        return (fit_time(make, long) - fit_time(make, 1)) / (long - 1)

    def spread(values):
        return f"{np.median(values):.2f} (min {np.min(values):.2f}, max {np.max(values):.2f})"

    ratios = {}
    with threadpool_limits(1):
        for cov in ("full", "tied", "diag", "spherical"):
            kw = init(cov)
            makers = {
                "sk": lambda m, kw=kw: GaussianMixture(k, tol=0.0, max_iter=m, **kw),
                "em": lambda m, kw=kw: CMGaussianMixture(k, algorithm="em", tol=0.0,
                                                         max_iter=m, **kw),
                "cm": lambda m, kw=kw: CMGaussianMixture(k, algorithm="cm", tol=0.0,
                                                         max_iter=m, **kw),
            }
            for make in makers.values():  # compile the kernels, warm the caches
                fit_time(make, 2)
            times = {key: [] for key in makers}
            for _ in range(repeats):
                for key, make in makers.items():
                    times[key].append(per_iteration(make))
            sk = np.array(times["sk"])
            ratios[cov] = {alg: sk / np.array(times[alg]) for alg in ("em", "cm")}
            for alg, name in (("cm", "CM-EM"), ("em", "EM (algorithm='em')")):
                r = ratios[cov][alg]
                print(f"{cov:9s} {name:20s} {np.median(times[alg]) * 1e3:6.1f} ms, sklearn "
                      f"{np.median(sk) * 1e3:6.1f} ms: ratio median {np.median(r):.2f}, "
                      f"min {np.min(r):.2f}, max {np.max(r):.2f}")
                rows.append((f"{name} per iteration, covariance_type='{cov}'",
                             f"{np.median(times[alg]) * 1e3:.1f} ms",
                             f"{np.median(sk) * 1e3:.1f} ms (sklearn EM)", spread(r),
                             "same start" + (", same iterates as sklearn (tests: 1e-10)"
                                             if alg == "em" else "")))
    # iterations to convergence from the same start (tol 1e-6 nats per sample)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sk_fit = GaussianMixture(k, tol=1e-6, max_iter=2000, **init("full")).fit(X)
        cm_fit = CMGaussianMixture(k, tol=1e-6, max_iter=2000, **init("full")).fit(X)
    rows.append(("iterations to tol = 1e-6, same data and start, full", f"{cm_fit.n_iter_} (CM-EM)",
                 f"{sk_fit.n_iter_} (sklearn EM)", "-",
                 f"log-lik {cm_fit.lower_bound_:.6f} vs {sk_fit.lower_bound_:.6f}"))
    return ratios


def bench_classifiers(seed=0, n=4000):
    """When to use the MMI / LBI classifiers, and when scikit-learn's are better.

    Two 1-D Gaussian classes (means 0 and 2, unit variance), the second 10% of the data;
    fit on n points, scored on n fresh ones.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss, recall_score
    from sklearn.naive_bayes import GaussianNB

    from probstat.semantic import LogicalBayesClassifier, MMIClassifier

    rng = np.random.default_rng(seed)

    def draw():
        y = (rng.random(n) < 0.1).astype(int)
        return rng.normal(2.0 * y, 1.0)[:, None], y

    X, y = draw()
    Xt, yt = draw()
    rows = []
    for name, est in (("MMIClassifier", MMIClassifier()),
                      ("MMIClassifier, histogram of 20 bins",
                       MMIClassifier(class_model="histogram", n_bins=20)),
                      ("LogicalBayesClassifier", LogicalBayesClassifier()),
                      ("sklearn GaussianNB", GaussianNB()),
                      ("sklearn LogisticRegression", LogisticRegression())):
        start = time.perf_counter()
        est.fit(X, y)
        t_fit = time.perf_counter() - start
        proba = est.predict_proba(Xt)
        pred = est.predict(Xt)
        assert np.array_equal(pred, est.classes_[np.argmax(proba, axis=1)])
        rows.append((name, f"{t_fit * 1e3:.1f}", f"{np.mean(pred == yt):.3f}",
                     f"{recall_score(yt, pred):.3f}", f"{log_loss(yt, proba):.3f}"))
    return (
        "**Classifiers against scikit-learn.** Two 1-D Gaussian classes (means 0 and 2, unit "
        f"variance), the second one 10% of the data; fit on {n} points, scored on {n} fresh "
        "ones. The MMI rule reports the rare class far more often (recall) at some cost in "
        "accuracy; its `predict_proba` is a soft MMI assignment, not a calibrated class "
        "posterior, so its log loss is worse than GaussianNB's or logistic regression's. "
        "LogicalBayesClassifier's probabilities give the labels equal prior weight. The "
        "histogram class model (20 equal-width bins) makes no Gaussian assumption; here "
        "it lands close to the Gaussian MMI rule.\n\n"
        + markdown_table(("classifier", "fit (ms)", "accuracy", "rare-class recall",
                          "log loss (nats)"), rows)
    )


def _discrete_problem(seed, k, n_values, n=400):
    """Random discrete classes: P(z | c) ~ Dirichlet(0.7), class weights ~ Dirichlet(2)."""
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(n_values, 0.7), size=k)
    y = rng.choice(k, n, p=rng.dirichlet(np.full(k, 2.0)))
    z = np.array([rng.choice(n_values, p=P[c]) for c in y])
    return z[:, None].astype(float), y


def _enumerated_mmi(counts, k):
    """The largest I(C; Y) (bits) over every labelling of the cells."""
    import itertools

    labels = np.array(list(itertools.product(range(k), repeat=counts.shape[1])))
    J = np.einsum("cz,Nzk->Nck", counts / counts.sum(), np.eye(k)[labels])
    indep = J.sum(2, keepdims=True) * J.sum(1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(J > 0, J * np.log2(J / indep), 0.0)
    return float(terms.sum(axis=(1, 2)).max())


def bench_mmi_histogram(seeds=range(100, 200), n_values=6):
    """How often the histogram MMI classifier reaches the enumerated optimum."""
    from probstat.semantic import MMIClassifier, mmi_partition

    def cm_alone(counts, k):
        p_x = counts.sum(1) / counts.sum()
        W = counts / counts.sum(1, keepdims=True)
        best = -np.inf
        for start in (np.argmax(counts, 0), np.argmax(W, 0)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                best = max(best, mmi_partition(p_x, W, start, n_labels=k).mutual_information)
        return best

    methods = {
        "CM alone, from the Bayes and maximum-likelihood starts": None,
        "MMIClassifier, default (n_init=2)": dict(),
        "MMIClassifier, n_init=20, random_state=0": dict(n_init=20, random_state=0),
    }
    problems = []
    for seed in seeds:
        for k in (2, 3):
            X, y = _discrete_problem(seed, k, n_values)
            counts = np.array([[np.sum((y == c) & (X[:, 0] == v)) for v in np.unique(X)]
                               for c in range(k)], float)
            problems.append((seed, X, y, k, counts, _enumerated_mmi(counts, k)))
    rows = []
    for name, kw in methods.items():
        gaps, gaps40, elapsed = [], [], 0.0
        for seed, X, y, k, counts, best in problems:
            start = time.perf_counter()
            if kw is None:
                value = cm_alone(counts, k)
            else:
                value = MMIClassifier(class_model="histogram", **kw).fit(X, y).mutual_information_
            elapsed += time.perf_counter() - start
            gaps.append(best - value)
            if seed < seeds[0] + 20:
                gaps40.append(best - value)
        gaps, gaps40 = np.array(gaps), np.array(gaps40)
        rows.append((name, f"{np.sum(gaps40 <= 1e-12)} / {gaps40.size}",
                     f"{np.sum(gaps <= 1e-12)} / {gaps.size}", f"{gaps.max():.4f}",
                     f"{elapsed / len(problems) * 1e3:.1f}"))
        print(rows[-1])
    return (
        "**Histogram MMI against enumeration.** Random discrete problems with "
        f"{n_values} cells and 2 or 3 classes (400 samples; class-conditional laws drawn "
        "from Dirichlet(0.7), class weights from Dirichlet(2)), seeds "
        f"{seeds[0]}-{seeds[-1]}; the reference is the largest I(C; Y) over every "
        "labelling of the cells (2^6 or 3^6 labellings). The first 40 problems are those "
        "of the test suite. MMIClassifier climbs from each start by CM, single-cell moves "
        "(exact gain) and label merges.\n\n"
        + markdown_table(("method", "optimum reached (first 40)", "optimum reached (all)",
                          "largest shortfall (bits)", "mean time per problem (ms)"), rows)
    )


def main():
    rows = []
    bench_rg(rows)
    bench_cm_em(rows)
    mmi = bench_mmi_histogram()
    body = (
        "Ratio = reference time / probstat time (above 1: probstat faster). The R(G) "
        "reference is the textbook Blahut-Arimoto iteration, vectorised in NumPy and "
        "warm-started along s like probstat's solver (which replaces the fixed-point "
        "iteration by an active-set SQP on the same concave problem). Truth functions: "
        "100 Gaussian labels of width 0.08 on a 1000-point grid with a 1% floor; s from 5 "
        "down to 0.1 (140 values) and -0.1 to -3 (60 values). CM-EM: a 4-component "
        "mixture with weights 0.55/0.25/0.15/0.05, all methods started from the same "
        "parameters, both libraries limited to one BLAS thread (threadpoolctl); probstat's "
        "E-step is a fused numba pass (log-densities, log-sum-exp, responsibilities and the "
        "M-step moments in one sweep over the data, by blocks of 512 rows with two BLAS "
        "products per component for full and tied covariances); CM-EM adds one pass that "
        "keeps the log-densities for the E2 weight solve. Per-iteration time = (time of 11 "
        "iterations - time of 1) / 10. sklearn, EM and CM-EM are timed interleaved in one "
        "process (sklearn, EM, CM-EM, sklearn, ...), 7 repetitions; the ratio column is the "
        "median of the 7 per-repetition ratios with their minimum and maximum, the time "
        "columns the medians. The machine is a shared 2-core VM whose load from other jobs "
        "changes within a run, which is what the spread shows.\n\n"
        + markdown_table(("case", "probstat", "reference", "ratio", "note"), rows)
        + "\n\n" + bench_classifiers() + "\n\n" + mmi
    )
    write_section("semantic", "Semantic information (probstat.semantic)", body)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["cm"]:  # the mixture timings only, printed, nothing written
        bench_cm_em([])
    else:
        main()
