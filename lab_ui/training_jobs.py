"""Training from a page: one shared queue per server, each student's runs in their own session.

A page calls `start(cfg, name)` when "Train" is pressed and `follow()` on every rerun: while the job
waits or runs, `follow` draws the queue position / progress bar / live loss curve and polls; when it
ends, the report lands in this session's runs. Nothing a student trains is visible to another.

Identical page runs train once (see "Shared runs" below): students who ask for exactly the same run join
one training, or get a result the server kept from an earlier one, each as their own copy with their own
run name."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
import time
import uuid

import streamlit as st
from streamlit.runtime import exists as runtime_exists
from streamlit.runtime import get_instance
from streamlit.runtime.scriptrunner import get_script_run_ctx

from siamese_core.service.experiment import Cancelled, RunReport
from siamese_core.service.jobs import CANCELLED, DONE, FAILED, JOBS_PER_STUDENT, Job, JobQueue, QueueFull
from siamese_core.service.process_queue import ProcessQueue
from siamese_core.service.run_spec import PageWork, RunSpec
from siamese_core.training import TrainConfig
from siamese_core.training.settings import BUDGET_CLOCKS
from siamese_core.viz.figures import training_curves

from . import live_views
from .shared import dataset, probe

# Server settings (environment variables, see docs/classroom.md).
# Two trainings at once where there are two cores: with ten students pressing Train in the same minute the
# last result comes about twice as soon, and nicer training threads keep the pages quick (docs/classroom.md).
WORKERS = int(os.environ.get("SIAMESE_LAB_WORKERS", str(min(2, os.cpu_count() or 1))))
# One torch thread per job by default: on a busy CPU, more threads per job fight each other (OpenMP
# spin-waiting) and every run slows down many times over; see docs/benchmarks.md.
THREADS_PER_JOB = int(os.environ.get("SIAMESE_LAB_THREADS_PER_JOB", "1"))
# What a page run's time budget counts: the training thread's CPU time, so that a run on a busy server
# trains as much as on an idle one (only later); "wall" is the command line's clock. CPU time is all of a
# run's work only with one torch thread per job, so more threads fall back to the wall clock.
BUDGET_CLOCK = os.environ.get("SIAMESE_LAB_BUDGET_CLOCK", "cpu" if THREADS_PER_JOB == 1 else "wall")
if BUDGET_CLOCK not in BUDGET_CLOCKS:
    raise ValueError(f"SIAMESE_LAB_BUDGET_CLOCK must be one of {', '.join(BUDGET_CLOCKS)}, not {BUDGET_CLOCK!r}")
# Where page runs train: "processes", in training processes of the server's own (a training thread in the
# server's process shares Python's lock with the page scripts and starves while a class clicks), or "server",
# in threads of the server's process; see docs/classroom.md.
TRAIN_IN = os.environ.get("SIAMESE_LAB_TRAIN_IN", "processes")
if TRAIN_IN not in ("processes", "server"):
    raise ValueError(f"SIAMESE_LAB_TRAIN_IN must be processes or server, not {TRAIN_IN!r}")
# Trainings run this much nicer than the page scripts (0: the same priority); see docs/classroom.md.
WORKER_NICE = int(os.environ.get("SIAMESE_LAB_WORKER_NICE", "10"))
MAX_WAITING = int(os.environ.get("SIAMESE_LAB_MAX_WAITING", "30"))
MAX_RUNS = int(os.environ.get("SIAMESE_LAB_MAX_RUNS", "12"))                # per session
CHART_EVERY = 4  # polls between redraws of the live training curve
# A following page redraws the live map and histograms at most this often (every frame stays in the replay):
# each redraw is a new Plotly chart in the browser, and at two a second a headless Chromium page following a
# run kept a core three-quarters busy.
LIVE_DRAW_SECONDS = 1.0
CURVE_SECONDS = 2.0  # a training's live curve is built at most this often, however many pages follow it
MAX_RUN_BYTES = int(float(os.environ.get("SIAMESE_LAB_MAX_SESSION_MB", "50")) * 2**20)
# Identical page runs train once; "0" trains every request apart (e.g. to load-test the queue itself).
SHARE_RUNS = os.environ.get("SIAMESE_LAB_SHARE_RUNS", "1") != "0"
# Finished shared runs the server keeps for later identical requests: at most this many results and MB
# (a page run's report holds under 1 MB — a digits run about 30 KB — so 32 runs fit well within 64 MB).
SHARED_RESULTS = int(os.environ.get("SIAMESE_LAB_SHARED_RESULTS", "32"))
SHARED_RESULTS_BYTES = int(float(os.environ.get("SIAMESE_LAB_SHARED_RESULTS_MB", "64")) * 2**20)


@st.cache_resource
def job_queue() -> JobQueue:
    if os.environ.get("SIAMESE_LAB_SCHEDULER"):  # trainings run on a Dask cluster (docs/scaling.md)
        from .cluster_jobs import cluster_queue  # imports Dask: only when asked for
        return cluster_queue(os.environ["SIAMESE_LAB_SCHEDULER"], local_workers=WORKERS,
                             threads_per_job=THREADS_PER_JOB, max_waiting=MAX_WAITING,
                             shared_results=SHARED_RESULTS, shared_bytes=SHARED_RESULTS_BYTES,
                             worker_nice=WORKER_NICE, max_per_owner=JOBS_PER_STUDENT)
    kind = ProcessQueue if TRAIN_IN == "processes" else JobQueue
    return kind(workers=WORKERS, threads_per_job=THREADS_PER_JOB, max_waiting=MAX_WAITING,
                shared_results=SHARED_RESULTS, shared_bytes=SHARED_RESULTS_BYTES, worker_nice=WORKER_NICE,
                max_per_owner=JOBS_PER_STUDENT)


def _session_id() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "local"


def _owner_id(session_id: str) -> str:
    """Who owns this session's jobs: the session id, made unique per session state (AppTest sessions all
    share one session id, yet are different students)."""
    return st.session_state.setdefault("_job_owner", f"{session_id}/{uuid.uuid4().hex[:8]}")


def _owner_alive_check(session_id: str):
    """A closed tab ends its Streamlit session; the queue then cancels that session's jobs."""
    if not runtime_exists():
        return None  # AppTest and scripts: no runtime, nobody to watch
    runtime = get_instance()
    return lambda: runtime.is_active_session(session_id)


