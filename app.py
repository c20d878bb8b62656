"""Siamese Lab. Run with `streamlit run app.py`.

This script is the router: it sets up the page, lists the workshop's pages in teaching order, shows the
sidebar status, and runs the page the learner chose. Each page is a short script in pages/."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from lab_ui.layout import sidebar_status

ROOT = Path(__file__).resolve().parent

# (file, title, icon, url path) in the order of the workshop.
PAGES = [
    ("pages/home.py", "Home", "🏠", "home"),
    ("pages/1_convolution.py", "Convolution & pooling", "🔍", "convolution"),
    ("pages/2_siamese_twins.py", "Siamese twins & the L1 layer", "👯", "twins"),
    ("pages/3_losses.py", "Losses: BCE vs contrastive vs triplet", "📉", "losses"),
    ("pages/4_embedding_size.py", "Embedding size", "📏", "embedding-size"),
    ("pages/5_mining.py", "Triplet mining & center loss", "⛏️", "mining"),
    ("pages/6_one_shot.py", "One-shot learning", "🎯", "one-shot"),
    ("pages/7_faces.py", "Face verification", "🙂", "faces"),
]

st.set_page_config(page_title="Siamese Lab", page_icon="👯", layout="wide")
navigation = st.navigation([
    st.Page(str(ROOT / f), title=title, icon=icon, url_path=url, default=(url == "home"))
    for f, title, icon, url in PAGES if (ROOT / f).is_file()])
sidebar_status()
navigation.run()
