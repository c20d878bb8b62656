"""The face page driven through its sample-face selectors, and an upload (the upload path is a thin call into
siamese_core.faces.photo_from_bytes, tested on its own)."""
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from siamese_core.data.att_faces import dataset_rgb
from siamese_core.faces import verify

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "7_faces.py")


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected(att_pictures, detector, embedder, a, b):
    crops = []
    for k in (a, b):
        rgb = dataset_rgb(att_pictures, k)
        # Sample faces are AT&T pictures: the class model takes them as they are, SFace aligns them.
        crops.append(rgb[:, :, 0] if embedder.att_framed else embedder.crop(rgb, detector.detect(rgb)[0]))
    return verify(embedder, *crops)


def _arrows(at, *embedders) -> dict[str, str]:
    """Each verdict's arrow (UP, DOWN or NONE), by model name."""
    from streamlit.proto.Metric_pb2 import Metric
    names = {e.name for e in embedders}
    return {m.label: Metric.MetricDirection.Name(m.proto.direction) for m in at.metric if m.label in names}


def _truth(class_verdict, sface, at) -> dict[str, str]:
    """The arrows that tell the truth: up at or above τ, down below it."""
    sface_same = _metrics(at)[sface.name] == "same person"
    return {class_verdict.model: "UP" if class_verdict.same else "DOWN", sface.name: "UP" if sface_same else "DOWN"}


@pytest.mark.slow
def test_two_sample_faces_get_both_verdicts_and_a_threshold_that_moves_the_decision(
        load, detector, sface, class_model):
    test = load("faces", "test")
    at = AppTest.from_file(PAGE, default_timeout=240).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Face verification"
    # Defaults: s31 photo 1 vs s31 photo 8 — the same person, and both models say so.
    m = _metrics(at)
    assert m[sface.name] == "same person"
    expected = _expected(test, detector, class_model, 0, 7)
    assert m[class_model.name] == expected.text
    assert f"{expected.similarity:.3f}" in " ".join(str(x.delta) for x in at.metric if x.label == class_model.name)
    assert _arrows(at, sface, class_model) == _truth(expected, sface, at)
    assert "YuNet found a face in 100 of 100" in " ".join(c.value for c in at.caption)
    # Each photo and each crop says what it shows to a screen reader (both photos with their crops, then the
    # gallery tab's enrol and probe photos).
    alts = [img.alt for element in at.get("image") for img in element.proto.imgs]
    assert len(alts) == 8 and all(alts) and sum("the class model reads it" in a for a in alts) == 2

    # Photo B becomes s36 photo 4: a different person.
    at.selectbox(key="faces_person_b").set_value("s36")
    at.number_input(key="faces_photo_b").set_value(4)
    at.run()
    assert not at.exception, at.exception
    m = _metrics(at)
    assert m[sface.name] == "different people"
    expected = _expected(test, detector, class_model, 0, 5 * 10 + 3)
    assert m[class_model.name] == expected.text
    # Below τ, the verdict's arrow points down (it said "↑" whichever side of τ the score fell).
    assert _arrows(at, sface, class_model)[sface.name] == "DOWN"
    assert _arrows(at, sface, class_model) == _truth(expected, sface, at)

    # SFace's histogram: the slider at its lowest value accepts every pair (FAR 100 %, FRR 0 %).
    at.radio(key="faces_hist_model").set_value("sface").run()
    slider = at.slider(key="faces_tau_sface")
    assert np.isclose(slider.value, sface.threshold, atol=0.01)
    slider.set_value(slider.min).run()
    m = _metrics(at)
    assert m["false accepts (FAR)"] == "100.0 %" and m["false rejects (FRR)"] == "0.0 %"
    assert m["your pair at τ"] == "same"


@pytest.mark.slow
def test_gallery_enrols_sample_faces_and_identifies_a_probe(load):
    load("faces", "test")
    at = AppTest.from_file(PAGE, default_timeout=240).run()
    for name, person in (("Ada", "s33"), ("Bo", "s38")):
        at.text_input(key="faces_enrol_name").set_value(name)
        at.selectbox(key="faces_person_enrol").set_value(person)
        at.button(key="faces_enrol").click().run()
        assert not at.exception, at.exception
    assert any("Enrolled Bo" in s.value for s in at.success)
    # A second click on the same photo says so and enrols nothing (Bo keeps one photo).
    at.button(key="faces_enrol").click().run()
    assert [e.value for e in at.error] == ["This photo is already enrolled; choose another photo to enrol."]
    assert [len(g.entries["Bo"]) for g in at.session_state["faces_gallery"].values()] == [1, 1]
    # The probe defaults to s33 photo 5: SFace must name Ada; the ranked table lists both people.
    text = " ".join(m.value for m in at.markdown)
    assert "SFace (OpenCV Zoo reference):** this is **Ada**" in text
    tables = [t.value for t in at.dataframe]
    assert any(list(t["person"]) == ["Ada", "Bo"] for t in tables if "rank" in t)
    # Enrolling without a name is refused with a message and changes nothing.
    at.text_input(key="faces_enrol_name").set_value("")
    at.button(key="faces_enrol").click().run()
    assert any("name" in e.value for e in at.error)
    # "Forget" empties the gallery.
    at.sidebar.button(key="faces_forget").click().run()
    assert not at.exception
    assert "faces_gallery" not in at.session_state or not len(at.session_state["faces_gallery"]["sface"])


@pytest.mark.slow  # loads the face models and the held-out scores
def test_fewer_than_two_faces_still_shows_the_gallery_tab(load):
    """Photo A switched to an (empty) upload: the verify tab asks for two photos, and the gallery tab —
    rendered after it in the same script — must still have its widgets (no st.stop() inside a tab)."""
    load("faces", "test")
    at = AppTest.from_file(PAGE, default_timeout=240).run()
    at.radio(key="faces_src_a").set_value("Upload a photo").run()
    assert not at.exception, at.exception
    assert any("Choose two photos" in i.value for i in at.info)
    assert not any(m.label == "Photo A" for m in at.metric)  # no verdicts without two faces
    assert at.text_input(key="faces_enrol_name") is not None
    assert at.button(key="faces_enrol") is not None
    assert len(at.tabs) == 2 and "Enrol people" in " ".join(m.value for m in at.tabs[1].markdown)


@pytest.mark.slow
def test_an_animated_gif_says_that_only_its_first_frame_is_used(load, att):
    from tests.face_photos import phone_photo, to_bytes
    load("faces", "test")
    frames = [phone_photo(att(33, k)) for k in (1, 2)]
    gif = to_bytes(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=200, loop=0)
    at = AppTest.from_file(PAGE, default_timeout=240).run()
    at.radio(key="faces_src_a").set_value("Upload a photo").run()
    at.file_uploader[0].set_value(("wave.gif", gif, "image/gif")).run()
    assert not at.exception and not at.error
    said = [i.value for i in at.info if "animated" in i.value]
    assert said == ["This file is animated: only its first frame is used."]
    still = to_bytes(frames[0], "GIF")
    at.file_uploader[0].set_value(("still.gif", still, "image/gif")).run()
    assert not [i for i in at.info if "animated" in i.value]
