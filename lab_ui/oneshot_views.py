"""One-shot-page pieces: the task (a query the student picks, draws or uploads, beside the support set), the
network's pick, a task made of the student's own characters, and the measured results read from assets/."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import streamlit as st
import torch
from PIL import Image

from siamese_core.explain.oneshot_demo import drawing_to_ink, score_task
from siamese_core.vision.uploads import MAX_MB, UploadError, read_image
from siamese_core.viz import figures

from .plain_text import SENTENCE, shown
from .url_state import set_url, url_choice, url_int

QUERY_SOURCES = ["a drawing from the dataset", "draw it yourself", "upload a drawing"]


def _canvas():
    """streamlit-drawable-canvas's st_canvas, or None when it is not installed."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except ImportError:
        return None
    return st_canvas


def _from_canvas(image_data) -> torch.Tensor:
    rgba = Image.fromarray(np.asarray(image_data, dtype=np.uint8), "RGBA")
    return drawing_to_ink(rgba)


def task_and_query(task, task_query: torch.Tensor, support_images: torch.Tensor
                   ) -> tuple[torch.Tensor, int | None] | None:
    """The query on the left — the task's own drawing (`task_query`, its 105×105 original), a canvas to draw
    on, or an upload — and the support set on the right, so a drawing is copied from the characters beside it.
    (query, answer) (answer None: unknown); None, with the reason shown, while the student has not given one."""
    source = st.radio("Query", QUERY_SOURCES, horizontal=True, key="oneshot_source",
                      index=QUERY_SOURCES.index(url_choice("query", QUERY_SOURCES, QUERY_SOURCES[0])))
    set_url(query=source)
    if source == "draw it yourself":
        st.caption("Copy one of the support characters on the right with the mouse, then see which one the "
                   "network picks.")
    left, right = st.columns([1, 3])
    with right:
        _support_set(support_images, task.class_names)
    with left:
        if source == QUERY_SOURCES[0]:
            _query_image(task_query)
            return task_query, task.answer
        return _drawn_query() if source == "draw it yourself" else _uploaded_query()


def _query_image(query: torch.Tensor) -> None:
    st.markdown("**Query**")
    st.image(1.0 - query[0, 0].numpy(), width=110, clamp=True,
             alt="The query: a handwritten character to match with one of the support drawings")


def _drawn_query() -> tuple[torch.Tensor, None] | None:
    canvas = _canvas()
    if canvas is None:
        st.warning("The drawing canvas (streamlit-drawable-canvas) is not installed: upload a drawing instead.")
        return None
    st.markdown("**Your query**")
    st.space("medium")  # the canvas's toolbar shows above it: over this space, not over any text
    drawn = canvas(stroke_width=8, stroke_color="#000000", background_color="#ffffff", height=210, width=210,
                   return_image_data=True, key="oneshot_canvas")
    image = drawn.image_data if drawn is not None else None
    if image is None or not (np.asarray(image)[..., :3] < 128).any():
        st.info("Draw a character on the canvas.")
        return None
    return _from_canvas(image), None


def _uploaded_query() -> tuple[torch.Tensor, None] | None:
    upload = st.file_uploader("A photo or scan of one character (PNG, JPEG…)", key="oneshot_upload",
                              max_upload_size=MAX_MB)
    if upload is None:
        st.info("Upload a drawing of one character.")
        return None
    try:
        # decoded no larger than 4× the 105-pixel drawing it becomes
        query = drawing_to_ink(read_image(upload.getvalue(), max_side=420))
    except (UploadError, ValueError, MemoryError) as exc:
        st.error(shown(str(exc) or "The image needs more memory than an upload may use.", SENTENCE))
        return None
    _query_image(query)
    return query, None


def _support_set(support_images: torch.Tensor, class_names: list[str], per_row: int = 10) -> None:
    """The support set, ink dark, numbered from 1 (the number is the way); `class_names` (as
    "Alphabet/characterNN") name each drawing's character for a screen reader."""
    st.markdown("**Support set** (one drawing per character; the number is the way)")
    n_way = len(support_images)
    for start in range(0, n_way, per_row):
        cols = st.columns(per_row)
        for k in range(start, min(n_way, start + per_row)):
            alphabet, _, character = class_names[k].replace("_", " ").rpartition("/")
            cols[k - start].image(1.0 - support_images[k, 0].numpy(), caption=str(k + 1), clamp=True,
                                  width="stretch", alt=f"Support drawing {k + 1}: handwritten "
                                  f"{character.replace('character', 'character ')} of the {alphabet} alphabet")


