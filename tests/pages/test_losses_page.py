"""AppTest of the Losses page, driven like a student would: pick digits, press Train, read the numbers;
and the margin warning, which fires exactly when no two unit-length embeddings can be that far apart."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.explore import chart_specs, open_explore, replay_spec
from tests.pages.hostile_names import as_read

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "3_losses.py")


def page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    assert not at.exception
    return at


def by_label(elements, label):
    return next(e for e in elements if e.label == label)


@pytest.mark.slow
def test_losses_page_trains_a_run_and_shows_its_measurements_beside_a_pretrained_run():
    at = page()
    assert at.info[0].value == FIRST_LOOK and at.main.header[0].value.startswith("Pretrained · ")
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.selectbox, "loss").set_value("triplet")
    by_label(at.sidebar.slider, "time budget (s)").set_value(5)
    by_label(at.sidebar.select_slider, "embedding size").set_value(8)
    by_label(at.sidebar.multiselect, "show instantly").set_value(["fashion_contrastive.pt"])
    by_label(at.sidebar.button, "Train").click().run()
    assert not at.exception and not at.error
    # The student's run took the pretrained first look's place.
    assert not [i for i in at.info if "pretrained" in i.value.lower()]
    assert not [h for h in at.subheader if h.value.startswith("Pretrained")]
    one_run, side_by_side = at.tabs
    assert (one_run.label, side_by_side.label) == ("One run", "Side by side")
    metrics = {m.label: m.value for m in one_run.metric}
    accuracy = float(metrics["test accuracy"])
    assert 0.6 < accuracy <= 1.0 and 0.6 < float(metrics["ROC AUC"]) <= 1.0
    assert metrics["threshold"].startswith("d ≤ ")
    # The one-run tab opens on the run just trained; the table sets it beside the pretrained run asked for, as
    # the side-by-side tab does.
    (run,) = at.session_state["runs"]
    assert by_label(at.selectbox, "run").value == run.name
    assert [m.value for m in side_by_side.metric if m.label == "test accuracy"][0] == metrics["test accuracy"]
    table = at.dataframe[0].value.set_index("run")
    assert list(table.index) == [run.name, "pretrained · contrastive"]
    assert list(table["loss"]) == ["triplet", "contrastive"] and list(table["embedding"]) == [8, 32]
    assert table["margin"]["pretrained · contrastive"] == 1.0
    assert table["accuracy"][run.name] == pytest.approx(accuracy, abs=5e-4)
    # A page run's budget counts its training thread's CPU time (a busy server trains it as long, only later).
    assert run.config["clock"] == "cpu" and run.metrics["budget_clock"] == "cpu"
    assert 5 <= run.metrics["train_seconds"] <= run.metrics["wall_seconds"] + 0.5
    # The URL carries the settings, so the view can be bookmarked.
    assert at.query_params["loss"] == "triplet" and at.query_params["dim"] == "8"


FIRST_LOOK = "Pretrained for these settings — press **Train** to train your own."


def test_a_fresh_session_opens_on_the_pretrained_run_for_its_settings(atlas):
    at = page()
    assert at.info[0].value == FIRST_LOOK
    assert at.main.header[0].value == "Pretrained · contrastive · m=1 · D=32"
    assert shown_accuracy(at) == f"{atlas.cell('contrastive', 1.0, 32).metrics['accuracy']:.3f}"
    specs = chart_specs(at)
    assert any("matched vs mismatched test pairs" in s for s in specs) and not any("Play" in s for s in specs)
    assert at.session_state["runs"] == [] and not at.dataframe  # it is not one of the student's runs
    at.toggle(key="atlas-replay-shown").set_value(True).run()  # the replay, once the student asks for it
    assert any('"frames"' in s and "Play" in s for s in chart_specs(at))


def test_settings_without_a_pretrained_run_show_the_nearest_and_say_how_it_differs(atlas):
    at = AppTest.from_file(PAGE, default_timeout=600)
    at.query_params.update(dataset="digits", loss="triplet", margin="0.45", dim="16")
    at.run()
    assert not at.exception
    assert at.info[0].value == (
        "No pretrained result has exactly these settings, so this is the nearest one: it used dataset Fashion-MNIST "
        "(not Digits (scikit-learn 8×8)), margin 0.5 (not 0.45) and embedding size 8 (not 16). Press **Train** to "
        "train your own.")
    assert at.main.header[0].value == "Pretrained · triplet · m=0.5 · D=8"
    assert shown_accuracy(at) == f"{atlas.cell('triplet', 0.5, 8).metrics['accuracy']:.3f}"


@pytest.mark.parametrize("distance,dim,margin,warns", [
    ("cosine", 32, 2.0, True),   # 1 − cos ≤ 2
    ("l2", 2, 2.0, True),        # ‖u − v‖₂ ≤ 2
    ("l2", 32, 1.95, False),
    ("l1", 2, 2.0, False),       # ‖u − v‖₁ ≤ 2√2 ≈ 2.83: a margin of 2 can be met
])
def test_margin_warning_follows_the_largest_unit_distance(distance, dim, margin, warns):
    at = page()
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.selectbox, "distance").set_value(distance)
    by_label(at.sidebar.select_slider, "embedding size").set_value(dim)
    by_label(at.sidebar.slider, "margin m").set_value(margin).run()
    assert not at.exception
    warnings = [w.value for w in at.warning if "can never be met" in w.value]
    assert bool(warnings) == warns, warnings
    if warns:
        assert warnings == [f"With {'cosine' if distance == 'cosine' else 'L2'} distance no two unit-length "
                            f"embeddings of size {dim} are more than 2.00 apart, so a margin of 2.00 can never "
                            "be met."]
        by_label(at.sidebar.button, "Train").click().run()
        assert not at.dataframe  # nothing was trained


# --- explore mode: the sliders look pretrained runs up in the committed atlas (assets/atlas/) -----------

def explore(**url) -> AppTest:
    return open_explore(PAGE, **url)


def shown_accuracy(at) -> str:
    return {m.label: m.value for m in at.metric}["test accuracy"]


@pytest.mark.slow
def test_explore_mode_shows_the_pretrained_cell_and_follows_the_sliders(atlas):
    at = page()
    at.sidebar.radio[0].set_value("explore").run()   # "Train / Explore the atlas"
    assert not at.exception and at.query_params["mode"] == "explore"
    assert at.main.header[0].value == "Pretrained · contrastive · m=1 · D=32"
    assert shown_accuracy(at) == f"{atlas.cell('contrastive', 1.0, 32).metrics['accuracy']:.3f}"
    caption = next(c.value for c in at.caption if c.value.startswith("pretrained: "))
    assert atlas.command in caption and "cell: contrastive · m=1 · D=32" in caption
    specs = chart_specs(at)
    assert any('"frames"' in s and "Play" in s for s in specs)               # the replay
    assert any("Accuracy across the grid for contrastive" in s for s in specs)
    assert by_label(at.sidebar.select_slider, "margin m").options == ["0.25", "0.5", "1.0", "1.5"]

    by_label(at.sidebar.select_slider, "embedding size").set_value(2).run()
    assert at.main.header[0].value == "Pretrained · contrastive · m=1 · D=2"
    assert shown_accuracy(at) == f"{atlas.cell('contrastive', 1.0, 2).metrics['accuracy']:.3f}"
    assert any("raw 2-D embedding plane" in s for s in chart_specs(at))
    by_label(at.sidebar.select_slider, "margin m").set_value(0.25).run()
    assert at.main.header[0].value == "Pretrained · contrastive · m=0.25 · D=2"
    assert (at.query_params["margin"], at.query_params["dim"]) == ("0.25", "2")
    by_label(at.sidebar.selectbox, "loss").set_value("bce-l1").run()
    assert at.main.header[0].value == "Pretrained · bce-l1 · D=2" and not at.exception
    assert not [s for s in at.sidebar.select_slider if s.label == "margin m"]  # no margin for BCE
    assert shown_accuracy(at) == f"{atlas.cell('bce-l1', None, 2).metrics['accuracy']:.3f}"


def test_explore_modes_replay_opens_on_the_trained_network(atlas):
    replay = replay_spec(explore(loss="contrastive", margin="1", dim="32"))
    last = len(replay["frames"]) - 1
    assert last > 0 and replay["layout"]["sliders"][0]["active"] == last
    shown = [{k: t[k] for k in moved} for t, moved in zip(replay["data"], replay["frames"][last]["data"])]
    assert shown == replay["frames"][last]["data"]  # the trained map, not step 0's blob


def test_explore_mode_says_when_the_urls_values_are_off_the_grid(atlas):
    at = explore(loss="contrastive", margin="0.3", dim="12")
    assert [w.value for w in at.warning] == [
        "The margin 0.3 is not on the atlas's grid for contrastive, whose margins are 0.25, 0.5, 1, 1.5.",
        "The embedding size 12 is not on the atlas's grid for contrastive, whose sizes are 2, 4, 8, 32, 128."]
    assert at.main.header[0].value == "Pretrained · contrastive · m=0.25 · D=8"   # the nearest grid values
    at = explore(loss="hinge", dim="inf")
    assert [as_read(w.value) for w in at.warning] == [
        "The loss 'hinge' is not in the atlas, whose losses are contrastive, triplet, bce-concat, bce-l1, softmax.",
        "The URL's embedding size is not a number, so the page shows a value from the atlas's grid."]
    assert at.main.header[0].value == "Pretrained · contrastive · m=1 · D=32"


def test_explore_mode_without_an_atlas_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setenv("SIAMESE_LAB_ATLAS", str(tmp_path))
    at = explore()
    assert [i.value for i in at.info] == ["The atlas of pretrained runs is not built yet: run `python -m "
                                          "siamese_core atlas build --jobs 2` (about 15 minutes on two cores) to "
                                          "write it into assets/atlas/, then reload this page."]


def test_each_loss_starts_at_its_own_margin():
    """Switching contrastive → triplet shows the triplet loss's margin, not the contrastive one kept."""
    at = page()
    margin = by_label(at.sidebar.slider, "margin m")
    assert margin.value == 1.0
    margin.set_value(0.7).run()
    by_label(at.sidebar.selectbox, "loss").set_value("triplet").run()
    assert not at.exception
    assert by_label(at.sidebar.slider, "margin m").value == 0.2 and at.query_params["margin"] == "0.2"


def test_pretrained_runs_show_the_margin_they_trained_with():
    """The shipped checkpoints leave the margin unset (their loss's default): the table says which it was."""
    from lab_ui.run_views import trained_margin
    from lab_ui.shared import ASSETS
    from siamese_core import load_model

    margins = {f: trained_margin(load_model(ASSETS / f).train_config)
               for f in ("fashion_contrastive.pt", "fashion_triplet.pt", "fashion_softmax.pt")}
    assert margins == {"fashion_contrastive.pt": 1.0, "fashion_triplet.pt": 0.2, "fashion_softmax.pt": None}


