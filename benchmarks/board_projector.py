"""What the Class board costs the browser that projects it (docs/classroom.md, "The class board").

    python -m benchmarks.board_projector --out docs/results/board-projector.json

Serves the Class board page on a board of `--runs` runs shaped as Losses page runs (benchmarks/
_board_projector_app.py) and opens it in headless Chromium: Chromium's CPU (all its processes) for the first
render, then over `--window` seconds with the board sitting open (it looks at the board's version twice a
second), then on a second server over the same window with one run arriving every `--every` seconds."""
from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import psutil
from playwright.async_api import async_playwright

from benchmarks.blocks import Block, conditions_line, side_by_side
from benchmarks.browser import SETTLED, cpu_seconds, is_chromium, lab_server, launch_chromium
from benchmarks.results import conditions, parser, save

NAME = "board-projector"
SUMMARY = "the projecting browser's CPU with the Class board open: sitting, and per arriving run"
APP = Path(__file__).resolve().parent / "_board_projector_app.py"
ROOT = APP.parents[1]
SHARES = re.compile(r"\((\d+) shares?\)")


def chromium_cpu() -> float:
    return sum(cpu_seconds(p) for p in psutil.Process().children(recursive=True) if is_chromium(p))


async def projector(url: str, window: float) -> dict:
    """Chromium's CPU seconds for the first render, then over `window` seconds; the shares shown at each end."""
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        start = chromium_cpu()
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await page.goto(url, timeout=120_000)
        await page.wait_for_selector(SETTLED, timeout=120_000)
        await page.wait_for_timeout(3000)  # Plotly draws a moment after the script run ends

        async def shares() -> int:
            text = " ".join(await page.locator('[data-testid="stCaptionContainer"]').all_inner_texts())
            return int(m[1]) if (m := SHARES.search(text)) else 0

        first, before, t0 = chromium_cpu() - start, await shares(), time.monotonic()
        cpu0 = chromium_cpu()
        await asyncio.sleep(window)  # no Playwright call meanwhile: its own polling would cost the page CPU
        cpu, seconds = chromium_cpu() - cpu0, time.monotonic() - t0
        after = await shares()
        await browser.close()
    return {"first_render_cpu_s": round(first, 2), "window_cpu_s": round(cpu, 2), "window_s": round(seconds, 1),
            "shares_before": before, "shares_after": after}


def one_server(runs: int, every: float, window: float) -> dict:
    env = {"PYTHONPATH": str(ROOT), "BOARD_RUNS": str(runs), "BOARD_EVERY": str(every)}
    with lab_server(env=env, script=APP) as (url, _):
        return asyncio.run(projector(url, window))


def main(argv: list[str] | None = None) -> int:
    p = parser(NAME, __doc__)
    p.add_argument("--runs", type=int, default=10, help="runs on the board when the browser opens it")
    p.add_argument("--window", type=float, default=60.0, help="seconds measured after the first render")
    p.add_argument("--every", type=float, default=10.0, help="seconds between arriving runs, second window")
    a = p.parse_args(argv)
    if a.runs < 1 or a.window < 5 or a.every <= 0:
        p.error("runs ≥ 1, window ≥ 5 s, every > 0")
    before = conditions()
    sitting, arriving = one_server(a.runs, 0, a.window), one_server(a.runs, a.every, a.window)
    arrived = arriving["shares_after"] - arriving["shares_before"]
    figures = {"runs": a.runs, "every_s": a.every, "sitting": sitting, "arriving": arriving, "arrived": arrived,
               "sitting_percent": round(100 * sitting["window_cpu_s"] / sitting["window_s"], 1),
               "arriving_percent": round(100 * arriving["window_cpu_s"] / arriving["window_s"], 1),
               "per_run_cpu_s": round((arriving["window_cpu_s"] - sitting["window_cpu_s"]) / arrived, 2)
               if arrived else None}
    save(a.out, NAME, argv, figures, before, show=render)
    return 0


def render(*results: dict) -> str:
    """One column per result: the board as it was at commit 5b3bef2 (histograms and maps in two tabs), as it is."""
    def per_run(f: dict) -> str:
        return "–" if f["per_run_cpu_s"] is None else f"{f['per_run_cpu_s']:.2f} CPU-s"

    f = results[-1]["figures"]
    rows = [("first render (Chromium's CPU)", lambda f: f"{f['sitting']['first_render_cpu_s']:.1f} CPU-s"),
            (f"sitting open for {f['sitting']['window_s']:.0f} s (looking at the board's version)",
             lambda f: f"{f['sitting_percent']:.0f} % of a core"),
            (f"a run arriving every {f['every_s']:g} s", lambda f: f"{f['arriving_percent']:.0f} % of a core "
                                                                   f"({f['arrived']} arrived)"),
            ("… each arriving run, redrawn", per_run)]
    names = COLUMNS if len(results) == 2 else ("this checkout's board",)
    return (f"The Class board with {f['runs']} runs, open in headless Chromium (100 % = one core).\n\n"
            + side_by_side(["figure", *names], results, rows) + "\n\n"
            + "\n\n".join(f"{name.capitalize()}: {conditions_line(r)}" for name, r in zip(names, results)))


COLUMNS = ("histograms and maps in two tabs (commit 5b3bef2)", "one of the two at a time")
TABS = "/tmp/board-tabs"  # a worktree of the commit before, with this benchmark copied in
BLOCKS = {"board-projector": Block(
    ("docs/results/board-projector-tabs.json", "docs/results/board-projector.json"),
    f"git worktree add {TABS} 5b3bef2 && cp benchmarks/board_projector.py benchmarks/_board_projector_app.py "
    f"{TABS}/benchmarks/ && (cd {TABS} && python -m benchmarks.board_projector --out "
    "$OLDPWD/docs/results/board-projector-tabs.json); python -m benchmarks.board_projector --out "
    "docs/results/board-projector.json", render)}

if __name__ == "__main__":
    raise SystemExit(main())
