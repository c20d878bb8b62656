"""The dataset layer on the real offline files (no mocks, no network).

Data come from $SIAMESE_LAB_DATA (else the per-user cache). A missing dataset is skipped, unless
$SIAMESE_LAB_DATA is set: then it must be there and the test fails instead.
"""
from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.datasets import MNIST, FashionMNIST

from siamese_core.data import (
    DATASETS,
    ENV_VAR,
    DatasetNotFoundError,
    dataset_status,
    load_dataset,
    load_official_runs,
    resolve_data_dir,
)

DATA_DIR = resolve_data_dir()


def require(present: bool, what: str) -> None:
    if not present:
        message = f"{what} not found in {DATA_DIR}"
        if os.environ.get(ENV_VAR):
            pytest.fail(f"{message}, but {ENV_VAR} is set so it must be there")
        pytest.skip(message)


def need(name: str) -> None:
    require(dataset_status(DATA_DIR)[name], name)


def load(name: str, split: str | None = None):
    need(name)
    return load_dataset(name, split, data_dir=DATA_DIR)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*")} if folder.is_dir() else {}


@pytest.fixture(scope="module", autouse=True)
def shared_dir_untouched():
    """Nothing in this module may write under the data directory."""
    before = snapshot(DATA_DIR)
    yield
    assert snapshot(DATA_DIR) == before


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def assert_images(ds, n: int, size: tuple[int, int], n_classes: int) -> None:
    assert ds.images.shape == (n, 1, *size) and ds.images.dtype in (torch.float32, torch.uint8)
    assert ds.labels.shape == (n,) and ds.labels.dtype == torch.int64
    x = ds.rows(slice(None))
    assert x.dtype == torch.float32 and 0.0 <= x.min() and x.max() <= 1.0
    assert ds.num_classes == n_classes and sorted(ds.labels.unique().tolist()) == list(range(n_classes))


# --- registry -------------------------------------------------------------------------------------------

def test_registry_specs_are_consistent():
    assert set(DATASETS) == {"digits", "mnist", "fashion-mnist", "omniglot", "faces", "faces-aligned", "olivetti"}
    for name, spec in DATASETS.items():
        assert spec.name == name and spec.default_split in spec.splits and spec.how_to_get
        assert len(spec.image_size) == 2


def test_unknown_dataset_split_and_size_raise_value_error():
    with pytest.raises(ValueError, match="mnist"):
        load_dataset("cifar10")
    with pytest.raises(ValueError, match="train"):
        load_dataset("digits", "validation")
    with pytest.raises(ValueError, match="background"):
        load_dataset("omniglot", "valid")
    with pytest.raises(ValueError, match="image_size"):
        load_dataset("digits", image_size=(28,))


def test_omniglot_split_aliases():
    spec = DATASETS["omniglot"]
    assert spec.resolve_split("train") == "background" and spec.resolve_split("test") == "evaluation"
    assert spec.resolve_split(None) == "background"


# --- missing data ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n in DATASETS if n != "digits"])
def test_missing_dataset_names_the_folder_and_writes_nothing(name, tmp_path, no_network):
    root = tmp_path / "data"
    for folder in (root, tmp_path):  # a folder that does not exist yet, and an empty one
        with pytest.raises(DatasetNotFoundError) as err:
            load_dataset(name, data_dir=folder, download=False)
        message = str(err.value)
        assert str(folder) in message and "\n" not in message and message.endswith(".")
    assert list(tmp_path.iterdir()) == []


def test_status_of_an_empty_folder(tmp_path):
    assert dataset_status(tmp_path) == {name: name == "digits" for name in DATASETS}
    assert list(tmp_path.iterdir()) == []


