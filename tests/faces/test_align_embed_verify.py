"""Alignment, both embedders, verdicts and the FAR/FRR trade-off, on real faces."""
import cv2
import numpy as np
import pytest
from PIL import Image

from siamese_core.faces import Gallery, find_faces, heldout_pair_scores, to_rgb_array, trade_off, verify
from siamese_core.vision.align import ATT_BOX, ATT_LANDMARKS, att_crop, att_transform
from tests.face_photos import phone_photo


def _face(detector, img):
    rgb = to_rgb_array(img)
    return rgb, detector.detect(rgb)[0]


@pytest.mark.slow
def test_the_att_frame_constants_are_what_yunet_measures_on_the_training_people(att, detector):
    marks, boxes = [], []
    for person in range(1, 31):
        for photo in range(1, 11):
            _, f = _face(detector, att(person, photo))
            marks.append(f.landmarks)
            boxes.append(f.box)
    assert np.abs(np.mean(marks, axis=0) - ATT_LANDMARKS).max() < 0.15
    assert np.abs(np.mean(boxes, axis=0) - ATT_BOX).max() < 0.15


def test_att_transform_puts_the_eyes_where_att_pictures_have_them(att, detector):
    img = phone_photo(att(32, 5)).rotate(15, resample=Image.BICUBIC)  # tilted, 4× bigger, off-centre
    rgb, face = _face(detector, img)
    m = att_transform(face)
    eyes = np.c_[face.landmarks[:2], np.ones(2)] @ m.T
    assert np.abs(eyes - ATT_LANDMARKS[:2]).max() < 1e-3  # float32 landmarks


def test_a_tilted_enlarged_photo_crops_back_to_the_original_picture(att, detector):
    def crop(img):
        return att_crop(*_face(detector, img)).astype(float)[20:100, 15:77].ravel()  # the face, no borders
    original = crop(att(32, 5))
    tilted = crop(phone_photo(att(32, 5)).rotate(10, resample=Image.BICUBIC))
    other = crop(att(35, 5))
    # YuNet's landmarks jitter by a pixel or two between the two versions, so the crops are not
    # identical (measured r ≈ 0.7), but far closer to the original than another person's crop.
    r_same, r_other = np.corrcoef(original, tilted)[0, 1], np.corrcoef(original, other)[0, 1]
    assert r_same > 0.6 and r_same > r_other + 0.2


@pytest.mark.slow
def test_att_pictures_reach_the_class_model_as_they_are_and_uploads_aligned(att, detector, class_model, sface):
    picture = att(34, 3)
    sample = find_faces(picture, detector, att_framed=True)
    crops = sample.crops(sample.faces[0], [class_model, sface])
    assert np.array_equal(crops["class"], np.asarray(picture))  # untouched 112×92 grey picture
    assert crops["sface"].shape == (112, 112, 3)
    upload = find_faces(phone_photo(picture), detector)
    crops = upload.crops(upload.faces[0], [class_model, sface])
    assert np.array_equal(crops["class"], att_crop(upload.rgb, upload.faces[0]))


def test_sface_cosine_is_opencvs_own_match_score(att, detector, sface):
    crops = [sface.crop(*_face(detector, att(p, k))) for p, k in ((31, 1), (31, 2), (38, 1))]
    assert all(c.shape == (112, 112, 3) for c in crops)
    h = sface.embed(crops)
    ours = sface.similarity(h[[0, 0]], h[[1, 2]])
    theirs = [sface._net.match(h[0:1], h[k:k + 1], cv2.FaceRecognizerSF_FR_COSINE) for k in (1, 2)]
    assert np.allclose(ours, theirs, atol=1e-5)
    v_same, v_diff = verify(sface, crops[0], crops[1]), verify(sface, crops[0], crops[2])
    assert v_same.same and v_same.text == "same person"
    assert not v_diff.same and v_diff.text == "different people"
    assert v_same.similarity > v_diff.similarity


