"""One failing input per page, driven through the page itself: each answers with one sentence and no
exception (no traceback on a page), and the rest of the page still works."""
import io
import struct
import threading
import zlib
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from lab_ui import training_jobs
from lab_ui.face_views import NAME_CHARS
from lab_ui.plain_text import LIMIT, SENTENCE
from siamese_core.explain.l1_layer import MAX_VECTOR
from siamese_core.service.jobs import JOBS_PER_STUDENT
from tests.pages.explore import open_explore
from tests.pages.hostile_names import NAMES, as_read, fully_escaped, shows_as_text, visible

PAGES = Path(__file__).resolve().parents[2] / "app_pages"


def png(size, mode="RGB", colour=128) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, colour).save(buf, "PNG")
    return buf.getvalue()


def truncated_png() -> bytes:
    """A 2000×2000 header with ten rows of data, in a clean zlib stream (Pillow would fill the rest)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = b"".join(b"\x00" + b"\x80" * 6000 for _ in range(10))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2000, 2000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def one_sentence(text: str) -> bool:
    return bool(text) and "\n" not in text and "Traceback" not in text and len(text) < 300


@pytest.mark.slow
def test_faces_page_answers_a_foreign_name_a_thin_strip_and_a_truncated_png_with_a_sentence():
    at = AppTest.from_file(str(PAGES / "7_faces.py"), default_timeout=300).run()
    # The photos and crops shown are inside the page (data: URIs), never /media files that outlive the tab.
    urls = [img.url for element in at.get("image") for img in element.proto.imgs]
    assert len(urls) >= 6 and all(u.startswith("data:image/") for u in urls), urls[:3]
    at.radio(key="faces_src_a").set_value("Upload a photo").run()
    hostile = [(("payload.exe", b"MZ\x90\x00" * 10, "application/octet-stream"), "not a photo"),
               (("x.pfm", b"PF\n1 1\n-1\n" + b"\x00" * 12, "image/x-portable-floatmap"), "not a photo"),
               (("strip.png", png((1280, 8)), "image/png"), "20 times"),
               (("cut.png", truncated_png(), "image/png"), "truncated")]
    for file, expected in hostile:
        at.file_uploader[0].set_value(file).run()
        assert not at.exception, file[0]
        said = [e.value for e in at.error]
        assert any(expected in e for e in said) and all(one_sentence(e) for e in said), (file[0], said)
    assert [t.label for t in at.tabs] == ["Verify two faces", "Gallery: enrol and identify"]


@pytest.mark.slow
def test_convolution_page_answers_a_thin_strip_and_junk_with_a_sentence():
    at = AppTest.from_file(str(PAGES / "1_convolution.py"), default_timeout=120)
    at.query_params["src"] = "upload"
    at.run()
    for name, data, expected in (("strip.png", png((10000, 20), "L"), "20 times"),
                                 ("payload.exe", b"MZ" * 100, "not a photo")):
        at.sidebar.file_uploader[0].set_value((name, data, "application/octet-stream")).run()
        assert not at.exception, name
        assert any(expected in e.value and one_sentence(e.value) for e in at.error), name
    # A 20:1 strip is accepted and shrunk to 64×3: the 3×3 kernel still fits, and the page draws it.
    at.sidebar.file_uploader[0].set_value(("ok.png", png((1280, 64), "L"), "image/png")).run()
    assert not at.exception and any("64" in c.value for c in at.caption)


@pytest.mark.slow
def test_one_shot_page_answers_a_huge_png_with_a_sentence(load):
    load("omniglot", "evaluation", image_size=(28, 28))
    at = AppTest.from_file(str(PAGES / "6_one_shot.py"), default_timeout=240).run()
    at.radio(key="oneshot_source").set_value("upload a drawing").run()
    at.file_uploader(key="oneshot_upload").set_value(("big.png", png((6300, 6300), "L", 255), "image/png")).run()
    assert not at.exception
    assert any("too much memory" in e.value and one_sentence(e.value) for e in at.error)


@pytest.mark.slow
def test_twins_page_ignores_a_link_with_15000_numbers_and_refuses_them_typed():
    long = ", ".join(["0.5"] * 15_000)
    at = AppTest.from_file(str(PAGES / "2_siamese_twins.py"), default_timeout=240)
    at.query_params["twins_h1"] = long
    at.run()
    assert not at.exception
    assert at.text_input(key="twins_h1").value == "0.1, 0.4, 1.1"  # the workshop's vector instead
    assert [w.value for w in at.warning] == ["The link's h1 is 74,998 characters long, more than 32 numbers "
                                             "need, so its box shows 0.1, 0.4, 1.1 instead."]
    at.text_input(key="twins_h2").set_value(long).run()
    assert not at.exception
    assert any("characters long" in w.value and one_sentence(w.value) for w in at.warning)


@pytest.mark.slow
def test_twins_page_says_when_a_link_has_more_than_32_numbers():
    at = AppTest.from_file(str(PAGES / "2_siamese_twins.py"), default_timeout=240)
    at.query_params["twins_alpha"] = ", ".join(["0.5"] * 33)
    at.run()
    assert not at.exception and at.text_input(key="twins_alpha").value == "-1"
    assert [w.value for w in at.warning] == ["The link's α has more than 32 numbers, the most that are worked by "
                                             "hand, so its box shows -1 instead."]
    at.text_input(key="twins_alpha").input("2").run()  # the student's own value: nothing more to say
    assert not at.warning


def _held_jobs(owner: str, n: int):
    """`n` trainings this student already holds elsewhere (other pages or tabs of the same session)."""
    release = threading.Event()

    def waits(job):
        release.wait(120)
        return []
    jobs = [training_jobs.job_queue().submit(waits, owner, f"elsewhere {k}") for k in range(n)]
    return release, jobs


@pytest.mark.slow
@pytest.mark.parametrize("page,button", [("3_losses.py", "Train"), ("4_embedding_size.py", "Run the sweep"),
                                         ("5_mining.py", "Train one 2-D network per λ")])
def test_training_pages_refuse_a_student_who_already_holds_the_limit_with_a_sentence(page, button):
    at = AppTest.from_file(str(PAGES / page), default_timeout=300)
    at.session_state["_job_owner"] = owner = f"student-{page}"
    at.run()
    release, jobs = _held_jobs(owner, JOBS_PER_STUDENT)
    try:
        next(b for b in [*at.button, *at.sidebar.button] if b.label == button).click().run()
        assert not at.exception
        said = [w.value for w in at.warning]
        true_limit = "already have 2 trainings", "at most 2 at a time"
        assert any(all(t in w for t in true_limit) and one_sentence(w) for w in said), said
        assert training_jobs.job_queue().stats()["waiting"] + training_jobs.job_queue().stats()["running"] == len(jobs)
    finally:
        release.set()
        for job in jobs:
            training_jobs.job_queue().cancel(job)


# --- Names are text: every string a student supplies is shown as itself -------------------------------------


@pytest.mark.slow
def test_convolution_page_shows_hostile_file_names_as_text():
    at = AppTest.from_file(str(PAGES / "1_convolution.py"), default_timeout=120)
    at.query_params["src"] = "upload"
    at.run()
    for name in NAMES:
        at.sidebar.file_uploader[0].set_value((name + ".png", b"MZ" * 100, "application/octet-stream")).run()
        body = at.error[0].value
        assert shows_as_text(body, name + ".png", LIMIT) and "not a photo" in as_read(body), (name, body)


@pytest.mark.slow
def test_twins_page_shows_hostile_vectors_from_a_link_or_typed_as_text():
    for name in NAMES:
        at = AppTest.from_file(str(PAGES / "2_siamese_twins.py"), default_timeout=240)
        at.query_params["twins_h1"] = name
        at.run()
        assert at.text_input(key="twins_h1").value == visible(name, 40 * MAX_VECTOR), name
        said = [w.value for w in at.warning]
        assert said and all(fully_escaped(w) and len(as_read(w)) <= SENTENCE for w in said), (name, said)
    at.text_input(key="twins_h2").input(NAMES[0]).run()
    assert any("numbers separated by commas" in as_read(w.value) and fully_escaped(w.value) for w in at.warning)


def test_explore_mode_shows_a_hostile_loss_from_a_link_as_text(atlas):
    for name in NAMES:
        at = open_explore(str(PAGES / "3_losses.py"), loss=name)
        said = [w.value for w in at.warning]
        assert len(said) == 1 and fully_escaped(said[0]) and "is not in the atlas" in as_read(said[0]), said


@pytest.mark.slow
def test_faces_gallery_shows_hostile_names_as_text(load):
    load("faces", "test")
    at = AppTest.from_file(str(PAGES / "7_faces.py"), default_timeout=300).run()
    typed = [name[:NAME_CHARS] for name in NAMES]  # the text box keeps at most NAME_CHARS characters
    for k, name in enumerate(typed):  # each enrols another photo: s33's ten, then s34's
        at.text_input(key="faces_enrol_name").set_value(name)
        at.selectbox(key="faces_person_enrol").set_value("s33" if k < 10 else "s34")
        at.number_input(key="faces_photo_enrol").set_value(k % 10 + 1)
        at.button(key="faces_enrol").click().run()
        assert not at.exception and shows_as_text(at.success[0].value, name, NAME_CHARS), (name, at.success)
    # The probe (s33, photo 5) is the very photo enrolled under the fifth name: that name is given.
    said = [m.value for m in at.markdown if "this is" in m.value]
    assert said and all(shows_as_text(s, typed[4], NAME_CHARS) for s in said), said
    ranked = next(t.value for t in at.dataframe if "rank" in t.value)
    assert sorted(ranked["person"]) == sorted(visible(n, NAME_CHARS) for n in typed)
