"""Finished results the queue keeps for students who ask for a run that was already trained: least recently
used goes first, and never more than `max_entries` results or `max_bytes` bytes (as the results count
themselves: `nbytes`; one that cannot say is not kept). The queue calls it under its lock."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple


class Cached(NamedTuple):
    result: Any
    nbytes: int
    trained_for: frozenset     # the owners the training was run for


def size_of(result: Any) -> int | None:
    """Bytes a result holds (a list counts its items), or None when it cannot tell."""
    if isinstance(result, (list, tuple)):
        sizes = [size_of(r) for r in result]
        return None if any(s is None for s in sizes) else sum(sizes)
    n = getattr(result, "nbytes", None)
    return None if n is None else int(n)


class SharedResults:
    """A bounded least-recently-used map from share key to finished result."""

    def __init__(self, max_entries: int = 32, max_bytes: int = 64 * 2**20):
        if max_entries < 0 or max_bytes < 0:
            raise ValueError("the shared-results cache needs max_entries ≥ 0 and max_bytes ≥ 0")
        self.max_entries, self.max_bytes = int(max_entries), int(max_bytes)
        self._items: OrderedDict[str, Cached] = OrderedDict()
        self.nbytes = 0

    def get(self, key: str) -> Cached | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)  # just used: last to go
        return item

    def put(self, key: str, result: Any, trained_for: frozenset = frozenset()) -> bool:
        """Keep `result` under `key`, evicting the least recently used past the bounds; False when it
        is not kept (its size unknown, or larger than the whole cache)."""
        size = size_of(result)
        if size is None or size > self.max_bytes or self.max_entries == 0:
            return False
        self.discard(key)
        self._items[key] = Cached(result, size, frozenset(trained_for))
        self.nbytes += size
        while len(self._items) > self.max_entries or self.nbytes > self.max_bytes:
            self.discard(next(iter(self._items)))
        return True

    def discard(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self.nbytes -= item.nbytes

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
