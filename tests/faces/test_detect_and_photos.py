"""Detection on real pictures and on photos made from them, and every bad-input path of an upload."""
import numpy as np
import pytest
from PIL import Image

from siamese_core.faces import find_faces, haar_boxes, photo_from_bytes, to_rgb_array
from siamese_core.vision.align import ATT_LANDMARKS
from siamese_core.vision.uploads import UploadError, read_image
from tests.face_photos import phone_photo, to_bytes


def test_yunet_finds_one_face_in_every_held_out_att_picture(att, detector):
    # The 92×112 AT&T pictures are tight crops, yet YuNet finds the face at native size in all of them.
    for person in range(31, 41):
        for photo in range(1, 11):
            faces = detector.detect(to_rgb_array(att(person, photo)))
            assert len(faces) == 1, (person, photo)
            x, y, w, h = faces[0].box
            assert 0 <= x + w / 2 <= 92 and 0 <= y + h / 2 <= 112
            assert faces[0].score > 0.6


def test_tiny_pictures_get_an_upscaled_second_try_with_sane_boxes(att, detector):
    # At 30×37 YuNet's first pass returns a garbage row (a box at ~1e17): it is dropped, and the
    # upscaled, bordered retry finds the face, mapped back to the small picture's pixels.
    small = to_rgb_array(att(31, 1).resize((30, 37), Image.BILINEAR))
    faces = detector.detect(small)
    assert len(faces) == 1
    x, y, w, h = faces[0].box
    assert np.isfinite([x, y, w, h]).all() and 5 < w < 40 and 5 < h < 45
    eye_mid = faces[0].landmarks[:2].mean(0)
    expected = ATT_LANDMARKS[:2].mean(0) * (30 / 92, 37 / 112)
    assert np.abs(eye_mid - expected).max() < 4


def test_astronaut_photo_one_face_where_her_head_is(astronaut, detector):
    faces = detector.detect(astronaut)
    assert len(faces) == 1
    x, y, w, h = faces[0].box
    assert 150 < x + w / 2 < 260 and 60 < y + h / 2 < 190  # her head, upper middle of the 512×512 photo
    assert haar_boxes(astronaut), "the Haar cascade finds the frontal face too"


def test_two_people_side_by_side_give_two_faces(att, detector):
    a, b = phone_photo(att(31, 1), 2), phone_photo(att(35, 1), 2)
    both = Image.new("RGB", (a.width + b.width, a.height))
    both.paste(a, (0, 0))
    both.paste(b, (a.width, 0))
    photo = find_faces(both, detector)
    assert len(photo.faces) == 2
    with pytest.raises(ValueError, match="pick one of 1–2"):
        photo.face(2)


def test_a_photo_without_a_face_gives_no_detection_and_a_clear_message(detector, load):
    digits = load("digits", "test")
    img = Image.fromarray((digits.images[0, 0].numpy() * 255).astype(np.uint8)).resize((256, 256))
    photo = find_faces(img, detector)
    assert photo.faces == []
    with pytest.raises(ValueError, match="No face was found"):
        photo.face(0)


