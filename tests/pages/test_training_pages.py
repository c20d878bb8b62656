"""The training pages, driven like a student would: pick digits, press Train, read the numbers."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "app_pages"


def page(name: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / name), default_timeout=600).run()
    assert not at.exception
    return at


def by_label(elements, label):
    return next(e for e in elements if e.label == label)


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_losses_page_trains_a_run_and_shows_its_measurements():
    at = page("3_losses.py")
    assert "Press **Train**" in at.info[0].value
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.selectbox, "loss").set_value("triplet")
    by_label(at.sidebar.slider, "time budget (s)").set_value(5)
    by_label(at.sidebar.select_slider, "embedding size").set_value(8)
    by_label(at.sidebar.button, "Train").click().run()
    assert not at.exception and not at.error
    metrics = metric_values(at)
    accuracy = float(metrics["test accuracy"])
    assert 0.6 < accuracy <= 1.0 and 0.6 < float(metrics["ROC AUC"]) <= 1.0
    assert metrics["threshold"].startswith("d ≤ ")
    table = at.dataframe[0].value
    assert list(table["loss"]) == ["triplet"] and list(table["embedding"]) == [8]
    assert table["accuracy"][0] == pytest.approx(accuracy, abs=5e-4)
    # The URL carries the settings, so the view can be bookmarked.
    assert at.query_params["loss"] == "triplet" and at.query_params["dim"] == "8"


def test_losses_page_warns_about_an_impossible_margin():
    at = page("3_losses.py")
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.selectbox, "distance").set_value("cosine")
    by_label(at.sidebar.slider, "margin m").set_value(2.0).run()
    assert any("can never be met" in w.value for w in at.warning)
    by_label(at.sidebar.button, "Train").click().run()
    assert not at.dataframe  # nothing was trained


def test_embedding_size_sweep_shows_accuracy_per_size():
    at = page("4_embedding_size.py")
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.multiselect, "sizes D").set_value([2, 16])
    by_label(at.sidebar.slider, "time budget per size (s)").set_value(3)
    by_label(at.sidebar.button, "Run the sweep").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["D"]) == [2, 16]
    assert all(0.5 < a <= 1 for a in table["accuracy"])
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("raw 2-D embedding plane" in t for t in titles) and any("t-SNE" in t for t in titles)


def test_mining_page_compares_miners_and_center_loss():
    at = page("5_mining.py")
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.slider, "time budget per run (s)").set_value(3)
    by_label(at.multiselect, "miners").set_value(["semi-hard", "hardest"])
    by_label(at.button, "Compare the miners").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["run"]) == ["semi-hard", "hardest negative"]
    by_label(at.multiselect, "λ values").set_value([0.0, 0.1])
    by_label(at.button, "Train one 2-D network per λ").click().run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("λ = 0.0: verification accuracy") for c in captions)
    assert any(c.startswith("λ = 0.1: verification accuracy") for c in captions)
