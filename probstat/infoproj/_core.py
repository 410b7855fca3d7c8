"""The functional core: risk expansions, exact risks, tolerances and sample sizes.

Everything here is plain NumPy (``risk_expansion_expfam`` is written against the array API)
and free of scikit-learn, so statsmodels users can call it directly.

The risk is always ``R(n) = E_g D[g(.; theta*) || g(.; theta_hat)]``: the KL divergence from
the information projection ``theta*`` (first argument) to the MLE ``theta_hat`` (second
argument), averaged over samples of size ``n`` from the truth ``g``.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg
import scipy.special

from ..backend import get_namespace
from ..utils import check_scalar_in

__all__ = [
    "cumulant_invariants",
    "exact_risk_exponential",
    "exact_risk_gamma",
    "exact_risk_mvn",
    "exact_risk_normal_known_var",
    "kl_tolerance",
    "loglik_moments",
    "min_sample_size",
    "risk_expansion_expfam",
    "risk_expansion_general",
    "sample_cumulants",
]


# --------------------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------------------
def _tensor(a, name, ndim, p=None):
    a = np.asarray(a, dtype=float)
    if a.ndim == 0 and ndim == 2:
        a = a.reshape(1, 1)
    if a.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-index array (got shape {a.shape})")
    if p is None:
        p = a.shape[0]
    if a.shape != (p,) * ndim:
        raise ValueError(f"{name} must have shape {(p,) * ndim} (got {a.shape})")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite values")
    return a


def _spd_inverse(G, name="G"):
    """Inverse of a symmetric positive-definite matrix, with a clear error when singular."""
    G = 0.5 * (G + G.T)
    try:
        L = np.linalg.cholesky(G)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{name} (Fisher information) must be symmetric positive definite; it is singular "
            "or indefinite (too few samples, a constant or collinear sufficient statistic?)"
        ) from None
    diag = np.diag(L)
    if diag.min() <= 1e-12 * diag.max():
        raise ValueError(f"{name} (Fisher information) is numerically singular "
                         f"(condition number > 1e24)")
    Li = scipy.linalg.solve_triangular(L, np.eye(G.shape[0]), lower=True)
    return Li.T @ Li


# --------------------------------------------------------------------------------------
# exponential-family expansion
# --------------------------------------------------------------------------------------
def risk_expansion_expfam(G, psi3, psi4, Sigma, kappa3, *, order=2):
    r"""Risk expansion ``R(n) = c1/n + c2/n^2`` for an exponential family (natural parameter).

    The risk is ``E_g D[g_theta* || g_theta_hat]`` (projection first, MLE second), the
    expectation over samples of size ``n`` from the truth ``g`` (which need not belong to
    the family). With ``A = G^{-1} Sigma G^{-1}``,

    ``c1 = tr(G^{-1} Sigma) / 2`` and
    ``c2 = -T/3 + (3/8) [-psi4[A, A] + 2 psi3 psi3[A, A, G^{-1}] + v G^{-1} v]``

    where ``T = psi3[G^{-1} kappa3 G^{-1} G^{-1}]`` and ``v_k = psi3_ijk A^{ij}``.

    Parameters
    ----------
    G : array of shape (p, p)
        ``Hessian of psi`` at the projection ``theta*``: the covariance of ``t`` under the
        *model* ``g(.; theta*)`` (Fisher information in the natural parameter).
    psi3, psi4 : arrays of shape (p, p, p) and (p, p, p, p)
        Third and fourth derivatives of ``psi`` at ``theta*`` (3rd and 4th cumulants of
        ``t`` under the model).
    Sigma : array of shape (p, p)
        Covariance of the sufficient statistic ``t`` under the *truth*.
    kappa3 : array of shape (p, p, p)
        Third central moment tensor of ``t`` under the truth.
    order : {1, 2}, default=2
        With ``order=1`` only ``c1`` is computed and ``c2`` is returned as 0.

    Returns
    -------
    c1, c2 : float
        Coefficients of ``1/n`` and ``1/n^2``, in nats.

    Notes
    -----
    The truth's fourth cumulant does not enter at this order. Under correct specification
    (``Sigma = G``, ``kappa3 = psi3``) ``c1 = p/2``. Formula: spec section 1.3 (derived by
    the spec's authors and re-checked here against exact risks and Monte Carlo).
    Array-API generic: ``G`` and friends may be CuPy or array-api-strict arrays when
    ``probstat.set_config(array_api_dispatch=True)``.

    Examples
    --------
    Exponential distribution, correct model (``psi(theta) = -log(-theta)`` at ``theta=-1``):

    >>> import numpy as np
    >>> from probstat.infoproj import risk_expansion_expfam
    >>> c1, c2 = risk_expansion_expfam([[1.0]], [[[2.0]]], [[[[6.0]]]], [[1.0]], [[[2.0]]])
    >>> round(c1, 12), round(c2 * 12, 10)
    (0.5, 11.0)
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2 (got {order!r})")
    xp = get_namespace(G, Sigma, psi3, psi4, kappa3)
    G = xp.asarray(G, dtype=xp.float64)
    Sigma = xp.asarray(Sigma, dtype=xp.float64)
    if G.ndim != 2 or G.shape[0] != G.shape[1]:
        raise ValueError(f"G must be a square matrix (got shape {tuple(G.shape)})")
    p = G.shape[0]
    if tuple(Sigma.shape) != (p, p):
        raise ValueError(f"Sigma must have shape {(p, p)} (got {tuple(Sigma.shape)})")
    if not bool(xp.all(xp.isfinite(G))) or not bool(xp.all(xp.isfinite(Sigma))):
        raise ValueError("G and Sigma must contain only finite values")
    ev = xp.linalg.eigvalsh((G + G.T) / 2)
    if not bool(ev[0] > 1e-12 * ev[-1]) or not bool(ev[-1] > 0):
        raise ValueError("G (Fisher information) must be positive definite; it is singular "
                         "(constant or collinear sufficient statistic?)")
    Gi = xp.linalg.inv(G)
    Gi = (Gi + Gi.T) / 2
    c1 = 0.5 * float(xp.sum(Gi * Sigma))
    if order == 1:
        return c1, 0.0
    psi3 = xp.asarray(psi3, dtype=xp.float64)
    psi4 = xp.asarray(psi4, dtype=xp.float64)
    kappa3 = xp.asarray(kappa3, dtype=xp.float64)
    for name, arr, nd in (("psi3", psi3, 3), ("psi4", psi4, 4), ("kappa3", kappa3, 3)):
        if tuple(arr.shape) != (p,) * nd:
            raise ValueError(f"{name} must have shape {(p,) * nd} (got {tuple(arr.shape)})")
        if not bool(xp.all(xp.isfinite(arr))):
            raise ValueError(f"{name} must contain only finite values")
    A = Gi @ Sigma @ Gi
    A = (A + A.T) / 2

    def raise3(T, M):  # T_abc -> M_ia M_jb M_kc T_abc
        T = xp.tensordot(M, T, axes=([1], [0]))                      # i b c
        T = xp.permute_dims(xp.tensordot(T, M, axes=([1], [1])), (0, 2, 1))  # i j c
        return xp.tensordot(T, M, axes=([2], [1]))                   # i j k

    T1 = float(xp.sum(psi3 * raise3(kappa3, Gi)))
    t4 = float(xp.sum(xp.tensordot(psi4, A, axes=([2, 3], [0, 1])) * A))
    # Y_{bck} = psi_ijk A^{ib} A^{jc}
    Y = xp.tensordot(A, psi3, axes=([0], [0]))             # b j k
    Y = xp.tensordot(A, Y, axes=([0], [1]))                # c b k
    Y = xp.permute_dims(Y, (1, 0, 2))                      # b c k
    Z = xp.tensordot(Y, psi3, axes=([0, 1], [1, 2]))       # k l
    t33 = float(xp.sum(Z * Gi))
    v = xp.tensordot(A, psi3, axes=([0, 1], [0, 1]))       # k
    vGv = float(xp.sum(v * (Gi @ v)))
    c2 = -T1 / 3.0 + 0.375 * (-t4 + 2.0 * t33 + vGv)
    return c1, c2


def cumulant_invariants(G, psi3, psi4):
    r"""Skewness and kurtosis invariants of the sufficient statistic, and the correct-model ``c2``.

    ``gamma_3a = psi_ijk psi_lmn G^il G^jm G^kn``, ``gamma_3b = psi_ijk psi_lmn G^ij G^kl G^mn``,
    ``gamma_4 = psi_ijkl G^ij G^kl``; when the model is correct,
    ``c2 = (5/12) gamma_3a + (3/8) gamma_3b - (3/8) gamma_4`` (and ``c1 = p/2``). Only
    cumulants of ``t`` enter, so they may be sample cumulants (no normalising constant).

    Parameters
    ----------
    G : array of shape (p, p)
        Covariance of ``t``.
    psi3, psi4 : arrays of shape (p, p, p), (p, p, p, p)
        Third and fourth cumulants of ``t``.

    Returns
    -------
    gamma_3a, gamma_3b, gamma_4, c2 : float

    Examples
    --------
    >>> from probstat.infoproj import cumulant_invariants
    >>> g3a, g3b, g4, c2 = cumulant_invariants([[1.0]], [[[2.0]]], [[[[6.0]]]])
    >>> round(c2 * 12, 10)  # exponential distribution: 11/12
    11.0
    """
    G = _tensor(G, "G", 2)
    p = G.shape[0]
    psi3 = _tensor(psi3, "psi3", 3, p)
    psi4 = _tensor(psi4, "psi4", 4, p)
    Gi = _spd_inverse(G)
    raised = np.einsum("ijk,il,jm,kn->lmn", psi3, Gi, Gi, Gi, optimize=True)
    g3a = float(np.sum(raised * psi3))
    w = np.einsum("ijk,ij->k", psi3, Gi)
    g3b = float(w @ Gi @ w)
    g4 = float(np.einsum("ijkl,ij,kl->", psi4, Gi, Gi, optimize=True))
    return g3a, g3b, g4, 5.0 / 12.0 * g3a + 0.375 * g3b - 0.375 * g4


# --------------------------------------------------------------------------------------
# general regular model
# --------------------------------------------------------------------------------------
def risk_expansion_general(J, K, L3, L4, k3, M, N, H, P, G, D3, D4, *, order=2):
    r"""Risk expansion ``R(n) = c1/n + c2/n^2`` for a general regular parametric model.

    The risk is ``E_g D[g(.; theta*) || g(.; theta_hat)]`` (projection first). ``l`` is the
    per-observation log-likelihood and its derivatives are taken at ``theta*``; ``E`` is
    under the truth and ``E*`` under the model ``g(.; theta*)`` (see
    :func:`loglik_moments`, which computes all inputs from per-observation derivatives).

    Parameters
    ----------
    J : (p, p)
        ``-E[l_ij]``.
    K : (p, p)
        ``E[s_i s_j]``, ``s`` the score.
    L3, L4 : (p, p, p), (p, p, p, p)
        ``E[l_ijk]``, ``E[l_ijkl]``.
    k3 : (p, p, p)
        ``E[s_i s_j s_k]``.
    M : (p, p, p)
        ``M[a, i, j] = E[s_a l_ij]``.
    N : (p, p, p, p)
        ``N[a, b, i, j] = E[s_a s_b l_ij] + K_ab J_ij``.
    H : (p, p, p, p)
        ``H[i, j, k, l] = E[l_ij l_kl] - J_ij J_kl``.
    P : (p, p, p, p)
        ``P[a, i, j, k] = E[s_a l_ijk]``.
    G : (p, p)
        ``-E*[l_ij]`` (Fisher information of the model at ``theta*``).
    D3, D4 : (p, p, p), (p, p, p, p)
        ``-E*[l_ijk]``, ``-E*[l_ijkl]``.
    order : {1, 2}, default=2

    Returns
    -------
    c1, c2 : float
        ``c1 = tr(G J^-1 K J^-1) / 2`` and the second-order coefficient (spec section 1.2).

    Notes
    -----
    ``c1`` and ``c2`` are invariant under smooth reparametrisation, and for an exponential
    family in its natural parameter they equal :func:`risk_expansion_expfam`; both facts
    are checked in the test suite.

    Examples
    --------
    Exponential distribution in its natural parameter ``theta = -rate`` at ``theta = -1``
    (correct model: ``J = K = G = 1``, ``L3 = -2``, ``k3 = 2``, ``L4 = -6``):

    >>> import numpy as np
    >>> from probstat.infoproj import risk_expansion_general
    >>> z3, z4 = np.zeros((1, 1, 1)), np.zeros((1, 1, 1, 1))
    >>> one = np.ones((1, 1))
    >>> c1, c2 = risk_expansion_general(one, one, -2 * z3 - 2, -6 + z4, 2 + z3, z3, z4, z4,
    ...                                 z4, one, 2 + z3, 6 + z4)
    >>> round(c1, 12), round(12 * c2, 9)
    (0.5, 11.0)
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2 (got {order!r})")
    J = _tensor(J, "J", 2)
    p = J.shape[0]
    K = _tensor(K, "K", 2, p)
    G = _tensor(G, "G", 2, p)
    Ji = _spd_inverse(J, "J")
    V = Ji @ K @ Ji
    c1 = 0.5 * float(np.sum(G * V))
    if order == 1:
        return c1, 0.0
    L3 = _tensor(L3, "L3", 3, p)
    L4 = _tensor(L4, "L4", 4, p)
    k3 = _tensor(k3, "k3", 3, p)
    M = _tensor(M, "M", 3, p)
    N = _tensor(N, "N", 4, p)
    H = _tensor(H, "H", 4, p)
    P = _tensor(P, "P", 4, p)
    D3 = _tensor(D3, "D3", 3, p)
    D4 = _tensor(D4, "D4", 4, p)
    es = lambda s, *ops: np.einsum(s, *ops, optimize=True)  # noqa: E731

    kap = es("ijk,ai,bj,ck->abc", k3, Ji, Ji, Ji)
    C = es("ai,bq,qij->ajb", Ji, Ji, M)             # C^a_j^b
    c = np.einsum("ajj->a", C)                       # c^a
    HH = es("ai,bk,ijkl->ajbl", Ji, Ji, H)           # HH^a_j^b_l
    NN = es("ax,bi,cy,xyij->abjc", Ji, Ji, Ji, N)    # NN^{ab}_j^c
    Lam3 = es("ai,ijk->ajk", Ji, L3)
    Lam4 = es("ai,ijkl->ajkl", Ji, L4)
    U = (es("jk,lm->jklm", V, V) + es("jl,km->jklm", V, V) + es("jm,kl->jklm", V, V))

    B1 = es("ab,abjj->", G, NN) + 0.5 * es("ab,bjk,ajk->", G, Lam3, kap)
    B2 = 0.5 * (es("ab,a,b->", G, c, c) + es("ab,ajbl,jl->", G, HH, V)
                + es("ab,ajl,blj->", G, C, C))
    B2 += 0.5 * (es("ab,blm,a,lm->", G, Lam3, c, V) + 2.0 * es("ab,blm,ajl,jm->", G, Lam3, C, V))
    B2 += 0.125 * es("ab,ajk,blm,jklm->", G, Lam3, Lam3, U)
    X = (es("bja,j->ab", C, c)
         + es("am,bjjm->ab", V, HH)
         + es("jma,bjm->ab", C, C)
         + 0.5 * es("jmn,bja,mn->ab", Lam3, C, V)
         + es("jmn,bjm,an->ab", Lam3, C, V)
         + es("bjk,aj,k->ab", Lam3, V, c)
         + es("bjk,kma,jm->ab", Lam3, C, V)
         + es("bjk,kmj,am->ab", Lam3, C, V)
         + 0.5 * es("bjk,kmn,ajmn->ab", Lam3, Lam3, U)
         + 0.5 * es("ax,bi,xijk,jk->ab", Ji, Ji, P, V)
         + es("bi,aj,kg,gijk->ab", Ji, V, Ji, P)
         + 0.5 * es("bjkl,aj,kl->ab", Lam4, V, V))
    B3 = float(np.sum(G * X))
    C1 = es("abc,abc->", D3, kap) / 6.0
    C2 = 0.5 * (es("abc,ab,c->", D3, V, c) + 2.0 * es("abc,cja,bj->", D3, C, V))
    C2 += 0.25 * es("abc,cjk,abjk->", D3, Lam3, U)
    Dq = 0.125 * es("abcd,ab,cd->", D4, V, V)
    c2 = float(B1 + B2 + B3 + C1 + C2 + Dq)
    return c1, c2


def loglik_moments(l1, l2, l3, l4, weights=None, *, model=None):
    """Inputs of :func:`risk_expansion_general` from per-observation log-likelihood derivatives.

    Parameters
    ----------
    l1 : array of shape (n, p)
        Scores ``d log g(x_i; theta) / d theta`` at ``theta*`` (or the MLE, for a plug-in).
    l2, l3, l4 : arrays of shape (n, p, p), (n, p, p, p), (n, p, p, p, p)
        Second to fourth derivatives.
    weights : array of shape (n,), optional
        Probabilities of the observations under the truth (a quadrature rule, an exact
        enumeration); default equal weights (the empirical distribution).
    model : tuple (m2, m3, m4, model_weights), optional
        Second to fourth derivatives at points drawn from (or a quadrature rule for) the
        *model* ``g(.; theta*)``, with their weights; used for ``G``, ``D3``, ``D4``. When
        omitted they are taken from the truth's side (``G = J``, ``D3 = -L3``,
        ``D4 = -L4``), which is exact when the derivatives of order >= 2 do not depend on
        the response (canonical-link GLMs, exponential families in natural parameters) and
        a plug-in approximation otherwise.

    Returns
    -------
    dict
        Keys ``J, K, L3, L4, k3, M, N, H, P, G, D3, D4``: pass as
        ``risk_expansion_general(**moments)``.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.infoproj import loglik_moments, risk_expansion_general
    >>> x = np.random.default_rng(0).exponential(size=2000)
    >>> theta = -1 / x.mean()                  # MLE of the natural parameter -rate
    >>> n = x.size
    >>> l1 = (x + 1 / theta)[:, None]          # d/dtheta [theta x + log(-theta)]
    >>> l2 = np.full((n, 1, 1), -1 / theta**2)
    >>> l3 = np.full((n, 1, 1, 1), 2 / theta**3)
    >>> l4 = np.full((n, 1, 1, 1, 1), -6 / theta**4)
    >>> c1, c2 = risk_expansion_general(**loglik_moments(l1, l2, l3, l4))
    >>> bool(0.4 < c1 < 0.6)
    True
    """
    l1 = np.asarray(l1, dtype=float)
    if l1.ndim != 2:
        raise ValueError(f"l1 must have shape (n, p) (got {l1.shape})")
    n, p = l1.shape
    l2 = np.asarray(l2, dtype=float).reshape(n, p, p)
    l3 = np.asarray(l3, dtype=float).reshape(n, p, p, p)
    l4 = np.asarray(l4, dtype=float).reshape(n, p, p, p, p)
    for name, arr in (("l1", l1), ("l2", l2), ("l3", l3), ("l4", l4)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must contain only finite values")
    if weights is None:
        w = np.full(n, 1.0 / n)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (n,) or np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError("weights must be n non-negative finite numbers with a positive sum")
        w = w / w.sum()
    es = lambda s, *ops: np.einsum(s, *ops, optimize=True)  # noqa: E731
    J = -es("n,nij->ij", w, l2)
    K = es("n,na,nb->ab", w, l1, l1)
    out = dict(
        J=J, K=K,
        L3=es("n,nijk->ijk", w, l3),
        L4=es("n,nijkl->ijkl", w, l4),
        k3=es("n,na,nb,nc->abc", w, l1, l1, l1),
        M=es("n,na,nij->aij", w, l1, l2),
        N=es("n,na,nb,nij->abij", w, l1, l1, l2) + np.einsum("ab,ij->abij", K, J),
        H=es("n,nij,nkl->ijkl", w, l2, l2) - np.einsum("ij,kl->ijkl", J, J),
        P=es("n,na,nijk->aijk", w, l1, l3),
    )
    if model is None:
        out.update(G=J.copy(), D3=-out["L3"], D4=-out["L4"])
    else:
        m2, m3, m4, mw = model
        mw = np.asarray(mw, dtype=float)
        mw = mw / mw.sum()
        out.update(G=-es("n,nij->ij", mw, np.asarray(m2, float).reshape(-1, p, p)),
                   D3=-es("n,nijk->ijk", mw, np.asarray(m3, float).reshape(-1, p, p, p)),
                   D4=-es("n,nijkl->ijkl", mw, np.asarray(m4, float).reshape(-1, p, p, p, p)))
    return out


# --------------------------------------------------------------------------------------
# sample cumulants of t
# --------------------------------------------------------------------------------------
def sample_cumulants(T, *, estimator="plugin", order=3, weights=None):
    """Mean, covariance, third and fourth cumulant tensors of a sample of statistics.

    The rows of ``T`` are the observations.

    Parameters
    ----------
    T : array of shape (n, p)
        Values of the sufficient statistic.
    estimator : {"plugin", "kstat"}, default="plugin"
        ``"plugin"``: central moments with divisor ``n`` (the cumulants of the empirical
        distribution). ``"kstat"``: multivariate k-statistics (unbiased cumulants; need
        ``n > order``).
    order : {3, 4}, default=3
    weights : array of shape (n,), optional
        Probabilities (e.g. a pmf on a grid); only with ``estimator="plugin"``.

    Returns
    -------
    mean : (p,)
    k2 : (p, p)
    k3 : (p, p, p)
    k4 : (p, p, p, p)
        Only when ``order=4``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import kstat
    >>> from probstat.infoproj import sample_cumulants
    >>> x = np.random.default_rng(1).gamma(2.0, size=(50, 1))
    >>> _, k2, k3 = sample_cumulants(x, estimator="kstat")
    >>> bool(np.isclose(k3[0, 0, 0], kstat(x[:, 0], 3)))
    True
    """
    T = np.asarray(T, dtype=float)
    if T.ndim == 1:
        T = T[:, None]
    n, p = T.shape
    if estimator not in ("plugin", "kstat"):
        raise ValueError(f"estimator must be 'plugin' or 'kstat' (got {estimator!r})")
    if order not in (3, 4):
        raise ValueError(f"order must be 3 or 4 (got {order!r})")
    if weights is not None:
        if estimator != "plugin":
            raise ValueError("weights require estimator='plugin'")
        w = np.asarray(weights, dtype=float)
        w = w / w.sum()
    else:
        w = np.full(n, 1.0 / n)
    if estimator == "kstat" and n <= order:
        raise ValueError(f"estimator='kstat' needs n_samples > {order} (got {n})")
    mean = w @ T
    R = T - mean
    m2 = np.einsum("n,na,nb->ab", w, R, R)
    m3 = np.einsum("n,na,nb,nc->abc", w, R, R, R, optimize=True)
    if estimator == "kstat":
        k2 = m2 * n / (n - 1)
        k3 = m3 * n**2 / ((n - 1) * (n - 2))
    else:
        k2, k3 = m2, m3
    if order == 3:
        return mean, k2, k3
    m4 = np.einsum("n,na,nb,nc,nd->abcd", w, R, R, R, R, optimize=True)
    pairs = (np.einsum("ab,cd->abcd", m2, m2) + np.einsum("ac,bd->abcd", m2, m2)
             + np.einsum("ad,bc->abcd", m2, m2))
    if estimator == "kstat":
        k4 = n**2 * ((n + 1) * m4 - (n - 1) * pairs) / ((n - 1) * (n - 2) * (n - 3))
    else:
        k4 = m4 - pairs
    return mean, k2, k3, k4


# --------------------------------------------------------------------------------------
# exact risks
# --------------------------------------------------------------------------------------
def _check_n(n, minimum, name="n"):
    arr = np.asarray(n)
    if arr.dtype.kind not in "iuf" or not np.all(np.isfinite(arr)):
        raise TypeError(f"{name} must be a number or an array of numbers (got {n!r})")
    if np.any(arr <= minimum):
        raise ValueError(f"{name} must be > {minimum} for a finite risk (got {n})")
    return arr.astype(float)


def _scalar_out(value, like):
    return float(value) if np.ndim(like) == 0 else value


def exact_risk_mvn(d, n):
    r"""Exact risk of the Gaussian MLE (mean and covariance free), correct model.

    ``R(n) = E D[N(mu, S) || N(xbar, S_hat)] =
    (1/2) [d(d+3)/(n-d-2) + sum_{i=1}^d digamma((n-i)/2) + d log(2/n)]`` with ``S_hat`` the
    MLE (divisor ``n``). It does not depend on ``mu`` or the true covariance.

    Parameters
    ----------
    d : int
        Dimension (``p = d(d+3)/2`` parameters).
    n : int or array of int
        Sample size(s); must exceed ``d + 2`` for a finite risk.

    Returns
    -------
    float or ndarray
        Risk in nats.

    Examples
    --------
    >>> from probstat.infoproj import exact_risk_mvn
    >>> round(exact_risk_mvn(1, 1000) * 1000, 4)  # about c1 = 1 (+ c2/n)
    1.0051
    """
    d = check_scalar_in(d, "d", low=1, integer=True)
    narr = _check_n(n, d + 2)
    i = np.arange(1, d + 1)
    dig = scipy.special.digamma((narr[..., None] - i) / 2.0).sum(axis=-1)
    r = 0.5 * (d * (d + 3) / (narr - d - 2) + dig + d * np.log(2.0 / narr))
    return _scalar_out(r, n)


def exact_risk_gamma(alpha, n):
    """Exact risk of the rate MLE of a Gamma distribution with known shape ``alpha``.

    ``R(n) = alpha [digamma(n alpha) - log(n alpha) + 1/(n alpha - 1)]`` (correct model).

    Parameters
    ----------
    alpha : float
        Known shape (> 0).
    n : int or array
        Sample size(s), ``n alpha > 1``.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from probstat.infoproj import exact_risk_gamma
    >>> round(exact_risk_gamma(2.5, 20), 8)
    0.02593708
    """
    alpha = check_scalar_in(alpha, "alpha", low=0, low_inclusive=False)
    narr = _check_n(n, 0)
    na = narr * alpha
    if np.any(na <= 1):
        raise ValueError(f"n * alpha must be > 1 for a finite risk (got n={n}, alpha={alpha})")
    r = alpha * (scipy.special.digamma(na) - np.log(na) + 1.0 / (na - 1.0))
    return _scalar_out(r, n)


def exact_risk_exponential(n):
    """Exact risk of the rate MLE of the exponential distribution: ``digamma(n) - log n + 1/(n-1)``.

    Parameters
    ----------
    n : int or array
        Sample size(s) > 1.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from probstat.infoproj import exact_risk_exponential
    >>> round(exact_risk_exponential(100) * 100, 6)  # about c1 = 1/2 (+ c2/n)
    0.509268
    """
    _check_n(n, 1)
    return exact_risk_gamma(1.0, n)


def exact_risk_normal_known_var(n, variance_ratio=1.0):
    """Exact risk of the mean MLE of a normal model with known variance ``sigma0^2``.

    For any truth with variance ``sigma^2``, ``R(n) = sigma^2 / (2 sigma0^2 n)`` exactly
    (``c2 = 0``).

    Parameters
    ----------
    n : int or array
        Sample size(s) > 0.
    variance_ratio : float, default=1.0
        ``sigma^2 / sigma0^2``: true variance over the model's fixed variance.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from probstat.infoproj import exact_risk_normal_known_var
    >>> exact_risk_normal_known_var(10, 2.0)
    0.1
    """
    variance_ratio = check_scalar_in(variance_ratio, "variance_ratio", low=0)
    narr = _check_n(n, 0)
    return _scalar_out(variance_ratio / (2.0 * narr), n)


# --------------------------------------------------------------------------------------
# tolerance and sample size
# --------------------------------------------------------------------------------------
_BOUNDS = ("pinsker", "bretagnolle_huber", "best")


def kl_tolerance(eps, bound="best"):
    r"""KL tolerance ``delta`` on the risk that guarantees an expected total variation ``<= eps``.

    If ``R(n) = E D[g_theta* || g_theta_hat] <= delta`` then, by Jensen and a TV-KL
    inequality, ``E TV(g_theta*, g_theta_hat) <= eps``; hence the expected Bayes error rate
    between projection and estimate is at least ``(1 - eps)/2`` and the truth-vs-model Bayes
    error moves by at most ``eps`` on average.

    * ``"pinsker"``: ``TV <= sqrt(KL/2)``, so ``delta = 2 eps^2``.
    * ``"bretagnolle_huber"``: ``TV <= sqrt(1 - exp(-KL))``, so ``delta = -log(1 - eps^2)``.
    * ``"best"``: the larger (less demanding) of the two valid tolerances.

    This mapping is a reconstruction ([R] in the spec): which inequality and constants
    Sheena's paper uses is unverified, which is why it is a separate, swappable function.

    Parameters
    ----------
    eps : float or array
        Allowed total variation, in (0, 1).
    bound : {"pinsker", "bretagnolle_huber", "best"}, default="best"

    Returns
    -------
    float or ndarray
        ``delta`` in nats.

    Examples
    --------
    >>> from probstat.infoproj import kl_tolerance
    >>> round(kl_tolerance(0.05, "pinsker"), 12)
    0.005
    """
    if bound not in _BOUNDS:
        raise ValueError(f"bound must be one of {_BOUNDS} (got {bound!r})")
    e = np.asarray(eps, dtype=float)
    if not np.all(np.isfinite(e)) or np.any(e <= 0) or np.any(e >= 1):
        raise ValueError(f"eps must be in (0, 1) (got {eps})")
    pinsker = 2.0 * e**2
    bh = -np.log1p(-(e**2))
    out = {"pinsker": pinsker, "bretagnolle_huber": bh, "best": np.maximum(pinsker, bh)}[bound]
    return _scalar_out(out, eps)


def min_sample_size(c1, c2=0.0, delta=None, *, order=2):
    r"""Smallest integer ``n`` with ``c1/n + c2/n^2 <= delta``.

    Second order: ``n_min = ceil((c1 + sqrt(c1^2 + 4 delta c2)) / (2 delta))`` (when
    ``c2 >= -c1^2/(4 delta)``; otherwise every ``n >= 1`` passes and 1 is returned);
    first order ``ceil(c1/delta)``. Each value is checked (and corrected by one if
    rounding demands) so that it is exactly the smallest integer satisfying its
    inequality. The second-order answer is not guaranteed to be conservative.

    Parameters
    ----------
    c1 : float
        ``> 0``.
    c2 : float, default=0
    delta : float
        Tolerance on the risk in nats, ``> 0`` (see :func:`kl_tolerance`).
    order : {1, 2}, default=2

    Returns
    -------
    int

    Examples
    --------
    >>> from probstat.infoproj import min_sample_size
    >>> min_sample_size(1.5, 0.0, 0.01, order=1)
    150
    >>> min_sample_size(4.5, 38.0, 0.01)  # Gaussian d=3: c1=9/2, c2=38
    459
    """
    if delta is None:
        raise TypeError("min_sample_size() missing the tolerance delta")
    c1 = check_scalar_in(c1, "c1", low=0, low_inclusive=False)
    c2 = check_scalar_in(c2, "c2")
    delta = check_scalar_in(delta, "delta", low=0, low_inclusive=False)
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2 (got {order!r})")
    if order == 1 or c2 == 0:
        n = max(1, math.ceil(c1 / delta))

        def ok(m):
            return c1 / m <= delta
    else:
        disc = c1 * c1 + 4.0 * delta * c2
        if disc < 0:
            return 1
        n = max(1, math.ceil((c1 + math.sqrt(disc)) / (2.0 * delta)))

        def ok(m):
            return c1 / m + c2 / m**2 <= delta
    while n > 1 and ok(n - 1):
        n -= 1
    while not ok(n):
        n += 1
    return int(n)
