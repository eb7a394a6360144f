"""Random connectivity drawn with numpy from a seeded generator (identical on every backend).

All functions return ``(i, j)``: local source and target indices of each synapse, in
source-major order (sorted by ``i``, then by ``j``). The order matters for speed, not for the
model: a presynaptic spike walks the list of its synapses, and contiguous synapse indices make
that walk sequential in memory (on the Payeur Fig-3 circuit the target-major order of an
earlier version cost about 35 ns per synaptic event, mostly cache misses).

Examples
--------
>>> rng = np.random.default_rng(0)
>>> i, j = fixed_in_degree(n_sources=50, n_targets=4, in_degree=3, rng=rng)
>>> np.bincount(j).tolist()
[3, 3, 3, 3]
"""

from __future__ import annotations

import numpy as np

__all__ = ["pairwise_bernoulli", "fixed_in_degree", "one_to_one", "all_to_all"]


def pairwise_bernoulli(n_sources: int, n_targets: int, p: float, rng: np.random.Generator,
                       exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Each (source, target) pair independently with probability ``p``.

    Uses geometric gaps between successive connections in the flattened pair index, so memory
    is proportional to the number of synapses, not to ``n_sources * n_targets``.

    Examples
    --------
    >>> i, j = pairwise_bernoulli(100, 100, 1.0, np.random.default_rng(1), exclude_self=True)
    >>> len(i), bool(np.any(i == j))
    (9900, False)
    """
    total = int(n_sources) * int(n_targets)
    if p <= 0 or total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if p >= 1:
        flat = np.arange(total, dtype=np.int64)
    else:
        chunks, position = [], -1
        expected = int(total * p * 1.05) + 100
        while position < total:
            gaps = rng.geometric(p, size=expected)
            positions = position + np.cumsum(gaps, dtype=np.int64)
            chunks.append(positions[positions < total])
            position = int(positions[-1])
        flat = np.concatenate(chunks)
    i, j = np.divmod(flat, int(n_targets))
    if exclude_self:
        keep = i != j
        i, j = i[keep], j[keep]
    return i.astype(np.int64), j.astype(np.int64)


#: Dense path of :func:`fixed_in_degree`: random keys are drawn for about this many (target,
#: source) pairs at a time (16 M float64 keys: 128 MB).
KEY_CHUNK_ELEMENTS = 16_000_000
#: Sparse path of :func:`fixed_in_degree`: targets are drawn in chunks of about this many synapses.
SPARSE_CHUNK_SYNAPSES = 4_000_000


def fixed_in_degree(n_sources: int, n_targets: int, in_degree: int, rng: np.random.Generator,
                    exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every target gets exactly ``in_degree`` distinct sources, drawn uniformly.

    Time and memory are proportional to the number of synapses (``n_targets * in_degree``), not
    to ``n_sources * n_targets``, as long as ``in_degree`` is at most a quarter of the sources:
    each target draws ``in_degree`` sources with replacement and redraws only the repeats until
    none are left. The process treats every source alike, so the chosen set is uniform among
    the sets of ``in_degree`` sources. Denser choices take the ``in_degree`` smallest of fresh
    uniform keys per target.

    Examples
    --------
    >>> i, j = fixed_in_degree(5, 5, 4, np.random.default_rng(2), exclude_self=True)
    >>> sorted(i[j == 0].tolist())
    [1, 2, 3, 4]
    """
    k = int(in_degree)
    n_sources, n_targets = int(n_sources), int(n_targets)
    available = n_sources - (1 if exclude_self else 0)
    if k > available:
        raise ValueError(f"in_degree {k} exceeds the {available} available sources")
    if k == 0 or n_targets == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows = []
    if 4 * k > available:
        chunk = max(1, KEY_CHUNK_ELEMENTS // max(n_sources, 1))
        for start in range(0, n_targets, chunk):
            stop = min(n_targets, start + chunk)
            keys = rng.random((stop - start, n_sources))
            if exclude_self:
                own = np.arange(start, stop)
                inside = own < n_sources
                keys[np.nonzero(inside)[0], own[inside]] = 2.0  # never among the k smallest
            chosen = np.argpartition(keys, k - 1, axis=1)[:, :k] if k < n_sources else np.argsort(keys, axis=1)[:, :k]
            # a copy: the slice is a view that would keep the whole chunk x n_sources index
            # array alive (12.7 GB at 40000 x 40000 when every chunk's array was kept)
            rows.append(chosen.astype(np.int64, copy=True))
            del keys, chosen
    else:
        chunk = max(1, SPARSE_CHUNK_SYNAPSES // k)
        for start in range(0, n_targets, chunk):
            rows.append(_distinct_sources(rng, start, min(n_targets, start + chunk), n_sources, k, exclude_self))
    sources = np.concatenate(rows)
    del rows
    i = sources.ravel()
    del sources
    j = np.repeat(np.arange(n_targets, dtype=np.int64), k)
    order = np.argsort(i * np.int64(n_targets) + j)  # source-major; the keys are distinct
    return i[order], j[order]


def _distinct_sources(rng: np.random.Generator, start: int, stop: int, n_sources: int, k: int,
                      exclude_self: bool) -> np.ndarray:
    """``k`` distinct sources for each target in ``[start, stop)`` (rows), by redrawing repeats.

    With ``exclude_self``, target ``t`` draws from the ``n_sources - 1`` sources other than
    ``t`` (values at or above ``t`` shift up by one), so no redraw is needed for self-contacts.
    """
    n_rows = stop - start
    own = np.arange(start, stop, dtype=np.int64)[:, None]

    def draw(owners):
        # owners: the target of each value to draw (broadcast to the output shape)
        if not exclude_self:
            return rng.integers(0, n_sources, size=owners.shape, dtype=np.int64)
        has_self = owners < n_sources
        values = rng.integers(0, n_sources - has_self, dtype=np.int64)
        return values + (has_self & (values >= owners))

    sources = draw(np.broadcast_to(own, (n_rows, k)))
    while True:
        order = np.argsort(sources, axis=1, kind="stable")
        ordered = np.take_along_axis(sources, order, axis=1)
        repeat = ordered[:, 1:] == ordered[:, :-1]  # every occurrence after the first of a value
        if not repeat.any():
            return sources
        rows, positions = np.nonzero(repeat)
        slots = order[rows, positions + 1]
        sources[rows, slots] = draw(own[rows, 0])


def one_to_one(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Source k to target k.

    Examples
    --------
    >>> one_to_one(3)[1].tolist()
    [0, 1, 2]
    """
    idx = np.arange(int(n), dtype=np.int64)
    return idx, idx.copy()


def all_to_all(n_sources: int, n_targets: int, exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Every source to every target.

    Examples
    --------
    >>> len(all_to_all(3, 3, exclude_self=True)[0])
    6
    """
    i, j = np.divmod(np.arange(int(n_sources) * int(n_targets), dtype=np.int64), int(n_targets))
    if exclude_self:
        keep = i != j
        i, j = i[keep], j[keep]
    return i, j
