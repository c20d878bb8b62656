"""Where a page's training runs. The queue (`jobs.JobQueue`) decides when and for whom; an executor does one
thing: run a `RunSpec`, reporting through the training's `live` state, until it ends or `cancel` is set.

  ThreadExecutor    in the queue's own thread, in the web server's process (tests, tiny servers)
  ProcessExecutor   in the server's own long-lived training processes (the default)
  cluster.ClusterExecutor   on a Dask cluster (`SIAMESE_LAB_SCHEDULER`), with a fallback executor if asked

Every trainer runs `execute.train_spec`; the processes and the workers through `execute.execute_spec`, followed
by the server's `execute.follow`."""
from __future__ import annotations

import os
import queue
import threading
from typing import Any

import torch

from . import worker_data
from .execute import train_spec
from .live_state import LiveState
from .process_pool import TrainingProcess
from .run_spec import RunSpec

START_SECONDS = 120.0        # a training process that has not started within this is given up on


class Executor:
    """Runs page trainings for a queue. `capacity`: the queue's threads (at most this many trainings at once);
    `slots()`: how many may run now (a cluster's grows and shrinks with its workers). Trainings here use
    `threads` torch threads each and run `nice` steps nicer than the pages."""

    capacity = 1

    def __init__(self, workers: int = 1, threads: int = 1, nice: int = 0):
        self.capacity, self.threads, self.nice = workers, threads, nice

    def wake(self) -> None:
        """Tells the queue that `slots()` changed (the queue sets this to its own)."""

    def slots(self) -> int:
        return self.capacity

    def admit(self) -> None:
        """Raise `QueueFull` (with the sentence a page shows) when no training can be accepted now."""

    def prepare_thread(self) -> None:
        """Called once in each of the queue's threads before it takes work."""

    def run(self, spec: RunSpec, live: LiveState, cancel: threading.Event) -> Any:
        raise NotImplementedError

    def warm(self, name: str, size: tuple[int, int] | None = None) -> None:
        """Load a dataset and its probe set where runs will train, before anyone presses Train."""

    def stats(self) -> dict:
        return {}

    def close(self) -> None:
        pass


class ThreadExecutor(Executor):
    """Trains in the queue's threads."""

    def prepare_thread(self) -> None:
        # Applies to this thread's own intra-op parallelism (OpenMP keeps the setting per thread).
        torch.set_num_threads(self.threads)
        lower_priority(self.nice)

    def run(self, spec: RunSpec, live: LiveState, cancel: threading.Event) -> Any:
        return train_spec(spec, live, cancel)

    def warm(self, name: str, size: tuple[int, int] | None = None) -> None:
        worker_data.warm(name, size)


class ProcessExecutor(Executor):
    """Trains in up to `workers` training processes (`training_process.py`), one run each at a time; the queue's
    threads only relay, at the server's priority, so that progress reaches pages on time. Processes start in the
    background: the first at once, another when a run finds every process busy, the rest once the first run
    ends (one importing the trainer beside the first student's run slowed it: docs/benchmarks.md)."""

    def __init__(self, workers: int = 1, threads: int = 1, nice: int = 0):
        super().__init__(workers, threads, nice)
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self.processes: list = []
        self._started, self._closed = 0, False
        self._warmed: list[tuple] = []   # datasets asked for so far: a process started later loads them too
        self.starting = self._start_another()

    def _start_another(self) -> threading.Thread | None:
        with self._lock:
            if self._started >= self.capacity or self._closed:
                return None
            self._started += 1

        def start() -> None:
            process = TrainingProcess(self.nice, self.threads)
            with self._lock:
                if self._closed:
                    process.close()
                    return
                self.processes.append(process)
                warmed = list(self._warmed)
            for name, size in warmed:
                process.warm(name, size)
            self._idle.put(process)
        thread = threading.Thread(target=start, name="siamese-lab-start-training", daemon=True)
        thread.start()
        return thread

    def run(self, spec: RunSpec, live: LiveState, cancel: threading.Event) -> Any:
        if self._idle.empty():
            self._start_another()  # every process busy: one more, up to `capacity`
        try:
            process = self._idle.get(timeout=START_SECONDS)
        except queue.Empty:
            raise RuntimeError("the server's training processes did not start; see the server's log") from None
        try:
            return process.run(spec.to_json(), live, cancel)
        finally:
            self._idle.put(process)
            while self._start_another():  # the rest, now that the first run is over
                pass

    def warm(self, name: str, size: tuple[int, int] | None = None) -> None:
        with self._lock:
            if (name, size) in self._warmed:
                return
            self._warmed.append((name, size))
            processes = list(self.processes)
        for process in processes:
            process.warm(name, size)

    def stats(self) -> dict:
        return {"training_processes": [p.pid for p in self.processes]}

    def close(self) -> None:
        with self._lock:
            self._closed = True
            processes = list(self.processes)
        for process in processes:
            process.close()


def lower_priority(nice: int) -> None:
    """Make the calling thread `nice` steps nicer (Linux schedules threads apart, and the threads torch starts
    from this one inherit it), so that the pages' short script runs get a core before a training does."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError:
        pass  # not allowed here: trainings keep the server's priority
