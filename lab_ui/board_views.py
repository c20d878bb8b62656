"""How the class board looks: the class's finding per setting, the scatter, the small multiples, the table and
its CSV, the pinned pair, and the instructor's controls. The page (app_pages/8_class_board.py) only calls these."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from siamese_core.service.board_summary import csv_safe, findings, table_rows
from siamese_core.service.class_board import AXES, METRICS, BoardEntry, BoardView, WrongKey
from siamese_core.viz import board_figures

from . import class_board
from .plain_text import shown
from .url_state import set_url, url_choice

MULTIPLES = 12          # runs drawn as small multiples, newest first
SMALL_MULTIPLES = {"histograms": "Histograms", "maps": "Maps"}
POLL_SECONDS = 0.5      # how often a board looks for news (a version number: nothing is drawn unless it moved)
KEY, NOTE = "_board_instructor_key", "_board_key_note"
WRONG_KEY = "That is not the instructor's key: the board is unchanged."


@st.fragment(run_every=POLL_SECONDS)
def watch(seen: int) -> None:
    """Rerun the page as soon as the board's version differs from the one it drew (`seen`)."""
    if class_board.board().version != seen:
        st.rerun()


def choices() -> tuple[str, str]:
    """The x axis and the metric, from the URL."""
    c1, c2 = st.columns([2, 3])
    x = c1.selectbox("x axis", list(AXES), format_func=AXES.get, key="board_x",
                     index=list(AXES).index(url_choice("x", list(AXES), "margin")))
    metric = c2.segmented_control("y axis", list(METRICS), format_func=METRICS.get, key="board_metric",
                                  default=url_choice("metric", list(METRICS), "accuracy")) or "accuracy"
    set_url(x=x, metric=metric)
    return x, metric


def found(view: BoardView, metric: str) -> None:
    st.subheader("What the class found")
    st.markdown("\n".join(f"- {f.sentence(metric)}" for f in findings(view.entries, metric)))


def scatter(view: BoardView, x: str, metric: str) -> None:
    fig = board_figures.class_scatter(view.entries, x, AXES[x], metric, METRICS[metric])
    st.plotly_chart(fig, width="stretch", key="board-scatter")
    left_out = sum(e.settings.get(x) is None for e in view.entries)
    if left_out:
        runs = "run does" if left_out == 1 else "runs do"
        st.caption(f"{left_out} {runs} not use the {AXES[x]} and {'is' if left_out == 1 else 'are'} not shown.")


def multiples(view: BoardView) -> None:
    """The newest runs' histograms or maps; a click on one (or the list below them) enlarges that run. One of
    the two at a time, picked by a control rather than tabs: a chart in a hidden tab is laid out again at
    every poll of the board, and two of them kept the projecting browser a fifth of a core busy."""
    newest = view.entries[:MULTIPLES]
    st.subheader("Each run's histogram and map")
    st.caption("Click a run's histogram or map to enlarge it" + (f"; the newest {MULTIPLES} of "
               f"{len(view.entries)} runs." if len(view.entries) > MULTIPLES else "."))
    shown_as = st.segmented_control("Small multiples", list(SMALL_MULTIPLES), format_func=SMALL_MULTIPLES.get,
                                    key="board_multiples", label_visibility="collapsed",
                                    default=url_choice("multiples", list(SMALL_MULTIPLES), "histograms"))
    shown_as = shown_as or "histograms"  # a second click on the chosen segment unselects it
    set_url(multiples=shown_as)
    figure, traces_per_run = ((board_figures.histogram_multiples, 2) if shown_as == "histograms"
                              else (board_figures.map_multiples, 1))
    clicked = _clicked(st.plotly_chart(figure(newest), width="stretch", key=f"board-{shown_as}",
                                       on_select="rerun", selection_mode="points"), traces_per_run)
    by_id = {e.id: e for e in view.entries}
    if clicked is not None and clicked != st.session_state.get("_board_clicked") and clicked < len(newest):
        st.session_state["board_enlarge"] = newest[clicked].id  # a new click wins over the list's choice
    st.session_state["_board_clicked"] = clicked
    _valid("board_enlarge", by_id)
    pick = st.selectbox("Enlarge one run", [None, *by_id], key="board_enlarge",
                        format_func=lambda i: "—" if i is None else by_id[i].nickname)
    if pick is not None:
        enlarged(by_id[pick], "board-enlarged")


