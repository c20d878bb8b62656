"""The load test's browserless student (benchmarks/stream_client.py) against a real server: it opens pages,
moves a slider and follows a link as a browser does."""
from __future__ import annotations

import asyncio
import os

import pytest

from benchmarks.browser import app_pages
from benchmarks.stream_client import StreamSession

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.environ.get("SIAMESE_LAB_DATA"), reason="SIAMESE_LAB_DATA is not set")]


def test_a_protocol_session_opens_pages_and_moves_a_slider(server):
    async def walk():
        s = StreamSession(server, timeout=120)
        try:
            home = await s.open()
            assert any(e.heading.body == "Siamese Lab" for e in home.of_type("heading"))
            assert len(s.pages) == len(app_pages()) and any(name.startswith("Losses") for name in s.pages)
            losses = await s.goto("Losses", {"loss": "triplet"})
            margin = losses.widget("slider", "margin m")
            url_before = s.query
            moved = await s.set_slider(margin, 1.25)
            assert not moved.exceptions and not moved.page_not_found
            with pytest.raises(LookupError):
                await s.goto("No such page")
            return losses, moved, url_before, s.query
        finally:
            await s.close()

    losses, moved, url_before, url_after = asyncio.run(walk())
    # The page keeps its settings in the URL: it took the link's loss (and that loss's default margin),
    # then the moved slider's value.
    assert "loss=triplet" in url_before and "margin=0.2" in url_before
    assert "margin=1.25" in url_after and "loss=triplet" in url_after
    assert losses.widget("slider", "margin m").id == moved.widget("slider", "margin m").id
    assert moved.seconds > 0


def test_a_link_to_home_opens_the_home_page_without_a_page_not_found(server):
    async def open_home():
        s = StreamSession(server, timeout=120)
        try:
            return await s.open(path="home")
        finally:
            await s.close()

    run = asyncio.run(open_home())
    assert not run.page_not_found and not run.exceptions
    assert any(e.heading.body == "Siamese Lab" for e in run.of_type("heading"))


# A small class through `load_test.main` (every session and run reported, both kinds of client, the server's
# memory) is played through a local cluster, where it also covers the cluster wrapper:
# tests/benchmarks/test_cluster_load_test.py::test_a_small_class_trains_through_a_local_cluster.