@pytest.mark.parametrize("make", [
    pytest.param(lambda im: to_bytes(im, "JPEG", quality=25), id="jpeg-q25"),
    pytest.param(lambda im: to_bytes(im, "PNG"), id="png"),
    pytest.param(lambda im: to_bytes(im, "WEBP", quality=60), id="webp"),
    pytest.param(lambda im: to_bytes(im.transpose(Image.FLIP_LEFT_RIGHT), "JPEG"), id="mirrored"),
    pytest.param(lambda im: to_bytes(im.rotate(12, expand=True, fillcolor=(0, 0, 0)), "JPEG"), id="tilted-12deg"),
    pytest.param(lambda im: to_bytes(im.resize((im.width // 3, im.height // 3)), "JPEG"), id="downscaled"),
    pytest.param(lambda im: to_bytes(im.resize((im.width * 4, im.height * 4)), "JPEG"), id="upscaled-phone-size"),
])
def test_photos_made_from_a_real_face_are_decoded_and_the_face_found(att, detector, make):
    photo = photo_from_bytes(make(phone_photo(att(33, 2))), detector)
    assert len(photo.faces) == 1
    assert max(photo.rgb.shape[:2]) <= 1280  # big photos are shrunk before detection


def test_exif_rotated_phone_photo_is_turned_upright_before_detection(att, detector):
    upright = phone_photo(att(34, 1))
    sideways = upright.transpose(Image.ROTATE_90)  # how the sensor stored it
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    data = to_bytes(sideways, "JPEG", exif=exif.tobytes())
    photo = photo_from_bytes(data, detector)
    assert photo.rgb.shape[:2] == (upright.height, upright.width)
    assert len(photo.faces) == 1
    # Without honouring EXIF the face lies on its side and YuNet does not find it.
    assert detector.detect(np.asarray(sideways)) == []


def test_transparent_and_16_bit_pictures_are_flattened_and_still_work(att, detector):
    rgba = phone_photo(att(36, 3)).convert("RGBA")
    alpha = np.full((rgba.height, rgba.width), 255, np.uint8)
    alpha[:, : rgba.width // 8] = 0  # a transparent strip on the left
    rgba.putalpha(Image.fromarray(alpha))
    photo = photo_from_bytes(to_bytes(rgba, "PNG"), detector)
    assert len(photo.faces) == 1 and (photo.rgb[:, :5] == 255).all()  # alpha → white
    grey16 = Image.fromarray(np.asarray(phone_photo(att(36, 4)).convert("L"), np.uint16) * 257)
    assert len(photo_from_bytes(to_bytes(grey16, "PNG"), detector).faces) == 1


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    (b"%PDF-1.4 this is not a photo", "not a photo"),
    (None, "damaged or truncated"),   # a real JPEG cut in half
    (b"big", "limit is"),             # over the byte limit (checked with a tiny limit below)
    ("48MP", "megapixels"),           # a 8000×6000 photo: over the 40-megapixel limit
    ("bomb", "decompression bomb"),   # 400 megapixels of zeros compressed into a small PNG
])
def test_bad_uploads_raise_one_clear_sentence(att, detector, data, message):
    kwargs = {}
    if data is None:
        full = to_bytes(phone_photo(att(31, 1)), "JPEG")
        data = full[: len(full) // 2]
    if data in ("48MP", "bomb"):
        size = (8000, 6000) if data == "48MP" else (20000, 20000)
        data = to_bytes(Image.new("1", size), "PNG")
        assert len(data) < 2_000_000
    if data == b"big":
        data, kwargs = to_bytes(phone_photo(att(31, 1)), "PNG"), {"max_bytes": 1000}
    with pytest.raises(UploadError, match=message):
        read_image(data, **kwargs)
    if not kwargs:
        with pytest.raises(UploadError):
            photo_from_bytes(data, detector)


@pytest.mark.parametrize("h,w", [(8, 1280), (20, 10000), (10000, 20), (64, 1280), (112, 92), (1, 1), (319, 319)])
def test_the_small_photo_retry_never_grows_past_its_budget(detector, h, w):
    """The audit's strips asked the retry for a 5.97 GB and a 42 GB picture; now its bordered picture is at
    most retry_max_pixels, and a strip too thin to upscale within that gets no retry at all."""
    c = detector.config
    scale = detector.retry_scale(h, w)
    if scale > 1:
        bh, bw = round(h * scale), round(w * scale)
        pad = round(c.retry_border * max(bh, bw))
        assert (bh + 2 * pad) * (bw + 2 * pad) <= c.retry_max_pixels * 1.01  # rounding
    assert detector.retry_scale(112, 92) == pytest.approx(c.retry_below / 92)  # AT&T pictures: as before


def test_a_detection_goes_ahead_while_another_session_holds_a_net(att, detector):
    """One student's detection must not wait for another's: with one net taken (another session's
    detection in progress), a detection still finishes."""
    import threading
    held = detector._pool.get()
    try:
        done = []
        t = threading.Thread(target=lambda: done.append(detector.detect(to_rgb_array(att(31, 1)))), daemon=True)
        t.start()
        t.join(timeout=30)
        assert done and len(done[0]) == 1
    finally:
        detector._pool.put(held)


def test_a_strip_too_thin_to_hold_a_face_gives_no_face_and_no_error(detector):
    assert detector.detect(np.full((8, 1280, 3), 128, np.uint8)) == []
    assert detector.detect(np.zeros((0, 5, 3), np.uint8)) == []
