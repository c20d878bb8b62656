"""AppTest of the Losses page, driven like a student would: pick digits, press Train, read the numbers;
and the margin warning, which fires exactly when no two unit-length embeddings can be that far apart."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "3_losses.py")


def page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    assert not at.exception
    return at


def by_label(elements, label):
    return next(e for e in elements if e.label == label)


@pytest.mark.slow
def test_losses_page_trains_a_run_and_shows_its_measurements():
    at = page()
    assert "Press **Train**" in at.info[0].value
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.selectbox, "loss").set_value("triplet")
    by_label(at.sidebar.slider, "time budget (s)").set_value(5)
    by_label(at.sidebar.select_slider, "embedding size").set_value(8)
    by_label(at.sidebar.button, "Train").click().run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    accuracy = float(metrics["test accuracy"])
    assert 0.6 < accuracy <= 1.0 and 0.6 < float(metrics["ROC AUC"]) <= 1.0
    assert metrics["threshold"].startswith("d ≤ ")
    table = at.dataframe[0].value
    assert list(table["loss"]) == ["triplet"] and list(table["embedding"]) == [8]
    assert table["accuracy"][0] == pytest.approx(accuracy, abs=5e-4)
    # The URL carries the settings, so the view can be bookmarked.
    assert at.query_params["loss"] == "triplet" and at.query_params["dim"] == "8"


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
