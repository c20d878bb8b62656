"""What one page rerun costs the server: CPU seconds and response time per page, with Streamlit's forced
garbage collection after every script run (its default, `runner.postScriptGC`) and without it (this
app's `.streamlit/config.toml`), side by side. One protocol session (benchmarks/stream_client.py)
opens each page `--repeats` times on a fresh server of each kind.

    python -m benchmarks run rerun-cost [--repeats 10] [--out FILE.json]
"""
from __future__ import annotations

import asyncio
import statistics

import psutil

from benchmarks.blocks import Block, conditions_line, table
from benchmarks.browser import lab_server
from benchmarks.results import conditions, parser, save
from benchmarks.stream_client import StreamSession

NAME = "rerun-cost"
SUMMARY = "server CPU and response time of a page rerun, with and without Streamlit's forced garbage collection"

PAGES = ["Home", "Losses", "Convolution", "Siamese twins"]


async def measure(url: str, pid: int, repeats: int) -> dict[str, tuple[float, float]]:
    """page → (server CPU ms per rerun, median response ms)."""
    server, session = psutil.Process(pid), StreamSession(url)
    await session.open()
    for page in PAGES:  # first visits load datasets and models: not what a rerun costs
        await session.goto(page)
    out = {}
    for page in PAGES:
        cpu0, seconds = sum(server.cpu_times()[:2]), []
        for _ in range(repeats):
            seconds.append((await session.goto(page)).seconds)
        out[page] = (1000 * (sum(server.cpu_times()[:2]) - cpu0) / repeats, 1000 * statistics.median(seconds))
    await session.close()
    return out


def as_figures(results: dict[str, dict[str, tuple[float, float]]], repeats: int) -> dict:
    """server kind → page → (CPU ms, median ms), as named JSON fields."""
    return {"repeats": repeats, "pages": PAGES, "servers": {
        label: {page: {"cpu_ms": cpu, "median_ms": ms} for page, (cpu, ms) in r.items()}
        for label, r in results.items()}}


def main(argv=None) -> dict:
    p = parser(NAME, __doc__)
    p.add_argument("--repeats", type=int, default=10)
    a = p.parse_args(argv)
    before = conditions()
    results = {}
    settings = (("forced gc.collect() (Streamlit's default)", "true"), ("no forced collection (this app)", "false"))
    for label, gc in settings:
        with lab_server(env={"STREAMLIT_RUNNER_POST_SCRIPT_GC": gc}) as (url, proc):
            results[label] = asyncio.run(measure(url, proc.pid, a.repeats))
    save(a.out, NAME, argv, as_figures(results, a.repeats), before, show=block_text)
    return results


def block_text(r: dict) -> str:
    f = r["figures"]
    labels = list(f["servers"])
    rows = [[page, *(f"{f['servers'][k][page]['cpu_ms']:.0f} ms CPU, {f['servers'][k][page]['median_ms']:.0f} ms"
                     for k in labels)] for page in f["pages"]]
    return "\n".join([table(["page", *labels], rows), "", conditions_line(r)])


BLOCKS = {"rerun-cost": Block(("docs/results/rerun-cost.json",),
                                "python -m benchmarks.rerun_cost --repeats 10 --out docs/results/rerun-cost.json",
                                block_text)}


if __name__ == "__main__":
    main()
