"""`--out FILE.json` of the benchmarks and the JSON beside the checkpoints: what the commands really write,
with the conditions they ran under, and what the docs' blocks make of it."""
from __future__ import annotations

import json
import os

import pytest
import torch

from benchmarks import load_test, threads
from benchmarks.docs_figures import ROOT
from benchmarks.results import conditions, write_result
from benchmarks.runner import all_blocks
from benchmarks.training_record import training_record


def data_args(load) -> list[str]:
    """--data-dir for the commands; skips (with the reason) when Fashion-MNIST is not in the data folder."""
    load("fashion-mnist", "test")
    folder = os.environ.get("SIAMESE_LAB_DATA")
    return ["--data-dir", folder] if folder else []


def render(name: str, *paths) -> str:
    return all_blocks()[name].render(*(json.loads(p.read_text()) for p in paths))


def test_a_result_file_holds_the_command_the_conditions_and_the_figures(tmp_path):
    before = conditions()
    path = write_result(tmp_path / "sub" / "r.json", "python -m benchmarks.x --out r.json", {"speedup": 1.5}, before)
    blob = json.loads(path.read_text())
    assert blob["command"] == "python -m benchmarks.x --out r.json" and blob["figures"] == {"speedup": 1.5}
    for when in ("before", "after"):
        c = blob["conditions"][when]
        assert c["cpu_count"] == os.cpu_count() and len(c["loadavg"]) == 3 and c["torch"] and c["date"][:2] == "20"


@pytest.mark.slow
def test_the_thread_benchmark_writes_its_figures_and_the_docs_quote_them(tmp_path, load):
    out = tmp_path / "threads.json"
    torch.set_num_threads(1)  # the count a test worker has beside another (tests/conftest.py restores its own)
    assert threads.main(["--steps", "2", "--repeats", "1", *data_args(load), "--out", str(out)]) == 0
    assert torch.get_num_threads() == 1  # it measured with 1 and with every core, then gave the count back
    blob = json.loads(out.read_text())
    assert blob["command"].startswith("python -m benchmarks.threads --steps 2")
    ms = blob["figures"]["ms_per_step"]
    assert set(ms) == {"1", str(os.cpu_count() or 1)}  # one thread and all of them
    text = render("threads", out)
    assert f"{ms['1']:.1f} ms" in text and f"{blob['figures']['ratio_many_over_one']:.2f}×" in text
    tsne = blob["figures"]["tsne_s"]  # the page's map (tsne_2d) on the same thread counts
    assert set(tsne) == set(ms) and all(s > 0 for s in tsne.values()) and f"{tsne['1']:.2f} s" in text


def test_the_load_test_report_renders_from_its_real_shape(tmp_path):
    # The report is built by load_test.report from real Student records and a real sampler of this process.
    students = [load_test.Student(k, trainer=k == 0, browser=k == 1) for k in range(3)]
    for k, s in enumerate(students):
        s.first_render = 0.5 + k
        s.latencies = [(1.0 + k, 0.2 + 0.1 * k, "open Home"), (2.0 + k, 0.4, "margin slider")]
    students[0].run_result, students[0].run_seconds = "done", 42.0
    sampler = load_test.Sampler(os.getpid())
    sampler.rss, sampler.cpu = [300 * 2**20, 400 * 2**20], [50.0]
    sampler.rss_warm = 250 * 2**20

    class Args:
        sessions, trainers, budget, generator_nice, same_config = 3, 1, 5, 10, 0
    report = load_test.report(students, sampler, 100 * 2**20, 0.0, 60.0, Args)
    out = write_result(tmp_path / "load.json", "python -m benchmarks.load_test", report, conditions())
    text = render("load-test", out)
    assert "3 students (1 in Chromium), 1 training" in text
    assert "sessions: 3 ok, 0 failed; runs: 1 completed, 0 failed" in text
    assert "about **50 MB per student**" in text  # (400 − 250) MB over 3 sessions
    assert "last 42 s" in text and "Class board" not in text
    # With --board: how soon the shared run reached the board after the student's result.
    students[0].result_at = 10.0
    Args.board, Args.board_arrivals, Args.board_protocol_arrivals, Args.board_renderer = True, [10.4], [10.1], [3.0]
    report = load_test.report(students, sampler, 100 * 2**20, 0.0, 60.0, Args)
    text = render("load-test", write_result(tmp_path / "board.json", "python -m benchmarks.load_test --board", report,
                                            conditions()))
    assert ("the Class board (--board): 1 shared run reached it; the server had each on the board at most 0.1 s "
            "after the student's result") in text
    assert "the generator's Chromium drew it at most 0.4 s after (median 0.4 s; goal ≤ 2 s ✓), its renderer busy 3 s" \
        in text


@pytest.mark.slow
def test_each_training_record_is_what_the_command_writes_from_its_checkpoint():
    for record in sorted(ROOT.glob("assets/*.train.json")):
        checkpoint = ROOT / "assets" / record.name.replace(".train.json", ".pt")
        fresh = json.loads(json.dumps(training_record(checkpoint.relative_to(ROOT)), default=float))
        assert fresh == json.loads(record.read_text()), record.name


@pytest.mark.slow
def test_an_evaluation_json_is_what_evaluate_writes(capsys, load, monkeypatch):
    from siamese_core.cli import main
    monkeypatch.chdir(ROOT)  # the stored file names its checkpoint relative to the repository
    assert main(["evaluate", "assets/fashion_triplet.pt", "--task", "verification", "--json", *data_args(load)]) == 0
    fresh = json.loads(capsys.readouterr().out)
    stored = json.loads((ROOT / "assets/fashion_triplet.eval.json").read_text())
    assert {k: v for k, v in fresh.items() if k != "seconds"} == pytest.approx(
        {k: v for k, v in stored.items() if k != "seconds"})
