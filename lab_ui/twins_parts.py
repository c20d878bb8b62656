"""Twins-page pieces: the editable L1-layer inputs (with a swap button) and the mini-batch run, which
trains through the server's queue like every other run and is kept per setting in this session."""
from __future__ import annotations

import streamlit as st

from siamese_core.explain.l1_layer import MAX_VECTOR, WORKSHOP_H1, WORKSHOP_H2
from siamese_core.explain.minibatch import minibatch_config
from siamese_core.viz.figures import training_curves

from . import run_follow, training_jobs
from .plain_text import clean
from .url_state import set_url, url_float

JOB, RUNS, PENDING = "twins_job", "twins_runs", "twins_pending"


def _vec_state(key: str, what: str, default) -> None:
    """The text box starts from the URL's vector, unless that is longer than MAX_VECTOR numbers could be
    (a link with 15,000 numbers would keep the tab busy for a minute): then from the default, which the
    page says while the box still holds it."""
    example = ", ".join(f"{v:g}" for v in default)
    if key not in st.session_state:
        raw, refused = st.query_params.get(key), None
        if raw is not None and len(raw) > 40 * MAX_VECTOR:
            refused = f"is {len(raw):,} characters long, more than {MAX_VECTOR} numbers need"
        elif raw is not None and raw.count(",") >= MAX_VECTOR:
            refused = f"has more than {MAX_VECTOR} numbers, the most that are worked by hand"
        st.session_state[key] = example if raw is None or refused else clean(raw, 40 * MAX_VECTOR)
        st.session_state[key + "_refused"] = refused
    refused = st.session_state.get(key + "_refused")
    if refused and st.session_state[key] == example:
        st.warning(f"The link's {what} {refused}, so its box shows {example} instead.")


def _swap() -> None:
    st.session_state["twins_h1"], st.session_state["twins_h2"] = (st.session_state["twins_h2"],
                                                                  st.session_state["twins_h1"])
    st.session_state["twins_swaps"] = st.session_state.get("twins_swaps", 0) + 1


def l1_inputs() -> tuple[str, str, str, float]:
    """Text boxes for h1, h2 and α (the workshop's example by default, or the URL's) and the bias b."""
    for key, what, default in (("twins_h1", "h1", WORKSHOP_H1), ("twins_h2", "h2", WORKSHOP_H2),
                               ("twins_alpha", "α", (-1.0,))):
        _vec_state(key, what, default)
    c1, c2, c3, c4 = st.columns([3, 3, 2, 1])
    h1_text = c1.text_input("Features h1 of image 1", key="twins_h1")
    h2_text = c2.text_input("Features h2 of image 2", key="twins_h2")
    alpha_text = c3.text_input("Weights α (one number = the same α for all)", key="twins_alpha")
    bias = c4.number_input("Bias b", -20.0, 20.0, url_float("b", 3.0, -20.0, 20.0), 0.5, key="twins_bias")
    st.button("⇄ Swap h1 and h2", on_click=_swap, key="twins_swap")
    set_url(twins_h1=h1_text, twins_h2=h2_text, twins_alpha=alpha_text, b=bias)
    return h1_text, h2_text, alpha_text, bias


def swaps() -> int:
    return st.session_state.get("twins_swaps", 0)


def minibatch_run(batch_size: int, optimizer: str) -> None:
    """A "Train 60 steps" button that queues a real run; once it is done, its curve and accuracy."""
    runs = st.session_state.setdefault(RUNS, {})
    if st.button("Train 60 steps with this batch size", key="twins_train"):
        name = f"60 steps · batch {batch_size} · {optimizer}"
        if training_jobs.start(minibatch_config(batch_size, optimizer), name, key=JOB, n_projection=100):
            st.session_state[PENDING] = (batch_size, optimizer)
    done = run_follow.follow(JOB)
    if done is not None:
        runs[st.session_state.pop(PENDING)] = done
    run = runs.get((batch_size, optimizer))
    if run is None:
        if runs:
            st.caption("No run with this batch size and optimizer yet: press the button to train one.")
        return
    st.plotly_chart(training_curves(run.history, run.val_history, smooth=5))
    st.markdown(f"Validation pair accuracy after 60 steps: **{run.metrics['val_accuracy']:.3f}** "
                f"(test AUC {run.metrics['auc']:.3f}).")
    st.caption("The project's Trainer always draws shuffled P×K batches (P classes × 2 images each), so the "
               "shuffle switch above changes the picture, not this run. Small batches: noisier curve, more "
               "updates per epoch; large batches: smoother but each step costs more.")
