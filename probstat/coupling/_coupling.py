"""The sparse ``Coupling`` result, the greedy minimum-entropy coupling and its batch form."""

from __future__ import annotations

import dataclasses
import functools
import math
import sys

import numpy as np

from .._warn import warn
from ..backend import on_host, to_numpy
from ..base import ResultMixin
from ..utils import check_rng, check_scalar_in, check_stochastic_matrix, entropy
from ..utils._numerics import log_base
from ..utils._parallel import check_n_jobs, parallel_map, runs_serially
from ._arrays import JointArrayMixin
from ._validation import check_marginals

#: A coupling whose marginals miss the inputs by more than this gets a warning.
RESIDUAL_WARN = 1e-6

#: Rows per task of :func:`greedy_mec_batch` with workers (independent of ``n_jobs``).
BATCH_CHUNK_ROWS = 4096


def _marginals_of(indices, masses, shape):
    """Marginals of a COO coupling held in NumPy arrays."""
    return [np.bincount(indices[:, i], weights=masses, minlength=n)
            for i, n in enumerate(shape)]


def _dense_of(indices, masses, shape):
    """The dense float64 joint of a COO coupling held in NumPy arrays."""
    out = np.zeros(shape)
    np.add.at(out, tuple(indices.T), masses)
    return out


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Coupling(JointArrayMixin, ResultMixin):
    """A joint distribution with given marginals, stored sparsely (COO).

    The arrays live in the namespace and on the device of the inputs that produced the
    coupling (NumPy unless array-API dispatch is on). Methods that need NumPy-only
    operations (``bincount``, scatter-add, sampling) round-trip through the host and
    return their arrays in the coupling's namespace.

    It converts like a SciPy sparse array: ``np.asarray(c)`` and :meth:`toarray` give the
    dense joint as a NumPy array (rows are the first marginal's outcomes),
    :meth:`to_scipy_sparse` a SciPy sparse array of the atoms, and :meth:`to_dense` the
    dense joint in the coupling's own namespace.

    Parameters
    ----------
    indices : ndarray of shape (n_atoms, m), int64
        Row ``a`` holds the outcome of each of the ``m`` variables for atom ``a``.
    masses : ndarray of shape (n_atoms,)
        Probability of each atom (non-negative, summing to one).
    shape : tuple of int
        Support size of each marginal.
    marginal_error : float
        Largest absolute difference between the coupling's marginals and the inputs.
    method : str
        The algorithm that produced it (``"greedy"`` or ``"exact"``).

    Examples
    --------
    >>> from probstat.coupling import greedy_mec
    >>> c = greedy_mec([0.5, 0.5], [0.5, 0.5])
    >>> c.to_dense().tolist()
    [[0.5, 0.0], [0.0, 0.5]]
    >>> c.entropy()
    1.0
    >>> import numpy as np
    >>> np.asarray(c).sum(axis=1).tolist()
    [0.5, 0.5]
    >>> c.to_scipy_sparse("csr").nnz
    2
    """

    indices: np.ndarray
    masses: np.ndarray
    shape: tuple
    marginal_error: float = 0.0
    method: str = "greedy"

    @property
    def n_atoms(self) -> int:
        """Number of atoms (stored non-zero cells)."""
        return int(self.masses.shape[0])

    @property
    def n_marginals(self) -> int:
        """Number of coupled variables ``m``."""
        return len(self.shape)

    def _summary_rows(self):
        return [("method", self.method), ("shape", self.shape), ("n_atoms", self.n_atoms),
                ("entropy_bits", self.entropy()), ("marginal_error", self.marginal_error)]

    def _on_host(self, where):
        host = on_host(self.indices, self.masses, where=f"Coupling.{where}")
        return host, host.to_numpy(self.indices), host.to_numpy(self.masses)

    def _joint_shape(self):
        return self.shape

    def _joint_coo(self):
        return tuple(to_numpy(self.indices).T), to_numpy(self.masses)

    def _build_joint(self):
        return _dense_of(to_numpy(self.indices), to_numpy(self.masses), self.shape)

    def entropy(self, *, base=2) -> float:
        """Joint entropy ``H(X_1, ..., X_m)`` of the coupling.

        Parameters
        ----------
        base : float, default=2
            Logarithm base (2: bits).

        Returns
        -------
        float
            Computed in the namespace of ``masses``.
        """
        return float(entropy(self.masses, base=base))

    def marginals(self) -> list:
        """The marginals of the coupling, one array per variable.

        Returns
        -------
        list of ndarray
            ``marginals()[i]`` has length ``shape[i]``.
        """
        host, indices, masses = self._on_host("marginals")
        return host.from_numpy(_marginals_of(indices, masses, self.shape))

    def mutual_information(self, *, base=2) -> float:
        """Mutual information ``I(X; Y) = H(X) + H(Y) - H(X, Y)`` (two marginals only).

        Parameters
        ----------
        base : float, default=2
            Logarithm base (2: bits).

        Returns
        -------
        float
            Non-negative.
        """
        if self.n_marginals != 2:
            raise ValueError(
                f"mutual_information needs a coupling of 2 marginals (got {self.n_marginals})"
            )
        log_base(base)
        _, indices, masses = self._on_host("mutual_information")
        p, q = _marginals_of(indices, masses, self.shape)
        value = entropy(p, base=base) + entropy(q, base=base) - entropy(masses, base=base)
        return max(float(value), 0.0)

    def to_dense(self, *, max_size=10**8) -> np.ndarray:
        """The coupling as a dense array of shape ``shape``.

        Parameters
        ----------
        max_size : int, default=10**8
            Refuse to allocate more cells than this.

        Returns
        -------
        ndarray
            In the coupling's namespace.
        """
        max_size = check_scalar_in(max_size, "max_size", low=1, integer=True)
        self._checked_size(max_size, "to_dense")
        host, indices, masses = self._on_host("to_dense")
        return host.from_numpy(_dense_of(indices, masses, self.shape))

    def to_scipy(self):
        """The coupling as a :class:`scipy.sparse.coo_array` (two marginals only).

        The same as ``to_scipy_sparse(format="coo")``.

        Returns
        -------
        scipy.sparse.coo_array of shape ``shape``
            Always on the host (SciPy).
        """
        return self.to_scipy_sparse(format="coo")

    def conditional(self, axis, index):
        """Distribution of the other variables given ``X_axis = index``.

        Parameters
        ----------
        axis : int
            Which variable is conditioned on.
        index : int
            Its value.

        Returns
        -------
        ndarray or Coupling
            For two marginals, the conditional probability vector of the other variable;
            for more, a :class:`Coupling` of the remaining ``m - 1`` variables.
        """
        m = self.n_marginals
        axis = check_scalar_in(axis, "axis", low=-m, high=m - 1, integer=True) % m
        index = check_scalar_in(index, "index", low=0, high=self.shape[axis] - 1,
                                integer=True)
        host, indices, masses = self._on_host("conditional")
        keep = indices[:, axis] == index
        total = float(masses[keep].sum())
        if not total > 0:
            raise ValueError(
                f"cannot condition on X_{axis} = {index}: that outcome has probability 0"
            )
        others = [i for i in range(m) if i != axis]
        kept = masses[keep] / total
        idx = indices[keep][:, others]
        shape = tuple(self.shape[i] for i in others)
        if m == 2:
            return host.from_numpy(np.bincount(idx[:, 0], weights=kept, minlength=shape[0]))
        return host.from_numpy(Coupling(np.ascontiguousarray(idx), kept, shape, 0.0,
                                        self.method))

    def sample(self, n_samples, *, random_state=None) -> np.ndarray:
        """Draw outcomes ``(x_1, ..., x_m)`` from the coupling.

        Parameters
        ----------
        n_samples : int
            Number of draws (>= 1).
        random_state : None, int, RandomState or Generator
            Seed or generator of the draws.

        Returns
        -------
        ndarray of shape (n_samples, m), int64
            In the coupling's namespace.
        """
        n_samples = check_scalar_in(n_samples, "n_samples", low=1, integer=True)
        rng = check_rng(random_state)
        host, indices, masses = self._on_host("sample")
        cdf = np.cumsum(masses)
        u = rng.random(n_samples) * cdf[-1]
        atoms = np.minimum(np.searchsorted(cdf, u, side="right"), self.n_atoms - 1)
        return host.from_numpy(indices[atoms])

    def plot(self, ax=None, *, max_cells=200_000):
        """Show a two-marginal coupling: a heat map, or the atoms as points when large.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when None).
        max_cells : int, default=200000
            Above this many cells the atoms are drawn as points sized by mass.

        Returns
        -------
        matplotlib.axes.Axes
            The axes drawn on.
        """
        from ._plot import plot_coupling

        max_cells = check_scalar_in(max_cells, "max_cells", low=1, integer=True)
        return plot_coupling(self, ax, max_cells=max_cells)


