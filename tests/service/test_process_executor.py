"""Page runs train in the server's own training processes (`ProcessExecutor`): a real digits run trains in
another process at a lower priority; a killed process fails its run with a sentence and is replaced; a run
beyond the process's memory limit fails with a sentence; a run's own error comes back as itself."""
import os
import signal
import time

import pytest

from siamese_core.data import DatasetNotFoundError
from siamese_core.service.executors import DIED, ProcessExecutor
from siamese_core.service.jobs import DONE, FAILED, JobQueue
from siamese_core.service.run_spec import RunSpec
from siamese_core.training import TrainConfig

pytestmark = pytest.mark.slow

CFG = TrainConfig.from_dict({"dataset": "digits", "embedding_dim": 8, "seconds": 3.0, "seed": 3, "clock": "cpu"})


def page_work(cfg=CFG) -> RunSpec:
    return RunSpec.of("run", [cfg], ["digits run"], 300)


@pytest.fixture
def queue():
    made = []

    def make(workers=1, worker_nice=0):
        executor = ProcessExecutor(workers, 1, worker_nice)
        made.append(JobQueue(executor, owner_check_seconds=0.2))
        executor.starting.join(120)
        return made[-1]
    yield make
    for q in made:
        q.shutdown()


def wait_for(predicate, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_a_page_run_trains_in_another_process_at_a_lower_priority(queue):
    """(Streaming, Stop and the next run: the executor contract, test_executors.py.)"""
    q = queue(workers=1, worker_nice=3)
    process = q.executor.processes[0]
    assert process.pid != os.getpid()
    job = q.submit(page_work(CFG.replace(seconds=None, epochs=1, steps_per_epoch=20)), "alice", "digits run")
    assert job.wait(120) and job.status == DONE, job.error
    assert job.result.extra["trained_in"] == f"training process {process.pid}"
    # The whole process trains nicer than the server; the queue's own thread does not.
    assert os.getpriority(os.PRIO_PROCESS, process.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 3)
    # Its optimizer steps imported torch._dynamo without triton's 80 MB library (nothing here compiles).
    assert "libtriton" not in open(f"/proc/{process.pid}/maps").read()


def test_a_killed_process_fails_its_run_with_a_sentence_and_is_replaced(queue):
    q = queue(workers=1)
    pid = q.executor.processes[0].pid
    job = q.submit(page_work(CFG.replace(seconds=60.0)), "alice", "doomed")
    wait_for(lambda: job.live.progress > 0, 60)
    os.kill(pid, signal.SIGKILL)
    assert job.wait(30) and job.status == FAILED
    assert DIED in job.error and "Press Train" in job.error
    after = q.submit(page_work(CFG.replace(seed=5)), "alice", "after")
    assert after.wait(120) and after.status == DONE, after.error
    assert q.executor.processes[0].pid not in (None, pid)


def test_a_run_beyond_its_process_s_memory_limit_fails_with_a_sentence_and_the_process_trains_the_next(queue):
    """A limit on a training process's data (as `ulimit -d` sets): the 8,192-image MNIST batch asks for more
    than 2 GB allows and fails with the sentence, not torch's allocator message; the same process, its memory
    given back, trains the next run. Should the kernel's OOM killer have to choose, it ends the training
    process first (killed: the test above)."""
    import resource

    from siamese_core.service.execute import OUT_OF_MEMORY, RunOutOfMemory
    from siamese_core.service.training_process import OOM_SCORE_ADJ

    q = queue(workers=1)
    pid = q.executor.processes[0].pid
    assert OOM_SCORE_ADJ > int(open("/proc/self/oom_score_adj").read())
    wait_for(lambda: int(open(f"/proc/{pid}/oom_score_adj").read()) == OOM_SCORE_ADJ, 30)  # its first lines set it
    cap = 2 * 2**30  # a digits or MNIST page run needs about 1.2 GB of data here
    resource.prlimit(pid, resource.RLIMIT_DATA, (cap, cap))
    steps = CFG.replace(dataset="mnist", seconds=None, epochs=1, steps_per_epoch=3)
    job = q.submit(page_work(steps.replace(batch_size=8192)), "alice", "too big")
    assert job.wait(120) and job.status == FAILED
    assert job.error == f"{RunOutOfMemory.__name__}: {OUT_OF_MEMORY}"
    after = q.submit(page_work(steps), "alice", "next")
    assert after.wait(120) and after.status == DONE, after.error
    assert q.executor.processes[0].pid == pid


def test_a_run_s_own_error_comes_back_as_itself(queue, tmp_path, monkeypatch):
    """The process reads its own data folder: an empty one gives the loader's own error and sentence."""
    monkeypatch.setenv("SIAMESE_LAB_DATA", str(tmp_path))
    q = queue(workers=1)
    job = q.submit(page_work(CFG.replace(dataset="mnist")), "alice", "no data")
    assert job.wait(120) and job.status == FAILED
    assert job.error.startswith(f"{DatasetNotFoundError.__name__}: ")
    assert "in the training process" in job.live.traceback


def test_the_process_started_early_is_the_one_the_executor_trains_in_and_more_start_when_runs_need_them(
        monkeypatch):
    """app.py starts the first training process before its own imports (none for a server training in threads or
    on a cluster); the executor made later takes that very process, and starts a second only when a run finds the
    first busy: a student's runs one after another need no second process's memory, nor wait for its imports."""
    import dataclasses

    from siamese_core.service import process_start
    from siamese_core.service.server_settings import ServerSettings

    settings = dataclasses.replace(ServerSettings.from_environ(), workers=2, train_in="processes", scheduler="")
    monkeypatch.setattr(process_start, "_early", [])
    for other in (dataclasses.replace(settings, train_in="server"), dataclasses.replace(settings, scheduler="tcp://x")):
        monkeypatch.setattr(process_start, "_started_early", False)
        process_start.start_early(other)
        assert process_start._early == []
    monkeypatch.setattr(process_start, "_started_early", False)
    process_start.start_early(settings)
    process_start.start_early(settings)  # once per server, however many script runs call it
    early = [p.pid for _, _, p, _ in process_start._early]
    assert len(early) == 1
    q = JobQueue(ProcessExecutor(2, 1, settings.worker_nice), owner_check_seconds=0.2)
    try:
        q.executor.starting.join(120)
        assert [p.pid for p in q.executor.processes] == early and process_start._early == []
        job = q.submit(page_work(CFG.replace(seconds=1.0)), "a", "first run")
        assert job.wait(180) and job.status == DONE, job.error
        time.sleep(1.0)  # a process started after the run would be listed by now
        assert [p.pid for p in q.executor.processes] == early
        both = [q.submit(page_work(CFG.replace(seconds=1.0, seed=seed)), who, "at once")
                for seed, who in ((7, "a"), (8, "b"))]
        assert all(j.wait(180) and j.status == DONE for j in both), [j.error for j in both]
        assert len(q.executor.processes) == 2 and q.executor.processes[0].pid == early[0]
    finally:
        q.shutdown()
