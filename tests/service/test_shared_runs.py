"""Identical runs train once: owners join one training, leave it one by one, and a finished result is
served from the queue's bounded cache. Real training on 8×8 digits with 1-second budgets, real threads."""
import threading
import time

import numpy as np
import pytest

from siamese_core.service.experiment import ProgressRecorder, RunReport, load_splits, run_experiment
from siamese_core.service.jobs import CANCELLED, DONE, FAILED, RUNNING, JobQueue
from siamese_core.service.shared_results import SharedResults, size_of
from siamese_core.training import TrainConfig

CFG = TrainConfig.from_dict({"dataset": "digits", "embedding_dim": 8, "seconds": 1.0, "seed": 3})


@pytest.fixture(scope="module")
def splits():
    return load_splits(CFG)


def counted_training(splits, calls: list):
    """A page's real training run (small measurements), counting how often the queue really runs it."""
    def work(job):
        calls.append(job.id)
        return run_experiment(CFG, job.label, callbacks=[ProgressRecorder(job.live)], cancel_event=job.cancel_event,
                              splits=splits, n_pairs=400, n_projection=100)
    return work


def blocker(release: threading.Event):
    def work(job):
        while not release.is_set() and not job.cancel_event.is_set():
            time.sleep(0.005)
        return job.label
    return work


def wait(job, seconds=60.0):
    t0 = time.monotonic()
    while not job.done and time.monotonic() - t0 < seconds:
        time.sleep(0.01)
    assert job.done, f"job {job.label} still {job.status}"


def wait_running(job, seconds=10.0):
    t0 = time.monotonic()
    while job.status != RUNNING and time.monotonic() - t0 < seconds:
        time.sleep(0.005)
    assert job.status == RUNNING


@pytest.mark.slow
def test_two_owners_of_the_same_run_share_one_training(splits):
    q, calls = JobQueue(workers=1), []
    alice = q.submit(counted_training(splits, calls), "alice", "alice's run", 5, share_key="same")
    bob = q.submit(counted_training(splits, calls), "bob", "bob's run", 5, share_key="same")
    assert alice.owners == bob.owners == {"alice", "bob"} and bob.asked_by == 2
    assert bob.live is alice.live  # both watch the one training's progress
    wait(alice), wait(bob)
    assert alice.status == bob.status == DONE and len(calls) == 1
    assert isinstance(bob.result, RunReport) and bob.result is alice.result
    assert alice.result.history and alice.result.metrics["train_seconds"] > 0
    assert q.stats()["trainings_started"] == 1
    q.shutdown()


@pytest.mark.slow
def test_a_stop_by_one_owner_leaves_the_others_training_to_finish(splits):
    q, calls = JobQueue(workers=1, owner_check_seconds=0.02), []
    tab = {"open": True}
    alice = q.submit(counted_training(splits, calls), "alice", "a", 5, share_key="same")
    bob = q.submit(counted_training(splits, calls), "bob", "b", 5, share_key="same")
    carol = q.submit(counted_training(splits, calls), "carol", "c", 5, share_key="same",
                     is_owner_alive=lambda: tab["open"])
    wait_running(alice)
    q.cancel(alice)                    # alice presses Stop
    assert alice.status == CANCELLED and alice.result is None and q.position(alice) == 0
    tab["open"] = False                # carol closes her tab: the watchdog withdraws her alone
    wait(carol, 5)
    assert carol.status == CANCELLED
    assert bob.status == RUNNING and not bob.cancel_event.is_set() and bob.owners == {"bob"}
    wait(bob)
    assert bob.status == DONE and isinstance(bob.result, RunReport) and len(calls) == 1
    assert alice.result is None and carol.result is None  # a withdrawn owner gets nothing afterwards
    q.shutdown()


@pytest.mark.slow
def test_when_every_owner_stops_the_training_stops_and_is_not_kept(splits):
    q, calls = JobQueue(workers=1), []
    alice = q.submit(counted_training(splits, calls), "alice", "a", 5, share_key="same")
    bob = q.submit(counted_training(splits, calls), "bob", "b", 5, share_key="same")
    wait_running(alice)
    q.cancel(alice)
    assert not bob.cancel_event.is_set()
    q.cancel(bob)
    assert bob.cancel_event.is_set()
    wait(alice), wait(bob)
    assert alice.status == bob.status == CANCELLED and "same" not in q.results
    # Asking again trains afresh: nothing joins a stopped run, nothing cancelled was cached.
    again = q.submit(counted_training(splits, calls), "alice", "again", 5, share_key="same")
    assert not again.from_cache
    wait(again)
    assert again.status == DONE and len(calls) == 2
    q.shutdown()


def test_a_waiting_shared_run_leaves_the_line_only_with_its_last_owner():
    q = JobQueue(workers=1)
    release = threading.Event()
    ahead = q.submit(blocker(release), "x", "ahead")
    wait_running(ahead)
    alice = q.submit(blocker(release), "alice", "a", share_key="same")
    bob = q.submit(blocker(release), "bob", "b", share_key="same")
    q.cancel(alice)
    assert q.stats()["waiting"] == 1 and q.position(bob) == 1 and alice.status == CANCELLED
    q.cancel(bob)
    assert q.stats()["waiting"] == 0 and bob.status == CANCELLED
    release.set()
    wait(ahead)
    q.shutdown()


