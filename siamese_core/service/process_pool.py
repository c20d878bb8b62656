"""The server's end of one training process (`training_process.py`): started, sent a run's `RunSpec` as JSON,
followed until the run ends (`execute.follow`), and started again when it died or ignored Stop, so that Stop
always frees its place."""
from __future__ import annotations

import itertools
import logging
import subprocess
import threading
from typing import Any

from . import process_start
from .execute import NOT_YET, POLL_SECONDS, STOP_GRACE_SECONDS, follow
from .live_state import LiveState

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
        self.process, self.conn = process_start.take(nice, threads)

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def warm(self, name: str, size) -> None:
        self._send(("warm", name, size))  # gone: the next run starts it again

    def run(self, spec_json: str, live: LiveState, cancel: threading.Event) -> Any:
        """Train `spec_json` there, copying its progress into `live`; its result, or its error."""
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