def _clicked(event, traces_per_run: int) -> int | None:
    """Which small multiple a selection event picked (its first point's trace), or None."""
    points = (event or {}).get("selection", {}).get("points", [])
    curve = points[0].get("curve_number") if points else None
    return None if curve is None else curve // traces_per_run


def enlarged(e: BoardEntry, key: str) -> None:
    st.markdown(f"**{shown(e.nickname)}** — {shown(e.summary)}: "
                + ", ".join(f"{METRICS[k]} {e.metrics[k]:.3f}" for k in METRICS if k in e.metrics))
    st.plotly_chart(board_figures.one_run(e), width="stretch", key=key)


def pinned(view: BoardView) -> None:
    if not view.pinned:
        return
    st.subheader("Pinned by the instructor")
    for col, e in zip(st.columns(len(view.pinned)), view.pinned):
        with col:
            enlarged(e, f"board-pinned-{e.id}")


def table(view: BoardView) -> None:
    st.subheader("Every run")
    frame = pd.DataFrame(table_rows(view.entries))
    st.dataframe(frame, hide_index=True, width="stretch", key="board-table")
    csv = frame.assign(nickname=frame["nickname"].map(csv_safe)).to_csv(index=False)
    st.download_button("Download the table as CSV", csv, file_name="class-board.csv", mime="text/csv")


def instructor(view: BoardView) -> None:
    """The instructor's controls once their key was given (in the URL's `key` or the password box)."""
    with st.sidebar:
        st.header("Instructor")
        if not class_board.board().has_key:
            st.caption("Clearing, hiding and pinning are off: the server was started without "
                       "SIAMESE_LAB_INSTRUCTOR_KEY.")
            return
        if "key" in st.query_params:  # read once, then out of the projected address bar
            _try_key(st.query_params.pop("key"))
        if KEY not in st.session_state:
            st.text_input("Instructor's key", type="password", key="board_key_box", on_change=_typed_key)
            if NOTE in st.session_state:
                st.warning(st.session_state[NOTE])
            st.caption("Without the instructor's key the board is read-only.")
            return
        _controls(view)


def _typed_key() -> None:
    _try_key(st.session_state.get("board_key_box", ""))
    st.session_state["board_key_box"] = ""


def _try_key(given: str) -> None:
    """Keep the key in this session if it is the instructor's, else say so (one sentence, logged by the board)."""
    if class_board.board().check_key(given):
        st.session_state[KEY] = given
        st.session_state.pop(NOTE, None)
    else:
        st.session_state[NOTE] = WRONG_KEY


def _valid(key: str, options) -> None:
    """Forget a widget's choice of a run that left the board (cleared, hidden, evicted)."""
    chosen = st.session_state.get(key)
    if chosen is not None and not set(chosen if isinstance(chosen, list) else [chosen]) <= set(options):
        del st.session_state[key]


def _controls(view: BoardView) -> None:
    key, by_id = st.session_state[KEY], {e.id: e for e in view.entries}
    try:
        if st.button("Clear the board", width="stretch"):
            class_board.board().clear(key)
            st.rerun()
        _valid("board_hide", by_id)
        _valid("board_pin", by_id)
        hide = st.selectbox("Hide a run", [None, *by_id], format_func=lambda i: "—" if i is None else by_id[i].nickname,
                            key="board_hide")
        if hide is not None and st.button("Hide it", width="stretch"):
            class_board.board().hide(key, hide)
            st.rerun()
        pair = st.multiselect("Pin two runs side by side", list(by_id), format_func=lambda i: by_id[i].nickname,
                              max_selections=2, key="board_pin")
        if st.button("Pin them" if pair else "Unpin", width="stretch"):
            class_board.board().pin(key, pair)
            st.rerun()
    except WrongKey:  # the key changed under this session (a restarted server)
        st.session_state.pop(KEY, None)
        st.session_state[NOTE] = WRONG_KEY
        st.rerun()