def _order_desc(p):
    """Indices of ``p`` by value descending, ties by ascending index."""
    order = np.argsort(-p)  # introsort: about twice as fast as the stable sort
    ranked = p[order]
    if np.any(ranked[1:] == ranked[:-1]):  # ties: their order matters, sort stably
        order = np.argsort(-p, kind="stable")
    return order


def _finish(indices, masses, shape, inputs, method):
    """The NumPy :class:`Coupling`, its marginal error, and a warning if that is large."""
    shape = tuple(int(s) for s in shape)
    error = max(float(np.max(np.abs(got - want)))
                for got, want in zip(_marginals_of(indices, masses, shape), inputs))
    if error > RESIDUAL_WARN:
        warn(f"the {method} coupling misses its marginals by {error:.3g} "
             f"(> {RESIDUAL_WARN:g}); the inputs probably do not sum to one closely enough",
             RuntimeWarning)
    return Coupling(indices, masses, shape, error, method)


def greedy_mec(*marginals, tol=1e-15) -> Coupling:
    """Greedy minimum-entropy coupling of two or more marginals (Kocaoglu et al., 2017).

    Repeatedly take the largest remaining entry of every marginal, put the smallest of them
    as an atom on those outcomes and subtract it from each. The result has at most
    ``sum(n_i) - m + 1`` atoms and entropy within ``log2(e)/e`` (about 0.53) bits of the
    optimum for two marginals and ``(1 + log2 e)/2`` bits for any number (Compton et al.,
    2023). This implementation sorts each marginal once and keeps the partially used
    entries in a binary heap, so it runs in ``O(N log N)`` for ``N = sum(n_i)`` and never
    allocates a dense ``n_1 x ... x n_m`` array. Ties go to the lowest index, as in the
    ``argmax`` research code.

    Parameters
    ----------
    *marginals : array-like of shape (n_i,)
        Probability vectors (lengths may differ; zeros are allowed and keep their index;
        each must sum to one within :func:`probstat.utils.sum_tolerance` of its dtype).
    tol : float, default=1e-15
        Remainders at or below ``tol`` count as used up. The coupling's marginals then
        match the inputs within ``tol`` plus round-off (reported as ``marginal_error``).

    Returns
    -------
    Coupling
        Atoms in the order the greedy creates them. The kernel runs on the CPU: array-API
        inputs are copied to NumPy and the result's arrays moved back to their namespace.

    Raises
    ------
    ValueError
        If a marginal is empty, not 1-D, negative, not finite or does not sum to one.

    See Also
    --------
    exact_mec : The optimum for small supports.
    mec_lower_bound : Certificates of how far from optimal a coupling can be.
    greedy_mec_batch : Many small couplings at once.

    Notes
    -----
    The greedy algorithm is that of [1]_, analysed in [2]_; the additive guarantees
    quoted above are those of [3]_ and [4]_.

    References
    ----------
    .. [1] M. Kocaoglu, A. G. Dimakis, S. Vishwanath and B. Hassibi, "Entropic causal
       inference", AAAI 2017, arXiv:1611.04035 (the greedy minimum-entropy coupling
       algorithm).
    .. [2] M. Kocaoglu, A. G. Dimakis, S. Vishwanath and B. Hassibi, "Entropic causality
       and greedy minimum entropy coupling", ISIT 2017, arXiv:1701.08254 (the greedy
       coupling is a local minimum).
    .. [3] S. Compton, "A tighter approximation guarantee for greedy minimum entropy
       coupling", ISIT 2022, arXiv:2203.05108 (greedy is within log2(e) bits of the
       majorization lower bound, for any number of marginals).
    .. [4] S. Compton, D. Katz, B. Qi, K. Greenewald and M. Kocaoglu, "Minimum-entropy
       coupling approximation guarantees beyond the majorization barrier", AISTATS 2023,
       arXiv:2302.11838 (the profile lower bound; greedy within log2(e)/e bits of the
       optimum for two marginals and (1 + log2 e)/2 for any number; exact
       exponential-time solvers).

    Examples
    --------
    >>> from probstat.coupling import greedy_mec
    >>> c = greedy_mec([0.6, 0.4], [0.4, 0.3, 0.3])
    >>> c.indices.tolist()
    [[0, 0], [1, 1], [0, 2], [1, 2]]
    >>> round(c.entropy(), 6)
    1.846439
    """
    host = on_host(*marginals, where="greedy_mec")
    ps = check_marginals([host.to_numpy(p) for p in marginals])
    tol = check_scalar_in(tol, "tol", low=0)
    from ._kernels import greedy_core

    sizes = np.array([p.shape[0] for p in ps], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    orders = [_order_desc(p) for p in ps]
    svals = np.concatenate([p[o] for p, o in zip(ps, orders)])
    order = np.concatenate(orders).astype(np.int64)
    capacity = int(offsets[-1]) - len(ps) + 1
    out_idx = np.empty((capacity, len(ps)), dtype=np.int64)
    out_mass = np.empty(capacity, dtype=np.float64)
    n_atoms = greedy_core(svals, offsets, order, float(tol), out_idx, out_mass)
    coupling = _finish(out_idx[:n_atoms], out_mass[:n_atoms], sizes, ps, "greedy")
    return host.from_numpy(coupling)


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class CouplingBatch(JointArrayMixin, ResultMixin):
    """Many two-marginal couplings, padded to a common number of atoms.

    The arrays live in the namespace and on the device of the inputs.
    ``np.asarray(batch)`` and :meth:`toarray` give the dense ``(batch, n, k)`` NumPy
    array; ``batch[b]`` is one :class:`Coupling` (with ``to_scipy_sparse``).

    Parameters
    ----------
    indices : ndarray of shape (batch, max_atoms, 2), int64
        Atom outcomes; rows past ``n_atoms[b]`` are padding.
    masses : ndarray of shape (batch, max_atoms)
        Atom masses, zero in the padding.
    n_atoms : ndarray of shape (batch,), int64
        Number of atoms of each coupling.
    shape : tuple of int
        ``(n, k)``, the support sizes of every coupling.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.coupling import greedy_mec_batch
    >>> batch = greedy_mec_batch(np.array([[0.5, 0.5]]), np.array([[0.5, 0.5]]))
    >>> batch.entropy().tolist()
    [1.0]
    """

    indices: np.ndarray
    masses: np.ndarray
    n_atoms: np.ndarray
    shape: tuple

    def _summary_rows(self):
        return [("batch", len(self)), ("shape", self.shape),
                ("max_atoms", int(to_numpy(self.n_atoms).max()))]

    def _on_host(self, where):
        host = on_host(self.indices, self.masses, self.n_atoms,
                       where=f"CouplingBatch.{where}")
        return (host, host.to_numpy(self.indices), host.to_numpy(self.masses),
                host.to_numpy(self.n_atoms))

    def _joint_shape(self):
        return (len(self),) + tuple(self.shape)

    def _build_joint(self):
        return _batch_dense(to_numpy(self.indices), to_numpy(self.masses), self.shape)

    def __len__(self) -> int:
        return int(self.n_atoms.shape[0])

    def __getitem__(self, b) -> Coupling:
        """Coupling number ``b`` as a :class:`Coupling`."""
        b = check_scalar_in(b, "b", low=-len(self), high=len(self) - 1, integer=True)
        host, indices, masses, n_atoms = self._on_host("__getitem__")
        k = int(n_atoms[b])
        return host.from_numpy(Coupling(indices[b, :k].copy(), masses[b, :k].copy(),
                                        self.shape, 0.0, "greedy"))

    def entropy(self, *, base=2) -> np.ndarray:
        """Joint entropy of every coupling.

        Parameters
        ----------
        base : float, default=2
            Logarithm base (2: bits).

        Returns
        -------
        ndarray of shape (batch,)
            In the batch's namespace.
        """
        scale = log_base(base)
        host, _, masses, _ = self._on_host("entropy")
        with np.errstate(divide="ignore", invalid="ignore"):
            plogp = np.where(masses > 0, masses * np.log(np.where(masses > 0, masses, 1.0)),
                             0.0)
        return host.from_numpy(-plogp.sum(axis=1) / scale + 0.0)

    def to_dense(self) -> np.ndarray:
        """All couplings as a dense array of shape ``(batch, n, k)``.

        Returns
        -------
        ndarray
            In the batch's namespace.
        """
        host, indices, masses, _ = self._on_host("to_dense")
        return host.from_numpy(_batch_dense(indices, masses, self.shape))


def _batch_dense(indices, masses, shape):
    """Dense ``(batch, n, k)`` array of padded NumPy batch atoms (padding has mass 0)."""
    out = np.zeros((indices.shape[0],) + tuple(shape))
    rows = np.repeat(np.arange(indices.shape[0]), indices.shape[1])
    np.add.at(out, (rows, indices[..., 0].ravel(), indices[..., 1].ravel()), masses.ravel())
    return out


def _check_batch(A, name):
    A = check_stochastic_matrix(A, name=name, axis=1)
    return np.ascontiguousarray(A, dtype=np.float64)


def _batch_outputs(batch, n, k):
    capacity = n + k - 1
    return (np.zeros((batch, capacity, 2), dtype=np.int64),
            np.zeros((batch, capacity), dtype=np.float64), np.zeros(batch, dtype=np.int64))


def _greedy_chunk(task, tol):
    """``(indices, masses, n_atoms)`` of the rows of one chunk, in one thread."""
    from ._kernels import greedy_batch_serial

    P, Q = task
    out = _batch_outputs(P.shape[0], P.shape[1], Q.shape[1])
    greedy_batch_serial(P, Q, tol, *out)
    return out


def _greedy_block(P, Q, tol):
    """:func:`_greedy_chunk` on one row block of dask input (validated on the worker)."""
    return _greedy_chunk((_check_batch(P, "P"), _check_batch(Q, "Q")), tol)


def _is_dask_array(A):
    """Whether ``A`` is a ``dask.array.Array`` (without importing dask)."""
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(A, da.Array)


def _concat(parts, shape):
    return CouplingBatch(np.concatenate([p[0] for p in parts]),
                         np.concatenate([p[1] for p in parts]),
                         np.concatenate([p[2] for p in parts]), shape)


def _greedy_mec_batch_dask(P, Q, tol):
    """:func:`greedy_mec_batch` on dask input: one task per row block of ``P``."""
    import dask
    import dask.array as da

    arrays = []
    for A, name in ((P, "P"), (Q, "Q")):
        A = da.asarray(A)
        if A.ndim != 2:
            raise ValueError(f"{name} must be 2-D, one probability vector per row "
                             f"(got {A.ndim} dimensions)")
        if any(math.isnan(c) for c in A.chunks[0]):
            A = A.compute_chunk_sizes()
        arrays.append(A)
    P, Q = arrays
    if P.shape[0] != Q.shape[0]:
        raise ValueError(
            f"P and Q must have the same number of rows (got {P.shape[0]} and {Q.shape[0]})"
        )
    if P.shape[0] == 0 or P.shape[1] == 0 or Q.shape[1] == 0:
        raise ValueError(f"P and Q must not be empty (got shapes {P.shape} and {Q.shape})")
    P = P.rechunk({1: -1})
    Q = Q.rechunk((P.chunks[0], (Q.shape[1],)))
    call = dask.delayed(_greedy_block, pure=True)
    parts = dask.compute(*[call(p, q, tol) for p, q in
                           zip(P.to_delayed().ravel(), Q.to_delayed().ravel())])
    return _concat(parts, (int(P.shape[1]), int(Q.shape[1])))


def greedy_mec_batch(P, Q, *, tol=1e-15, n_jobs=None) -> CouplingBatch:
    """Greedy minimum-entropy couplings of ``P[b]`` with ``Q[b]`` for every row ``b``.

    In one process the problems run in parallel threads (numba ``prange``). With workers
    (``n_jobs``, or an active ``joblib.parallel_config`` such as joblib's Dask backend)
    the rows are cut into chunks of 4096 whatever the number of workers, each chunk runs
    in one thread of a worker, and the pieces are put back in order. Each row is the same
    computation as :func:`greedy_mec`, so the result is identical, to the last bit,
    however the work is spread.

    Parameters
    ----------
    P : array-like or dask array of shape (batch, n)
        One probability vector per row. A ``dask.array.Array`` (``P`` or ``Q``) is
        computed block of rows by block of rows on Dask's active scheduler (a
        ``distributed.Client`` when one is active); the blocks are never gathered.
    Q : array-like or dask array of shape (batch, k)
        One probability vector per row.
    tol : float, default=1e-15
        As in :func:`greedy_mec`.
    n_jobs : int or None, default=None
        Number of joblib workers (``-1``: all cores); ``None`` follows the active
        ``joblib.parallel_config`` and otherwise runs in this process. Ignored for dask
        input, which goes where Dask sends it.

    Returns
    -------
    CouplingBatch
        The kernel runs on the CPU: array-API inputs are copied to NumPy and the result's
        arrays moved back to their namespace. For dask input the result holds NumPy
        arrays (``(n + k - 1) * 24 + 8`` bytes per row).

    Notes
    -----
    Each row is the greedy coupling of [1]_; see :func:`greedy_mec` for its guarantees
    [2]_.

    References
    ----------
    .. [1] M. Kocaoglu, A. G. Dimakis, S. Vishwanath and B. Hassibi, "Entropic causal
       inference", AAAI 2017, arXiv:1611.04035 (the greedy minimum-entropy coupling
       algorithm).
    .. [2] S. Compton, D. Katz, B. Qi, K. Greenewald and M. Kocaoglu, "Minimum-entropy
       coupling approximation guarantees beyond the majorization barrier", AISTATS 2023,
       arXiv:2302.11838 (the profile lower bound; greedy within log2(e)/e bits of the
       optimum for two marginals and (1 + log2 e)/2 for any number; exact
       exponential-time solvers).

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.coupling import greedy_mec_batch
    >>> P = np.array([[0.6, 0.4], [0.5, 0.5]])
    >>> Q = np.array([[0.4, 0.3, 0.3], [0.5, 0.25, 0.25]])
    >>> np.round(greedy_mec_batch(P, Q).entropy(), 4).tolist()
    [1.8464, 1.5]
    """
    n_jobs = check_n_jobs(n_jobs)
    if _is_dask_array(P) or _is_dask_array(Q):
        tol = check_scalar_in(tol, "tol", low=0)
        return _greedy_mec_batch_dask(P, Q, float(tol))
    host = on_host(P, Q, where="greedy_mec_batch")
    P = _check_batch(host.to_numpy(P), "P")
    Q = _check_batch(host.to_numpy(Q), "Q")
    if P.shape[0] != Q.shape[0]:
        raise ValueError(
            f"P and Q must have the same number of rows (got {P.shape[0]} and {Q.shape[0]})"
        )
    tol = float(check_scalar_in(tol, "tol", low=0))
    batch, n = P.shape
    k = Q.shape[1]
    if batch > BATCH_CHUNK_ROWS and not runs_serially(n_jobs):
        starts = range(0, batch, BATCH_CHUNK_ROWS)
        parts = parallel_map(
            functools.partial(_greedy_chunk, tol=tol),
            [(P[s:s + BATCH_CHUNK_ROWS], Q[s:s + BATCH_CHUNK_ROWS]) for s in starts],
            n_jobs=n_jobs)
        return host.from_numpy(_concat(parts, (int(n), int(k))))
    from ._kernels import greedy_batch

    out_idx, out_mass, out_count = _batch_outputs(batch, n, k)
    greedy_batch(P, Q, tol, out_idx, out_mass, out_count)
    return host.from_numpy(CouplingBatch(out_idx, out_mass, out_count, (int(n), int(k))))
