"""One training on the cluster, followed from the web server's queue thread (`execute.follow`).

The spec goes as a Dask task to the workers fit to train that have the run's dataset (`readiness.py`); what
the worker sends is copied into the training's `live` state, Stop is passed on, and the worker is watched: one
that goes away mid-run (killed, out of memory, its machine off) is said on the page and the run starts again
on another worker — the scheduler moves it by itself — once; a second loss ends the run as failed. A lost
scheduler connection ends it too (the executor then falls back or says so)."""
from __future__ import annotations

import pickle
import threading
import time
import uuid

from distributed import Event, Queue

from ..execute import NOT_YET, POLL_SECONDS, follow
from ..experiment import Cancelled
from ..live_state import LiveState
from ..run_spec import RunSpec
from .link import SchedulerLink
from .placement import placement
from .task import as_code, run_page_training
from .worker import channel_names

WAITING_NOTE_SECONDS = 3.0  # no worker has taken the run this long after it was sent: say so
MAX_ATTEMPTS = 2            # the first try and one retry after its worker went away
NO_WORKER_SECONDS = 60.0    # a run waiting in a cluster with no worker at all fails after this

RETRYING = "Its worker went away in the middle of the run, so it was started again on another worker."
WAITING = "Sent to the training cluster: waiting for a worker to take it."


class WorkerLost(RuntimeError):
    """The run's worker went away twice."""


class NoReadyWorker(RuntimeError):
    """No worker fit to train has the run's dataset, or every one the run may go to has gone."""


class SchedulerLost(ConnectionError):
    """The server lost its connection to the scheduler during the run."""


class RemoteRun:
    def __init__(self, link: SchedulerLink, spec: RunSpec, live: LiveState, cancel: threading.Event):
        self.link, self.client, self.spec, self.live, self.cancel = link, link.client, spec, live, cancel
        self.attempts: list[tuple[str, str]] = []   # (attempt id, worker address), in the order they started
        self.seen: set[str] = set()                 # attempts whose worker the link has seen in the cluster
        self.lost: set[str] = set()                 # attempts whose worker is gone since
        dataset = spec.data[0]
        self.allowed = link.readiness.with_dataset(dataset)   # fit to train, with its dataset
        if not self.allowed:
            raise NoReadyWorker(f"no worker of the training cluster has the {dataset} dataset in its data folder, "
                                "so this run cannot train there (Home says which worker lacks what).")

    def result(self):
        """The run's RunReport (a sweep's list); raises Cancelled, WorkerLost, SchedulerLost or the run's own error."""
        channel = f"siamese-lab-{self.spec.kind}-{uuid.uuid4().hex}"
        live_name, stop_name = channel_names(channel)
        updates, stop = Queue(live_name, client=self.client), Event(stop_name, client=self.client)
        busy = {w: len(keys) for w, keys in self.client.processing().items()}
        where = placement(self.spec.device, {a: self.link.workers.get(a, {}) for a in self.allowed}, busy)
        future = self.client.submit(as_code(run_page_training), self.spec.to_json(), channel, key=channel, pure=False,
                                    workers=self.allowed, **where)
        sent_at = time.monotonic()

        def poll():
            self._drain(updates)
            if future.done():
                self._drain(updates)  # the worker's last progress
                return self._outcome(future)
            if not self.attempts and time.monotonic() - sent_at > WAITING_NOTE_SECONDS:
                self.live.notice = self.live.notice or WAITING
            self._watch_worker(future)
            if self.client.status != "running":
                raise SchedulerLost(f"lost the connection to the training cluster ({self.link.address})")
            time.sleep(POLL_SECONDS)
            return NOT_YET

        def stop_it() -> bool:
            if not stop.is_set():
                stop.set()
            return bool(self.attempts)  # no worker took it yet: nothing to wait for

        def give_up() -> str:
            future.cancel()
            return "stopped on the cluster"
        try:
            return follow(poll, self.cancel, stop_it, give_up)
        finally:
            future.release()
            if self.client.status == "running":
                updates.close()
                stop.clear()  # forgets the event on the scheduler

    def _drain(self, updates: Queue) -> None:
        for message in map(pickle.loads, updates.get(batch=True)):
            if "worker" in message:  # an attempt began
                self.attempts.append((message["attempt"], message["worker"]))
                if len(self.attempts) > 1:  # a retry (its predecessor's worker is gone): the page starts again
                    self.lost |= {a for a, _ in self.attempts[:-1]}
                    self.live.restart()
                    self.live.notice = RETRYING
                elif self.live.notice == WAITING:
                    self.live.notice = None
            elif self.attempts and message["attempt"] == self.attempts[-1][0]:  # an older attempt's is stale
                self.live.apply(message["delta"])

    def _watch_worker(self, future) -> None:
        """The current attempt's worker left the cluster: say so (the scheduler moves the run by itself), or
        after the second loss stop waiting. A worker counts as gone only once the link has seen it."""
        if len(self.attempts) > MAX_ATTEMPTS:
            future.cancel()
            raise WorkerLost(self._lost_twice())
        if self.link.connected and self.link.no_worker_for() > NO_WORKER_SECONDS:
            future.cancel()
            raise WorkerLost(f"the training cluster has had no worker for {NO_WORKER_SECONDS:.0f} s. Press Train "
                             "to try again once the instructor has started one.")
        if not self.link.connected:
            return
        if self.attempts:
            attempt, worker = self.attempts[-1]
            if worker in self.link.workers:
                self.seen.add(attempt)
            elif attempt in self.seen and attempt not in self.lost:
                self.lost.add(attempt)
                self.live.notice = RETRYING
                if len(self.lost) >= MAX_ATTEMPTS:
                    future.cancel()
                    raise WorkerLost(self._lost_twice())
        if self.link.workers and not set(self.allowed) & set(self.link.workers):
            # The run may go only to the workers judged fit when it was sent: a worker that joined since is not one.
            future.cancel()
            raise NoReadyWorker("every worker of the training cluster that could train it has gone. Press Train to "
                                "try again.")

    def _lost_twice(self) -> str:
        return (f"its worker went away twice ({', '.join(w for _, w in self.attempts)}): a machine of the "
                "training cluster stopped or ran out of memory. Press Train to try again.")

    def _outcome(self, future):
        if future.status == "finished":
            return future.result()
        if future.status == "error":
            exc = future.exception()
            if type(exc).__name__ == "KilledWorker":  # the scheduler gave up on it: workers kept dying
                raise WorkerLost(self._lost_twice()) from exc
            raise exc
        if self.cancel.is_set():
            raise Cancelled("stopped on the cluster")
        raise SchedulerLost(f"the training cluster ({self.link.address}) dropped the run")
