from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_home_page_renders_story_and_status():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Siamese Lab"
    text = " ".join(m.value for m in at.markdown)
    assert "Verification" in text and "Identification" in text and "One-shot" in text
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    # The device the core resolves on this machine (cpu, cuda or mps), not a hard-coded "cpu".
    from siamese_core.training import resolve_device
    assert "Compute device" in sidebar and f"`{resolve_device('auto')}`" in sidebar and "Digits" in sidebar


def test_home_says_when_a_small_machine_trains_in_one_process(monkeypatch):
    """A machine (or container) with under 4 GB of memory trains in one process unless told otherwise, and Home
    says so; with more memory or an explicit SIAMESE_LAB_WORKERS there is nothing to say."""
    from dataclasses import replace

    from lab_ui import training_jobs
    from siamese_core.service import server_settings as settings

    monkeypatch.delenv("SIAMESE_LAB_WORKERS", raising=False)
    monkeypatch.setattr(settings, "machine_memory", lambda: int(3.5 * 2**30))
    small = settings.ServerSettings.from_environ()
    assert small.workers == 1 and small.small_machine == 3.5
    monkeypatch.setenv("SIAMESE_LAB_WORKERS", "2")
    assert settings.ServerSettings.from_environ().workers == 2
    assert settings.ServerSettings.from_environ().small_machine is None
    monkeypatch.delenv("SIAMESE_LAB_WORKERS")
    monkeypatch.setattr(settings, "machine_memory", lambda: 16 * 2**30)
    assert settings.ServerSettings.from_environ().small_machine is None

    monkeypatch.setattr(training_jobs, "SETTINGS", replace(training_jobs.SETTINGS, small_machine=3.5))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [i.value for i in at.info if "3.5 GB of memory" in i.value and "one training process" in i.value]
    assert settings.machine_memory() is None or settings.machine_memory() > 2**28  # read on this machine


def _table(at) -> dict[str, str]:
    frame = at.dataframe[0].value
    return dict(zip(frame["dataset"], frame["state"]))


def test_datasets_panel_lists_every_dataset_with_its_state():
    from siamese_core.data import DATASETS, dataset_status, resolve_data_dir
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Datasets" in [h.value for h in at.subheader]
    status = dataset_status(resolve_data_dir())
    assert _table(at) == {name: "present" if ok else "missing" for name, ok in status.items()}
    assert list(at.dataframe[0].value["dataset"]) == list(DATASETS)
    sizes = dict(zip(at.dataframe[0].value["dataset"], at.dataframe[0].value["download"]))
    assert sizes["mnist"] == "11.6 MB" and sizes["faces"] == "no download"


def test_datasets_panel_downloads_a_missing_dataset_from_the_mirror(monkeypatch, tmp_path):
    from siamese_core.data import resolve_data_dir
    from siamese_core.data.sources import MIRROR_ENV
    from tests.data.http_mirror import only_loopback, serve
    shared = resolve_data_dir()
    if not (shared / "scikit_learn_data" / "olivetti_py3.pkz").is_file():
        pytest.skip(f"no Olivetti in {shared} to serve")
    only_loopback(monkeypatch)
    data = tmp_path / "data"
    monkeypatch.setenv("SIAMESE_LAB_DATA", str(data))  # an empty data folder: only digits is there
    with serve(shared) as url:
        monkeypatch.setenv(MIRROR_ENV, url)
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert _table(at)["olivetti"] == "missing" and _table(at)["digits"] == "present"
        assert "1 of 7 datasets" in at.sidebar.expander[0].label
        assert any(link.label.startswith("Get the missing datasets") for link in at.sidebar.get("page_link"))
        at.button(key="download-olivetti").click().run()
    assert not at.exception and not at.error
    assert _table(at)["olivetti"] == "present"  # the row turned, the cached status was cleared
    assert "2 of 7 datasets" in at.sidebar.expander[0].label
    assert any("Olivetti" in s.value for s in at.success)
    assert (data / "scikit_learn_data" / "olivetti_py3.pkz").is_file()
    assert not [b for b in at.button if b.key == "download-olivetti"]


def test_datasets_panel_shows_a_failed_download_as_one_sentence(monkeypatch, tmp_path):
    from siamese_core.data.sources import MIRROR_ENV
    from tests.data.http_mirror import only_loopback, serve
    only_loopback(monkeypatch)
    data, empty = tmp_path / "data", tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("SIAMESE_LAB_DATA", str(data))
    with serve(empty) as url:  # a mirror without the file: 404
        monkeypatch.setenv(MIRROR_ENV, url)
        at = AppTest.from_file(APP, default_timeout=60).run()
        at.button(key="download-olivetti").click().run()
    assert not at.exception and len(at.error) == 1
    assert "404" in at.error[0].value and "\n" not in at.error[0].value
    assert _table(at)["olivetti"] == "missing"
    assert not [p for p in data.rglob("*")]
