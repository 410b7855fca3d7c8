"""Sheena's p-n criterion as a scikit-learn style estimator, and general likelihood models."""

from __future__ import annotations

import dataclasses
import itertools
import math
import warnings

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..base import ResultMixin
from ..utils import check_rng, check_scalar_in
from ._core import (
    kl_tolerance,
    loglik_moments,
    min_sample_size,
    risk_expansion_general,
)
from ._expfam import _MVN, ExponentialFamily, _host, _IndepNormal, mvn_sandwich_coefficients
from ._risk import _MODES, risk_coefficients

__all__ = ["ExpansionWarning", "LikelihoodModel", "PNCriterion", "PNReport"]


class ExpansionWarning(UserWarning):
    """The second-order risk expansion is unreliable or the data are heavy-tailed."""


# ----------------------------------------------------------------------------------
# general likelihood models
# ----------------------------------------------------------------------------------
def _fd_derivs(f, theta, h):
    """Per-observation derivative tensors of orders 1..4 of f(theta) -> (n,) by
    Richardson-extrapolated central differences."""
    p = theta.shape[0]
    outs = []
    for k in range(1, 5):
        res = []
        for scale in (1.0, 2.0):
            hh = h * scale * (1.0 if k == 1 else {2: 3.0, 3: 6.0, 4: 10.0}[k])
            out = None
            for idx in itertools.combinations_with_replacement(range(p), k):
                total = 0.0
                for signs in itertools.product((1.0, -1.0), repeat=k):
                    step = np.zeros(p)
                    for i, s in zip(idx, signs):
                        step[i] += s * hh[i]
                    total = total + np.prod(signs) * f(theta + step)
                val = total / (2.0 ** k * np.prod([hh[i] for i in idx]))
                if out is None:
                    out = np.zeros((val.shape[0],) + (p,) * k)
                for perm in set(itertools.permutations(idx)):
                    out[(slice(None),) + perm] = val
            res.append(out)
        outs.append((4.0 * res[0] - res[1]) / 3.0)
    return outs


