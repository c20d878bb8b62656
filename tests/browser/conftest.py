"""The web server most browser tests share: one training process with one torch thread (a module's own
`server` fixture, where one needs other settings, takes its place)."""
import os

import pytest

from benchmarks.browser import lab_server


@pytest.fixture(scope="module")
def server():
    if not os.environ.get("SIAMESE_LAB_DATA"):
        pytest.skip("SIAMESE_LAB_DATA is not set")
    with lab_server(env={"SIAMESE_LAB_WORKERS": "1", "SIAMESE_LAB_THREADS_PER_JOB": "1"}) as (url, _):
        yield url
