"""The real download code, offline: the files of $SIAMESE_LAB_DATA served from 127.0.0.1 stand in for the
internet ($SIAMESE_LAB_MIRROR), every other connection is refused. Downloads land in tmp_path."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets._olivetti_faces import FACES
from torchvision.datasets import MNIST, FashionMNIST

from siamese_core.data import (
    DATASETS,
    dataset_status,
    load_dataset,
    load_official_runs,
    resolve_data_dir,
)
from siamese_core.data.download import DownloadError, download_all, download_dataset
from siamese_core.data.sources import MIRROR_ENV, SOURCES, download_bytes, urls_for
from tests.data.http_mirror import DroppedConnection, Truncated, only_loopback, serve

SHARED = resolve_data_dir()


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def mirror(monkeypatch):
    """The shared data dir served over HTTP, the download mirrors pointed at it."""
    if not dataset_status(SHARED)["mnist"]:
        pytest.skip(f"no offline datasets in {SHARED} to serve")
    only_loopback(monkeypatch)
    with serve(SHARED) as url:
        monkeypatch.setenv(MIRROR_ENV, url)
        yield url


class Recorder:
    def __init__(self):
        self.calls: list[tuple[str, float]] = []

    def __call__(self, text: str, fraction: float) -> None:
        self.calls.append((text, fraction))


# --- what each dataset fetches ----------------------------------------------------------------------------

def test_sources_carry_the_libraries_own_urls_and_checksums(monkeypatch):
    monkeypatch.delenv(MIRROR_ENV, raising=False)
    for cls, name in ((MNIST, "mnist"), (FashionMNIST, "fashion-mnist")):
        assert {(f.name, f.md5) for f in SOURCES[name]} == set(cls.resources)
        for f in SOURCES[name]:
            assert urls_for(f) == tuple(m + f.name for m in cls.mirrors)
    (olivetti,) = SOURCES["olivetti"]
    assert urls_for(olivetti) == (FACES.url,) and FACES.checksum in olivetti.sha256
    monkeypatch.setenv(MIRROR_ENV, "http://127.0.0.1:9/base/")  # read at call time, one base for all
    assert urls_for(olivetti) == ("http://127.0.0.1:9/base/olivetti/olivettifaces.mat",)


def test_registry_states_each_download_size():
    for name, spec in DATASETS.items():
        if name in SOURCES:
            assert spec.download_bytes == download_bytes(name) > 0
            for f in SOURCES[name]:  # the stated sizes are the real files' sizes
                if (SHARED / f.path).is_file():
                    assert (SHARED / f.path).stat().st_size == f.size
    assert DATASETS["digits"].download_bytes == 0
    assert DATASETS["faces"].download_bytes is None and DATASETS["faces-aligned"].download_bytes is None


def test_faces_say_there_is_no_download(tmp_path):
    for name in ("faces", "faces-aligned"):
        with pytest.raises(DownloadError, match="no download") as err:
            download_dataset(name, tmp_path)
        assert "\n" not in str(err.value) and str(tmp_path / "att_faces") in str(err.value)
    assert files_under(tmp_path) == []


# --- downloads that work ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_mnist_downloads_verifies_and_loads(mirror, tmp_path):
    root, progress = tmp_path / "data", Recorder()
    download_dataset("mnist", root, progress)
    assert files_under(root) == ["MNIST", "MNIST/raw", *sorted(f"MNIST/raw/{f.name}" for f in SOURCES["mnist"])]
    for f in SOURCES["mnist"]:
        assert md5(root / f.path) == f.md5
    test = load_dataset("mnist", "test", root)
    assert len(test) == 10_000 and test.labels[:5].tolist() == [7, 2, 1, 0, 4]
    fractions = [f for _, f in progress.calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("MB" in text and "train-images" in text for text, _ in progress.calls)  # byte counts
    # A second call finds everything in place and fetches nothing.
    again = Recorder()
    download_dataset("mnist", root, again)
    assert len(again.calls) == 1 and "already" in again.calls[0][0]


@pytest.mark.slow
def test_omniglot_downloads_npz_runs_and_a_rebuilt_index(mirror, tmp_path):
    download_dataset("omniglot", tmp_path)
    index = "omniglot/omniglot_character_index.csv"
    assert (tmp_path / index).read_bytes() == (SHARED / index).read_bytes()
    evaluation = load_dataset("omniglot", "evaluation", tmp_path)
    shipped = load_dataset("omniglot", "evaluation", SHARED)
    assert evaluation.class_names == shipped.class_names and len(evaluation) == 13_180
    runs = load_official_runs(tmp_path)
    assert len(runs) == 20 and runs[0].support.shape == (20, 1, 105, 105)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_olivetti_becomes_scikit_learns_cache(mirror, tmp_path):
    download_dataset("olivetti", tmp_path)
    assert files_under(tmp_path) == ["scikit_learn_data", "scikit_learn_data/olivetti_py3.pkz"]
    got, shipped = load_dataset("olivetti", "test", tmp_path), load_dataset("olivetti", "test", SHARED)
    np.testing.assert_array_equal(got.images.numpy(), shipped.images.numpy())


@pytest.mark.slow
def test_download_all_fetches_every_downloadable_dataset_and_skips_the_faces(mirror, tmp_path):
    progress = Recorder()
    notes = download_all(tmp_path, progress)
    assert dataset_status(tmp_path) == {n: n not in ("faces", "faces-aligned") for n in DATASETS}
    assert len(notes) == 2 and all("no download" in n for n in notes)
    assert any("AT&T" in text and "Skipped" in text for text, _ in progress.calls)
    fractions = [f for _, f in progress.calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(load_dataset("fashion-mnist", "train", tmp_path)) == 60_000


# --- downloads that fail leave nothing behind -------------------------------------------------------------

def test_a_404_names_the_url_and_leaves_nothing(monkeypatch, tmp_path):
    only_loopback(monkeypatch)
    empty = tmp_path / "empty"
    empty.mkdir()
    root = tmp_path / "data"
    with serve(empty) as url:
        monkeypatch.setenv(MIRROR_ENV, url)
        with pytest.raises(DownloadError) as err:
            download_dataset("mnist", root)
    message = str(err.value)
    assert f"{url}/MNIST/raw/train-images-idx3-ubyte.gz failed: HTTP 404" in message
    assert "\n" not in message and message.endswith(".") and str(root) in message
    assert files_under(root) == []


@pytest.mark.parametrize("handler,why", [(Truncated, "md5 does not match"),
                                         (DroppedConnection, "connection ended after")])
def test_a_cut_file_is_refused_and_leaves_nothing(handler, why, monkeypatch, tmp_path):
    if not dataset_status(SHARED)["mnist"]:
        pytest.skip(f"no MNIST in {SHARED} to serve")
    only_loopback(monkeypatch)
    with serve(SHARED, handler) as url:
        monkeypatch.setenv(MIRROR_ENV, url)
        with pytest.raises(DownloadError, match=why) as err:
            download_dataset("mnist", tmp_path)
    assert "train-images-idx3-ubyte.gz" in str(err.value) and "\n" not in str(err.value)
    assert files_under(tmp_path) == []


@pytest.mark.slow
def test_only_the_corrupt_file_is_fetched_again(mirror, tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for f in SOURCES["mnist"]:  # copyfile: writable copies of the read-only shared files
        shutil.copyfile(SHARED / f.path, tmp_path / f.path)
    (raw / "t10k-labels-idx1-ubyte.gz").write_bytes(b"a broken leftover")
    assert dataset_status(tmp_path)["mnist"]  # the files are there, but one does not load
    progress = Recorder()
    download_dataset("mnist", tmp_path, progress)
    fetched = {text.split(": ")[1].split()[0] for text, _ in progress.calls if " MB" in text and "of" in text}
    assert fetched == {"t10k-labels-idx1-ubyte.gz"}  # the intact files were kept, not fetched again
    assert load_dataset("mnist", "test", tmp_path).labels[:5].tolist() == [7, 2, 1, 0, 4]


def test_nothing_is_written_into_the_shared_folder(mirror):
    before = files_under(SHARED)
    download_dataset("digits")  # ships with scikit-learn: nothing to fetch
    assert files_under(SHARED) == before and os.environ[MIRROR_ENV] == mirror
