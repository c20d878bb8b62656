"""One of the web server's own training processes: a training thread inside the server shares Python's lock
with the page scripts, and beside one busy script it keeps almost none of its speed (docs/benchmarks.md, the GIL
convoy); here it keeps all of it. The server (`executors.TrainingProcess`) talks to it over one pipe:

  server → process   ("run", run id, the RunSpec as JSON) · ("stop", run id) · ("warm", dataset, size)
  process → server   ("live", run id, delta) · ("done", run id, result) · ("failed", run id, error, traceback)"""
from __future__ import annotations

import os
import pickle
import queue
import sys
import threading
import traceback

OOM_SCORE_ADJ = 500   # of -1000 (never) … 1000 (first); anyone may raise their own

def _yield_to_the_server(nice: int) -> None:
    """This process runs `nice` steps nicer than the server and, where memory runs out, goes first."""
    if nice > 0:
        try:
            os.nice(nice)  # the whole process, and the threads torch starts later
        except OSError:
            pass
    # Where the machine or a container runs out of memory, the kernel's OOM killer ends this process rather than
    # the server: the server says so on the page and starts another (executors.DIED).
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(OOM_SCORE_ADJ))
    except OSError:
        pass


def serve(conn, nice: int, threads: int) -> None:
    """Run what the server sends until the pipe closes."""
    _yield_to_the_server(nice)
    # Nothing here is compiled (torch.compile). Where torch imports its compiler all the same (torch._dynamo: the
    # optimizer steps avoid it, training/eager_optim.py), the compiler loads triton where the CUDA wheel installed
    # it, 80 MB. None in sys.modules makes `import triton` fail as if it were not installed, which torch allows for.
    sys.modules.setdefault("triton", None)
    import torch  # after the nice: importing it is most of a new process's start

    from .execute import execute_spec, warm  # the trainer's modules, imported now: the first Train need not wait
    from .housekeeping import Housekeeper

    torch.set_num_threads(threads)
    tidy = Housekeeper(every=0)
    lock, inbox = threading.Lock(), queue.SimpleQueue()
    current = {"run": None, "cancel": threading.Event()}

    def send(message: tuple) -> None:  # from two threads (the trainer's and the pump's), one at a time
        with lock:
            conn.send(message)

    threading.Thread(target=_read, args=(conn, inbox, current), name="siamese-lab-reader", daemon=True).start()
    while (message := inbox.get()) is not None:
        if message[0] == "warm":
            warm(*message[1:])
            continue
        run_id, spec_json = message[1:]
        cancel = current["cancel"] = threading.Event()  # before the run id: a stop for it finds this flag
        current["run"] = run_id
        try:
            result = execute_spec(spec_json, lambda delta, run_id=run_id: send(("live", run_id, delta)), cancel,
                                  where={"trained_in": f"training process {os.getpid()}"})
            outcome = ("done", run_id, result)
        except Exception as exc:
            outcome = ("failed", run_id, _picklable(exc), traceback.format_exc(limit=8))
        current["run"] = None
        try:
            send(outcome)
        except OSError:
            pass  # the server went away: the reader ends this process
        outcome = None  # an error's traceback holds its run's frames: not kept until the next run
        tidy.sweep()  # what the run freed goes back to the machine (glibc keeps it otherwise), before the next


def _read(conn, inbox: queue.SimpleQueue, current: dict) -> None:
    """Stop goes straight to the running trainer's flag, at once; everything else waits its turn in `inbox`."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the server went away: stop what trains and end
            current["cancel"].set()
            inbox.put(None)
            return
        if message[0] != "stop":
            inbox.put(message)
        elif message[1] == current["run"]:
            current["cancel"].set()


def _picklable(exc: Exception) -> Exception:
    """The exception itself when it survives the pipe, else a RuntimeError with its sentence."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":  # as `process_start.spawn` starts it: FD (its end of a socket pair), NICE, THREADS
    from multiprocessing.connection import Connection

    fd, nice, threads = (int(a) for a in sys.argv[1:])
    serve(Connection(fd), nice, threads)
