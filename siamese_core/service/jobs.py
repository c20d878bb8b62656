"""A bounded training queue shared by every user of one server.

Thirty students pressing "Train" in the same minute must not start thirty trainings on two cores:
jobs wait in line, `workers` of them run at once with `threads_per_job` torch threads each, a student
sees their place and an ETA, and a job is cancelled when its owner asks or is gone (closed tab)."""
from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)


class QueueFull(RuntimeError):
    """More jobs are waiting than the queue admits."""


@dataclass
class Job:
    id: int
    owner: str                                  # who submitted it (a session id)
    label: str                                  # what the student asked for, for display
    fn: Callable[["Job"], Any]                  # does the work; reads `cancel_event`, fills `live`
    expected_seconds: float                     # for ETAs before it runs
    is_owner_alive: Callable[[], bool] | None = None
    status: str = QUEUED
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    live: dict = field(default_factory=dict)    # progress, eta, history… written by the job while it runs
    result: Any = None
    error: str | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def done(self) -> bool:
        return self.status in FINISHED

    def remaining_seconds(self) -> float:
        """Estimated seconds until this job finishes, once running."""
        if self.status != RUNNING:
            return 0.0 if self.done else self.expected_seconds
        eta = self.live.get("eta")
        if eta is not None:
            return float(eta)
        return max(0.0, self.expected_seconds - (time.monotonic() - (self.started or time.monotonic())))


class JobQueue:
    """`workers` threads take jobs first come, first served; at most `max_waiting` wait in line."""

    def __init__(self, workers: int = 1, threads_per_job: int = 1, max_waiting: int = 30,
                 owner_check_seconds: float = 5.0):
        if workers < 1 or threads_per_job < 1 or max_waiting < 0:
            raise ValueError("workers and threads_per_job must be ≥ 1, max_waiting ≥ 0")
        self.workers, self.threads_per_job, self.max_waiting = workers, threads_per_job, max_waiting
        self._waiting: deque[Job] = deque()
        self._running: list[Job] = []
        self._ids = itertools.count(1)
        self._cv = threading.Condition()
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"siamese-lab-worker-{k}", daemon=True)
                         for k in range(workers)]
        for t in self._threads:
            t.start()
        self._watchdog = threading.Thread(target=self._watch, args=(owner_check_seconds,),
                                          name="siamese-lab-watchdog", daemon=True)
        self._watchdog.start()

    # --- what pages call ----------------------------------------------------------------------
    def submit(self, fn: Callable[[Job], Any], owner: str, label: str, expected_seconds: float = 60.0,
               is_owner_alive: Callable[[], bool] | None = None) -> Job:
        with self._cv:
            if self._closed:
                raise RuntimeError("the queue is shut down")
            if len(self._waiting) >= self.max_waiting:
                raise QueueFull(f"{len(self._waiting)} trainings are already waiting; try again in a minute.")
            job = Job(next(self._ids), owner, label, fn, float(expected_seconds), is_owner_alive)
            self._waiting.append(job)
            self._cv.notify()
            return job

    def position(self, job: Job) -> int:
        """0 while running or finished; k ≥ 1 when k − 1 jobs wait ahead of it."""
        with self._cv:
            try:
                return self._waiting.index(job) + 1
            except ValueError:
                return 0

    def eta(self, job: Job) -> float:
        """Seconds until `job` finishes: the work ahead of it shared over the workers, plus its own."""
        with self._cv:
            if job.status == RUNNING or job.done:
                return job.remaining_seconds()
            ahead = [j for j in self._running] + list(itertools.takewhile(lambda j: j is not job, self._waiting))
            return sum(j.remaining_seconds() for j in ahead) / self.workers + job.expected_seconds

    def cancel_owner(self, owner: str) -> int:
        """Cancel every unfinished job of `owner`; returns how many."""
        with self._cv:
            jobs = [j for j in (*self._waiting, *self._running) if j.owner == owner]
        for j in jobs:
            self.cancel(j)
        return len(jobs)

    def cancel(self, job: Job) -> None:
        with self._cv:
            job.cancel()
            if job in self._waiting:  # never started: finish it here
                self._waiting.remove(job)
                self._finish(job, CANCELLED)

    def stats(self) -> dict:
        with self._cv:
            return {"waiting": len(self._waiting), "running": len(self._running), "workers": self.workers,
                    "threads_per_job": self.threads_per_job}

    def shutdown(self) -> None:
        with self._cv:
            self._closed = True
            for j in list(self._waiting):
                j.cancel()
                self._finish(j, CANCELLED)
            self._waiting.clear()
            for j in self._running:
                j.cancel()
            self._cv.notify_all()

    # --- inside -------------------------------------------------------------------------------
    def _finish(self, job: Job, status: str, error: str | None = None) -> None:
        job.status, job.error, job.finished = status, error, time.monotonic()

    def _work(self) -> None:
        # Applies to this thread's own intra-op parallelism (OpenMP keeps the setting per thread).
        torch.set_num_threads(self.threads_per_job)
        while True:
            with self._cv:
                while not self._waiting and not self._closed:
                    self._cv.wait()
                if self._closed:
                    return
                job = self._waiting.popleft()
                job.status, job.started = RUNNING, time.monotonic()
                self._running.append(job)
            try:
                result = job.fn(job)
                status, error = (CANCELLED, None) if job.cancel_event.is_set() else (DONE, None)
            except Exception as exc:  # the job's own failure must never kill the worker
                result = None
                status = CANCELLED if job.cancel_event.is_set() else FAILED
                error = None if status == CANCELLED else f"{type(exc).__name__}: {exc}"
                if status == FAILED:
                    job.live["traceback"] = traceback.format_exc(limit=5)
            with self._cv:
                job.result = result
                self._finish(job, status, error)
                self._running.remove(job)

    def _watch(self, every: float) -> None:
        """Cancel jobs whose owner went away (a closed browser tab)."""
        while not self._closed:
            time.sleep(every)
            with self._cv:
                jobs = [*self._waiting, *self._running]
            for job in jobs:
                check = job.is_owner_alive
                try:
                    alive = check() if check is not None else True
                except Exception:
                    alive = True  # cannot tell: keep the job
                if not alive:
                    self.cancel(job)
