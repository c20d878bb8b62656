"""The executor contract, the same for all three: a step-budgeted real digits run queued as a page queues it
streams its progress and frames into the training's live state and returns its report, and Stop ends a run
promptly and leaves the executor ready for the next. What only one executor has (a killed training process, a
lost cluster worker) is tested beside it: test_process_executor.py, test_cluster.py."""
import time

import pytest

from siamese_core.service.executors import ProcessExecutor, ThreadExecutor
from siamese_core.service.jobs import CANCELLED, DONE, JobQueue
from siamese_core.service.run_spec import RunSpec
from siamese_core.training import TrainConfig

pytestmark = pytest.mark.slow
STEPS = TrainConfig.from_dict({"dataset": "digits", "embedding_dim": 8, "epochs": 2, "steps_per_epoch": 40,
                               "seed": 11})


def make_executor(kind: str, request):
    if kind == "thread":
        return ThreadExecutor(1)
    if kind == "process":
        executor = ProcessExecutor(1)
        executor.starting.join(120)
        return executor
    from siamese_core.service.cluster.executor import ClusterExecutor

    executor = ClusterExecutor(request.getfixturevalue("dask_cluster").address, link_every=0.5)
    end = time.monotonic() + 60
    while executor.link.threads < 1:
        assert time.monotonic() < end, "the cluster's worker was not seen"
        time.sleep(0.2)
    return executor


# The cluster's case runs on the session's cluster (tests/conftest.py), which test_cluster.py shares.
@pytest.fixture(params=["thread", "process", pytest.param("cluster", marks=pytest.mark.cluster)])
def queue(request):
    q = JobQueue(make_executor(request.param, request), owner_check_seconds=0.2)
    yield q
    q.shutdown()


def test_a_run_streams_progress_and_frames_then_returns_its_report(queue):
    job = queue.submit(RunSpec.of("run", [STEPS], ["digits run"], 300), "alice", "digits run")
    progress = []
    while not job.wait(0.05):
        progress.append(job.live.progress)
    assert job.status == DONE, job.error
    report = job.result
    assert report.metrics["steps"] == 80 and report.metrics["stopped_because"] == "epochs"
    assert report.metrics["accuracy"] > 0.8  # 80 steps on digits reach about 0.95
    # The first frame and the trained network's frame always; frames between them take a share of the run's
    # wall-clock time, so a busy machine may leave none (seen once in CI: 2 frames).
    frames = job.live.frames["digits run"]
    assert job.live.progress == 1.0 and job.live.step == 80 and len(frames) >= 2
    assert frames[0].step == 0 and frames[-1].step == 80
    assert len(report.frames) == len(job.live.frames["digits run"])
    assert job.live.probe_labels is not None and job.live.class_names == [str(c) for c in range(10)]


def test_stop_ends_a_run_promptly_and_the_next_one_trains(queue):
    long = queue.submit(RunSpec.of("run", [STEPS.replace(epochs=1000)], ["long"], 300), "alice", "long")
    end = time.monotonic() + 120
    while long.live.step < 5:
        assert time.monotonic() < end and not long.done, long.error
        time.sleep(0.05)
    t0 = time.monotonic()
    queue.cancel(long)
    assert long.training.ended.wait(30) and long.training.status == CANCELLED
    assert time.monotonic() - t0 < 15  # within the grace the server gives a trainer, whichever executor
    again = queue.submit(RunSpec.of("run", [STEPS.replace(seed=12)], ["again"], 300), "alice", "again")
    assert again.wait(180) and again.status == DONE, again.error
