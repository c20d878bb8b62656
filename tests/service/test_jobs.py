"""The shared training queue: order, positions, ETAs, cancellation, failures and abandoned jobs."""
import threading
import time

import pytest

from siamese_core.service.jobs import CANCELLED, DONE, FAILED, JobQueue, QueueFull


def wait(job, seconds=10.0):
    t0 = time.monotonic()
    while not job.done and time.monotonic() - t0 < seconds:
        time.sleep(0.01)
    assert job.done, f"job {job.label} still {job.status}"


def blocker(release: threading.Event):
    def work(job):
        while not release.is_set() and not job.cancel_event.is_set():
            time.sleep(0.005)
        return job.label
    return work


def test_first_come_first_served_with_positions_and_eta():
    q = JobQueue(workers=1, max_waiting=5, owner_check_seconds=0.05)
    release = threading.Event()
    first = q.submit(blocker(release), "a", "first", expected_seconds=10)
    while first.status != "running":
        time.sleep(0.005)
    second = q.submit(blocker(release), "b", "second", expected_seconds=10)
    third = q.submit(blocker(release), "c", "third", expected_seconds=10)
    assert (q.position(first), q.position(second), q.position(third)) == (0, 1, 2)
    # third waits for first (≈10 s left) and second (10 s), then needs its own 10 s.
    assert 25 < q.eta(third) <= 30 + 1e-6
    assert q.stats() == {"waiting": 2, "running": 1, "following": 3, "workers": 1, "threads_per_job": 1,
                         "trainings_started": 1, "shared_results": 0, "shared_results_bytes": 0}
    release.set()
    for j in (first, second, third):
        wait(j)
    assert [j.result for j in (first, second, third)] == ["first", "second", "third"]
    assert first.finished <= second.started and second.finished <= third.started  # one at a time
    q.shutdown()


def test_full_queue_refuses_with_a_sentence():
    q = JobQueue(workers=1, max_waiting=1)
    release = threading.Event()
    running = q.submit(blocker(release), "a", "running")
    while running.status != "running":
        time.sleep(0.005)
    q.submit(blocker(release), "b", "waiting")
    with pytest.raises(QueueFull, match="already waiting"):
        q.submit(blocker(release), "c", "refused")
    release.set()
    q.shutdown()


def test_cancel_waiting_and_running_jobs_and_by_owner():
    q = JobQueue(workers=1, max_waiting=5)
    release = threading.Event()
    running = q.submit(blocker(release), "alice", "running")
    while running.status != "running":
        time.sleep(0.005)
    waiting = q.submit(blocker(release), "bob", "waiting")
    q.cancel(waiting)
    assert waiting.status == CANCELLED and q.position(waiting) == 0
    assert q.cancel_owner("alice") == 1
    wait(running)
    assert running.status == CANCELLED
    q.shutdown()


def test_a_failing_job_reports_and_the_worker_survives():
    q = JobQueue(workers=1)

    def boom(job):
        raise ValueError("margin must be > 0")
    bad = q.submit(boom, "a", "bad")
    wait(bad)
    assert bad.status == FAILED and bad.error == "ValueError: margin must be > 0"
    good = q.submit(lambda job: 42, "a", "good")
    wait(good)
    assert good.status == DONE and good.result == 42
    q.shutdown()


def test_a_job_whose_owner_is_gone_is_cancelled():
    q = JobQueue(workers=1, owner_check_seconds=0.02)
    alive = {"tab open": True}
    job = q.submit(blocker(threading.Event()), "s1", "abandoned", is_owner_alive=lambda: alive["tab open"])
    time.sleep(0.1)
    assert job.status == "running"
    alive["tab open"] = False  # the student closed the tab
    wait(job, 5)
    assert job.status == CANCELLED
    q.shutdown()


def test_two_workers_run_two_jobs_at_once():
    q = JobQueue(workers=2)
    release = threading.Event()
    a = q.submit(blocker(release), "a", "a")
    b = q.submit(blocker(release), "b", "b")
    t0 = time.monotonic()
    while not (a.status == b.status == "running") and time.monotonic() - t0 < 5:
        time.sleep(0.005)
    assert a.status == b.status == "running"
    release.set()
    wait(a)
    wait(b)
    q.shutdown()


def test_wait_wakes_when_the_training_ends_not_at_the_timeout():
    q = JobQueue(workers=1, owner_check_seconds=0.05)
    release = threading.Event()
    job = q.submit(blocker(release), "a", "run")
    assert job.wait(0.05) is False  # still running: the short wait just times out
    threading.Timer(0.2, release.set).start()
    t0 = time.monotonic()
    assert job.wait(60.0) is True
    assert time.monotonic() - t0 < 30.0  # woken by the end of the training, far before the 60-s timeout
    assert job.status == DONE and job.result == "run"
    cancelled = q.submit(blocker(threading.Event()), "b", "stopped")
    q.cancel(cancelled)
    assert cancelled.wait(60.0) is True and cancelled.status == CANCELLED
    q.shutdown()


@pytest.mark.skipif(not hasattr(__import__("os"), "setpriority"), reason="per-thread priorities are Linux's")
def test_workers_train_at_a_lower_priority_than_the_pages():
    import os
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    q = JobQueue(workers=1, worker_nice=5, owner_check_seconds=0.05)
    job = q.submit(lambda job: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), "a", "nice")
    assert job.wait(30.0) and job.result == min(19, mine + 5)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine  # the caller's thread unchanged
    q.shutdown()


def test_one_student_holds_at_most_max_per_owner_trainings_on_all_pages_together():
    """Each page keeps its own job key, so the limit lives in the queue: the third request of the same
    owner is refused with a sentence, whatever the page; another owner is not affected; once one of the
    first two ends, the owner may ask again."""
    q = JobQueue(workers=1, max_per_owner=2)
    release = threading.Event()
    first = q.submit(blocker(release), "alice", "losses run")
    q.submit(blocker(release), "alice", "embedding sweep")
    with pytest.raises(QueueFull) as refused:
        q.submit(blocker(release), "alice", "miners")
    assert str(refused.value).startswith("You already have 2 trainings waiting or running (“losses run”, "
                                         "“embedding sweep”): at most 2 at a time per student")
    bob = q.submit(blocker(release), "bob", "miners")
    q.cancel(first)
    again = q.submit(blocker(release), "alice", "miners")
    release.set()
    wait(again), wait(bob)
    q.shutdown()


def test_following_a_running_training_never_formats_its_frames():
    """A page polls `position` twice a second while its run trains. It once looked the training up with
    deque.index, whose miss formats the item: the repr of every live frame, for every follower, each poll."""
    import numpy as np
    q = JobQueue(workers=1)
    release = threading.Event()
    job = q.submit(blocker(release), "a", "big", expected_seconds=10)
    while job.status != "running":
        time.sleep(0.005)
    job.training.live.frames["run"] = [np.zeros((500, 64), np.float32) for _ in range(40)]
    assert q.position(job) == 0
    assert len(repr(job.training)) < 200 and len(repr(job)) < 400
    t0 = time.perf_counter()
    for _ in range(200):
        q.position(job)
    assert time.perf_counter() - t0 < 0.05  # ~1 µs each; the formatting path took ~0.1 s per call
    release.set()
    wait(job)
    q.shutdown()
