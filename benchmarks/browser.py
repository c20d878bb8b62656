"""Driving the app in a real browser: start a server on a free local port, open headless Chromium,
wait until a page has settled. Shared by the browser test (tests/browser) and the load test.

Chromium is Debian's (`apt-get install chromium`); Playwright only drives it (never `playwright install`)."""
from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("SIAMESE_LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SETTLED = '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
# A training page opens on a pretrained result, inside containers whose CSS class starts "st-key-first-look"
# (lab_ui/first_look.py). A selector followed by OWN matches only elements outside them: the student's own run.
FIRST_LOOK = '[class*="st-key-first-look"]'
OWN = f":not({FIRST_LOOK} *)"


def app_pages() -> list[tuple[str, str, str]]:
    """(file, title, url path) of every page app.py lists whose file exists, read from app.py itself."""
    tree = ast.parse((ROOT / "app.py").read_text())
    listed = next(ast.literal_eval(n.value) for n in ast.walk(tree) if isinstance(n, ast.Assign)
                  and getattr(n.targets[0], "id", None) == "PAGES")
    return [(f, title, url) for f, title, _, url in listed if (ROOT / f).is_file()]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def lab_server(port: int | None = None, env: dict[str, str] | None = None, timeout: float = 120.0,
               python: str = sys.executable, args: list[str] | None = None, script: Path = ROOT / "app.py"):
    """`streamlit run app.py` (or another `script`) on 127.0.0.1:`port` (a free one by default), by the
    interpreter `python` (this one by default; another environment's to check its installation); yields (url,
    Popen). `args`: another command line after `python -m`, serving on `port` (a documented one:
    benchmarks/local_cluster.py)."""
    port = port or free_port()
    full_env = {**os.environ, **(env or {})}
    full_env.setdefault("SIAMESE_LAB_DATA", str(ROOT.parent / "shared" / "data"))
    cmd = [python, "-m", *(args or ["streamlit", "run", str(script), "--server.port", str(port),
                                     "--server.address", "127.0.0.1", "--server.headless", "true",
                                     "--browser.gatherUsageStats", "false"])]
    # The server's output goes to a file, never to a pipe nobody reads: once a pipe's buffer is full, the
    # next log line (a warning, say) blocks the thread that writes it, and a long benchmark hangs.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        t0 = time.monotonic()
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError("the server stopped: " + log.read().decode(errors="replace")[-2000:])
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - t0 > timeout:
                raise TimeoutError(f"the server did not answer on {url} within {timeout:.0f} s")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def is_chromium(p) -> bool:
    """Whether the psutil process `p` is one of Chromium's (False once it is gone)."""
    try:
        return "chrom" in p.name().lower()
    except psutil.Error:
        return False


def cpu_seconds(p, last: float = 0.0) -> float:
    """CPU seconds the psutil process `p` has used; `last` once it is gone (what it had used)."""
    try:
        t = p.cpu_times()
        return t.user + t.system
    except psutil.Error:
        return last


def confine_chromium(nice: int) -> str | None:
    """Give this process's Chromium the priority `nice`, as its other children have; None when done, else why
    not. Chromium starts a session of its own, and with the kernel's autogroup scheduling a session is one
    group that shares the CPU equally with all the others (the server's included), whatever the nice of the
    process that launched it; it also raises some of its processes' priority itself. So the nice of its
    session's group and of each of its processes is set here."""
    groups, why = set(), None
    for p in psutil.Process().children(recursive=True):
        if not is_chromium(p):
            continue
        try:
            p.nice(nice)
            sid = os.getsid(p.pid)
            if sid not in groups:
                with open(f"/proc/{p.pid}/autogroup", "w") as f:
                    f.write(str(nice))
                groups.add(sid)
        except (psutil.Error, OSError) as exc:
            why = why or f"{type(exc).__name__}: {exc}"
    return why if why or groups else "no Chromium process found"


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def settle(page, timeout: float = 60.0) -> None:
    """Wait until the script run started by the last interaction has finished and the page is connected."""
    page.wait_for_timeout(150)  # let the rerun request reach the server and flip the state to running
    page.wait_for_selector(SETTLED, timeout=timeout * 1000)


def visit(page, url: str, path: str, timeout: float = 240.0) -> None:
    """Open the page at url path `path` (app.py's; "home" is the root) and wait until it shows its heading."""
    page.goto(url + ("" if path == "home" else f"/{path}"), timeout=timeout * 1000)
    settle(page, timeout)
    page.get_by_role("heading").first.wait_for(timeout=timeout * 1000)


def open_app(page, url: str, timeout: float = 120.0) -> float:
    """Open the home page (always first: see the README) and return seconds until it first settled."""
    t0 = time.monotonic()
    page.goto(url, timeout=timeout * 1000)
    page.wait_for_selector(SETTLED, timeout=timeout * 1000)
    page.get_by_role("heading").first.wait_for(timeout=timeout * 1000)
    return time.monotonic() - t0
