"""Load test: a class of students on one server (docs/benchmarks.md, "Classroom load test").

Starts the app on a free local port and opens `--sessions` students at once: `--trainers` of them press Train
on the Losses page, the others move the margin slider and switch pages; `--browsers` of them are pages in ONE
headless Chromium, the others speak the websocket protocol (benchmarks/stream_client.py). Bounded: at most 60
sessions, `--max-seconds` wall time for the class, localhost only.

    python -m benchmarks run load-test [--sessions 30] [--trainers 10] [--same-config N] [--out FILE.json]
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import psutil
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from benchmarks.blocks import Block, conditions_line, goal, side_by_side, table, thousands
from benchmarks.browser import OWN, SETTLED, confine_chromium, cpu_seconds, is_chromium, lab_server, launch_chromium
from benchmarks.results import conditions, parser, quiet_load_options, save, wait_until_quiet
from benchmarks.stream_client import StreamSession
from siamese_core.atlas.label import PRESS_TO_TRAIN

NAME = "load-test"
SUMMARY = "a class of students on one server: latencies, results, the server's memory and CPU"

# Page-clock time at which the page settled after `ARM`: the end of the script run the action started or,
# when a run is too short for the state to be seen as "running", the last change to the page.
WATCH = """() => {
  window.__lab = {armedAt: 0, ran: false, settledAt: 0, lastChange: 0};
  const state = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state');
  };
  new MutationObserver(() => {
    const w = window.__lab;
    if (!w.armedAt) return;
    w.lastChange = performance.now();
    const s = state();
    if (s === 'running') w.ran = true;
    else if (s === 'notRunning' && w.ran && !w.settledAt) w.settledAt = performance.now();
  }).observe(document.body, {attributes: true, childList: true, subtree: true, characterData: true});
  window.__labState = state;
}"""
ARM = "() => { Object.assign(window.__lab, {armedAt: performance.now(), ran: false, settledAt: 0, lastChange: 0});" \
      " return performance.now(); }"
SETTLED_AT = """() => {
  const w = window.__lab;
  if (w.settledAt) return w.settledAt;
  const quiet = performance.now() - Math.max(w.armedAt, w.lastChange) > 1500;
  if (!w.ran && quiet && window.__labState() === 'notRunning') return w.lastChange || w.armedAt;
  return 0;
}"""
TIMEOUT = 120.0  # the longest one interaction may take (s)
NAV = ["Home", "Convolution", "Siamese twins", "Losses"]
# A trainer's run counts as trained when its test accuracy reaches this. Eight 5-s digits runs (contrastive,
# D = 8, seeds 1–8, one thread, idle) reached 0.962–0.987 in 277–373 steps; a run a busy server starved to
# 5 steps showed 0.62. The floor sits 0.06 under the lowest idle figure, room for a run on a loaded CPU.
TRAINED_ACCURACY = 0.90
# The warnings that say a Train press was refused or its run cut short (the page's other notes are lessons).
REFUSALS = re.compile(r"trainings are already waiting|already have a training|Your session keeps at most|"
                      r"already in the queue|so busy that this run")


def all_shown(seconds: float | None) -> str:
    """Class start → every trainer's result shown, or that not all were."""
    return "not all shown" if seconds is None else f"{seconds:.1f} s"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


class Sampler(threading.Thread):
    """Samples the server's RSS (with its training processes'), CPU and threads, and the load generator's RSS
    and CPU, every `every` seconds (`at`: seconds since the sampler was made)."""

    def __init__(self, server_pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.server, self.every, self.stop = psutil.Process(server_pid), every, threading.Event()
        self.at, self.rss, self.cpu, self.t0 = [], [], [], time.monotonic()
        self.generator_cpu: dict[int, float] = {}   # pid → CPU seconds so far, this process and its children
        self.training_cpu: dict[int, float] = {}    # the same for the server's training processes
        self.chromium: set[int] = set()              # the generator's processes that are Chromium's
        self.rss_warm = 0
        self.pss_peak = 0                            # PSS counts what the processes share once, not per process
        self.chromium_confined: str | None = "not launched"  # None: Chromium runs at the generator's nice
        self.server.cpu_percent(None)

    def run(self):
        me = psutil.Process()
        while not self.stop.wait(self.every):
            try:
                training = self.server.children(recursive=True)
                self.at.append(time.monotonic() - self.t0)
                self.rss.append(tree_rss(self.server))
                self.pss_peak = max(self.pss_peak, tree_rss(self.server, "pss"))
                self.cpu.append(self.server.cpu_percent(None))
                for p in training:
                    self.training_cpu[p.pid] = cpu_seconds(p, self.training_cpu.get(p.pid, 0.0))
                theirs = {self.server.pid, *(p.pid for p in training)}
                kids = [p for p in me.children(recursive=True) if p.pid not in theirs]
                for p in (me, *kids):
                    self.generator_cpu[p.pid] = cpu_seconds(p, self.generator_cpu.get(p.pid, 0.0))
                self.chromium.update(p.pid for p in kids if is_chromium(p))
            except psutil.Error:
                return


def tree_rss(server: psutil.Process, kind: str = "rss") -> int:
    """The server's resident memory with its training processes' (`kind` "pss": their proportional set size)."""
    return _rss(server, kind) + sum(_rss(p, kind) for p in server.children(recursive=True))


def _rss(p: psutil.Process, kind: str = "rss") -> int:
    try:
        return p.memory_info().rss if kind == "rss" else getattr(p.memory_full_info(), kind)
    except psutil.Error:
        return 0


TENTH = "all_results_s"
GOALS = {TENTH: 60.0, "failed_sessions": 0, "latency_p50_s": 1.0, "server_pss_peak_mb": 2000}


def trainer_seeds(trainers: int, same_config: int) -> list[int]:
    """The seed each trainer asks for: the first `same_config` of them share seed 0 (one config, trained
    once for all), every other one has a seed of its own. same_config 0 or 1: all differ."""
    if not 0 <= same_config <= trainers:
        raise ValueError(f"--same-config must be between 0 and the number of trainers ({trainers})")
    return [0 if k < same_config else k + 1 for k in range(trainers)]


class Student:
    def __init__(self, k: int, trainer: bool, browser: bool, seed: int = 0):
        self.k, self.trainer, self.browser, self.seed = k, trainer, browser, seed
        self.result_at: float | None = None                     # monotonic time the run's result was shown
        self.first_render: float | None = None
        self.latencies: list[tuple[float, float, str]] = []   # (start wall time, seconds, action)
        self.run_result: str | None = None                      # "done", "failed: …"
        self.run_seconds: float | None = None                   # Train pressed → result shown
        self.pressed_at: float | None = None                    # monotonic time Train was pressed
        self.accuracy: float | None = None                      # the run's test accuracy, as the page shows it
        self.error: str | None = None
        self.renderer_s: float | None = None                   # its Chromium page's renderer, busy (s)
        self.phases: list[tuple[str, float]] = []                # (step, monotonic time it ended): where time went

    def mark(self, step: str) -> None:
        self.phases.append((step, time.monotonic()))

    def failed(self, exc: Exception) -> None:
        self.error = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]}"
        if self.trainer and self.run_result is None:
            self.run_result = "failed: " + self.error


