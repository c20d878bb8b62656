"""Face-page pieces: the shared face models, held-out pair scores, and one photo input (an AT&T sample,
an upload or the camera) with its detected faces. Uploaded photos live in this session only."""
from __future__ import annotations

import streamlit as st
from PIL import Image

from siamese_core.data import DatasetNotFoundError
from siamese_core.data.att_faces import dataset_rgb
from siamese_core.faces import (
    ClassModelEmbedder,
    FaceDetector,
    SFaceEmbedder,
    draw_faces,
    find_faces,
    heldout_pair_scores,
    photo_from_bytes,
)
from siamese_core.faces.embedders import training_dataset
from siamese_core.faces.verify import validation_threshold
from siamese_core.vision.uploads import MAX_MB

from .inline_images import data_uri
from .plain_text import SENTENCE, shown
from .shared import asset_model, dataset

CHECKPOINT = "faces_siamese.pt"
HELD_OUT = [f"s{p}" for p in range(31, 41)]  # people the class model never saw
# What the browser's file picker offers. "image/*" (a MIME type) also makes Streamlit skip its own check of
# the file name, which — before the page runs, so the page cannot catch it — showed a client that sent
# `payload.exe` a raw exception; the gate decides by content and answers any file with a sentence.
UPLOAD_TYPES = ["image/*", "jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff", "pgm"]
KEY = "faces_"                                 # every session_state key of the face page starts with it


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
    """The AT&T test people s31–s40, or None when the faces are not in the data folder."""
    try:
        return dataset("faces", "test")
    except DatasetNotFoundError:
        return None


def forget_button() -> None:
    """Drop every photo and the gallery of this session (and reset the uploaders)."""
    if st.sidebar.button("Forget my photos and gallery", key=KEY + "forget"):
        nonce = st.session_state.get(KEY + "nonce", 0) + 1
        for k in [k for k in st.session_state if str(k).startswith(KEY)]:
            del st.session_state[k]
        st.session_state[KEY + "nonce"] = nonce
        st.rerun()
    st.sidebar.caption("Your photos are kept in the server's memory for this browser tab only, never shared "
                       "with other users, and dropped with this button or when the tab closes. The pictures "
                       "shown are sent inside the page, not as files. (A photo over 1 MB passes through a "
                       "temporary file of the web server while it arrives, deleted at once.)")


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
        file = st.file_uploader(f"{label}: photo", type=UPLOAD_TYPES, key=key, max_upload_size=MAX_MB)
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
        except ValueError as exc:  # UploadError, or the detector's own sentence
            held = {"id": file.file_id, "photo": None, "error": str(exc)}
        except MemoryError:
            held = {"id": file.file_id, "photo": None, "error": "This photo needs more memory than an upload may use."}
        st.session_state[state_key] = held
    if held["error"]:
        st.error(shown(held["error"], SENTENCE))
    elif held["photo"].animated:
        st.info("This file is animated: only its first frame is used.")
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
    st.image(data_uri(draw_faces(photo, pick), "JPEG", 800), width="stretch" if w >= 300 else 3 * w,  # AT&T: 3×
             caption=f"YuNet: {len(photo.faces)} face(s) (teal, with landmarks) · "
                     f"Haar cascade: {len(photo.haar)} box(es) (orange)",
             alt=f"The photo with a numbered box around each face YuNet found ({len(photo.faces)}) and a box "
                 f"around each the Haar cascade found ({len(photo.haar)})")
    if not photo.faces:
        st.error("No face was found in this photo: try one where the face is frontal, well lit and at "
                 "least about 40 pixels wide.")
        return None
    return photo.face(pick)


def face_with_crops(slot: str, label: str, person: str, photo_no: int, samples, embedders) -> dict | None:
    """A photo input, its chosen face and both models' crops shown small; the crops (or None)."""
    photo = photo_input(slot, label, person, photo_no, samples)
    face = chosen_face(slot, photo)
    if face is None:
        return None
    crops = photo.crops(face, embedders)
    c1, c2 = st.columns(2)
    as_it_is = photo.att_framed and embedders[0].att_framed
    how = "the AT&T picture as it is" if as_it_is else "re-aligned from the eyes, grey"
    c1.image(data_uri(crops["class"]), caption=f"class model: {how}", width=110,
             alt=f"The chosen face as the class model reads it: {how}")
    c2.image(data_uri(crops["sface"]), caption="SFace: aligned 112×112", width=110,
             alt="The chosen face as SFace reads it: cut out, turned so the eyes are level, 112×112 pixels")
    return crops
