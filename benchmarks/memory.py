"""One student's server in memory: the RSS, PSS and USS of the server and of each training process after one
browser tab opened the home page, then every page, then trained once on each training page; and how long a
fresh training process takes to import what it needs before its first run.

    python -m benchmarks run memory [--seconds 5] [--env NAME=VALUE ...] [--python PATH] [--out FILE.json]

PSS (proportional set size) counts a page that k processes share as 1/k in each, so the processes' PSS add
up to what they hold together; RSS counts shared pages (torch's libraries, a mapped dataset) in every process.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import psutil

from benchmarks.blocks import Block, conditions_line, goal, table
from benchmarks.browser import ROOT, app_pages, cpu_seconds, lab_server, launch_chromium, open_app, settle, visit
from benchmarks.results import conditions, parser, save

NAME = "memory"
SUMMARY = "one student's server: each process's RSS, PSS and USS after every page and a run on each training page"
GOALS = {"total_pss_mb": 1500, "ready_s": 2.0, "before_data_mb": 300}
WAIT_S = 300  # a busy machine: a first visit loads datasets and models, a run waits for its CPU
BUSY = re.compile("^Training “|is number \\d+ in the queue")
# Each training page's runs, as a student starts them: (link, the tabs and buttons pressed in turn).
TRAININGS = (("/losses?seconds={s}", ("Train",)), ("/embedding-size?seconds={s}", ("Run the sweep",)),
             ("/mining?seconds={s}", ("Compare the miners", "tab:Center loss", "Train one 2-D network per λ")),
             ("/twins", ("Train 60 steps with this batch size",)))


# What a training process imports before its first run, then its resident and private anonymous memory (kB).
IMPORTS = ("import sys; sys.modules.setdefault('triton', None); import torch; "
           "from siamese_core.service.execute import execute_spec; "
           "m = dict(line.split(':') for line in open('/proc/self/smaps_rollup') if ':' in line); "
           "print(m['Rss'].split()[0], m['Pss_Anon'].split()[0])")


def process_memory(server: psutil.Process) -> list[dict]:
    """RSS, PSS and USS (MB) of the server and of every process it started."""
    rows = []
    for p in [server, *server.children(recursive=True)]:
        try:
            m, cmd = p.memory_full_info(), " ".join(p.cmdline())
        except psutil.Error:
            continue
        role = "server" if p == server else "training process" if "training_process" in cmd else p.name()
        rows.append({"pid": p.pid, "role": role, **{k: getattr(m, k) / 2**20 for k in ("rss", "pss", "uss")}})
    return rows


def until_idle(server: psutil.Process, quiet_s: float = 2.0) -> None:
    """Until the server's training processes use no CPU for `quiet_s` (at most WAIT_S)."""
    def busy() -> float:
        return sum(cpu_seconds(p) for p in server.children(recursive=True))
    end, last = time.monotonic() + WAIT_S, busy()
    while time.monotonic() < end:
        time.sleep(quiet_s)
        now = busy()
        if now - last < 0.05 * quiet_s:
            return
        last = now


def walk(url: str, seconds: int, server: psutil.Process) -> dict:
    """One tab: the home page, every page, then the runs of TRAININGS; the memory after each stage."""
    from playwright.sync_api import sync_playwright

    stages = {}
    with sync_playwright() as pw:
        page = launch_chromium(pw).new_context(viewport={"width": 1400, "height": 1000}).new_page()
        open_app(page, url, WAIT_S)
        until_idle(server)  # a training process still importing torch is not yet what it will hold
        stages["home page open"] = process_memory(server)
        for _, _, path in app_pages():
            visit(page, url, path, WAIT_S)
        stages["every page open"] = process_memory(server)
        for link, controls in TRAININGS:
            visit(page, url, link.format(s=seconds).lstrip("/"), WAIT_S)
            for name in controls:
                role, name = name.split(":") if ":" in name else ("button", name)
                page.get_by_role(role, name=name, exact=True).first.click(timeout=WAIT_S * 1000)
                settle(page, WAIT_S)
                page.wait_for_timeout(2_000)
                while page.get_by_text(BUSY).count():  # until no run of this tab trains or waits in line
                    page.wait_for_timeout(2_000)
            print(f"  trained on {link.split('?')[0]}", flush=True)
        stages["a run on each training page"] = process_memory(server)
    return stages


