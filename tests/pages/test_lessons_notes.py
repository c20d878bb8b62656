"""AppTest of the mining page's lessons: the "Show me collapse" preset shows a collapse and says the claim
held; a run at the defaults that does not collapse is called out, and the note does not repeat the claim."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from siamese_core.lessons import BY_KEY

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "5_mining.py")
COLLAPSE = BY_KEY["mining.hardest-collapses"].sentence


def by_label(elements, label):
    return next(e for e in elements if e.label == label)


def mining_notice(at) -> str:
    return next(e for e in at.expander if e.label == "What to notice").markdown[0].value


@pytest.mark.slow
def test_the_collapse_preset_shows_a_collapse_and_says_the_claim_held(load):
    load("mnist", "train")
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    by_label(at.button, "Show me collapse").click().run()
    assert not at.exception
    assert list(at.dataframe[0].value["run"]) == ["semi-hard (collapse preset)", "hardest negative (collapse preset)"]
    alarms = [e.value for e in at.error]
    assert any(a.startswith("**hardest negative (collapse preset): collapse.**") for a in alarms), alarms
    assert not any(a.startswith("**semi-hard") for a in alarms)
    assert any("hardest negatives collapsed at step" in s.value for s in at.success)
    assert f"- {COLLAPSE}" in mining_notice(at).splitlines()


@pytest.mark.slow
def test_a_run_without_collapse_is_called_out_instead_of_repeating_the_claim():
    at = AppTest.from_file(PAGE, default_timeout=600).run()
    by_label(at.sidebar.selectbox, "dataset").set_value("digits")
    by_label(at.sidebar.slider, "time budget per run (s)").set_value(1)
    at.run()
    by_label(at.multiselect, "miners").set_value(["hardest"])
    by_label(at.button, "Compare the miners").click().run()
    assert not at.exception
    assert not at.error, "the default learning rate collapsed on digits: this test needs a run that does not"
    assert any(w.value.startswith("**Not this time:** no collapse this time") for w in at.warning)
    note = mining_notice(at).splitlines()
    assert f"- {COLLAPSE}" not in note
    assert any("did not show" in line for line in note)
