"""The Datasets panel: what the data folder holds, what each missing dataset costs to fetch, and a button
that fetches it with a progress bar. siamese_core.data.download does the work (verified, atomic)."""
from __future__ import annotations

import streamlit as st

from siamese_core.data import DATASETS, dataset_status, resolve_data_dir
from siamese_core.data.download import DownloadError, download_dataset

_DONE = "datasets_panel_done"  # session key: the message to show after the rerun a download ends with


@st.cache_data(ttl=60)
def cached_status(data_dir: str) -> dict[str, bool]:
    """dataset_status, shared by the sidebar and the panel; cleared after every download."""
    return dataset_status(data_dir)


def size_text(download_bytes: int | None) -> str:
    if download_bytes is None:
        return "no download"
    if download_bytes == 0:
        return "ships with scikit-learn"
    return f"{download_bytes / 1e6:.1f} MB"


def status_rows(status: dict[str, bool]) -> list[dict[str, str]]:
    """One row per registered dataset: name, title, download size, present or missing."""
    return [{"dataset": name, "title": spec.title, "download": size_text(spec.download_bytes),
             "state": "present" if status.get(name) else "missing"} for name, spec in DATASETS.items()]


def _download_button(name: str, data_dir: str) -> None:
    spec = DATASETS[name]
    if not st.button(f"Download {spec.title} ({size_text(spec.download_bytes)})", key=f"download-{name}"):
        return
    bar = st.progress(0.0, text=f"Downloading {spec.title}…")
    try:
        download_dataset(name, data_dir, progress=lambda text, fraction: bar.progress(fraction, text=text))
    except DownloadError as err:
        bar.empty()
        st.error(str(err))
        return
    cached_status.clear()  # the sidebar and this table must see the new files at once
    st.session_state[_DONE] = f"{spec.title} is now in {data_dir}."
    st.rerun()


def datasets_panel() -> None:
    """The table, then a download button per missing dataset that has a download."""
    data_dir = str(resolve_data_dir())
    status = cached_status(data_dir)
    st.markdown(f"Data folder: `{data_dir}` (set `SIAMESE_LAB_DATA` to use another one).")
    if done := st.session_state.pop(_DONE, None):
        st.success(done)
    st.dataframe(status_rows(status), hide_index=True, width="stretch")
    missing = [name for name, ok in status.items() if not ok]
    for name in missing:
        if DATASETS[name].download_bytes is None:
            st.caption(f"{DATASETS[name].title}: {DATASETS[name].how_to_get}")
        else:
            _download_button(name, data_dir)
    if not missing:
        st.caption("Every dataset is here: the app works offline.")
