"""The risk expansions and the cumulants of the sufficient statistic.

The risk is always ``R(n) = E_g D[g(.; theta*) || g(.; theta_hat)]``: the KL divergence from
the information projection ``theta*`` (first argument) to the MLE ``theta_hat`` (second
argument), averaged over samples of size ``n`` from the truth ``g``.

:func:`risk_expansion_expfam`, :func:`cumulant_invariants` and :func:`sample_cumulants` are
written against the array API and run in their inputs' namespace;
:func:`risk_expansion_general` and :func:`loglik_moments` contract index tensors with NumPy's
``einsum`` and go through the host. Nothing here needs scikit-learn, so statsmodels users can
call it directly.
"""

from __future__ import annotations

import contextlib

import numpy as np
from scipy import linalg

from ..backend import device, get_namespace, is_numpy_namespace, on_host
from ..utils import check_array, check_option, check_sample_weight
from ..utils._numerics import cholesky, limit_blas_threads

__all__ = [
    "cumulant_invariants",
    "loglik_moments",
    "risk_expansion_expfam",
    "risk_expansion_general",
    "sample_cumulants",
]


# --------------------------------------------------------------------------------------
# validation and linear algebra
# --------------------------------------------------------------------------------------
def _tensor(a, name, ndim, p=None, xp=None):
    """``a`` as a finite float64 array of shape ``(p,) * ndim`` (``p`` from ``a`` if None)."""
    a = check_array(a, name, ndim=ndim, xp=xp)
    if p is None:
        p = a.shape[0]
        if tuple(a.shape) != (p,) * ndim:
            raise ValueError(f"{name} must have equal dimensions (got shape {tuple(a.shape)})")
    elif tuple(a.shape) != (p,) * ndim:
        raise ValueError(f"{name} must have shape {(p,) * ndim} (got {tuple(a.shape)})")
    return a


def _spd_inverse(G, name="G", what="Fisher information"):
    """Inverse of a symmetric positive-definite NumPy matrix (a Fisher information, ...).

    The shared Cholesky is used without jitter: a singular information matrix is an
    error of the input (constant or collinear statistic, too few samples), not something
    to regularise silently.
    """
    G = 0.5 * (G + G.T)
    try:
        L, _ = cholesky(G, name=name, jitter=0.0)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{name} ({what}) must be symmetric positive definite; it is singular "
            "or indefinite (too few samples, a constant or collinear sufficient statistic?)"
        ) from None
    diag = np.diag(L)
    if diag.min() <= 1e-12 * diag.max():
        raise ValueError(f"{name} ({what}) is numerically singular (condition number > 1e24)")
    Li = linalg.solve_triangular(L, np.eye(G.shape[0]), lower=True)
    return Li.T @ Li


def _spd_inverse_xp(G, name, xp):
    """Inverse of a symmetric positive-definite matrix of any namespace.

    The array-API routines cannot call the shared (NumPy) Cholesky, so definiteness is
    checked on the eigenvalues, in the input's namespace.
    """
    G = (G + G.T) / 2
    ev = xp.linalg.eigvalsh(G)
    if not (bool(ev[-1] > 0) and bool(ev[0] > 1e-12 * ev[-1])):
        raise ValueError(f"{name} (Fisher information) must be positive definite; it is "
                         "singular (constant or collinear sufficient statistic?)")
    Gi = xp.linalg.inv(G)
    return (Gi + Gi.T) / 2


def _small_algebra(xp):
    """One BLAS thread for NumPy: the contractions are products of p x p^2 matrices, for
    which extra threads cost more than they bring (and far more on a busy machine)."""
    return limit_blas_threads(1) if is_numpy_namespace(xp) else contextlib.nullcontext()