class LikelihoodModel:
    """A general regular parametric model given by its per-observation log-likelihood.

    Used by :class:`PNCriterion` through :func:`risk_expansion_general`. Derivatives of the
    log-likelihood up to order 4 come from ``derivs`` (analytic) or from Richardson-
    extrapolated central differences of ``loglike_obs``.

    Parameters
    ----------
    loglike_obs : callable, optional
        ``(theta, X) -> (n,)`` log-likelihood of each observation.
    derivs : callable, optional
        ``(theta, X) -> (l1, l2, l3, l4)`` with shapes (n, p), (n, p, p), (n, p, p, p),
        (n, p, p, p, p).
    fit : callable, optional
        ``X -> theta_hat``; default maximises the sum of ``loglike_obs`` from ``theta0``
        (Nelder-Mead, then BFGS).
    theta0 : array of shape (p,), optional
        Start for the default ``fit``; also fixes ``p``.
    model_expect : callable, optional
        ``theta -> (nodes, weights)``: a quadrature rule, enumeration or sample of the
        *model* at ``theta``, for ``G = -E*[l_ij]``, ``D3``, ``D4``. When omitted they are
        taken from the data (exact for canonical-link GLMs and natural exponential families,
        a correct-model plug-in otherwise).
    fd_step : float, default=1e-4
        Relative finite-difference step.
    name : str, default="loglik"

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.infoproj import LikelihoodModel
    >>> model = LikelihoodModel(lambda th, X: th[0] * X[:, 0] + np.log(-th[0]),
    ...                         fit=lambda X: np.array([-1 / X[:, 0].mean()]))
    >>> X = np.random.default_rng(0).exponential(size=(500, 1))
    >>> l1, l2, l3, l4 = model.derivatives(model.fit(X), X)
    >>> l4.shape
    (500, 1, 1, 1, 1)
    """

    def __init__(self, loglike_obs=None, derivs=None, *, fit=None, theta0=None,
                 model_expect=None, fd_step=1e-4, name="loglik"):
        if loglike_obs is None and derivs is None:
            raise ValueError("give loglike_obs or derivs")
        for nm, fn in (("loglike_obs", loglike_obs), ("derivs", derivs), ("fit", fit),
                       ("model_expect", model_expect)):
            if fn is not None and not callable(fn):
                raise TypeError(f"{nm} must be callable")
        if fit is None and theta0 is None:
            raise ValueError("give fit (X -> theta_hat) or theta0 (a start for the MLE)")
        self.loglike_obs = loglike_obs
        self.derivs = derivs
        self._fit = fit
        self.theta0 = None if theta0 is None else np.asarray(theta0, dtype=float).reshape(-1)
        self.model_expect = model_expect
        self.fd_step = check_scalar_in(fd_step, "fd_step", low=0, low_inclusive=False)
        self.name = name

    def fit(self, X):
        """MLE ``theta_hat`` on ``X``.

        Parameters
        ----------
        X : array of shape (n, d)

        Returns
        -------
        ndarray of shape (p,)
        """
        if self._fit is not None:
            return np.asarray(self._fit(X), dtype=float).reshape(-1)
        import scipy.optimize

        def objective(th):
            with np.errstate(all="ignore"):
                val = -float(np.sum(self.loglike_obs(th, X)))
            return val if np.isfinite(val) else np.inf

        # Nelder-Mead tolerates an infinite objective outside the parameter space;
        # BFGS then polishes from inside it
        start = scipy.optimize.minimize(objective, self.theta0, method="Nelder-Mead",
                                        options={"xatol": 1e-10, "fatol": 1e-12,
                                                 "maxiter": 20000})
        res = scipy.optimize.minimize(objective, start.x, method="BFGS")
        if not np.isfinite(res.fun) or res.fun > start.fun:
            res = start
        if not res.success and not start.success:
            from ..utils import ConvergenceWarning

            warnings.warn(f"MLE did not converge in {res.nit} iterations: {res.message}",
                          ConvergenceWarning, stacklevel=2)
        return res.x

    def derivatives(self, theta, X):
        """Per-observation derivatives ``(l1, l2, l3, l4)`` at ``theta``.

        Parameters
        ----------
        theta : array of shape (p,)
        X : array of shape (n, d)

        Returns
        -------
        l1, l2, l3, l4 : ndarrays of shapes (n, p), (n, p, p), (n, p, p, p), (n, p, p, p, p)
        """
        theta = np.asarray(theta, dtype=float).reshape(-1)
        if self.derivs is not None:
            l1, l2, l3, l4 = self.derivs(theta, X)
            n, p = X.shape[0], theta.shape[0]
            return (np.asarray(l1, float).reshape(n, p), np.asarray(l2, float).reshape(n, p, p),
                    np.asarray(l3, float).reshape(n, p, p, p),
                    np.asarray(l4, float).reshape(n, p, p, p, p))
        h = self.fd_step * np.maximum(np.abs(theta), 1.0)
        return _fd_derivs(lambda th: np.asarray(self.loglike_obs(th, X), float), theta, h)

    def logpdf(self, theta, X):
        """Per-observation log-likelihood (NaN without ``loglike_obs``).

        Parameters
        ----------
        theta : array of shape (p,)
        X : array of shape (n, d)

        Returns
        -------
        ndarray of shape (n,)
        """
        if self.loglike_obs is None:
            return np.full(X.shape[0], np.nan)
        return np.asarray(self.loglike_obs(np.asarray(theta, float), X), float).reshape(-1)

    def coefficients(self, theta, X, order=2):
        """Plug-in risk coefficients from :func:`risk_expansion_general`.

        Parameters
        ----------
        theta : array of shape (p,)
            Usually the MLE on ``X``.
        X : array of shape (n, d)
        order : {1, 2}, default=2

        Returns
        -------
        c1, c2 : float
        J, K : ndarray of shape (p, p)
            Sensitivity and score covariance (for TIC).
        """
        l1, l2, l3, l4 = self.derivatives(theta, X)
        model = None
        if self.model_expect is not None:
            nodes, weights = self.model_expect(theta)
            _, m2, m3, m4 = self.derivatives(theta, np.asarray(nodes))
            model = (m2, m3, m4, weights)
        mom = loglik_moments(l1, l2, l3, l4, model=model)
        c1, c2 = risk_expansion_general(**mom, order=order)
        return c1, c2, mom["J"], mom["K"]


