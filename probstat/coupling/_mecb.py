"""MEC-B: minimum-entropy coupling with a bottleneck (Ebrahimi, Chen and Khisti, 2024).

Maximise ``I(X; Y)`` over Markov chains ``X - T - Y`` with ``H(T) <= R`` and the
marginals of ``X`` and ``Y`` fixed. Since ``I(X; Y) >= I(X; T) + I(T; Y) - R``
(Lemma 1), the problem splits into an encoder (EBIM: maximise ``I(X; T)``) and a decoder
(MEC of ``p_T`` with ``p_Y``: maximise ``I(T; Y)``). This separate optimisation is a
heuristic, not an optimal solver of the joint problem.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..base import ResultMixin
from ..plotting import get_axes
from ..utils import entropy, mutual_information
from ._coupling import Coupling, greedy_mec
from ._ebim import ebim_greedy, ebim_refine
from ._validation import check_base, check_marginal, check_rate

ENCODERS = ("greedy", "refined", "uniform")


def uniform_quantizer(p_x, rate, *, base=2) -> np.ndarray:
    """Labels of the uniform quantiser: ``floor(base**rate)`` contiguous bins.

    The outcomes with positive mass, in index order, are cut into bins of
    ``ceil(n / m)`` consecutive outcomes, ``m = floor(base**rate)`` (at most ``n``), so
    ``H(T) <= log(m) <= rate``. Zero-mass outcomes join bin 0. This is the baseline
    compressor of the MEC-B paper (their Algorithm 5).

    Parameters
    ----------
    p_x : array-like of shape (n,)
        Source distribution.
    rate : float
        Rate in units of ``base`` (>= 0).
    base : float, default=2

    Returns
    -------
    labels : ndarray of shape (n,), int64

    Examples
    --------
    >>> from probstat.coupling import uniform_quantizer
    >>> uniform_quantizer([0.25, 0.25, 0.25, 0.25], 1.0).tolist()
    [0, 0, 1, 1]
    """
    p = check_marginal(p_x, "p_x", "uniform_quantizer")
    rate = check_rate(rate)
    bits = check_base(base)
    support = np.flatnonzero(p > 0)
    n = support.shape[0]
    m = int(min(max(math.floor(2.0 ** (rate * bits) + 1e-9), 1), n))
    size = -(-n // m)
    labels = np.zeros(p.shape[0], dtype=np.int64)
    labels[support] = np.arange(n) // size
    return labels


def _one_hot(labels, p):
    used = np.unique(labels[p > 0]) if np.any(p > 0) else np.array([0])
    relabel = np.zeros(labels.max() + 1, dtype=np.int64)
    relabel[used] = np.arange(used.size)
    out = np.zeros((labels.shape[0], used.size))
    out[np.arange(labels.shape[0]), relabel[labels]] = 1.0
    return out


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class MECBResult(ResultMixin):
    """Encoder, decoder and joint distribution of a MEC-B solution.

    Parameters
    ----------
    encoder : ndarray of shape (n_x, n_t)
        ``p(t | x)``.
    decoder : ndarray of shape (n_t, n_y)
        ``q(y | t)``.
    joint : ndarray of shape (n_x, n_y)
        ``p(x, y) = sum_t p(x) p(t | x) q(y | t)``; its marginals are ``p_x`` and ``p_y``.
    p_t : ndarray of shape (n_t,)
        Distribution of the code.
    coupling_ty : Coupling
        The greedy minimum-entropy coupling of ``p_t`` with ``p_y``.
    I_xt : float
        ``I(X; T)``.
    I_ty : float
        ``I(T; Y)``.
    I_xy : float
        ``I(X; Y)``, the objective.
    H_t : float
        ``H(T)``, at most ``rate``.
    lower_bound : float
        ``I(X; T) + I(T; Y) - rate`` (Lemma 1), a guarantee on ``I_xy``.
    rate : float
    encoder_method : str
    base : float
        Log base of every information value.

    Examples
    --------
    >>> from probstat.coupling import mec_b
    >>> m = mec_b([0.5, 0.5], [0.5, 0.5], rate=1.0)
    >>> round(m.I_xy, 6)
    1.0
    """

    encoder: np.ndarray
    decoder: np.ndarray
    joint: np.ndarray
    p_t: np.ndarray
    coupling_ty: Coupling
    I_xt: float
    I_ty: float
    I_xy: float
    H_t: float
    lower_bound: float
    rate: float
    encoder_method: str
    base: float = 2

    def _summary_rows(self):
        return [("encoder_method", self.encoder_method), ("rate", self.rate),
                ("H_t", self.H_t), ("I_xt", self.I_xt), ("I_ty", self.I_ty),
                ("I_xy", self.I_xy), ("lower_bound", self.lower_bound),
                ("n_codes", self.p_t.shape[0])]

    @property
    def joint_entropy(self) -> float:
        """``H(X, Y)`` of the joint, in units of ``base``."""
        return entropy(self.joint.ravel()) / check_base(self.base)

    def plot(self, ax=None):
        """Heat map of the joint ``p(x, y)``.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional

        Returns
        -------
        matplotlib.axes.Axes
        """
        ax = get_axes(ax, figsize=(4.5, 4))
        image = ax.imshow(self.joint, cmap="viridis", aspect="auto", interpolation="nearest")
        ax.figure.colorbar(image, ax=ax, label="p(x, y)")
        ax.set_xlabel("y")
        ax.set_ylabel("x")
        ax.set_title(f"MEC-B, R = {self.rate:.3g}: I(X;Y) = {self.I_xy:.3f}")
        return ax


def mec_b(p_x, p_y, rate, *, encoder="greedy", base=2) -> MECBResult:
    """Minimum-entropy coupling with a bottleneck: EBIM encoder, greedy MEC decoder.

    Parameters
    ----------
    p_x : array-like of shape (n_x,)
        Source distribution.
    p_y : array-like of shape (n_y,)
        Target distribution (may differ from ``p_x``).
    rate : float
        Bottleneck ``H(T) <= rate``, in units of ``base`` (>= 0).
    encoder : {"greedy", "refined", "uniform"}, default="greedy"
        ``"greedy"``: :func:`ebim_greedy` (deterministic); ``"refined"``:
        :func:`ebim_refine` (stochastic, every partition as start when ``p_x`` has at most
        8 outcomes); ``"uniform"``: :func:`uniform_quantizer`.
    base : float, default=2

    Returns
    -------
    MECBResult
        With ``rate = 0`` the joint is ``p_x p_y^T``; with ``rate >= H(X)`` and the greedy
        encoder it is the greedy MEC of ``p_x`` and ``p_y``.

    See Also
    --------
    BottleneckCoupler : The same as a scikit-learn estimator fitted on samples.

    Examples
    --------
    >>> from probstat.coupling import mec_b
    >>> m = mec_b([0.7, 0.2, 0.1], [0.5, 0.5], rate=0.9)
    >>> bool(m.I_xy >= m.lower_bound - 1e-12 and m.H_t <= 0.9)
    True
    """
    p = check_marginal(p_x, "p_x", "mec_b")
    q = check_marginal(p_y, "p_y", "mec_b")
    rate = check_rate(rate)
    bits = check_base(base)
    if encoder not in ENCODERS:
        raise ValueError(f"encoder must be one of {ENCODERS} (got {encoder!r})")
    if encoder == "greedy":
        enc = _one_hot(ebim_greedy(p, rate, base=base).labels, p)
    elif encoder == "uniform":
        enc = _one_hot(uniform_quantizer(p, rate, base=base), p)
    else:
        start = "all_partitions" if (p > 0).sum() <= 8 else "greedy"
        enc = ebim_refine(p, rate, start=start, base=base).encoder
    p_t = p @ enc
    coupling = greedy_mec(p_t, q)
    p_ty = coupling.to_dense()
    decoder = np.divide(p_ty, p_t[:, None], out=np.zeros_like(p_ty), where=p_t[:, None] > 0)
    decoder[p_t == 0] = q
    p_xt = p[:, None] * enc
    joint = p_xt @ decoder
    i_xt = mutual_information(p_xt) / bits
    i_ty = coupling.mutual_information() / bits
    return MECBResult(
        encoder=enc,
        decoder=decoder,
        joint=joint,
        p_t=p_t,
        coupling_ty=coupling,
        I_xt=i_xt,
        I_ty=i_ty,
        I_xy=mutual_information(joint) / bits,
        H_t=entropy(p_t) / bits,
        lower_bound=i_xt + i_ty - rate,
        rate=rate,
        encoder_method=encoder,
        base=base,
    )