def _raise3(T, M, xp):
    """``T_abc -> M_ia M_jb M_kc T_abc`` (raise the three indices of ``T`` with ``M``)."""
    T = xp.tensordot(M, T, axes=([1], [0]))                                # i b c
    T = xp.permute_dims(xp.tensordot(T, M, axes=([1], [1])), (0, 2, 1))    # i j c
    return xp.tensordot(T, M, axes=([2], [1]))                             # i j k


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
    psi3 : array of shape (p, p, p)
        Third derivative of ``psi`` at ``theta*`` (third cumulant of ``t`` under the model).
    psi4 : array of shape (p, p, p, p)
        Fourth derivative of ``psi`` at ``theta*`` (fourth cumulant of ``t`` under the
        model).
    Sigma : array of shape (p, p)
        Covariance of the sufficient statistic ``t`` under the *truth*.
    kappa3 : array of shape (p, p, p)
        Third central moment tensor of ``t`` under the truth.
    order : {1, 2}, default=2
        With ``order=1`` only ``c1`` is computed (``psi3``, ``psi4`` and ``kappa3`` may then
        be None) and ``c2`` is returned as 0.

    Returns
    -------
    c1, c2 : float
        Coefficients of ``1/n`` and ``1/n^2``, in nats.

    Raises
    ------
    ValueError
        If an array has the wrong shape or is not finite, or if ``G`` is not positive
        definite.

    Notes
    -----
    The truth's fourth cumulant does not enter at this order. Under correct specification
    (``Sigma = G``, ``kappa3 = psi3``) ``c1 = p/2``. The formula is checked in the test
    suite against exact risks and Monte Carlo. Array-API generic: the arrays may be CuPy or
    array-api-strict arrays when ``probstat.set_config(array_api_dispatch=True)``.

    The risk and the order of its expansion are those of Sheena [1]_ (section 2, the
    exponential-family case). The closed form of ``c1`` and ``c2`` above is derived here
    (see the user guide): the KL divergence between two members of the family is the
    Bregman divergence of ``psi``, i.e. of its Legendre dual in the mean parameter [2]_,
    expanded to fourth order in ``tbar - eta*`` and averaged with the cumulants of the
    sample mean ``tbar`` [3]_. Since the coefficients of an expansion of the same risk are
    unique, they must equal the paper's up to notation; its own formulas were not compared
    term by term.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 2, "Estimation Risk for
       General Case and Exponential Family".
    .. [2] O. Barndorff-Nielsen, *Information and Exponential Families in Statistical
       Theory*, Wiley (1978).
    .. [3] P. McCullagh, *Tensor Methods in Statistics*, Chapman and Hall (1987): index
       notation and the cumulants of sums of independent variables.

    Examples
    --------
    Exponential distribution, correct model (``psi(theta) = -log(-theta)`` at ``theta=-1``):

    >>> import numpy as np
    >>> from probstat.infoproj import risk_expansion_expfam
    >>> c1, c2 = risk_expansion_expfam([[1.0]], [[[2.0]]], [[[[6.0]]]], [[1.0]], [[[2.0]]])
    >>> round(c1, 12), round(c2 * 12, 10)
    (0.5, 11.0)
    """
    order = check_option(order, "order", (1, 2))
    xp = get_namespace(G, Sigma, psi3, psi4, kappa3)
    G = _tensor(G, "G", 2, xp=xp)
    p = G.shape[0]
    Sigma = _tensor(Sigma, "Sigma", 2, p, xp=xp)
    Gi = _spd_inverse_xp(G, "G", xp)
    c1 = 0.5 * float(xp.sum(Gi * Sigma))
    if order == 1:
        return c1, 0.0
    psi3 = _tensor(psi3, "psi3", 3, p, xp=xp)
    psi4 = _tensor(psi4, "psi4", 4, p, xp=xp)
    kappa3 = _tensor(kappa3, "kappa3", 3, p, xp=xp)
    with _small_algebra(xp):
        return c1, _expfam_c2(Gi, Sigma, psi3, psi4, kappa3, xp)


def _expfam_c2(Gi, Sigma, psi3, psi4, kappa3, xp):
    """The second-order coefficient of :func:`risk_expansion_expfam`."""
    A = Gi @ Sigma @ Gi
    A = (A + A.T) / 2
    T1 = float(xp.sum(psi3 * _raise3(kappa3, Gi, xp)))
    t4 = float(xp.sum(xp.tensordot(psi4, A, axes=([2, 3], [0, 1])) * A))
    # Y_{bck} = psi_ijk A^{ib} A^{jc}
    Y = xp.tensordot(A, psi3, axes=([0], [0]))             # b j k
    Y = xp.tensordot(A, Y, axes=([0], [1]))                # c b k
    Y = xp.permute_dims(Y, (1, 0, 2))                      # b c k
    Z = xp.tensordot(Y, psi3, axes=([0, 1], [1, 2]))       # k l
    t33 = float(xp.sum(Z * Gi))
    v = xp.tensordot(A, psi3, axes=([0, 1], [0, 1]))       # k
    vGv = float(xp.sum(v * (Gi @ v)))
    return -T1 / 3.0 + 0.375 * (-t4 + 2.0 * t33 + vGv)


def cumulant_invariants(G, psi3, psi4):
    r"""Skewness and kurtosis invariants of the sufficient statistic, and the correct-model ``c2``.

    ``gamma_3a = psi_ijk psi_lmn G^il G^jm G^kn``, ``gamma_3b = psi_ijk psi_lmn G^ij G^kl G^mn``,
    ``gamma_4 = psi_ijkl G^ij G^kl``; when the model is correct,
    ``c2 = (5/12) gamma_3a + (3/8) gamma_3b - (3/8) gamma_4`` (and ``c1 = p/2``). Only
    cumulants of ``t`` enter, so they may be sample cumulants (no normalising constant).
    The risk is Sheena's [1]_; the three invariants are the standardized skewness and
    kurtosis invariants of a cumulant tensor [2]_.

    Parameters
    ----------
    G : array of shape (p, p)
        Covariance of ``t`` (positive definite).
    psi3 : array of shape (p, p, p)
        Third cumulant of ``t``.
    psi4 : array of shape (p, p, p, p)
        Fourth cumulant of ``t``.

    Returns
    -------
    gamma_3a, gamma_3b, gamma_4, c2 : float
        The three invariants and the correct-model second-order coefficient (nats).

    Raises
    ------
    ValueError
        If an array has the wrong shape or is not finite, or if ``G`` is not positive
        definite.

    Notes
    -----
    The correct-model ``c2`` is derived here (see the user guide) by setting
    ``Sigma = G`` and ``kappa3 = psi3`` in :func:`risk_expansion_expfam`. Reading the
    paper's remark that its exponential-family criterion "can be used for a complex model
    with no explicit form of normalizing constant" as this cumulant-only form is
    probstat's interpretation; it was not checked against the paper's full text.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 2, "Estimation Risk for
       General Case and Exponential Family".
    .. [2] P. McCullagh, *Tensor Methods in Statistics*, Chapman and Hall (1987), section
       "Derived scalars" (invariants of cumulant tensors).

    Examples
    --------
    >>> from probstat.infoproj import cumulant_invariants
    >>> g3a, g3b, g4, c2 = cumulant_invariants([[1.0]], [[[2.0]]], [[[[6.0]]]])
    >>> round(c2 * 12, 10)  # exponential distribution: 11/12
    11.0
    """
    xp = get_namespace(G, psi3, psi4)
    G = _tensor(G, "G", 2, xp=xp)
    p = G.shape[0]
    psi3 = _tensor(psi3, "psi3", 3, p, xp=xp)
    psi4 = _tensor(psi4, "psi4", 4, p, xp=xp)
    Gi = _spd_inverse_xp(G, "G", xp)
    with _small_algebra(xp):
        g3a = float(xp.sum(_raise3(psi3, Gi, xp) * psi3))
        w = xp.tensordot(psi3, Gi, axes=([0, 1], [0, 1]))        # k
        g3b = float(xp.sum(w * (Gi @ w)))
        g4 = float(xp.sum(xp.tensordot(psi4, Gi, axes=([2, 3], [0, 1])) * Gi))
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
    J : array of shape (p, p)
        ``-E[l_ij]`` (positive definite).
    K : array of shape (p, p)
        ``E[s_i s_j]``, ``s`` the score.
    L3 : array of shape (p, p, p)
        ``E[l_ijk]``.
    L4 : array of shape (p, p, p, p)
        ``E[l_ijkl]``.
    k3 : array of shape (p, p, p)
        ``E[s_i s_j s_k]``.
    M : array of shape (p, p, p)
        ``M[a, i, j] = E[s_a l_ij]``.
    N : array of shape (p, p, p, p)
        ``N[a, b, i, j] = E[s_a s_b l_ij] + K_ab J_ij``.
    H : array of shape (p, p, p, p)
        ``H[i, j, k, l] = E[l_ij l_kl] - J_ij J_kl``.
    P : array of shape (p, p, p, p)
        ``P[a, i, j, k] = E[s_a l_ijk]``.
    G : array of shape (p, p)
        ``-E*[l_ij]`` (Fisher information of the model at ``theta*``).
    D3 : array of shape (p, p, p)
        ``-E*[l_ijk]``.
    D4 : array of shape (p, p, p, p)
        ``-E*[l_ijkl]``.
    order : {1, 2}, default=2
        With ``order=1`` only ``J``, ``K`` and ``G`` are used (the others may be None) and
        ``c2`` is returned as 0.

    Returns
    -------
    c1, c2 : float
        ``c1 = tr(G J^-1 K J^-1) / 2`` and the second-order coefficient, in nats.

    Raises
    ------
    ValueError
        If an array has the wrong shape or is not finite, or if ``J`` is not positive
        definite.

    Notes
    -----
    ``c1`` and ``c2`` are invariant under smooth reparametrisation, and for an exponential
    family in its natural parameter they equal :func:`risk_expansion_expfam`; both facts
    are checked in the test suite. The index contractions use NumPy: array-API input is
    copied to the host.

    Sheena [1]_ (section 2, the general case) expands the same risk to the same order.
    The index formula for ``c2`` is derived here (see the user guide) from the
    stochastic expansion of the MLE about ``theta*`` in index notation [3]_, with ``J``,
    ``K`` and the sandwich covariance ``J^-1 K J^-1`` of the misspecified MLE [2]_; it is
    checked against exact risks of a curved normal model, a curved trinomial and a
    logistic regression, not against the paper's own formulas.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 2, "Estimation Risk for
       General Case and Exponential Family".
    .. [2] H. White, "Maximum likelihood estimation of misspecified models",
       Econometrica 50(1) (1982), 1-25.
    .. [3] P. McCullagh, *Tensor Methods in Statistics*, Chapman and Hall (1987), chapter 1
       ("Index Notation").

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
    order = check_option(order, "order", (1, 2))
    arrays = dict(J=J, K=K, L3=L3, L4=L4, k3=k3, M=M, N=N, H=H, P=P, G=G, D3=D3, D4=D4)
    host = on_host(*arrays.values(), where="risk_expansion_general")
    a = {name: host.to_numpy(value) for name, value in arrays.items()}
    J = _tensor(a["J"], "J", 2)
    p = J.shape[0]
    K = _tensor(a["K"], "K", 2, p)
    G = _tensor(a["G"], "G", 2, p)
    Ji = _spd_inverse(J, "J")
    V = Ji @ K @ Ji
    c1 = 0.5 * float(np.sum(G * V))
    if order == 1:
        return c1, 0.0
    ndims = dict(L3=3, L4=4, k3=3, M=3, N=4, H=4, P=4, D3=3, D4=4)
    t = {name: _tensor(a[name], name, nd, p) for name, nd in ndims.items()}
    return c1, _general_c2(Ji, V, G, **t)


def _general_c2(Ji, V, G, L3, L4, k3, M, N, H, P, D3, D4):
    """The second-order coefficient of :func:`risk_expansion_general` (index notation)."""
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
    return float(B1 + B2 + B3 + C1 + C2 + Dq)


def _derivative_arrays(named, p=None):
    """Validated per-observation derivative arrays.

    ``named`` maps each argument name to ``(array, k)``: a k-th derivative has shape
    ``(n,) + (p,) * k``, with ``n`` and ``p`` taken from the first array unless given.
    """
    out, n = [], None
    for name, (arr, k) in named.items():
        arr = check_array(arr, name, ndim=k + 1)
        n = arr.shape[0] if n is None else n
        p = arr.shape[1] if p is None else p
        if tuple(arr.shape) != (n,) + (p,) * k:
            raise ValueError(f"{name} must have shape {(n,) + (p,) * k} "
                             f"(got {tuple(arr.shape)})")
        out.append(arr)
    return out


def loglik_moments(l1, l2, l3, l4, weights=None, *, model=None):
    """Inputs of :func:`risk_expansion_general` from per-observation log-likelihood derivatives.

    Parameters
    ----------
    l1 : array of shape (n, p)
        Scores ``d log g(x_i; theta) / d theta`` at ``theta*`` (or the MLE, for a plug-in).
    l2 : array of shape (n, p, p)
        Second derivatives.
    l3 : array of shape (n, p, p, p)
        Third derivatives.
    l4 : array of shape (n, p, p, p, p)
        Fourth derivatives.
    weights : array of shape (n,), optional
        Probabilities of the observations under the truth (a quadrature rule, an exact
        enumeration), non-negative with a positive sum; default equal weights (the
        empirical distribution).
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

    Raises
    ------
    ValueError
        If the arrays are not finite or their shapes disagree, or the weights are negative
        or all zero.

    Notes
    -----
    ``J`` and ``K`` are White's two information matrices of a possibly misspecified model
    [2]_; the higher moments are those the second-order risk expansion of Sheena [1]_
    (section 2, the general case) needs, in the notation of :func:`risk_expansion_general`.

    References
    ----------
    .. [1] Y. Sheena, "MLE convergence speed to information projection of exponential
       family: criterion for model dimension and sample size -- complete proof version",
       arXiv:2105.08947 [math.ST] (2021; v5, 2025), section 2, "Estimation Risk for
       General Case and Exponential Family".
    .. [2] H. White, "Maximum likelihood estimation of misspecified models",
       Econometrica 50(1) (1982), 1-25.

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
    if model is not None and not isinstance(model, (tuple, list)):
        raise TypeError(f"model must be a tuple (m2, m3, m4, model_weights) (got "
                        f"{type(model).__name__})")
    model_arrays = () if model is None else tuple(model)
    host = on_host(l1, l2, l3, l4, weights, *model_arrays, where="loglik_moments")
    l1, l2, l3, l4 = _derivative_arrays({
        "l1": (host.to_numpy(l1), 1), "l2": (host.to_numpy(l2), 2),
        "l3": (host.to_numpy(l3), 3), "l4": (host.to_numpy(l4), 4)})
    n, p = l1.shape
    w = check_sample_weight(host.to_numpy(weights), n, name="weights", xp=np)
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
        if len(model_arrays) != 4:
            raise ValueError("model must be a tuple (m2, m3, m4, model_weights)")
        m2, m3, m4, mw = (host.to_numpy(a) for a in model_arrays)
        m2, m3, m4 = _derivative_arrays({"model m2": (m2, 2), "model m3": (m3, 3),
                                         "model m4": (m4, 4)}, p=p)
        mw = check_sample_weight(mw, m2.shape[0], name="model weights", xp=np)
        mw = mw / mw.sum()
        out.update(G=-es("n,nij->ij", mw, m2), D3=-es("n,nijk->ijk", mw, m3),
                   D4=-es("n,nijkl->ijkl", mw, m4))
    return host.from_numpy(out)