def _glm_b_derivs(family_name, eta):
    """b', b'', b''', b'''' of the cumulant function of a canonical-link GLM."""
    if family_name == "Binomial":
        m = 1.0 / (1.0 + np.exp(-eta))
        v = m * (1 - m)
        return m, v, v * (1 - 2 * m), v * (1 - 6 * v)
    if family_name == "Poisson":
        m = np.exp(eta)
        return m, m, m, m
    if family_name == "Gaussian":
        return eta, np.ones_like(eta), np.zeros_like(eta), np.zeros_like(eta)
    raise ValueError(f"unsupported GLM family {family_name!r}")


def _glm_model(results):
    import statsmodels.api as sm

    model = results.model
    if not isinstance(model, sm.GLM):
        raise TypeError("from_statsmodels needs fitted statsmodels GLM results")
    fam = model.family
    canonical = {"Binomial": sm.families.links.Logit, "Poisson": sm.families.links.Log,
                 "Gaussian": sm.families.links.Identity}
    fname = type(fam).__name__
    if fname not in canonical:
        raise ValueError(f"GLM family {fname} is not supported (Binomial, Poisson and "
                         "Gaussian with canonical links are)")
    if not isinstance(fam.link, canonical[fname]):
        raise ValueError(f"only canonical links are supported; the {fname} family "
                         f"uses {type(fam.link).__name__}")
    if np.ndim(model.endog) != 1:
        raise ValueError("binomial GLMs with a two-column (successes, failures) response are "
                         "not supported; use a 0/1 response")
    if getattr(model, "freq_weights", None) is not None and np.any(model.freq_weights != 1) \
            or getattr(model, "var_weights", None) is not None and np.any(model.var_weights != 1):
        raise ValueError("GLMs with frequency or variance weights are not supported")
    if getattr(model, "offset", None) is not None or getattr(model, "exposure", None) is not None:
        raise ValueError("GLMs with an offset or exposure are not supported")
    scale = float(results.scale) if fname == "Gaussian" else 1.0

    def derivs(theta, Z):
        y, A = Z[:, 0], Z[:, 1:]
        eta = A @ theta
        b1, b2, b3, b4 = _glm_b_derivs(fname, eta)
        es = np.einsum
        l1 = ((y - b1) / scale)[:, None] * A
        l2 = -es("n,ni,nj->nij", b2 / scale, A, A)
        l3 = -es("n,ni,nj,nk->nijk", b3 / scale, A, A, A)
        l4 = -es("n,ni,nj,nk,nl->nijkl", b4 / scale, A, A, A, A)
        return l1, l2, l3, l4

    def loglike_obs(theta, Z):
        y, A = Z[:, 0], Z[:, 1:]
        mu = fam.link.inverse(A @ theta)
        return fam.loglike_obs(y, mu, scale=scale)

    def fit(Z):
        return sm.GLM(Z[:, 0], Z[:, 1:], family=type(fam)()).fit().params

    lm = LikelihoodModel(loglike_obs, derivs, fit=fit, name=f"GLM {fname} (canonical)")
    Z = np.column_stack([np.asarray(model.endog, float), np.asarray(model.exog, float)])
    return lm, Z


# ----------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class PNReport(ResultMixin):
    """The p-n criterion's verdict with information criteria side by side.

    Attributes
    ----------
    family : str
    mode : str
    p, n : int
        Number of parameters and of observations.
    c1, c2 : float
        Risk coefficients (nats).
    risk_first, risk_second : float
        ``c1/n`` and ``c1/n + c2/n^2``.
    tol : float
        Tolerance ``delta`` on the risk.
    verdict : str
        ``"accept"`` or ``"reject"`` (at the estimator's ``order``).
    margin : float
        ``tol - risk``.
    n_min : int
        Smallest n that passes at the estimator's order.
    loglik, aic, aicc, tic, bic : float
        Log-likelihood at the MLE and ``-2 loglik + penalty`` with penalties ``2p``,
        ``2p + 2p(p+1)/(n-p-1)``, ``2 tr(J^-1 K)`` and ``p log n``.
    warnings : tuple of str
    """

    family: str
    mode: str
    p: int
    n: int
    c1: float
    c2: float
    risk_first: float
    risk_second: float
    tol: float
    verdict: str
    margin: float
    n_min: int
    loglik: float
    aic: float
    aicc: float
    tic: float
    bic: float
    warnings: tuple = ()

    def to_frame(self):
        """The report as a one-row :class:`pandas.DataFrame`.

        Returns
        -------
        pandas.DataFrame
        """
        import pandas as pd

        row = dataclasses.asdict(self)
        row["warnings"] = "; ".join(self.warnings)
        return pd.DataFrame([row])


