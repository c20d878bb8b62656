"""Live training, measured: what a student sees after pressing Train on the Losses page (docs/benchmarks.md,
"Live training", says how each figure is taken).

    python -m benchmarks run live-training [--skip page|frames] [--out docs/results/live-training.json]

Two parts, each started only once the machine is quiet (1-minute load average < `--quiet-load`, waiting up
to `--max-wait` seconds; the load is recorded either way): 1. in Chromium against a real server whose
process logs the end of each training (HOOK): click → first live frame, end of training → full report;
2. in this process, the page's own path (`run_experiment`): the frames' share of a run and the map's
movement from frame to frame against a t-SNE per frame."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psutil
from playwright.sync_api import sync_playwright

from benchmarks.blocks import Block, conditions_line, goal, table
from benchmarks.browser import ROOT, cpu_seconds, is_chromium, lab_server, launch_chromium, open_app, settle
from benchmarks.results import conditions, parser, quiet, quiet_load_options, save, wait_until_quiet

NAME = "live-training"
SUMMARY = "what a student sees after Train: first live frame, report, frames' cost, the map's movement"
GOALS = {"first_frame_s": 1.0, "cold_first_frame_s": 3.0, "report_s": 1.0, "frame_share": 0.10,
         "movement_ratio": 0.25, "chart_remounts": 2, "blank_samples": 0, "chromium_cpu_share": 0.20}
DATASET = "fashion-mnist"
RUN_WAIT = 120.0  # the longest wait for a quiet machine before each run after a part's first (s)

# The server side of "end of training": a sitecustomize in the server and its training processes logs when a
# run's report begins. It patches experiment.report_for when something imports that module and imports nothing
# itself: importing the trainer at interpreter start would have the server load torch before its first visitor,
# which no real server does (the first click's figure would leave out the server's own start).
HOOK = '''
import importlib.util
import sys
import time

_NAME = "siamese_core.service.experiment"


class _LogReports:
    def find_spec(self, name, path=None, target=None):
        if name != _NAME:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            original = module.report_for

            def logged(*args, **kwargs):
                with open({log!r}, "a") as f:
                    f.write(f"{{time.time():.4f}}\\n")
                return original(*args, **kwargs)
            module.report_for = logged
        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _LogReports())
'''

# Page clock (Date.now(), ms) of the click on Train, the first live caption, the full report (the test
# accuracy, the histogram, the map and the ROC drawn, the sample pairs) and the replay (its slider).
WATCH = """() => {
  const w = window.__live = {click: 0, frame: 0, metrics: 0, heading: 0, report: 0, replay: 0,
                             mounts: 0, blank: 0, undrawn: 0, samples: 0, blank_at: []};
  // While the run trains (click → its numbers): every 0.1 s, each live chart's drawing surface is noted (a new
  // one is a mount). A sample in which a chart drawn before (known by its element key, which a remount keeps)
  // has no drawing is blank; one in which a chart not yet drawn has none is the moment before its first
  // drawing, counted apart ("undrawn").
  const surfaces = new WeakSet(), drawnCharts = new Set();
  const keyOf = c => (c.closest('[class*="st-key-"]')?.className.match(/st-key-\\S+/) || [''])[0];
  const sampler = setInterval(() => {
    if (!w.click) return;
    if (w.metrics) { clearInterval(sampler); return; }
    // the run's own charts: not the pretrained first look's, which stay a moment after the click
    const charts = [...document.querySelectorAll('.vega-embed')]
      .filter(e => !e.closest('[class*="st-key-first-look"]'));
    if (!charts.length) return;
    w.samples++;
    let blank = false, undrawn = false;
    for (const c of charts) {
      const surface = c.querySelector('canvas, svg'), key = keyOf(c);
      if (!surface) { if (drawnCharts.has(key)) blank = true; else undrawn = true; continue; }
      drawnCharts.add(key);
      if (!surfaces.has(surface)) { surfaces.add(surface); w.mounts++; }
    }
    if (undrawn) w.undrawn++;
    // when (ms after the click, and after the first frame) a blank sample was taken: which moment it was
    if (blank) { w.blank++; w.blank_at.push([Date.now() - w.click, w.frame ? Date.now() - w.frame : null]); }
  }, 100);
  document.addEventListener('click', e => {
    const b = e.target.closest('button');
    if (b && b.innerText.trim() === 'Train' && !w.click) w.click = Date.now();
  }, true);
  // The student's run only: not the pretrained result the page opens on (benchmarks.browser.FIRST_LOOK).
  const own = selector => [...document.querySelectorAll(selector)]
    .filter(e => !e.closest('[class*="st-key-first-look"]'));
  const drawn = part => own('[data-testid="stPlotlyChart"] .gtitle').some(t => t.textContent.includes(part));
  new MutationObserver(() => {
    if (!w.click) return;
    if (!w.frame && [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
        .some(c => c.textContent.startsWith('Live, on'))) w.frame = Date.now();
    // After the run's first live frame only: the page's previous elements stay in the DOM for a moment.
    if (w.frame && !w.metrics && own('[data-testid="stMetric"]')
        .some(m => m.textContent.includes('test accuracy'))) w.metrics = Date.now();
    if (w.metrics && !w.report && drawn('matched vs mismatched test pairs') && drawn('ROC curve')
        && (drawn('aligned PCA') || drawn('raw 2-D') || drawn('t-SNE'))
        && drawn('Sample test pairs')) w.report = Date.now();
    if (w.metrics && !w.heading && own('[data-testid="stMarkdownContainer"]')
        .some(m => m.textContent.includes('Watch it learn again'))) w.heading = Date.now();
    if (w.heading && !w.replay && own('.slider-container').length) w.replay = Date.now();
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


# --- pure parts ----------------------------------------------------------------------------------

def movement_ratio(stable: list[np.ndarray], tsne: list[np.ndarray]) -> dict:
    """Mean point displacement between consecutive layouts (unit RMS radius each) of the stable map and of
    independent t-SNEs of the same frames; ratio = stable / t-SNE (small: the map glides, t-SNE jumps)."""
    from siamese_core.viz.stable_projection import mean_displacement
    if len(stable) != len(tsne) or len(stable) < 2:
        raise ValueError("need the same number (≥ 2) of stable and t-SNE layouts")
    s = [mean_displacement(a, b) for a, b in zip(stable, stable[1:])]
    t = [mean_displacement(a, b) for a, b in zip(tsne, tsne[1:])]
    return {"stable_mean": float(np.mean(s)), "tsne_mean": float(np.mean(t)),
            "ratio": float(np.mean(s) / np.mean(t)) if np.mean(t) > 0 else float("inf"), "pairs": len(s)}


def picked_frames(n_frames: int, n_pairs: int) -> list[int]:
    """Indices of `n_pairs` consecutive-frame pairs spread over a run: [k0, k0+1, k1, k1+1, …] (no repeats)."""
    if n_frames < 2:
        return []
    starts = np.unique(np.linspace(0, n_frames - 2, min(n_pairs, n_frames - 1)).round().astype(int))
    return sorted({int(k) for s in starts for k in (s, s + 1)})


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "max": max(values), "min": min(values),
            "runs": [round(v, 4) for v in values]}


# --- part 1: the page in Chromium ---------------------------------------------------------------------

@contextmanager
def hooked_server():
    """`lab_server` whose process logs the end of each training (see HOOK); yields (url, log path)."""
    with tempfile.TemporaryDirectory(prefix="live-training-") as tmp:
        log = Path(tmp) / "training-ends.log"
        log.touch()
        (Path(tmp) / "sitecustomize.py").write_text(HOOK.format(log=str(log)))
        path = os.pathsep.join([tmp, str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        with lab_server(env={"PYTHONPATH": path}) as (url, _):
            yield url, log


def page_runs(repeats: int, budget: int, quiet_load: float, timeout: float = 180.0) -> list[dict]:
    rows = []
    with hooked_server() as (url, log), sync_playwright() as pw:
        browser = launch_chromium(pw)
        link = f"{url}/losses?dataset={DATASET}&loss=contrastive&dim=32&seconds={budget}"
        # The first student on a fresh server opens the page and presses Train at once.
        cold = browser.new_context().new_page()
        cold.goto(link + "&seed=999", timeout=timeout * 1000)
        settle(cold, timeout)
        cold.evaluate(WATCH)
        cold.get_by_role("button", name="Train", exact=True).click()
        cold.wait_for_function("() => window.__live.frame > 0", timeout=timeout * 1000, polling=100)
        first = cold.evaluate("() => window.__live")
        cold_first_frame_s = (first["frame"] - first["click"]) / 1000
        print(f"  first click on a fresh server: first frame {cold_first_frame_s:.2f} s after it", flush=True)
        cold.wait_for_function("() => window.__live.report > 0", timeout=timeout * 1000, polling=200)
        cold.context.close()
        for k in range(repeats):
            load = wait_until_quiet(quiet_load, RUN_WAIT if k else 0)  # the part began quiet
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            open_app(page, url)
            page.goto(f"{link}&seed={1000 + k}")  # a seed no one trained: no shared result to hand out
            settle(page, timeout)
            ends_before = len(log.read_text().split())
            page.evaluate(WATCH)
            page.get_by_role("button", name="Train", exact=True).click()
            # Chromium's CPU while the page follows the run: from its first live frame to the end of training.
            page.wait_for_function("() => window.__live.frame > 0", timeout=timeout * 1000, polling=50)
            cpu_before, t_before = chromium_cpu(), time.monotonic()
            while len(log.read_text().split()) == ends_before and time.monotonic() - t_before < timeout:
                time.sleep(0.05)
            chromium_share = (chromium_cpu() - cpu_before) / (time.monotonic() - t_before)
            page.wait_for_function("() => window.__live.report > 0 && window.__live.replay > 0",
                                   timeout=timeout * 1000, polling=200)
            live = page.evaluate("() => window.__live")
            ends = [float(x) for x in log.read_text().split()][ends_before:]
            end_ms = ends[0] * 1000 if ends else float("nan")
            rows.append({"seed": 1000 + k, "load1": load["load1"],
                         "first_frame_s": (live["frame"] - live["click"]) / 1000,
                         "report_s": (live["report"] - end_ms) / 1000,
                         "metrics_s": (live["metrics"] - end_ms) / 1000 if live["metrics"] else None,
                         "heading_s": (live["heading"] - end_ms) / 1000,
                         "replay_s": (live["replay"] - end_ms) / 1000,
                         "click_to_report_s": (live["report"] - live["click"]) / 1000,
                         "cold_first_frame_s": cold_first_frame_s if k == 0 else None,
                         "live_chart_mounts": live["mounts"], "blank_samples": live["blank"],
                         "blank_at_ms": live["blank_at"], "undrawn_samples": live["undrawn"],
                         "samples": live["samples"], "chromium_cpu_share": round(chromium_share, 3)})
            print(f"  page run {k + 1}/{repeats}: first frame {rows[-1]['first_frame_s']:.2f} s after the click, "
                  f"report {rows[-1]['report_s']:.2f} s after training ended", flush=True)
            page.context.close()
        browser.close()
    return rows


def chromium_cpu() -> float:
    """CPU seconds used so far by this process's Chromium (every one of its processes)."""
    return sum(cpu_seconds(p) for p in psutil.Process().children(recursive=True) if is_chromium(p))


# --- part 2: frames in process ------------------------------------------------------------------------

def frame_runs(runs: int, seconds: float, n_pairs: int, quiet_load: float) -> list[dict]:
    import torch

    from siamese_core.data import load_dataset
    from siamese_core.service.experiment import run_experiment
    from siamese_core.service.live_frames import FrameRecorder, probe_set
    from siamese_core.training import TrainConfig
    from siamese_core.viz.projection import tsne_2d

    class KeepingRecorder(FrameRecorder):
        """The page's recorder (run_experiment's own, with its settings), keeping each frame's probe embeddings
        (after the frame's cost is counted) by frame id: the recorder drops frames (the warm-up frame, one
        replaced at the end, thinning)."""
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.by_frame: dict[int, torch.Tensor] = {}

        def _record(self, *args, **kwargs):
            super()._record(*args, **kwargs)
            self.by_frame[id(self.frames[-1])] = self.embeddings

    train_set, test_set = load_dataset(DATASET, "train"), load_dataset(DATASET, "test")
    probe = probe_set(test_set)
    rows = []
    for seed in range(runs):
        load = wait_until_quiet(quiet_load, RUN_WAIT if seed else 0)
        cfg = TrainConfig.from_dict({"dataset": DATASET, "loss": "contrastive", "embedding_dim": 32,
                                     "distance": "l2", "margin": 1.0, "seconds": float(seconds), "seed": seed})
        torch.set_num_threads(1)  # as a page job runs (SIAMESE_LAB_THREADS_PER_JOB = 1)
        recorder = KeepingRecorder(probe, [])
        report = run_experiment(cfg, f"seed {seed}", splits=(train_set, test_set), recorder=recorder)
        picked = picked_frames(len(report.frames), n_pairs)
        pairs = [(a, b) for a, b in zip(picked, picked[1:]) if b == a + 1]
        stable, tsne = [], []
        for a, b in pairs:  # consecutive frames; each t-SNE with its own seed
            stable += [report.frames[a].layout.astype(np.float32), report.frames[b].layout.astype(np.float32)]
            tsne += [tsne_2d(recorder.by_frame[id(report.frames[k])].numpy(), seed=k) for k in (a, b)]
        moves = [movement_ratio(stable[i:i + 2], tsne[i:i + 2]) for i in range(0, len(stable), 2)]
        s = float(np.mean([m["stable_mean"] for m in moves]))
        t = float(np.mean([m["tsne_mean"] for m in moves]))
        rows.append({"seed": seed, "load1": load["load1"], "load1_after": round(os.getloadavg()[0], 2),
                     "evaluation_s": report.metrics["evaluation_seconds"], "frames": len(report.frames),
                     "steps": report.metrics["steps"],
                     "frame_share": report.metrics["frame_share"], "stable_displacement": s,
                     "tsne_displacement": t, "movement_ratio": s / t, "pairs": len(moves),
                     "test_accuracy": report.metrics["accuracy"]})
        print(f"  frames run {seed + 1}/{runs}: {len(report.frames)} frames, share "
              f"{report.metrics['frame_share']:.1%}, movement {s:.3f} vs t-SNE {t:.3f} (ratio {s / t:.3f})",
              flush=True)
    return rows


# --- the table ------------------------------------------------------------------------------------------

def figures_table(f: dict) -> list[tuple[str, str, str, bool]]:
    """(figure, value, goal, met) for each figure measured: the page's, the frames' or both (`--skip`). A goal
    "–" is a figure with no goal of its own."""
    rows = []
    if "first_frame_s" in f:
        first, cold, report = f["first_frame_s"]["median"], f["cold_first_frame_s"], f["report_s"]["median"]
        mounts, blank, chromium = (f["live_chart_mounts"]["max"], f["blank_samples"]["max"],
                                   f["chromium_cpu_share"]["median"])
        rows += [
            ("click on Train → first live frame on the page (median)", f"{first:.2f} s", "≤ 1 s",
             first <= GOALS["first_frame_s"]),
            ("the first click on a fresh server → first live frame", f"{cold:.2f} s", "≤ 3 s",
             cold <= GOALS["cold_first_frame_s"]),
            ("end of training → full report on the page (median)", f"{report:.2f} s", "≤ 1 s",
             report <= GOALS["report_s"]),
            # drawn after the report
            ("end of training → replay on the page, after the report (median)", f"{f['replay_s']['median']:.2f} s",
             "–", True),
            ("live charts mounted while following a run (3 charts; most of any run)", f"{mounts:.0f}", "≤ 3 + 2",
             mounts <= 3 + GOALS["chart_remounts"]),
            ("samples with a drawn live chart blank (every 0.1 s; most of any run)", f"{blank:.0f}", "0",
             blank <= GOALS["blank_samples"]),
            # a chart's box before its first drawing
            ("samples catching a live chart before its first drawing (most of any run)",
             f"{f['undrawn_samples']['max']:.0f}", "–", True),
            ("Chromium's CPU from the first live frame to the end of training, share of one core (median)",
             f"{chromium:.0%}", "≤ 20 %", chromium <= GOALS["chromium_cpu_share"])]
    if "frame_share" in f:
        v, m, ratio = f["frame_share"]["median"], f["frame_share"]["max"], f["movement_ratio"]["ratio"]
        rows += [("time on frames, share of the run (median / max)", f"{v:.1%} / {m:.1%}", "≤ 10 %",
                  m <= GOALS["frame_share"]),
                 ("map movement per frame vs a t-SNE per frame", f"{ratio:.3f}", "≤ 0.25",
                  ratio <= GOALS["movement_ratio"])]
    return rows


def main(argv: list[str] | None = None) -> dict:
    p = parser(NAME, __doc__)
    p.add_argument("--repeats", type=int, default=3, help="runs clicked in Chromium (≥ 3 for a median)")
    p.add_argument("--page-budget", type=int, default=5, help="each page run's time budget (s)")
    p.add_argument("--runs", type=int, default=3, help="in-process runs for the frame share and the movement")
    p.add_argument("--frame-seconds", type=float, default=20.0, help="their budget (the page's default)")
    p.add_argument("--pairs", type=int, default=8, help="consecutive-frame pairs per run compared with t-SNE")
    quiet_load_options(p, 1.2)
    p.add_argument("--skip", choices=["page", "frames"], help="leave one part out")
    a = p.parse_args(argv)
    if a.repeats < 1 or a.runs < 1 or a.page_budget < 5 or a.frame_seconds <= 0 or a.pairs < 1:
        p.error("repeats ≥ 1, runs ≥ 1, page budget ≥ 5 s, frame seconds > 0, pairs ≥ 1")
    before = conditions()
    f: dict = {"dataset": DATASET, "config": "contrastive, D = 32, L2, margin 1", "goals": GOALS,
               "end_of_training": "server clock when run_experiment calls report_for (trainer returned, final "
                                  "frame taken); report on the page: browser Date.now() when the test accuracy, "
                                  "the drawn histogram, map and ROC, and the drawn sample pairs are in the DOM "
                                  "(the replay, drawn after them, is timed apart)", "load": {}}
    if a.skip != "page":
        print(f"Part 1: {a.repeats} page runs in Chromium ({a.page_budget}-s budget)", flush=True)
        f["load"]["page"] = wait_until_quiet(a.quiet_load, a.max_wait)
        rows = page_runs(a.repeats, a.page_budget, a.quiet_load)
        f["load"]["page"]["after"] = round(os.getloadavg()[0], 2)
        f.update(page_budget_s=a.page_budget, page_runs=rows, cold_first_frame_s=rows[0]["cold_first_frame_s"],
                 **{k: summary([r[k] for r in rows]) for k in ("first_frame_s", "report_s", "live_chart_mounts",
                    "blank_samples", "undrawn_samples", "chromium_cpu_share", "replay_s")})
    if a.skip != "frames":
        print(f"Part 2: {a.runs} runs of {a.frame_seconds:g} s in this process", flush=True)
        f["load"]["frames"] = wait_until_quiet(a.quiet_load, a.max_wait)
        rows = frame_runs(a.runs, a.frame_seconds, a.pairs, a.quiet_load)
        f["load"]["frames"]["after"] = round(os.getloadavg()[0], 2)
        s = float(np.mean([r["stable_displacement"] for r in rows]))
        t = float(np.mean([r["tsne_displacement"] for r in rows]))
        f.update(frame_seconds=a.frame_seconds, frame_runs=rows,
                 frame_share=summary([r["frame_share"] for r in rows]),
                 movement_ratio={"stable_mean": s, "tsne_mean": t, "ratio": s / t,
                                 "per_run": [round(r["movement_ratio"], 4) for r in rows]})
    loads = [r["load1"] for r in f.get("page_runs", []) + f.get("frame_runs", [])]
    f["all_quiet"] = all(x["quiet"] for x in f["load"].values()) and all(quiet(x, a.quiet_load) for x in loads)
    save(a.out, NAME, argv, f, before, show=block_text)
    return f


def block_text(r: dict) -> str:
    f = r["figures"]
    rows = [[name, value, text if text == "–" else goal(text, met)] for name, value, text, met in figures_table(f)]
    loads = [x["load1"] for x in f.get("page_runs", []) + f.get("frame_runs", [])]
    lines = [table(["figure", "measured", "goal"], rows), ""]
    if "page_runs" in f:
        lines.append(f"Page: {len(f['page_runs'])} runs of {f['page_budget_s']} s on {f['dataset']} in Chromium; "
                     f"end of training = {f['end_of_training']}. Click → report, per run: "
                     + ", ".join(f"{x['click_to_report_s']:.1f} s" for x in f["page_runs"]) + ".")
    if "frame_runs" in f:
        lines.append(f"Frames: {len(f['frame_runs'])} runs of {f['frame_seconds']:g} s in process "
                     f"({f['config']}); frames per run "
                     + ", ".join(str(x["frames"]) for x in f["frame_runs"])
                     + f"; mean displacement per frame {f['movement_ratio']['stable_mean']:.3f} (the live map) vs "
                     f"{f['movement_ratio']['tsne_mean']:.3f} (a t-SNE per frame, own seed); report computed "
                     + ", ".join(f"{x['evaluation_s']:.1f} s" for x in f["frame_runs"]) + " after training.")
    lines.append(f"1-minute load average at each run's start: {min(loads):.1f}–{max(loads):.1f}"
                 + ("." if f["all_quiet"] else " — not the quiet machine asked for: other work shared the two "
                    "cores, so the timings are upper bounds of an idle machine's."))
    return "\n".join([*lines, "", conditions_line(r)])


BLOCKS = {"live-training": Block(("docs/results/live-training.json",), "python -m benchmarks.live_training --repeats 5 "
                                   "--runs 5 --page-budget 20 --out docs/results/live-training.json", block_text)}


if __name__ == "__main__":
    main()