# --------------------------------------------------------------------------------------
# sample cumulants of t
# --------------------------------------------------------------------------------------
def _weighted_cumulants(T, w, order, xp, *, kstat=False):
    """Mean and cumulant tensors (up to ``order``) of the rows of ``T`` under weights ``w``.

    ``w`` sums to one. With ``kstat`` the plug-in central moments (divisor ``n``) are
    turned into multivariate k-statistics.
    """
    n = T.shape[0]
    mean = w @ T
    R = T - mean
    wR = w[:, None] * R
    m2 = wR.T @ R
    RR = R[:, :, None] * R[:, None, :]                       # n a b
    m3 = xp.tensordot(wR, RR, axes=([0], [0]))               # a b c
    if kstat:
        k2, k3 = m2 * (n / (n - 1)), m3 * (n**2 / ((n - 1) * (n - 2)))
    else:
        k2, k3 = m2, m3
    if order == 3:
        return mean, k2, k3
    m4 = xp.tensordot(w[:, None, None] * RR, RR, axes=([0], [0]))   # a b c d
    pairs = (m2[:, :, None, None] * m2[None, None, :, :]
             + m2[:, None, :, None] * m2[None, :, None, :]
             + m2[:, None, None, :] * m2[None, :, :, None])
    if kstat:
        k4 = n**2 * ((n + 1) * m4 - (n - 1) * pairs) / ((n - 1) * (n - 2) * (n - 3))
    else:
        k4 = m4 - pairs
    return mean, k2, k3, k4


