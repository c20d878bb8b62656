"""A training's live state, copied from the process that trains it to the server a little at a time: the
trainer's `LiveSender.delta()` says what changed since its last call, and the server's `apply_delta` makes its
copy equal. A list travels as the items after the first that differs (usually the ones added: a list changed
in place, as the frame recorder thins old frames, travels from the change); anything else when it is a new object."""
from __future__ import annotations

from typing import Any


def _common_prefix(sent: list, now: list) -> int:
    """How many leading items of `now` are the very objects already sent."""
    n = len(sent)
    if n and len(now) >= n and now[n - 1] is sent[-1] and now[0] is sent[0]:
        return n  # the usual case: it only grew
    k = 0
    while k < min(n, len(now)) and now[k] is sent[k]:
        k += 1
    return k


def _is_lists(value: Any) -> bool:
    """A dict of lists (a sweep's frames, one list per run), empty while no run has begun."""
    return isinstance(value, dict) and all(isinstance(v, list) for v in value.values())


class LiveSender:
    """Worker side: `delta()` → {key: ("set", value) | ("list", keep, added) | ("lists", {name: (keep, added)})}."""

    def __init__(self, live):
        self.live = live                  # a LiveState (its `wire()` fields), or a plain dict
        self._sent: dict[str, Any] = {}   # key → the object sent, or a copy of the list / dict of lists sent

    def delta(self) -> dict:
        out = {}
        now_items = self.live.wire() if hasattr(self.live, "wire") else dict(self.live)
        for key, value in now_items.items():
            before = self._sent.get(key)
            if isinstance(value, list):
                now = list(value)
                keep = _common_prefix(before if isinstance(before, list) else [], now)
                if keep < len(now) or not isinstance(before, list) or keep < len(before):
                    out[key] = ("list", keep, now[keep:])
                self._sent[key] = now
            elif _is_lists(value):
                before = before if isinstance(before, dict) else {}
                changes, now_all = {}, {}
                for name, items in list(value.items()):
                    now = list(items)
                    keep = _common_prefix(before.get(name, []), now)
                    if keep < len(now) or keep < len(before.get(name, [])) or name not in before:
                        changes[name] = (keep, now[keep:])
                    now_all[name] = now
                if changes:
                    out[key] = ("lists", changes)
                self._sent[key] = now_all
            elif value is not before or key not in self._sent:
                out[key] = ("set", value)
                self._sent[key] = value
        return out


def apply_delta(live: dict, delta: dict) -> None:
    """Server side: bring `live` up to date. Each key gets a new object (readers on other threads hold a
    consistent old one), and keys the worker never sent are left alone."""
    for key, change in delta.items():
        if change[0] == "set":
            live[key] = change[1]
        elif change[0] == "list":
            _, keep, added = change
            old = live.get(key)
            live[key] = (list(old[:keep]) if isinstance(old, list) else []) + list(added)
        else:
            old = live.get(key) if isinstance(live.get(key), dict) else {}
            new = dict(old)
            for name, (keep, added) in change[1].items():
                new[name] = list(old.get(name, [])[:keep]) + list(added)
            live[key] = new
