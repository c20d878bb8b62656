"""Starting the web server's training processes (`training_process.py`): each a fresh interpreter (never a
fork of a server full of threads) run as a module, its pipe a socket pair passed by number. A new one spends
seconds importing the trainer, so `start_early` starts the first before the server's first script run imports
the pages' modules, and the executor then `take`s it. Nothing heavy is imported here: app.py calls it first."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])   # the folder siamese_core/ is in

_lock = threading.Lock()
_early: list[tuple[int, int, subprocess.Popen, Connection]] = []   # (nice, threads, process, its pipe)
_started_early = False


def spawn(nice: int, threads: int) -> tuple[subprocess.Popen, Connection]:
    """A new training process `nice` steps nicer than this one, with `threads` torch threads, and its pipe."""
    import socket

    ours, theirs = socket.socketpair()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p)}
    process = subprocess.Popen(
        [sys.executable, "-m", "siamese_core.service.training_process", str(theirs.fileno()), str(nice),
         str(threads)], pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL)
    theirs.close()
    return process, Connection(ours.detach())


def start_early(settings) -> None:
    """Once per server: start the first training process `settings` (a `ServerSettings`) will train in, if
    any (the executor starts the others when runs need them: `executors.ProcessExecutor`)."""
    global _started_early
    with _lock:
        if _started_early or settings.scheduler or settings.train_in != "processes":
            return
        _started_early = True
        _early.append((settings.worker_nice, settings.threads_per_job,
                       *spawn(settings.worker_nice, settings.threads_per_job)))


def take(nice: int, threads: int) -> tuple[subprocess.Popen, Connection]:
    """A process started early with these settings and still alive, or else a new one."""
    with _lock:
        for k, (n, t, process, conn) in enumerate(_early):
            if (n, t) == (nice, threads) and process.poll() is None:
                del _early[k]
                return process, conn
    return spawn(nice, threads)
