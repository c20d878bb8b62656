"""One of the web server's own training processes: page runs train here, outside the server's process.

A training thread inside the web server shares Python's lock with the page scripts of its process, and beside
one busy script thread it keeps almost none of its speed (docs/benchmarks.md, the GIL convoy). In a process
of its own it keeps all of it, and the pages answer as quickly. The server (`executors.ProcessExecutor`)
talks to each process over one pipe:

  server → process   ("run", run id, the RunSpec as JSON) · ("stop", run id) · ("warm", dataset, size)
  process → server   ("live", run id, delta) · ("done", run id, result) · ("failed", run id, error, traceback)

The process trains through `execute.execute_spec`, as a cluster worker does: only the spec's JSON travels to
it, and what changed in the run's live state comes back every PUMP_SECONDS. A reader thread turns "stop" into
the trainer's cancel flag at once."""
from __future__ import annotations

import os
import pickle
import queue
import threading
import traceback


class Channel:
    """The process's end of the pipe: sends from two threads (the trainer's and the pump's) one at a time."""

    def __init__(self, conn):
        self.conn, self._lock = conn, threading.Lock()

    def send(self, message: tuple) -> None:
        with self._lock:
            self.conn.send(message)


def serve(conn, nice: int, threads: int) -> None:
    """Run what the server sends until the pipe closes."""
    if nice > 0:
        try:
            os.nice(nice)  # the whole process, and the threads torch starts later
        except OSError:
            pass
    import torch  # after the nice: importing it is most of a new process's start

    from . import execute  # noqa: F401 (the trainer's modules, imported now: the first Train need not wait)

    torch.set_num_threads(threads)
    channel, inbox = Channel(conn), queue.SimpleQueue()
    current = {"run": None, "cancel": threading.Event()}
    threading.Thread(target=_read, args=(conn, inbox, current), name="siamese-lab-reader", daemon=True).start()
    while (message := inbox.get()) is not None:
        if message[0] == "warm":
            from .worker_data import warm
            warm(*message[1:])
        elif message[0] == "run":
            _run(channel, current, *message[1:])


def _read(conn, inbox: queue.SimpleQueue, current: dict) -> None:
    """Stop goes straight to the running trainer's flag; everything else waits its turn in `inbox`."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the server went away: stop what trains and end
            current["cancel"].set()
            inbox.put(None)
            return
        if message[0] == "stop":
            if message[1] == current["run"]:
                current["cancel"].set()
        else:
            inbox.put(message)


def _run(channel: Channel, current: dict, run_id: int, spec_json: str) -> None:
    from .execute import execute_spec

    cancel = threading.Event()
    current["cancel"], current["run"] = cancel, run_id
    try:
        result = execute_spec(spec_json, lambda delta: channel.send(("live", run_id, delta)), cancel,
                              where={"trained_in": f"training process {os.getpid()}"})
        outcome = ("done", run_id, result)
    except Exception as exc:
        outcome = ("failed", run_id, _picklable(exc), traceback.format_exc(limit=8))
    finally:
        current["run"] = None
    try:
        channel.send(outcome)
    except OSError:
        pass  # the server went away: the reader ends this process


def _picklable(exc: Exception) -> Exception:
    """The exception itself when it survives the pipe, else a RuntimeError with its sentence."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def main(argv: list[str]) -> None:
    """`python -m siamese_core.service.training_process FD NICE THREADS`, as `executors.TrainingProcess`
    starts it: FD is the process's end of a socket pair."""
    from multiprocessing.connection import Connection
    fd, nice, threads = (int(a) for a in argv)
    serve(Connection(fd), nice, threads)


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
