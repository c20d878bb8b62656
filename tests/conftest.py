"""Shared fixtures. Tests read real datasets from $SIAMESE_LAB_DATA (CI: ../shared/data) and never
download; with SIAMESE_LAB_REQUIRE_DATA=1 (set by .ci/run) any skipped test fails the run."""
from __future__ import annotations

import os

import pytest
import torch

from siamese_core.data import DatasetNotFoundError, load_dataset

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))


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


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("SIAMESE_LAB_REQUIRE_DATA") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"SIAMESE_LAB_REQUIRE_DATA=1: {skipped} test(s) skipped; every dataset must be "
                            f"present under $SIAMESE_LAB_DATA, so this run fails.", red=True)
        session.exitstatus = 1
