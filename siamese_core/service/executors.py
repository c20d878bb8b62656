"""Where a page's training runs. The queue (`jobs.JobQueue`) decides when and for whom; an executor does one
thing: run a `RunSpec`, reporting through the training's `live` state, until it ends or `cancel` is set.

  ThreadExecutor    in the queue's own thread, in the web server's process (tests, tiny servers)
  ProcessExecutor   in the server's long-lived training processes (the default), each a `TrainingProcess`
                    here, started again when it died or ignored Stop, so that Stop always frees its place
  cluster.ClusterExecutor   on a Dask cluster (`SIAMESE_LAB_SCHEDULER`), with a fallback executor if asked"""
from __future__ import annotations

import itertools
import logging
import os
import queue
import subprocess
import threading
from typing import Any

import torch

from . import execute, process_start
from .execute import NOT_YET, POLL_SECONDS, STOP_GRACE_SECONDS, follow, train_spec
from .live_state import LiveState
from .run_spec import RunSpec

log = logging.getLogger("siamese_lab.training")
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
        execute.warm(name, size)


class ProcessExecutor(Executor):
    """Trains in up to `workers` training processes (`training_process.py`), one run each at a time; the queue's
    threads only relay, at the server's priority, so that progress reaches pages on time. Processes start in the
    background: the first at once, another only when a run finds every process busy. A student who trains one
    run after another never needs a second: it would hold memory (about 600 MB) and, started after the first
    run, its imports slowed the next run's first frame from 0.7 s to 2–3 s (docs/classroom.md)."""

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


DIED = ("its training process stopped in the middle of the run (the server may be short of memory). "
        "Press Train to try again.")


class TrainingProcessDied(RuntimeError):
    """The process training the run went away."""


class TrainingProcess:
    """One long-lived process and the server's end of its pipe. Used by one queue thread at a time."""

    _ids = itertools.count(1)

    def __init__(self, nice: int, threads: int):
        self.nice, self.threads = nice, threads
        self.process, self.conn = process_start.take(nice, threads)

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def warm(self, name: str, size) -> None:
        self._send(("warm", name, size))  # gone: the next run starts it again

    def run(self, spec_json: str, live: LiveState, cancel: threading.Event) -> Any:
        """Train `spec_json` there, its progress into `live` (`execute.follow`); its result, or its error."""
        if self.process.poll() is not None:
            self.restart()
        run_id = next(self._ids)
        if not self._send(("run", run_id, spec_json)):
            self._died()

        def poll():
            try:
                if not self.conn.poll(POLL_SECONDS):
                    if self.process.poll() is not None:
                        raise EOFError
                    return NOT_YET
                kind, their_id, *rest = self.conn.recv()
            except (EOFError, OSError) as exc:
                self._died(exc)
            if their_id != run_id:
                return NOT_YET  # a late message of a run given up on
            if kind == "live":
                live.apply(rest[0])
                return NOT_YET
            if kind == "done":
                return rest[0]
            rest[0].__cause__ = RemoteTraceback(rest[1])
            raise rest[0]

        def give_up() -> str:
            log.warning("Siamese Lab: a training process ignored Stop for %.0f s; restarting it", STOP_GRACE_SECONDS)
            self.restart()
            return "stopped (its training process was restarted)"
        # Stop again at each poll: a stop may pass its run's start.
        return follow(poll, cancel, lambda: self._send(("stop", run_id)) or True, give_up)

    def _send(self, message: tuple) -> bool:
        try:
            self.conn.send(message)
            return True
        except OSError:
            return False  # the next poll finds it gone

    def _died(self, cause: Exception | None = None):
        log.error("Siamese Lab: training process %s died (exit code %s)", self.pid, self.process.poll())
        self.restart()
        raise TrainingProcessDied(DIED) from cause

    def restart(self) -> None:
        self.close()
        self.process, self.conn = process_start.take(self.nice, self.threads)

    def close(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


class RemoteTraceback(Exception):
    """The traceback of an error raised in a training process (shown under the server's own)."""

    def __str__(self) -> str:
        return f"in the training process:\n{self.args[0]}"


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