async def settle(page) -> None:
    await page.wait_for_selector(SETTLED, timeout=TIMEOUT * 1000)


async def timed(page, student: Student, what: str, action) -> None:
    """Do `action()`, wait until the rerun it caused has finished, record the latency."""
    start_wall = time.monotonic()
    t0 = await page.evaluate(ARM)
    await action()
    t1 = await (await page.wait_for_function(SETTLED_AT, timeout=TIMEOUT * 1000, polling=50)).json_value()
    student.latencies.append((start_wall, (t1 - t0) / 1000, what))


async def nav(page, title: str) -> None:
    await page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()


async def play(browser, url: str, s: Student, args, training_over: asyncio.Event, deadline: float) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 900})  # in a context of its own
    rng = random.Random(s.k)
    busy = await renderer_busy(page)
    try:
        t0 = time.monotonic()
        await page.goto(url, timeout=TIMEOUT * 1000)
        s.mark("loaded")
        await settle(page)
        s.mark("settled")
        await page.get_by_role("heading").first.wait_for(timeout=TIMEOUT * 1000)
        s.first_render = time.monotonic() - t0
        await page.evaluate(WATCH)
        if s.trainer:
            await timed(page, s, "open Losses", lambda: nav(page, "Losses"))
            s.mark("opened Losses")
            await page.goto(f"{url}/losses?dataset=digits&loss=contrastive&dim=8&seconds={args.budget}"
                            f"&seed={s.seed}")
            s.mark("loaded the link")
            await settle(page)
            s.mark("settled")
            await page.evaluate(WATCH)
            pressed = s.pressed_at = time.monotonic()
            await page.get_by_role("button", name="Train", exact=True).click()
            # The report's own metric: the live view shows metrics of its own while the run trains.
            done = page.locator('[data-testid="stMetric"]' + OWN, has_text="test accuracy").first
            refused = page.locator('[data-testid="stAlertContentWarning"]', has_text=REFUSALS)
            shown = page.locator('[data-testid="stException"]')
            shown_accuracy = None
            while shown_accuracy is None and not (await refused.count() or await shown.count()):
                if time.monotonic() > deadline:
                    raise TimeoutError("no result, refusal or exception before the load test's deadline")
                shown_accuracy = await _text_if_there(done.locator('[data-testid="stMetricValue"]'))
                await asyncio.sleep(0.1)
            s.result_at = time.monotonic()
            s.run_seconds = s.result_at - pressed
            if await refused.count():
                s.run_result = "failed: " + (await refused.first.inner_text())[:120]
            elif shown_accuracy is not None:
                s.accuracy, s.run_result = float(shown_accuracy), _accuracy_result(shown_accuracy)
            else:
                s.run_result = "failed: exception on the page"
            return
        # Other students: wander between pages and move the margin slider until the trainers are done.
        here, moves, margin = "Home", 0, page.get_by_role("slider", name="margin m")
        while not training_over.is_set() and time.monotonic() < deadline:
            if rng.random() < 0.5:
                here = rng.choice([t for t in NAV if t != here])  # a click on the open page reruns nothing
                await timed(page, s, f"open {here}", lambda here=here: nav(page, here))
            else:
                if here != "Losses":
                    here = "Losses"
                    await timed(page, s, "open Losses", lambda: nav(page, "Losses"))
                key = ("ArrowLeft", "ArrowRight")[moves % 2]  # back and forth: never stuck at an end
                moves += 1
                await timed(page, s, "margin slider", lambda key=key: margin.press(key))
            if await page.locator('[data-testid="stException"]').count():
                raise RuntimeError("an exception was shown on the page")
            await asyncio.sleep(rng.uniform(*args.think))
    except Exception as exc:  # a failed session is a result, not a crash of the load test
        s.failed(exc)
    finally:
        s.renderer_s = await busy()
        await page.context.close()


async def renderer_busy(page):
    """A function that says how many seconds the page's renderer has been busy so far (the main thread's tasks,
    from Chromium's own counters), or None when they cannot be read: where the browser's share of the cores
    went, page by page."""
    try:
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Performance.enable")
    except Exception:  # an older or other browser: the figure is left out
        cdp = None

    async def busy() -> float | None:
        try:
            metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
            return round(next(m["value"] for m in metrics if m["name"] == "TaskDuration"), 2)
        except Exception:  # no CDP session (cdp None), or the page is gone
            return None
    return busy


async def _text_if_there(locator) -> str | None:
    """The element's text, or None when it is not on the page (a rerun may replace it between a look and a read)."""
    try:
        return await locator.inner_text(timeout=1000) if await locator.count() else None
    except PlaywrightTimeout:
        return None


