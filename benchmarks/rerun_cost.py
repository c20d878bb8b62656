"""What one page rerun costs the server: CPU seconds and response time per page, with Streamlit's forced
garbage collection after every script run (its default, `runner.postScriptGC`) and without it (this
app's `.streamlit/config.toml`), side by side. One protocol session (benchmarks/stream_client.py)
opens each page `--repeats` times on a fresh server of each kind.

    python -m benchmarks.rerun_cost [--repeats 10] [--out FILE.json]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics

import psutil

from benchmarks.browser import lab_server
from benchmarks.results import command_line, conditions, write_result
from benchmarks.stream_client import StreamSession

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
    p = argparse.ArgumentParser(prog="python -m benchmarks.rerun_cost", description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--out", default=None, help="also write the figures and the conditions to this JSON file")
    a = p.parse_args(argv)
    before = conditions()
    results = {}
    settings = (("forced gc.collect() (Streamlit's default)", "true"), ("no forced collection (this app)", "false"))
    for label, gc in settings:
        with lab_server(env={"STREAMLIT_RUNNER_POST_SCRIPT_GC": gc}) as (url, proc):
            results[label] = asyncio.run(measure(url, proc.pid, a.repeats))
    print(f"server CPU per rerun / median response, {a.repeats} opens of each page by one session")
    print(f"{'page':15s}" + "".join(f"{label:>44s}" for label in results))
    for page in PAGES:
        print(f"{page:15s}" + "".join(f"{r[page][0]:>26.0f} ms CPU {r[page][1]:>6.0f} ms" for r in results.values()))
    if a.out:
        write_result(a.out, command_line("benchmarks.rerun_cost", argv), as_figures(results, a.repeats), before)
    return results


if __name__ == "__main__":
    main()
