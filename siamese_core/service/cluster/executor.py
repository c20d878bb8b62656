"""The server's job queue with its trainings run on a Dask cluster.

Everything a student sees of the queue stays the server's own `JobQueue`: the waiting line, places and ETAs,
one training per owner, shared identical runs and the kept results, Stop and closed tabs. Only running a
training moves: a page's work carries a `RunSpec` (`run_spec.PageWork`), and a queue thread sends the spec to
the cluster and follows it (`remote.RemoteRun`). As many trainings run at once as the cluster has worker
threads (at most `max_slots` from this server).

When the scheduler cannot be reached — at start or in the middle of a class — a page's Train is refused
with a sentence and the runs in line fail with it; with `fallback_workers` set, the server trains them
itself instead, that many at a time, as the built-in queue does."""
from __future__ import annotations

import logging
import threading
from typing import Any

from ..job import Job, QueueFull, Training
from ..jobs import JobQueue
from .link import SchedulerLink
from .remote import NO_WORKER_SECONDS, RemoteRun, SchedulerLost

log = logging.getLogger("siamese_lab.cluster")
FELL_BACK = "The training cluster cannot be reached, so this run trains on the web server itself."


class ClusterUnavailable(QueueFull):
    """The scheduler cannot be reached and the server does not train runs itself."""


class ClusterQueue(JobQueue):
    def __init__(self, address: str, fallback_workers: int | None = None, max_slots: int = 32,
                 connect_timeout: float = 5.0, link_every: float = 2.0, **queue_kwargs):
        if fallback_workers is not None and fallback_workers < 1:
            raise ValueError("fallback_workers must be ≥ 1 (or None: no fallback)")
        self.fallback_workers = fallback_workers
        self._local = threading.BoundedSemaphore(fallback_workers or 1)  # fallen-back runs training here
        self.link = SchedulerLink(address, self._capacity_changed, connect_timeout, link_every)
        super().__init__(workers=max_slots, **queue_kwargs)

    def submit(self, fn, owner: str, label: str, *args, **kwargs) -> Job:
        if not self.link.connected and self.fallback_workers is None:
            raise ClusterUnavailable(self.link.unreachable())
        return super().submit(fn, owner, label, *args, **kwargs)

    def stats(self) -> dict:
        return {**super().stats(), "workers": self._slots(), "cluster": self.link.address,
                "cluster_connected": self.link.connected, "cluster_workers": len(self.link.workers),
                "cluster_threads": self.link.threads}

    def shutdown(self) -> None:
        super().shutdown()
        self.link.close()

    # --- the hooks of JobQueue ------------------------------------------------------------------
    def _slots(self) -> int:
        if self.link.connected:
            if not self.link.threads and self.link.no_worker_for() > NO_WORKER_SECONDS:
                return self.workers  # nobody will train them: each run in line starts and fails with a sentence
            return min(self.workers, self.link.threads)
        # Unreachable: as many as the server trains itself, or every thread, so each run in line fails at once.
        return self.fallback_workers or self.workers

    def _run(self, training: Training, job: Job) -> Any:
        spec = getattr(training.fn, "spec", None)
        if spec is None:
            return training.fn(job)  # not a page's training (a test's function): it runs here
        if self.link.connected:
            try:
                return RemoteRun(self.link, spec, training).result()
            except SchedulerLost as exc:
                log.error("Siamese Lab: a run lost the training cluster (%s)", exc)
                if self.fallback_workers is None or training.cancel_event.is_set():
                    raise ClusterUnavailable(self.link.unreachable()) from exc
        elif self.fallback_workers is None:
            raise ClusterUnavailable(self.link.unreachable())
        return self._here(training, job)

    def _here(self, training: Training, job: Job) -> Any:
        """Train on this server (the fallback), at most `fallback_workers` at a time."""
        for key in [k for k in training.live if k != "notice"]:
            del training.live[key]  # whatever a worker had sent: the run starts again from nothing
        training.live["notice"] = FELL_BACK
        with self._local:
            return training.fn(job)

    def _capacity_changed(self) -> None:
        if not hasattr(self, "_cv"):
            return  # still being built
        with self._cv:
            self._cv.notify_all()
