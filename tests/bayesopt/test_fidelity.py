"""Multi-fidelity and multi-source BO: the product/ICM GP against direct computations,
the cost-aware knowledge gradient against Monte Carlo, the loop on the test problems."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probstat.bayesopt import BayesianOptimizer
from probstat.bayesopt import test_functions as tf
from probstat.bayesopt._fidelity import knowledge_gradient_at_target
from probstat.bayesopt._product_gp import ProductGP, icm_matrix


def _matern52(r):
    return (1 + math.sqrt(5) * r + 5 * r * r / 3) * math.exp(-math.sqrt(5) * r)


def _data(kind, n=14, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, 2))
    if kind == "index":
        z = rng.integers(0, 3, size=n)
        y = np.sin(4 * X[:, 0]) + X[:, 1] + 0.3 * z * X[:, 0]
    else:
        z = rng.uniform(size=n)
        y = np.sin(4 * X[:, 0]) + X[:, 1] + 0.3 * (1 - z) * X[:, 0]
    return X, z, y


def _fitted(kind):
    if kind == "truncated":
        X, z, y = _data("continuous")
        return (ProductGP("continuous", z_kernel="linear_truncated", random_state=0)
                .fit(X, z, y), X, z, y)
    X, z, y = _data(kind)
    return ProductGP(kind, n_index=3, random_state=0).fit(X, z, y), X, z, y


def _truncated_direct(X1, z1, X2, z2, hp, z_range=(0.0, 1.0)):
    """The linear truncated kernel written out entry by entry from its definition."""
    lo, hi = z_range
    z1, z2 = np.ravel(z1), np.ravel(z2)
    K = np.empty((len(X1), len(X2)))
    for i in range(len(X1)):
        for j in range(len(X2)):
            t, u = (float(z1[i]) - lo) / (hi - lo), (float(z2[j]) - lo) / (hi - lo)
            r = math.sqrt(np.sum(((X1[i] - X2[j]) / hp["ls"]) ** 2))
            rb = math.sqrt(np.sum(((X1[i] - X2[j]) / hp["bls"]) ** 2))
            K[i, j] = hp["sv"] * (_matern52(r) + (1 - t) * (1 - u) * (1 + t * u) * _matern52(rb))
    return K


def test_truncated_kernel_matches_its_definition_and_reduces_at_target():
    model, X, z, _ = _fitted("truncated")
    hp = model.hp_
    assert np.allclose(model._k(X, z, X, z), _truncated_direct(X, z, X, z, hp), rtol=1e-12)
    # at the target the bias term vanishes: f(x, 1) = g(x), a plain Matern-5/2 GP
    ones = np.ones(len(X))
    Kt = model._k(X, ones, X, ones)
    Kg = np.array([[hp["sv"] * _matern52(math.sqrt(np.sum(((a - b) / hp["ls"]) ** 2)))
                    for b in X] for a in X])
    assert np.allclose(Kt, Kg, rtol=1e-12)
    assert np.allclose(model._k_diag(z[:, None]), np.diag(model._k(X, z, X, z)))
    assert np.allclose(model.k_same_x(z, ones), np.diag(model._k(X, z, X, ones)))


def test_truncated_kernel_is_the_covariance_of_its_construction():
    # Monte Carlo: f(x, t) = g(x) + (1 - t) (b0(x) + t b1(x)) with g ~ GP(s2 k(.; l)) and
    # b0, b1 ~ GP(s2 k(.; l_b)) independent has exactly the linear truncated covariance
    model, X, z, _ = _fitted("truncated")
    hp = model.hp_
    rng = np.random.default_rng(3)
    Xq, tq = rng.uniform(size=(6, 2)), np.array([0.0, 0.2, 0.5, 0.8, 1.0, 0.35])
    Kg = _truncated_direct(Xq, np.ones(6), Xq, np.ones(6), hp)
    Kb = _truncated_direct(Xq, np.zeros(6), Xq, np.zeros(6), hp) - Kg  # s2 k(.; l_b)
    N = 200_000
    Lg = np.linalg.cholesky(Kg + 1e-12 * np.eye(6))
    Lb = np.linalg.cholesky(Kb + 1e-12 * np.eye(6))
    g = rng.standard_normal((N, 6)) @ Lg.T
    b0 = rng.standard_normal((N, 6)) @ Lb.T
    b1 = rng.standard_normal((N, 6)) @ Lb.T
    f = g + (1 - tq) * (b0 + tq * b1)
    emp = f.T @ f / N
    K = model._k(Xq, tq, Xq, tq)
    # standard error of an empirical covariance entry <= sqrt(2 / N) * max variance
    assert np.abs(emp - K).max() < 5 * math.sqrt(2.0 / N) * np.diag(K).max()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 25),
       log_ls=st.floats(-3.0, 2.0), log_bls=st.floats(-3.0, 2.0))
def test_truncated_kernel_is_positive_semidefinite(seed, n, log_ls, log_bls):
    from probstat.bayesopt._product_gp import product_kernel

    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, 3))
    z = rng.uniform(-1.0, 2.0, size=n)  # includes values outside the range (clipped)
    K = product_kernel(X, z, X, z, kernel="matern52", length_scale=np.exp(log_ls),
                       signal_variance=1.3, z_kind="continuous",
                       z_kernel="linear_truncated", bias_length_scale=np.exp(log_bls),
                       z_range=(-0.5, 1.5))
    assert np.allclose(K, K.T)
    assert np.linalg.eigvalsh(K).min() > -1e-9 * max(1.0, np.abs(K).max())


def test_icm_kernel_matches_elementwise_definition():
    model, X, z, _ = _fitted("index")
    W = model.theta_[2:5].reshape(3, 1)
    kappa = np.exp(model.theta_[5:8])
    B = W @ W.T + np.diag(kappa)
    assert np.allclose(icm_matrix(W, kappa), B)
    ls = model.hp_["ls"]
    K = model._k(X, z, X, z)
    for i in range(len(z)):
        for j in range(len(z)):
            r = math.sqrt(np.sum(((X[i] - X[j]) / ls) ** 2))
            assert K[i, j] == pytest.approx(B[z[i], z[j]] * _matern52(r), rel=1e-12)
    # positive semidefinite, as a valid covariance must be
    assert np.linalg.eigvalsh(K).min() > -1e-10


@pytest.mark.parametrize("kind", ["index", "continuous", "truncated"])
def test_posterior_matches_direct_joint_gaussian(kind):
    model, X, z, y = _fitted(kind)
    z = model._z_arr(z, len(z))
    rng = np.random.default_rng(1)
    Xq = rng.uniform(size=(5, 2))
    zq = model._z_arr(rng.integers(0, 3, size=5) if kind == "index" else rng.uniform(size=5), 5)
    # direct: y_s = (y - m)/s ~ N(0, K + noise I); f_s(q) jointly Gaussian with it
    ys = (y - y.mean()) / y.std()
    hp = model.hp_
    kern = ((lambda A, a, B, b: _truncated_direct(A, a, B, b, hp)) if kind == "truncated"
            else model._k)
    K = kern(X, z, X, z) + hp["noise"] * np.eye(len(y))
    Kq = kern(Xq, zq, X, z)
    Kqq = kern(Xq, zq, Xq, zq)
    mean = Kq @ np.linalg.solve(K, ys) * y.std() + y.mean()
    cov = (Kqq - Kq @ np.linalg.solve(K, Kq.T)) * y.std() ** 2
    mu, sd = model.predict(Xq, zq, return_std=True)
    assert np.allclose(mu, mean, atol=1e-8)
    assert np.allclose(sd, np.sqrt(np.diag(cov)), atol=1e-7)
    assert np.allclose(model.posterior_cov(Xq, zq, Xq, zq), cov, atol=1e-8)


def test_condition_on_matches_direct_joint_gaussian():
    model, X, z, y = _fitted("continuous")
    Xn, zn, yn = np.array([[0.3, 0.7]]), np.array([0.5]), np.array([0.2])
    a = model.condition_on(Xn, zn, yn)
    Xa, za, ya = np.vstack([X, Xn]), np.r_[z, zn][:, None], np.r_[y, yn]
    ys = (ya - model.y_mean_) / model.y_std_  # the fit's standardisation is kept
    K = model._k(Xa, za, Xa, za) + model.hp_["noise"] * np.eye(len(ya))
    Xq, zq = np.array([[0.1, 0.2], [0.8, 0.4]]), np.ones((2, 1))
    mean = model._k(Xq, zq, Xa, za) @ np.linalg.solve(K, ys) * model.y_std_ + model.y_mean_
    assert np.allclose(a.predict(Xq, 1.0), mean, atol=1e-8)


@pytest.mark.parametrize("kind", ["index", "continuous", "truncated"])
def test_knowledge_gradient_matches_monte_carlo(kind):
    model, X, z, y = _fitted(kind)
    target = 0 if kind == "index" else 1.0
    rng = np.random.default_rng(2)
    A = rng.uniform(size=(20, 2))
    xc = np.array([[0.45, 0.55]])
    zc = np.array([1]) if kind == "index" else np.array([0.4])
    kg = knowledge_gradient_at_target(model, xc, zc, A, target)[0]
    # Monte Carlo: draw the observation from its predictive law, condition, re-maximise
    mu, sd = model.predict(xc, zc, return_std=True)
    Aall = np.vstack([A, xc])
    base = model.predict(Aall, target).max()
    draws = mu[0] + np.sqrt(sd[0] ** 2 + model.noise_) * rng.standard_normal(4000)
    gains = np.empty(draws.size)
    for k, yk in enumerate(draws):
        gains[k] = model.condition_on(xc, zc, [yk]).predict(Aall, target).max() - base
    se = gains.std() / math.sqrt(gains.size)
    assert kg > 0
    assert abs(kg - gains.mean()) < 4 * se + 1e-9


def test_augmented_functions_reduce_to_originals_at_target():
    rng = np.random.default_rng(0)
    X2 = rng.uniform(size=(20, 2)) * [15, 15] + [-5, 0]
    assert np.allclose(tf.augmented_branin(np.c_[X2, np.ones(20)]), tf.branin(X2))
    X6 = rng.uniform(size=(20, 6))
    assert np.allclose(tf.augmented_hartmann6(np.c_[X6, np.ones(20)]), tf.hartmann6(X6))
    opt = tf.augmented_hartmann6.optimizers[0]
    assert tf.augmented_hartmann6(list(opt)) == pytest.approx(-3.32237, abs=1e-5)
    # a lower fidelity raises Hartmann (alpha_1 shrinks); Branin keeps its minimum value
    assert tf.augmented_hartmann6(list(opt[:6]) + [0.0]) > -3.3
    assert tf.augmented_branin([math.pi, 1.781519779945532, 0.5]) == pytest.approx(
        5 / (4 * math.pi), abs=1e-9)
    assert tf.multi_source_rosenbrock([1.0, 1.0, 0.0]) == 0.0
    assert tf.multi_source_rosenbrock([1.0, 1.0, 1.0]) == pytest.approx(0.1 * math.sin(15))


def _run_branin(seed):
    opt = BayesianOptimizer([(-5.0, 10.0), (0.0, 15.0)], fidelity=(0.0, 1.0),
                            cost=lambda s: 5 + s, n_initial=6, raw_samples=256,
                            random_state=seed)
    for _ in range(20):
        x = opt.ask()
        opt.tell(x, tf.augmented_branin(x))
    return opt.result()


def test_multi_fidelity_loop_recommends_at_target():
    res = _run_branin(0)
    assert res.x_target[-1] == 1.0
    assert tf.branin.regret(tf.augmented_branin(res.x_target)) < 0.5
    assert res.total_cost == pytest.approx(sum(5 + p[-1] for p in res.x_iters))
    # same seed, same run, whether or not the result is read between iterations
    again = _run_branin(0)
    assert again.x_iters == res.x_iters
    opt = BayesianOptimizer([(-5.0, 10.0), (0.0, 15.0)], fidelity=(0.0, 1.0),
                            cost=lambda s: 5 + s, n_initial=6, raw_samples=256,
                            random_state=0)
    for _ in range(20):
        x = opt.ask()
        opt.tell(x, tf.augmented_branin(x))
        opt.result()
    assert opt.x_iters == res.x_iters


def test_multi_source_loop_reports_each_source():
    costs = {0: 10.0, 1: 1.0, 2: 1.0}
    opt = BayesianOptimizer([(-2.0, 2.0), (-2.0, 2.0)], sources=3, cost=costs.__getitem__,
                            n_initial=6, raw_samples=64, random_state=0)
    res = opt.run(tf.multi_source_rosenbrock, 10)
    assert len(res.x_per_source) == 3 and len(res.fun_per_source) == 3
    assert [p[-1] for p in res.x_per_source] == [0, 1, 2]
    assert all(p[-1] in (0, 1, 2) for p in res.x_iters)
    assert res.total_cost == pytest.approx(sum(costs[p[-1]] for p in res.x_iters))


@pytest.mark.parametrize("kw, err, match", [
    ({"fidelity": (0.0, 1.0), "sources": 2}, ValueError, "not both"),
    ({"fidelity": 1.0}, TypeError, "fidelity must be a pair"),
    ({"fidelity": (1.0, 0.0)}, ValueError, "low < high"),
    ({"sources": 1}, ValueError, "sources"),
    ({"sources": 2.5}, TypeError, "sources"),
    ({"fidelity": (0.0, 1.0), "cost": lambda s: -1.0}, ValueError, "cost must return"),
    ({"fidelity": (0.0, 1.0), "cost": lambda s: "1"}, TypeError, "cost must return"),
    ({"fidelity": (0.0, 1.0), "cost": 3.0}, TypeError, "cost"),
    ({"fidelity": (0.0, 1.0), "acquisition": "ei"}, ValueError, "acquisition must be 'kg'"),
    ({"fidelity": (0.0, 1.0), "n_constraints": 1}, ValueError, "constraints"),
    ({"cost": lambda s: 1.0}, ValueError, "need fidelity"),
    ({"fidelity_kernel": "rbf"}, ValueError, "need fidelity"),
    ({"sources": 2, "fidelity_kernel": "rbf"}, ValueError, "with fidelity only"),
    ({"fidelity": (0.0, 1.0), "fidelity_kernel": "matern"}, ValueError, "fidelity_kernel"),
    ({"fidelity": (0.0, 1.0), "fidelity_kernel": 3}, (TypeError, ValueError),
     "fidelity_kernel"),
])
def test_bad_multi_fidelity_arguments(kw, err, match):
    with pytest.raises(err, match=match):
        BayesianOptimizer([(0.0, 1.0)], **kw)


def test_told_point_must_carry_the_fidelity():
    opt = BayesianOptimizer([(0.0, 1.0)], fidelity=(0.0, 1.0))
    with pytest.raises(ValueError, match="2 entries"):
        opt.tell([0.5], 1.0)
    with pytest.raises(ValueError, match="outside"):
        opt.tell([0.5, 2.0], 1.0)


def _plan_on_data(kind, cost, seed=0):
    """A told multi-fidelity (or 3-source) optimizer on 1-D x and its fitted model."""
    rng = np.random.default_rng(seed)
    if kind == "index":
        opt = BayesianOptimizer([(0.0, 1.0)], sources=3, cost=cost, random_state=seed)
        z = rng.integers(0, 3, size=10)
    else:
        opt = BayesianOptimizer([(0.0, 1.0)], fidelity=(0.0, 1.0), cost=cost,
                                random_state=seed)
        z = rng.uniform(size=10)
    x = rng.uniform(size=10)
    for xi, zi in zip(x, z):
        zi = int(zi) if kind == "index" else float(zi)
        opt.tell([float(xi), zi], float(np.sin(6 * xi) + 0.3 * (1 - zi) * xi))
    plan = opt._mf
    return opt, plan, plan._model(opt)


@pytest.mark.parametrize("kind", ["continuous", "index"])
def test_kg_search_reaches_the_brute_force_maximum(kind):
    # the multistart L-BFGS-B over (x, s) against a dense grid of KG(x, s) / cost(s)
    if kind == "index":
        costs = {0: 4.0, 1: 1.0, 2: 1.5}
        cost = costs.__getitem__
    else:
        def cost(s):
            return 1.0 + 3.0 * s
    opt, plan, model = _plan_on_data(kind, cost)
    A = plan._discrete_set(model, opt)
    xs = np.linspace(0.0, 1.0, 801)[:, None]
    zs = np.arange(3) if kind == "index" else np.linspace(0.0, 1.0, 101)
    U = np.repeat(xs, zs.size, axis=0)
    Z = np.tile(zs, xs.shape[0])
    grid_best = plan._score(model, U, Z, A).max()
    # starts: as in the search, the best of a coarse candidate grid (the KG surface has
    # several local maxima in x), so that the L-BFGS-B itself has to close the gap
    xc = np.linspace(0.0125, 0.9875, 40)[:, None]
    zc = np.array([0, 2]) if kind == "index" else np.array([0.2, 0.8])
    Uc, Zc = np.repeat(xc, 2, axis=0), np.tile(zc, 40)
    top = np.argsort(-plan._score(model, Uc, Zc, A))[:8]
    U0, z0 = Uc[top], Zc[top]
    U2, z2 = plan._polish(model, U0, z0, A)
    before = plan._score(model, U0, z0, A)
    after = plan._score(model, U2, z2, A)
    assert np.all(after >= before - 1e-12)  # L-BFGS-B never ends below its start
    assert before.max() < grid_best * (1 - 1e-3)  # there was a gap to close
    assert after.max() >= grid_best * (1 - 1e-3) - 1e-12
    if kind == "index":
        assert set(np.unique(z2)) <= {0, 2}  # a source index stays where it started
    else:
        assert np.all((z2 >= 0.0) & (z2 <= 1.0))


def test_recommendation_rules_against_brute_force():
    opt, plan, model = _plan_on_data("continuous", lambda s: 1.0 + s)
    X = np.array([p[0] for p in opt.x_iters])
    # brute force: the posterior mean (and sd) at s = 1 at every evaluated x and on a grid
    mu, sd = model.predict(X[:, None], 1.0, return_std=True)
    grid = np.linspace(0.0, 1.0, 20001)[:, None]
    mg = model.predict(grid, 1.0)
    assert plan._recommend(model, 1.0, opt, "evaluated")[0] == pytest.approx(
        X[np.argmax(mu)])
    u = plan._recommend(model, 1.0, opt, "box_unguarded")
    assert model.predict(u[None], 1.0)[0] >= mg.max() - 1e-9
    # the guarded rule keeps the box maximiser only if its mean - sd is no worse
    mb, sb = model.predict(u[None], 1.0, return_std=True)
    guarded = plan._recommend(model, 1.0, opt, "box")
    i = int(np.argmax(mu))
    expected = u if mb[0] - sb[0] >= mu[i] - sd[i] else X[[i]]
    assert guarded == pytest.approx(expected)
    # the default for a fidelity is the guarded box rule, reported at the target
    res = opt.result()
    assert res.x_target[0] == pytest.approx(guarded[0])
    assert res.x_target[-1] == 1.0
    sign = 1.0 if opt.maximize else -1.0
    assert res.fun_target == pytest.approx(sign * model.predict(guarded[None], 1.0)[0])


def test_guard_falls_back_to_an_evaluated_point_where_the_box_maximiser_is_uncertain():
    # a model whose box maximiser of the mean sits far from the data, with a large sd
    opt, plan, model = _plan_on_data("continuous", lambda s: 1.0 + s)
    X = np.array([p[0] for p in opt.x_iters])
    u = plan._recommend(model, 1.0, opt, "box_unguarded")
    mb, sb = model.predict(u[None], 1.0, return_std=True)
    mu, sd = model.predict(X[:, None], 1.0, return_std=True)
    i = int(np.argmax(mu))
    if mb[0] - sb[0] < mu[i] - sd[i]:
        assert plan._recommend(model, 1.0, opt, "box")[0] == pytest.approx(X[i])
    # and always when the sd away from the evaluated x is made large
    orig = model.predict

    def predict(A, z, return_std=False):
        m, s = orig(A, z, return_std=True)
        far = np.min(np.abs(np.asarray(A)[:, :1] - X[None, :]), axis=1) > 1e-9
        return (m, s + 10.0 * far) if return_std else m

    model.predict = predict
    assert plan._recommend(model, 1.0, opt, "box")[0] == pytest.approx(X[i])


def test_recommendation_is_the_best_visited_point_at_the_target():
    opt, plan, model = _plan_on_data("continuous", lambda s: 1.0 + s)
    plan.recommend = "evaluated"
    res = opt.result()
    X = np.array([p[0] for p in opt.x_iters])
    # brute force: the posterior mean at s = 1 at every evaluated x
    mu = np.array([model.predict([[xi]], 1.0)[0] for xi in X])
    best = X[np.argmin(-mu)] if opt.maximize else X[np.argmax(mu)]
    assert res.x_target[0] == pytest.approx(best)
    assert res.x_target[-1] == 1.0
    sign = 1.0 if opt.maximize else -1.0
    assert res.fun_target == pytest.approx(sign * mu.max())


@pytest.mark.parametrize("kernel", ["linear_truncated", "rbf"])
def test_fidelity_kernel_reaches_the_model(kernel):
    def f(p):
        return (p[0] - 0.3) ** 2 + 0.2 * (1.0 - p[-1]) * p[0]

    opt = BayesianOptimizer([(0.0, 1.0)], fidelity=(0.0, 1.0), fidelity_kernel=kernel,
                            n_initial=4, raw_samples=32, random_state=0)
    opt.run(f, 6)
    assert opt.models[-1].z_kernel == kernel
    default = BayesianOptimizer([(0.0, 1.0)], fidelity=(0.0, 1.0), n_initial=4,
                                raw_samples=32, random_state=0).run(f, 6)
    same = opt.result() if kernel == "linear_truncated" else None
    if same is not None:  # the default is the linear truncated kernel
        np.testing.assert_array_equal(same.func_vals, default.func_vals)
