"""Class board: every run the class chose to share, on one live page the instructor projects."""
import streamlit as st

from lab_ui import board_views
from lab_ui.class_board import board

st.title("Class board")
st.markdown("Every run the class trains and shares appears here within seconds: its result against the "
            "setting you pick, its histogram and map, and a table. Students share from the **📋 Class board** "
            "box in the sidebar of each training page, under a nickname.")

view = board().view()
board_views.watch(view.version)  # reruns this page when a run arrives, is hidden or pinned, or the board is cleared
board_views.instructor(view)
x, metric = board_views.choices()
if not view.entries:  # the empty axes, ready for the first run (and the browser's charts loaded for it)
    st.info("No run has been shared yet. Train a run on the Losses, Embedding size, Mining or Siamese twins page "
            "and it appears here.")
    board_views.scatter(view, x, metric)
    st.stop()

board_views.found(view, metric)
board_views.pinned(view)
board_views.scatter(view, x, metric)
board_views.multiples(view)
board_views.table(view)
runs, shares = len(view.entries), sum(e.count for e in view.entries)
st.caption(f"{runs} {'run' if runs == 1 else 'runs'} on the board ({shares} {'share' if shares == 1 else 'shares'}), "
           f"{view.nbytes / 1024:.0f} KB in the server's memory; it keeps the newest {board().capacity}.")
