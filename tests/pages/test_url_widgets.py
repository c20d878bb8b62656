"""Widgets whose starting value comes from the URL keep every move: the same slider moved twice in a row
(a student nudging the margin) must not jump back on the second move."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "app_pages"


def widget(at, kind, label):
    return next(w for w in getattr(at.sidebar, kind) if w.label == label)


@pytest.mark.parametrize("page,kind,label,url_key,moves", [
    ("3_losses.py", "slider", "margin m", "margin", [0.9, 0.8, 0.7]),
    ("3_losses.py", "select_slider", "embedding size", "dim", [16, 8, 4]),
    ("3_losses.py", "slider", "time budget (s)", "seconds", [15, 10, 5]),
    ("3_losses.py", "number_input", "seed", "seed", [1, 2, 3]),
    ("3_losses.py", "selectbox", "dataset", "dataset", ["digits", "mnist", "digits"]),
    ("4_embedding_size.py", "slider", "time budget per size (s)", "seconds", [9, 8, 7]),
    ("5_mining.py", "slider", "time budget per run (s)", "seconds", [7, 6, 5]),
])
def test_consecutive_moves_of_one_widget_all_stick(page, kind, label, url_key, moves):
    at = AppTest.from_file(str(PAGES / page), default_timeout=300).run()
    if page == "5_mining.py":  # its sidebar dataset defaults to MNIST; digits keeps the test light
        widget(at, "selectbox", "dataset").set_value("digits").run()
    for value in moves:
        widget(at, kind, label).set_value(value).run()
        assert not at.exception
        assert widget(at, kind, label).value == value
        assert at.query_params[url_key] == str(value)
