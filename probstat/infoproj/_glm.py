"""Fitted statsmodels GLMs as :class:`LikelihoodModel` objects.

A GLM observation contributes ``l = (v / phi) (y theta(eta) - b(theta(eta))) + c(y)`` with
``eta = x' beta + offset``, ``v`` its variance weight and ``phi`` the dispersion (held at
its estimate, so ``p`` counts the coefficients). Writing ``h(eta) = theta(mu(eta))`` and
``F = y h - b(h)``, ``F' = (y - mu) h'`` and Leibniz's rule give

* ``F''   = (y - mu) h''   - mu' h'``,
* ``F'''  = (y - mu) h'''  - 2 mu' h''  - mu'' h'``,
* ``F'''' = (y - mu) h'''' - 3 mu' h''' - 3 mu'' h'' - mu''' h'``,

and ``l_k = (v / phi) F^(k)(eta) x^(k)`` (outer powers of ``x``). Every ``l_k`` is affine in
``y``, so its expectation under the model given ``x`` is ``l_k`` at ``y = mu``: that is the
model side (``G``, ``D3``, ``D4``) of the risk expansion, exact for any link.
"""

from __future__ import annotations

import numpy as np

from ._likelihood import LikelihoodModel

__all__ = ["glm_model"]


def _mu_h(family, link, eta):
    """``mu, mu', mu'', mu'''`` and ``h', h'', h''', h''''`` of a supported (family, link)."""
    zero = np.zeros_like(eta)
    one = np.ones_like(eta)
    if link == "Log":
        e = np.exp(eta)
        mu = (e, e, e, e)
        if family == "Poisson":
            return mu, (one, zero, zero, zero)
        if family == "Gaussian":
            return mu, (e, e, e, e)
        if family == "Gamma":                      # theta = -1/mu = -e^-eta
            m = np.exp(-eta)
            return mu, (m, -m, m, -m)
        m = np.exp(-2.0 * eta)                     # inverse Gaussian: theta = -e^(-2 eta)/2
        return mu, (m, -2.0 * m, 4.0 * m, -8.0 * m)
    if link == "Logit":                            # Binomial, canonical
        m = 1.0 / (1.0 + np.exp(-eta))
        v = m * (1.0 - m)
        return (m, v, v * (1.0 - 2.0 * m), v * (1.0 - 6.0 * v)), (one, zero, zero, zero)
    if link == "Identity":                         # Gaussian, canonical
        return (eta, one, zero, zero), (one, zero, zero, zero)
    if link == "InversePower":                     # Gamma, canonical: eta = 1/mu
        return ((1.0 / eta, -eta**-2.0, 2.0 * eta**-3.0, -6.0 * eta**-4.0),
                (-one, zero, zero, zero))
    # InverseSquared, inverse Gaussian canonical: eta = 1/mu^2, theta = -eta/2
    return ((eta**-0.5, -0.5 * eta**-1.5, 0.75 * eta**-2.5, -1.875 * eta**-3.5),
            (-0.5 * one, zero, zero, zero))


_SUPPORTED = {
    "Binomial": ("Logit",),
    "Poisson": ("Log",),
    "Gaussian": ("Identity", "Log"),
    "Gamma": ("InversePower", "Log"),
    "InverseGaussian": ("InverseSquared", "Log"),
}
_CANONICAL = {"Binomial": "Logit", "Poisson": "Log", "Gaussian": "Identity",
              "Gamma": "InversePower", "InverseGaussian": "InverseSquared"}


def _column(values, n, name):
    if values is None:
        return None
    a = np.asarray(values, dtype=float).reshape(-1)
    if a.shape[0] != n:
        raise ValueError(f"the GLM's {name} must have one entry per observation")
    return a


