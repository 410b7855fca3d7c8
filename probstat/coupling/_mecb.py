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

from ..backend import on_host, to_numpy
from ..base import ResultMixin
from ..utils import check_option, entropy, mutual_information
from ..utils._numerics import log_base
from ._arrays import JointArrayMixin
from ._coupling import Coupling, greedy_mec
from ._ebim import _greedy_labels
from ._ebim_refine import _refine
from ._validation import check_marginal, check_rate

ENCODERS = ("greedy", "refined", "uniform")


def uniform_quantizer(p_x, rate, *, base=2) -> np.ndarray:
    """Labels of the uniform quantiser: ``floor(base**rate)`` contiguous bins.

    The outcomes with positive mass, in index order, are cut into bins of
    ``ceil(n / m)`` consecutive outcomes, ``m = floor(base**rate)`` (at most ``n``), so
    ``H(T) <= log(m) <= rate``. Zero-mass outcomes join bin 0.

    On a distribution with full support this is the uniform-quantisation baseline of the
    MEC-B paper. Because only the outcomes with positive mass are binned, applying it
    again to a belief that has ruled outcomes out re-bins the outcomes still possible: in
    the Markov coding game that is probstat's adaptive quantiser (``encoder=
    "adaptive_bins"`` of :func:`probstat.coupling.games.play`), a much stronger baseline
    than the paper's fixed bins (``encoder="fixed_bins"``).

    Parameters
    ----------
    p_x : array-like of shape (n,)
        Source distribution.
    rate : float
        Rate in units of ``base`` (>= 0).
    base : float, default=2
        Log base of ``rate``.

    Returns
    -------
    labels : ndarray of shape (n,), int64
        Code of each outcome, in the namespace of ``p_x`` (computed on the host).

    Notes
    -----
    With full support, this is the baseline compressor of [1]_.

    References
    ----------
    .. [1] M. R. Ebrahimi, J. Chen and A. Khisti, "Minimum entropy coupling with
       bottleneck", NeurIPS 2024, arXiv:2410.21666 (the uniform-quantisation baseline of
       the Markov coding game experiments).

    Examples
    --------
    >>> from probstat.coupling import uniform_quantizer
    >>> uniform_quantizer([0.25, 0.25, 0.25, 0.25], 1.0).tolist()
    [0, 0, 1, 1]
    """
    host = on_host(p_x, where="uniform_quantizer")
    p = check_marginal(host.to_numpy(p_x), "p_x")
    rate = check_rate(rate)
    return host.from_numpy(_uniform_labels(p, rate * log_base(base)))