def _run_result(accuracy: str | None, run) -> str:
    if run.exceptions:
        return "failed: " + run.exceptions[0][:120]
    refusals = [e.alert.body for e in run.of_type("alert") if REFUSALS.search(e.alert.body)]
    if refusals:
        return "failed: " + refusals[-1][:120]
    if accuracy is None:
        alerts = [e.alert.body for e in run.of_type("alert")]
        return "failed: " + (alerts[-1][:120] if alerts else "no test accuracy shown")
    return _accuracy_result(accuracy)


def _accuracy_result(accuracy: str) -> str:
    """"done" for a run that trained (its accuracy at least TRAINED_ACCURACY), else why not."""
    acc = float(accuracy)
    if not 0 < acc <= 1:
        return f"failed: accuracy {accuracy} is no accuracy"
    return "done" if acc >= TRAINED_ACCURACY else f"failed: accuracy {accuracy}, a run that barely trained"


def _check_link_applied(page, seed: int, budget: int) -> None:
    """The trainer's link set the page's seed and budget: else every trainer would train the page's
    default run (and, with shared runs, all the same one)."""
    shown_seed = page.widget("number_input", "seed").default
    shown_budget = page.widget("slider", "time budget (s)").default[0]
    if (shown_seed, shown_budget) != (seed, budget):
        raise RuntimeError(f"the link asked for seed {seed} and {budget} s; the page shows seed {shown_seed:g} "
                           f"and {shown_budget:g} s")


async def stream_play(url: str, s: Student, args, training_over: asyncio.Event, deadline: float) -> None:
    """The same student as `play`, speaking the websocket protocol instead of driving Chromium."""
    session = StreamSession(url, timeout=TIMEOUT)
    rng = random.Random(s.k)

    async def timed_run(what: str, request):
        start = time.monotonic()
        run = await request
        if run.exceptions:
            raise RuntimeError(f"an exception was shown on the page: {run.exceptions[0][:120]}")
        s.latencies.append((start, run.seconds, what))
        return run

    try:
        t0 = time.monotonic()
        await session.open()
        s.first_render = time.monotonic() - t0
        if s.trainer:
            await timed_run("open Losses", session.goto("Losses"))
            # The prepared link opens in a new session, as a browser loads a URL: in the same session the
            # page's widgets would keep the values of the first visit and the run would be the default one.
            await session.close()
            session = StreamSession(url, timeout=TIMEOUT)
            await session.open()
            page = await session.goto("Losses", {"dataset": "digits", "loss": "contrastive", "dim": 8,
                                                 "seconds": args.budget, "seed": s.seed})
            _check_link_applied(page, s.seed, args.budget)
            session.timeout = max(1.0, deadline - time.monotonic())
            pressed = s.pressed_at = time.monotonic()
            # The page follows the job with fragments that rerun on their own until it ends and the page reruns.
            run = await session.follow(await session.click(page.widget("button", "Train")))
            s.result_at = time.monotonic()
            s.run_seconds = s.result_at - pressed
            # Without a run of its own (it failed or was stopped) the page shows its pretrained one again.
            first_look = any(PRESS_TO_TRAIN in e.alert.body for e in run.of_type("alert"))
            shown_accuracy = None if first_look else run.metric("test accuracy")
            s.accuracy = None if shown_accuracy is None else float(shown_accuracy)
            s.run_result = _run_result(shown_accuracy, run)
            return
        here, moves, page = "Home", 0, None
        while not training_over.is_set() and time.monotonic() < deadline:
            if rng.random() < 0.5:
                here = rng.choice([t for t in NAV if t != here])
                page = await timed_run(f"open {here}", session.goto(here))
            else:
                if here != "Losses":
                    here = "Losses"
                    page = await timed_run("open Losses", session.goto("Losses"))
                slider = page.widget("slider", "margin m")
                value = session.widgets.get(slider.id)
                current = value.double_array_value.data[0] if value else slider.default[0]
                step = slider.step if moves % 2 == 0 or current - slider.step < slider.min else -slider.step
                moves += 1
                page = await timed_run("margin slider", session.set_slider(slider, round(current + step, 6)))
            await asyncio.sleep(rng.uniform(*args.think))
    except Exception as exc:
        s.failed(exc)
    finally:
        await session.close()


async def open_board(browser, url: str):
    """The Class board in one more Chromium session, opened before the class starts, as the instructor's
    projector would be."""
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await page.goto(url + "/class-board", timeout=TIMEOUT * 1000)
    await settle(page)
    return page


