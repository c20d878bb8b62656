"""The few layout pieces every page uses, so all pages look and read alike."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from siamese_core.data import DATASETS, resolve_data_dir
from siamese_core.training.trainer import resolve_device

from .datasets_panel import cached_status
from .url_state import url_choice

STYLES = Path(__file__).with_name("page_styles.css")


def page_styles() -> None:
    """The app's style rules for contrast and reduced motion (style only: Streamlit gives it no space)."""
    st.html(STYLES)


def notice(markdown: str, title: str = "What to notice") -> None:
    """The collapsible instructor's note each section ends with."""
    with st.expander(title):
        st.markdown(markdown)


def available_datasets() -> list[str]:
    """Names of the datasets that load offline now (digits always)."""
    return [name for name, ok in cached_status(str(resolve_data_dir())).items() if ok]


def dataset_select(preferred: tuple[str, ...], key: str) -> str:
    """A sidebar dataset choice among the `preferred` ones available offline, first one by default,
    seeded from the URL's `dataset`."""
    names = [d for d in preferred if d in available_datasets()]
    return st.sidebar.selectbox("dataset", names, index=names.index(url_choice("dataset", names, names[0])),
                                key=key)


def sidebar_status() -> None:
    """Compute device and offline datasets, folded so the page's own controls come first into view."""
    status = cached_status(str(resolve_data_dir()))
    device = resolve_device("auto")
    with st.sidebar.expander(f"⚙️ {device} · {sum(status.values())} of {len(status)} datasets offline"):
        st.markdown(f"**Compute device:** `{device}`")
        st.markdown("**Datasets** (`" + str(resolve_data_dir()) + "`)")
        for name, ok in status.items():
            st.markdown(f"{'✅' if ok else '⬜'} {DATASETS[name].title}")
        if not all(status.values()):  # the Datasets panel on Home fetches the missing ones
            st.page_link("app_pages/home.py", label="Get the missing datasets (Home → Datasets)", icon="⬇️")