def test_missing_official_runs(tmp_path, no_network):
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        load_official_runs(tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- digits ---------------------------------------------------------------------------------------------

def test_digits_need_no_files(tmp_path):
    train = load_dataset("digits", "train", data_dir=tmp_path)
    test = load_dataset("digits", "test", data_dir=tmp_path)
    assert_images(train, 1257, (8, 8), 10)
    assert_images(test, 540, (8, 8), 10)
    assert train.class_names == [str(d) for d in range(10)] and train.images.max() == 1.0
    again = load_dataset("digits", "test", data_dir=tmp_path)
    assert torch.equal(again.images, test.images) and torch.equal(again.labels, test.labels)
    # Stratified: every digit keeps its share (about 30 %) in the test split.
    counts = torch.bincount(test.labels) / (torch.bincount(test.labels) + torch.bincount(train.labels))
    assert counts.min() > 0.28 and counts.max() < 0.32
    assert list(tmp_path.iterdir()) == []


def test_digits_are_split_by_scikit_learn_once_and_then_mapped_without_it(tmp_path, monkeypatch):
    """The first load splits with scikit-learn and keeps both splits; a later load in another process (a training
    process) maps them without importing scikit-learn (a second and 150 MB there) and gets the same split."""
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    test = load_dataset("digits", "test")
    bunch = sklearn_digits()
    *_, y_test = train_test_split(bunch.images, bunch.target, test_size=0.3, stratify=bunch.target, random_state=0)
    assert test.labels.tolist() == y_test.tolist()
    assert sorted(p.name.split("-")[1] for p in (tmp_path / "siamese-lab" / "arrays").iterdir()) == ["test"] * 2 + [
        "train"] * 2
    code = ("import sys; from siamese_core.data import load_dataset; s = load_dataset('digits', 'test'); "
            "print(float(s.images.sum()), s.labels.tolist() == eval(sys.argv[1]), 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, repr(y_test.tolist())], capture_output=True, text=True,
                         check=True, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    assert out.stdout.split() == [str(float(test.images.sum())), "True", "False"]


# --- MNIST and Fashion-MNIST ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, cls, first_labels", [
    ("mnist", MNIST, [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]),
    ("fashion-mnist", FashionMNIST, [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]),
])
@pytest.mark.slow
def test_mnist_like(name, cls, first_labels):
    train, test = load(name, "train"), load(name, "test")
    assert_images(train, 60_000, (28, 28), 10)
    assert_images(test, 10_000, (28, 28), 10)
    assert train.labels[:10].tolist() == first_labels
    # Stored as the files' bytes (a quarter of float32's memory), read as floats in [0, 1].
    assert train.images.dtype == torch.uint8 and train.class_names == list(cls.classes)
    assert train.rows(slice(None)).max() == 1.0 and train.rows(slice(None)).mean() < 0.5  # bright ink on dark