# The board page notes, on its own clock, when its caption's count of shares grows: the time the class sees a
# run, whatever delays a look from this process at it (Playwright's calls wait their turn with the students').
SHARES_SEEN = r"""() => {
  window.__shares = [];
  const count = () => {
    for (const c of document.querySelectorAll('[data-testid="stCaptionContainer"]')) {
      const m = c.textContent.match(/\((\d+) shares?\)/);
      if (m) return Number(m[1]);
    }
    return 0;
  };
  new MutationObserver(() => {
    const n = count(), seen = window.__shares;
    if (n > (seen.length ? seen[seen.length - 1][1] : 0)) seen.push([Date.now(), n]);
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


async def watch_board(page, arrivals: list[float], renderer: list[float], training_over: asyncio.Event,
                      deadline: float) -> None:
    """The monotonic time each share arrived on the open board (its caption's count of shares, as the page saw
    it), read once the trainers are done and the board has had a few seconds more; and how long its renderer
    was busy meanwhile (into `renderer`)."""
    busy = await renderer_busy(page)
    before = await busy()
    try:
        await page.evaluate(SHARES_SEEN)
        while not training_over.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(max(0.0, min(5.0, deadline - time.monotonic())))
        wall_to_monotonic = time.monotonic() - time.time()
        for at_ms, shares in await page.evaluate("() => window.__shares"):
            arrivals.extend([at_ms / 1000 + wall_to_monotonic] * (shares - len(arrivals)))
        after = await busy()
        if None not in (before, after):
            renderer.append(round(after - before, 2))
    finally:
        await page.context.close()


BOARD_SHARES = re.compile(r"\((\d+) shares?\)")


async def stream_watch_board(url: str, arrivals: list[float], training_over: asyncio.Event, deadline: float) -> None:
    """The board as a projector that takes no time to draw would see it: a protocol session on the Class board
    reruns its watch fragment as the browser's timer does and notes when a whole run of the page, which the
    fragment asks for when the board moved, shows more shares. The server's part of the board's lag."""
    session = StreamSession(url, timeout=TIMEOUT)
    try:
        await session.open()
        run = await session.goto("Class board")
        (fid, every), = run.fragments.items()
        end = deadline
        while time.monotonic() < end:
            if training_over.is_set():
                end = min(end, time.monotonic() + 5.0)
            await asyncio.sleep(every)
            rerun = await session.fragment(fid)
            if not rerun.fragment_run:
                captions = " ".join(e.markdown.body for e in rerun.of_type("markdown"))
                shares = int(m[1]) if (m := BOARD_SHARES.search(captions)) else 0
                arrivals.extend([time.monotonic()] * (shares - len(arrivals)))
    finally:
        await session.close()


def board_lags(students: list[Student], arrivals: list[float]) -> list[float]:
    """Seconds from each result on a trainer's page to the board showing as many shares (k-th result against
    the k-th arrival: a run may reach the board a moment before its own page shows it, so some lag is < 0)."""
    results = sorted(s.result_at for s in students if s.trainer and s.run_result == "done")
    return [round(a - r, 2) for r, a in zip(results, arrivals)]


async def warm_up(browser, url: str) -> None:
    """One visitor opens every page first, as the instructor would before the class."""
    page = await browser.new_page()
    await page.goto(url, timeout=TIMEOUT * 1000)
    await settle(page)
    for title in NAV[1:]:
        await nav(page, title)
        await page.wait_for_timeout(300)
        await settle(page)
    await page.context.close()


async def progress(students: list[Student], t0: float, sampler: Sampler, every: float = 30.0) -> None:
    """A line every `every` seconds, so a long class is not silent."""
    while True:
        await asyncio.sleep(every)
        runs = [s.run_result for s in students if s.trainer]
        print(f"  {time.monotonic() - t0:5.0f} s: {sum(s.first_render is not None for s in students)} sessions "
              f"open, {sum(r is not None for r in runs)}/{len(runs)} runs ended, "
              f"{sum(len(s.latencies) for s in students)} interactions, server RSS "
              f"{(sampler.rss[-1] if sampler.rss else 0) / 2**20:.0f} MB", flush=True)


async def class_session(url: str, args, sampler: Sampler) -> tuple[list[Student], float]:
    # Chromium students spread over the class (the first of them trains when anyone does).
    every = max(1, args.sessions // args.browsers) if args.browsers else args.sessions + 1
    seeds = trainer_seeds(args.trainers, args.same_config)
    students = [Student(k, trainer=k < args.trainers, browser=k % every == 0 and k // every < args.browsers,
                        seed=seeds[k] if k < args.trainers else 0) for k in range(args.sessions)]
    training_over = asyncio.Event()
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        sampler.chromium_confined = confine_chromium(args.generator_nice) if args.generator_nice > 0 else "nice 0"
        await warm_up(browser, url)  # imports, datasets and pretrained models load once per server
        board = await open_board(browser, url) if args.board else None
        sampler.rss_warm = tree_rss(sampler.server)
        t0 = time.monotonic()
        deadline = t0 + args.max_seconds
        tasks = [asyncio.create_task(play(browser, url, s, args, training_over, deadline) if s.browser
                                     else stream_play(url, s, args, training_over, deadline)) for s in students]
        trainers = [t for t, s in zip(tasks, students) if s.trainer]
        if board is not None:  # the board's watcher is no student: it is left out of the class's figures
            tasks.append(asyncio.create_task(watch_board(board, args.board_arrivals, args.board_renderer, training_over,
                                                         deadline)))
            tasks.append(asyncio.create_task(stream_watch_board(url, args.board_protocol_arrivals, training_over,
                                                                deadline)))
        ticker = asyncio.create_task(progress(students, t0, sampler))
        if trainers:
            await asyncio.gather(*trainers)
        else:
            await asyncio.sleep(min(args.max_seconds, 30))
        ticker.cancel()
        training_over.set()
        await asyncio.gather(*tasks)
        await browser.close()
    return students, t0


def report(students: list[Student], sampler: Sampler, rss_start: int, t0: float, wall: float, args) -> dict:
    lat_all = [d for s in students for _, d, _ in s.latencies]
    renders = [s.first_render for s in students if s.first_render is not None]
    runs = [s.run_result for s in students if s.trainer]
    results_at = sorted(s.result_at - t0 for s in students if s.trainer and s.result_at is not None)
    mb = 2**20
    peak = max(sampler.rss, default=rss_start)
    return {
        "config": {"sessions": args.sessions, "trainers": args.trainers, "budget_s": args.budget,
                   "browsers": sum(s.browser for s in students),
                   "same_config": args.same_config, "trained_accuracy": TRAINED_ACCURACY,
                   "generator_nice": args.generator_nice,
                   # null: Chromium's own session ran at the generator's nice too; else why it did not
                   "chromium_not_confined": sampler.chromium_confined,
                   "distinct_configs": len(set(trainer_seeds(args.trainers, args.same_config))),
                   "share_runs": os.environ.get("SIAMESE_LAB_SHARE_RUNS", "1") != "0",
                   # the app's defaults
                   "workers": os.environ.get("SIAMESE_LAB_WORKERS", str(min(2, os.cpu_count() or 1))),
                   "threads_per_job": os.environ.get("SIAMESE_LAB_THREADS_PER_JOB", "1"),
                   "train_in": os.environ.get("SIAMESE_LAB_TRAIN_IN", "processes"),
                   "worker_nice": os.environ.get("SIAMESE_LAB_WORKER_NICE", "10"),
                   "budget_clock": os.environ.get("SIAMESE_LAB_BUDGET_CLOCK", "cpu"),
                   "cpus": os.cpu_count()},
        "wall_s": round(wall, 1),
        "sessions_ok": sum(s.error is None for s in students),
        "sessions_failed": [f"#{s.k}: {s.error}" for s in students if s.error],
        "runs_completed": runs.count("done"),
        "runs_failed": [r for r in runs if r != "done"],
        "trainer_runs": [{"session": s.k, "client": "chromium" if s.browser else "protocol", "seed": s.seed,
                          "seconds": None if s.run_seconds is None else round(s.run_seconds, 1),
                          "pressed_at_s": None if s.pressed_at is None else round(s.pressed_at - t0, 1),
                          "accuracy": s.accuracy, "result": s.run_result,
                          "phases_at_s": [[step, round(at - t0, 1)] for step, at in s.phases]}
                         for s in students if s.trainer],
        "first_render_s": {"p50": percentile(renders, 50), "p95": percentile(renders, 95),
                           "max": max(renders, default=0)},
        "first_render_max_by_client_s": {
            kind: max((st.first_render for st in students if st.browser == is_browser and st.first_render is not None),
                      default=None) for kind, is_browser in (("chromium", True), ("protocol", False))},
        "interactions": len(lat_all),
        "latency_s": {q: percentile(lat_all, int(q[1:])) for q in ("p50", "p90", "p95", "p99")}
        | {"max": max(lat_all, default=0)},
        "latency_p50_by_action_s": {a: percentile([d for st in students for _, d, w in st.latencies if w == a], 50)
                                    for a in sorted({w for st in students for _, _, w in st.latencies})},
        "latency_p50_by_client_s": {
            kind: percentile([d for st in students if st.browser == is_browser for _, d, _ in st.latencies], 50)
            for kind, is_browser in (("chromium", True), ("protocol", False))},
        "run_seconds": sorted(round(s.run_seconds, 1) for s in students if s.run_seconds is not None),
        # class start (every session opening at once) → each trainer's result on its page
        "results_at_s": [round(x, 1) for x in results_at],
        "all_results_s": results_at[-1] if len(results_at) == args.trainers and runs.count("done") == len(runs)
        else None,
        "server_rss_mb": {"start": rss_start / mb, "warm": sampler.rss_warm / mb, "peak": peak / mb,
                          "end": sampler.rss[-1] / mb if sampler.rss else 0,
                          "growth_over_warm": (peak - sampler.rss_warm) / mb,
                          "per_session": (peak - sampler.rss_warm) / mb / max(1, args.sessions)},
        "server_pss_peak_mb": sampler.pss_peak / mb,
        "server_cpu_percent": {"mean": statistics.fmean(sampler.cpu) if sampler.cpu else 0,
                               "peak": max(sampler.cpu, default=0)},
        # The load generator shares this machine's cores with the server (100 % = one core, over the class).
        "generator_cpu_percent_mean": 100 * sum(sampler.generator_cpu.values()) / max(wall, 1e-9),
        "generator_chromium_cpu_percent_mean": 100 * sum(v for p, v in sampler.generator_cpu.items()
                                                         if p in sampler.chromium) / max(wall, 1e-9),
        "training_processes_cpu_percent_mean": 100 * sum(sampler.training_cpu.values()) / max(wall, 1e-9),
        # Where Chromium's share went: each page's renderer, busy (s), trainers first, the board apart.
        "renderer_busy_s": {f"#{s.k} {'trainer' if s.trainer else 'student'}": s.renderer_s
                            for s in students if s.browser},
    } | ({"board_lag_s": board_lags(students, args.board_arrivals),
          "board_protocol_lag_s": board_lags(students, args.board_protocol_arrivals),
          "board_renderer_busy_s": (args.board_renderer or [None])[0]} if getattr(args, "board", False) else {})


def _one_class(args) -> tuple[dict, dict | None, dict]:
    """One class on a fresh server: (figures, the quiet-load wait, the conditions before)."""
    load = wait_until_quiet(args.quiet_load, args.max_wait) if args.quiet_load else None
    before = conditions()
    with lab_server() as (url, proc):
        time.sleep(1.0)
        if args.generator_nice > 0:
            os.nice(args.generator_nice)  # this thread and what it starts from now on (Chromium); not the server
        sampler = Sampler(proc.pid)
        rss_start = tree_rss(psutil.Process(proc.pid))
        sampler.start()
        t_start = time.monotonic()
        students, t0 = asyncio.run(class_session(url, args, sampler))
        wall = time.monotonic() - t_start
        sampler.stop.set()
        sampler.join()
    return report(students, sampler, rss_start, t0, wall, args), load, before


def _median_class(argv: list[str], repeats: int) -> tuple[dict, dict | None, dict]:
    """`repeats` classes one after another, each in a process of its own (the load generator lowers its own
    priority after starting its server, once): the class with the median tenth result, with every class's
    headline figures under "repeats"."""
    before, classes = conditions(), []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeats):
            out = os.path.join(tmp, f"class-{k}.json")
            # The same class, once, written to a file of its own (argparse keeps an option's last value).
            subprocess.run([sys.executable, "-m", "benchmarks.load_test", *argv, "--repeats", "1", "--out", out],
                           check=True)
            with open(out) as f:
                classes.append(json.load(f)["figures"])
    ranked = sorted(classes, key=lambda c: (c["all_results_s"] is None, c["all_results_s"] or 0))
    r = ranked[(len(ranked) - 1) // 2]
    r["repeats"] = [{"all_results_s": c["all_results_s"], "latency_p50_s": c["latency_s"]["p50"],
                     "failed_sessions": len(c["sessions_failed"]), "runs_completed": c["runs_completed"],
                     "load1_before": c["load_before"]["load1"]} for c in classes]
    return r, r["load_before"], before


def main(argv=None) -> dict:
    p = parser(NAME, __doc__)
    p.add_argument("--sessions", type=int, default=30)
    p.add_argument("--trainers", type=int, default=10, help="how many of the sessions press Train")
    p.add_argument("--browsers", type=int, default=3, help="how many of the sessions are Chromium pages")
    p.add_argument("--budget", type=int, default=5, help="each run's time budget (s), ≥ 5")
    p.add_argument("--max-seconds", type=float, default=900, help="wall-time cap for the class")
    p.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), help="pause between interactions (s)")
    p.add_argument("--same-config", type=int, default=0,
                   help="how many trainers ask for exactly the same run (0: every trainer its own seed)")
    quiet_load_options(p, None)
    p.add_argument("--generator-nice", type=int, default=10,
                   help="how much nicer the load generator (its clients and Chromium) runs than the server: it "
                        "stands in for the students' own machines, so it takes the cores the server leaves")
    p.add_argument("--board", action="store_true",
                   help="one more Chromium session watches the Class board, and each trainer's run (every trainer "
                        "shares: on by default) is timed from its result on the trainer's page to the board")
    p.add_argument("--repeats", type=int, default=1,
                   help="classes one after another; the figures are the median class's, with every class's headline")
    args = p.parse_args(argv)
    if (not 1 <= args.sessions <= 60 or not 0 <= args.trainers <= args.sessions or args.budget < 5
            or not 0 <= args.browsers <= args.sessions or not 0 <= args.same_config <= args.trainers
            or not 1 <= args.repeats <= 5):
        p.error("1 ≤ sessions ≤ 60, 0 ≤ trainers ≤ sessions, 0 ≤ browsers ≤ sessions, budget ≥ 5, "
                "0 ≤ same-config ≤ trainers, 1 ≤ repeats ≤ 5")
    args.max_seconds = min(args.max_seconds, 1800)
    args.board_arrivals, args.board_renderer, args.board_protocol_arrivals = [], [], []
    if args.repeats == 1:
        r, load, before = _one_class(args)
    else:
        r, load, before = _median_class(argv or sys.argv[1:], args.repeats)
    r["load_before"] = load or {"load1": before["loadavg"][0]}
    save(args.out, NAME, argv, r, before, show=class_text)
    return r


def load_test_text(r: dict) -> str:
    f = r["figures"]
    c, lat, rss, accs = f["config"], f["latency_s"], f["server_rss_mb"], _accuracies(f)
    pss, most = f.get("server_pss_peak_mb"), GOALS["server_pss_peak_mb"]
    slowest = ", ".join(f"{k} {v:.2f} s" for k, v in f["first_render_max_by_client_s"].items() if v is not None)
    return "\n".join([
        f"- {c['sessions']} students ({c['browsers']} in Chromium), {c['trainers']} training, {c['cpus']} CPUs, "
        f"workers {c['workers']}, threads per job {c['threads_per_job']}; wall {f['wall_s']:.0f} s;",
        f"- sessions: {f['sessions_ok']} ok, {len(f['sessions_failed'])} failed; runs: {f['runs_completed']} "
        f"completed, {len(f['runs_failed'])} failed;",
        f"- interaction → settled ({thousands(f['interactions'])} interactions): median **{lat['p50']:.2f} s**, "
        f"95th percentile {lat['p95']:.2f} s; by client: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in f["latency_p50_by_client_s"].items()) + ";",
        "- median by action: " + ", ".join(f"{k} {v:.2f} s" for k, v in f["latency_p50_by_action_s"].items()) + ";",
        f"- time to first complete render: median {f['first_render_s']['p50']:.2f} s, max "
        f"{f['first_render_s']['max']:.2f} s" + (f" (slowest {slowest})" if slowest else "") + ";",
        f"- Train pressed → result shown: first {min(f['run_seconds'], default=0):.0f} s, last "
        f"{max(f['run_seconds'], default=0):.0f} s;",
        f"- server memory: {rss['warm']:.0f} MB after one visitor opened every page, peak {rss['peak']:.0f} MB, "
        f"about **{rss['per_session']:.0f} MB per student**"
        + (f" (peak {pss:.0f} MB PSS with its training processes, {goal(f'goal ≤ {most:g} MB', pss <= most)})"
           if pss else "")
        + f"; server CPU mean {f['server_cpu_percent']['mean']:.0f} % of one core" + _training_cpu(f)
        + _generator_cpu(f) + ".",
        *([f"- the runs' test accuracy: {min(accs):.3f} to {max(accs):.3f} (a run counts as trained from "
           f"{c['trained_accuracy']:.2f})."] if accs else []), *_board_line(f), "", conditions_line(r)])


def _board_line(f: dict) -> list[str]:
    """With --board: how soon each shared run reached the Class board after its student's result, as the
    server sent it (a protocol watcher) and as the generator's Chromium drew it."""
    lags, sent = f.get("board_lag_s"), f.get("board_protocol_lag_s")
    if lags is None:
        return []
    if not lags:
        return ["- the Class board (--board): no shared run reached it."]
    runs = "1 shared run" if len(lags) == 1 else f"{len(lags)} shared runs"
    line = f"- the Class board (--board): {runs} reached it"
    if sent:
        line += (f"; the server had each on the board at most {max(sent):.1f} s after the student's result (median "
                 f"{statistics.median(sent):.1f} s, a protocol watcher; {goal('goal ≤ 2 s', max(sent) <= 2.0)})")
    busy = f.get("board_renderer_busy_s")
    return [line + f"; the generator's Chromium drew it at most {max(lags):.1f} s after (median "
            f"{statistics.median(lags):.1f} s; {goal('goal ≤ 2 s', max(lags) <= 2.0)})"
            + (f", its renderer busy {busy:.0f} s of the class" if busy is not None else "") + "."]