def glm_model(results):
    """A :class:`LikelihoodModel` of a fitted statsmodels GLM, and its data.

    Returns ``(model, Z)``. ``Z = [endog, exog]``, followed by a column of the total
    offset (``offset + log(exposure)``) when the GLM has one and a column of variance
    weights when they are not all 1; rows are repeated by their (integer) frequency
    weights, so that ``Z`` is the sample the model was fitted to. The model's ``fit``
    returns the fitted coefficients on ``Z`` itself without refitting.
    """
    import statsmodels.api as sm

    model = getattr(results, "model", None)
    if not isinstance(model, sm.GLM):
        raise TypeError("results must be fitted statsmodels GLM results (from_statsmodels "
                        "needs a GLM)")
    fam = model.family
    fname = type(fam).__name__
    lname = type(fam.link).__name__
    if fname not in _SUPPORTED:
        raise ValueError(f"GLM family {fname} is not supported (Binomial, Poisson, "
                         "Gaussian, Gamma and InverseGaussian are)")
    if lname not in _SUPPORTED[fname]:
        raise ValueError(f"the {fname} family with the {lname} link is not supported: use "
                         f"{' or '.join(_SUPPORTED[fname])} (the canonical link is "
                         f"{_CANONICAL[fname]})")
    endog = np.asarray(model.endog, dtype=float)
    if endog.ndim != 1:
        raise ValueError("binomial GLMs with a two-column (successes, failures) response are "
                         "not supported; use a 0/1 response")
    exog = np.asarray(model.exog, dtype=float)
    n, p = exog.shape
    offset = np.zeros(n)
    has_offset = False
    for name in ("offset", "exposure"):          # statsmodels stores log(exposure)
        col = _column(getattr(model, name, None), n, name)
        if col is not None:
            offset = offset + col
            has_offset = True
    vw = _column(getattr(model, "var_weights", None), n, "var_weights")
    has_vw = vw is not None and not np.all(vw == 1.0)
    fw = _column(getattr(model, "freq_weights", None), n, "freq_weights")
    if fw is not None and not np.all(fw == 1.0):
        if np.any(fw < 0) or np.any(fw != np.round(fw)):
            raise ValueError("freq_weights must be non-negative integers (counts of "
                             "identical observations) for from_statsmodels")
        reps = fw.astype(np.int64)
    else:
        reps = None
    scale = 1.0 if fname in ("Binomial", "Poisson") else float(results.scale)
    cols = [endog[:, None], exog]
    if has_offset:
        cols.append(offset[:, None])
    if has_vw:
        cols.append(vw[:, None])
    Z = np.concatenate(cols, axis=1)
    if reps is not None:
        Z = np.repeat(Z, reps, axis=0)
    params = np.asarray(results.params, dtype=float)

    def split(W):
        y, A = W[:, 0], W[:, 1:1 + p]
        k = 1 + p
        o = W[:, k] if has_offset else 0.0
        k += has_offset
        v = W[:, k] if has_vw else np.ones(W.shape[0])
        return y, A, o, v

    def derivs(theta, W):
        y, A, o, v = split(W)
        eta = A @ theta + o
        (mu, m1, m2, m3), (h1, h2, h3, h4) = _mu_h(fname, lname, eta)
        r = y - mu
        f = v / scale
        F1 = f * r * h1
        F2 = f * (r * h2 - m1 * h1)
        F3 = f * (r * h3 - 2.0 * m1 * h2 - m2 * h1)
        F4 = f * (r * h4 - 3.0 * m1 * h3 - 3.0 * m2 * h2 - m3 * h1)
        es = np.einsum
        return (F1[:, None] * A, es("n,ni,nj->nij", F2, A, A),
                es("n,ni,nj,nk->nijk", F3, A, A, A),
                es("n,ni,nj,nk,nl->nijkl", F4, A, A, A, A))

    def loglike_obs(theta, W):
        y, A, o, v = split(W)
        with np.errstate(all="ignore"):
            mu = fam.link.inverse(A @ theta + o)
            return fam.loglike_obs(y, mu, var_weights=v, scale=scale)

    def model_expect(theta):
        # every derivative is affine in y: its model expectation given x is its value at mu
        y, A, o, v = split(Z)
        nodes = Z.copy()
        nodes[:, 0] = _mu_h(fname, lname, A @ theta + o)[0][0]
        return nodes, np.ones(Z.shape[0])

    def fit(W):
        if W.shape == Z.shape and np.array_equal(W, Z):
            return params
        y, A, o, v = split(W)
        family = type(fam)(link=type(fam.link)())
        return sm.GLM(y, A, family=family, offset=o if has_offset else None,
                      var_weights=v if has_vw else None).fit().params

    canonical = lname == _CANONICAL[fname]
    label = f"GLM {fname} ({lname} link{', canonical' if canonical else ''})"
    return LikelihoodModel(loglike_obs, derivs, fit=fit,
                           model_expect=None if canonical else model_expect,
                           name=label), Z
