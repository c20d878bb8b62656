"""What a page sees of a training while it runs: one typed state per training, written by the trainer (through
`experiment.ProgressRecorder`, `RunSpec.execute` and the frame recorder) and read by every page that follows
it. No figure or widget is kept here. `version` grows with every change, so a reader can tell news.

A trainer in another process fills its own and sends it a little at a time (the wire form: docs/classroom.md):
`LiveSender.delta()` says what changed since its last call, and the server's copy `apply`s it: a list from its
first changed item (usually the ones added: old frames are also thinned in place), anything else when new."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(eq=False)  # one object per training: found and cached by identity
class LiveState:
    # progress (a sweep's overall: run `part` of `parts`, named `current`)
    progress: float = 0.0
    step: int = 0
    eta: float | None = None
    loss: float | None = None
    part: int = 0
    parts: int = 1
    current: str | None = None
    # the curve of the run training now: {"step", "loss", …} per step, {"step", "val_accuracy", …} per epoch
    history: list[dict] = field(default_factory=list)
    val_history: list[dict] = field(default_factory=list)
    val: dict | None = None
    # frames of the probe set (live_frames.Frame), per run name (one entry for a single run), and what the
    # live views need besides them
    frames: dict[str, list] = field(default_factory=dict)
    probe_labels: Any = None
    class_names: list[str] = field(default_factory=list)
    as_distance: dict[str, bool] = field(default_factory=dict)
    embedding_dims: dict[str, int] = field(default_factory=dict)
    # what the server says of the run (a cluster's worker went away, it fell back), and a failure's traceback
    notice: str | None = None
    traceback: str | None = None
    version: int = 0

    def update(self, **values) -> None:
        for name, value in values.items():
            setattr(self, name, value)
        self.version += 1

    def wire(self) -> dict:
        """The fields a trainer sends: all but the server's own (`SERVER_FIELDS`)."""
        return {f.name: getattr(self, f.name) for f in WIRE_FIELDS}

    def apply(self, delta: dict) -> None:
        """Take a trainer's delta (`LiveSender.delta`); fields this state does not know are ignored."""
        known = {k: v for k, v in delta.items() if k in WIRE_NAMES}
        apply_delta(self.__dict__, known)
        self.version += 1

    def restart(self) -> None:
        """Everything a trainer sent forgotten (the run starts again elsewhere); the server's fields stay."""
        fresh = LiveState()
        for f in WIRE_FIELDS:
            setattr(self, f.name, getattr(fresh, f.name))
        self.version += 1


SERVER_FIELDS = {"notice", "traceback", "version"}  # written by the server's side only, never sent by a trainer
WIRE_FIELDS = [f for f in fields(LiveState) if f.name not in SERVER_FIELDS]
WIRE_NAMES = {f.name for f in WIRE_FIELDS}


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
