"""One student's server in memory: per process RSS, PSS and USS of the server and its training processes,
after one browser tab opened every page and trained once on each training page; and a fresh training
process's start (to ready for its first step) and its memory before it loads a dataset.

    python -m benchmarks run memory [--seconds 5] [--env NAME=VALUE ...] [--out FILE.json]

PSS (proportional set size) counts a page shared by k processes as 1/k in each, so the processes' PSS add up
to what they hold together; RSS counts shared pages (torch's libraries, say) once per process.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time

import psutil

from benchmarks.blocks import Block, conditions_line, goal, table
from benchmarks.browser import ROOT, app_pages, lab_server, launch_chromium, open_app, settle
from benchmarks.results import conditions, parser, save

NAME = "memory"
SUMMARY = "one student's server: each process's RSS, PSS and USS after every page and a run on each training page"
GOALS = {"total_pss_mb": 1500, "process_ready_s": 2.0, "process_before_data_mb": 300}
WAIT_MS = 300_000  # a busy machine: a first visit loads datasets and models, a run waits for its CPU
BUSY = re.compile("^Training “|is number \\d+ in the queue")
# Each training page's run, as a student starts it: (url, then the buttons pressed, one run each).
TRAININGS = (("/losses?seconds={s}", ("Train",)),
             ("/embedding-size?seconds={s}", ("Run the sweep",)),
             ("/mining?seconds={s}", ("Compare the miners", "Center loss", "Train one 2-D network per λ")),
             ("/twins", ("Train 60 steps with this batch size",)))
# What a training process imports before it can take its first run (training_process.serve), timed in a fresh
# interpreter that then reports its own memory.
READY = ("import time, json, psutil; t = time.perf_counter(); import torch; "
         "from siamese_core.service.execute import execute_spec, warm; s = time.perf_counter() - t; "
         "m = psutil.Process().memory_full_info(); "
         "print(json.dumps({'import_s': s, 'rss': m.rss, 'pss': m.pss, 'uss': m.uss}))")


def process_memory(server: psutil.Process) -> list[dict]:
    """RSS, PSS and USS (MB) of the server and of every process it started."""
    rows = []
    for p in [server, *server.children(recursive=True)]:
        try:
            m, cmd = p.memory_full_info(), " ".join(p.cmdline())
        except psutil.Error:
            continue
        role = "server" if p.pid == server.pid else (
            "training process" if "training_process" in cmd else p.name())
        rows.append({"pid": p.pid, "role": role, **{k: getattr(m, k) / 2**20 for k in ("rss", "pss", "uss")}})
    return rows


def fresh_process() -> dict:
    """A training process's imports in a fresh interpreter: seconds from its start, and its memory then."""
    import json

    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", READY], cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    f = json.loads(out.stdout.strip().splitlines()[-1])
    return {"ready_s": wall, "import_s": f["import_s"], **{k: f[k] / 2**20 for k in ("rss", "pss", "uss")}}


def wait_idle(page) -> None:
    """Until no run of this tab trains or waits (checked twice, two seconds apart)."""
    quiet = 0
    while quiet < 2:
        page.wait_for_timeout(2_000)
        quiet = quiet + 1 if page.get_by_text(BUSY).count() == 0 else 0


def walk(url: str, seconds: int, server: psutil.Process) -> dict:
    """One tab: every page, then one run on each training page; the memory after each stage."""
    from playwright.sync_api import sync_playwright

    stages = {}
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        open_app(page, url, WAIT_MS / 1000)
        stages["home page open"] = process_memory(server)
        for _, _, path in app_pages():
            page.goto(url + ("" if path == "home" else f"/{path}"), timeout=WAIT_MS)
            settle(page, WAIT_MS / 1000)
            page.get_by_role("heading").first.wait_for(timeout=WAIT_MS)
            print(f"  opened {path}", flush=True)
        stages["every page open"] = process_memory(server)
        for link, buttons in TRAININGS:
            page.goto(url + link.format(s=seconds), timeout=WAIT_MS)
            settle(page, WAIT_MS / 1000)
            for name in buttons:
                control = page.get_by_role("tab", name=name) if name == "Center loss" else page.get_by_role(
                    "button", name=name, exact=True)
                control.first.click(timeout=WAIT_MS)
                settle(page, WAIT_MS / 1000)
                wait_idle(page)
            print(f"  trained on {link.split('?')[0]}", flush=True)
        stages["a run on each training page"] = process_memory(server)
        browser.close()
    return stages


def main(argv: list[str] | None = None) -> int:
    p = parser(NAME, __doc__)
    p.add_argument("--seconds", type=int, default=5, help="each run's time budget (default 5)")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="a setting of the server")
    a = p.parse_args(argv)
    before = conditions()
    fresh = fresh_process()
    env = dict(e.split("=", 1) for e in a.env)
    with lab_server(env=env) as (url, proc):
        stages = walk(url, a.seconds, psutil.Process(proc.pid))
    figures = {"settings": env, "seconds": a.seconds, "fresh_process": fresh, "stages": stages,
               "total_pss_mb": sum(r["pss"] for r in stages["a run on each training page"]),
               "total_rss_mb": sum(r["rss"] for r in stages["a run on each training page"])}
    save(a.out, NAME, argv, figures, before, show=block_text)
    return 0


def block_text(r: dict) -> str:
    f = r["figures"]
    rows = [[stage, f"{p['role']} {p['pid']}", *(f"{p[k]:.0f} MB" for k in ("rss", "pss", "uss"))]
            for stage, procs in f["stages"].items() for p in procs]
    fresh, g = f["fresh_process"], GOALS
    total = goal(f"goal ≤ {g['total_pss_mb']} MB", f["total_pss_mb"] <= g["total_pss_mb"])
    ready = goal(f"goal ≤ {g['process_ready_s']:g} s", fresh["ready_s"] <= g["process_ready_s"])
    small = goal(f"goal ≤ {g['process_before_data_mb']} MB", fresh["pss"] <= g["process_before_data_mb"])
    settings = ", ".join(f"`{k}={v}`" for k, v in f["settings"].items()) or "the default settings"
    return "\n".join([
        f"One tab on a server with {settings}; each run's budget {f['seconds']} s.", "",
        table(["after", "process", "RSS", "PSS", "USS"], rows), "",
        f"- Server and training processes together: **{f['total_pss_mb']:.0f} MB PSS** ({total}); "
        f"{f['total_rss_mb']:.0f} MB RSS.",
        f"- A fresh training process ready for its first run in **{fresh['ready_s']:.2f} s** ({ready}), holding "
        f"**{fresh['pss']:.0f} MB PSS** before any data ({small}; RSS {fresh['rss']:.0f} MB).", "",
        conditions_line(r)])


BLOCKS = {"memory": Block(("docs/results/memory.json",),
                          "python -m benchmarks.memory --out docs/results/memory.json", block_text)}


if __name__ == "__main__":
    raise SystemExit(main())
