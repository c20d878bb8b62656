"""Shared fixtures. Tests read real datasets from $SIAMESE_LAB_DATA (CI: ../shared/data) and never
download; with SIAMESE_LAB_REQUIRE_DATA=1 (set by .ci/run) any skipped test fails the run."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from PIL import Image

from siamese_core.data import DatasetNotFoundError, load_dataset, resolve_data_dir
from tests.face_photos import CHECKPOINT

# Under pytest-xdist each worker gets its share of the cores, so workers do not fight over them.
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
torch.set_num_threads(max(1, min(2, (os.cpu_count() or 1) // _WORKERS)))
_THREADS = torch.get_num_threads()


@pytest.fixture(autouse=True)
def _torch_threads_as_given():
    """Code under test may set torch's thread count for the whole process (a thread executor sets its jobs'
    count): each test starts on the worker's share. A worker left on two threads beside another busy worker
    ran its later tests several times slower (OpenMP threads spin-waiting on a CPU they do not get)."""
    yield
    if torch.get_num_threads() != _THREADS:
        torch.set_num_threads(_THREADS)


@pytest.fixture(scope="session")
def data_dir() -> str | None:
    return os.environ.get("SIAMESE_LAB_DATA")


@pytest.fixture(scope="session")
def load(data_dir):
    """load(name, split) → ImageSet from the data folder, or skip with the reason when it is missing."""
    def _load(name: str, split: str | None = None, **kw):
        try:
            return load_dataset(name, split, data_dir=data_dir, download=False, **kw)
        except DatasetNotFoundError as exc:
            pytest.skip(f"dataset {name!r} not in the data folder: {exc}")
    return _load


@pytest.fixture(scope="session")
def digits_train():
    return load_dataset("digits", "train")


@pytest.fixture(scope="session")
def digits_test():
    return load_dataset("digits", "test")


@pytest.fixture(scope="session")
def dask_cluster():
    """A scheduler and two single-thread workers (w0, w1) on 127.0.0.1 for the tests that train on a cluster
    (tests/service), started once in a run: they all go to one pytest worker (pytest_xdist_make_scheduler below).
    A test that kills a worker starts it again before it ends."""
    pytest.importorskip("distributed")
    from benchmarks.local_cluster import local_cluster

    with local_cluster(workers=2) as cluster:
        yield cluster


# --- faces: real AT&T pictures (and photos made from them), the real models ---------------------


@pytest.fixture(scope="session")
def att_root(data_dir) -> Path:
    root = resolve_data_dir(data_dir) / "att_faces"
    if not (root / "s40" / "10.pgm").is_file():
        pytest.skip(f"AT&T faces not in {root}")
    return root


@pytest.fixture(scope="session")
def att(att_root):
    """att(person, photo) → the real 92×112 grey PIL picture s<person>/<photo>.pgm."""
    def _att(person: int, photo: int) -> Image.Image:
        return Image.open(att_root / f"s{person}" / f"{photo}.pgm").convert("L")
    return _att


@pytest.fixture(scope="session")
def detector():
    from siamese_core.faces import FaceDetector
    return FaceDetector()


@pytest.fixture(scope="session")
def sface():
    from siamese_core.faces import SFaceEmbedder
    return SFaceEmbedder()


@pytest.fixture(scope="session")
def class_model(load):
    """The shipped class model with the threshold the page uses (validation people, as `evaluate`)."""
    from siamese_core import load_model
    from siamese_core.faces import ClassModelEmbedder
    from siamese_core.faces.embedders import training_dataset
    from siamese_core.faces.verify import validation_threshold
    model = load_model(CHECKPOINT)
    train = load(training_dataset(model), "train", image_size=model.input_size)
    return ClassModelEmbedder(model, validation_threshold(model, train))


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:  # noqa: F821 (numpy comes with scikit-image)
    """scikit-image's astronaut (Eileen Collins, NASA, public domain): a real colour photo with one face."""
    data = pytest.importorskip("skimage.data")
    return data.astronaut()



def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("SIAMESE_LAB_REQUIRE_DATA") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"SIAMESE_LAB_REQUIRE_DATA=1: {skipped} test(s) skipped; every dataset must be "
                            f"present under $SIAMESE_LAB_DATA, so this run fails.", red=True)
        session.exitstatus = 1


def _uses_the_session_cluster(nodeid: str) -> bool:
    """The tests that train on `dask_cluster`: two files of them and the executors' cluster case."""
    return nodeid.split("::")[0] in {"tests/service/test_cluster.py", "tests/docs/test_scaling_commands.py"} \
        or nodeid.endswith("[cluster]")


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, except that every test on the session's Dask cluster goes to one worker: the cluster
    (a scheduler and two workers that import torch) then starts once in a run, not once per worker."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class OneClusterStart(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "the session's Dask cluster" if _uses_the_session_cluster(nodeid) else super()._split_scope(nodeid)
    return OneClusterStart(config, log)


def _file_weight(items) -> int:
    """0 for a file that starts servers or a cluster, 1 for one that trains, 2 for the rest."""
    marks = {m.name for item in items for m in item.iter_markers()}
    return 0 if marks & {"browser", "cluster"} else 1 if "slow" in marks else 2


def pytest_collection_modifyitems(config, items):
    """The longest files first (`--dist loadfile --no-loadscope-reorder` hands out whole files in this
    order), so that the run does not end on one worker's long file while the other worker waits. Each file keeps
    its own order."""
    by_file: dict[str, list] = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(item)
    items[:] = [item for f in sorted(by_file, key=lambda f: _file_weight(by_file[f])) for item in by_file[f]]
