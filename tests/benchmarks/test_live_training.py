"""The pure parts of benchmarks/live_training.py: the movement ratio on hand-built layouts, which frames
are compared, the summaries, and the goal table."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from benchmarks.live_training import GOALS, figures_table, movement_ratio, picked_frames, summary
from benchmarks.results import quiet


def ring(n: int = 50, turn: float = 0.0, scale: float = 1.0) -> np.ndarray:
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False) + turn
    return scale * np.stack([np.cos(angle), np.sin(angle)], 1)


def test_a_map_that_only_grows_does_not_move_and_a_shuffled_one_does():
    rng = np.random.default_rng(0)
    stable = [ring(scale=s) for s in (1.0, 2.0, 5.0)]          # same shape, bigger spread: unit RMS → still
    jumpy = [ring()[rng.permutation(50)] for _ in range(3)]     # every point somewhere else each frame
    r = movement_ratio(stable, jumpy)
    assert r["stable_mean"] == pytest.approx(0.0, abs=1e-12)
    assert r["tsne_mean"] > 1.0 and r["ratio"] == pytest.approx(0.0, abs=1e-12) and r["pairs"] == 2


def test_the_ratio_is_the_mean_displacement_of_one_over_the_other():
    # A quarter turn moves every point of a unit ring by √2; a 1/12 turn by 2·sin(15°).
    small = [ring(), ring(turn=np.pi / 6)]
    big = [ring(), ring(turn=np.pi / 2)]
    r = movement_ratio(small, big)
    assert r["stable_mean"] == pytest.approx(2 * np.sin(np.pi / 12))
    assert r["tsne_mean"] == pytest.approx(np.sqrt(2))
    assert r["ratio"] == pytest.approx(2 * np.sin(np.pi / 12) / np.sqrt(2))


def test_movement_needs_two_layouts_of_each():
    with pytest.raises(ValueError, match="same number"):
        movement_ratio([ring()], [ring()])
    with pytest.raises(ValueError, match="same number"):
        movement_ratio([ring(), ring()], [ring()])


def test_picked_frames_are_consecutive_pairs_spread_over_the_run():
    assert picked_frames(1, 5) == []
    assert picked_frames(3, 5) == [0, 1, 2]                      # fewer frames than pairs: all of them
    picked = picked_frames(40, 4)
    assert picked[0] == 0 and picked[-1] == 39 and len(picked) == 8
    assert all(b == a + 1 for a, b in zip(picked[::2], picked[1::2]))


def test_summary_and_the_goal_table():
    assert summary([0.3, 0.1, 0.2]) == {"median": 0.2, "max": 0.3, "min": 0.1, "runs": [0.3, 0.1, 0.2]}
    f = {"first_frame_s": summary([1.0, 1.5, 3.0]), "report_s": summary([1.2, 1.4, 2.0]), "cold_first_frame_s": 2.5,
         "replay_s": summary([1.5, 1.6]), "live_chart_mounts": summary([3, 3, 6]), "blank_samples": summary([0, 0, 0]),
         "undrawn_samples": summary([1, 0, 2]), "chromium_cpu_share": summary([0.3, 0.1, 0.15]),
         "frame_share": summary([0.05, 0.12]), "movement_ratio": {"ratio": 0.1}}
    rows = {name.split(" (")[0]: (value, met) for name, value, _, met in figures_table(f)}
    assert rows["click on Train → first live frame on the page"] == ("1.50 s", False)
    assert rows["end of training → full report on the page"] == ("1.40 s", False)
    assert rows["time on frames, share of the run"] == ("8.5% / 12.0%", False)  # the worst run counts
    assert rows["map movement per frame vs a t-SNE per frame"] == ("0.100", True)
    assert rows["the first click on a fresh server → first live frame"] == ("2.50 s", True)
    assert rows["live charts mounted while following a run"] == ("6", False)  # one chart remounted three times
    assert rows["samples with a drawn live chart blank"] == ("0", True)
    assert rows["Chromium's CPU from the first live frame to the end of training, share of one core"] == ("15%", True)
    frames_only = {"frame_share": f["frame_share"], "movement_ratio": f["movement_ratio"]}  # `--skip page`
    assert {name for name, *_ in figures_table(frames_only)} == {
        "time on frames, share of the run (median / max)", "map movement per frame vs a t-SNE per frame"}
    assert set(GOALS) == {"first_frame_s", "cold_first_frame_s", "report_s", "frame_share", "movement_ratio",
                          "chart_remounts", "blank_samples", "chromium_cpu_share"}
    assert quiet(1.1, 1.2) and not quiet(1.2, 1.2)


@pytest.mark.slow  # a fresh Python that imports torch: about 5 s
def test_the_report_hook_logs_each_report_and_imports_nothing_itself(tmp_path):
    """The live-training benchmark's sitecustomize: it must not import the trainer at interpreter start (the
    server would load torch before its first visitor), yet log every report once the trainer is imported."""
    import subprocess
    import sys

    from benchmarks.live_training import HOOK

    log = tmp_path / "ends.log"
    (tmp_path / "sitecustomize.py").write_text(HOOK.format(log=str(log)))
    check = ("import sys\n"
             "assert 'siamese_core.service.experiment' not in sys.modules, 'imported at interpreter start'\n"
             "from siamese_core.service import experiment\n"
             "try:\n    experiment.report_for()  # logged, then refused: no arguments\n"
             "except TypeError:\n    pass\n")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", check], check=True, cwd=root,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(root)])})
    assert len(log.read_text().split()) == 1
