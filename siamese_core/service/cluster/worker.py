"""What a cluster worker runs: a page's training from a JSON spec, on the worker's own data.

The task's arguments are a `RunSpec` as JSON and the name of its channel, both written by the web server;
the worker loads the dataset from its own data folder (`SIAMESE_LAB_DATA` where the worker runs) and builds
the probe set itself, so no image, upload or pickled object from a student ever reaches it. While it trains,
a pump thread sends what changed in the run's `live` dict to the server (a `distributed.Queue`) and turns
the server's Stop (a `distributed.Event`) into the trainer's cancel flag."""
from __future__ import annotations

import logging
import pickle
import threading
import uuid

import torch
from distributed import Event, Queue, get_client, get_worker

from ...data import resolve_data_dir
from ..live_stream import LiveSender
from ..run_spec import RunSpec
from ..worker_data import probe, split

PUMP_SECONDS = 0.25   # how often progress and frames go to the server, and Stop is looked at
log = logging.getLogger("siamese_lab.cluster")


def channel_names(channel: str) -> tuple[str, str]:
    """(the live queue's name, the stop event's name) of one training."""
    return f"{channel}-live", f"{channel}-stop"


def encode(message: dict) -> bytes:
    # A Dask queue carries msgpack data only: frames (arrays, dataclasses) travel pickled. Only the server
    # reads these, from its own workers; a worker never unpickles anything.
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


class Pump(threading.Thread):
    """Every PUMP_SECONDS: Stop asked for → set the local cancel flag; what changed in `live` → the server."""

    def __init__(self, live: dict, updates: Queue, stop: Event, cancel: threading.Event, attempt: str):
        super().__init__(name="siamese-lab-pump", daemon=True)
        self.sender, self.attempt = LiveSender(live), attempt
        self.updates, self.stop, self.cancel = updates, stop, cancel
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(PUMP_SECONDS):
            self.pump()

    def pump(self) -> None:
        try:
            if not self.cancel.is_set() and self.stop.is_set():
                self.cancel.set()
            delta = self.sender.delta()
            if delta:
                self.updates.put(encode({"attempt": self.attempt, "delta": delta}), timeout=10)
        except Exception as exc:  # the scheduler is away for a moment: training goes on, the next pump retries
            log.warning("Siamese Lab: could not reach the server's channel (%s: %s)", type(exc).__name__, exc)

    def finish(self) -> None:
        self.done.set()
        self.join(timeout=15)
        self.pump()  # the last progress, so the page's bar ends full


def train_on_worker(spec_json: str, channel: str):
    """The Dask task: train the spec here and return its RunReport (a sweep: the list of them)."""
    spec = RunSpec.from_json(spec_json)
    client = get_client()
    live_name, stop_name = channel_names(channel)
    updates, stop = Queue(live_name, client=client), Event(stop_name, client=client)
    attempt = uuid.uuid4().hex  # a worker that died and a retry elsewhere are told apart by this
    updates.put(encode({"attempt": attempt, "worker": get_worker().address}), timeout=10)
    live, cancel = {}, threading.Event()
    pump = Pump(live, updates, stop, cancel, attempt)
    pump.start()
    torch.set_num_threads(1)  # one torch thread per training: start workers with --nthreads 1 per core
    try:
        name, size = spec.data
        result = spec.execute((split(name, "train", size), split(name, "test", size)), probe(name, size), live,
                              cancel)
    finally:
        pump.finish()
        updates.close()
    for report in result if isinstance(result, list) else [result]:
        report.extra["trained_on"] = get_worker().address
    return result


def dask_setup(worker) -> None:
    """`dask worker … --preload siamese_core.service.cluster.worker`: torch and this package are imported
    when the worker starts, not on its first run; the log says which data folder it reads."""
    log.warning("Siamese Lab worker %s: data folder %s", worker.address, resolve_data_dir())
