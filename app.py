"""Siamese Lab — home page. Run with `streamlit run app.py`."""
from __future__ import annotations

import streamlit as st

from siamese_core.data import DATASETS, dataset_status, resolve_data_dir
from siamese_core.training import resolve_device

st.set_page_config(page_title="Siamese Lab", page_icon="👯", layout="wide")


@st.cache_data(ttl=60)
def _status() -> dict[str, bool]:
    return dataset_status()


def sidebar_status() -> None:
    st.sidebar.markdown(f"**Compute device:** `{resolve_device('auto')}`")
    st.sidebar.markdown("**Datasets** (`" + str(resolve_data_dir()) + "`)")
    for name, ok in _status().items():
        st.sidebar.markdown(f"{'✅' if ok else '⬜'} {DATASETS[name].title}")


st.title("Siamese Lab")
st.markdown(
    "An interactive workshop on **Siamese neural networks** and **metric learning**: "
    "two twin networks with the *same* weights turn images into embeddings, and a distance between "
    "embeddings says whether two images show the same thing."
)
c1, c2, c3 = st.columns(3)
c1.markdown("#### Verification\n*Are these two the same person, signature, object?* "
            "One yes/no answer from a distance and a threshold.")
c2.markdown("#### Identification\n*Which of my gallery is this?* Rank the gallery by distance to the "
            "probe and return the closest matches.")
c3.markdown("#### One-shot learning\nNew classes appear after training. Enrol each with **one** example — "
            "store its embedding — and no retraining is needed.")
st.latex(r"p(\text{same}) = \sigma\Big(\sum_j \alpha_j \,\lvert h_1^{(j)} - h_2^{(j)} \rvert\Big)"
         r"\qquad L_{\text{contrastive}} = y\,d^2 + (1-y)\,\max(m-d,\,0)^2")
with st.expander("What to notice"):
    st.markdown("- A classifier must be retrained for every new class; an embedding plus a distance does not.\n"
                "- Every number in this app is measured on real data by `siamese_core`, and the same "
                "numbers come out of `python -m siamese_core` on the command line.")
st.info("The workshop pages (convolution, the twin network, losses, embedding size, mining, one-shot, "
        "faces) build on this core. Until they land, the command line trains and evaluates every model: "
        "`python -m siamese_core --help`.")
sidebar_status()
