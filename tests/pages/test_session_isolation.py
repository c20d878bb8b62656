"""Two students at once on the Losses page: both press Train in the same moment, share the one queue,
and each sees only their own run."""
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from lab_ui.shared import dataset
from tests.pages.at_once import run_at_once

LOSSES = str(Path(__file__).resolve().parents[2] / "app_pages" / "3_losses.py")


def by_label(elements, label):
    return next(e for e in elements if e.label == label)


def student(loss: str) -> AppTest:
    at = AppTest.from_file(LOSSES, default_timeout=600).run()
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.selectbox, "loss").set_value(loss)
    by_label(at.sidebar.slider, "time budget (s)").set_value(5)
    by_label(at.sidebar.select_slider, "embedding size").set_value(4)
    return at.run()


@pytest.mark.slow
def test_two_concurrent_sessions_never_see_each_others_runs():
    shared = [dataset("digits", split, None) for split in ("train", "test")]   # the server's one copy
    pristine = [(d.images.clone(), d.labels.clone()) for d in shared]
    alice, bob = student("triplet"), student("contrastive")
    run_at_once(*(by_label(s.sidebar.button, "Train").click().run for s in (alice, bob)))
    for at, mine, theirs in ((alice, "Triplet", "Contrastive"), (bob, "Contrastive", "Triplet")):
        assert not at.exception and not at.error  # the Train run lasted until the result was shown
        names = list(at.dataframe[0].value["run"])
        assert len(names) == 1 and names[0].startswith(mine), names
        assert [r.name for r in at.session_state["runs"]] == names
        assert by_label(at.selectbox, "run").options == names  # nothing of theirs to pick either
        assert not any(o.startswith(theirs) for o in by_label(at.multiselect, "two runs").options)
    # Both trained on the one shared copy of the data and left it as it was.
    for split, d, (images, labels) in zip(("train", "test"), shared, pristine):
        assert dataset("digits", split, None) is d
        assert torch.equal(d.images, images) and torch.equal(d.labels, labels)
    # A third student arriving now sees no run of theirs: the pretrained one.
    carol = AppTest.from_file(LOSSES, default_timeout=600).run()
    assert carol.info[0].value.startswith("Pretrained for these settings") and not carol.dataframe