@pytest.mark.slow
def test_class_model_scores_the_s_norm_of_minus_euclidean_distance_and_is_symmetric(att, detector, class_model):
    crops = [class_model.crop(*_face(detector, att(p, k))) for p, k in ((33, 1), (33, 2), (37, 4))]
    assert crops[0].shape == (112, 92) and crops[0].dtype == np.uint8
    h = class_model.embed(crops)
    assert h.shape == (3, class_model.model.config.embedding_dim)
    assert np.allclose(np.linalg.norm(h, axis=1), 1, atol=1e-5)  # unit-length embeddings
    # S-norm by hand: each side's −distances to the 240 cohort embeddings give its mean and spread.
    cohort = class_model.model.cohort.numpy().astype(np.float64)
    to_cohort = -np.linalg.norm(h[:, None, :].astype(np.float64) - cohort[None], axis=2)
    mu, sd = to_cohort.mean(1), to_cohort.std(1, ddof=1)
    brute = []
    for k in (1, 2):
        d = -np.sqrt(((h[0] - h[k]) ** 2).sum())
        brute.append(((d - mu[0]) / sd[0] + (d - mu[k]) / sd[k]) / 2)
    assert class_model.s_norm and class_model.score_name == "S-norm of the −L2 distance"
    assert np.allclose(class_model.similarity(h[[0, 0]], h[[1, 2]]), brute, atol=1e-4)
    assert np.allclose(class_model.similarity(h[[1]], h[[0]]), class_model.similarity(h[[0]], h[[1]]))
    score = verify(class_model, crops[0], crops[1]).similarity
    assert score == pytest.approx(brute[0], abs=1e-4)
    for t, same in ((score - 0.01, True), (score + 0.01, False)):
        v = verify(class_model, crops[0], crops[1], threshold=t)
        assert v.threshold == t and v.same is same


def test_trade_off_counts_false_accepts_and_rejects_like_a_loop():
    rng = np.random.default_rng(0)
    scores, same = rng.normal(size=200), rng.integers(0, 2, 200)
    for t in (-1.0, 0.0, 0.3):
        far = sum(s >= t for s, y in zip(scores, same) if y == 0) / sum(same == 0)
        frr = sum(s < t for s, y in zip(scores, same) if y == 1) / sum(same == 1)
        acc = sum((s >= t) == bool(y) for s, y in zip(scores, same)) / 200
        got = trade_off(scores, same, t)
        assert np.isclose(got["far"], far) and np.isclose(got["frr"], frr) and np.isclose(got["accuracy"], acc)


@pytest.mark.slow
def test_held_out_pairs_sface_is_near_perfect_and_the_class_model_beats_chance(load, detector, sface, class_model):
    test = load("faces", "test")
    held = heldout_pair_scores([class_model, sface], detector, test, n_pairs=400, seed=3)
    assert held.images == 100 and held.detected == 100
    assert held.same.sum() == 200 and len(held.scores["sface"]) == 400
    assert held.summary(sface)["accuracy"] >= 0.95
    assert held.summary(class_model)["auc"] > 0.8


def test_gallery_identifies_enrolled_people_and_says_unknown_for_strangers(att, detector, sface):
    def emb(p, k):
        rgb, f = _face(detector, att(p, k))
        return sface.embed([sface.crop(rgb, f)])[0]
    g = Gallery()
    for p in (31, 32, 33):
        g.enrol(f"person {p}", emb(p, 1))
    g.enrol("person 32", emb(32, 2))  # a second photo of the same person
    who, ranking = g.identify(sface, emb(32, 7))
    assert who == "person 32" and [m.name for m in ranking][0] == "person 32"
    assert ranking[0].photos == 2 and len(ranking) == 3
    assert [m.similarity for m in ranking] == sorted((m.similarity for m in ranking), reverse=True)
    assert g.identify(sface, emb(39, 1))[0] is None  # never enrolled: unknown
    with pytest.raises(ValueError, match="name"):
        g.enrol("  ", emb(31, 2))
    with pytest.raises(ValueError, match="already enrolled"):  # the same photo twice, under any name
        g.enrol("someone else", emb(31, 1))
    assert len(g.entries["person 31"]) == 1 and "someone else" not in g.entries
    with pytest.raises(ValueError, match="numbers"):
        g.enrol("x", np.zeros(16))
    with pytest.raises(ValueError, match="empty"):
        Gallery().identify(sface, emb(31, 2))