def _uniform_labels(p, rate_nats):
    """Labels of the uniform quantiser of NumPy ``p`` at ``rate_nats``."""
    support = np.flatnonzero(p > 0)
    n = support.shape[0]
    if rate_nats >= math.log(n):
        m = n
    else:
        m = int(min(max(math.floor(math.exp(rate_nats) + 1e-9), 1), n))
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
class MECBResult(JointArrayMixin, ResultMixin):
    """Encoder, decoder and joint distribution of a MEC-B solution.

    The arrays (also those of ``coupling_ty``) live in the namespace and on the device
    of the inputs. The result converts as its joint ``p(x, y)``: ``np.asarray(m)`` (no
    copy when ``joint`` is a float64 NumPy array), :meth:`toarray` and
    :meth:`to_scipy_sparse`, as a :class:`Coupling` does.

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
        The bottleneck ``H(T) <= rate``.
    encoder_method : str
        ``"greedy"``, ``"refined"`` or ``"uniform"``.
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

    def _joint_shape(self):
        return tuple(self.joint.shape)

    def _stored_joint(self):
        joint = self.joint
        if isinstance(joint, np.ndarray) and joint.dtype == np.float64:
            return joint
        return None

    def _build_joint(self):
        return np.array(to_numpy(self.joint), dtype=np.float64)

    @property
    def joint_entropy(self) -> float:
        """``H(X, Y)`` of the joint, in units of ``base``."""
        return float(entropy(to_numpy(self.joint).ravel(), base=self.base))

    def plot(self, ax=None):
        """Heat map of the joint ``p(x, y)``.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when None).

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on.
        """
        from ._plot import plot_mecb

        return plot_mecb(self, ax)


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
        :func:`ebim_refine` with its default start (stochastic; every partition as start
        when ``p_x`` has at most 10 outcomes); ``"uniform"``: :func:`uniform_quantizer`.
    base : float, default=2
        Log base of ``rate`` and of the information values.

    Returns
    -------
    MECBResult
        With ``rate = 0`` the joint is ``p_x p_y^T``; with ``rate >= H(X)`` and the greedy
        encoder it is the greedy MEC of ``p_x`` and ``p_y``. The solver runs on the CPU:
        array-API inputs are copied to NumPy and the result's arrays moved back.

    See Also
    --------
    BottleneckCoupler : The same as a scikit-learn estimator fitted on samples.

    Notes
    -----
    The encoder/decoder split follows [1]_; the decoder is the greedy coupling of [2]_.

    References
    ----------
    .. [1] M. R. Ebrahimi, J. Chen and A. Khisti, "Minimum entropy coupling with
       bottleneck", NeurIPS 2024, arXiv:2410.21666 (the split of MEC-B into an EBIM
       encoder and an MEC decoder through I(X; Y) >= I(X; T) + I(T; Y) - R).
    .. [2] M. Kocaoglu, A. G. Dimakis, S. Vishwanath and B. Hassibi, "Entropic causal
       inference", AAAI 2017, arXiv:1611.04035 (the greedy minimum-entropy coupling
       algorithm).

    Examples
    --------
    >>> from probstat.coupling import mec_b
    >>> m = mec_b([0.7, 0.2, 0.1], [0.5, 0.5], rate=0.9)
    >>> bool(m.I_xy >= m.lower_bound - 1e-12 and m.H_t <= 0.9)
    True
    """
    host = on_host(p_x, p_y, where="mec_b")
    p = check_marginal(host.to_numpy(p_x), "p_x")
    q = check_marginal(host.to_numpy(p_y), "p_y")
    rate = check_rate(rate)
    check_option(encoder, "encoder", ENCODERS)
    return host.from_numpy(_mec_b(p, q, rate, encoder, log_base(base), base))


def _mec_b(p, q, rate, encoder, scale, base):
    """:func:`mec_b` on validated NumPy marginals; ``scale = ln(base)``."""
    if encoder == "greedy":
        enc = _one_hot(_greedy_labels(p, rate * scale)[0], p)
    elif encoder == "uniform":
        enc = _one_hot(_uniform_labels(p, rate * scale), p)
    else:
        enc = _refine(p, rate, "auto", scale, base).encoder
    p_t = p @ enc
    coupling = greedy_mec(p_t, q)
    p_ty = coupling.to_dense()
    # Normalise by the coupling's own rows: for a code of tiny mass (a small move of the
    # refined encoder) its atom carries the round-off of 1 - (the other masses), and
    # dividing by p_t would leave a decoder row that misses 1 by that relative error.
    rows = p_ty.sum(axis=1)
    decoder = np.divide(p_ty, rows[:, None], out=np.zeros_like(p_ty), where=rows[:, None] > 0)
    decoder[rows <= 0] = q
    p_xt = p[:, None] * enc
    joint = p_xt @ decoder
    i_xt = mutual_information(p_xt, base=None) / scale
    i_ty = coupling.mutual_information(base=None) / scale
    return MECBResult(
        encoder=enc,
        decoder=decoder,
        joint=joint,
        p_t=p_t,
        coupling_ty=coupling,
        I_xt=i_xt,
        I_ty=i_ty,
        I_xy=mutual_information(joint, base=None) / scale,
        H_t=entropy(p_t, base=None) / scale,
        lower_bound=i_xt + i_ty - rate,
        rate=rate,
        encoder_method=encoder,
        base=base,
    )
