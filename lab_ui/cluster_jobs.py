"""The pages' training queue on a Dask cluster, when `SIAMESE_LAB_SCHEDULER` names a scheduler
(docs/scaling.md). Imported only then: a server without the setting never imports Dask."""
from __future__ import annotations

import logging
import os

from siamese_core.service.jobs import JobQueue

FALLBACKS = ("none", "local")
log = logging.getLogger("siamese_lab.cluster")


def cluster_queue(address: str, local_workers: int, **queue_kwargs) -> JobQueue:
    """A ClusterQueue on `address`. `SIAMESE_LAB_SCHEDULER_FALLBACK=local`: while the scheduler cannot be
    reached, the server trains runs itself, `local_workers` at a time (else Train says it cannot)."""
    fallback = os.environ.get("SIAMESE_LAB_SCHEDULER_FALLBACK", "none")
    if fallback not in FALLBACKS:
        raise ValueError(f"SIAMESE_LAB_SCHEDULER_FALLBACK must be one of {', '.join(FALLBACKS)}, not {fallback!r}")
    slots = int(os.environ.get("SIAMESE_LAB_CLUSTER_SLOTS", "32"))
    try:
        from siamese_core.service.cluster.queue import ClusterQueue
    except ImportError as exc:  # Dask is an optional extra
        if fallback != "local":
            raise RuntimeError("SIAMESE_LAB_SCHEDULER is set, but Dask is not installed here: "
                               "pip install -r requirements-cluster.txt") from exc
        log.error("Siamese Lab: Dask is not installed (%s); trainings run on this server", exc)
        return JobQueue(workers=local_workers, **queue_kwargs)
    return ClusterQueue(address, fallback_workers=local_workers if fallback == "local" else None,
                        max_slots=slots, **queue_kwargs)
