"""Page runs train in the server's own training processes (`ProcessQueue`): a real digits run trains in
another process at a lower priority and streams its progress and frames back; Stop ends it at once and frees
the process; a killed process fails its run with a sentence and is replaced; a run's own error comes back as
itself."""
import os
import signal
import time

import pytest

from siamese_core.data import DatasetNotFoundError, load_dataset
from siamese_core.service.jobs import CANCELLED, DONE, FAILED
from siamese_core.service.live_frames import probe_set
from siamese_core.service.process_queue import DIED, ProcessQueue
from siamese_core.service.run_spec import PageWork, RunSpec
from siamese_core.training import TrainConfig

pytestmark = pytest.mark.slow

CFG = TrainConfig.from_dict({"dataset": "digits", "embedding_dim": 8, "seconds": 3.0, "seed": 3, "clock": "cpu"})


@pytest.fixture(scope="module")
def splits():
    return load_dataset("digits", "train"), load_dataset("digits", "test")


def page_work(splits, cfg=CFG) -> PageWork:
    return PageWork(RunSpec.of("run", [cfg], ["digits run"], 300), splits, probe_set(splits[1]))


@pytest.fixture
def queue():
    made = []

    def make(**kw):
        made.append(ProcessQueue(owner_check_seconds=0.2, **kw))
        made[-1]._starting.join(120)
        return made[-1]
    yield make
    for q in made:
        q.shutdown()


def wait_for(predicate, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_a_page_run_trains_in_another_process_and_streams_its_progress(queue, splits):
    q = queue(workers=1, worker_nice=3)
    process = q.processes[0]
    assert process.pid != os.getpid()
    job = q.submit(page_work(splits), "alice", "digits run")
    seen = []
    while not job.done:
        seen.append((job.live.get("progress", 0.0), len(job.live.get("frames", []))))
        time.sleep(0.1)
    assert job.status == DONE, job.error
    report = job.result
    assert report.extra["trained_in"] == f"training process {process.pid}"
    assert report.metrics["budget_clock"] == "cpu" and report.metrics["steps"] > 20
    assert report.metrics["accuracy"] > 0.85  # an idle 3-s digits run gives about 0.97
    # Progress and frames arrived while it trained, not only at the end.
    assert len({p for p, _ in seen if 0 < p < 1}) >= 3
    assert any(0 < n for p, n in seen if p < 1)
    assert job.live["progress"] == 1.0 and len(job.live["frames"]) >= 3
    # The whole process trains nicer than the server; the queue's own thread does not.
    assert os.getpriority(os.PRIO_PROCESS, process.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 3)


def test_stop_ends_the_run_at_once_and_the_process_trains_the_next(queue, splits):
    q = queue(workers=1)
    pid = q.processes[0].pid
    long = q.submit(page_work(splits, CFG.replace(seconds=60.0)), "alice", "long")
    wait_for(lambda: long.live.get("progress", 0) > 0, 60)
    t0 = time.monotonic()
    q.cancel(long)
    wait_for(lambda: long.training.done, 10)
    assert long.training.status == CANCELLED and time.monotonic() - t0 < 5
    again = q.submit(page_work(splits, CFG.replace(seed=4)), "alice", "again")
    assert again.wait(120) and again.status == DONE
    assert q.processes[0].pid == pid  # the same process: Stop did not cost a restart


def test_a_killed_process_fails_its_run_with_a_sentence_and_is_replaced(queue, splits):
    q = queue(workers=1)
    pid = q.processes[0].pid
    job = q.submit(page_work(splits, CFG.replace(seconds=60.0)), "alice", "doomed")
    wait_for(lambda: job.live.get("progress", 0) > 0, 60)
    os.kill(pid, signal.SIGKILL)
    assert job.wait(30) and job.status == FAILED
    assert DIED in job.error and "Press Train" in job.error
    after = q.submit(page_work(splits, CFG.replace(seed=5)), "alice", "after")
    assert after.wait(120) and after.status == DONE, after.error
    assert q.processes[0].pid not in (None, pid)


def test_a_run_s_own_error_comes_back_as_itself(queue, splits, tmp_path, monkeypatch):
    """The process reads its own data folder: an empty one gives the loader's own error and sentence (the
    server's copy of the data, which a process never reads, is the digits here)."""
    monkeypatch.setenv("SIAMESE_LAB_DATA", str(tmp_path))
    q = queue(workers=1)
    job = q.submit(page_work(splits, CFG.replace(dataset="mnist")), "alice", "no data")
    assert job.wait(120) and job.status == FAILED
    assert job.error.startswith(f"{DatasetNotFoundError.__name__}: ")
    assert "in the training process" in job.live["traceback"]
