"""`python -m benchmarks list` and `run NAME`: every benchmark module is found from its own declarations, and a
run goes to that module's main and writes the result envelope."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks import runner
from benchmarks.docs_figures import ROOT


def test_every_benchmark_declares_its_name_summary_and_main_in_its_own_module():
    found = runner.registry()
    assert {"load-test", "threads", "live-training", "heldout", "gpu-compare"} <= set(found)
    for name, module in found.items():
        assert module.__name__ == "benchmarks." + name.replace("-", "_")
        assert callable(module.main)
        assert module.SUMMARY and "\n" not in module.SUMMARY


def test_list_shows_one_line_per_benchmark(capsys):
    assert runner.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(runner.registry())
    assert any(line.startswith("threads ") and "torch thread" in line for line in lines)


def test_run_name_help_shows_that_benchmark_s_options(capsys):
    with pytest.raises(SystemExit) as done:
        runner.main(["run", "threads", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m benchmarks run threads") and "--busy" in out and "--out" in out


def test_an_unknown_name_gets_one_sentence_and_runs_nothing(capsys):
    assert runner.main(["run", "no-such-benchmark"]) == 2
    assert capsys.readouterr().err.strip() == ("There is no benchmark named 'no-such-benchmark'; "
                                               "`python -m benchmarks list` shows them.")
    assert runner.main([]) == 2


@pytest.mark.slow  # a fresh Python that imports torch: about 5 s
def test_a_run_writes_the_envelope_with_the_command_that_made_it(tmp_path):
    # gpu-compare reads `python -m siamese_core train --json` output: the fields that command prints.
    def run(device: str, steps: int) -> str:
        path = tmp_path / f"{device}.json"
        path.write_text(json.dumps({"device": device, "steps": steps, "train_seconds": 10.0, "threads": 1,
                                    "images_per_step": 128}))
        return str(path)
    out = tmp_path / "throughput.json"
    argv = ["run", "gpu-compare", f"fashion={run('cuda', 400)}:{run('cpu', 100)}", "--out", str(out)]
    done = subprocess.run([sys.executable, "-m", "benchmarks", *argv], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    blob = json.loads(out.read_text())
    assert blob["command"].startswith("python -m benchmarks.gpu_compare fashion=")
    assert set(blob["conditions"]) == {"before", "after"}
    assert blob["figures"]["fashion"]["gpu_over_cpu"] == 4.0


def test_every_block_is_declared_once_and_quotes_files_of_this_repository():
    blocks = runner.all_blocks()
    assert {"headline", "threads", "load-test-cluster", "one-shot-training"} <= set(blocks)
    for name, block in blocks.items():
        assert block.sources and all(not s.startswith("/") for s in block.sources), name
        assert all((ROOT / s).is_file() for s in block.sources), name
