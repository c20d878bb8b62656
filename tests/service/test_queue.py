"""The training queue's semantics, once, against a scripted executor (tests/service/scripted_executor.py):
order, places and ETAs, the line's bound, per-student caps, identical runs shared and kept, Stop and closed
tabs, failures and a dead worker. Milliseconds each; no training here except the one real starved run."""
import os
import threading
import time

import numpy as np
import pytest

from siamese_core.service.jobs import CANCELLED, DONE, FAILED, RUNNING, JobQueue, QueueFull
from siamese_core.service.shared_results import SharedResults, size_of
from tests.service.scripted_executor import DEAD_WORKER, ScriptedExecutor, spec


@pytest.fixture
def fake():
    executor = ScriptedExecutor(workers=1)
    yield executor
    executor.release.set()


def queue(executor, **kw):
    return JobQueue(executor, owner_check_seconds=kw.pop("owner_check_seconds", 0.02), **kw)


def until(cond, seconds=10.0, what="the condition"):
    end = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < end, f"waited {seconds} s for {what}"
        time.sleep(0.005)


def finished(*jobs, seconds=10.0):
    for job in jobs:
        assert job.wait(seconds), f"job {job.label} still {job.status}"


# --- order, places, ETAs and the line's bound -------------------------------------------------------
def test_first_come_first_served_with_positions_and_eta(fake):
    q = queue(fake, max_waiting=5)
    first = q.submit(spec("first"), "a", "first", expected_seconds=10)
    until(lambda: first.status == RUNNING)
    second = q.submit(spec("second"), "b", "second", expected_seconds=10)
    third = q.submit(spec("third"), "c", "third", expected_seconds=10)
    assert (q.position(first), q.position(second), q.position(third)) == (0, 1, 2)
    # third waits for first (≈10 s left) and second (10 s), then needs its own 10 s.
    assert 25 < q.eta(third) <= 30 + 1e-6
    assert q.stats() == {"waiting": 2, "running": 1, "following": 3, "workers": 1, "threads_per_job": 1,
                         "trainings_started": 1, "shared_results": 0, "shared_results_bytes": 0}
    fake.release.set()
    finished(first, second, third)
    assert [j.result.name for j in (first, second, third)] == ["first", "second", "third"] == fake.ran
    assert first.finished <= second.started and second.finished <= third.started  # one at a time
    q.shutdown()


def test_two_slots_run_two_trainings_at_once():
    fake = ScriptedExecutor(workers=2)
    q = queue(fake)
    a, b = q.submit(spec("a"), "a", "a"), q.submit(spec("b"), "b", "b")
    until(lambda: a.status == b.status == RUNNING, what="both running")
    fake.release.set()
    finished(a, b)
    q.shutdown()


def test_a_full_line_refuses_with_a_sentence_but_joining_a_run_adds_no_work(fake):
    q = queue(fake, max_waiting=1)
    running = q.submit(spec("running"), "a", "running")
    until(lambda: running.status == RUNNING)
    waiting = q.submit(spec("waiting", seed=1), "b", "waiting", share_key="same")
    with pytest.raises(QueueFull, match="already waiting"):
        q.submit(spec("refused", seed=2), "c", "refused")
    joined = q.submit(spec("waiting", seed=1), "d", "joins", share_key="same")
    assert joined.training is waiting.training and q.position(joined) == 1
    q.shutdown()