def runs() -> list[RunReport]:
    """This session's finished runs, oldest first."""
    return st.session_state.setdefault("runs", [])


def add_run(report: RunReport) -> None:
    runs().append(report)


def room_for_another_run() -> str | None:
    """None when a new run fits in this session's memory cap, else the sentence to show."""
    kept = runs()
    used = sum(r.nbytes for r in kept)
    if len(kept) >= MAX_RUNS or used >= MAX_RUN_BYTES:
        runs_word = "run" if MAX_RUNS == 1 else "runs"
        return (f"Your session keeps at most {MAX_RUNS} {runs_word} ({MAX_RUN_BYTES / 2**20:.0f} MB); it holds "
                f"{len(kept)} ({used / 2**20:.1f} MB). Remove some runs below to train again.")
    return None


def unique_name(base: str) -> str:
    names = {r.name for r in runs()}
    if base not in names:
        return base
    k = 2
    while f"{base} ({k})" in names:
        k += 1
    return f"{base} ({k})"


def submit(work, label: str, expected_seconds: float, key: str = "job", share_key: str | None = None,
           names: list[str] | None = None) -> Job | None:
    """Queue `work(job)` for this session under `key`; shows why not (queue full, memory cap, one
    already running) and returns None. Requests with the same `share_key` train once; `names` are this
    session's names for the report(s) the work returns."""
    problem = room_for_another_run()
    if problem:
        st.warning(problem)
        return None
    current = st.session_state.get(key)
    if current is not None and not current.done:
        st.info("A run of yours is already in the queue; stop it first or wait for it.")
        return None
    sid = _session_id()
    try:
        job = job_queue().submit(work, owner=_owner_id(sid), label=label, expected_seconds=expected_seconds,
                                 is_owner_alive=_owner_alive_check(sid), share_key=share_key)
    except QueueFull as exc:
        st.warning(str(exc))
        return None
    st.session_state[key] = job
    st.session_state[_names_key(key)] = names
    return job