def sample_cumulants(T, *, estimator="plugin", order=3, weights=None):
    """Mean, covariance, third and fourth cumulant tensors of a sample of statistics.

    The rows of ``T`` are the observations.

    Parameters
    ----------
    T : array of shape (n, p) or (n,)
        Values of the sufficient statistic (a 1-D array is one statistic).
    estimator : {"plugin", "kstat"}, default="plugin"
        ``"plugin"``: central moments with divisor ``n`` (the cumulants of the empirical
        distribution). ``"kstat"``: multivariate k-statistics (unbiased cumulants; need
        ``n > order``).
    order : {3, 4}, default=3
        Highest cumulant returned.
    weights : array of shape (n,), optional
        Probabilities of the rows (e.g. a pmf on a grid), non-negative with a positive sum;
        only with ``estimator="plugin"``.

    Returns
    -------
    mean : array of shape (p,)
        Weighted mean.
    k2 : array of shape (p, p)
        Covariance.
    k3 : array of shape (p, p, p)
        Third cumulant.
    k4 : array of shape (p, p, p, p)
        Fourth cumulant; only when ``order=4``.

    Raises
    ------
    ValueError
        If ``T`` is empty or not finite, the weights are negative or all zero, or
        ``estimator="kstat"`` has too few rows.

    Notes
    -----
    The ``"kstat"`` estimator uses the multivariate k-statistics of McCullagh [1]_ up to
    order 4. Array-API generic: ``T`` and ``weights`` may be CuPy or array-api-strict
    arrays when ``probstat.set_config(array_api_dispatch=True)``; the results are in their
    namespace.

    References
    ----------
    .. [1] P. McCullagh, *Tensor Methods in Statistics*, Chapman and Hall (1987), the
       chapter on sample cumulants (k-statistics).

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
    estimator = check_option(estimator, "estimator", ("plugin", "kstat"))
    order = check_option(order, "order", (3, 4))
    xp = get_namespace(T, weights)
    T = check_array(T, "T", ndim=(1, 2), xp=xp)
    if T.ndim == 1:
        T = T[:, None]
    n = T.shape[0]
    if weights is not None:
        if estimator != "plugin":
            raise ValueError("weights require estimator='plugin'")
        w = check_sample_weight(weights, n, name="weights", xp=xp)
        w = w / xp.sum(w)
    else:
        w = xp.full((n,), 1.0 / n, dtype=xp.float64, device=device(T))
    if estimator == "kstat" and n <= order:
        raise ValueError(f"estimator='kstat' needs more than {order} rows of T (got {n})")
    return _weighted_cumulants(T, w, order, xp, kstat=estimator == "kstat")
