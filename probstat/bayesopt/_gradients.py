"""Analytic gradients of the look-ahead and Monte-Carlo acquisitions with respect to x.

- Discrete KG and Frazier's noisy EI: the envelope-theorem derivatives of the discrete KG
  with respect to its intercepts ``a`` and slopes ``b`` (Frazier, Powell & Dayanik 2009)
  chained with the derivatives of ``mu_n(x)``, ``sigma_n^2(x)`` and ``Sigma_n(A, x)``.
- Continuous KG by simulation: for each fantasy the maximiser ``x'_j`` is held fixed
  (envelope theorem), so the gradient is that of ``Sigma_n(x'_j, x) Z_j / sigma~(x)``
  (the infinitesimal-perturbation-analysis estimator of Wu & Frazier 2016).
- MES: the derivative of ``gamma phi / (2 Phi) - log Phi`` in ``gamma = (y* - mu) / sd``.
- q-EI and q-LogEI: the reparameterised sample-path gradient with the base samples held
  fixed: ``d f_s = d mu + dL eps_s``, where ``dL`` is the derivative of the Cholesky
  factor of the batch covariance, ``dL = L Phi(L^-1 dSigma L^-T)`` (``Phi`` keeps the
  lower triangle and halves the diagonal; Murray 2016).

Every function works on validated float64 arrays in the model's units.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ._closed_forms import _LOG_SQRT_2PI, _dkg
from ._derivatives import posterior_cross_cov_grad


def _moments_var(model, X):
    mu, sd, dmu, dsd = model._predict_with_grad_np(X)
    return mu, sd**2, dmu, 2.0 * sd[:, None] * dsd


def kg_on_set_value_grad(model, X, A, mean_A, noise_var, W_A=None):
    """Discrete KG on ``A + {x}`` for each row ``x`` of ``X``, with its gradient.

    Returns ``(kg, grad, a_max_is_x)``: values (m,), gradients (m, d) and whether the
    query's own mean is the largest intercept (for noisy EI's extra term).
    """
    cov, dcov = posterior_cross_cov_grad(model, X, A, W=W_A)
    mu, var, dmu, dvar = _moments_var(model, X)
    denom = np.sqrt(var + noise_var)
    ok = denom > 0
    safe = np.where(ok, denom, 1.0)
    m = X.shape[0]
    a = np.concatenate([np.broadcast_to(mean_A, (m, mean_A.size)), mu[:, None]], axis=1)
    num = np.concatenate([cov, var[:, None]], axis=1)
    b = num / safe[:, None]
    b[~ok] = 0.0
    kg, ga, gb = _dkg(a, b)
    dnum = np.concatenate([dcov, dvar[:, None, :]], axis=1)
    ddenom = dvar / (2.0 * safe[:, None])
    db = (dnum - b[:, :, None] * ddenom[:, None, :]) / safe[:, None, None]
    grad = ga[:, -1, None] * dmu + np.einsum("mk,mkd->md", gb, db)
    grad[~ok] = (ga[:, -1, None] * dmu)[~ok]
    return kg, grad, a


def noisy_ei_value_grad(model, X, X_obs, mean_obs, noise_var, W_obs=None):
    """Frazier's noisy EI (``KG_disc + max_S a - max_obs a``) and its gradient."""
    kg, grad, a = kg_on_set_value_grad(model, X, X_obs, mean_obs, noise_var, W_obs)
    top = a[:, -1] > mean_obs.max()
    _, _, dmu, _ = model._predict_with_grad_np(X)
    grad = grad + np.where(top[:, None], dmu, 0.0)
    return kg + a.max(axis=1) - mean_obs.max(), grad


def fantasy_kg_grad(model, x, P_star, Z, noise_var, value):
    """Gradient of the simulated KG at one point ``x`` with the fantasies' maximisers
    ``P_star`` (J, d) held fixed (envelope theorem); zero where the value was clamped."""
    if value <= 0.0:
        return np.zeros_like(x)
    mu, var, dmu, dvar = _moments_var(model, x[None])
    denom = float(np.sqrt(var[0] + noise_var))
    if denom == 0.0:
        return np.zeros_like(x)
    c, dc = posterior_cross_cov_grad(model, x[None], P_star)  # grads w.r.t. x
    c, dc = c[0], dc[0]  # (J,), (J, d)
    ddenom = dvar[0] / (2.0 * denom)
    per = (dc / denom - c[:, None] * ddenom[None, :] / denom**2) * Z[:, None]
    return per.mean(axis=0)