def test_positions_and_etas_count_a_shared_run_once(fake):
    q = queue(fake)
    first = q.submit(spec("first"), "x", "first", expected_seconds=10)
    until(lambda: first.status == RUNNING)
    alice = q.submit(spec("shared", 1), "alice", "shared", expected_seconds=10, share_key="same")
    bob = q.submit(spec("shared", 1), "bob", "shared", expected_seconds=10, share_key="same")
    carol = q.submit(spec("other", 2), "carol", "other", expected_seconds=10)
    assert (q.position(alice), q.position(bob), q.position(carol)) == (1, 1, 2)
    assert q.eta(alice) == pytest.approx(q.eta(bob), abs=0.5)
    # carol waits for first (≈10 s left) and the one shared run (10 s), then her own 10 s: not 40.
    assert 25 < q.eta(carol) <= 30 + 1e-6
    assert q.stats()["waiting"] == 2 and q.stats()["following"] == 4
    fake.release.set()
    finished(first, alice, bob, carol)
    assert fake.ran == ["first", "shared", "other"]
    q.shutdown()


def test_one_student_holds_at_most_max_per_owner_trainings_on_all_pages_together(fake):
    """Each page keeps its own job key, so the limit lives in the queue: the third request of the same
    owner is refused with a sentence, whatever the page; another owner is not affected; once one of the
    first two ends, the owner may ask again."""
    q = queue(fake, max_per_owner=2)
    first = q.submit(spec("losses run"), "alice", "losses run")
    q.submit(spec("embedding sweep"), "alice", "embedding sweep")
    with pytest.raises(QueueFull) as refused:
        q.submit(spec("miners"), "alice", "miners")
    assert str(refused.value).startswith("You already have 2 trainings waiting or running (“losses run”, "
                                         "“embedding sweep”): at most 2 at a time per student")
    q.submit(spec("miners"), "bob", "miners")
    q.cancel(first)
    q.submit(spec("miners"), "alice", "miners")
    q.shutdown()


# --- Stop and closed tabs ----------------------------------------------------------------------------
def test_stop_withdraws_a_waiting_or_a_running_training_and_every_job_of_an_owner(fake):
    q = queue(fake)
    running = q.submit(spec("running"), "alice", "running")
    until(lambda: running.status == RUNNING)
    waiting = q.submit(spec("waiting"), "bob", "waiting")
    q.cancel(waiting)
    assert waiting.status == CANCELLED and q.position(waiting) == 0 and waiting.wait(0)
    assert q.cancel_owner("alice") == 1
    finished(running)
    assert running.status == CANCELLED and fake.ran == ["running"]
    q.shutdown()


def test_a_job_whose_owner_is_gone_is_cancelled(fake):
    q = queue(fake)
    tab = {"open": True}
    job = q.submit(spec("abandoned"), "s1", "abandoned", is_owner_alive=lambda: tab["open"])
    until(lambda: job.status == RUNNING)
    time.sleep(0.1)  # several watchdog rounds: an open tab keeps its run
    assert job.status == RUNNING
    tab["open"] = False  # the student closed the tab
    finished(job)
    assert job.status == CANCELLED
    q.shutdown()


def test_a_stop_by_one_owner_leaves_the_others_training_to_finish(fake):
    q = queue(fake)
    tab = {"open": True}
    alice = q.submit(spec("same"), "alice", "a", share_key="same")
    bob = q.submit(spec("same"), "bob", "b", share_key="same")
    carol = q.submit(spec("same"), "carol", "c", share_key="same", is_owner_alive=lambda: tab["open"])
    assert alice.owners == bob.owners == {"alice", "bob", "carol"} and bob.asked_by == 3
    assert bob.live is alice.live  # all watch the one training's progress
    until(lambda: alice.status == RUNNING)
    q.cancel(alice)                    # alice presses Stop
    assert alice.status == CANCELLED and alice.result is None and q.position(alice) == 0
    tab["open"] = False                # carol closes her tab: the watchdog withdraws her alone
    until(lambda: carol.done, what="the watchdog")
    assert carol.status == CANCELLED
    assert bob.status == RUNNING and not bob.cancel_event.is_set() and bob.owners == {"bob"}
    fake.release.set()
    finished(bob)
    assert bob.status == DONE and bob.result.name == "same" and fake.ran == ["same"]
    assert alice.result is None and carol.result is None  # a withdrawn owner gets nothing afterwards
    q.shutdown()