@pytest.mark.slow
def test_a_finished_run_is_served_from_the_cache_without_training(splits):
    q, calls = JobQueue(workers=1), []
    first = q.submit(counted_training(splits, calls), "alice", "first", 5, share_key="same")
    wait(first)
    assert q.stats()["shared_results"] == 1 and q.stats()["shared_results_bytes"] == first.result.nbytes
    later = q.submit(counted_training(splits, calls), "bob", "later", 5, share_key="same")
    assert later.done and later.status == DONE and later.from_cache and q.position(later) == 0
    assert later.result is first.result and len(calls) == 1 and q.stats()["trainings_started"] == 1
    assert not later.trained_for_me  # trained for alice; alice asking again would be told it was hers
    assert q.submit(counted_training(splits, calls), "alice", "mine", share_key="same").trained_for_me
    q.shutdown()


def test_failed_runs_are_never_cached():
    q, calls = JobQueue(workers=1), []

    def boom(job):
        calls.append(job.id)
        raise ValueError("margin must be > 0")
    first = q.submit(boom, "alice", "bad", share_key="same")
    wait(first)
    assert first.status == FAILED and "same" not in q.results
    second = q.submit(boom, "bob", "bad again", share_key="same")
    wait(second)
    assert second.status == FAILED and not second.from_cache and len(calls) == 2
    q.shutdown()


def test_a_run_starved_to_its_wall_clock_cap_is_never_handed_on(splits, monkeypatch):
    from siamese_core.training import budget_clock
    from siamese_core.training.state import Callback

    class Starved(Callback):  # the machine keeps the training thread waiting every step
        def on_step(self, trainer, state):
            time.sleep(0.05)
    monkeypatch.setattr(budget_clock, "WALL_CAP_FACTOR", 0.0)
    monkeypatch.setattr(budget_clock, "WALL_CAP_EXTRA", 0.4)
    cfg, calls = CFG.replace(clock="cpu"), []

    def work(job):
        calls.append(job.id)
        return run_experiment(cfg, job.label, callbacks=[Starved()], splits=splits, n_pairs=400, n_projection=100)
    q = JobQueue(workers=1)
    first = q.submit(work, "alice", "first", 5, share_key="starved")
    wait(first)
    assert first.status == DONE and first.result.metrics["stopped_because"] == "wall-clock cap"
    assert not first.result.shareable and "starved" not in q.results
    again = q.submit(work, "bob", "again", 5, share_key="starved")
    assert not again.from_cache
    wait(again)
    assert len(calls) == 2
    q.shutdown()


@pytest.mark.slow
def test_different_runs_are_not_shared(splits):
    q, calls = JobQueue(workers=1), []
    a = q.submit(counted_training(splits, calls), "alice", "a", 5, share_key="config A")
    b = q.submit(counted_training(splits, calls), "bob", "b", 5, share_key="config B")
    assert a.training is not b.training and q.stats()["following"] == 2
    wait(a), wait(b)
    assert len(calls) == 2 and a.result is not b.result and len(q.results) == 2
    q.shutdown()


def test_requests_without_a_key_are_never_shared_nor_cached():
    q = JobQueue(workers=1)
    release = threading.Event()
    a = q.submit(blocker(release), "alice", "upload check")
    b = q.submit(blocker(release), "alice", "upload check")
    assert a.training is not b.training and a.owners == {"alice"}
    release.set()
    wait(a), wait(b)
    assert a.status == b.status == DONE and len(q.results) == 0 and q.stats()["trainings_started"] == 2
    q.shutdown()


def test_positions_and_etas_count_a_shared_run_once():
    q = JobQueue(workers=1, max_waiting=2)
    release = threading.Event()
    first = q.submit(blocker(release), "x", "first", expected_seconds=10)
    wait_running(first)
    alice = q.submit(blocker(release), "alice", "shared", expected_seconds=10, share_key="same")
    bob = q.submit(blocker(release), "bob", "shared", expected_seconds=10, share_key="same")
    carol = q.submit(blocker(release), "carol", "other", expected_seconds=10)
    assert (q.position(alice), q.position(bob), q.position(carol)) == (1, 1, 2)
    assert q.eta(alice) == pytest.approx(q.eta(bob), abs=0.5)
    # carol waits for first (≈10 s left) and the one shared run (10 s), then her own 10 s: not 40.
    assert 25 < q.eta(carol) <= 30 + 1e-6
    assert q.stats()["waiting"] == 2 and q.stats()["following"] == 4
    # Joining adds no work, so it is admitted even with the line full (max_waiting = 2).
    dave = q.submit(blocker(release), "dave", "shared", expected_seconds=10, share_key="same")
    assert q.position(dave) == 1 and alice.owners == {"alice", "bob", "dave"}
    release.set()
    for j in (first, alice, bob, carol, dave):
        wait(j, 10)
    assert alice.result == "shared" and carol.result == "other"
    q.shutdown()


# --- the cache's bounds (real numpy arrays: they count their bytes) ----------------------------
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


@pytest.mark.slow
def test_the_queue_keeps_no_more_results_than_its_bound(splits):
    q, calls = JobQueue(workers=1, shared_results=1), []
    for key in ("A", "B"):
        wait(q.submit(counted_training(splits, calls), "alice", key, 5, share_key=key))
    assert "A" not in q.results and "B" in q.results
    assert not q.submit(counted_training(splits, calls), "bob", "A again", 5, share_key="A").from_cache
    q.shutdown()
