"""The server's connection to a Dask scheduler: made at start, and every `every` seconds asked which workers
it has (so the queue knows how many trainings may run at once and where a run's worker went), made again when
lost. An unreachable scheduler is said in the server's log when it goes and when it is back, not at every try.
Each worker that joins is asked what it has (`readiness.Readiness`); only the workers fit to train count."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from distributed import Client

from .readiness import Readiness

log = logging.getLogger("siamese_lab.cluster")
CONNECT_SECONDS = 5.0


class SchedulerLink:
    def __init__(self, address: str, on_change: Callable[[], None], every: float, version: str,
                 datasets: tuple[str, ...]):
        self.address, self.on_change, self.every = address, on_change, every
        self.readiness = Readiness(address, version, datasets)
        self.client: Client | None = None
        self.workers: dict[str, dict] = {}      # address → the scheduler's info (nthreads, resources, …)
        self.error: str | None = None           # why the scheduler cannot be reached, while it cannot
        self.workers_seen = time.monotonic()    # when the cluster last had a worker
        self._stop = threading.Event()
        self._check()                           # the first page to train knows at once
        self._thread = threading.Thread(target=self._watch, name="siamese-lab-cluster-link", daemon=True)
        self._thread.start()

    @property
    def connected(self) -> bool:
        client = self.client
        return self.error is None and client is not None and client.status == "running"

    @property
    def threads(self) -> int:
        """Threads of the workers fit to train: trainings the cluster can run at once."""
        return sum(f["nthreads"] for f in self.readiness.ready().values()) if self.connected else 0

    def unready(self) -> str | None:
        """Why no run can go to the cluster now (unreachable, or no worker fit to train), or None."""
        return self.unreachable() if not self.connected else self.readiness.unready()

    def status(self) -> str:
        """The cluster's state in one sentence, for Home."""
        return self.unreachable() if not self.connected else self.readiness.sentence()

    def no_worker_for(self) -> float:
        """Seconds since the cluster last had a worker (0 while it has one)."""
        return 0.0 if self.workers else time.monotonic() - self.workers_seen

    def unreachable(self) -> str:
        """The sentence a page shows while the scheduler cannot be reached."""
        return (f"The training cluster ({self.address}) cannot be reached, so no run can train now; "
                "the instructor's server log says why.")

    def close(self) -> None:
        self._stop.set()
        if self.client is not None:
            self.client.close(timeout=2)

    # --- inside -------------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._stop.wait(self.every):
            self._check()

    def _check(self) -> None:
        before = (self.connected, self.threads, self.unready())
        try:
            if self.client is None or self.client.status != "running":
                self._connect()
            self.workers = dict(self.client.scheduler_info(n_workers=-1).get("workers", {}))
            self.readiness.ask(self.client, self.workers)
            if self.workers:
                self.workers_seen = time.monotonic()
            if not before[0]:
                log.warning("Siamese Lab: connected to the Dask scheduler at %s (%d workers, %d threads)",
                            self.address, len(self.workers), self.threads)
            self.error = None
            self.readiness.say()
        except Exception as exc:  # unreachable, refused, closed mid-request: all mean "not now"
            self.workers = {}
            if self.error is None:
                log.error("Siamese Lab: cannot reach the Dask scheduler at %s (%s: %s); trainings cannot run "
                          "on the cluster until it answers", self.address, type(exc).__name__, exc)
            self.error = f"{type(exc).__name__}: {exc}"
        if (self.connected, self.threads, self.unready()) != before:
            self.on_change()

    def _connect(self) -> None:
        old, self.client = self.client, None
        if old is not None:
            old.close(timeout=1)
        self.readiness.reset()
        self.client = Client(self.address, timeout=CONNECT_SECONDS, set_as_default=False)
