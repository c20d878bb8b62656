"""The server's job queue with its page trainings in training processes of the server's own.

Everything a student sees stays the `JobQueue`'s: the waiting line, places and ETAs, shared identical runs,
kept results, Stop and closed tabs. Only running a page's training moves: its `RunSpec` goes as JSON to one
of `workers` long-lived processes (`training_process.serve`), and the queue thread that took it copies the
run's progress and frames into the training's `live` dict as they come (`live_stream.apply_delta`).

Why processes: a training thread in the web server's process shares Python's lock with the page scripts,
and while a class clicks it gets almost none of it (docs/benchmarks.md). A process of its own trains at full
speed, and its priority (`nice`) is the whole process's.

A process that dies in the middle of a run (out of memory, killed) fails that run with a sentence and is
started again for the next one; one that has not stopped STOP_GRACE_SECONDS after Stop is killed and
started again, so Stop always frees its place."""
from __future__ import annotations

import itertools
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .experiment import Cancelled
from .job import Job, Training
from .jobs import JobQueue
from .live_stream import apply_delta

log = logging.getLogger("siamese_lab.training")
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])   # the folder siamese_core/ is in
POLL_SECONDS = 0.1           # how often a queue thread looks for news from its process
STOP_GRACE_SECONDS = 10.0    # a process still training this long after Stop is killed
START_SECONDS = 120.0        # a new process that has not answered within this is given up on
DIED = ("its training process stopped in the middle of the run (the server may be short of memory). "
        "Press Train to try again.")


class TrainingProcessDied(RuntimeError):
    """The process training the run went away."""


class TrainingProcess:
    """One long-lived process and the server's end of its pipe. Used by one queue thread at a time."""

    _ids = itertools.count(1)

    def __init__(self, nice: int, threads: int):
        self.nice, self.threads = nice, threads
        self._start()

    def _start(self) -> None:
        # A fresh interpreter (never a fork of a server full of threads), started as a module so that it
        # never re-runs whatever script started the server; the pipe is a socket pair passed by number.
        ours, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (PACKAGE_ROOT, os.environ.get("PYTHONPATH"))
                                                          if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "siamese_core.service.training_process", str(theirs.fileno()), str(self.nice),
             str(self.threads)], pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(ours.detach())

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def _alive(self) -> bool:
        return self.process.poll() is None

    def warm(self, name: str, size) -> None:
        try:
            self.conn.send(("warm", name, size))
        except OSError:
            pass  # gone: the next run starts it again

    def run(self, spec_json: str, training: Training) -> Any:
        """Train `spec_json` there, copying its progress into `training.live`; its result, or its error."""
        if not self._alive():
            self.restart()
        run_id = next(self._ids)
        try:
            self.conn.send(("run", run_id, spec_json))
        except OSError as exc:
            self.restart()
            raise TrainingProcessDied(DIED) from exc
        stop_sent = None
        while True:
            if training.cancel_event.is_set():
                now = time.monotonic()
                stop_sent = stop_sent or now
                if now - stop_sent > STOP_GRACE_SECONDS:
                    log.warning("Siamese Lab: a training process ignored Stop for %.0f s; restarting it",
                                STOP_GRACE_SECONDS)
                    self.restart()
                    raise Cancelled("stopped (its training process was restarted)")
                self._send_quietly(("stop", run_id))  # again each poll: a stop may pass its run's start
            try:
                if not self.conn.poll(POLL_SECONDS):
                    if not self._alive():
                        raise EOFError
                    continue
                message = self.conn.recv()
            except (EOFError, OSError) as exc:
                log.error("Siamese Lab: training process %s died (exit code %s)", self.pid, self.process.poll())
                self.restart()
                raise TrainingProcessDied(DIED) from exc
            kind, their_id = message[0], message[1]
            if their_id != run_id:
                continue  # a late message of a run given up on
            if kind == "live":
                apply_delta(training.live, message[2])
            elif kind == "done":
                return message[2]
            else:
                exc = message[2]
                exc.__cause__ = RemoteTraceback(message[3])
                raise exc

    def _send_quietly(self, message: tuple) -> None:
        try:
            self.conn.send(message)
        except OSError:
            pass  # the next poll finds it gone

    def restart(self) -> None:
        self.close()
        self._start()

    def close(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self._alive():
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


class RemoteTraceback(Exception):
    """The traceback of an error raised in a training process (shown under the server's own)."""

    def __str__(self) -> str:
        return f"in the training process:\n{self.args[0]}"


class ProcessQueue(JobQueue):
    """A `JobQueue` whose page trainings run in `workers` training processes (one run each at a time), at
    `worker_nice` steps nicer than the server; other work (a test's function) runs in the queue's thread."""

    def __init__(self, workers: int = 1, threads_per_job: int = 1, worker_nice: int = 0, **queue_kwargs):
        self.process_nice = worker_nice
        self._idle: queue.SimpleQueue[TrainingProcess] = queue.SimpleQueue()
        self.processes: list[TrainingProcess] = []
        self._starting = threading.Thread(target=self._start_processes, args=(workers, worker_nice, threads_per_job),
                                          name="siamese-lab-start-training", daemon=True)
        self._starting.start()  # a few seconds each (importing torch): the server answers meanwhile
        # The queue's threads only relay: they keep the server's priority, so progress reaches pages on time.
        super().__init__(workers=workers, threads_per_job=threads_per_job, worker_nice=0, **queue_kwargs)

    def _start_processes(self, n: int, nice: int, threads: int) -> None:
        for _ in range(n):
            process = TrainingProcess(nice, threads)
            self.processes.append(process)
            self._idle.put(process)

    def warm(self, name: str, size=None) -> None:
        """Have every training process load a dataset and its probe set now, before anyone presses Train."""
        self._starting.join(START_SECONDS)
        for process in list(self.processes):
            process.warm(name, size)

    def stats(self) -> dict:
        return {**super().stats(), "training_processes": [p.pid for p in self.processes]}

    def shutdown(self) -> None:
        super().shutdown()
        self._starting.join(START_SECONDS)
        for process in self.processes:
            process.close()

    def _run(self, training: Training, job: Job) -> Any:
        spec = getattr(training.fn, "spec", None)
        if spec is None:
            return training.fn(job)  # not a page's training (a test's function): it runs here
        try:
            process = self._idle.get(timeout=START_SECONDS)
        except queue.Empty:
            raise RuntimeError("the server's training processes did not start; see the server's log") from None
        try:
            return process.run(spec.to_json(), training)
        finally:
            self._idle.put(process)
