"""The executor a server's queue uses when `SIAMESE_LAB_SCHEDULER` names a Dask scheduler (docs/scaling.md): it
sends a run's `RunSpec` to the cluster and follows it (`remote.RemoteRun`), as many at once as the cluster has
worker threads fit to train (at most `max_slots` from this server); the queue stays the server's own.

While the scheduler cannot be reached, or none of its workers is fit to train (`readiness.py`), Train is
refused with a sentence and the runs in line fail with it; with a `fallback` executor, the server trains them
itself instead. A run that fails on the cluster for any other reason ends with a sentence for the student, and
Dask's exception goes to the server's log."""
from __future__ import annotations

import logging
import threading
from typing import Any

from ..executors import Executor
from ..experiment import Cancelled
from ..job import QueueFull
from ..live_state import LiveState
from ..run_spec import RunSpec
from .link import SchedulerLink
from .placement import NoGpuWorker
from .remote import NO_WORKER_SECONDS, NoReadyWorker, RemoteRun, SchedulerLost, WorkerLost
from .task import package_version

log = logging.getLogger("siamese_lab.cluster")
FELL_BACK = "The training cluster cannot be reached, so this run trains on the web server itself."
NOT_READY = ("No worker of the training cluster is fit to train (Home says why), so this run trains on the web "
             "server itself.")
RUN_FAILED = "The training cluster could not run this training; the instructor's server log says why."


class ClusterRunFailed(RuntimeError):
    """A run failed on the cluster with an error of Dask's or of the worker's (logged, not shown)."""


class ClusterUnavailable(QueueFull):
    """The scheduler cannot be reached and the server does not train runs itself."""


class ClusterExecutor(Executor):
    def __init__(self, address: str, fallback: Executor | None = None, max_slots: int = 32, link_every: float = 2.0):
        from ...data import dataset_status  # what a worker's data folder should hold: every dataset this server has

        datasets = tuple(name for name, there in dataset_status().items() if there)
        self.capacity, self.fallback = max_slots, fallback
        self._local = threading.BoundedSemaphore(fallback.capacity if fallback else 1)  # fallen-back runs
        self.link = SchedulerLink(address, lambda: self.wake(), link_every, package_version(), datasets)

    def admit(self) -> None:
        why = self.link.unready()
        if why and self.fallback is None:
            raise ClusterUnavailable(why)

    def slots(self) -> int:
        if not self.link.unready():
            if not self.link.threads and self.link.no_worker_for() > NO_WORKER_SECONDS:
                return self.capacity  # nobody will train them: each run in line starts and fails with a sentence
            return min(self.capacity, self.link.threads)
        # Unreachable: as many as the server trains itself, or every slot, so each run in line fails at once.
        return self.fallback.capacity if self.fallback else self.capacity

    def prepare_thread(self) -> None:
        if self.fallback:
            self.fallback.prepare_thread()

    def run(self, spec: RunSpec, live: LiveState, cancel: threading.Event) -> Any:
        why = self.link.unready()
        if not why:
            client = self.link.client
            try:
                return RemoteRun(self.link, spec, live, cancel).result()
            except (Cancelled, WorkerLost):  # already a sentence for the page
                raise
            except Exception as exc:
                if client.status == "running" and not isinstance(exc, SchedulerLost):  # else it failed for that
                    if isinstance(exc, (NoGpuWorker, NoReadyWorker)):
                        raise
                    log.error("Siamese Lab: a run failed on the training cluster", exc_info=exc)
                    raise ClusterRunFailed(RUN_FAILED) from exc
                log.error("Siamese Lab: a run lost the training cluster (%s)", exc)
                if self.fallback is None or cancel.is_set():
                    raise ClusterUnavailable(self.link.unreachable()) from exc
        elif self.fallback is None:
            raise ClusterUnavailable(why)
        live.restart()  # whatever a worker had sent: the run starts again from nothing
        live.notice = NOT_READY if why and self.link.connected else FELL_BACK
        with self._local:
            return self.fallback.run(spec, live, cancel)

    def stats(self) -> dict:
        return {"cluster": self.link.address, "cluster_connected": self.link.connected,
                "cluster_workers": len(self.link.workers), "cluster_threads": self.link.threads,
                "cluster_ready": self.link.unready() is None, "cluster_status": self.link.status(),
                "cluster_complete": self.link.connected and self.link.readiness.complete()}

    def close(self) -> None:
        self.link.close()
        if self.fallback:
            self.fallback.close()
