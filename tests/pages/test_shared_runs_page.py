"""The class trains together: students who press Train with exactly the same settings share one training
(or a result kept from it), yet each gets their own report object under their own run name."""
import dataclasses
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lab_ui import class_board, training_jobs
from siamese_core.training import TrainConfig
from tests.pages.at_once import run_at_once

LOSSES = str(Path(__file__).resolve().parents[2] / "app_pages" / "3_losses.py")
SEED = 11  # a config no other page test trains: the server's result cache lives as long as the process


def by_label(elements, label):
    return next(e for e in elements if e.label == label)


def student() -> AppTest:
    at = AppTest.from_file(LOSSES, default_timeout=600).run()
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.slider, "time budget (s)").set_value(5)
    by_label(at.sidebar.select_slider, "embedding size").set_value(16)
    by_label(at.sidebar.number_input, "seed").set_value(SEED)
    return at.run()


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


@pytest.mark.slow
def test_two_students_asking_for_the_same_run_train_it_once_and_each_get_their_own_copy(monkeypatch):
    fresh = class_board.ClassBoard(clean=class_board.clean)  # not the process's board, which other tests share to
    monkeypatch.setattr(class_board, "board", lambda: fresh)
    q = training_jobs.job_queue()
    alice, bob = student(), student()
    seen = []

    def another_students_run(job):
        """Holds the worker until both requests are in: the two must then wait as one training."""
        deadline = time.monotonic() + 120
        while q.stats()["following"] < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        seen.append(q.stats())

    started = q.stats()["trainings_started"]
    q.submit(another_students_run, owner="another student", label="another run")
    run_at_once(*(by_label(s.sidebar.button, "Train").click().run for s in (alice, bob)))
    # Three requests, two trainings (the other student's and one for both students), whether the second
    # waits for a worker or runs on another one.
    assert seen and seen[0]["waiting"] + seen[0]["running"] == 2 and seen[0]["following"] == 3
    assert q.stats()["trainings_started"] == started + 2  # the other student's run and this one
    (mine,), (theirs,) = alice.session_state["runs"], bob.session_state["runs"]
    for at in (alice, bob):
        assert not at.exception and not at.error
        assert "2 students asked for this exact run: it trained once" in captions(at)
    assert mine is not theirs and alice.session_state["runs"] is not bob.session_state["runs"]
    assert mine.test_scores is theirs.test_scores  # one training behind both copies
    label = mine.name
    assert label.startswith("Contrastive") and theirs.name == label

    # Bob asks again: served from the server's kept result, under a name of his own; Alice's is untouched.
    by_label(bob.sidebar.button, "Train").click().run()
    assert not bob.exception and "was trained earlier for you" in captions(bob)
    assert [r.name for r in bob.session_state["runs"]] == [label, f"{label} (2)"]
    again = bob.session_state["runs"][-1]
    assert again is not theirs and again is not mine and mine.name == label
    assert list(bob.dataframe[0].value["run"]) == [label, f"{label} (2)"]
    # A third student gets it at once too, told it was trained for someone else.
    carol = student()
    by_label(carol.sidebar.button, "Train").click().run()
    assert not carol.exception and "was trained earlier for another student" in captions(carol)
    (hers,) = carol.session_state["runs"]
    assert hers.name == label and hers is not mine and hers is not theirs and hers is not again
    assert q.stats()["trainings_started"] == started + 2
    # On the class board (every student shares by default) the one run is one entry, with each student once.
    names = [at.session_state["_board_nickname"] for at in (alice, bob, carol)]
    (entry,) = [e for e in class_board.board().view().entries if set(e.nicknames) & set(names)]
    assert entry.count == 3 and sorted(entry.nicknames) == sorted(names)


def cfg(**changes) -> TrainConfig:
    return TrainConfig.from_dict({"dataset": "digits", "loss": "contrastive", "embedding_dim": 16, "seconds": 5.0,
                                  "seed": 0, **changes})


def test_the_share_key_tells_exactly_the_same_run_apart_from_any_other():
    key = training_jobs.run_share_key("run", [cfg()], n_projection=1000)
    assert key == training_jobs.run_share_key("run", [cfg()], n_projection=1000)  # stable, order-free
    others = [training_jobs.run_share_key("run", [c], n_projection=1000)
              for c in (cfg(seed=1), cfg(seconds=6.0), cfg(margin=0.5), cfg(embedding_dim=8), cfg(dataset="mnist"),
                        cfg(epochs=3))]
    others += [training_jobs.run_share_key("run", [cfg()], n_projection=100),   # measured differently
               training_jobs.run_share_key("sweep", [cfg()], n_projection=1000),
               training_jobs.run_share_key("sweep", [cfg(), cfg(seed=1)], n_projection=1000)]
    assert key not in others and len(set(others)) == len(others)


def test_sharing_can_be_switched_off(monkeypatch):
    monkeypatch.setattr(training_jobs, "SETTINGS", dataclasses.replace(training_jobs.SETTINGS, share_runs=False))
    assert training_jobs.run_share_key("run", [cfg()], n_projection=1000) is None