def start(cfg: TrainConfig, name: str, key: str = "job", n_projection: int = 1000) -> Job | None:
    """Queue one training run + its measurements (a RunReport) for this session."""
    cfg = on_server_clock(cfg)
    work = _page_work(RunSpec.of("run", [cfg], [name], n_projection), cfg)
    return submit(work, name, expected_seconds(cfg), key,
                  share_key=run_share_key("run", [cfg], n_projection=n_projection), names=[name])


def start_sweep(cfgs: list[TrainConfig], names: list[str], label: str, key: str, n_projection: int = 600
                ) -> Job | None:
    """Queue several runs on one dataset, one after another, as one job (a sweep, a comparison)."""
    cfgs = [on_server_clock(c) for c in cfgs]
    work = _page_work(RunSpec.of("sweep", cfgs, names, n_projection), cfgs[0])
    return submit(work, label, sum(expected_seconds(c) for c in cfgs), key,
                  share_key=run_share_key("sweep", cfgs, n_projection=n_projection), names=list(names))


def on_server_clock(cfg: TrainConfig) -> TrainConfig:
    """The config with the server's budget clock (a time budget only; epochs count the same anyway)."""
    return cfg.replace(clock=BUDGET_CLOCK) if cfg.clock != BUDGET_CLOCK else cfg


def _page_work(spec: RunSpec, cfg: TrainConfig) -> PageWork:
    """The spec with the server's shared copies of its data (loaded here, in the page's script run)."""
    return PageWork(spec, _splits(cfg), probe(*_probe_args(cfg)))


def _splits(cfg: TrainConfig):
    """The server's shared (train, test) copies of the config's dataset at its image size."""
    flat = cfg.flat()
    size = tuple(flat["image_size"]) if flat.get("image_size") else None
    return dataset(flat["dataset"], "train", size), dataset(flat["dataset"], "test", size)


def warm(dataset_name: str) -> None:
    """Load a training page's dataset and probe set now (once per server, cached), so that a press on
    Train starts training — and shows its first live frame — within a second."""
    dataset(dataset_name, "train")
    probe(dataset_name)
    q = job_queue()  # starts the training processes, or connects to the cluster: not while a class presses Train
    if isinstance(q, ProcessQueue):
        _warm_processes(q, dataset_name)


@st.cache_resource(show_spinner=False)
def _warm_processes(_q: ProcessQueue, dataset_name: str) -> bool:
    """Once per dataset: the training processes load it and its probe set (in the background)."""
    threading.Thread(target=_q.warm, args=(dataset_name,), name="siamese-lab-warm", daemon=True).start()
    return True


def _probe_args(cfg: TrainConfig) -> tuple:
    flat = cfg.flat()
    return flat["dataset"], tuple(flat["image_size"]) if flat.get("image_size") else None


def expected_seconds(cfg: TrainConfig) -> float:
    """A guess for ETAs before a run starts: its budget plus the measuring afterwards."""
    flat = cfg.flat()
    return (flat["seconds"] if flat["seconds"] is not None else 20.0 * (flat["epochs"] or 1)) + 10.0


def stop(key: str = "job") -> None:
    job = st.session_state.get(key)
    if job is not None and not job.done:
        job_queue().cancel(job)


def follow(key: str = "job", poll: float = 0.5, timeout: float | None = None):
    """Show this session's job under `key` until it ends; returns its result once, when it is seen done
    (None while nothing finished, or when it was stopped or failed — which is said on the page)."""
    job: Job | None = st.session_state.get(key)
    if job is None:
        return None
    q = job_queue()
    bar, frames, chart = st.empty(), st.empty(), st.empty()
    t0, tick, seen, shown = time.monotonic(), 0, {}, {}
    while not job.done and (timeout is None or time.monotonic() - t0 < timeout):
        tick += 1
        _draw_progress(q, job, bar, shown)
        if time.monotonic() - seen.get("at", -LIVE_DRAW_SECONDS) >= LIVE_DRAW_SECONDS:
            live_views.draw(job, frames, seen)  # only when a new frame came in
        if tick % CHART_EVERY == 1:  # the bar moves every poll; the figure is rebuilt less often
            _draw_curve(job, chart, tick)
        job.wait(poll)
    bar.empty()
    frames.empty()
    chart.empty()
    if not job.done:
        return None
    del st.session_state[key]
    names = st.session_state.pop(_names_key(key), None)
    if job.status == DONE:
        _say_where_it_came_from(job)
        return own_copy(job.result, names)
    if job.status == CANCELLED:
        st.info(f"“{job.label}” was stopped.")
    elif job.status == FAILED:
        st.error(f"“{job.label}” failed: {job.error}")
    return None


