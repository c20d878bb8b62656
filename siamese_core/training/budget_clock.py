"""What a time budget counts: wall-clock seconds (the command line's default), or the training thread's
CPU seconds. On a busy server a run on the wall clock gets only what the other runs and the pages leave it,
so the same "5 s" trains a handful of steps under a class's load and hundreds on an idle machine; on the
CPU clock it trains about as many steps either way, only later. The CPU clock reads the calling thread's
time, which is all of a run's work when torch runs one thread per job (as the server's queue does)."""
from __future__ import annotations

import time

BUDGET_CLOCKS = ("wall", "cpu")

# A CPU-clock run that a busy machine starves still stops after this much wall-clock time (its budget × the
# factor + the extra), so one request's work stays bounded; its result says so and is never shared.
WALL_CAP_FACTOR, WALL_CAP_EXTRA = 6.0, 60.0
WALL_CAP = "wall-clock cap"


class BudgetClock:
    """Started once per run: `elapsed()` on the budget's own clock, `wall()` always on the wall clock."""

    def __init__(self, budget):  # a settings.BudgetSettings (its seconds and clock)
        self.cpu = budget.clock == "cpu"
        self._read = time.thread_time if self.cpu else time.perf_counter
        self.cap = (budget.seconds * WALL_CAP_FACTOR + WALL_CAP_EXTRA
                    if self.cpu and budget.seconds is not None else None)
        self.start()

    def start(self) -> None:
        self._t0, self._w0 = self._read(), time.perf_counter()

    def now(self) -> float:
        """A reading on the budget's clock (to time a part of the run, such as validation)."""
        return self._read()

    def elapsed(self) -> float:
        return self._read() - self._t0

    def wall(self) -> float:
        return time.perf_counter() - self._w0

    def over_cap(self) -> bool:
        return self.cap is not None and self.wall() >= self.cap


# A run's first seconds say little about how fast its budget will go: start-up, and a page or two opening
# beside it, can give a rate of budget seconds per wall second far below the run's. The rate behind an
# ETA counts this many wall seconds at an idle machine's rate (one budget second per second) as if seen.
PRIOR_SECONDS = 5.0


def wall_eta(frac: float, wall: float, budget_seconds: float | None = None) -> float | None:
    """Wall-clock seconds left (what a student waits) for a run `frac` of the way through after `wall`
    seconds. A time budget's rate starts from the idle prior and follows the measured rate as it grows."""
    if budget_seconds is not None:
        used = frac * budget_seconds
        return (budget_seconds - used) * (wall + PRIOR_SECONDS) / (used + PRIOR_SECONDS)
    return wall * (1 - frac) / frac if frac > 0 else None