def main(argv: list[str] | None = None) -> int:
    p = parser(NAME, __doc__)
    p.add_argument("--seconds", type=int, default=5, help="each run's time budget (default 5)")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="a setting of the server")
    # PSS shares a library's pages among every process that maps the same file, a server of another checkout
    # started from the same environment too: a server of the app's own environment (its requirements alone, as
    # a student installs them: .ci/run's SIAMESE_LAB_RUNTIME_PYTHON) is counted alone.
    p.add_argument("--python", default=os.environ.get("SIAMESE_LAB_RUNTIME_PYTHON") or sys.executable,
                   help="the server's interpreter (default: $SIAMESE_LAB_RUNTIME_PYTHON, else this one)")
    a = p.parse_args(argv)
    before = conditions()
    t0 = time.perf_counter()  # a fresh interpreter importing what a training process needs for its first run
    imported = subprocess.run([a.python, "-c", IMPORTS], cwd=ROOT, capture_output=True, text=True, check=True)
    ready = time.perf_counter() - t0
    rss_mb, private_mb = (int(n) / 1024 for n in imported.stdout.split())
    env = dict(e.split("=", 1) for e in a.env)
    with lab_server(env=env, python=a.python) as (url, proc):
        stages = walk(url, a.seconds, psutil.Process(proc.pid))
    last = stages["a run on each training page"]
    figures = {"settings": env, "seconds": a.seconds, "ready_s": ready, "imported_rss_mb": rss_mb,
               "imported_private_mb": private_mb, "stages": stages,
               "total_pss_mb": sum(r["pss"] for r in last), "total_rss_mb": sum(r["rss"] for r in last),
               "before_data_mb": max((r["pss"] for r in stages["home page open"] if r["role"] == "training process"),
                                     default=None)}
    save(a.out, NAME, argv, figures, before, show=block_text)
    return 0


def block_text(r: dict) -> str:
    f = r["figures"]
    rows = [[stage, f"{p['role']} {p['pid']}", *(f"{p[k]:.0f} MB" for k in ("rss", "pss", "uss"))]
            for stage, procs in f["stages"].items() for p in procs]
    settings = ", ".join(f"`{k}={v}`" for k, v in f["settings"].items()) or "the default settings"

    def against(key: str, unit: str, digits: int = 0) -> str:  # the figure in bold, then its goal
        return f"**{f[key]:.{digits}f} {unit}** ({goal(f'goal ≤ {GOALS[key]:g} {unit}', f[key] <= GOALS[key])})"
    return "\n".join([
        f"One tab on a server with {settings}; each run's budget {f['seconds']} s.", "",
        table(["after", "process", "RSS", "PSS", "USS"], rows), "",
        f"- Server and training processes together: {against('total_pss_mb', 'MB PSS')}; "
        f"{f['total_rss_mb']:.0f} MB RSS.",
        (f"- A training process before any dataset (on the home page): {against('before_data_mb', 'MB PSS')}"
         if f["before_data_mb"] is not None else "- No training process: runs train in the server's threads")
        + f"; a fresh training process's imports: {against('ready_s', 's', 2)}"
        + (f", after which it holds {f['imported_rss_mb']:.0f} MB RSS, {f['imported_private_mb']:.0f} MB of it "
           "private." if "imported_rss_mb" in f else "."), "", conditions_line(r)])


BLOCKS = {name: Block((f"docs/results/{name}.json",), f"python -m benchmarks.memory {options}--out "
                                                        f"docs/results/{name}.json", block_text)
          for name, options in (("memory", ""), ("memory-one-process", "--env SIAMESE_LAB_WORKERS=1 "),
                                ("memory-in-server", "--env SIAMESE_LAB_TRAIN_IN=server "))}


if __name__ == "__main__":
    raise SystemExit(main())