def mes_value_grad(model, X, ystar):
    """Max-value entropy search (noise-free closed form) and its gradient."""
    mu, sd, dmu, dsd = model._predict_with_grad_np(X)
    floored = sd < 1e-10
    sd = np.maximum(sd, 1e-10)
    gamma = (ystar[None, :] - mu[:, None]) / sd[:, None]
    log_cdf = special.log_ndtr(gamma)
    r = np.exp(-0.5 * gamma**2 - _LOG_SQRT_2PI - log_cdf)  # phi / Phi
    per = 0.5 * gamma * r - log_cdf
    val = per.mean(axis=1)
    dper = -0.5 * r * (1.0 + gamma**2 + gamma * r)  # d per / d gamma
    dsd = np.where(floored[:, None], 0.0, dsd)
    dgamma = -(dmu[:, None, :] + gamma[:, :, None] * dsd[:, None, :]) / sd[:, None, None]
    grad = np.einsum("mk,mkd->md", dper, dgamma) / ystar.size
    neg = val < 0
    grad[neg] = 0.0
    return np.maximum(val, 0.0), grad


def _chol_derivatives(L, dS):
    """Derivatives of the Cholesky factor ``L`` along the symmetric directions ``dS``
    (V, Q, Q): ``L Phi(L^-1 dS L^-T)``."""
    from scipy import linalg

    Linv = linalg.solve_triangular(L, np.eye(L.shape[0]), lower=True, check_finite=False)
    M = Linv[None] @ dS @ Linv.T[None]
    P = np.tril(M)
    idx = np.arange(L.shape[0])
    P[:, idx, idx] *= 0.5
    return L[None] @ P


def qei_value_grad(acq, Xb):
    """q-EI / q-LogEI of an acquisition object with fixed base samples, and the gradient
    with respect to the ``q`` free points of each batch (pending points are fixed)."""
    model = acq.model_
    m, q, d = Xb.shape
    full = Xb
    if acq.X_pending_ is not None:
        P = np.broadcast_to(acq.X_pending_, (m, *acq.X_pending_.shape))
        full = np.concatenate([Xb, P], axis=1)
    mu, cov = acq._joint(Xb)
    Q = mu.shape[1]
    if acq.base_ is None or acq.base_.shape[1] != Q:
        acq._samples(Xb)  # draws the base samples for this batch size
    eps = acq.base_
    S = eps.shape[0]
    values = np.empty(m)
    grads = np.zeros((m, q, d))
    for i in range(m):
        Xi = full[i]
        _, _, dmu, _ = model._predict_with_grad_np(Xi)  # (Q, d)
        _, D = posterior_cross_cov_grad(model, Xi, Xi)  # D[a, b] = dSigma(x_a, x_b)/dx_a
        C = cov[i]
        scale = np.mean(np.abs(np.diag(C))) + 1e-30
        L = np.linalg.cholesky(C + 1e-9 * scale * np.eye(Q))
        f = mu[i][None, :] + eps @ L.T  # (S, Q)
        imp_all = f - acq.best_
        jstar = np.argmax(imp_all, axis=1)
        imp = imp_all[np.arange(S), jstar]
        # directions: one per free coordinate (p, k): dSigma[p, :] = D[p, :, k] (and its
        # transpose; the diagonal entry gets both)
        dS = np.zeros((q, d, Q, Q))
        for p in range(q):
            dS[p, :, p, :] += D[p].T
            dS[p, :, :, p] += D[p].T
        dL = _chol_derivatives(L, dS.reshape(q * d, Q, Q)).reshape(q, d, Q, Q)
        if acq._log:
            val, coef = _log_softplus_mean(imp, acq.model_._y_std)
        else:
            val = np.mean(np.maximum(imp, 0.0))
            coef = (imp > 0) / S
        values[i] = val
        # d f_{s, j*} = [j* = p] dmu[p, k] + sum_l dL[p, k, j*, l] eps[s, l]
        rows = dL[:, :, jstar, :]  # (q, d, S, Q)
        df = np.einsum("pksl,sl->pks", rows, eps)
        for p in range(q):
            df[p] += np.where(jstar == p, 1.0, 0.0)[None, :] * dmu[p][:, None]
        grads[i] = np.einsum("pks,s->pk", df, coef)
    return values, grads


def _log_softplus_mean(imp, y_std):
    """``log mean_s tau softplus(imp_s / tau)`` (as qLogEI) and its derivative in imp."""
    tau = 1e-3 * y_std
    u = imp / tau
    log_sp = np.empty_like(u)
    dlog = np.empty_like(u)
    hi, lo = u > 30, u < -30
    mid = ~(hi | lo)
    log_sp[hi] = np.log(u[hi])
    dlog[hi] = 1.0 / u[hi]
    log_sp[lo] = u[lo]
    dlog[lo] = 1.0
    sp = np.log1p(np.exp(u[mid]))
    log_sp[mid] = np.log(sp)
    dlog[mid] = special.expit(u[mid]) / sp
    top = log_sp.max()
    w = np.exp(log_sp - top)
    total = w.sum()
    val = np.log(tau) + top + np.log(total) - np.log(u.size)
    return val, (w / total) * dlog / tau
