"""Page trainings on a real Dask cluster: a `dask scheduler` and two `dask worker --nthreads 1` processes on
127.0.0.1 (benchmarks/local_cluster.py). A page run trains on a worker and survives losing it; Stop and a
closed tab stop the run on its worker; a second lost worker fails the run with a sentence; a GPU run goes to
the GPU worker; an unreachable scheduler is said on the page, or the server trains runs itself; workers
started wrongly are said on Home and in the log before anyone trains, and get no run."""
import logging
import shutil
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.browser import ROOT, free_port
from benchmarks.local_cluster import local_cluster
from lab_ui import training_jobs
from siamese_core.data import load_dataset
from siamese_core.service.executors import ThreadExecutor
from siamese_core.service.jobs import DONE, FAILED, JobQueue
from siamese_core.service.live_frames import probe_set
from siamese_core.service.run_spec import RunSpec
from siamese_core.service.server_settings import ServerSettings
from siamese_core.training import TrainConfig
from tests.pages.test_shared_runs_page import by_label, captions, student

distributed = pytest.importorskip("distributed")
from siamese_core.service.cluster.executor import FELL_BACK, NOT_READY, RUN_FAILED, ClusterExecutor, ClusterUnavailable  # noqa: E402
from siamese_core.service.cluster.remote import RETRYING  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


@pytest.fixture
def cluster(dask_cluster):
    return dask_cluster


@pytest.fixture
def client(cluster):
    with distributed.Client(cluster.address, timeout=30, set_as_default=False) as c:
        yield c


@pytest.fixture
def queues():
    """Queues on a cluster made by a test, shut down after it."""
    made = []

    def make(address, fallback_workers=None):
        fallback = ThreadExecutor(fallback_workers) if fallback_workers else None
        made.append(JobQueue(ClusterExecutor(address, fallback, max_slots=4, link_every=0.5), owner_check_seconds=0.2))
        return made[-1]
    yield make
    for q in made:
        q.shutdown()


@pytest.fixture
def pages_on(monkeypatch):
    """The pages' queue as a server started with SIAMESE_LAB_SCHEDULER builds it (`job_queue`'s own code),
    for this test only: the other tests' cached queue is left alone."""
    made = []

    def use(address: str, fallback: str | None = None):
        monkeypatch.setenv("SIAMESE_LAB_SCHEDULER", address)
        if fallback:
            monkeypatch.setenv("SIAMESE_LAB_SCHEDULER_FALLBACK", fallback)
        monkeypatch.setattr(training_jobs, "SETTINGS", ServerSettings.from_environ())
        made.append(training_jobs.SETTINGS.queue())
        monkeypatch.setattr(training_jobs, "job_queue", lambda: made[-1])
        return made[-1]
    yield use
    for q in made:
        q.shutdown()


def page_work(seconds: float, seed: int = 0, device: str = "auto") -> RunSpec:
    cfg = TrainConfig(dataset="digits", loss="contrastive", embedding_dim=8, seconds=seconds, seed=seed,
                      device=device)
    return RunSpec.of("run", [cfg], [f"seed {seed}"], 1000)


def until(check, timeout: float = 120.0, what: str = "the condition"):
    t0 = time.monotonic()
    while not (found := check()):
        assert time.monotonic() - t0 < timeout, f"{what} did not happen within {timeout:.0f} s"
        time.sleep(0.1)
    return found


def training_worker(client) -> tuple[str, str]:
    """(name, address) of a worker running a training now (waits for one)."""
    def busy():
        names = {a: w["name"] for a, w in client.scheduler_info(n_workers=-1)["workers"].items()}
        def trains(keys):  # not just the server's check task (readiness.py), done in a moment
            return any(not str(k).startswith("siamese-lab-check-") for k in keys)
        return next(((names[a], a) for a, keys in client.processing().items() if trains(keys) and a in names), None)
    return until(busy, what="a worker taking the run")


def test_a_page_run_trains_on_a_worker_survives_losing_it_and_is_shared(cluster, client, pages_on):
    q = pages_on(cluster.address)
    assert isinstance(q.executor, ClusterExecutor)
    until(lambda: q.executor.link.threads == 2, what="both workers seen")
    at = student()
    killed = {}

    def kill_its_worker():
        killed["name"], killed["address"] = training_worker(client)
        time.sleep(1.5)  # it is training now
        cluster.kill(killed["name"])
    killer = threading.Thread(target=kill_its_worker)
    killer.start()
    by_label(at.sidebar.button, "Train").click().run()  # the page follows the run until its report is in
    killer.join()
    assert not at.exception and not at.error
    assert RETRYING in captions(at)
    (report,) = at.session_state["runs"]
    assert 0.6 < float({m.label: m.value for m in at.metric}["test accuracy"]) <= 1
    assert report.extra["trained_on"] != killed["address"] and report.frames  # the other worker, live frames
    assert q.stats()["trainings_started"] == 1
    # A second student asking for exactly that run gets the kept result, with no training on the cluster.
    again = student()
    by_label(again.sidebar.button, "Train").click().run()
    assert "was trained earlier for another student" in captions(again) and q.stats()["trainings_started"] == 1
    cluster.start_worker(killed["name"])
    cluster.wait_for_workers(["w0", "w1"])


