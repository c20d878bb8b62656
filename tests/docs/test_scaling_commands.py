"""docs/scaling.md's three commands, read from the page and run on 127.0.0.1 (benchmarks/local_cluster.py says
what a test machine changes: free ports instead of 8786 and 8501, the data folder, no dashboards): the scheduler
outside the repository with no PYTHONPATH, the workers (the session's two, tests/conftest.py), the web server.
Home says the cluster is ready, and a student's run trains on it."""
import asyncio
import re

import pytest

from benchmarks.browser import free_port, lab_server
from benchmarks.doc_commands import doc_commands
from benchmarks.stream_client import StreamSession

pytestmark = [pytest.mark.slow, pytest.mark.cluster]
SECONDS = 300  # each part of the test waits at most this long


def test_the_page_gives_three_commands_a_worker_and_a_web_server_of_the_same_cluster():
    commands = doc_commands()
    assert [c.argv[:2] for c in commands.values()] == [["dask", "scheduler"], ["dask", "worker"], ["streamlit", "run"]]
    assert commands["worker"].env["PYTHONPATH"] == "." and "--preload" in commands["worker"].argv
    assert commands["web server"].env["SIAMESE_LAB_SCHEDULER"] == commands["worker"].argv[2]


async def home_then_a_run(url: str) -> tuple[list[str], str | None]:
    """What Home says, and the test accuracy of a short digits run a student trains on the Losses page."""
    session = StreamSession(url, timeout=SECONDS)
    try:
        home = await session.open()
        said = [a.alert.body for a in home.of_type("alert")]
        page = await session.goto("Losses", {"dataset": "digits", "loss": "contrastive", "dim": 8, "seconds": 3})
        done = await session.follow(await session.click(page.widget("button", "Train")))
        assert not done.exceptions, done.exceptions
        return said, done.metric("test accuracy")
    finally:
        await session.close()


def test_the_three_commands_of_the_scaling_page_train_a_page_run(dask_cluster):
    """The session's cluster is started by the page's scheduler and worker commands (local_cluster)."""
    port = free_port()
    args, env = dask_cluster.web_server(port)
    with lab_server(port, env, timeout=SECONDS, args=args) as (url, _):
        said, accuracy = asyncio.run(asyncio.wait_for(home_then_a_run(url), 2 * SECONDS))
    ready = re.compile(re.escape(f"The training cluster ({dask_cluster.address}) is ready: ")
                       + r"\d+ workers? with \d+ threads?, each with every dataset of this web server\.")
    assert any(ready.fullmatch(s) for s in said), said
    # The server cannot train runs itself (SIAMESE_LAB_SCHEDULER_FALLBACK is `none`): this run trained on the worker.
    assert accuracy is not None and 0.5 < float(accuracy) <= 1
