"""What a cluster worker runs: a page's training from a JSON `RunSpec`, through `execute.execute_spec` as the
server's own training processes do, on the worker's own data folder. What changed in the run's live state goes
to the server through a `distributed.Queue`; at each pump the server's Stop (a `distributed.Event`) becomes
the trainer's cancel flag."""
from __future__ import annotations

import logging
import pickle
import threading
import uuid
import weakref

import torch
from distributed import Event, Queue, get_client, get_worker

from ...data import resolve_data_dir
from ..execute import execute_spec

log = logging.getLogger("siamese_lab.cluster")
SET_UP: weakref.WeakSet = weakref.WeakSet()  # the workers this preload set up (task.worker_facts asks)


def channel_names(channel: str) -> tuple[str, str]:
    """(the live queue's name, the stop event's name) of one training."""
    return f"{channel}-live", f"{channel}-stop"


def encode(message: dict) -> bytes:
    # A Dask queue carries msgpack data only: frames (arrays, dataclasses) travel pickled. Only the server
    # reads these, from its own workers; a worker never unpickles anything.
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def train_on_worker(spec_json: str, channel: str):
    """The Dask task: train the spec here and return its RunReport (a sweep: the list of them)."""
    client = get_client()
    live_name, stop_name = channel_names(channel)
    updates, stop = Queue(live_name, client=client), Event(stop_name, client=client)
    attempt = uuid.uuid4().hex  # a worker that died and a retry elsewhere are told apart by this
    updates.put(encode({"attempt": attempt, "worker": get_worker().address}), timeout=10)
    cancel = threading.Event()

    def look_at_stop() -> None:
        if not cancel.is_set() and stop.is_set():
            cancel.set()

    torch.set_num_threads(1)  # one torch thread per training: start workers with --nthreads 1 per core
    try:
        return execute_spec(spec_json, lambda delta: updates.put(encode({"attempt": attempt, "delta": delta}),
                                                                 timeout=10),
                            cancel, on_tick=look_at_stop, where={"trained_on": get_worker().address})
    finally:
        updates.close()


def dask_setup(worker) -> None:
    """`dask worker … --preload siamese_core.service.cluster.worker`: torch and this package are imported
    when the worker starts, not on its first run; the log says which data folder it reads."""
    SET_UP.add(worker)
    log.warning("Siamese Lab worker %s: data folder %s", worker.address, resolve_data_dir())