def test_when_every_owner_stops_the_training_stops_and_is_not_kept(fake):
    q = queue(fake)
    alice = q.submit(spec("same"), "alice", "a", share_key="same")
    bob = q.submit(spec("same"), "bob", "b", share_key="same")
    until(lambda: alice.status == RUNNING)
    q.cancel(alice)
    assert not bob.cancel_event.is_set()
    q.cancel(bob)
    assert bob.cancel_event.is_set()
    finished(alice, bob)
    assert alice.status == bob.status == CANCELLED and "same" not in q.results
    # Asking again trains afresh: nothing joins a stopped run, nothing cancelled was kept.
    again = q.submit(spec("same"), "alice", "again", share_key="same")
    assert not again.from_cache and again.training is not alice.training
    fake.release.set()
    finished(again)
    assert again.status == DONE and fake.ran == ["same", "same"]
    q.shutdown()


def test_a_waiting_shared_run_leaves_the_line_only_with_its_last_owner(fake):
    q = queue(fake)
    ahead = q.submit(spec("ahead"), "x", "ahead")
    until(lambda: ahead.status == RUNNING)
    alice = q.submit(spec("same", 1), "alice", "a", share_key="same")
    bob = q.submit(spec("same", 1), "bob", "b", share_key="same")
    q.cancel(alice)
    assert q.stats()["waiting"] == 1 and q.position(bob) == 1 and alice.status == CANCELLED
    q.cancel(bob)
    assert q.stats()["waiting"] == 0 and bob.status == CANCELLED
    q.shutdown()


def test_wait_wakes_when_the_training_ends_not_at_the_timeout(fake):
    q = queue(fake)
    job = q.submit(spec("run"), "a", "run")
    assert job.wait(0.05) is False  # still running: the short wait just times out
    threading.Timer(0.2, fake.release.set).start()
    t0 = time.monotonic()
    assert job.wait(60.0) is True
    assert time.monotonic() - t0 < 30.0  # woken by the end of the training, far before the 60-s timeout
    q.shutdown()


# --- kept results ------------------------------------------------------------------------------------
def test_a_finished_run_is_served_from_the_cache_without_training(fake):
    q = queue(fake)
    fake.release.set()
    first = q.submit(spec("same"), "alice", "first", share_key="same")
    finished(first)
    assert q.stats()["shared_results"] == 1 and q.stats()["shared_results_bytes"] == first.result.nbytes
    later = q.submit(spec("same"), "bob", "later", share_key="same")
    assert later.done and later.status == DONE and later.from_cache and q.position(later) == 0
    assert later.result is first.result and fake.ran == ["same"] and q.stats()["trainings_started"] == 1
    assert not later.trained_for_me  # trained for alice; alice asking again is told it was hers
    assert q.submit(spec("same"), "alice", "mine", share_key="same").trained_for_me
    q.shutdown()


def test_different_runs_and_runs_without_a_key_are_neither_shared_nor_kept(fake):
    q = queue(fake)
    fake.release.set()
    a = q.submit(spec("a", 1), "alice", "a", share_key="config A")
    b = q.submit(spec("b", 2), "bob", "b", share_key="config B")
    c, d = q.submit(spec("check"), "alice", "upload check"), q.submit(spec("check"), "alice", "upload check")
    assert a.training is not b.training and c.training is not d.training
    finished(a, b, c, d)
    assert len(fake.ran) == 4 and len(q.results) == 2 and q.stats()["trainings_started"] == 4
    q.shutdown()


def test_failed_and_starved_runs_are_never_kept(fake):
    q = queue(fake)
    fake.release.set()
    for script in ("fail", "starved"):
        first = q.submit(spec(script), "alice", script, share_key=script)
        finished(first)
        again = q.submit(spec(script), "bob", script, share_key=script)
        finished(again)
        assert not again.from_cache and script not in q.results
    assert fake.ran == ["fail", "fail", "starved", "starved"]
    q.shutdown()


