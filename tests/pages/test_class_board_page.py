"""The Class board page (AppTest): empty, then with shared runs (finding, scatter, multiples, table, CSV), a
200-run board's script run timed, the instructor's key from the URL or the box, and a wrong key's sentence."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lab_ui import class_board
from siamese_core.service.class_board import ClassBoard
from tests.service.test_class_board import report

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "8_class_board.py")


@pytest.fixture
def board(monkeypatch):
    """A fresh board with an instructor's key, in place of the server's one."""
    fresh = ClassBoard(capacity=200, key="open sesame", clean=class_board.clean)
    monkeypatch.setattr(class_board, "board", lambda: fresh)  # the page and lab_ui.board_views call it there
    return fresh


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def test_an_empty_board_says_how_runs_arrive(board):
    at = run(AppTest.from_file(PAGE, default_timeout=60))
    assert any("No run has been shared yet" in i.value for i in at.info)
    assert any("read-only" in c.value for c in at.sidebar.caption)


def test_shared_runs_show_as_finding_scatter_multiples_and_table(board):
    for k, margin in enumerate((0.25, 0.5, 1.0)):
        board.add(report(margin=margin, accuracy=0.8 + 0.05 * k, seed=k), f"<b>**Student {k}**</b>", f"key{k}")
    board.add(report(margin=1.0, accuracy=0.9, seed=2), "Calm Lynx", "key2")  # identical to the third
    at = run(AppTest.from_file(PAGE, default_timeout=60))
    text = " ".join(m.value for m in at.markdown)
    assert "**margin**: best so far 1, mean test accuracy 0.900 over 2 runs (3 values tried)." in text
    table = at.dataframe[0].value
    assert list(table["nickname"]) == [f"<b>**Student {k}**</b>" + (" +1" if k == 2 else "") for k in (2, 1, 0)]
    assert list(table["students"]) == [2, 1, 1] and list(table["margin"]) == [1.0, 0.5, 0.25]
    charts = json.dumps([json.loads(c.proto.spec) for c in at.get("plotly_chart")], ensure_ascii=False)
    assert "&lt;b&gt;**Student 0**&lt;/b&gt;" in charts and "<b>**" not in charts  # escaped in hover and titles
    at.selectbox(key="board_x").set_value("embedding_dim")
    run(at)
    assert at.query_params["x"] == "embedding_dim"
    assert "every shared run against its embedding size" in " ".join(c.proto.spec for c in at.get("plotly_chart"))


def test_a_two_hundred_run_board_renders_and_says_its_size(board):
    for k in range(230):
        board.add(report(margin=0.05 * (1 + k % 20), accuracy=0.7 + 0.001 * k, seed=k), f"Student {k}", f"key{k}")
    at = AppTest.from_file(PAGE, default_timeout=120)
    run(at)  # the first run imports the page's modules
    t0 = time.perf_counter()
    run(at)
    seconds = time.perf_counter() - t0
    assert len(at.dataframe[0].value) == 200
    caption = " ".join(c.value for c in at.caption)
    assert "200 runs on the board (200 shares)" in caption
    print(f"200-run board: script run {seconds:.2f} s, store {board.view().nbytes / 1024:.0f} KB")


def test_the_instructor_key_in_the_url_opens_clear_and_a_wrong_one_says_one_sentence(board):
    board.add(report(), "A", "a")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["key"] = "wrong"
    run(at)
    assert [w.value for w in at.sidebar.warning] == ["That is not the instructor's key: the board is unchanged."]
    assert not [b for b in at.button if b.label == "Clear the board"]
    at.text_input(key="board_key_box").input("open sesame")
    run(at)
    assert not at.sidebar.warning
    next(b for b in at.button if b.label == "Clear the board").click()
    run(at)
    assert board.view().entries == ()
    assert any("No run has been shared yet" in i.value for i in at.info)


def _share_controls():
    import streamlit as st

    from lab_ui.class_board import share_controls

    if not st.session_state.get("elsewhere"):  # a page without the switch: Streamlit drops its widget state
        share_controls()


def test_a_nickname_is_claimed_an_empty_one_refused_and_a_copy_numbered(board):
    first = AppTest.from_function(_share_controls, default_timeout=60).run()
    given = first.session_state["_board_nickname"]
    assert " " in given and first.toggle(key="board_share").value is True  # a random "Quiet Otter", sharing on
    first.text_input(key="board_nickname").input("Ada").run()
    assert first.session_state["_board_nickname"] == "Ada" and not first.warning
    first.text_input(key="board_nickname").input(" \u200b\t ").run()
    assert [w.value for w in first.warning] == ["A nickname needs at least one letter, digit or sign: you keep “Ada”."]
    assert first.session_state["_board_nickname"] == "Ada" and first.text_input(key="board_nickname").value == "Ada"
    second = AppTest.from_function(_share_controls, default_timeout=60).run()
    second.text_input(key="board_nickname").input("Ada").run()
    assert second.session_state["_board_nickname"] == "Ada (2)"
    assert [c.value for c in second.caption] == ["Another student has that nickname: you appear as “Ada \\(2\\)”."]


def test_sharing_switched_off_stays_off_after_a_page_without_the_switch(board):
    at = AppTest.from_function(_share_controls, default_timeout=60).run()
    at.toggle(key="board_share").set_value(False).run()
    assert at.session_state["_board_share"] is False
    at.session_state["elsewhere"] = True
    at.run()
    at.session_state["elsewhere"] = False
    at.run()
    assert at.toggle(key="board_share").value is False and at.session_state["_board_share"] is False
    assert "not sharing" in at.sidebar.expander[0].label
