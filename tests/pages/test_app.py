from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_home_page_renders_story_and_status():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Siamese Lab"
    text = " ".join(m.value for m in at.markdown)
    assert "Verification" in text and "Identification" in text and "One-shot" in text
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    from siamese_core.training import resolve_device  # what this machine resolves: cpu, cuda or mps
    assert "Compute device" in sidebar and f"`{resolve_device('auto')}`" in sidebar and "Digits" in sidebar
