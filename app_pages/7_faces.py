"""Face verification: two photos (uploads, camera or AT&T samples) → detected faces, aligned crops, two
models' verdicts, where the pair falls among held-out pairs, and a gallery to enrol and identify."""
import streamlit as st

from lab_ui.face_input import face_with_crops, forget_button, models, sample_faces
from lab_ui.face_views import gallery_view, heldout_view
from lab_ui.layout import notice
from siamese_core.faces import ModelFileError, verify
from siamese_core.lessons import notice_text
from siamese_core.lessons.static import FACE_DEFAULT_PAIR

st.title("Face verification")
st.markdown(
    "**Verification** asks *are these two photos the same person?* One network embeds each face; the "
    "answer is a similarity compared with a threshold. **Identification** asks *who in my gallery is "
    "this?* and ranks the enrolled people. Two models answer side by side: the **class model**, Siamese "
    "networks this project trains in about 25 minutes on one CPU core on the AT&T/ORL faces of people s1–s30 (people "
    "s31–s40 were never shown to them), and **SFace**, a face recogniser trained by OpenCV on a large face "
    "dataset.")
try:
    detector, class_model, sface = models()
except (ModelFileError, FileNotFoundError, ValueError) as exc:
    st.error(f"The face models could not be loaded: {exc}")
    st.stop()
if class_model.s_norm:
    members = class_model.model.config.members
    st.latex(r"\text{class model: } d = \lVert f(a) - f(b)\rVert_2,\quad "
             r"s = \tfrac12\Big(\tfrac{-d - \mu_a}{\sigma_a} + \tfrac{-d - \mu_b}{\sigma_b}\Big)")
    st.caption(f"f averages {members} twin network{'s' if members > 1 else ''} trained apart. S-norm: μ and σ "
               f"are the mean and spread of −distances from a face to {class_model.model.config.cohort_size} "
               "training pictures (people s1–s30), so s says how unusually close the pair is for these two "
               "faces.")
else:
    st.latex(r"\text{class model: } s = -\lVert f(a) - f(b)\rVert_2")
st.latex(r"\text{SFace: } s = \frac{f(a)\cdot f(b)}{\lVert f(a)\rVert\,\lVert f(b)\rVert}")
st.latex(r"\text{same person} \iff s \ge \tau")
embedders = [class_model, sface]
samples = sample_faces()
if samples is None:
    st.info("The AT&T faces are not in the data folder, so there are no sample faces and no held-out "
            "histograms: upload two photos instead.")
forget_button()

verify_tab, gallery_tab = st.tabs(["Verify two faces", "Gallery: enrol and identify"])

with verify_tab:
    crops = {}
    for col, slot, label, (person, photo_no) in zip(st.columns(2), "ab", ("Photo A", "Photo B"), FACE_DEFAULT_PAIR):
        with col:
            crops[slot] = face_with_crops(slot, label, person, photo_no, samples, embedders)
    if None in crops.values():  # no st.stop() here: it would end the script before the gallery tab
        st.info("Choose two photos with a face each to see the verdicts.")
    else:
        st.header("The verdicts")
        verdicts = {e.short: verify(e, crops["a"][e.short], crops["b"][e.short]) for e in embedders}
        for col, e in zip(st.columns(2), embedders):
            v = verdicts[e.short]
            col.metric(e.name, v.text, f"{e.score_name} {v.similarity:.3f} {'≥' if v.same else '<'} τ = "
                       f"{v.threshold:.3f}", delta_color="off", delta_arrow="up" if v.same else "down")
        if samples is not None:
            st.header("Where this pair falls among held-out pairs")
            heldout_view(verdicts, embedders, class_model, sface)
    notice(notice_text("faces"))

with gallery_tab:
    st.markdown("Enrol people with one or more photos each: only their **embeddings** are stored, and "
                "nothing is retrained. Then identify a probe photo: the gallery is ranked by similarity "
                "and the answer is *unknown* when even the best match is below the threshold.")
    gallery_view(embedders, samples)
    notice(notice_text("gallery"))
