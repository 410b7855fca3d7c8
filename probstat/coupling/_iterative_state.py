"""Marginals and posterior states of the iterative couplings (FIMEC and ARIMEC).

An iterative minimum-entropy coupling builds ``Y = (Y_1, ..., Y_T)`` one step at a time.
At step ``j`` it holds the posterior of ``X`` given ``Y_<j``, picks a partition of the
support of ``X`` into blocks (the *active* partition), couples the blocks' posterior
masses with ``p(Y_j | Y_<j)`` by greedy minimum-entropy coupling and conditions on the
chosen ``y_j``. Every factor applied to the posterior is constant on the blocks of the
partition it came from, so the posterior keeps a compact form:

- a **factored** source ``X = (X_1, ..., X_K)`` with independent components keeps
  independent component posteriors; the partition is the component of highest posterior
  entropy;
- an **autoregressive** source keeps a prefix tree whose nodes hold the posterior of
  "which child does ``X`` go through, or does it not go through this node at all"; the
  partition is the node of highest entropy, found by a pruned depth-first search.

Everything here works on validated NumPy data; the public entry points live in
``_iterative.py``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..utils import check_probability_vector


def entropy_nats(p) -> float:
    """Shannon entropy of a probability vector in nats (zeros contribute nothing)."""
    p = p[p > 0]
    return float(-(p * np.log(p)).sum()) + 0.0


def _is_delta(p) -> bool:
    return int(np.count_nonzero(p)) == 1


def _prob(p, name):
    return np.ascontiguousarray(check_probability_vector(p, name=name), dtype=np.float64)


def _is_vector_list(obj) -> bool:
    """Whether ``obj`` is a sequence of vectors (a factored marginal), not one vector."""
    if isinstance(obj, np.ndarray) or hasattr(obj, "__array_namespace__"):
        return False
    if not isinstance(obj, (list, tuple)) or len(obj) == 0:
        return False
    # Arrays (even 0-d ones, refused later by name) are components; NumPy scalars are not.
    return all(isinstance(item, (list, tuple))
               or (hasattr(item, "shape") and not isinstance(item, np.generic))
               for item in obj)


# ------------------------------------------------------------------------------ target


class Target:
    """The marginal of ``Y`` as ``conditional(prefix)`` over a fixed number of steps.

    A probability vector is one step (tabular), a sequence of vectors is a product
    (factored), a callable ``next_distribution(prefix) -> probs`` is autoregressive and
    needs ``n_steps``.
    """

    def __init__(self, target, n_steps, *, name="target"):
        self.name = name
        if callable(target):
            if n_steps is None:
                raise ValueError(f"n_steps is required when {name} is a callable "
                                 "next_distribution(prefix) -> probs")
            self.kind = "autoregressive"
            self._fn = target
            self.n_steps = int(n_steps)
        elif _is_vector_list(target):
            self.kind = "factored"
            self._components = [_prob(c, f"{name}[{i}]") for i, c in enumerate(target)]
            self.n_steps = len(self._components)
            self._check_steps(n_steps)
        else:
            self.kind = "tabular"
            self._components = [_prob(target, name)]
            self.n_steps = 1
            self._check_steps(n_steps)

    def _check_steps(self, n_steps):
        if n_steps is not None and int(n_steps) != self.n_steps:
            raise ValueError(f"n_steps must be {self.n_steps} for this {self.kind} {self.name} "
                             f"(got {n_steps})")

    def conditional(self, prefix) -> np.ndarray:
        """``p(Y_j | Y_<j = prefix)`` as a float64 probability vector."""
        if self.kind != "autoregressive":
            return self._components[len(prefix)]
        out = self._fn(tuple(int(v) for v in prefix))
        return _prob(out, f"{self.name}({tuple(prefix)!r}) output")

    def log_prob(self, y) -> float:
        """``log p(y)`` in nats by the chain rule."""
        total = 0.0
        for j in range(self.n_steps):
            q = self.conditional(y[:j])
            if not 0 <= y[j] < q.shape[0] or q[y[j]] <= 0:
                return -math.inf
            total += math.log(q[y[j]])
        return total


# ------------------------------------------------------------------------ factored source


class FactoredSource:
    """``X = (X_1, ..., X_K)`` with independent components (one component: tabular)."""

    kind = "factored"

    def __init__(self, components, *, name="source"):
        self.components = [_prob(c, f"{name}[{i}]") for i, c in enumerate(components)]
        self.length = len(self.components)
        self.shape = tuple(c.shape[0] for c in self.components)

    def initial_state(self):
        return FactoredState([c.copy() for c in self.components])

    def log_prob(self, x) -> float:
        total = 0.0
        for xi, c in zip(x, self.components):
            if c[xi] <= 0:
                return -math.inf
            total += math.log(c[xi])
        return total

    def entropy(self) -> float:
        return sum(entropy_nats(c) for c in self.components)

    def sample(self, rng):
        return tuple(_draw(c, rng) for c in self.components)

    def support_size(self) -> int:
        return int(np.prod([np.count_nonzero(c) for c in self.components], dtype=float))

    def support(self):
        """Every ``x`` with positive probability (small supports only)."""
        return list(itertools.product(*[np.flatnonzero(c).tolist()
                                        for c in self.components]))

    def check_value(self, x, name="x"):
        x = _as_index_tuple(x, name, self.length)
        for i, (xi, n) in enumerate(zip(x, self.shape)):
            if not 0 <= xi < n:
                raise ValueError(f"{name}[{i}] must be in [0, {n - 1}] (got {xi})")
        return x


class FactoredState:
    """Independent posteriors of the components of a factored source."""

    def __init__(self, posts):
        self.posts = posts

    def copy(self):
        return FactoredState([p.copy() for p in self.posts])

    def select(self):
        """The active component (highest entropy; lowest index on ties) and its posterior."""
        best, best_h = 0, -1.0
        for i, p in enumerate(self.posts):
            h = entropy_nats(p)
            if h > best_h + 1e-12:
                best, best_h = i, h
        return best, self.posts[best], best_h

    def block_of(self, handle, x) -> int:
        return int(x[handle])

    def update(self, handle, probs):
        self.posts[handle] = probs

    def is_certain(self) -> bool:
        return all(_is_delta(p) for p in self.posts)

    def entropy(self) -> float:
        return sum(entropy_nats(p) for p in self.posts)

    def decode(self, source, rng=None):
        """MAP (``rng`` None) or a posterior draw of ``x``."""
        if rng is None:
            return tuple(int(np.argmax(p)) for p in self.posts)
        return tuple(_draw(p, rng) for p in self.posts)


# ------------------------------------------------------------------ autoregressive source


class ARSource:
    """``X = (X_1, ..., X_L)`` given by ``next_distribution(prefix) -> probs``.

    Every conditional must have the same length (the vocabulary); the pruning bound of
    the search depends on it.
    """

    kind = "autoregressive"

    def __init__(self, fn, length, *, name="source"):
        self.fn = fn
        self.name = name
        self.length = int(length)
        self.vocab = None
        self._cache = {}

    def conditional(self, prefix) -> np.ndarray:
        prefix = tuple(int(v) for v in prefix)
        out = self._cache.get(prefix)
        if out is None:
            out = _prob(self.fn(prefix), f"{self.name}({prefix!r}) output")
            if self.vocab is None:
                self.vocab = out.shape[0]
            elif out.shape[0] != self.vocab:
                raise ValueError(f"{self.name} must return vectors of one length "
                                 f"({self.vocab}); got {out.shape[0]} for prefix {prefix!r}")
            if len(self._cache) < 100_000:
                self._cache[prefix] = out
        return out

    def initial_state(self):
        return TreeState(self)

    def log_prob(self, x) -> float:
        total = 0.0
        for i in range(self.length):
            q = self.conditional(x[:i])
            if not 0 <= x[i] < q.shape[0] or q[x[i]] <= 0:
                return -math.inf
            total += math.log(q[x[i]])
        return total

    def sample(self, rng):
        x = []
        for _ in range(self.length):
            x.append(_draw(self.conditional(x), rng))
        return tuple(x)

    def support(self):
        out = [()]
        for _ in range(self.length):
            out = [x + (int(v),) for x in out for v in np.flatnonzero(self.conditional(x))]
        return out

    def support_size(self) -> int:
        bound = float(self.vocab or 1) ** self.length
        return len(self.support()) if bound <= 10**6 else math.inf

    def entropy(self) -> float:
        return -sum(math.exp(lp) * lp for lp in (self.log_prob(x) for x in self.support()))

    def check_value(self, x, name="x"):
        x = _as_index_tuple(x, name, self.length)
        if self.log_prob(x) == -math.inf:
            raise ValueError(f"{name} has probability 0 under the source")
        return x


def _max_entropy_bound(z, n) -> float:
    """Largest entropy (nats) of a distribution on ``n`` states with one mass >= ``z``."""
    if n <= 1:
        return 0.0
    if z <= 1.0 / n:
        return math.log(n)
    rest = 1.0 - z
    h = -z * math.log(z)
    if rest > 0:
        h -= rest * math.log(rest / (n - 1))
    return h


class TreeState:
    """Posterior of an autoregressive source as a prefix tree (ARIMEC).

    ``nodes[s]`` holds, for the prefix ``s``, the posterior probabilities that ``X``
    continues ``s`` with each token (for a full-length ``s``: that ``X == s``), followed by
    the probability that ``X`` does not start with ``s`` (the last entry, the edge back to
    the parent). A node is brought up to date whenever it is reached from an up-to-date
    neighbour, so the values along the path in use are always exact.
    """

    def __init__(self, source, nodes=None, current=()):
        self.source = source
        if nodes is None:
            nodes = {(): np.append(source.conditional(()), 0.0)}
        self.nodes = nodes
        self.current = current

    def copy(self):
        return TreeState(self.source, {k: v.copy() for k, v in self.nodes.items()},
                         self.current)

    def _is_leaf(self, prefix) -> bool:
        return len(prefix) == self.source.length

    @staticmethod
    def _constrain(dist, index, value):
        """Set ``dist[index] = value`` and rescale the other entries to sum ``1 - value``."""
        free = dist.sum() - dist[index]
        out = dist * ((1.0 - value) / free) if free > 0 else np.zeros_like(dist)
        out[index] = value
        return out

    def _step(self, prefix, edge):
        """Move from the up-to-date node ``prefix`` along ``edge``; return the neighbour."""
        dist = self.nodes[prefix]
        parent_edge = dist.shape[0] - 1
        if edge == parent_edge:
            parent = prefix[:-1]
            self.nodes[parent] = self._constrain(self.nodes[parent], prefix[-1],
                                                 1.0 - dist[-1])
            return parent
        child = prefix + (int(edge),)
        mass = float(dist[edge])
        if child in self.nodes:
            node = self.nodes[child]
            self.nodes[child] = self._constrain(node, node.shape[0] - 1, 1.0 - mass)
        else:
            base = (np.ones(1) if self._is_leaf(child)
                    else self.source.conditional(child))
            self.nodes[child] = np.append(base * mass, 1.0 - mass)
        return child

    def select(self):
        """The node of highest posterior entropy (pruned depth-first search)."""
        start = self.current
        best, best_h = start, entropy_nats(self.nodes[start])
        n_states = (self.source.vocab or 1) + 1
        stack, seen = [start], set()
        while stack:
            prefix = stack.pop()
            if prefix in seen or self._is_leaf(prefix):
                continue
            seen.add(prefix)
            dist = self.nodes[prefix]
            h = entropy_nats(dist)
            if h > best_h + 1e-12:
                best, best_h = prefix, h
            for edge in range(dist.shape[0]):
                if edge == dist.shape[0] - 1 and prefix == ():
                    continue  # the root has no parent
                # Every node beyond this edge gives the side we came from mass >= 1 - p.
                if _max_entropy_bound(1.0 - dist[edge], n_states) > best_h + 1e-12:
                    neighbour = self._step(prefix, edge)
                    if neighbour not in seen:
                        stack.append(neighbour)
        # No factor is applied during the search, so every node it reached is exact.
        self.current = best
        return best, self.nodes[best], best_h

    def block_of(self, handle, x) -> int:
        dist = self.nodes[handle]
        if tuple(x[:len(handle)]) != handle:
            return dist.shape[0] - 1
        return 0 if self._is_leaf(handle) else int(x[len(handle)])

    def update(self, handle, probs):
        self.nodes[handle] = probs
        self.current = handle

    def is_certain(self) -> bool:
        return self.copy().select()[2] <= 1e-12

    def decode(self, source, rng=None):
        """Greedy MAP (``rng`` None) or an exact posterior draw of ``x``."""
        return self.copy()._decode(rng)

    def _decode(self, rng):
        prefix = self.current
        while True:
            dist = self.nodes[prefix].copy()
            if prefix == ():
                dist[-1] = 0.0  # the root has no parent
            edge = _draw(dist, rng) if rng is not None else int(np.argmax(dist))
            parent_edge = dist.shape[0] - 1
            if self._is_leaf(prefix) and edge == 0:
                return prefix
            if edge == parent_edge:
                # Leave the node, knowing that X does not start with it.
                parent = prefix[:-1]
                self.nodes[parent] = self._constrain(self.nodes[parent], prefix[-1], 0.0)
                prefix = parent
                continue
            child = prefix + (int(edge),)
            if child not in self.nodes:
                x = list(child)
                while len(x) < self.source.length:
                    q = self.source.conditional(x)
                    x.append(_draw(q, rng) if rng is not None else int(np.argmax(q)))
                return tuple(x)
            node = self.nodes[child]
            self.nodes[child] = self._constrain(node, node.shape[0] - 1, 0.0)
            prefix = child


# ----------------------------------------------------------------------------- helpers


def _draw(p, rng) -> int:
    cdf = np.cumsum(p)
    u = rng.random() * cdf[-1]
    return int(min(np.searchsorted(cdf, u, side="right"), p.shape[0] - 1))


def _as_index_tuple(x, name, length):
    try:
        arr = np.asarray(x)
    except ValueError:
        raise ValueError(f"{name} must be a 1-D sequence of {length} integer outcomes "
                         "(got a ragged sequence)") from None
    if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)) \
            and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer outcomes (got dtype {arr.dtype})")
    if arr.ndim != 1 or arr.shape[0] != length:
        raise ValueError(f"{name} must be 1-D of length {length} (got shape {arr.shape})")
    return tuple(int(v) for v in arr)
