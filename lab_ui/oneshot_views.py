"""One-shot-page pieces: a query the student draws or uploads, the task's images, a task made of the
student's own characters, and the measured results read from assets/."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import streamlit as st
import torch
from PIL import Image

from siamese_core.explain.oneshot_demo import drawing_to_ink, score_task
from siamese_core.service.uploads import MAX_MB, UploadError, read_image
from siamese_core.viz import figures

from .plain_text import SENTENCE, shown

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


def query_input(task, task_query: torch.Tensor) -> tuple[torch.Tensor, int | None] | None:
    """(query, answer), a 105×105 drawing: the task's own query (`task_query`, its original), a drawing or
    an upload (answer None: unknown); None, with the reason shown, while the student has not given one yet."""
    source = st.radio("Query", QUERY_SOURCES, horizontal=True, key="oneshot_source")
    if source == QUERY_SOURCES[0]:
        return task_query, task.answer
    if source == "draw it yourself":
        canvas = _canvas()
        if canvas is None:
            st.warning("The drawing canvas (streamlit-drawable-canvas) is not installed: upload a drawing instead.")
            return None
        st.caption("Copy one of the support characters below with the mouse, then see which one the network picks.")
        drawn = canvas(stroke_width=8, stroke_color="#000000", background_color="#ffffff", height=210, width=210,
                       return_image_data=True, key="oneshot_canvas")
        image = drawn.image_data if drawn is not None else None
        if image is None or not (np.asarray(image)[..., :3] < 128).any():
            st.info("Draw a character on the canvas.")
            return None
        return _from_canvas(image), None
    upload = st.file_uploader("A photo or scan of one character (PNG, JPEG…)", key="oneshot_upload",
                              max_upload_size=MAX_MB)
    if upload is None:
        st.info("Upload a drawing of one character.")
        return None
    try:
        # decoded no larger than 4× the 105-pixel drawing it becomes
        return drawing_to_ink(read_image(upload.getvalue(), max_side=420)), None
    except (UploadError, ValueError, MemoryError) as exc:
        st.error(shown(str(exc) or "The image needs more memory than an upload may use.", SENTENCE))
        return None


def task_images(query_image, support_images, class_names: list[str]) -> None:
    """The query on the left, the support set (ink dark, numbered from 1) on the right; `class_names` (as
    "Alphabet/characterNN") name each support drawing's character for a screen reader."""
    n_way = len(class_names)
    left, right = st.columns([1, 4])
    with left:
        st.markdown("**Query**")
        st.image(1.0 - query_image.numpy(), width=110, clamp=True,
                 alt=f"The query: a handwritten character to match with one of the {n_way} support drawings")
    with right:
        st.markdown("**Support set** (one drawing per character; the number is the way)")
        per_row = 10
        for start in range(0, n_way, per_row):
            cols = st.columns(per_row)
            for k in range(start, min(n_way, start + per_row)):
                alphabet, _, character = class_names[k].replace("_", " ").rpartition("/")
                cols[k - start].image(1.0 - support_images[k, 0].numpy(), caption=str(k + 1), clamp=True,
                                      width="stretch", alt=f"Support drawing {k + 1}: handwritten "
                                      f"{character.replace('character', 'character ')} of the {alphabet} alphabet")


def own_characters(model) -> None:
    """An expander where the student draws a support set of their own and a query."""
    with st.expander("Invent your own characters: draw a support set and a query"):
        st.markdown("Draw a few characters nobody has seen — your own alphabet — one per box, then draw one of "
                    "them again in the query box. The network has never seen them either.")
        canvas = _canvas()
        if canvas is None:
            st.warning("The drawing canvas (streamlit-drawable-canvas) is not installed.")
            return
        k_own = st.slider("Support characters", 2, 5, 3, key="oneshot_own_k")
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