def class_text(r: dict) -> str:
    """The class load test against its goals (tenth result ≤ 60 s, no failed session, median < 1 s)."""
    f = r["figures"]
    c, tenth, failed, p50 = f["config"], f["all_results_s"], len(f["sessions_failed"]), f["latency_s"]["p50"]
    load = f["load_before"]
    quiet = "" if load.get("quiet", True) else (f" The machine never got quiet (1-minute load {load['load1']:.1f} "
                                                 "when it started): other work shared the two cores.")
    return "\n".join([
        f"{c['trainers']} trainers, {c['distinct_configs']} distinct configs (`--same-config {c['same_config']}`, "
        f"shared runs {'on' if c['share_runs'] else 'off'}), workers {c['workers']}.{quiet}", "",
        table(["figure", "measured", "goal"], [
            [f"class start → all {c['trainers']} results shown", all_shown(tenth),
             goal(f"≤ {GOALS['all_results_s']:g} s", tenth is not None and tenth <= GOALS["all_results_s"])],
            ["failed sessions", str(failed), goal(f"{GOALS['failed_sessions']}", failed <= GOALS["failed_sessions"])],
            ["median interaction → page settled", f"{p50:.2f} s",
             goal(f"< {GOALS['latency_p50_s']:g} s", p50 < GOALS["latency_p50_s"])]]), "",
        *_repeats(f), load_test_text(r)])