def test_a_run_whose_worker_goes_away_twice_fails_with_a_sentence(cluster, client, queues):
    q = queues(cluster.address)
    job = q.submit(page_work(60, seed=3), "a", "unlucky", expected_seconds=70)
    first, _ = training_worker(client)
    until(lambda: job.live.step > 5, what="the first attempt training")
    cluster.kill(first)
    until(lambda: job.live.notice == RETRYING and job.live.step > 5, what="the retry training")
    time.sleep(1.0)  # the link has seen the second worker
    cluster.kill(training_worker(client)[0])
    assert job.wait(30) and job.status == FAILED
    assert "its worker went away twice" in job.error and "Press Train to try again" in job.error
    cluster.start_worker("w0")
    cluster.start_worker("w1")
    cluster.wait_for_workers(["w0", "w1"])


def test_a_sweep_streams_each_runs_progress_and_frames_and_returns_every_report(cluster, queues):
    q = queues(cluster.address)
    cfgs = [TrainConfig(dataset="digits", loss="triplet", embedding_dim=d, seconds=3, seed=8) for d in (2, 8)]
    test = load_dataset("digits", "test")
    work = RunSpec.of("sweep", cfgs, ["D=2", "D=8"], 600)
    job = q.submit(work, "a", "sweep", expected_seconds=30)
    # The second run's curve starts empty (each run of a sweep has its own): wait for its first steps too.
    seen = until(lambda: job.live.part == 1 and job.live.frames.get("D=8") and job.live.history
                 and job.live.wire(), what="the second run's frames and steps on the server")
    assert len(seen["frames"]["D=2"]) >= 2 and seen["parts"] == 2 and seen["history"]  # streamed while training
    assert list(seen["probe_labels"]) == list(probe_set(test).labels) and seen["embedding_dims"] == {"D=2": 2, "D=8": 8}
    assert job.wait(120) and job.status == DONE
    assert [r.name for r in job.result] == ["D=2", "D=8"] and all(r.extra["trained_on"] for r in job.result)


def test_a_gpu_run_goes_to_the_gpu_worker_and_none_there_is_a_sentence(cluster, queues):
    q = queues(cluster.address)
    no_gpu = q.submit(page_work(5, seed=4, device="cuda"), "a", "cuda run")
    assert no_gpu.wait(30) and no_gpu.status == FAILED and "no worker of the training cluster has one" in no_gpu.error
    cluster.start_worker("gpu", gpu=True)  # a label only: this machine has no GPU, so `auto` trains on its CPU
    try:
        gpu = cluster.wait_for_workers(["gpu"])["gpu"]
        # A run goes only to workers the readiness check has asked, which happens a poll after the link sees one.
        until(lambda: gpu in q.executor.link.readiness.ready(), what="the readiness check passing the GPU worker")
        job = q.submit(page_work(5, seed=5), "a", "auto run")
        assert job.wait(120) and job.status == DONE and job.result.extra["trained_on"] == gpu
    finally:
        cluster.kill("gpu")


def test_an_unreachable_scheduler_is_said_on_the_page_or_the_server_trains_itself(pages_on):
    nobody = f"tcp://127.0.0.1:{free_port()}"
    q = pages_on(nobody)
    at = student()
    by_label(at.sidebar.button, "Train").click().run()
    assert not at.exception and not at.session_state["runs"]
    assert any(f"The training cluster ({nobody}) cannot be reached" in w.value for w in at.warning)
    assert q.stats()["cluster_connected"] is False
    pages_on(nobody, fallback="local")
    at = student()
    by_label(at.sidebar.button, "Train").click().run()
    assert not at.exception and not at.error and len(at.session_state["runs"]) == 1
    assert FELL_BACK in captions(at) and "trained_on" not in at.session_state["runs"][0].extra


def test_a_scheduler_lost_in_class_fails_runs_with_a_sentence_or_falls_back(queues):
    with local_cluster(workers=2) as small:
        strict, lenient = queues(small.address), queues(small.address, fallback_workers=1)
        failed = strict.submit(page_work(60, seed=6), "a", "strict")
        moved = lenient.submit(page_work(6, seed=7), "b", "lenient")
        until(lambda: failed.live.step > 5 and moved.live.step > 5, what="both training")
        small.stop_scheduler()
        assert failed.wait(60) and failed.status == FAILED and "cannot be reached" in failed.error
        assert moved.wait(120) and moved.status == DONE and moved.live.notice == FELL_BACK
        assert "trained_on" not in moved.result.extra  # trained again on the server
        with pytest.raises(ClusterUnavailable, match="cannot be reached"):
            strict.submit(page_work(5), "c", "refused")


