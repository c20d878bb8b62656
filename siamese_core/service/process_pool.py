"""The server's end of one training process (`training_process.py`): started, sent a run's `RunSpec` as JSON,
followed until the run ends, stopped, and started again when it died.

A process that dies in the middle of a run (out of memory, killed) fails that run with a sentence and is
started again for the next one; one that has not stopped STOP_GRACE_SECONDS after Stop is killed and
started again, so Stop always frees its place."""
from __future__ import annotations

import itertools
import logging
import subprocess
import threading
import time
from typing import Any

from . import process_start
from .experiment import Cancelled
from .live_state import LiveState
from .live_stream import POLL_SECONDS, STOP_GRACE_SECONDS

log = logging.getLogger("siamese_lab.training")
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
        self.process, self.conn = process_start.take(self.nice, self.threads)

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

    def run(self, spec_json: str, live: LiveState, cancel: threading.Event) -> Any:
        """Train `spec_json` there, copying its progress into `live`; its result, or its error."""
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
            if cancel.is_set():
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
                live.apply(message[2])
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
