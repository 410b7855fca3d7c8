"""SDP clustering: the Peng-Wei K-means SDP and iLA-SDP for heterogeneous Gaussian clusters.

- :class:`KMeansSDP` -- the K-means semidefinite relaxation (cvxpy, low-rank or sketch).
- :class:`ILASDP` -- iterative likelihood-adjusted SDP (Zhuang, Chen and Yang, ICML 2023):
  one membership matrix per cluster, alternated with a closed-form covariance step.
- :func:`misclustering_error` -- error rate up to relabeling (Hungarian matching).
- :func:`plot_clusters` -- scatter plot with covariance ellipses.
"""

from ._demo import demo
from ._ila_sdp import ILASDP
from ._kmeans_sdp import KMeansSDP
from ._metrics import misclustering_error
from ._plot import plot_clusters
from ._solvers import SDPSolverError

__all__ = [
    "ILASDP",
    "KMeansSDP",
    "SDPSolverError",
    "demo",
    "misclustering_error",
    "plot_clusters",
]
