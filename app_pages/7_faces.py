"""Face verification: two photos (uploads, camera or AT&T samples) → detected faces, aligned crops, two
models' verdicts, where the pair falls among held-out pairs, and a gallery to enrol and identify."""
import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from lab_ui.layout import notice
from lab_ui.shared import asset_model, dataset
from siamese_core.data import DatasetNotFoundError
from siamese_core.evaluation.metrics import roc
from siamese_core.faces import (ClassModelEmbedder, FaceDetector, Gallery, ModelFileError, SFaceEmbedder,
                                draw_faces, find_faces, heldout_pair_scores, photo_from_bytes, trade_off,
                                verify)
from siamese_core.faces.embedders import training_dataset
from siamese_core.data.att_faces import dataset_rgb
from siamese_core.faces.verify import validation_threshold
from siamese_core.viz.figures import distance_histogram, roc_figure
from siamese_core.service.uploads import UploadError

CHECKPOINT = "faces_siamese.pt"
HELD_OUT = [f"s{p}" for p in range(31, 41)]  # people the class model never saw
UPLOAD_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff", "pgm"]
KEY = "faces_"                                 # every session_state key of this page starts with it


@st.cache_resource(show_spinner="Loading the face models…")
def models():
    """Detector and both embedders, shared read-only by all sessions (OpenCV calls are locked inside)."""
    model = asset_model(CHECKPOINT)
    try:  # the threshold `siamese_core evaluate` uses (validation people); else the checkpoint's own
        threshold = validation_threshold(model, dataset(training_dataset(model), "train", model.input_size))
    except DatasetNotFoundError:
        threshold = None
    return FaceDetector(), ClassModelEmbedder(model, threshold), SFaceEmbedder()


@st.cache_resource
def _heldout_store() -> dict:
    """Held-out scores shared by all sessions, filled once (a dict, so the page can show a progress bar)."""
    return {}


def heldout(n_pairs: int = 2000):
    """Scores of balanced pairs of people s31–s40 for both models (the bar shows only the first time)."""
    store = _heldout_store()
    if n_pairs not in store:
        det, *embedders = models()
        bar = st.progress(0.0, text="Scoring held-out pairs (people s31–s40) once for everyone…")
        store[n_pairs] = heldout_pair_scores(embedders, det, dataset("faces", "test"), n_pairs, seed=0,
                                             progress=lambda f: bar.progress(f))
        bar.empty()
    return store[n_pairs]


def sample_faces():
    try:
        return dataset("faces", "test")
    except DatasetNotFoundError:
        return None


def photo_input(slot: str, label: str, default_person: str, default_photo: int, samples) -> object | None:
    """One photo from a sample, an upload or the camera → a FacePhoto kept in session_state (or None)."""
    sources = (["AT&T sample"] if samples is not None else []) + ["Upload a photo", "Camera"]
    source = st.radio(f"{label}: source", sources, horizontal=True, key=f"{KEY}src_{slot}")
    nonce = st.session_state.get(KEY + "nonce", 0)  # bumped by "Forget": resets the uploaders
    if source == "AT&T sample":
        c1, c2 = st.columns(2)
        person = c1.selectbox("person (never trained on)", HELD_OUT, index=HELD_OUT.index(default_person),
                              key=f"{KEY}person_{slot}")
        photo = c2.number_input("photo", 1, 10, default_photo, key=f"{KEY}photo_{slot}")
        k = (HELD_OUT.index(person)) * 10 + int(photo) - 1  # test split: s31…s40 × photos 1…10
        return find_faces(Image.fromarray(dataset_rgb(samples, k)), models()[0], att_framed=True)
    key = f"{KEY}file_{slot}_{source}_{nonce}"
    if source == "Upload a photo":
        file = st.file_uploader(f"{label}: photo", type=UPLOAD_TYPES, key=key)
    else:
        file = st.camera_input(f"{label}: photo", key=key)
    state_key = f"{KEY}upload_{slot}"
    if file is None:
        st.session_state.pop(state_key, None)
        return None
    held = st.session_state.get(state_key)
    if held is None or held["id"] != file.file_id:
        try:  # decode once per file; only the decoded photo and its faces are kept, in this session
            held = {"id": file.file_id, "photo": photo_from_bytes(file.getvalue(), models()[0]), "error": None}
        except UploadError as exc:
            held = {"id": file.file_id, "photo": None, "error": str(exc)}
        st.session_state[state_key] = held
    if held["error"]:
        st.error(held["error"])
    return held["photo"]


def chosen_face(slot: str, photo):
    """Show the photo with its boxes; let the user pick when there are several faces."""
    if photo is None:
        return None
    pick = 0
    if len(photo.faces) > 1:
        pick = st.selectbox(f"{len(photo.faces)} faces found: which one?", range(len(photo.faces)),
                            format_func=lambda k: f"face {k + 1}", key=f"{KEY}pick_{slot}")
    w = photo.rgb.shape[1]
    st.image(draw_faces(photo, pick), width="stretch" if w >= 300 else 3 * w,  # tiny AT&T pictures: 3×
             caption=f"YuNet: {len(photo.faces)} face(s) (teal, with landmarks) · "
                     f"Haar cascade: {len(photo.haar)} box(es) (orange)")
    if not photo.faces:
        st.error("No face was found in this photo: try one where the face is frontal, well lit and at "
                 "least about 40 pixels wide.")
        return None
    return photo.face(pick)


