"""The cluster load test: its figures block from reports of the load test's real shape, and a small class
played through a real local cluster."""
from __future__ import annotations

import json
import os

import pytest

from benchmarks import cluster_load_test, load_test
from benchmarks.results import conditions, write_result


def class_report(last_result: float, latency: float) -> dict:
    """load_test.report of five trainers (results at 10, 20, … s) and one student who browses."""
    students = [load_test.Student(k, trainer=k < 5, browser=k == 5) for k in range(6)]
    for k, s in enumerate(students):
        s.first_render, s.latencies = 0.5, [(1.0, latency, "open Home")]
        if s.trainer:
            s.run_result, s.result_at, s.run_seconds = "done", last_result * (k + 1) / 5, 8.0
    sampler = load_test.Sampler(os.getpid())
    sampler.rss, sampler.cpu, sampler.rss_warm = [400 * 2**20], [60.0], 300 * 2**20

    class Args:
        sessions, trainers, budget, generator_nice, same_config = 6, 5, 5, 10, 0
    report = load_test.report(students, sampler, 100 * 2**20, 0.0, 70.0, Args)
    report["load_before"] = {"load1": 0.5, "waited_s": 0, "quiet": True, "threshold": 1.2}  # as load_test.main adds
    return report


def test_the_block_sets_the_two_queues_side_by_side_and_reckons_one_more_worker(tmp_path):
    builtin, cluster = class_report(50.0, 0.6), class_report(30.0, 0.4)
    builtin["cluster"] = None
    cluster["cluster"] = {"workers": 2, "threads_per_worker": 1, "worker_nice": 10}
    paths = [write_result(tmp_path / f"{name}.json", "python -m benchmarks.cluster_load_test", r, conditions())
             for name, r in (("builtin", builtin), ("cluster", cluster))]
    text = cluster_load_test.BLOCKS["load-test-cluster"].render(*(json.loads(p.read_text()) for p in paths))
    assert "| class start → all 5 results shown | 50.0 s | 30.0 s |" in text
    assert "| median interaction → page settled | 0.60 s | 0.40 s |" in text
    # Results at 6, 12, … 30 s: the first round (2 runs) ends at 12 s, the two later ones take 9 s each; on
    # 3 workers the 5 runs need 2 rounds: 12 + 9 = 21 s.
    assert "train in 2 rounds of 3 instead of 3 rounds of 2" in text and "about **21 s** instead of 30 s" in text
    assert "not the quiet machine" not in text


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.cluster
def test_a_small_class_trains_through_a_local_cluster(tmp_path):
    """The load test's class (one student in Chromium, two protocol sessions, one of them trains) played through
    one cluster worker: what it reports must be what happened."""
    pytest.importorskip("distributed")
    out = tmp_path / "cluster.json"
    r = cluster_load_test.main(["--workers", "1", "--sessions", "3", "--trainers", "1", "--browsers", "1",
                                "--max-seconds", "300", "--think", "1", "2", "--out", str(out)])
    assert r["cluster"] == {"workers": 1, "threads_per_worker": 1, "worker_nice": 10}
    assert r["config"]["browsers"] == 1 and r["config"]["sessions"] == 3
    assert r["sessions_ok"] == 3, r["sessions_failed"]
    assert r["runs_completed"] == 1 and r["runs_failed"] == [] and len(r["run_seconds"]) == 1 and r["all_results_s"]
    assert r["interactions"] > 0 and 0 < r["latency_s"]["p50"] <= r["latency_s"]["max"]
    assert set(r["latency_p50_by_client_s"]) == {"chromium", "protocol"}
    assert r["server_rss_mb"]["peak"] >= r["server_rss_mb"]["warm"] > 0
    assert json.loads(out.read_text())["command"].startswith("python -m benchmarks.cluster_load_test --workers 1")
    assert "SIAMESE_LAB_SCHEDULER" not in os.environ  # the wrapper leaves the test process as it found it