def test_the_queue_keeps_no_more_results_than_its_bound(fake):
    q = queue(fake, shared_results=1)
    fake.release.set()
    for key in ("A", "B"):
        finished(q.submit(spec(key), "alice", key, share_key=key))
    assert "A" not in q.results and "B" in q.results
    assert not q.submit(spec("A"), "bob", "A again", share_key="A").from_cache
    q.shutdown()


# --- failures ----------------------------------------------------------------------------------------
def test_a_failing_run_and_a_dead_worker_report_and_the_queue_goes_on(fake):
    q = queue(fake)
    fake.release.set()
    bad, dead = q.submit(spec("fail"), "a", "bad"), q.submit(spec("die"), "b", "dead")
    finished(bad, dead)
    assert bad.status == FAILED and bad.error == "ValueError: margin must be > 0"
    assert dead.status == FAILED and dead.error == f"RuntimeError: {DEAD_WORKER}"
    assert "Traceback" in bad.live.traceback  # for the server's log, not the page
    good = q.submit(spec("good"), "a", "good")
    finished(good)
    assert good.status == DONE and good.result.name == "good"
    q.shutdown()


def test_following_a_running_training_never_formats_its_frames(fake):
    """A page polls `position` while its run trains. It once looked the training up with deque.index,
    whose miss formats the item: the repr of every live frame, for every follower, each poll."""
    q = queue(fake)
    job = q.submit(spec("big"), "a", "big", expected_seconds=10)
    until(lambda: job.status == RUNNING)
    job.training.live.frames["run"] = [np.zeros((500, 64), np.float32) for _ in range(40)]
    assert q.position(job) == 0
    assert len(repr(job.training)) < 200 and len(repr(job)) < 400
    t0 = time.perf_counter()
    for _ in range(200):
        q.position(job)
    assert time.perf_counter() - t0 < 0.5  # ~1 µs each; the formatting path took ~0.1 s per call
    q.shutdown()


# --- the thread executor's own priority (its callers run page work in its threads) ---------------------
@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="per-thread priorities are Linux's")
def test_thread_executor_trains_at_a_lower_priority_than_the_pages():
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    q = JobQueue(workers=1, worker_nice=5, owner_check_seconds=0.05)
    job = q.submit(lambda job: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), "a", "nice")
    assert job.wait(30.0) and job.result == min(19, mine + 5)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine  # the caller's thread unchanged
    q.shutdown()


# --- the cache's bounds (real numpy arrays: they count their bytes) ----------------------------------
def test_the_cache_evicts_the_least_recently_used_past_its_entry_bound():
    cache = SharedResults(max_entries=2, max_bytes=10**6)
    a, b, c = (np.zeros(100, np.uint8) for _ in range(3))
    cache.put("a", a), cache.put("b", b)
    assert cache.get("a").result is a  # "a" was just used: "b" goes first
    cache.put("c", c)
    assert "a" in cache and "c" in cache and "b" not in cache and cache.nbytes == 200


def test_the_cache_evicts_past_its_byte_bound_and_refuses_what_cannot_fit():
    cache = SharedResults(max_entries=10, max_bytes=1000)
    cache.put("a", np.zeros(400, np.uint8)), cache.put("b", np.zeros(400, np.uint8))
    cache.put("c", np.zeros(400, np.uint8))
    assert len(cache) == 2 and "a" not in cache and cache.nbytes == 800
    assert not cache.put("huge", np.zeros(1001, np.uint8)) and "huge" not in cache
    assert not cache.put("unknown size", object())
    assert size_of([np.zeros(3, np.float64), np.zeros(2, np.uint8)]) == 26  # a sweep counts its reports
    with pytest.raises(ValueError, match="max_entries"):
        SharedResults(max_entries=-1)