# --- page ---------------------------------------------------------------------------------------
st.title("Face verification")
st.markdown(
    "**Verification** asks *are these two photos the same person?* One network embeds each face; the "
    "answer is a similarity compared with a threshold. **Identification** asks *who in my gallery is "
    "this?* and ranks the enrolled people. Two models answer side by side: the **class model**, Siamese "
    "networks this project trains in about 20 CPU minutes on the AT&T/ORL faces of people s1–s30 (people "
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
if st.sidebar.button("Forget my photos and gallery", key=KEY + "forget"):
    nonce = st.session_state.get(KEY + "nonce", 0) + 1
    for k in [k for k in st.session_state if str(k).startswith(KEY)]:
        del st.session_state[k]
    st.session_state[KEY + "nonce"] = nonce
    st.rerun()
st.sidebar.caption("Photos are decoded in memory for this browser tab only: never written to disk, never "
                   "shared with other users, and gone with this button or when the tab closes.")

verify_tab, gallery_tab = st.tabs(["Verify two faces", "Gallery: enrol and identify"])

with verify_tab:
    cols = st.columns(2)
    faces, crops = {}, {}
    for col, slot, label, person, photo_no in ((cols[0], "a", "Photo A", "s31", 1), (cols[1], "b", "Photo B", "s31", 2)):
        with col:
            photo = photo_input(slot, label, person, photo_no, samples)
            face = chosen_face(slot, photo)
            if face is not None:
                crops[slot] = photo.crops(face, embedders)
                c1, c2 = st.columns(2)
                as_is = photo.att_framed and embedders[0].att_framed
                how = "the AT&T picture as it is" if as_is else "re-aligned from the eyes, grey"
                c1.image(crops[slot]["class"], caption=f"class model: {how}", width=110)
                c2.image(crops[slot]["sface"], caption="SFace: aligned 112×112", width=110)
    if len(crops) < 2:
        st.info("Choose two photos with a face each to see the verdicts.")
        st.stop()

    st.subheader("The verdicts")
    verdicts = {e.short: verify(e, crops["a"][e.short], crops["b"][e.short]) for e in embedders}
    for col, e in zip(st.columns(2), embedders):
        v = verdicts[e.short]
        col.metric(e.name, v.text, f"{e.score_name} {v.similarity:.3f} vs τ = {v.threshold:.3f}",
                   delta_color="off")

    if samples is not None:
        st.subheader("Where this pair falls among held-out pairs")
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
        as_distance = short == "class" and not class_model.s_norm  # S-norm scores are similarities
        fig = distance_histogram(scores, held.same, tau, as_distance=as_distance,
                                 title=f"{held.same.sum()} same / {(1 - held.same).sum()} different pairs, s31–s40")
        fig.add_vline(x=-pair if as_distance else pair, line_color="#264653", line_width=3,
                      annotation_text="your pair", annotation_position="bottom right")
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
    notice("- Move τ: a lower threshold accepts more impostors (FAR up), a higher one rejects more genuine "
           "pairs (FRR up); the ROC point moves along the curve. There is no threshold without a cost.\n"
           "- The class model learned from 24 people and 240 grey pictures in about 20 CPU minutes; SFace learned "
           "from hundreds of thousands of faces. On the same held-out pairs the gap is the lesson: metric "
           "learning works, and data is what makes it generalise.\n"
           "- Your own photo is far from the AT&T pictures (colour, lighting, background, camera): the small "
           "model is out of its depth there, SFace much less so. Detection and alignment matter as much as "
           "the network — compare the YuNet and Haar boxes.")

with gallery_tab:
    galleries = st.session_state.setdefault(KEY + "gallery", {e.short: Gallery() for e in embedders})
    st.markdown("Enrol people with one or more photos each: only their **embeddings** are stored, and "
                "nothing is retrained. Then identify a probe photo: the gallery is ranked by similarity "
                "and the answer is *unknown* when even the best match is below the threshold.")
    c1, c2 = st.columns(2)
    with c1:
        st.markdown("#### Enrol")
        name = st.text_input("name", key=KEY + "enrol_name", max_chars=40)
        photo = photo_input("enrol", "Enrol", "s33", 1, samples)
        face = chosen_face("enrol", photo)
        if st.button("Enrol this face", key=KEY + "enrol", disabled=face is None):
            try:
                for e in embedders:
                    galleries[e.short].enrol(name, e.embed([photo.crops(face, [e])[e.short]])[0])
                st.success(f"Enrolled {name.strip()}.")
            except ValueError as exc:
                st.error(str(exc))
        g = galleries[sface.short]
        if len(g):
            st.dataframe(pd.DataFrame({"person": g.names, "photos": [len(g.entries[n]) for n in g.names]}),
                         hide_index=True)
    with c2:
        st.markdown("#### Identify")
        photo = photo_input("probe", "Probe", "s33", 5, samples)
        face = chosen_face("probe", photo)
        if face is not None and len(galleries[sface.short]):
            for e in embedders:
                who, ranking = galleries[e.short].identify(e, e.embed([photo.crops(face, [e])[e.short]])[0])
                st.markdown(f"**{e.name}:** " + (f"this is **{who}**" if who else "**unknown** (below τ)"))
                st.dataframe(pd.DataFrame({"rank": range(1, len(ranking) + 1), "person": [m.name for m in ranking],
                                           e.score_name: [round(m.similarity, 3) for m in ranking]}),
                             hide_index=True)
        elif face is not None:
            st.info("Enrol at least one person first.")
    notice("- Enrolling a new person took no training: one embedding is stored (the passport-gate idea).\n"
           "- Identification is many verifications at once, so false accepts add up with gallery size; "
           "the *unknown* answer is what keeps an open-world system honest.")