# ----------------------------------------------------------------------------------
# the estimator
# ----------------------------------------------------------------------------------
class PNCriterion(DensityMixin, BaseEstimator):
    r"""Sheena's p-n criterion: is ``n`` large enough for a ``p``-parameter model?

    The criterion controls the estimation risk
    ``R(n) = E D[g(.; theta*) || g(.; theta_hat)]`` (KL from the information projection
    ``theta*`` to the MLE ``theta_hat``, averaged over samples of size ``n`` from the
    truth) through its expansion ``c1/n + c2/n^2``. The fitted model is accepted when
    ``R(n) <= tol``.

    Parameters
    ----------
    family : str, ExponentialFamily or LikelihoodModel, default="mvn"
        The model. Strings are named families (:meth:`ExponentialFamily.named`); ``"mvn"``
        takes its dimension from ``X``.
    tol : float, optional
        Tolerance ``delta`` on the risk in nats. When None, ``kl_tolerance(bayes_tv, bound)``.
    bayes_tv : float, default=0.05
        Allowed expected total variation between projection and estimate (a Bayes-error
        requirement); used when ``tol`` is None.
    bound : {"pinsker", "bretagnolle_huber", "best"}, default="best"
        Inequality of :func:`kl_tolerance` (a reconstructed, swappable choice).
    order : {1, 2}, default=2
        Order of the expansion used for the verdict and ``n_min_``.
    mode : {"sandwich", "correct", "cumulant"}, default="sandwich"
        See :func:`risk_coefficients`. ``"sandwich"`` allows misspecification.
    cumulant_estimator : {"plugin", "kstat"}, default="plugin"
        How the truth's cumulants of ``t`` are estimated.
    bootstrap : int, default=0
        When > 0, number of nonparametric bootstrap resamples for a 95% interval of ``c1``
        (``c1_interval_``) and a bootstrap risk at ``n`` (``bootstrap_risk_``).
    unreliable_ratio : float, default=0.25
        Warn when ``|c2| / (c1 n)`` exceeds it (the expansion is then unreliable).
    random_state : None, int, RandomState or Generator, default=None
        For the bootstrap.
    verbose : bool, default=False

    Attributes
    ----------
    family_ : ExponentialFamily or LikelihoodModel
        The family bound to the data.
    theta_ : ndarray of shape (p,)
        MLE (natural parameter for exponential families).
    n_params_ : int
    n_samples_ : int
    c1_, c2_ : float
        Risk coefficients (both are computed whatever ``order``).
    risk_ : float
        ``c1/n + c2/n^2`` (or ``c1/n`` when ``order=1``) at the data's ``n``.
    tol_ : float
    accept_ : bool
        ``risk_ <= tol_``.
    margin_ : float
        ``tol_ - risk_``.
    n_min_ : int
        Smallest sample size that passes (:func:`min_sample_size`).
    misspecification_ratio_ : float
        Sandwich ``c1`` over the correct-model value ``p/2`` (1 under correct specification).
    loglik_, aic_, aicc_, tic_, bic_ : float
    warnings_ : list of str
    c1_interval_ : tuple of float
        Only with ``bootstrap > 0``.
    bootstrap_risk_ : BootstrapRisk or None
        Only with ``bootstrap > 0``; None for a :class:`LikelihoodModel` (no closed-form KL).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.infoproj import PNCriterion
    >>> X = np.random.default_rng(0).normal(size=(2000, 3))
    >>> crit = PNCriterion(bayes_tv=0.05).fit(X)
    >>> crit.n_params_
    9
    >>> bool(abs(crit.c1_ - 4.5) < 0.5)  # Gaussian data: c1 close to p/2
    True
    >>> bool(crit.accept_), crit.n_min_ < 2000
    (True, True)
    """

    def __init__(self, family="mvn", tol=None, bayes_tv=0.05, bound="best", order=2,
                 mode="sandwich", cumulant_estimator="plugin", bootstrap=0,
                 unreliable_ratio=0.25, random_state=None, verbose=False):
        self.family = family
        self.tol = tol
        self.bayes_tv = bayes_tv
        self.bound = bound
        self.order = order
        self.mode = mode
        self.cumulant_estimator = cumulant_estimator
        self.bootstrap = bootstrap
        self.unreliable_ratio = unreliable_ratio
        self.random_state = random_state
        self.verbose = verbose

    @classmethod
    def _test_instance(cls):
        # the full Gaussian needs n > d(d+3)/2 rows; the common checks use few rows and up
        # to 10 columns, so they run the independent-normal family (p = 2d)
        return cls(family="independent_normal")

    # ------------------------------------------------------------ helpers
    def _resolve_tol(self):
        if self.tol is not None:
            return check_scalar_in(self.tol, "tol", low=0, low_inclusive=False)
        eps = check_scalar_in(self.bayes_tv, "bayes_tv", low=0, high=1, low_inclusive=False,
                              high_inclusive=False)
        return float(kl_tolerance(eps, self.bound))

    def _resolve_family(self, X):
        fam = self.family
        if isinstance(fam, LikelihoodModel):
            return fam
        if isinstance(fam, str):
            fam = ExponentialFamily.named(fam)
        if not isinstance(fam, ExponentialFamily):
            raise TypeError("family must be a family name, an ExponentialFamily or a "
                            f"LikelihoodModel (got {type(fam).__name__})")
        return fam.bind(X.shape[1])

    def _coefficients(self, fam, X):
        """(theta, c1, c2, c1_sandwich_first_order, tr(J^-1 K))."""
        if isinstance(fam, LikelihoodModel):
            if self.mode != "sandwich":
                raise ValueError("a LikelihoodModel supports mode='sandwich' only")
            theta = fam.fit(X)
            c1, c2, J, K = fam.coefficients(theta, X)
            from ._core import _spd_inverse

            trJK = float(np.sum(_spd_inverse(J, "J") * K))
            return theta, c1, c2, c1, trJK
        theta = fam.fit(X)
        if isinstance(fam, (_MVN, _IndepNormal)) and self.mode == "sandwich":
            c1s, c2 = _gaussian_sandwich(fam, X, self.cumulant_estimator)
            c1 = c1s
        else:
            c1, c2 = risk_coefficients(fam, X, mode=self.mode,
                                       estimator=self.cumulant_estimator)
            if self.mode == "sandwich":
                c1s = c1
            elif isinstance(fam, (_MVN, _IndepNormal)):
                c1s = _gaussian_sandwich(fam, X, "plugin", order=1)[0]
            else:
                c1s = risk_coefficients(fam, X, mode="sandwich", order=1)[0]
        # exponential family: tr(J^-1 K) = tr(G^-1 Sigma) = 2 c1 (sandwich, plug-in)
        return theta, c1, c2, c1s, 2.0 * c1s

    # ------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Fit the MLE and evaluate the criterion.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            For a GLM likelihood from :meth:`from_statsmodels`: response then design.
        y : None
            Ignored.

        Returns
        -------
        self : PNCriterion
        """
        X = validate_data(self, _host(X, "PNCriterion"), dtype=np.float64,
                          ensure_min_samples=1)
        if self.order not in (1, 2):
            raise ValueError(f"order must be 1 or 2 (got {self.order!r})")
        if self.mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES} (got {self.mode!r})")
        if self.cumulant_estimator not in ("plugin", "kstat"):
            raise ValueError("cumulant_estimator must be 'plugin' or 'kstat' "
                             f"(got {self.cumulant_estimator!r})")
        ratio_lim = check_scalar_in(self.unreliable_ratio, "unreliable_ratio", low=0,
                                    low_inclusive=False)
        n_boot = check_scalar_in(self.bootstrap, "bootstrap", low=0, integer=True)
        tol = self._resolve_tol()
        n = X.shape[0]
        fam = self._resolve_family(X)
        p = fam.n_params if isinstance(fam, ExponentialFamily) else None
        if p is None and isinstance(fam, ExponentialFamily):
            p = fam.stat(X[:1]).shape[1]
        if p is not None and n < p:
            raise ValueError(f"fewer samples than parameters: n_samples={n} but the model has "
                             f"p={p} parameters")
        if n < 2:
            raise ValueError(f"n_samples={n}: need at least 2 samples")
        theta, c1, c2, c1s, trJK = self._coefficients(fam, X)
        p = theta.shape[0]
        if n < p:
            raise ValueError(f"fewer samples than parameters: n_samples={n} but the model has "
                             f"p={p} parameters")
        self.family_ = fam
        self.theta_ = theta
        self.n_params_ = int(p)
        self.n_samples_ = int(n)
        self.c1_, self.c2_ = float(c1), float(c2)
        self.tol_ = tol
        self.risk_ = self.c1_ / n + (self.c2_ / n**2 if self.order == 2 else 0.0)
        self.accept_ = bool(self.risk_ <= tol)
        self.margin_ = float(tol - self.risk_)
        self.n_min_ = min_sample_size(self.c1_, self.c2_, tol, order=self.order) \
            if self.c1_ > 0 else 1
        self.misspecification_ratio_ = float(c1s / (p / 2.0))
        ll = float(np.sum(fam.logpdf(theta, X)))
        self.loglik_ = ll
        self.aic_ = -2 * ll + 2 * p
        self.aicc_ = self.aic_ + (2 * p * (p + 1) / (n - p - 1) if n > p + 1 else np.inf)
        self.tic_ = -2 * ll + 2 * trJK
        self.bic_ = -2 * ll + p * math.log(n)
        msgs = []
        rel = abs(self.c2_) / (self.c1_ * n) if self.c1_ > 0 else np.inf
        if rel > ratio_lim:
            msgs.append(f"expansion unreliable: |c2|/(c1 n) = {rel:.3g} > {ratio_lim:g}; "
                        "compare with bootstrap_risk or exact risks")
        if self.misspecification_ratio_ > 1.5:
            msgs.append(f"heavy tails or misspecification: the sandwich c1 is "
                        f"{self.misspecification_ratio_:.3g} times the correct-model p/2")
        kurt = _column_kurtosis(X)
        if kurt is not None and np.nanmax(kurt) > 7.0:
            cols = [int(j) for j in np.nonzero(kurt > 7.0)[0]]
            msgs.append(f"heavy-tailed columns {cols} (excess kurtosis up to "
                        f"{np.nanmax(kurt):.3g})")
        self.warnings_ = msgs
        for m in msgs:
            warnings.warn(m, ExpansionWarning, stacklevel=2)
        if n_boot > 0:
            self._bootstrap(fam, X, n_boot)
        return self

    def _bootstrap(self, fam, X, n_boot):
        from ..utils import progress
        from ._risk import BootstrapRisk

        rng = check_rng(self.random_state)
        n = X.shape[0]
        c1s, kls = [], []
        failed = 0
        for _ in progress(range(n_boot), verbose=self.verbose, desc="bootstrap"):
            Xb = X[rng.integers(0, n, size=n)]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    thb, c1b, _, _, _ = self._coefficients_first(fam, Xb)
                    kls.append(_kl(fam, self.theta_, thb))
                c1s.append(c1b)
            except (ValueError, np.linalg.LinAlgError):
                failed += 1
        if len(c1s) < 2:
            raise ValueError("the MLE did not exist on (almost) any bootstrap resample")
        c1s, kls = np.asarray(c1s), np.asarray(kls)
        self.c1_interval_ = (float(np.quantile(c1s, 0.025)), float(np.quantile(c1s, 0.975)))
        if not isinstance(fam, ExponentialFamily):
            self.bootstrap_risk_ = None  # no closed-form KL for a general likelihood
            return
        self.bootstrap_risk_ = BootstrapRisk(
            risk=float(kls.mean()), std_error=float(kls.std(ddof=1) / math.sqrt(kls.size)),
            m=int(n), n_boot=int(kls.size), n_failed=int(failed))

    def _coefficients_first(self, fam, X):
        if isinstance(fam, LikelihoodModel):
            theta = fam.fit(X)
            c1 = fam.coefficients(theta, X, order=1)[0]
            return theta, c1, 0.0, c1, 2 * c1
        theta = fam.fit(X)
        if self.mode == "sandwich":
            if isinstance(fam, (_MVN, _IndepNormal)):
                c1 = _gaussian_sandwich(fam, X, "plugin", order=1)[0]
            else:
                c1 = risk_coefficients(fam, X, order=1)[0]
        else:
            c1 = theta.shape[0] / 2.0
        return theta, c1, 0.0, c1, 2 * c1

    # ------------------------------------------------------------ outputs
    def risk_curve(self, n_grid, order=None):
        """The expansion ``c1/n + c2/n^2`` (or ``c1/n``) on a grid of sample sizes.

        Parameters
        ----------
        n_grid : array-like of positive numbers
        order : {1, 2}, optional
            Default: the estimator's ``order``.

        Returns
        -------
        ndarray
        """
        check_is_fitted(self)
        order = self.order if order is None else order
        if order not in (1, 2):
            raise ValueError(f"order must be 1 or 2 (got {order!r})")
        ng = np.asarray(n_grid, dtype=float)
        if not np.all(np.isfinite(ng)) or np.any(ng <= 0):
            raise ValueError("n_grid must contain positive finite sample sizes")
        return self.c1_ / ng + (self.c2_ / ng**2 if order == 2 else 0.0)

    def report(self):
        """The verdict with AIC, AICc, TIC and BIC side by side.

        Returns
        -------
        PNReport
        """
        check_is_fitted(self)
        n = self.n_samples_
        name = getattr(self.family_, "name", type(self.family_).__name__)
        return PNReport(
            family=str(name), mode=self.mode, p=self.n_params_, n=n, c1=self.c1_,
            c2=self.c2_, risk_first=self.c1_ / n, risk_second=self.c1_ / n + self.c2_ / n**2,
            tol=self.tol_, verdict="accept" if self.accept_ else "reject",
            margin=self.margin_, n_min=self.n_min_, loglik=self.loglik_, aic=self.aic_,
            aicc=self.aicc_, tic=self.tic_, bic=self.bic_, warnings=tuple(self.warnings_))

    def summary(self):
        """Plain-text version of :meth:`report`.

        Returns
        -------
        str
        """
        return self.report().summary()

    def score_samples(self, X):
        """Log-density of each row under the fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, _host(X, "PNCriterion"), dtype=np.float64, reset=False)
        return np.asarray(self.family_.logpdf(self.theta_, X), dtype=float)

    def score(self, X, y=None):
        """Mean log-likelihood of ``X`` under the fitted model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X)))

    def plot_risk_curve(self, n_grid=None, ax=None):
        """Plot ``R(n)`` at first and second order against the tolerance.

        Parameters
        ----------
        n_grid : array-like, optional
            Default: geometric grid from ``p`` to ``4 max(n, n_min)``.
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        from ..plotting import get_axes

        check_is_fitted(self)
        if n_grid is None:
            top = 4 * max(self.n_samples_, self.n_min_)
            n_grid = np.geomspace(max(self.n_params_, 2), top, 200)
        ax = get_axes(ax, figsize=(6, 4))
        ax.loglog(n_grid, self.risk_curve(n_grid, order=1), label="first order c1/n")
        r2 = self.risk_curve(n_grid, order=2)
        pos = r2 > 0
        ax.loglog(np.asarray(n_grid)[pos], r2[pos], label="second order")
        ax.axhline(self.tol_, color="k", ls="--", lw=1, label=f"tolerance {self.tol_:.3g}")
        ax.axvline(self.n_samples_, color="gray", ls=":", lw=1, label=f"n = {self.n_samples_}")
        ax.set_xlabel("sample size n")
        ax.set_ylabel("risk R(n) (nats)")
        ax.legend(fontsize=8)
        return ax

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_loglik(cls, loglike_obs, X, *, theta_hat=None, theta0=None, derivs=None,
                    model_expect=None, fd_step=1e-4, **kwargs):
        """Fit the criterion for a general model given by its per-observation log-likelihood.

        Parameters
        ----------
        loglike_obs : callable
            ``(theta, X) -> (n,)``.
        X : array of shape (n, d)
        theta_hat : array of shape (p,), optional
            The MLE on ``X`` if already known (then it is not recomputed on ``X``).
        theta0 : array of shape (p,), optional
            Start for the numerical MLE (needed when ``theta_hat`` is omitted).
        derivs : callable, optional
            Analytic per-observation derivatives; see :class:`LikelihoodModel`.
        model_expect : callable, optional
            See :class:`LikelihoodModel`.
        fd_step : float, default=1e-4
        **kwargs
            Parameters of :class:`PNCriterion` (``tol``, ``bayes_tv``, ...).

        Returns
        -------
        PNCriterion
            Fitted.

        Examples
        --------
        >>> import numpy as np
        >>> from probstat.infoproj import PNCriterion
        >>> X = np.random.default_rng(0).exponential(2.0, size=(3000, 1))
        >>> ll = lambda th, X: np.log(th[0]) - th[0] * X[:, 0]   # rate parametrisation
        >>> crit = PNCriterion.from_loglik(ll, X, theta0=[1.0], tol=0.01)
        >>> round(crit.c1_, 1)
        0.5
        """
        X = np.asarray(X, dtype=float)
        fit = None
        if theta_hat is not None:
            th = np.asarray(theta_hat, dtype=float).reshape(-1)
            base = None if theta0 is None else np.asarray(theta0, float)
            start = th if base is None else base
            data_id = X.copy()

            def fit(Z, _th=th, _start=start):
                if Z.shape == data_id.shape and np.array_equal(Z, data_id):
                    return _th
                import scipy.optimize

                return scipy.optimize.minimize(lambda t: -np.sum(loglike_obs(t, Z)), _th,
                                               method="BFGS").x
        model = LikelihoodModel(loglike_obs, derivs, fit=fit, theta0=theta0,
                                model_expect=model_expect, fd_step=fd_step)
        return cls(family=model, **kwargs).fit(X)

    @classmethod
    def from_statsmodels(cls, results, **kwargs):
        """Fit the criterion for a fitted statsmodels GLM (canonical links).

        Supported: Binomial (logit, 0/1 response), Poisson (log) and Gaussian (identity;
        the dispersion is held fixed at its estimate, so ``p`` counts the coefficients).
        The covariates are treated as random draws from their empirical distribution, so
        ``G = J`` and ``D3 = -L3``, ``D4 = -L4`` exactly.

        Parameters
        ----------
        results : statsmodels GLMResults
        **kwargs
            Parameters of :class:`PNCriterion`.

        Returns
        -------
        PNCriterion
            Fitted on ``np.column_stack([endog, exog])``.

        Examples
        --------
        >>> import numpy as np
        >>> import statsmodels.api as sm
        >>> from probstat.infoproj import PNCriterion
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=500)
        >>> y = rng.poisson(np.exp(0.3 + 0.5 * x))
        >>> res = sm.GLM(y, sm.add_constant(x), family=sm.families.Poisson()).fit()
        >>> crit = PNCriterion.from_statsmodels(res, tol=0.01)
        >>> crit.n_params_
        2
        """
        lm, Z = _glm_model(results)
        params = np.asarray(results.params, dtype=float)
        orig_fit = lm._fit

        def fit(W, _Z=Z, _params=params):
            if W.shape == _Z.shape and np.array_equal(W, _Z):
                return _params
            return orig_fit(W)

        lm._fit = fit
        return cls(family=lm, **kwargs).fit(Z)


def _kl(fam, theta_star, theta):
    if isinstance(fam, ExponentialFamily):
        return fam.kl(theta_star, theta)
    return np.nan


def _column_kurtosis(X):
    if X.shape[0] < 8:
        return None
    R = X - X.mean(axis=0)
    v = np.mean(R**2, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.mean(R**4, axis=0) / v**2 - 3.0
    return np.where(v > 0, k, np.nan)


def _gaussian_sandwich(fam, X, estimator, order=2):
    if isinstance(fam, _MVN):
        return mvn_sandwich_coefficients(X, estimator=estimator, order=order)
    c = [mvn_sandwich_coefficients(X[:, [j]], estimator=estimator, order=order)
         for j in range(X.shape[1])]
    return float(sum(a for a, _ in c)), float(sum(b for _, b in c))
