"""One reading of a training's live state, taken once per redraw of a following page: the progress line, each
run's map and histograms and the training curve are all drawn from it, so every panel of one run names that
run and shows the same step — the step of its latest frame, the network the map and histograms show."""
from __future__ import annotations

from dataclasses import dataclass

from siamese_core.service.live_state import LiveState

READ_TRIES = 3  # readings retried while the trainer changes the state under them (its version moved)


@dataclass(frozen=True)
class LiveSnapshot:
    progress: float
    eta: float | None
    part: int
    parts: int
    current: str | None             # the run training now (a single run: its one name)
    runs: tuple[tuple[str, list], ...]  # (name, frames so far) per run that has frames, oldest run first
    history: list                   # the current run's curve (read only up to `history_len` rows)
    history_len: int
    val_history: tuple
    trainer_step: int

    def step_of(self, name: str | None) -> int:
        """The step a run's panels show: its latest frame's; for a run without frames yet, its trainer's."""
        frames = dict(self.runs).get(name)
        if frames:
            return frames[-1].step
        if self.history_len:
            return self.history[self.history_len - 1]["step"]
        return self.trainer_step

    @property
    def step(self) -> int:
        """The step of the run training now, as its panels show it."""
        return self.step_of(self.current)

    def curve(self) -> tuple[list[dict], list[dict]]:
        """The current run's loss rows and validation rows up to `step` (the curve ends where its map is)."""
        step, n = self.step, self.history_len
        while n and self.history[n - 1]["step"] > step:
            n -= 1
        return self.history[:n], [v for v in self.val_history if v["step"] <= step]


def snapshot(live: LiveState) -> LiveSnapshot:
    for _ in range(READ_TRIES):
        version = live.version
        frames = dict(live.frames)
        runs = tuple((name, list(f)) for name, f in frames.items() if f)
        history = live.history
        reading = LiveSnapshot(
            progress=float(live.progress), eta=live.eta, part=live.part, parts=live.parts,
            current=live.current or (next(iter(frames)) if len(frames) == 1 else None), runs=runs,
            history=history, history_len=len(history), val_history=tuple(live.val_history),
            trainer_step=live.step)
        if live.version == version:
            break
    return reading