def where_runs_train(*results: dict) -> str:
    """The same class (every trainer a different run) with the runs in the server's threads, in its training
    processes, and in its training processes on the wall clock, one after another on the same cores."""
    names = ("threads of the server", "training processes", "training processes, wall-clock budgets")
    c = results[1]["figures"]["config"]
    trainers = c["trainers"]
    rows = [(f"class start → all {trainers} results shown (goal ≤ {GOALS['all_results_s']:g} s)",
             lambda f: all_shown(f["all_results_s"])),
            (f"median interaction → page settled (goal < {GOALS['latency_p50_s']:g} s)",
             lambda f: f"{f['latency_s']['p50']:.2f} s"),
            ("failed sessions", lambda f: str(len(f["sessions_failed"]))),
            (f"runs trained (test accuracy ≥ {c['trained_accuracy']:.2f})",
             lambda f: f"{f['runs_completed']} of {trainers}"),
            ("the runs' test accuracy", lambda f: f"{min(a):.3f}–{max(a):.3f}" if (a := _accuracies(f)) else "–"),
            ("web server CPU, mean (100 % = one core)", lambda f: f"{f['server_cpu_percent']['mean']:.0f} %"),
            ("training processes' CPU, mean", lambda f: f"{f['training_processes_cpu_percent_mean']:.0f} %"),
            ("load generator's CPU, mean", lambda f: f"{f['generator_cpu_percent_mean']:.0f} %"),
            ("… of which its Chromium (three pages)", lambda f: f"{f['generator_chromium_cpu_percent_mean']:.0f} %"),
            ("Chromium held to the generator's nice",
             lambda f: "yes" if (why := f["config"]["chromium_not_confined"]) is None else f"no: {why}"),
            ("server memory, peak (with its training processes)", lambda f: f"{f['server_rss_mb']['peak']:.0f} MB")]
    return "\n".join([
        f"{trainers} of {c['sessions']} students train, every one a different run (digits, 5 s, {c['workers']} at a "
        "time).", "", side_by_side(["figure", *names], results, rows), "",
        "\n\n".join(f"{name.capitalize()}: {conditions_line(r)}" for name, r in zip(names, results))])