def home_says() -> str:
    """What Home says of the training cluster."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "home.py"), default_timeout=120).run()
    assert not at.exception
    return "\n".join(a.value for a in [*at.success, *at.info, *at.warning] if "training cluster" in a.value)


def data_folder_with_corrupt_mnist(folder: Path) -> Path:
    """Every dataset of the shared folder, but MNIST's four files garbage: a worker that passes the check and
    then fails a run."""
    shared = ROOT.parent / "shared" / "data"
    for entry in shared.iterdir():
        if entry.name != "MNIST":
            (folder / entry.name).symlink_to(entry)
    raw = folder / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in (shared / "MNIST" / "raw").iterdir():
        (raw / gz.name).write_bytes(b"not MNIST")
    return folder


def package_of_version(folder: Path, version: str) -> Path:
    """A copy of this siamese_core that says it is `version`: a machine with another release."""
    copy = folder / "siamese_core"
    shutil.copytree(ROOT / "siamese_core", copy, ignore=shutil.ignore_patterns("__pycache__"))
    init = copy / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "0.1.0"', f'__version__ = "{version}"'))
    return folder


def test_workers_started_wrongly_are_said_before_anyone_trains_and_get_no_run(tmp_path, pages_on, queues, caplog):
    caplog.set_level(logging.WARNING, logger="siamese_lab.cluster")
    (tmp_path / "empty").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "older").mkdir()
    data = data_folder_with_corrupt_mnist(tmp_path / "data")
    with local_cluster(workers=1, env={"SIAMESE_LAB_DATA": str(data)}) as small:
        small.start_worker("no-preload", preload=False)
        small.start_worker("empty", env={"SIAMESE_LAB_DATA": str(tmp_path / "empty")})
        small.start_worker("older", env={"PYTHONPATH": str(package_of_version(tmp_path / "older", "0.0.9"))})
        address = small.wait_for_workers(["w0", "no-preload", "empty", "older"])
        q = pages_on(small.address)
        name = {a: n for n, a in address.items()}
        said = {name[a]: p for a, p in q.executor.link.readiness.problems.items()}
        assert set(said) == {"no-preload", "empty", "older"}
        assert "started without --preload siamese_core.service.cluster.worker" in said["no-preload"]
        assert "has no mnist, fashion-mnist, omniglot" in said["empty"] and str(tmp_path / "empty") in said["empty"]
        assert "runs Siamese Lab 0.0.9 and this web server 0.1.0" in said["older"]
        for clause in said.values():  # each in the server's log, once
            assert caplog.text.count(f"Siamese Lab: {clause[0].upper()}{clause[1:]}.") == 1
        home = home_says()
        assert f"The training cluster ({small.address}) is ready on 2 of 4 workers: " in home
        assert "2 more in the server log" in home and "is ready on 2 of 4 workers" in caplog.text
        # An mnist run can only go to w0, whose MNIST files are garbage: the student reads a sentence, the
        # server's log what went wrong.
        mnist = RunSpec.of("run", [TrainConfig.from_dict({"dataset": "mnist", "epochs": 1, "steps_per_epoch": 5})],
                           ["mnist"], 300)
        fails = q.submit(mnist, "a", "mnist run")
        assert fails.wait(120) and fails.status == FAILED
        assert fails.error == f"ClusterRunFailed: {RUN_FAILED}" and "md5 mismatch" in caplog.text
        # Without w0, a digits run trains on the worker with the empty data folder; nobody has mnist any more.
        small.kill("w0")
        until(lambda: address["w0"] not in q.executor.link.workers, what="the server seeing w0 gone")
        digits = q.submit(page_work(3, seed=20), "a", "digits run")
        assert digits.wait(120) and digits.status == DONE and digits.result.extra["trained_on"] == address["empty"]
        nowhere = q.submit(mnist, "a", "mnist again")
        assert nowhere.wait(30) and nowhere.status == FAILED and "no worker of the training cluster has the mnist" \
            in nowhere.error
        # Only refused workers left: nothing can train there, which Home and Train say (or the server trains).
        small.kill("empty")
        until(lambda: not q.executor.link.threads and q.executor.link.unready(), what="the cluster seen unfit")
        assert f"The training cluster ({small.address}) cannot train page runs: worker " in home_says()
        refused = student()
        by_label(refused.sidebar.button, "Train").click().run()
        assert not refused.session_state["runs"]
        assert any("cannot train page runs" in w.value for w in refused.warning)
        lenient = queues(small.address, fallback_workers=1)
        until(lambda: lenient.executor.link.unready(), what="the second server seeing the cluster unfit")
        moved = lenient.submit(page_work(3, seed=21), "b", "falls back")
        assert moved.wait(120) and moved.status == DONE and moved.live.notice == NOT_READY