def network_pick(model, support_images: torch.Tensor, query: torch.Tensor, answer: int | None, task_key,
                 tally: dict) -> int:
    """The network's scores for the query and its pick, right or wrong where the answer is known (each task
    `task_key` counted once in this network's `tally`, however often the page reruns); returns the pick."""
    result = score_task(model, support_images, query)  # the 105×105 originals, prepared as any input
    decision, p = result["decision"], result["probability"]
    st.plotly_chart(figures.oneshot_scores(p, decision, answer, title="p(c | x): the query against each support "
                                           "image"), width="stretch")
    if answer is None:
        st.info(f"The network picks support **#{decision + 1}** (score {p[decision]:.3f}). "
                "Is that the character you drew?")
        return decision
    right_answer = decision == answer
    if task_key not in tally["seen"]:
        tally["seen"].add(task_key)
        tally["tasks"] += 1
        tally["right"] += int(right_answer)
    verdict = "right ✅" if right_answer else f"wrong ❌ (the query is character #{answer + 1})"
    (st.success if right_answer else st.error)(
        f"The network picks support **#{decision + 1}** with p = {p[decision]:.3f}: {verdict}")
    return decision


def own_characters(model) -> None:
    """An expander where the student draws a support set of their own and a query."""
    with st.expander("Invent your own characters: draw a support set and a query"):
        st.markdown("Draw a few characters nobody has seen — your own alphabet — one per box, then draw one of "
                    "them again in the query box. The network has never seen them either.")
        canvas = _canvas()
        if canvas is None:
            st.warning("The drawing canvas (streamlit-drawable-canvas) is not installed.")
            return
        k_own = st.slider("Support characters", 2, 5, url_int("own", 3, 2, 5), key="oneshot_own_k")
        set_url(own=k_own)
        drawn = []
        for k, box in enumerate(st.columns(k_own + 1)):
            with box:
                st.markdown(f"**{'query' if k == k_own else f'#{k + 1}'}**")
                c = canvas(stroke_width=8, stroke_color="#000000", background_color="#ffffff", height=150,
                           width=150, return_image_data=True, key=f"oneshot_own_{k}")
                drawn.append(None if c is None else c.image_data)
        try:
            own = [_from_canvas(d) for d in drawn if d is not None]
            if len(own) < k_own + 1:
                raise ValueError("Draw in every box first.")
            mine = score_task(model, torch.cat(own[:k_own]), own[k_own])
            st.plotly_chart(figures.oneshot_scores(mine["probability"], mine["decision"], None,
                                                   title="Your query against your characters"))
            st.info(f"The network says your query is character **#{mine['decision'] + 1}** "
                    f"(p = {mine['probability'][mine['decision']]:.3f}).")
        except ValueError as exc:
            st.caption(str(exc))


def measured_results(report_path: Path, model_name: str) -> None:
    """The shipped one-shot report: official runs, MNIST transfer, verification, accuracy versus N."""
    if not report_path.is_file():
        st.info(f"No results file yet: run `python -m siamese_core oneshot-report assets/{model_name} "
                f"--out assets/{report_path.name}`.")
        return
    report = json.loads(report_path.read_text())
    paper, runs, mnist, ver = report["paper"], report["official_runs"], report["mnist"], report["verification"]
    m1, m2, m3 = st.columns(3)
    m1.metric("Omniglot 20-way, official 20 runs", f"{100 * runs['accuracy']:.1f} %",
              f"{100 * (runs['accuracy'] - paper['official_runs_accuracy']):+.1f} pts vs Koch "
              f"{100 * paper['official_runs_accuracy']:.1f} %")
    m2.metric(f"MNIST {mnist['n_way']}-way transfer ({mnist['tasks']} tasks)", f"{100 * mnist['accuracy']:.1f} %",
              f"{100 * (mnist['accuracy'] - paper['mnist_accuracy']):+.1f} pts vs Koch "
              f"{100 * paper['mnist_accuracy']:.1f} %")
    m3.metric("Omniglot verification (pairs)", f"{100 * ver['accuracy']:.1f} %",
              f"{100 * (ver['accuracy'] - paper['verification_accuracy']):+.1f} pts vs Koch "
              f"{100 * paper['verification_accuracy']:.2f} %")
    st.markdown(f"1-nearest-neighbour on the pixels of the same tasks, drawn as the network reads them: "
                f"**{100 * runs['pixel_1nn_accuracy']:.1f} %** (official runs), "
                f"**{100 * mnist['pixel_1nn_accuracy']:.1f} %** (MNIST). Humans reach "
                f"{100 * paper['human']:.1f} % on the official runs.")
    st.plotly_chart(figures.accuracy_versus_n(report["accuracy_vs_n"], paper, runs["accuracy"],
                                              title="N-way one-shot within one test alphabet (random tasks)"),
                    width="stretch")
    st.caption(f"From `{report['command']}` ({report['accuracy_vs_n'][0]['tasks']} tasks per N, seed "
               f"{report['seed']}).")