def _class_rows(c: dict) -> list:
    """The rows that say where a class's time went, for a table with a class in each column."""
    def tenth(f: dict) -> str:
        at = f["all_results_s"]
        met = at is not None and at <= GOALS["all_results_s"]
        return f"{all_shown(at)} ({goal(f'goal ≤ {GOALS[TENTH]:g} s', met)})"

    def pressed(f: dict) -> str:
        return next((f"{t['pressed_at_s']:.0f} s" for t in f["trainer_runs"]
                     if t["client"] == "chromium" and t["pressed_at_s"] is not None), "–")

    def protocol_last(f: dict) -> str:
        ends = [t["pressed_at_s"] + t["seconds"] for t in f["trainer_runs"]
                if t["client"] == "protocol" and t["seconds"] is not None]
        return f"{max(ends):.0f} s" if ends else "–"

    def busy(f: dict) -> str:
        pages = [v for v in f.get("renderer_busy_s", {}).values() if v is not None]
        board = f.get("board_renderer_busy_s")
        return "–" if not pages else (f"{sum(pages):.0f} s" + (f" + the board's {board:.0f} s" if board else ""))

    def classes(f: dict) -> str:
        runs = [r["all_results_s"] for r in f.get("repeats", [])]
        return "one" if len(runs) < 2 else f"median of {len(runs)}: " + ", ".join(all_shown(r) for r in runs)

    return [(f"class start → all {c['trainers']} results shown", tenth), ("classes", classes),
            ("… the Chromium trainer pressed Train at", pressed),
            ("… the protocol trainers' last result", protocol_last),
            (f"median interaction → page settled (goal < {GOALS['latency_p50_s']:g} s)",
             lambda f: f"{f['latency_s']['p50']:.2f} s"),
            ("failed sessions", lambda f: str(len(f["sessions_failed"]))),
            ("Chromium pages' renderers busy (main-thread tasks, waiting included)", busy),
            ("load generator's Chromium, CPU mean (100 % = one core)",
             lambda f: f"{f['generator_chromium_cpu_percent_mean']:.0f} %"),
            ("web server CPU, mean", lambda f: f"{f['server_cpu_percent']['mean']:.0f} %"),
            ("training processes' CPU, mean", lambda f: f"{f['training_processes_cpu_percent_mean']:.0f} %")]