def test_the_mnist_files_and_classes_are_torchvisions():
    """The loader keeps its own table of torchvision's files, checksums and classes (importing torchvision is a
    second of every training process's start); it must say what torchvision says. A training process's modules
    and an MNIST split load without torchvision, scikit-learn or scipy."""
    from siamese_core.data import mnist

    for ours, theirs in ((mnist.MNIST, MNIST), (mnist.FashionMNIST, FashionMNIST)):
        assert ours.folder == theirs.__name__ and list(ours.resources) == [tuple(r) for r in theirs.resources]
        assert list(ours.classes) == theirs.classes and list(ours.mirrors) == theirs.mirrors
    need("mnist")
    code = ("import sys; from siamese_core.service.execute import execute_spec; "
            "from siamese_core.data import load_dataset; load_dataset('mnist', 'test', data_dir=sys.argv[1]); "
            "print(sorted(m for m in ('torchvision', 'sklearn', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(DATA_DIR)], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[-2] == "[]"


def test_a_split_is_parsed_once_per_machine_and_mapped_by_every_process(tmp_path, monkeypatch):
    """The first load writes the split's bytes as .npy files (named after the sources' md5, so every copy of the
    same files shares them); every later load, in any process, maps them. A file cut short is parsed again, and
    a folder that cannot be written leaves the parsed arrays in use."""
    need("mnist")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    from siamese_core.data import mnist

    first = load("mnist", "test")
    files = sorted(p.name for p in mnist.arrays_dir().iterdir())
    assert files == [f"MNIST-test-9fb629c41895-ec29112dd5af.{part}.npy" for part in ("images", "labels")]
    mapped, images = load("mnist", "test"), mnist.arrays_dir() / files[0]
    assert torch.equal(mapped.images, first.images) and str(images) in Path("/proc/self/maps").read_text()
    short = images.read_bytes()[:1000]
    images.unlink()  # (a file truncated in place would pull the pages from under the loads that map it)
    images.write_bytes(short)   # a write cut short
    again = load("mnist", "test")
    assert torch.equal(again.images, first.images) and images.stat().st_size > 7_000_000
    shutil.rmtree(mnist.arrays_dir())
    mnist.arrays_dir().parent.mkdir(exist_ok=True)
    mnist.arrays_dir().write_text("not a folder")
    assert torch.equal(load("mnist", "test").images, first.images)


def test_cached_mnist_cannot_be_corrupted_by_callers():
    first = load("mnist", "test")
    first.images.zero_()
    first.labels.zero_()
    again = load("mnist", "test")
    assert again.images.max() == 255 and again.labels[:5].tolist() == [7, 2, 1, 0, 4]


def copy_mnist_gz(tmp_path: Path) -> Path:
    need("mnist")
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for f, _ in MNIST.resources:
        shutil.copy(DATA_DIR / "MNIST" / "raw" / f, raw / f)
    return raw


def test_corrupt_mnist_gz_gives_a_clear_error(tmp_path):
    raw = copy_mnist_gz(tmp_path)
    bad = raw / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(bad.read_bytes())
    data[100:110] = bytes(b ^ 0xFF for b in data[100:110])
    bad.write_bytes(data)
    with pytest.raises(DatasetNotFoundError, match=r"t10k-labels-idx1-ubyte\.gz is corrupt"):
        load_dataset("mnist", "test", data_dir=tmp_path)


def test_mnist_from_torchvision_uncompressed_layout(tmp_path):
    raw = copy_mnist_gz(tmp_path)
    for f, _ in MNIST.resources:  # torchvision's own layout: the uncompressed files, .gz removed
        with gzip.open(raw / f) as src, open(raw / f.removesuffix(".gz"), "wb") as dst:
            shutil.copyfileobj(src, dst)
        (raw / f).unlink()
    from_torchvision = load_dataset("mnist", "test", data_dir=tmp_path)
    from_gz = load("mnist", "test")
    assert torch.equal(from_torchvision.images, from_gz.images)
    assert torch.equal(from_torchvision.labels, from_gz.labels)


# --- Omniglot -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def background():
    return load("omniglot", "background")


@pytest.fixture(scope="module")
def evaluation():
    return load("omniglot", "evaluation")


@pytest.mark.slow
@pytest.mark.parametrize("split, n_classes, n_alphabets", [("background", 964, 30), ("evaluation", 659, 20)])
def test_omniglot_splits(split, n_classes, n_alphabets, request):
    ds = request.getfixturevalue(split)
    assert ds.split == split
    assert_images(ds, n_classes * 20, (105, 105), n_classes)
    assert ds.images.dtype == torch.uint8 and ((ds.images == 0) | (ds.images == 255)).all()  # binary strokes
    assert ds.rows(slice(None)).mean() < 0.2  # ink bright on a dark page
    assert len(set(ds.alphabets)) == n_alphabets and len(ds.alphabets) == n_classes
    assert all(name.split("/")[0] == a for name, a in zip(ds.class_names, ds.alphabets))
    assert ds.class_names == sorted(ds.class_names)  # torchvision's order: alphabet, then character
    assert torch.equal(torch.bincount(ds.labels), torch.full((n_classes,), 20))
    assert torch.equal(ds.meta["drawer"], torch.arange(20).repeat(n_classes))


def test_omniglot_alphabets_are_disjoint(background, evaluation):
    assert not set(background.alphabets) & set(evaluation.alphabets)


def test_omniglot_from_png_folders(background, tmp_path):
    """torchvision's layout, read directly: a small tree written from the npz gives back the same pixels."""
    classes = [0, 1, background.num_classes - 1]
    for c in classes:
        folder = tmp_path / "omniglot-py" / "images_background" / background.class_names[c]
        folder.mkdir(parents=True)
        for i in torch.nonzero(background.labels == c).flatten().tolist():
            paper = background.images[i, 0].numpy() < 0.5  # 1-bit PNG, True = white, as in the originals
            Image.fromarray(paper).save(folder / f"{c + 1:04d}_{background.meta['drawer'][i] + 1:02d}.png")
    expected = background.classes_subset(classes)
    got = load_dataset("omniglot", "background", data_dir=tmp_path)
    assert got.class_names == expected.class_names and got.alphabets == expected.alphabets
    assert torch.equal(got.images, expected.images) and torch.equal(got.labels, expected.labels)
    assert torch.equal(got.meta["drawer"], torch.arange(20).repeat(len(classes)))


def pixel_keys(images: torch.Tensor) -> list[bytes]:
    return [row.tobytes() for row in np.packbits(images.flatten(1).numpy() > 0.5, axis=1)]


@pytest.mark.slow
def test_official_one_shot_runs(evaluation, background):
    zip_path = DATA_DIR / "omniglot" / "official" / "all_runs.zip"
    require(zip_path.is_file(), "omniglot/official/all_runs.zip")
    runs = load_official_runs(DATA_DIR)
    assert [r.run for r in runs] == list(range(1, 21))
    where = {key: i for i, key in enumerate(pixel_keys(evaluation.images))}
    background_keys = set(pixel_keys(background.images))
    with zipfile.ZipFile(zip_path) as z:
        for r in runs:
            assert r.support.shape == r.queries.shape == (20, 1, 105, 105)
            assert r.support.mean() < 0.2 and r.queries.mean() < 0.2  # ink bright
            assert r.support_names == [f"run{r.run:02d}/training/class{k:02d}.png" for k in range(1, 21)]
            assert r.query_names == [f"run{r.run:02d}/test/item{k:02d}.png" for k in range(1, 21)]
            assert sorted(r.answers.tolist()) == list(range(20))
            lines = z.read(f"run{r.run:02d}/class_labels.txt").decode().split()
            truth = dict(zip(lines[::2], lines[1::2]))
            assert [r.support_names[a] for a in r.answers] == [truth[q] for q in r.query_names]
            # Every image is a real evaluation-set drawing (and none is from the background set) …
            support = [where[k] for k in pixel_keys(r.support)]
            queries = [where[k] for k in pixel_keys(r.queries)]
            assert not background_keys & set(pixel_keys(torch.cat([r.support, r.queries])))
            assert len(set(evaluation.labels[support].tolist())) == 20  # 20 different characters
            # … and each query is its answer's character drawn by someone else.
            answer = [support[a] for a in r.answers.tolist()]
            assert torch.equal(evaluation.labels[queries], evaluation.labels[answer])
            assert (evaluation.meta["drawer"][queries] != evaluation.meta["drawer"][answer]).all()


def test_corrupt_official_runs_zip(tmp_path):
    need("omniglot")
    folder = tmp_path / "omniglot" / "official"
    folder.mkdir(parents=True)
    data = bytearray((DATA_DIR / "omniglot" / "official" / "all_runs.zip").read_bytes())
    data[1000] ^= 0xFF
    (folder / "all_runs.zip").write_bytes(data)
    with pytest.raises(DatasetNotFoundError, match="corrupt"):
        load_official_runs(tmp_path)


# --- faces ----------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name, size", [("faces", (112, 92)), ("olivetti", (64, 64))])
def test_faces_split_by_person(name, size):
    full, train, test = (load(name, s) for s in ("all", "train", "test"))
    assert_images(full, 400, size, 40)
    assert_images(train, 300, size, 30)
    assert_images(test, 100, size, 10)
    assert full.class_names == [f"s{k}" for k in range(1, 41)]  # numeric, not s1, s10, s11, …
    assert train.class_names == full.class_names[:30] and test.class_names == full.class_names[30:]
    assert torch.equal(torch.bincount(full.labels), torch.full((40,), 10))
    assert torch.equal(test.images, full.images[300:]) and torch.equal(test.labels, full.labels[300:] - 30)
    assert full.images.std() > 0.1


@pytest.mark.slow
def test_realigned_faces_put_the_eyes_where_an_upload_puts_them():
    """faces-aligned: the same 400 pictures and people, each re-framed from YuNet's eyes, so that YuNet
    run again on the result finds the eyes at the average AT&T place (as for any aligned upload)."""
    from siamese_core.faces import FaceDetector
    from siamese_core.vision.align import ATT_LANDMARKS
    plain, aligned = load("faces", "all"), load("faces-aligned", "all")
    assert_images(aligned, 400, (112, 92), 40)
    assert torch.equal(aligned.labels, plain.labels) and aligned.class_names == plain.class_names
    assert not torch.equal(aligned.images, plain.images)
    detector = FaceDetector()
    for k in (0, 57, 312, 399):
        grey = (aligned.images[k, 0].numpy() * 255).round().astype(np.uint8)
        face = detector.detect(np.repeat(grey[:, :, None], 3, axis=2))[0]
        assert np.abs(face.landmarks[:2] - ATT_LANDMARKS[:2]).max() < 5, (k, face.landmarks[:2])  # YuNet jitters ~3 px
    test = load("faces-aligned", "test")
    assert torch.equal(test.images, aligned.images[300:])


# --- resizing -------------------------------------------------------------------------------------------

def test_image_size_resizes(tmp_path):
    small = load_dataset("digits", "test", data_dir=tmp_path, image_size=(28, 28))
    assert small.images.shape == (540, 1, 28, 28) and small.meta["native_size"] == (8, 8)
    assert 0.0 <= small.images.min() and small.images.max() <= 1.0
    faces = load("faces", "test")
    half = load_dataset("faces", "test", data_dir=DATA_DIR, image_size=(56, 46))
    assert half.images.shape == (100, 1, 56, 46)
    assert torch.allclose(half.images.mean(), faces.images.mean(), atol=0.01)
