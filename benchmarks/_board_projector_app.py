"""The Class board page on a board of page-shaped runs, for benchmarks/board_projector.py (served by `streamlit
run`, never part of the app): BOARD_RUNS runs from the start, then one more every BOARD_EVERY seconds (0: none)."""
import os
import runpy
import threading
import time

import streamlit as st

from benchmarks.class_board import PAGE, page_like_report
from lab_ui.class_board import board


@st.cache_resource
def _feed() -> bool:
    b, first, every = board(), int(os.environ["BOARD_RUNS"]), float(os.environ["BOARD_EVERY"])

    def share(k: int) -> None:
        b.add(page_like_report(k), b.claim_nickname(f"token-{k}", f"Student {k}"), f"key-{k}")

    def more() -> None:
        k = first
        while True:
            time.sleep(every)
            share(k)
            k += 1

    for k in range(first):
        share(k)
    if every > 0:
        threading.Thread(target=more, daemon=True).start()
    return True


_feed()
runpy.run_path(str(PAGE), run_name="__main__")
