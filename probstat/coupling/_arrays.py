"""NumPy and SciPy conversions of the results that hold a joint distribution.

One implementation for :class:`~probstat.coupling.Coupling`,
:class:`~probstat.coupling.CouplingBatch` and :class:`~probstat.coupling.MECBResult`:
``np.asarray(result)`` (NumPy's ``__array__`` protocol, with NumPy 2's ``copy``
keyword), ``result.toarray()`` and ``result.to_scipy_sparse(format=...)``, as a SciPy
sparse array or a pandas frame converts.
"""

from __future__ import annotations

import numpy as np

from ..utils import check_option, check_scalar_in

#: Dense conversions refuse to allocate more cells than this by default.
MAX_DENSE_CELLS = 10**8

SPARSE_FORMATS = ("csr", "csc", "coo")


class JointArrayMixin:
    """``__array__``, ``toarray`` and ``to_scipy_sparse`` from a few hooks.

    A subclass defines ``_joint_shape()`` (the dense shape) and ``_build_joint()`` (a new
    float64 NumPy array of the joint). A result that stores its dense joint as a NumPy
    array returns it from ``_stored_joint()`` (default None), so that ``np.asarray``
    needs no copy. ``_joint_coo()`` gives the nonzero cells; override it to avoid the
    dense array.
    """

    def _stored_joint(self):
        return None

    def _checked_size(self, max_size, where):
        shape = tuple(int(s) for s in self._joint_shape())
        size = int(np.prod(shape, dtype=np.float64))
        if size > max_size:
            raise ValueError(
                f"{where} would allocate {size} cells for shape {shape} "
                f"(max_size={max_size}); use to_scipy_sparse() or the sparse fields instead"
            )

    def _joint_coo(self):
        dense = self._dense()
        coords = np.nonzero(dense)
        return coords, dense[coords]

    def _dense(self):
        stored = self._stored_joint()
        return stored if stored is not None else self._build_joint()

    def __array__(self, dtype=None, copy=None):
        """The dense joint as a NumPy array (``np.asarray(result)``).

        Parameters
        ----------
        dtype : data-type, optional
            Cast to this dtype (float64 by default).
        copy : bool or None, optional
            NumPy 2's protocol: ``True`` always returns a new array; ``None`` copies only
            when needed; ``False`` raises ``ValueError`` when a copy cannot be avoided
            (always for a sparse coupling, whose dense form must be built).

        Returns
        -------
        numpy.ndarray
            Rows are the first variable's outcomes.
        """
        name = type(self).__name__
        stored = self._stored_joint()
        cast = dtype is not None and (stored is None or np.dtype(dtype) != stored.dtype)
        if copy is False and (stored is None or cast):
            why = ("holds no float64 NumPy joint to share (its dense form is built anew, "
                   "from sparse atoms or from another device)") if stored is None \
                else f"is float64, not {np.dtype(dtype)}"
            raise ValueError(
                f"np.asarray(..., copy=False) cannot avoid a copy: the {name} {why}"
            )
        if stored is None:
            self._checked_size(MAX_DENSE_CELLS, f"np.asarray({name})")
            dense = self._build_joint()
            return dense.astype(dtype, copy=False) if dtype is not None else dense
        if cast:
            return stored.astype(dtype)
        return stored.copy() if copy else stored

    def toarray(self, *, max_size=MAX_DENSE_CELLS) -> np.ndarray:
        """The dense joint distribution as a new float64 NumPy array.

        As :meth:`scipy.sparse.coo_array.toarray`: always NumPy on the host, whatever
        namespace the result's arrays live in.

        Parameters
        ----------
        max_size : int, default=10**8
            Refuse to allocate more cells than this.

        Returns
        -------
        numpy.ndarray of float64
            Rows are the first variable's outcomes (``p``'s or ``p_x``'s); its marginals
            are the coupled distributions.
        """
        max_size = check_scalar_in(max_size, "max_size", low=1, integer=True)
        self._checked_size(max_size, "toarray")
        stored = self._stored_joint()
        return stored.copy() if stored is not None else self._build_joint()

    def to_scipy_sparse(self, format="csr"):
        """The joint of two variables as a SciPy sparse array of its nonzero cells.

        Parameters
        ----------
        format : {"csr", "csc", "coo"}, default="csr"
            Sparse format of the result.

        Returns
        -------
        scipy.sparse.csr_array, csc_array or coo_array of shape (n_x, n_y)
            Float64, on the host; rows are the first variable's outcomes. Cells of zero
            probability are not stored.
        """
        from scipy import sparse

        check_option(format, "format", SPARSE_FORMATS)
        shape = tuple(int(s) for s in self._joint_shape())
        if len(shape) != 2:
            raise ValueError(
                f"to_scipy_sparse needs a joint of 2 variables (got {len(shape)} "
                f"dimensions, shape {shape}); SciPy sparse arrays are 2-D"
            )
        coords, values = self._joint_coo()
        values = np.asarray(values, dtype=np.float64)
        keep = values != 0
        rows, cols = (np.asarray(c, dtype=np.int64)[keep] for c in coords)
        out = sparse.coo_array((values[keep], (rows, cols)), shape=shape)
        out.sum_duplicates()
        return out.asformat(format)
