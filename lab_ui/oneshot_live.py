"""The live panels of a one-shot run (live_views.draw calls `draw` when a frame scores the fixed 20-way trials):
the accuracy on those trials against steps, beside chance, Koch's figure and the shipped model's on the same
trials; and one trial drawn large — the query, its 20 candidates with their distances, the pick and the answer."""
from __future__ import annotations

import threading

import numpy as np
import streamlit as st

from siamese_core.data import resolve_data_dir
from siamese_core.data.omniglot import VALIDATION_ALPHABETS, native_images
from siamese_core.evaluation.validation_runs import N_WAY, RUNS_PER_ALPHABET
from siamese_core.service.jobs import Job
from siamese_core.service.oneshot_probe import fixed_trials_accuracy
from siamese_core.viz.oneshot_charts import (
    TRIAL_KEY,
    accuracy_chart,
    references,
    trial_chart,
    trial_table,
    trial_verdict,
)

from . import shared
from .live_figures import chart, shared_figure

SHIPPED_MODEL = "oneshot-omniglot.pt"
FIXED_TRIALS = len(VALIDATION_ALPHABETS) * RUNS_PER_ALPHABET * N_WAY  # every validation alphabet has ≥ 20 characters
THUMB = 64  # pixels per candidate drawing: twenty fit on two rows beside the query


@st.cache_resource(show_spinner=False)
def shipped_on_fixed_trials(_model, _evaluation) -> dict:
    """{"accuracy": the shipped model's figure on the fixed trials}, measured once per server in a thread of its
    own (about 20 s on a busy machine: two twins read 800 redrawn drawings), so no page waits for it; empty
    until then. Only the thread writes to it."""
    found: dict = {}

    def measure() -> None:
        found["accuracy"] = fixed_trials_accuracy(_model, _evaluation)

    threading.Thread(target=measure, name="siamese-lab-shipped-trials", daemon=True).start()
    return found


def shipped_figure() -> float | None:
    model = shared.asset_model(SHIPPED_MODEL)
    return shipped_on_fixed_trials(model, shared.dataset("omniglot", "evaluation", tuple(model.input_size))
                                   ).get("accuracy")


@st.cache_data(max_entries=8, show_spinner=False)
def trial_drawings(rows: tuple[int, ...]) -> list[np.ndarray]:
    """The evaluation split's original scans of `rows`, dark ink on white (one trial's, the same all run long)."""
    ink = native_images(resolve_data_dir(), "evaluation", list(rows))
    return [(255 * (1.0 - x[0].numpy())).astype(np.uint8) for x in ink]


def draw(job: Job, name: str, frames: list) -> None:
    """The accuracy curve and the trial drawn large at the latest frame, each chart updated in place."""
    f, shipped = frames[-1], shipped_figure()
    left, right = st.columns(2)
    with left:
        chart(shared_figure(job.live, ("oneshot-curve", name, f.step, id(f), shipped), lambda: accuracy_chart(
            frames, FIXED_TRIALS, references(shipped), title=f"{name}: 20-way accuracy, {FIXED_TRIALS} fixed trials")),
            f"live-oneshot-{job.id}", canvas=True)
        st.caption(f"Each point scores the network at that step on the same {FIXED_TRIALS} 20-way trials, from "
                   "alphabets it never trains on (nor do the official runs use them). Untrained, it already gets "
                   f"{frames[0].oneshot:.0%} of them right, far above chance (5 %): every drawing is redrawn with "
                   "one pen, upright and centred, so two drawings of one character already look alike to an "
                   "untrained network. Training takes it from there."
                   + ("" if shipped is not None else " (The shipped model's figure on these trials is being "
                                                     "measured.)"))
    with right:
        chart(shared_figure(job.live, ("oneshot-trial", name, f.step, id(f)), lambda: trial_chart(f)),
              f"live-trial-{job.id}", canvas=True)
        st.caption(TRIAL_KEY)
        (st.success if _picks_right(f) else st.error)(trial_verdict(f))
    _trial_pictures(f)


def _picks_right(frame) -> bool:
    return int(np.argmax(frame.task_scores)) == frame.task % len(frame.task_scores)


def _trial_pictures(frame) -> None:
    """The query beside its 20 candidates, each captioned with its distance; the pick and the answer marked."""
    drawings = trial_drawings(tuple(int(r) for r in frame.task_rows))
    table = trial_table(frame)
    distances = table["distance"]
    pick, answer = int(distances.idxmin()), frame.task % len(table)
    st.markdown("**The trial drawn large** — which of the 20 candidates shows the query's character? Each is "
                "captioned with its number and its distance to the query (shorter: more alike).")
    marks = {answer: "✓ right answer", pick: "✗ picked"} if pick != answer else {pick: "✓ picked, right"}
    query, candidates = st.columns([1, 11])
    query.image(drawings[0], caption="query", width=THUMB + 8,
                alt="The query: a handwritten character the network must match with one of the 20 candidates")
    candidates.image(drawings[1:], width=THUMB,
                     caption=[f"{k + 1} · {d:.2f} {marks.get(k, '')}".strip() for k, d in enumerate(distances)],
                     alt=[f"Candidate {k + 1}, at distance {d:.2f} from the query"
                          + (f", {marks[k].strip('✓✗ ')}" if k in marks else "") for k, d in enumerate(distances)])