def follow_into(key: str, store: str):
    """`follow(key)`, keeping a finished result in session_state[store]; returns the latest kept result."""
    done = follow(key)
    if done is not None:
        st.session_state[store] = done
    return st.session_state.get(store)


def _draw_progress(q: JobQueue, job: Job, slot, shown: dict) -> None:
    """The queue place or the progress bar, sent only when what it says has changed (`shown` remembers)."""
    position = q.position(job)
    if position:
        say = ("info", f"“{job.label}” is number {position} in the queue — about {q.eta(job):.0f} s until it is "
                       "done." + _shared_note(job) + _notice(job))
    else:
        live = job.live
        eta = live.get("eta")
        what = job.label
        if live.get("parts", 1) > 1:
            what = f"{job.label} — run {live['part'] + 1} of {live['parts']}: {live.get('current')}"
        say = ("progress", min(1.0, float(live.get("progress", 0.0))),
               f"Training “{what}”: step {live.get('step', 0)}"
               + (f", about {eta:.0f} s left" if eta is not None else "") + _shared_note(job) + _notice(job))
    if say == shown.get("said"):
        return
    shown["said"] = say
    if say[0] == "info":
        slot.info(say[1])
    else:
        slot.progress(say[1], text=say[2])


def _draw_curve(job: Job, slot, tick: int) -> None:
    live = job.live
    if live.get("history") and not job.done:
        # One curve per training every CURVE_SECONDS, whichever of its followers asks first; only that one
        # copies the history (thousands of rows), not every follower at every poll.
        window = int(time.monotonic() / CURVE_SECONDS)
        made = live_views.shared_figure(live, ("curve", window), lambda: training_curves(
            list(live.get("history", []))[-2000:], list(live.get("val_history", []))))
        slot.plotly_chart(made, width="stretch", key=f"live-{job.id}-{tick}")


# --- Shared runs: identical requests train once; each session gets its own copy ------------------
def run_share_key(kind: str, cfgs: list[TrainConfig], **measured) -> str | None:
    """Equal for exactly the same run: every setting of each config (seed and budget included) and what
    the measurements depend on (`measured`, e.g. n_projection). None when sharing is switched off."""
    if not SHARE_RUNS:
        return None
    what = {"kind": kind, "configs": [c.flat() for c in cfgs], "measured": measured}
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=repr).encode()).hexdigest()


def own_copy(result, names: list[str] | None = None):
    """This session's copy of a result other sessions may also have got: new report objects (shallow:
    the arrays inside are shared and only read) under this session's own run names."""
    if isinstance(result, RunReport):
        return dataclasses.replace(result, name=names[0] if names else result.name)
    if isinstance(result, list) and all(isinstance(r, RunReport) for r in result):
        names = names or [r.name for r in result]
        return [dataclasses.replace(r, name=n) for r, n in zip(result, names)]
    return result


def _names_key(key: str) -> str:
    return f"_{key}_run_names"


def _shared_note(job: Job) -> str:
    n = job.asked_by
    return f" {n} students asked for this exact run: it trains once." if n > 1 else ""


def _notice(job: Job) -> str:
    """What the cluster queue has to say about a run (a worker went away, the cluster is unreachable)."""
    notice = job.live.get("notice")
    return f" {notice}" if notice else ""


def _say_where_it_came_from(job: Job) -> None:
    if job.live.get("notice"):
        st.caption(f"“{job.label}”: {job.live['notice']}")
    if job.from_cache:
        whom = "you" if job.trained_for_me else "another student"
        st.caption(f"“{job.label}” was trained earlier for {whom} with exactly these settings and seed: "
                   "its result is shown at once.")
    elif job.asked_by > 1:
        st.caption(f"{job.asked_by} students asked for this exact run: it trained once, and each has their own copy.")


__all__ = ["Cancelled", "add_run", "expected_seconds", "follow", "follow_into", "job_queue", "own_copy",
           "room_for_another_run", "run_share_key", "runs", "start", "start_sweep", "stop", "submit", "unique_name"]
