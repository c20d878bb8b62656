"""Face-page views: where a verified pair falls among held-out pairs, and the enrol/identify gallery."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from siamese_core.evaluation.metrics import roc
from siamese_core.faces import Gallery, trade_off
from siamese_core.viz.figures import distance_histogram, roc_figure

from .face_input import KEY, chosen_face, heldout, photo_input
from .plain_text import clean, shown

NAME_CHARS = 40  # a gallery name


def heldout_view(verdicts: dict, embedders, class_model, sface) -> None:
    """The pair's score on the held-out histogram of the chosen model, a threshold slider, ROC and rates."""
    held = heldout()
    short = st.radio("model", [e.short for e in embedders], horizontal=True, key=KEY + "hist_model",
                     format_func=lambda s: {e.short: e.name for e in embedders}[s])
    e = {x.short: x for x in embedders}[short]
    scores = held.scores[short]
    lo, hi = float(np.min(scores)), float(np.max(scores))
    tau = st.slider("threshold τ", lo, hi, float(np.clip(e.threshold, lo, hi)), (hi - lo) / 200,
                    format="%.3f", key=KEY + "tau_" + short)
    t = trade_off(scores, held.same, tau)
    pair = verdicts[short].similarity
    fig = distance_histogram(scores, held.same, tau, as_distance=short == "class" and not class_model.s_norm,
                             title=f"{held.same.sum()} same / {(1 - held.same).sum()} different pairs, s31–s40",
                             mark=pair)  # S-norm scores are similarities; plain class scores are −distances
    c1, c2 = st.columns([3, 2])
    c1.plotly_chart(fig)
    fpr, tpr, _ = roc(scores, held.same)
    c2.plotly_chart(roc_figure(fpr, tpr, held.summary(e)["auc"], (t["far"], t["tar"])))
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("your pair at τ", "same" if pair >= tau else "different")
    m2.metric("false accepts (FAR)", f"{100 * t['far']:.1f} %")
    m3.metric("false rejects (FRR)", f"{100 * t['frr']:.1f} %")
    m4.metric("accuracy on these pairs", f"{100 * t['accuracy']:.1f} %")
    st.caption(f"YuNet found a face in {held.detected} of {held.images} held-out pictures. The class "
               f"model's τ = {class_model.threshold:.3f} was chosen on validation people from s1–s30; "
               f"SFace's τ = {sface.threshold:.3f} is OpenCV's published value.")


def gallery_view(embedders, samples) -> None:
    """Enrol faces by name (only embeddings are stored) and identify a probe against them."""
    galleries = st.session_state.setdefault(KEY + "gallery", {e.short: Gallery() for e in embedders})
    listed = galleries[embedders[-1].short]
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("### Enrol")
        name = clean(st.text_input("name", key=KEY + "enrol_name", max_chars=NAME_CHARS), NAME_CHARS)
        photo = photo_input("enrol", "Enrol", "s33", 1, samples)
        face = chosen_face("enrol", photo)
        if st.button("Enrol this face", key=KEY + "enrol", disabled=face is None):
            try:
                for e in embedders:
                    galleries[e.short].enrol(name, e.embed([photo.crops(face, [e])[e.short]])[0])
                st.success(f"Enrolled {shown(name)}.")
            except ValueError as exc:
                st.error(str(exc))
        if len(listed):
            counts = [len(listed.entries[n]) for n in listed.names]
            st.dataframe(pd.DataFrame({"person": listed.names, "photos": counts}),
                         hide_index=True)
    with c2:
        st.markdown("### Identify")
        photo = photo_input("probe", "Probe", "s33", 5, samples)
        face = chosen_face("probe", photo)
        if face is not None and len(listed):
            for e in embedders:
                who, ranking = galleries[e.short].identify(e, e.embed([photo.crops(face, [e])[e.short]])[0])
                st.markdown(f"**{e.name}:** " + (f"this is **{shown(who)}**" if who else "**unknown** (below τ)"))
                st.dataframe(pd.DataFrame({"rank": range(1, len(ranking) + 1), "person": [m.name for m in ranking],
                                           e.score_name: [round(m.similarity, 3) for m in ranking]}),
                             hide_index=True)
        elif face is not None:
            st.info("Enrol at least one person first.")
