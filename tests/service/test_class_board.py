"""The class board's store: bounds and oldest-first eviction, identical runs once with a count, nicknames made
plain text and unique, the instructor's key (constant-time compare, wrong attempts logged), and its size."""
from __future__ import annotations

import logging
import threading

import numpy as np
import pytest

from lab_ui.plain_text import clean, shown
from siamese_core.service.class_board import MAP_POINTS, NICKNAME_LIMIT, ClassBoard, WrongKey, run_settings
from siamese_core.service.experiment import RunReport


def report(margin: float = 0.5, loss: str = "contrastive", accuracy: float = 0.9, n_points: int = 1000,
           seed: int = 0) -> RunReport:
    rng = np.random.default_rng(seed)
    same = np.arange(2000) % 2 == 0
    scores = np.where(same, -0.3, -0.9) + 0.1 * rng.standard_normal(2000)
    return RunReport(
        name="run", config={"dataset": "digits", "loss": loss, "margin": margin, "embedding_dim": 8,
                            "miner": "semi-hard", "center_lambda": 0.01, "seconds": 5.0},
        metrics={"accuracy": accuracy, "auc": 0.95, "eer": 0.08, "threshold": -0.6, "train_seconds": 5.1,
                 "embedding_dim": 8},
        history=[], val_history=[], test_scores=scores.astype(np.float32), test_same=same, examples=[],
        projection=rng.standard_normal((n_points, 2)).astype(np.float32),
        projection_labels=rng.integers(0, 10, n_points), projection_index=np.arange(n_points),
        class_names=[str(k) for k in range(10)], score_is_probability=False)


def test_an_entry_keeps_small_arrays_and_the_settings_the_loss_uses():
    board = ClassBoard()
    e = board.add(report(), "Quiet Otter", "k1")
    assert e.map_points.dtype == np.float16 and e.map_points.shape == (MAP_POINTS, 2)
    assert e.hist_same.sum() == 1000 and e.hist_diff.sum() == 1000  # every test pair in one bin
    assert e.hist_same.argmax() < e.hist_diff.argmax()  # same-class pairs lie closer: distances, not scores
    assert e.settings == {"dataset": "digits", "loss": "contrastive", "margin": 0.5, "embedding_dim": 8,
                          "miner": None, "center_lambda": None, "seconds": 5.0}
    assert e.metrics == {"accuracy": 0.9, "auc": 0.95, "eer": 0.08, "seconds": 5.1}
    assert 2_000 < e.nbytes < 6_000  # a few KB, whatever the run
    assert run_settings({"loss": "triplet", "margin": None, "miner": "hardest"})["margin"] is not None
    assert run_settings({"loss": "bce-concat", "margin": 0.3})["margin"] is None


def test_the_board_keeps_its_capacity_oldest_out_and_its_version_moves():
    board = ClassBoard(capacity=3)
    versions = [board.version]
    for k in range(5):
        board.add(report(margin=0.1 * (k + 1)), f"student {k}", f"key{k}")
        versions.append(board.version)
    view = board.view()
    assert [e.nicknames[0] for e in view.entries] == ["student 4", "student 3", "student 2"]  # newest first
    assert len(set(versions)) == len(versions)
    assert view.nbytes == sum(e.nbytes for e in view.entries)


def test_two_hundred_runs_fit_in_under_a_megabyte():
    board = ClassBoard(capacity=200)
    for k in range(250):
        board.add(report(seed=k), f"student {k}", f"key{k}")
    view = board.view()
    assert len(view.entries) == 200 and view.nbytes < 2**20


def test_identical_runs_are_one_entry_with_a_count_each_nickname_once():
    board = ClassBoard()
    board.add(report(), "Quiet Otter", "same")
    board.add(report(), "Brave Heron", "same")
    board.add(report(), "Brave Heron", "same")  # the same student again: counted once
    board.add(report(), "Calm Lynx", None)       # no share key (sharing off): never merged
    entries = board.view().entries
    assert len(entries) == 2
    merged = next(e for e in entries if e.key == "same")
    assert merged.count == 2 and merged.nicknames == ("Quiet Otter", "Brave Heron")
    assert merged.nickname == "Quiet Otter +1"


@pytest.mark.parametrize("typed", ["**bold** <b>x</b> $x$ :smile:", "\u202eevil\u202c right-to-left",
                                   "tab\tand\nnewline\x00 control", "x" * 500])
def test_nicknames_are_plain_clipped_text(typed):
    board = ClassBoard(clean=clean)
    name = board.claim_nickname("t1", typed)
    assert name is not None and len(name) <= NICKNAME_LIMIT
    assert not any(ch in name for ch in "\u202e\u202c\t\n\x00")
    # as the pages show it: every Markdown character escaped
    assert "\\*\\*bold\\*\\*" in shown(name) or "*" not in name


def test_a_nickname_that_copies_another_gets_a_suffix_and_an_empty_one_changes_nothing():
    board = ClassBoard(clean=clean)
    assert board.claim_nickname("a", "Quiet Otter") == "Quiet Otter"
    assert board.claim_nickname("a", "Quiet Otter") == "Quiet Otter"  # one's own name again
    assert board.claim_nickname("b", "Quiet Otter") == "Quiet Otter (2)"
    assert board.claim_nickname("c", " Quiet  Otter ") == "Quiet Otter (3)"
    assert board.claim_nickname("d", "y" * 40) == "y" * (NICKNAME_LIMIT - 1) + "…"
    assert board.claim_nickname("e", "y" * 40).endswith(" (2)")
    assert len(board.claim_nickname("e", "y" * 40)) <= NICKNAME_LIMIT
    assert board.claim_nickname("b", "  \u200b\t ") is None


def test_the_instructor_key_opens_clear_hide_and_pin_and_a_wrong_one_is_logged(caplog):
    board = ClassBoard(key="s3cret")
    a = board.add(report(margin=0.2), "A", "a")
    b = board.add(report(margin=0.4), "B", "b")
    board.add(report(margin=0.6), "C", "c")
    version = board.version
    with caplog.at_level(logging.WARNING, logger="siamese_lab.board"):
        for wrong in ("s3cre", "s3cret ", "", None):
            with pytest.raises(WrongKey, match="not the instructor's key"):
                board.clear(wrong)
    assert sum("wrong instructor key" in r.message for r in caplog.records) == 4
    assert board.version == version and len(board.view().entries) == 3
    board.pin("s3cret", [a.id, b.id])
    assert [e.nicknames[0] for e in board.view().pinned] == ["A", "B"]
    board.hide("s3cret", a.id)
    view = board.view()
    assert [e.nicknames[0] for e in view.entries] == ["C", "B"] and [e.nicknames[0] for e in view.pinned] == ["B"]
    board.clear("s3cret")
    assert board.view().entries == () and board.version > version


def test_without_a_key_set_nobody_can_clear():
    board = ClassBoard(key="")
    board.add(report(), "A", "a")
    assert not board.has_key and not board.check_key("") and not board.check_key(None)
    with pytest.raises(WrongKey):
        board.clear("")
    assert len(board.view().entries) == 1


def test_adds_from_many_threads_keep_the_bound():
    board = ClassBoard(capacity=50)

    def share(k0):
        for k in range(k0, k0 + 40):
            board.add(report(seed=k, n_points=50), f"s{k}", f"key{k}")

    threads = [threading.Thread(target=share, args=(40 * t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(board.view().entries) == 50 and board.version == 160
