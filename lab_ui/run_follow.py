"""Following a run on a page without blocking it: while the run waits or trains, a fragment of the page reruns
on its own every FOLLOW_SECONDS — the queue place or progress bar, the live charts, each chart updated in
place — and the page's buttons and sliders stay live. When the run ends the whole page reruns once and
`follow` hands its result over."""
from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime import Runtime, get_instance
from streamlit.runtime import exists as runtime_exists

from siamese_core.service.jobs import CANCELLED, DONE, FAILED, RUNNING, Job, JobQueue
from siamese_core.viz.live_charts import curve_chart

from . import class_board, live_views
from .live_snapshot import LiveSnapshot, snapshot
from .training_jobs import job_queue, names_key, own_copy

# A following page redraws its place or progress bar and its live charts this often (one fragment's rerun;
# every frame stays in the replay). Each rerun is a script run the browser shows, and twice a second a
# following page kept Chromium a fifth busier without showing the first frame any sooner (docs/benchmarks.md).
FOLLOW_SECONDS = 1.0
# A run this close to its end is waited for inside the rerun, so the report follows its end at once rather
# than up to FOLLOW_SECONDS later (the page's buttons wait that long at most, once).
END_WAIT_SECONDS = 1.5
# Right after Train the first live frame is a fraction of a second away: the fragment's first run waits for it
# (this long at most, once per run), so it is drawn at once rather than one FOLLOW_SECONDS later.
FIRST_FRAME_WAIT_SECONDS = 0.8


def follow(key: str = "job"):
    """Follow this session's job under `key` without blocking the page: while it waits or trains, a fragment
    reruns on its own every FOLLOW_SECONDS (the place or progress bar and the live charts, each chart updated
    in place) and the page's buttons stay live. Once it ends the whole page reruns, and this returns its
    result once (None while nothing finished, or when it was stopped or failed — which is said on the page).
    Without a browser to rerun fragments (AppTest, a script) it waits for the job here."""
    # Always one block of its own, empty or not: what comes after it (a page's first look) never sits where the
    # live fragment will, since the browser hands a new block the children of the block of the same kind that
    # held its place — the pretrained metrics would linger inside the live view, unmarked, until its first rerun.
    with st.container(key=f"follow-{key}"):  # its CSS class: page_styles.css keeps the live panels still
        return _follow(key)


def _follow(key: str):
    job: Job | None = st.session_state.get(key)
    if job is None:
        return None
    if not job.done and _browser_follows():
        _follow_fragment(key)
        live_views.plotly_ready(key)
        return None
    while not job.done:
        job.wait(FOLLOW_SECONDS)
    del st.session_state[key]
    names = st.session_state.pop(names_key(key), None)
    if job.status == DONE:
        _say_where_it_came_from(job)
        mine = own_copy(job.result, names)
        class_board.share(job, mine)
        return mine
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


@st.fragment(run_every=FOLLOW_SECONDS)
def _follow_fragment(key: str) -> None:
    job: Job | None = st.session_state.get(key)
    if job is None:
        return
    if not job.done and _ends_soon(job):
        job.wait(END_WAIT_SECONDS)
    _await_first_frame(job)
    if job.done:
        st.rerun()  # the whole page: `follow` hands the result over
    draw_following(job_queue(), job)


def draw_following(q: JobQueue, job: Job) -> None:
    """The place in the queue or the progress bar, the live charts and the curve, all from one reading of the
    live state: every panel of a run names that run and shows the same step."""
    view = snapshot(job.live)
    kind, *what = progress_line(q, job, view)
    if kind == "info":
        st.info(what[0])
    else:
        st.progress(what[0], text=what[1])
    live_views.draw(job, view)
    _draw_curve(job, view)


def _await_first_frame(job: Job) -> None:
    end = job.submitted + FIRST_FRAME_WAIT_SECONDS
    while time.monotonic() < end and not job.done and not any(job.live.frames.values()):
        job.wait(0.05)


def _ends_soon(job: Job) -> bool:
    """Training over (it is being measured) or due to end before the next rerun."""
    live = job.live
    return job.training.status == RUNNING and (live.progress >= 1.0 or (live.eta is not None
                                                                       and live.eta < FOLLOW_SECONDS))


def progress_line(q: JobQueue, job: Job, view: LiveSnapshot | None = None) -> tuple:
    """("info", the queue place) while it waits, ("progress", fraction, text) while it trains, with the step
    the run's panels show (`view`: the page's one reading of the live state)."""
    position = q.position(job)
    if position:
        return ("info", f"“{job.label}” is number {position} in the queue — about {q.eta(job):.0f} s until it is "
                        "done." + _shared_note(job) + _notice(job))
    view = view or snapshot(job.live)
    eta = view.eta
    what = job.label
    if view.parts > 1:
        what = f"{job.label} — run {view.part + 1} of {view.parts}: {view.current}"
    return ("progress", min(1.0, view.progress),
            f"Training “{what}”: step {view.step}"
            + (f", about {eta:.0f} s left" if eta is not None else "") + _shared_note(job) + _notice(job))


def _draw_curve(job: Job, view: LiveSnapshot) -> None:
    """The curve of the run training now, named after it and ending at the step its other panels show. Drawn from
    the first frame on, even before the first step's loss: a chart mounted later than the others is one more
    moment with an empty box in the browser."""
    if not (view.history_len or view.runs):
        return
    name, step = view.current or job.label, view.step
    st.markdown(f"**{name}** — step {step}")
    # One curve per training and shown step (a new one comes with each frame), whichever of its followers asks
    # first; only that one copies the history (thousands of rows), not every follower at every poll.
    made = live_views.shared_figure(job.live, ("curve", name, step, len(view.val_history)), lambda: curve_chart(
        *(rows[-2000:] for rows in view.curve()), title=f"Training curve: {name}"))
    live_views.chart(made, f"live-curve-{job.id}", canvas=True)


def _browser_follows() -> bool:
    """Whether a browser reruns this session's fragments: a real server's session, not AppTest's (its runtime
    is a mock) nor a script's (none)."""
    return runtime_exists() and type(get_instance()) is Runtime


def _shared_note(job: Job) -> str:
    n = job.asked_by
    return f" {n} students asked for this exact run: it trains once." if n > 1 else ""


def _notice(job: Job) -> str:
    """What the cluster queue has to say about a run (a worker went away, the cluster is unreachable)."""
    notice = job.live.notice
    return f" {notice}" if notice else ""


def _say_where_it_came_from(job: Job) -> None:
    if job.live.notice:
        st.caption(f"“{job.label}”: {job.live.notice}")
    if job.from_cache:
        whom = "you" if job.trained_for_me else "another student"
        st.caption(f"“{job.label}” was trained earlier for {whom} with exactly these settings and seed: "
                   "its result is shown at once.")
    elif job.asked_by > 1:
        st.caption(f"{job.asked_by} students asked for this exact run: it trained once, and each has their own copy.")
