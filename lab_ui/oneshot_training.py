"""The One-shot page's "Train your own one-shot network": a run through the server's queue (shared, stoppable,
followed live like every training page's), then the student's network, kept in their session only — one at a
time, replaced by the next, never written to disk — which they may put to work on the rest of the page."""
from __future__ import annotations

import threading

import streamlit as st

from siamese_core.evaluation.oneshot_report import PAPER, official_runs
from siamese_core.lessons.experiments import oneshot_config
from siamese_core.models.checkpoint import model_from_bytes
from siamese_core.service.jobs import CANCELLED
from siamese_core.viz.oneshot_charts import accuracy_chart, references

from . import live_views, oneshot_live, run_follow, training_jobs
from .live_figures import chart
from .plain_text import SENTENCE, shown
from .url_state import set_url, url_int, url_int_in_range

JOB, REPORT, OFFICIAL, NETWORK = "oneshot_job", "oneshot_report", "_oneshot_official", "_oneshot_network"
SHIPPED, YOURS = "the shipped network", "yours"
MIN_S, MAX_S, DEFAULT_S = 10, 300, 60
POLL_SECONDS = 2.0  # how often the official-runs figure is looked for while it is measured
KOCH = PAPER["official_runs_accuracy"]


def section(shipped):
    """The section; returns the network the rest of the page uses (`shipped` unless the student chose theirs)."""
    st.header("Train your own one-shot network")
    st.markdown("Train a twin of Koch's kind yourself (a small convolutional network, prototypical loss on the "
                "30 background alphabets) and watch it learn: its 20-way accuracy on trials from alphabets it "
                "never sees, and one trial whose answer it gets wrong at first.")
    training_jobs.warm("omniglot")  # the trainer loads and redraws Omniglot now, not when Train is pressed
    oneshot_live.shipped_figure()    # the live chart's reference, measured once per server from now on
    c1, c2, c3, c4 = st.columns([4, 2, 1, 1], vertical_alignment="bottom")
    budget = c1.slider("time budget (s)", MIN_S, MAX_S, url_int_in_range("seconds", DEFAULT_S, MIN_S, MAX_S,
                                                                          "time budget (seconds)"), 5,
                       key="oneshot_seconds")
    seed = c2.number_input("seed", 0, 10_000, url_int("seed", 0, 0, 10_000), key="oneshot_train_seed")
    set_url(seconds=budget, seed=seed)
    if c4.button("Stop", width="stretch", key="oneshot_stop"):
        training_jobs.stop(JOB)
    if c3.button("Train", type="primary", width="stretch", key="oneshot_train"):
        # One twin in the server's training process, as benchmarks.lessons and benchmarks.oneshot_fast measure it.
        cfg = oneshot_config(float(budget), int(seed))
        training_jobs.start(cfg, f"Your one-shot network ({budget} s, seed {seed})", key=JOB)
    following = st.session_state.get(JOB)
    report = run_follow.follow_into(JOB, REPORT)
    if following is not None and following.status == CANCELLED and report is None:
        st.info("It was stopped before it had learned anything worth keeping: the page goes on with the shipped "
                "network.")
    if report is None or report.model is None:
        return shipped
    _figures(report)
    choice = st.radio("The network the rest of this page uses", [SHIPPED, YOURS], horizontal=True, key="oneshot_use",
                      help="Yours lives in this browser tab's session only, until you train another.")
    st.markdown("**Watch it learn again**")
    live_views.replay([report], key="oneshot-replay")
    return _yours(report) if choice == YOURS else shipped


def _yours(report):
    """The student's network, built once per report (kept beside it in the session)."""
    kept = st.session_state.get(NETWORK)
    if kept is None or kept[0] is not report:
        kept = st.session_state[NETWORK] = (report, model_from_bytes(report.model))
    return kept[1]


def _figures(report) -> None:
    """Its last figure on the fixed trials (beside the shipped model's there), its official-runs figure, its curve."""
    trials, acc = report.metrics["oneshot_trials"], report.metrics["oneshot_accuracy"]
    shipped = oneshot_live.shipped_figure()
    m1, m2 = st.columns(2)
    m1.metric(f"Your network, {trials} fixed trials", f"{acc:.1%}",
              None if shipped is None else f"{100 * (acc - shipped):+.1f} pts vs the shipped model {shipped:.1%}",
              help="the live curve's last point: 20-way trials from alphabets the official runs never use")
    with m2:
        _official_figure(report)
    chart(accuracy_chart(report.frames, trials, references(shipped),
                         title=f"{report.name}: 20-way accuracy, {trials} fixed trials"), "oneshot-final-curve",
          canvas=True)


def _official_figure(report) -> None:
    """Lake et al.'s official 20 runs, measured in a thread (20–40 s) so the page stays live; shown once there."""
    store = st.session_state.get(OFFICIAL)
    if store is None or store["report"] is not report:
        store = st.session_state[OFFICIAL] = {"report": report}
        threading.Thread(target=_measure_official, args=(report.model, store), name="siamese-lab-official-runs",
                         daemon=True).start()
    if "accuracy" in store or "error" in store:
        _official_metric(store)
    else:
        _official_pending(store)


def _measure_official(checkpoint: bytes, store: dict) -> None:
    try:
        store["accuracy"] = official_runs(model_from_bytes(checkpoint))["accuracy"]
    except Exception as exc:  # shown on the page rather than lost in a thread
        store["error"] = str(exc) or type(exc).__name__


@st.fragment(run_every=POLL_SECONDS)
def _official_pending(store: dict) -> None:
    if "accuracy" in store or "error" in store:
        st.rerun()  # the whole page once, which then shows the figure without polling
    st.metric("Official 20 runs (Lake et al., 400 trials)", "computing…",
              help="measured now, in the background, through the public API (20 to 40 s)")


def _official_metric(store: dict) -> None:
    if "error" in store:
        st.warning(f"The official runs could not be scored: {shown(store['error'], SENTENCE)}")
        return
    acc = store["accuracy"]
    st.metric("Official 20 runs (Lake et al., 400 trials)", f"{acc:.1%}",
              f"{100 * (acc - KOCH):+.1f} pts vs Koch {KOCH:.0%}", delta_color="normal",
              help="Lake et al.'s 20 official 20-way runs, scored through the public API as any user's drawings are")
