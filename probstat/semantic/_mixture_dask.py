"""CM-EM on a dask array: the in-memory iterations, each pass over the rows a map-reduce.

Every pass of :class:`CMGaussianMixture`'s fit touches the samples only through sums over
rows: the fused E/M pass (soft counts, first and second moments, log-likelihood), and,
for CM-EM, the E2 weight optimisation, whose objective, gradient and curvature are sums
over rows too. Here each block of rows computes its share with the same numba kernels
(on the Dask workers) and the client adds the shares and takes the small steps (the
M-step, the active-set QP of E2) exactly as the in-memory fit does. The results agree
with the in-memory fit up to the order of the sums (about 1e-12 relative).

Only the per-row log-densities of CM-EM's E2 step (``n x k``, a tenth of ``X`` for ten
features and one component) are held in the workers' memory during an iteration; ``X``
itself is read again at each pass, so it may be a lazily generated or loaded array larger
than the cluster's memory (``X.persist()`` trades memory for speed when it fits).
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import to_numpy
from ..utils import check_sample_weight
from ..utils._dask import check_dask_matrix
from ._mixture import _is_dask_array, _log_joint_np

#: Up to this many rows, the start is computed in memory, as the in-memory fit does;
#: above, k-means runs on a uniform subsample of this many rows.
INIT_ROWS = 100_000


# ---------------------------------------------------------------- block functions
def _check_block(xb, wb):
    """(sum of weights, sum of w log w) of a block; refuses NaN, inf, negative weights."""
    if not np.all(np.isfinite(xb)):
        raise ValueError("Input X contains NaN or infinity.")
    if wb is None:
        return float(xb.shape[0]), 0.0
    wb = np.asarray(wb, dtype=np.float64)
    if not np.all(np.isfinite(wb)):
        raise ValueError("sample_weight must be finite")
    if np.any(wb < 0):
        raise ValueError("sample_weight must be >= 0")
    pos = wb > 0
    return float(wb.sum()), float(np.sum(wb[pos] * np.log(wb[pos])))


def _px_block(wb, size, total):
    if wb is None:
        return np.full(size, 1.0 / total)
    return np.asarray(wb, dtype=np.float64) / total


def _plogp_block(pb):
    pos = pb > 0
    return float(np.sum(pb[pos] * np.log(pb[pos])))


def _weighted_sum_block(xb, pb):
    return pb @ xb


def _scatter_block(xb, pb, centre):
    diff = xb - centre
    return (pb[:, None] * diff).T @ diff


def _init_resp(xb, centres, k, seed):
    """Hard nearest-centre responsibilities, or uniform random ones from ``seed``."""
    n = xb.shape[0]
    if centres is None:
        resp = np.random.default_rng(seed).uniform(size=(n, k))
        return resp / resp.sum(1, keepdims=True)
    dist = ((xb[:, None, :] - centres[None]) ** 2).sum(-1)
    resp = np.zeros((n, k))
    resp[np.arange(n), dist.argmin(1)] = 1.0
    return resp


def _init_moments_block(xb, pb, centres, k, seed):
    """Soft counts, first moments and diagonal second moments of the starting channel."""
    rw = pb[:, None] * _init_resp(xb, centres, k, seed)
    return rw.sum(axis=0), rw.T @ xb, rw.T @ (xb * xb)


def _init_scatter_block(xb, pb, centres, k, seed, means):
    rw = pb[:, None] * _init_resp(xb, centres, k, seed)
    out = np.empty((k, xb.shape[1], xb.shape[1]))
    for j in range(k):
        diff = xb - means[j]
        out[j] = (rw[:, j] * diff.T) @ diff
    return out


def _log_comp_block(xb, means, factors):
    from ._mixture_kernels import log_components

    return log_components(np.ascontiguousarray(xb), means, *factors)


def _em_block(xb, pb, lcb, means, factors, log_w, use_comp, scatter):
    from ._mixture_kernels import em_pass

    Lt, prec, const, full, tied = factors
    lcb = np.empty((0, 0)) if lcb is None else lcb
    return em_pass(np.ascontiguousarray(xb), pb, means, Lt, prec, const, log_w, full, tied,
                   lcb, use_comp, scatter)


def _objective_block(lcb, pb, q):
    from ._mixture_kernels import e2_objective_block

    return e2_objective_block(lcb, pb, q)


def _curvature_block(lcb, pb, q):
    from ._mixture_kernels import e2_curvature_block

    return e2_curvature_block(lcb, pb, q)


def _predict_block(xb, method, weights, means, prec_chol, covariance_type):
    from ..utils._numerics import log_normalize

    log_joint = _log_joint_np(np.asarray(xb, dtype=np.float64), weights, means, prec_chol,
                              covariance_type)
    if method == "predict":
        return np.argmax(log_joint, axis=1)
    log_mix, resp = log_normalize(log_joint)
    return log_mix if method == "score_samples" else resp


class DaskData:
    """Row blocks of a dask array ``X`` and of ``P(x)``; the fit's passes as map-reduces.

    The methods are those of ``_mixture._InMemoryData``.
    """

    def __init__(self, X, sample_weight, n_components):
        import dask

        X = check_dask_matrix(X)
        self.n, self.d = X.shape
        if self.n < 2 or self.d < 1:
            raise ValueError(f"Found array with {self.n} sample(s) and {self.d} feature(s) "
                             "while a minimum of 2 samples and 1 feature is required.")
        if self.n < n_components:
            raise ValueError(f"Expected n_samples >= n_components but got "
                             f"n_components = {n_components}, n_samples = {self.n}")
        self.X = X
        self.sizes = X.chunks[0]
        self.xb = X.to_delayed().ravel().tolist()
        wbs = self._weight_blocks(sample_weight)
        checked = self._compute(_check_block, self.xb, wbs)
        total = math.fsum(c[0] for c in checked)
        if not total > 0:
            raise ValueError("sample_weight must have a positive sum")
        self.px = list(dask.persist(*[dask.delayed(_px_block, pure=False)(wb, size, total)
                                      for wb, size in zip(wbs, self.sizes)]))

    def _weight_blocks(self, sample_weight):
        if sample_weight is None:
            return [None] * len(self.sizes)
        if _is_dask_array(sample_weight):
            if sample_weight.ndim != 1 or sample_weight.shape[0] != self.n:
                raise ValueError(f"sample_weight must have shape ({self.n},) "
                                 f"(got {sample_weight.shape})")
            if sample_weight.dtype.kind not in "biuf":
                raise TypeError(f"sample_weight must hold real numbers "
                                f"(got dtype {sample_weight.dtype})")
            return sample_weight.rechunk((self.sizes,)).to_delayed().ravel().tolist()
        sw = to_numpy(check_sample_weight(sample_weight, self.n))
        return np.split(sw, np.cumsum(self.sizes)[:-1])

    @staticmethod
    def _compute(func, *block_lists, args=()):
        """``func(block..., *args)`` on every block (on the Dask scheduler), in block order."""
        import dask

        call = dask.delayed(func, pure=False)
        return dask.compute(*[call(*blocks, *args) for blocks in zip(*block_lists)])

    def _sum(self, func, *block_lists, args=()):
        """Sum over blocks of ``func``'s result (a tuple is summed item by item)."""
        parts = self._compute(func, *block_lists, args=args)
        if isinstance(parts[0], tuple):
            return tuple(_add([p[i] for p in parts]) for i in range(len(parts[0])))
        return _add(parts)

    # ------------------------------------------------------------ the fit's passes
    def plogp(self):
        return math.fsum(self._compute(_plogp_block, self.px))

    def data_scatter(self):
        centre = self._sum(_weighted_sum_block, self.xb, self.px)
        return centre, self._sum(_scatter_block, self.xb, self.px, args=(centre,))

    def initial_parameters(self, est, rng):
        if self.n <= INIT_ROWS:
            # the whole start in memory, as the in-memory fit computes it
            X = np.ascontiguousarray(self.X.compute())
            px = np.concatenate(self._compute(np.asarray, self.px))
            return est._initial_parameters(X, px, rng)
        k, seeds, centres = est.n_components, [None] * len(self.xb), None
        if est.means_init is not None:
            centres = est._check_means_init(self.d)
        elif est.init_params == "kmeans":
            centres = self._kmeans_centres(est, rng)
        else:
            child = np.random.SeedSequence(rng.integers(0, 2**63, size=4).tolist())
            seeds = child.spawn(len(self.xb))
        args = [(centres, k, seed) for seed in seeds]
        nk_raw, sx, sxx = _sum_blockwise(self, _init_moments_block, args)
        nk = nk_raw + 10 * np.finfo(float).eps
        means = sx / nk[:, None]
        d, reg = self.d, est.reg_covar
        if est.covariance_type in ("full", "tied"):
            scatter = _sum_blockwise(self, _init_scatter_block,
                                     [a + (means,) for a in args])
            if est.covariance_type == "tied":
                cov = scatter.sum(axis=0) / nk.sum()
                cov.flat[:: d + 1] += reg
            else:
                cov = scatter / nk[:, None, None]
                for j in range(k):
                    cov[j].flat[:: d + 1] += reg
        else:
            diag = sxx / nk[:, None] - means ** 2 + reg
            cov = diag if est.covariance_type == "diag" else diag.mean(axis=1)
        return est._finish_init(nk, means if est.means_init is None else centres, cov, d)

    def _kmeans_centres(self, est, rng):
        """k-means centres on a uniform subsample of ``INIT_ROWS`` rows."""
        import dask.array as da
        from sklearn.cluster import KMeans

        idx = np.sort(rng.choice(self.n, size=INIT_ROWS, replace=False))
        seed = int(rng.integers(0, 2**31 - 1))
        px = da.concatenate([da.from_delayed(b, (size,), dtype=np.float64)
                             for b, size in zip(self.px, self.sizes)])
        Xs, ps = (np.asarray(a) for a in _compute_all(self.X[idx], px[idx]))
        return KMeans(n_clusters=est.n_components, n_init=1, random_state=seed).fit(
            Xs, sample_weight=ps * self.n).cluster_centers_

    def optimise_weights(self, est, means, factors, weights):
        import dask

        log_comp = list(dask.persist(*[dask.delayed(_log_comp_block, pure=False)(
            xb, means, factors) for xb in self.xb]))
        start = np.maximum(weights, 1e-12)
        q = self._fixed_point(log_comp, start / start.sum(), float(est.inner_tol),
                              int(est.max_inner_iter))
        return q, log_comp

    def em_pass(self, means, factors, log_w, log_comp, use_comp, scatter):
        lcs = [None] * len(self.xb) if log_comp is None else log_comp
        nk, sx, S, ll, ent, cross = self._sum(_em_block, self.xb, self.px, lcs,
                                              args=(means, factors, log_w, use_comp, scatter))
        return nk, sx, S, float(ll), float(ent), float(cross)

    # ------------------------------------------------------------ E2 over blocks
    def _objective(self, log_comp, q):
        parts = self._compute(_objective_block, log_comp, self.px, args=(q,))
        if any(p[0] == -math.inf for p in parts):
            return -math.inf, _add([p[1] for p in parts])
        return math.fsum(p[0] for p in parts), _add([p[1] for p in parts])

    def _fixed_point(self, log_comp, q0, tol, max_iter):
        """``_kernels.fixed_point`` with its sums over rows taken block by block."""
        from ._kernels import _matvec, _simplex_qp

        q = q0 / q0.sum()
        f, _ = self._objective(log_comp, q)
        for _ in range(max_iter):
            c, H_all = self._sum(_curvature_block, log_comp, self.px, args=(q,))
            c_max = c.max()
            if math.log(c_max) <= tol:
                return q
            cand = (q > 0.0) | (c > 1.0 - 1e-3)
            cand[np.argmax(c)] = True
            idx = np.nonzero(cand)[0]
            k = idx.shape[0]
            H = np.ascontiguousarray(H_all[np.ix_(idx, idx)])
            H.flat[:: k + 1] += 1e-12 * np.trace(H) / k + 1e-300
            q_C, c_C = q[idx].copy(), c[idx].copy()
            b = c_C + _matvec(H, q_C)
            free = q_C > 0.0 if np.any(q_C > 0.0) else np.ones(k, dtype=bool)
            p_C = _simplex_qp(H, b, q_C, free, 4 * k + 20)
            direction = -q.copy()
            direction[idx] += p_C
            slope = float(c @ direction)
            t, accepted = 1.0, False
            while t > 1e-10 and slope > 0.0:
                cq = np.maximum(q + t * direction, 0.0)
                cq /= cq.sum()
                f_cand, c_cand = self._objective(log_comp, cq)
                if f_cand >= f + 1e-4 * t * slope or (
                        t == 1.0 and abs(f_cand - f) <= 1e-13 * (abs(f) + 1.0)
                        and c_cand.max() < c_max):
                    q, f, accepted = cq, f_cand, True
                    break
                t *= 0.5
            if not accepted:
                q = q * c
                q /= q.sum()
                f, _ = self._objective(log_comp, q)
        return q


