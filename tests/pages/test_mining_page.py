"""AppTest of the Triplet mining & center loss page: both tabs train through the server's queue, and the
second tab's button is read while the first tab's job is still pending."""
import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lab_ui import training_jobs

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "5_mining.py")


def by_label(elements, label):
    return next(e for e in elements if e.label == label)


def digits_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Choosing triplets", "Center loss"]
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.slider, "time budget per run (s)").set_value(1)
    return at.run()


def test_a_fresh_session_opens_on_the_nearest_pretrained_runs(atlas):
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    miners, centre = (t.info[0].value for t in at.tabs)
    assert miners == ("No pretrained result has exactly these settings, so this is the nearest one: it used dataset "
                      "Fashion-MNIST (not MNIST) and miners semi-hard (not random, semi-hard, batch-hard, hardest). "
                      "Press **Compare the miners** to train your own.")
    assert centre.endswith("it used dataset Fashion-MNIST (not MNIST) and λ values 0 (not 0, 0.01, 0.1, 1). Press "
                           "**Train one 2-D network per λ** to train your own.")
    assert list(at.tabs[0].dataframe[0].value["run"]) == ["semi-hard (pretrained)"]
    semi_hard = atlas.cell("triplet", 0.2, 32).metrics["accuracy"]
    assert at.tabs[0].dataframe[0].value["accuracy"][0] == pytest.approx(semi_hard, abs=5e-4)
    plane = atlas.cell("softmax", None, 2).metrics
    assert [c.value for c in at.tabs[1].caption if c.value.startswith("λ = 0 (pretrained)")] == [
        f"λ = 0 (pretrained): verification accuracy {plane['accuracy']:.3f}, AUC {plane['auc']:.3f}"]
    ids = [c.proto.id for c in at.get("plotly_chart")]
    assert any(i.endswith("-miners-replay") for i in ids) and any(i.endswith("-centre-0") for i in ids)
    assert "miner_runs" not in at.session_state and "centre_runs" not in at.session_state  # not the student's


@pytest.mark.slow
def test_miners_and_center_loss_train_and_show_their_results():
    at = digits_page()
    assert all(t.info[0].value.startswith("No pretrained result") for t in at.tabs)
    by_label(at.multiselect, "miners").set_value(["semi-hard", "hardest"])
    by_label(at.button, "Compare the miners").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["run"]) == ["semi-hard", "hardest negative"]
    assert all(0.0 <= a <= 1.0 for a in table["accuracy"])
    by_label(at.multiselect, "λ values").set_value([0.0, 0.1])
    by_label(at.button, "Train one 2-D network per λ").click().run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("λ = 0.0: verification accuracy") for c in captions)
    assert any(c.startswith("λ = 0.1: verification accuracy") for c in captions)
    # The student's runs took the pretrained ones' place.
    assert not [i for i in at.info if "pretrained" in i.value.lower()]
    assert not [c for c in at.caption if "(pretrained)" in c.value]
    figures = {c.proto.id.split("-", 2)[-1]: json.loads(c.proto.spec)  # by key: ids end "-<key>"
               for c in at.get("plotly_chart")}
    # The miners' active-triplet fraction on a fixed 0–1 scale, not autoscaled around a tiny dip.
    miners = next(f for f in figures.values() if "active triplets" in json.dumps(f["layout"].get("annotations")))
    assert miners["layout"]["yaxis"]["range"] == [0, 1.05]
    # Both λ planes on one scale, with their coordinates: the distance to the centre can be read and compared.
    planes = [figures[f"centre-{k}"]["layout"] for k in range(2)]
    assert planes[0]["xaxis"]["range"] == planes[1]["xaxis"]["range"] == planes[0]["yaxis"]["range"]
    assert all(p["xaxis"]["showticklabels"] and p["yaxis"]["showticklabels"] for p in planes)
    at.toggle(key="centre_one_scale").set_value(False).run()  # each plane on its own scale again
    own = [json.loads(c.proto.spec)["layout"]["xaxis"] for c in at.get("plotly_chart")
           if c.proto.id.endswith(("-centre-0", "-centre-1"))]
    assert len(own) == 2 and not any(axis.get("range") for axis in own)
    # Both replays open on the trained networks.
    for key in ("miners-replay", "centre-replay"):
        assert figures[key]["layout"]["sliders"][0]["active"] == len(figures[key]["frames"]) - 1


@pytest.mark.slow
def test_center_loss_button_works_while_a_miners_job_is_pending():
    at = digits_page()
    q = training_jobs.job_queue()
    seen = []

    def pending_miners(job):
        """Stands in for a miner comparison still in progress: it ends once a second job of this
        session is in the queue (or after 60 s, which is the bug: nothing else got queued)."""
        deadline = time.monotonic() + 60
        while q.stats()["waiting"] + q.stats()["running"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        seen.append(q.stats()["waiting"] + q.stats()["running"])
        return []

    at.session_state["miners"] = q.submit(pending_miners, owner="test", label="miners (pending)")
    by_label(at.multiselect, "λ values").set_value([0.0])
    by_label(at.button, "Train one 2-D network per λ").click().run()
    assert not at.exception
    assert seen == [2], "the center-loss job was not queued while the miners job was pending"
    assert any(c.value.startswith("λ = 0.0: verification accuracy") for c in at.caption)


@pytest.mark.slow
def test_the_collapse_preset_shows_its_miners_and_margin_in_the_controls():
    """The controls show what the results below them used: the preset's margin, not the slider's old one."""
    from siamese_core.lessons import experiments as ex

    at = digits_page()
    by_label(at.button, "Show me collapse").click().run()
    assert not at.exception
    assert at.slider(key="mining_margin").value == ex.COLLAPSE_PRESET.margin
    assert at.multiselect(key="mining_miners").value == list(ex.COLLAPSE_MINERS)
    assert at.query_params["margin"] == str(ex.COLLAPSE_PRESET.margin)
    assert {r.config["margin"] for r in at.session_state["miner_runs"]} == {ex.COLLAPSE_PRESET.margin}
