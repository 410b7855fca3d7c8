"""A small object holding a semantic channel: truth functions and a source."""

from __future__ import annotations

from ._measures import (
    _truth_and_px,
    logical_probability,
    semantic_bayes,
    semantic_classify,
    semantic_distortion,
    semantic_information,
    semantic_information_loss,
    semantic_kl,
    semantic_mutual_information,
)
from ._rate import rate_fidelity
from ._truth import truth_from_channel
from ._validation import namespace_of

__all__ = ["SemanticChannel"]


class SemanticChannel:
    """Truth functions ``T[i, j] = T(theta_j | x_i)`` together with a source ``P(x)``.

    A thin convenience wrapper: every method calls the free function of the same meaning
    with the stored ``T`` and ``p_x``.

    Parameters
    ----------
    T : array-like of shape (n_x, n_labels)
        Truth functions in [0, 1] (no all-zero column).
    p_x : array-like of shape (n_x,)
        Source distribution.

    Attributes
    ----------
    T : array of shape (n_x, n_labels)
    p_x : array of shape (n_x,)

    References
    ----------
    .. [1] C. Lu, "A Semantic Generalization of Shannon's Information Theory and
           Applications", Entropy 27(5):461, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from probstat.semantic import SemanticChannel
    >>> ch = SemanticChannel.from_shannon_channel([[0.9, 0.1], [0.2, 0.8]], [0.5, 0.5])
    >>> p_xy = np.array([[0.45, 0.05], [0.1, 0.4]])
    >>> round(ch.mutual_information(p_xy), 4)  # = I(X; Y) for optimised truth functions
    0.3973
    """

    def __init__(self, T, p_x):
        self.T, self.p_x, _ = _truth_and_px(T, p_x)

    @classmethod
    def from_shannon_channel(cls, p_y_given_x, p_x):
        """Build the semantic channel of the optimised truth functions T* of a Shannon channel.

        Parameters
        ----------
        p_y_given_x : array-like of shape (n_x, n_labels)
            Rows sum to one.
        p_x : array-like of shape (n_x,)

        Returns
        -------
        SemanticChannel
        """
        return cls(truth_from_channel(p_y_given_x), p_x)

    @property
    def shape(self):
        """``(n_x, n_labels)``."""
        return tuple(self.T.shape)

    def logical_probability(self):
        """Logical probabilities ``T(theta_j)``; see :func:`logical_probability`.

        Returns
        -------
        array of shape (n_labels,)
        """
        return logical_probability(self.T, self.p_x)

    def likelihood(self):
        """Semantic-Bayes likelihoods ``P(x | theta_j)`` as columns; see :func:`semantic_bayes`.

        Returns
        -------
        array of shape (n_x, n_labels)
        """
        return semantic_bayes(self.T, self.p_x)

    def information(self, *, base=2):
        """Semantic information ``I(x_i; theta_j)``; see :func:`semantic_information`.

        Parameters
        ----------
        base : float, default=2

        Returns
        -------
        array of shape (n_x, n_labels)
        """
        return semantic_information(self.T, self.p_x, base=base)

    def kl(self, p_x_given_y, *, base=2):
        """Generalised KL ``I(X; theta_j)`` for sampling distributions ``P(x | y_j)``.

        Parameters
        ----------
        p_x_given_y : array-like of shape (n_x, n_labels)
        base : float, default=2

        Returns
        -------
        array of shape (n_labels,)
        """
        return semantic_kl(self.T, self.p_x, p_x_given_y, base=base)

    def mutual_information(self, p_xy, *, base=2):
        """Semantic mutual information G of a joint sample; logical probabilities use ``p_x``.

        Parameters
        ----------
        p_xy : array-like of shape (n_x, n_labels)
        base : float, default=2

        Returns
        -------
        float
        """
        return semantic_mutual_information(self.T, p_xy, p_x=self.p_x, base=base)

    def information_loss(self, p_xy, *, base=2):
        """``I(X; Y) - G`` for a joint sample; see :func:`semantic_information_loss`.

        Parameters
        ----------
        p_xy : array-like of shape (n_x, n_labels)
        base : float, default=2

        Returns
        -------
        float
        """
        return semantic_information_loss(self.T, p_xy, base=base)

    def distortion(self, *, base=2):
        """Semantic distortion ``-log T``.

        Parameters
        ----------
        base : float, default=2

        Returns
        -------
        array of shape (n_x, n_labels)
        """
        return semantic_distortion(self.T, base=base)

    def classify(self):
        """Maximum-semantic-information label of each x; see :func:`semantic_classify`.

        Returns
        -------
        array of int of shape (n_x,)
        """
        return semantic_classify(self.T, self.p_x)

    def rate_fidelity(self, s, **kwargs):
        """The R(G) curve of this channel; see :func:`rate_fidelity`.

        Parameters
        ----------
        s : float or array-like
        **kwargs
            Passed to :func:`rate_fidelity`.

        Returns
        -------
        RateFidelityCurve
        """
        return rate_fidelity(self.T, self.p_x, s, **kwargs)

    def __repr__(self):
        xp = namespace_of(self.T)
        return (f"SemanticChannel(n_x={self.T.shape[0]}, n_labels={self.T.shape[1]}, "
                f"xp={xp.__name__})")
