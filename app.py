"""Siamese Lab. Run with `streamlit run app.py`.

This script is the router: it sets up the page, lists the workshop's pages in teaching order, shows the
sidebar status, and runs the page the learner chose. Each page is a short script in app_pages/ — not
pages/: a folder of that name beside app.py makes a fresh server answer its first deep link (e.g.
/losses) in Streamlit's legacy pages-folder mode, bypassing this router."""
from __future__ import annotations

from pathlib import Path

from siamese_core.service.process_start import start_early
from siamese_core.service.server_settings import server_settings

# First of all, once per server: the first training process starts importing torch now, beside this first
# script run's own imports below, rather than after them (the first student's Train would wait for both).
start_early(server_settings())

import streamlit as st  # noqa: E402 (after the early start, on purpose)

from lab_ui.class_board import share_controls  # noqa: E402
from lab_ui.layout import page_styles, sidebar_status  # noqa: E402
from lab_ui.shared import housekeeper  # noqa: E402
from lab_ui.training_jobs import job_queue  # noqa: E402

ROOT = Path(__file__).resolve().parent

# (file, title, icon, url path) in the order of the workshop.
PAGES = [
    ("app_pages/home.py", "Home", "🏠", "home"),
    ("app_pages/8_class_board.py", "Class board", "📋", "class-board"),
    ("app_pages/1_convolution.py", "Convolution & pooling", "🔍", "convolution"),
    ("app_pages/2_siamese_twins.py", "Siamese twins & the L1 layer", "👯", "twins"),
    ("app_pages/3_losses.py", "Losses: BCE vs contrastive vs triplet", "📉", "losses"),
    ("app_pages/4_embedding_size.py", "Embedding size", "📏", "embedding-size"),
    ("app_pages/5_mining.py", "Triplet mining & center loss", "⛏️", "mining"),
    ("app_pages/6_one_shot.py", "One-shot learning", "🎯", "one-shot"),
    ("app_pages/7_faces.py", "Face verification", "🙂", "faces"),
]
# The pages whose runs a student may share on the class board (lab_ui/class_board.py).
SHARING_PAGES = {"twins", "losses", "embedding-size", "mining"}

st.set_page_config(page_title="Siamese Lab", page_icon="👯", layout="wide")
page_styles()
# The home page is Streamlit's default page, served at the root URL only (its pathname is ""): a link to
# /home found no page and showed "Page not found". So /home is the same script once more, hidden from the
# menu and listed after it (a link to the file goes to the root URL).
navigation = st.navigation([
    st.Page(str(ROOT / f), title=title, icon=icon, url_path="" if url == "home" else url, default=(url == "home"))
    for f, title, icon, url in PAGES if (ROOT / f).is_file()]
    + [st.Page(str(ROOT / PAGES[0][0]), title=PAGES[0][1], icon=PAGES[0][2], url_path="home", visibility="hidden")])
housekeeper()  # started once per server
job_queue()  # takes the processes started early, so they are warmed before the first Train
sidebar_status()
if navigation.url_path in SHARING_PAGES:
    share_controls()
navigation.run()