def _board_lag(key: str):
    def cell(f: dict) -> str:
        lags = f.get(key)
        if not lags:
            return "–"
        median = round(statistics.median(lags), 1) + 0.0  # + 0.0: no "-0.0"
        return f"{max(lags):.1f} s (median {median:.1f} s; {goal('goal ≤ 2 s', max(lags) <= 2.0)})"
    return cell


def with_and_without_board(off: dict, on: dict) -> str:
    """The same class (every trainer a different run) without and with the Class board open, one after another
    on the same cores: what the board costs a class, and how soon the class sees each run on it."""
    c = on["figures"]["config"]
    rows = _class_rows(c)
    rows[4:4] = [("shared run → on the board, as the server sent it (protocol watcher)",
                  _board_lag("board_protocol_lag_s")),
                 ("shared run → drawn on the board in the generator's Chromium", _board_lag("board_lag_s"))]
    names = ("without the board", "with the board open")
    return "\n".join([
        f"{c['trainers']} of {c['sessions']} students train, every one a different run (digits, 5 s, {c['workers']} at "
        f"a time); {c['browsers']} of them in Chromium, the board in one more Chromium page.", "",
        side_by_side(["figure", *names], (off, on), rows), "",
        "\n\n".join(f"{name.capitalize()}: {conditions_line(r)}" for name, r in zip(names, (off, on)))])


FIRST_LOOK = ("the first look's replay drawn at once (before)", "its replay on the student's switch (now)",
              "… and each cell's charts cached (tried, removed)", "no first look (SIAMESE_LAB_ATLAS=/nonexistent)")


def first_look_classes(*results: dict) -> str:
    """The class without the board, as the Losses page's pretrained first look changed: what it costs a class."""
    c = results[1]["figures"]["config"]
    return "\n".join([
        f"{c['trainers']} of {c['sessions']} students train, every one a different run, no board; the wandering "
        "students open the Losses page and move its margin slider, where the first look shows an atlas cell.", "",
        side_by_side(["figure", *FIRST_LOOK], results, _class_rows(c)), "",
        "\n\n".join(f"{name[0].upper() + name[1:]}: {conditions_line(r)}" for name, r in zip(FIRST_LOOK, results))])


def _training_cpu(f: dict) -> str:
    """Trainings in processes of the server's own: their memory is in the server's, their CPU said apart."""
    share = f["training_processes_cpu_percent_mean"]
    return (f" and its {f['config']['workers']} training processes' {share:.0f} % (their memory is counted in the "
            "server's)" if share else " (trainings in threads of the server's process)")


def _generator_cpu(f: dict) -> str:
    nice, why = f["config"]["generator_nice"], f["config"]["chromium_not_confined"]
    who = (f"its clients and Chromium, nice {nice}" if why is None
           else f"its clients at nice {nice}; Chromium could not be held to it: {why}")
    return (f"; the load generator ({who}) {f['generator_cpu_percent_mean']:.0f} % of one core, Chromium "
            f"{f['generator_chromium_cpu_percent_mean']:.0f} %, on the same machine")


def _accuracies(f: dict) -> list[float]:
    return [t["accuracy"] for t in f["trainer_runs"] if t["accuracy"] is not None]


def _repeats(f: dict) -> list[str]:
    """With `--repeats`: the table is the median class's; here is every class, in the order they ran."""
    runs = f.get("repeats", [])
    if len(runs) < 2:
        return []
    return [f"The median of {len(runs)} classes run one after another (`--repeats {len(runs)}`); all of them: "
            + "; ".join(f"{all_shown(c['all_results_s'])}, median {c['latency_p50_s']:.2f} s, "
                        f"{c['failed_sessions']} failed" for c in runs) + ".", ""]


CLASS = ("python -m benchmarks.load_test --same-config {same} --quiet-load 1.2 {wait}--out "
         "docs/results/load-test-{name}.json")
BLOCKS = {
    "load-test": Block(("docs/results/load-test.json",), "python -m benchmarks.load_test --sessions 30 --trainers 10 "
                       "--max-seconds 600 --out docs/results/load-test.json", load_test_text),
    **{f"load-test-{name}": Block((f"docs/results/load-test-{name}.json",),
                                  CLASS.format(same=same, wait=wait, name=name), class_text)
       for name, same, wait in (("different", 0, "--max-wait 30 --repeats 3 "), ("half-same", 5, "--max-wait 30 "),
                                )},
    "load-test-board": Block(
        ("docs/results/load-test-board-off.json", "docs/results/load-test-board.json"),
        CLASS.format(same=0, wait="--max-wait 30 --repeats 3 ", name="board-off") + "; "
        + CLASS.format(same=0, wait="--max-wait 30 --repeats 3 --board ", name="board"), with_and_without_board),
    "load-test-first-look": Block(
        ("docs/results/load-test-first-look-replay-always.json", "docs/results/load-test-board-off.json",
         "docs/results/load-test-first-look-cell-charts.json", "docs/results/load-test-first-look-none.json"),
        CLASS.format(same=0, wait="--max-wait 30 [--repeats 3] ", name="…") + ", on the pages of each column "
        "(the first and third as this change's working tree had them before the replay waited for its switch; the "
        "last with SIAMESE_LAB_ATLAS=/nonexistent)", first_look_classes),
    "load-test-threads-vs-processes": Block(
        ("docs/results/load-test-different-threads.json", "docs/results/load-test-different.json",
         "docs/results/load-test-different-wall.json"),
        "SIAMESE_LAB_TRAIN_IN=server " + CLASS.format(same=0, wait="--max-wait 30 ", name="different-threads")
        + "; " + CLASS.format(same=0, wait="--max-wait 30 --repeats 3 ", name="different") + "; "
        "SIAMESE_LAB_BUDGET_CLOCK=wall " + CLASS.format(same=0, wait="--max-wait 30 ", name="different-wall"),
        where_runs_train),
}


if __name__ == "__main__":
    main()
