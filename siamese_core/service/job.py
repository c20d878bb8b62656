"""What the training queue holds: a `Training` (one piece of work the workers run) and a `Job` (one student's
request for it). Students who ask for exactly the same run share one `Training` (the same progress and
result), but each `Job` is its owner's own: stopping it withdraws only that owner."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .live_state import LiveState

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)


class QueueFull(RuntimeError):
    """More jobs are waiting than the queue admits."""


@dataclass(eq=False, repr=False)  # identity, not field equality: the queue finds trainings and jobs by `is`
class Training:
    """One piece of work: run once by a worker, followed by every `Job` in `requests`."""

    fn: Any                                     # a page's RunSpec (its executor runs it), or fn(job)
    expected_seconds: float                     # for ETAs before it runs
    share_key: str | None = None                # equal keys = the same run; None: never shared
    status: str = QUEUED
    started: float | None = None
    finished: float | None = None
    live: LiveState = field(default_factory=LiveState)   # progress, curve, frames… written while it runs
    result: Any = None
    error: str | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)   # set once it is done, failed or cancelled
    requests: list[Job] = field(default_factory=list)     # the requests still following it
    askers: set[str] = field(default_factory=set)         # every owner who asked for it, gone or not
    from_cache: bool = False                    # a result kept from an earlier training, not run again
    trained_for: frozenset = frozenset()        # cached: the owners the earlier training was run for

    @property
    def done(self) -> bool:
        return self.status in FINISHED

    def __repr__(self) -> str:
        # Short on purpose: the default repr would print `live` (every frame's arrays) and the result,
        # megabytes, wherever a training is formatted (an error message, a log line).
        return f"Training({self.status}, share_key={(self.share_key or '-')[:12]}, {len(self.requests)} following)"

    def remaining_seconds(self) -> float:
        """Estimated seconds until this training finishes."""
        if self.status != RUNNING:
            return 0.0 if self.done else self.expected_seconds
        eta = self.live.eta
        if eta is not None:
            return float(eta)
        return max(0.0, self.expected_seconds - (time.monotonic() - (self.started or time.monotonic())))


@dataclass(eq=False)
class Job:
    """One owner's request: what a page keeps, polls and may stop. Its state is its training's, except once its
    owner withdrew (stopped, or closed the tab) while others still follow that training."""

    id: int
    owner: str                                  # who asked (a session id)
    label: str                                  # what this owner asked for, for display
    training: Training = field(repr=False)
    is_owner_alive: Callable[[], bool] | None = None
    submitted: float = field(default_factory=time.monotonic)
    withdrawn: float | None = None              # when this owner left a training others still follow

    @property
    def status(self) -> str:
        return CANCELLED if self.withdrawn is not None else self.training.status

    @property
    def done(self) -> bool:
        return self.status in FINISHED

    @property
    def result(self) -> Any:
        return None if self.withdrawn is not None else self.training.result

    @property
    def error(self) -> str | None:
        return None if self.withdrawn is not None else self.training.error

    @property
    def finished(self) -> float | None:
        return self.withdrawn if self.withdrawn is not None else self.training.finished

    @property
    def started(self) -> float | None:
        return self.training.started

    @property
    def live(self) -> LiveState:
        return self.training.live               # every owner watches the same training

    @property
    def cancel_event(self) -> threading.Event:
        return self.training.cancel_event       # set only when the training itself must stop

    @property
    def owners(self) -> set[str]:
        """The owners still following this job's training."""
        return {r.owner for r in self.training.requests}

    @property
    def asked_by(self) -> int:
        """How many owners asked for this exact training (those who left included)."""
        return len(self.training.askers)

    @property
    def from_cache(self) -> bool:
        return self.training.from_cache

    @property
    def trained_for_me(self) -> bool:
        """From the cache, and the earlier training was this owner's own."""
        return self.from_cache and self.owner in self.training.trained_for

    def remaining_seconds(self) -> float:
        return 0.0 if self.done else self.training.remaining_seconds()

    def wait(self, timeout: float) -> bool:
        """Sleep until this job ends or `timeout` seconds pass (a page shows the result the moment training ends,
        not up to one poll later); True once done."""
        return self.done or self.training.ended.wait(timeout) or self.done
