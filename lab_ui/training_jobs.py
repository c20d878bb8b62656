"""Training from a page: the server's one queue, training where its settings say (processes, threads, a cluster).

A page calls `start(cfg, name)` when Train is pressed, and `run_follow.follow` shows the run. Identical page
runs train once: students who ask for exactly the same run join one training, or get a result the server kept
from an earlier one, each as their own copy under their own run name. Nobody sees another student's runs
but on the class board, where a student shares them (lab_ui/class_board.py)."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import uuid

import streamlit as st
from streamlit.runtime import exists as runtime_exists
from streamlit.runtime import get_instance
from streamlit.runtime.scriptrunner import get_script_run_ctx

from siamese_core.service.experiment import RunReport
from siamese_core.service.jobs import Job, JobQueue, QueueFull
from siamese_core.service.run_spec import RunSpec
from siamese_core.service.server_settings import server_settings
from siamese_core.training import TrainConfig

from . import session_runs
from .student_identity import browser_id

SETTINGS = server_settings()  # the server's SIAMESE_LAB_* settings (docs/classroom.md)


@st.cache_resource
def job_queue() -> JobQueue:
    """The server's one queue; its executor trains where the settings say (processes, threads, a cluster)."""
    return SETTINGS.queue()


def _session_id() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else "local"


def _owner_id(session_id: str) -> str:
    """Who owns this session's jobs: the student's browser, whose tabs share the per-student limit
    (student_identity.py); else the session id, made unique per session state (AppTest sessions all share one
    session id, yet are different students)."""
    return st.session_state.setdefault("_job_owner", browser_id() or f"{session_id}/{uuid.uuid4().hex[:8]}")


def _owner_alive_check(session_id: str):
    """A closed tab ends its Streamlit session; the queue then cancels that session's jobs."""
    if not runtime_exists():
        return None  # AppTest and scripts: no runtime, nobody to watch
    runtime = get_instance()
    return lambda: runtime.is_active_session(session_id)


def submit(work, label: str, expected_seconds: float, key: str = "job", share_key: str | None = None,
           names: list[str] | None = None) -> Job | None:
    """Queue `work` (a RunSpec, or a function of the job) for this session under `key`; shows why not (queue
    full, memory cap, one already running) and returns None. Requests with the same `share_key` train once;
    `names` are this session's names for the report(s) the work returns."""
    problem = session_runs.room_for_another(SETTINGS.max_runs, SETTINGS.max_session_bytes)
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
    st.session_state[names_key(key)] = names
    return job


def start(cfg: TrainConfig, name: str, key: str = "job", n_projection: int = 1000) -> Job | None:
    """Queue one training run + its measurements (a RunReport) for this session."""
    return start_sweep([cfg], [name], name, key, n_projection, kind="run")


def start_sweep(cfgs: list[TrainConfig], names: list[str], label: str, key: str, n_projection: int = 600,
                kind: str = "sweep") -> Job | None:
    """Queue several runs on one dataset, one after another, as one job (a sweep, a comparison). The data
    is loaded where the run trains, never in the page's script run."""
    cfgs = [on_server_clock(c) for c in cfgs]
    return submit(RunSpec.of(kind, cfgs, names, n_projection), label, sum(expected_seconds(c) for c in cfgs), key,
                  share_key=run_share_key(kind, cfgs, n_projection=n_projection), names=list(names))


def on_server_clock(cfg: TrainConfig) -> TrainConfig:
    """The config with the server's budget clock (a time budget only; epochs count the same anyway)."""
    clock = SETTINGS.budget_clock
    return cfg.replace(clock=clock) if cfg.clock != clock else cfg


def warm(dataset_name: str) -> None:
    """Have the trainers load a training page's dataset and probe set now (once per server, in the
    background), so that a press on Train starts training — and shows its first live frame — within a second."""
    _warm(job_queue(), dataset_name)


@st.cache_resource(show_spinner=False)
def _warm(_q: JobQueue, dataset_name: str) -> bool:
    threading.Thread(target=_q.executor.warm, args=(dataset_name,), name="siamese-lab-warm", daemon=True).start()
    return True


def expected_seconds(cfg: TrainConfig) -> float:
    """A guess for ETAs before a run starts: its budget plus the measuring afterwards."""
    flat = cfg.flat()
    return (flat["seconds"] if flat["seconds"] is not None else 20.0 * (flat["epochs"] or 1)) + 10.0


def stop(key: str = "job") -> None:
    job = st.session_state.get(key)
    if job is not None and not job.done:
        job_queue().cancel(job)


# --- Shared runs: identical requests train once; each session gets its own copy ------------------
def run_share_key(kind: str, cfgs: list[TrainConfig], **measured) -> str | None:
    """Equal for exactly the same run: every setting of each config (seed and budget included) and what
    the measurements depend on (`measured`, e.g. n_projection). None when sharing is switched off."""
    if not SETTINGS.share_runs:
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


def names_key(key: str) -> str:
    return f"_{key}_run_names"