def _add(parts):
    if isinstance(parts[0], np.ndarray):
        return np.sum(np.stack(parts), axis=0)
    return math.fsum(parts)


def _sum_blockwise(data, func, args_per_block):
    """Sum over blocks of ``func(x_block, p_block, *args)``, with per-block ``args``."""
    import dask

    call = dask.delayed(func, pure=False)
    parts = dask.compute(*[call(xb, pb, *args) for xb, pb, args in
                           zip(data.xb, data.px, args_per_block)])
    if isinstance(parts[0], tuple):
        return tuple(_add([p[i] for p in parts]) for i in range(len(parts[0])))
    return _add(list(parts))


def _compute_all(*arrays):
    import dask

    return dask.compute(*arrays)


# ---------------------------------------------------------------- estimator entry points
def fit(est, X, sample_weight):
    """Fit ``est`` on the dask array ``X``; the fitted attributes are NumPy arrays."""
    data = DaskData(X, sample_weight, est.n_components)
    est._fit_data(data)
    est.n_features_in_ = data.d
    if hasattr(est, "feature_names_in_"):
        del est.feature_names_in_
    return est


def map_method(est, X, method):
    """``predict``, ``predict_proba`` or ``score_samples`` on a dask array, lazily."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est)
    X = check_dask_matrix(X)
    if X.shape[1] != est.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but CMGaussianMixture is expecting "
                         f"{est.n_features_in_} features as input.")
    params = {"method": method, "weights": to_numpy(est.weights_),
              "means": to_numpy(est.means_), "prec_chol": to_numpy(est.precisions_cholesky_),
              "covariance_type": est.covariance_type}
    if method == "predict_proba":
        return X.map_blocks(_predict_block, dtype=np.float64,
                            chunks=(X.chunks[0], (est.n_components,)), **params)
    dtype = np.int64 if method == "predict" else np.float64
    return X.map_blocks(_predict_block, dtype=dtype, drop_axis=1, **params)
