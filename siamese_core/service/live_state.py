"""What a page sees of a training while it runs: one typed state per training, written by the trainer (through
`experiment.ProgressRecorder`, `RunSpec.execute` and the frame recorder) and read by every page that follows
it; a trainer in another process fills its own, and the server's copy `apply`s what `live_stream` sends (the
wire form: docs/classroom.md). No figure or widget is kept here. `version` grows with every change, so a
reader can tell news."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from .live_stream import apply_delta


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
        """Take a trainer's delta (`live_stream.LiveSender.delta`); fields this state does not know are ignored."""
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
