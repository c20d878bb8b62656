"""A bounded training queue shared by every user of one server: thirty students pressing "Train" in the same
minute must not start thirty trainings on two cores. Trainings wait in line, as many run at once as the
executor has slots (executors.py: where they run is its business), a student sees their place and an ETA, and
a student's job is cancelled when they ask or are gone (closed tab).

Identical runs train once: a request whose `share_key` equals that of a waiting or running training joins
it (one more owner, no new place in line), and one whose key matches a successful result kept in the bounded
`SharedResults` cache is answered at once."""
from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from typing import Any

from .executors import Executor, ThreadExecutor
from .job import CANCELLED, DONE, FAILED, FINISHED, QUEUED, RUNNING, Job, QueueFull, Training
from .run_spec import RunSpec
from .shared_results import SharedResults

# Per student (lab_ui/training_jobs.py says who that is), all pages and tabs together: two, so both tabs of the
# mining page can be busy at once; more would only lengthen everyone's wait.
JOBS_PER_STUDENT = 2


class JobQueue:
    """First come, first served; at most `max_waiting` wait in line; results of shareable trainings stay in a
    cache of `shared_results` entries / `shared_bytes`; one owner follows at most `max_per_owner` unfinished
    trainings (None: any number), whichever page asked. Without an executor, a `ThreadExecutor`."""

    def __init__(self, executor: Executor | None = None, workers: int = 1, threads_per_job: int = 1,
                 max_waiting: int = 30, owner_check_seconds: float = 5.0, shared_results: int = 32,
                 shared_bytes: int = 64 * 2**20, worker_nice: int = 0, max_per_owner: int | None = None):
        if workers < 1 or threads_per_job < 1 or max_waiting < 0:
            raise ValueError("workers and threads_per_job must be ≥ 1, max_waiting ≥ 0")
        self.executor = executor or ThreadExecutor(workers, threads_per_job, worker_nice)
        self.workers, self.threads_per_job = self.executor.capacity, threads_per_job
        self.max_waiting, self.max_per_owner = max_waiting, max_per_owner
        self.results = SharedResults(shared_results, shared_bytes)
        self._waiting: deque[Training] = deque()
        self._running: list[Training] = []
        self._sharing: dict[str, Training] = {}   # share key → the waiting or running training to join
        self._ids = itertools.count(1)
        self._trainings_started = 0
        self._cv = threading.Condition()
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"siamese-lab-worker-{k}", daemon=True)
                         for k in range(self.workers)]
        for t in self._threads:
            t.start()
        self._watchdog = threading.Thread(target=self._watch, args=(owner_check_seconds,),
                                          name="siamese-lab-watchdog", daemon=True)
        self._watchdog.start()
        self.executor.wake = self._wake  # its slots changed (a cluster's workers came or went)

    # --- what pages call ----------------------------------------------------------------------
    def submit(self, fn: RunSpec | Callable[[Job], Any], owner: str, label: str, expected_seconds: float = 60.0,
               is_owner_alive: Callable[[], bool] | None = None, share_key: str | None = None) -> Job:
        """Queue a page's `RunSpec` (or any `fn(job)`, run in the queue's thread) for `owner`; with a `share_key`,
        join an identical training or get its kept result at once (a job already done)."""
        self.executor.admit()
        with self._cv:
            if self._closed:
                raise RuntimeError("the queue is shut down")
            training = self._sharing.get(share_key) if share_key is not None else None
            if training is None and share_key is not None:
                cached = self.results.get(share_key)
                if cached is not None:
                    training = Training(fn, 0.0, share_key, status=DONE, result=cached.result,
                                        from_cache=True, trained_for=cached.trained_for)
                    training.started = training.finished = time.monotonic()
                    training.live.progress = 1.0
            if training is None or not training.done:
                self._check_owner(owner)
            if training is None:
                if len(self._waiting) >= self.max_waiting:
                    raise QueueFull(f"{len(self._waiting)} trainings are already waiting; try again in a minute.")
                training = Training(fn, float(expected_seconds), share_key)
                self._waiting.append(training)
                if share_key is not None:
                    self._sharing[share_key] = training
                self._cv.notify()
            job = Job(next(self._ids), owner, label, training, is_owner_alive)
            training.askers.add(owner)
            if not training.done:
                training.requests.append(job)
            return job

    def position(self, job: Job) -> int:
        """0 while running or finished; k ≥ 1 when k − 1 trainings wait ahead of it."""
        with self._cv:
            if job.done or job.training.status != QUEUED:
                return 0
            # By identity, and never through deque.index: its "not in deque" error formats the item.
            return next((k for k, t in enumerate(self._waiting, 1) if t is job.training), 0)

    def eta(self, job: Job) -> float:
        """Seconds until `job` finishes: the work ahead of it (a shared training once) over the slots, plus its own."""
        with self._cv:
            training = job.training
            if job.done or training.status != QUEUED:
                return job.remaining_seconds()
            ahead = [*self._running, *itertools.takewhile(lambda t: t is not training, self._waiting)]
            return sum(t.remaining_seconds() for t in ahead) / max(1, self._slots()) + training.expected_seconds

    def cancel_owner(self, owner: str) -> int:
        """Withdraw every unfinished job of `owner`; returns how many."""
        with self._cv:
            jobs = [j for t in (*self._waiting, *self._running) for j in t.requests if j.owner == owner]
        for j in jobs:
            self.cancel(j)
        return len(jobs)

    def cancel(self, job: Job) -> None:
        """Withdraw `job`'s owner; its training is cancelled only when no other owner follows it."""
        with self._cv:
            training = job.training
            if job.done or job not in training.requests:
                return  # finished, or withdrawn already
            training.requests.remove(job)
            if training.requests:
                job.withdrawn = time.monotonic()
                return
            training.cancel_event.set()
            self._forget(training)  # a new identical request starts afresh, it does not join a dying run
            if training in self._waiting:  # never started: finish it here
                self._waiting.remove(training)
                self._finish(training, CANCELLED)

    def stats(self) -> dict:
        """Trainings waiting and running (a shared one once), the requests following them, the cache's contents."""
        with self._cv:
            following = sum(len(t.requests) for t in (*self._waiting, *self._running))
            return {"waiting": len(self._waiting), "running": len(self._running), "following": following,
                    "workers": self._slots(), "threads_per_job": self.threads_per_job,
                    "trainings_started": self._trainings_started,
                    "shared_results": len(self.results), "shared_results_bytes": self.results.nbytes,
                    **self.executor.stats()}

    def shutdown(self) -> None:
        with self._cv:
            self._closed = True
            for t in self._waiting:
                t.cancel_event.set()
                self._finish(t, CANCELLED)
            self._waiting.clear()
            for t in self._running:
                t.cancel_event.set()
            self._sharing.clear()
            self._cv.notify_all()
        self.executor.close()

    # --- inside -------------------------------------------------------------------------------
    def _check_owner(self, owner: str) -> None:
        if self.max_per_owner is None:
            return
        mine = [j for t in (*self._waiting, *self._running) for j in t.requests if j.owner == owner]
        if len(mine) >= self.max_per_owner:
            held = "a training" if len(mine) == 1 else f"{len(mine)} trainings"
            labels = ", ".join(f"“{j.label}”" for j in mine)
            raise QueueFull(f"You already have {held} waiting or running ({labels}): at most {self.max_per_owner} "
                            "at a time per student, on all your pages and tabs together. Wait for one to end, or "
                            "stop it on its page.")

    def _finish(self, training: Training, status: str, error: str | None = None) -> None:
        training.status, training.error, training.finished = status, error, time.monotonic()
        training.ended.set()

    def _forget(self, training: Training) -> None:
        if training.share_key is not None and self._sharing.get(training.share_key) is training:
            del self._sharing[training.share_key]

    def _work(self) -> None:
        self.executor.prepare_thread()
        while True:
            with self._cv:
                while (not self._waiting or len(self._running) >= self._slots()) and not self._closed:
                    self._cv.wait()
                if self._closed:
                    return
                training = self._waiting.popleft()
                training.status, training.started = RUNNING, time.monotonic()
                self._running.append(training)
                self._trainings_started += 1
                first = training.requests[0]  # a waiting training always has an owner (see `cancel`)
            try:
                result, status, error = self._run(training, first), DONE, None
            except Exception as exc:  # the job's own failure must never kill the worker
                result, status, error = None, FAILED, f"{type(exc).__name__}: {exc}"
                if not training.cancel_event.is_set():
                    training.live.traceback = traceback.format_exc(limit=5)
            if training.cancel_event.is_set():
                status, error = CANCELLED, None
            with self._cv:
                training.result = result
                self._finish(training, status, error)
                self._running.remove(training)
                self._forget(training)
                if status == DONE and training.share_key is not None and _shareable(result):
                    # failed, cancelled or starved: never kept
                    self.results.put(training.share_key, result, frozenset(training.askers))

    def _wake(self) -> None:
        with self._cv:
            self._cv.notify_all()

    def _slots(self) -> int:
        """Trainings that may run at once (a free thread always may start one)."""
        return min(self.workers, self.executor.slots())

    def _run(self, training: Training, job: Job) -> Any:
        if isinstance(training.fn, RunSpec):
            return self.executor.run(training.fn, training.live, training.cancel_event)
        return training.fn(job)

    def _watch(self, every: float) -> None:
        """Withdraw owners who went away (a closed browser tab), each owner of a shared training apart."""
        while not self._closed:
            time.sleep(every)
            with self._cv:
                jobs = [j for t in (*self._waiting, *self._running) for j in t.requests]
            for job in jobs:
                check = job.is_owner_alive
                try:
                    alive = check() if check is not None else True
                except Exception:
                    alive = True  # cannot tell: keep the job
                if not alive:
                    self.cancel(job)


def _shareable(result: Any) -> bool:
    """A result (or every result of a list, a sweep's) that says it may not be handed on is not kept."""
    results = result if isinstance(result, list) else [result]
    return all(getattr(r, "shareable", True) for r in results)


__all__ = ["CANCELLED", "DONE", "FAILED", "FINISHED", "JOBS_PER_STUDENT", "QUEUED", "RUNNING", "Job", "JobQueue",
           "QueueFull", "Training"]
