"""The web server's training settings, read once from its environment (`SIAMESE_LAB_*`, the table in
docs/classroom.md), and the queue they make. A bad value stops the server with one sentence naming it."""
from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..training.budget_clock import BUDGET_CLOCKS

if TYPE_CHECKING:
    from .jobs import JobQueue

log = logging.getLogger("siamese_lab.cluster")
TRAIN_IN = ("processes", "server")
FALLBACKS = ("none", "local")
# Below this much memory (the machine's, or its container's limit) the server trains in one process, not two: a
# second starts when two runs train at once, and holds about 600 MB more (docs/classroom.md, "Where to run it").
SMALL_MACHINE_BYTES = 4 * 2**30


def machine_memory() -> int | None:
    """The memory this server may use, in bytes: the machine's, or its container's limit (cgroup v2, then v1)
    when that is lower; None where neither can be read."""
    sizes = []
    try:
        sizes.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                limit = f.read().strip()
        except OSError:
            continue
        if limit.isdigit():  # "max": no limit
            sizes.append(int(limit))
    return min(sizes) if sizes else None


def _number(name: str, default: str, kind=int, least: float = 0):
    raw = os.environ.get(name, default)
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value < least:
        raise ValueError(f"{name} must be a number ≥ {least:g}, not {raw!r}")
    return value


def _choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    if raw not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


@dataclass(frozen=True)
class ServerSettings:
    # Two trainings at once where there are two cores: with ten students pressing Train in the same minute the
    # last result comes about twice as soon, and nicer training threads keep the pages quick.
    workers: int
    # One torch thread per job: on a busy CPU, more threads per job fight each other (OpenMP spin-waiting).
    threads_per_job: int
    # What a page run's time budget counts: the trainer's CPU time, so that a run on a busy server trains as
    # much as on an idle one, only later (CPU time is all of a run's work only with one thread per job).
    budget_clock: str
    train_in: str                 # "processes": the server's own training processes; "server": its threads
    worker_nice: int              # trainings run this much nicer than the page scripts
    max_waiting: int              # trainings waiting in line, the whole server
    max_runs: int                 # finished runs a session keeps …
    max_session_bytes: int        # … and their bytes
    share_runs: bool              # identical page runs train once
    shared_results: int           # finished shared runs kept for later identical requests …
    shared_results_bytes: int     # … and their bytes (a page run's report is under 1 MB)
    scheduler: str                # a Dask scheduler's address: trainings run on its cluster
    scheduler_fallback: str       # "local": while it cannot be reached, the server trains runs itself
    cluster_slots: int            # at most this many of this server's runs on the cluster at once
    board_runs: int = 200         # runs the class board keeps (the oldest leave first)
    instructor_key: str = field(default="", repr=False)  # opens the board's clear, hide and pin; "": none
    small_machine: float | None = None   # GB of memory, when so little that the default is one training process

    @classmethod
    def from_environ(cls) -> ServerSettings:
        threads = _number("SIAMESE_LAB_THREADS_PER_JOB", "1", least=1)
        memory = machine_memory()
        small = memory is not None and memory < SMALL_MACHINE_BYTES and "SIAMESE_LAB_WORKERS" not in os.environ
        return cls(
            workers=_number("SIAMESE_LAB_WORKERS", str(1 if small else min(2, os.cpu_count() or 1)), least=1),
            threads_per_job=threads,
            budget_clock=_choice("SIAMESE_LAB_BUDGET_CLOCK", os.environ.get(
                "SIAMESE_LAB_BUDGET_CLOCK", "cpu" if threads == 1 else "wall"), BUDGET_CLOCKS),
            train_in=_choice("SIAMESE_LAB_TRAIN_IN", os.environ.get("SIAMESE_LAB_TRAIN_IN", "processes"), TRAIN_IN),
            worker_nice=_number("SIAMESE_LAB_WORKER_NICE", "10"),
            max_waiting=_number("SIAMESE_LAB_MAX_WAITING", "30"),
            max_runs=_number("SIAMESE_LAB_MAX_RUNS", "12", least=1),
            max_session_bytes=int(_number("SIAMESE_LAB_MAX_SESSION_MB", "50", float) * 2**20),
            share_runs=os.environ.get("SIAMESE_LAB_SHARE_RUNS", "1") != "0",
            shared_results=_number("SIAMESE_LAB_SHARED_RESULTS", "32"),
            shared_results_bytes=int(_number("SIAMESE_LAB_SHARED_RESULTS_MB", "64", float) * 2**20),
            scheduler=os.environ.get("SIAMESE_LAB_SCHEDULER", ""),
            scheduler_fallback=_choice("SIAMESE_LAB_SCHEDULER_FALLBACK",
                                       os.environ.get("SIAMESE_LAB_SCHEDULER_FALLBACK", "none"), FALLBACKS),
            cluster_slots=_number("SIAMESE_LAB_CLUSTER_SLOTS", "32", least=1),
            board_runs=_number("SIAMESE_LAB_BOARD_RUNS", "200", least=1),
            instructor_key=os.environ.get("SIAMESE_LAB_INSTRUCTOR_KEY", ""),
            small_machine=round(memory / 2**30, 1) if small else None)

    def executor(self):
        """Where this server's page trainings run."""
        from .executors import ProcessExecutor, ThreadExecutor

        def here(kind=ProcessExecutor if self.train_in == "processes" else ThreadExecutor):
            return kind(self.workers, self.threads_per_job, self.worker_nice)

        if not self.scheduler:
            return here()
        fallback = here(ThreadExecutor) if self.scheduler_fallback == "local" else None
        try:  # Dask is an optional extra, imported only when a scheduler is named
            from .cluster.executor import ClusterExecutor
        except ImportError as exc:
            if fallback is None:
                raise RuntimeError("SIAMESE_LAB_SCHEDULER is set, but Dask is not installed here: "
                                   "pip install -r requirements-cluster.txt") from exc
            log.error("Siamese Lab: Dask is not installed (%s); trainings run on this server", exc)
            return fallback
        return ClusterExecutor(self.scheduler, fallback, max_slots=self.cluster_slots)

    def queue(self) -> JobQueue:
        from .jobs import JOBS_PER_STUDENT, JobQueue

        return JobQueue(self.executor(), threads_per_job=self.threads_per_job, max_waiting=self.max_waiting,
                        shared_results=self.shared_results, shared_bytes=self.shared_results_bytes,
                        max_per_owner=JOBS_PER_STUDENT)


@functools.cache
def server_settings() -> ServerSettings:
    """This server's settings, read from its environment the first time they are asked for."""
    return ServerSettings.from_environ()
