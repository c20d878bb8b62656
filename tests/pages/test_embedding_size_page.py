"""AppTest of the Embedding size page: a two-size sweep on digits through the server's queue."""
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.explore import chart_specs, open_explore, replay_spec

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "4_embedding_size.py")


def by_label(elements, label):
    return next(e for e in elements if e.label == label)


def test_default_view_opens_on_the_pretrained_sweep_and_refuses_a_single_size(atlas):
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    assert at.info[0].value == "Pretrained for these settings — press **Run the sweep** to train your own."
    assert at.main.header[0].value == "Pretrained sweep · contrastive · m=1"
    table = at.dataframe[0].value
    assert list(table["D"]) == [2, 4, 8, 32, 128]
    assert list(table["accuracy"]) == [round(r.metrics["accuracy"], 4) for r in atlas.sizes("contrastive", 1.0)]
    assert any("Verification versus embedding size" in s for s in chart_specs(at))
    by_label(at.sidebar.multiselect, "sizes D").set_value([8])
    by_label(at.sidebar.button, "Run the sweep").click().run()
    assert any("at least two sizes" in w.value for w in at.warning) and "sweep" not in at.session_state
    assert at.info[0].value.endswith("it used sizes 2, 4, 8, 32, 128 (not 8). Press **Run the sweep** to train "
                                     "your own.")  # still the pretrained sweep, saying it is not what was asked


@pytest.mark.slow
def test_embedding_size_sweep_shows_accuracy_per_size():
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.multiselect, "sizes D").set_value([16, 2])
    by_label(at.sidebar.slider, "time budget per size (s)").set_value(1)
    assert at.main.header[0].value.startswith("Pretrained sweep")
    by_label(at.sidebar.button, "Run the sweep").click().run()
    assert not at.exception
    assert not at.subheader and not [i for i in at.info if "pretrained" in i.value.lower()]  # the student's sweep
    table = at.dataframe[0].value
    assert list(table["D"]) == [2, 16]  # sorted, whatever order they were picked in
    assert all(0.5 < a <= 1 for a in table["accuracy"])
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("raw 2-D embedding plane" in t for t in titles) and any("aligned PCA" in t for t in titles)
    replay = [t for t in titles if '"frames"' in t and "Play" in t]  # the sweep's replay, sizes in lockstep
    assert len(replay) == 1
    assert any("Training speed" in t for t in titles) and any("Verification versus embedding size" in t for t in titles)


# --- explore mode: every size of one (loss, margin) from the committed atlas (assets/atlas/) -------------

def explore(**url) -> AppTest:
    return open_explore(PAGE, **url)


@pytest.mark.slow
def test_explore_mode_shows_every_size_and_follows_the_margin(atlas):
    at = explore(loss="triplet")
    assert at.main.header[0].value == "Pretrained sweep · triplet · m=0.2"
    assert any(atlas.command in c.value for c in at.caption if c.value.startswith("pretrained: "))
    table = at.dataframe[0].value
    assert list(table["D"]) == [2, 4, 8, 32, 128]
    assert list(table["accuracy"]) == [round(r.metrics["accuracy"], 4) for r in atlas.sizes("triplet", 0.2)]
    specs = chart_specs(at)
    scores = next(json.loads(s) for s in specs if "Verification versus embedding size" in s)
    assert scores["encoding"]["x"]["axis"]["values"] == [2, 4, 8, 32, 128]  # ticks at the swept sizes
    replay = [s for s in specs if '"frames"' in s and "Play" in s]
    assert len(replay) == 1 and all(f'"D={d}"' in replay[0] for d in (2, 4, 8, 32, 128))  # all sizes in lockstep
    opened = replay_spec(at)  # on every size's trained network
    assert opened["layout"]["sliders"][0]["active"] == len(opened["frames"]) - 1
    shown = [{k: t[k] for k in moved} for t, moved in zip(opened["data"], opened["frames"][-1]["data"])]
    assert shown == opened["frames"][-1]["data"]

    by_label(at.sidebar.select_slider, "margin m").set_value(0.5).run()
    assert at.main.header[0].value == "Pretrained sweep · triplet · m=0.5" and at.query_params["margin"] == "0.5"
    assert list(at.dataframe[0].value["accuracy"]) == [round(r.metrics["accuracy"], 4)
                                                       for r in atlas.sizes("triplet", 0.5)]


@pytest.mark.slow
def test_explore_mode_says_when_the_urls_margin_is_off_the_grid(atlas):
    at = explore(loss="contrastive", margin="2")
    assert [w.value for w in at.warning] == [
        "The margin 2.0 is not on the atlas's grid for contrastive, whose margins are 0.25, 0.5, 1, 1.5."]
    assert at.main.header[0].value == "Pretrained sweep · contrastive · m=1.5"
