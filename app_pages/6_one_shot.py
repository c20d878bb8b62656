"""One-shot learning: N-way tasks on Omniglot alphabets the network never saw, your own drawings,
Koch's affine distortions, and the measured results against the paper."""
import json

import numpy as np
import streamlit as st
import torch

from lab_ui import shared
from lab_ui.layout import notice
from lab_ui.url_state import set_url, url_choice, url_int
from siamese_core.viz import figures
from siamese_core.data.augment import KochAffine
from siamese_core.data import DatasetNotFoundError, resolve_data_dir
from siamese_core.data.omniglot import native_images
from siamese_core.explain.oneshot_demo import draw_task, drawing_to_ink, score_task, to_model_size
from siamese_core.service.uploads import UploadError, read_image

MODEL = "oneshot-omniglot.pt"
REPORT = shared.ASSETS / "one-shot-report.json"
RANDOM, MIXED = "a random alphabet", "all alphabets mixed"

st.title("One-shot learning")
st.markdown(
    "A new character appears: you get **one** drawing of it, and must recognise another drawing of the same "
    "character among others. A classifier cannot do this (it has no output for a class it never saw). A "
    "Siamese network can: it learned on 30 *other* alphabets how alike two drawings are, so an **N-way "
    "one-shot task** — one support image for each of N new characters, and a query — is solved by "
    "comparing the query with each support image and picking the most similar (Koch et al. 2015):")
st.latex(r"C^{*} = \arg\max_{c \in \{1..N\}} \; s(x, x_c), \qquad s(x, x_c) = -\lVert f(x) - f(x_c) \rVert,"
         r"\qquad p(c \mid x) = \frac{e^{-\lVert f(x) - f(x_c)\rVert^2}}{\sum_{k} e^{-\lVert f(x) - f(x_k)\rVert^2}}")
st.caption("The network here is the shipped checkpoint `assets/oneshot-omniglot.pt`, trained only on the "
           "background alphabets; the tasks below come from the 20 evaluation alphabets. Its training "
           "made every batch a small one-shot task (prototypical loss), so p(c | x) is the probability it learned "
           "to output.")

try:
    model = shared.asset_model(MODEL)
    data = shared.dataset("omniglot", "evaluation", tuple(model.input_size))
except (FileNotFoundError, DatasetNotFoundError) as exc:
    st.error(f"{exc}")
    st.info("This page needs Omniglot (`python -m siamese_core download omniglot`, or set SIAMESE_LAB_DATA "
            "to a folder holding it) and the shipped model in assets/.")
    st.stop()

alphabets = sorted(set(data.alphabets))
size = {a: data.alphabets.count(a) for a in alphabets}

# --- the task ---------------------------------------------------------------------------------------
st.header("An N-way one-shot task")
c1, c2, c3 = st.columns([2, 2, 1])
n_way = c1.slider("N (ways)", 2, 40, url_int("n", 20, 2, 40), key="oneshot_n")
choice = c2.selectbox("Alphabet", [RANDOM, MIXED, *alphabets],
                      index=[RANDOM, MIXED, *alphabets].index(url_choice("alphabet", [RANDOM, MIXED, *alphabets],
                                                                         RANDOM)), key="oneshot_alphabet")
set_url(n=n_way, alphabet=choice)
st.session_state.setdefault("oneshot_seed", 0)
st.session_state.setdefault("oneshot_tally", {"tasks": 0, "right": 0})
st.session_state.setdefault("oneshot_seen", set())
c3.write("")
if c3.button("New task", type="primary"):
    st.session_state.oneshot_seed += 1
seed = st.session_state.oneshot_seed

rng = np.random.default_rng(seed)
if choice == RANDOM:
    fits = [a for a in alphabets if size[a] >= n_way]
    if not fits:
        st.warning(f"No alphabet has {n_way} characters (the largest has {max(size.values())}); "
                   "choose a smaller N or mix all alphabets.")
        st.stop()
    alphabet = fits[int(rng.integers(len(fits)))]
elif choice == MIXED:
    alphabet = None
else:
    alphabet = choice
    if size[alphabet] < n_way:
        st.warning(f"{alphabet} has only {size[alphabet]} characters: choose N ≤ {size[alphabet]}, "
                   "or another alphabet.")
        st.stop()
task = draw_task(data, n_way, seed, alphabet)

source = st.radio("Query", ["a drawing from the dataset", "draw it yourself", "upload a drawing"],
                  horizontal=True, key="oneshot_source")
query, answer = task.query, task.answer
if source == "draw it yourself":
    try:
        from streamlit_drawable_canvas import st_canvas
    except ImportError:
        st.warning("The drawing canvas (streamlit-drawable-canvas) is not installed: upload a drawing instead.")
        st.stop()
    st.caption("Copy one of the support characters below with the mouse, then see which one the network picks.")
    canvas = st_canvas(stroke_width=8, stroke_color="#000000", background_color="#ffffff", height=210, width=210,
                       return_image_data=True, key="oneshot_canvas")
    image = canvas.image_data if canvas is not None else None
    if image is None or not (np.asarray(image)[..., :3] < 128).any():
        st.info("Draw a character on the canvas.")
        st.stop()
    from PIL import Image
    query, answer = to_model_size(drawing_to_ink(Image.fromarray(np.asarray(image, dtype=np.uint8), "RGBA")),
                                  model.input_size), None
elif source == "upload a drawing":
    upload = st.file_uploader("A photo or scan of one character (PNG, JPEG…)", key="oneshot_upload")
    if upload is None:
        st.info("Upload a drawing of one character.")
        st.stop()
    try:
        query = to_model_size(drawing_to_ink(read_image(upload.getvalue())), model.input_size)
        answer = None
    except (UploadError, ValueError) as exc:
        st.error(str(exc))
        st.stop()

result = score_task(model, task.support, query)
decision = result["decision"]
where = alphabet or "several alphabets"
st.markdown(f"**{n_way}-way task from {where.replace('_', ' ')}** (task #{seed}).")

root = resolve_data_dir()
support_native = native_images(root, "evaluation", task.support_rows)
left, right = st.columns([1, 4])
with left:
    st.markdown("**Query**")
    shown = native_images(root, "evaluation", [task.query_row])[0, 0] if answer is not None else query[0, 0]
    st.image(1.0 - shown.numpy(), width=110, clamp=True)
with right:
    st.markdown("**Support set** (one drawing per character; the number is the way)")
    per_row = 10
    for start in range(0, n_way, per_row):
        cols = st.columns(per_row)
        for k in range(start, min(n_way, start + per_row)):
            cols[k - start].image(1.0 - support_native[k, 0].numpy(), caption=str(k + 1), clamp=True,
                                  width="stretch")

st.plotly_chart(figures.oneshot_scores(result["probability"], decision, answer,
                                       title="p(c | x): the query against each support image"),
                width="stretch")
if answer is None:
    st.info(f"The network picks support **#{decision + 1}** (score {result['probability'][decision]:.3f}). "
            "Is that the character you drew?")
else:
    right_answer = decision == answer
    key = (seed, n_way, alphabet)
    if key not in st.session_state.oneshot_seen:  # count each task once, however often the page reruns
        st.session_state.oneshot_seen.add(key)
        st.session_state.oneshot_tally["tasks"] += 1
        st.session_state.oneshot_tally["right"] += int(right_answer)
    verdict = "right ✅" if right_answer else f"wrong ❌ (the query is character #{answer + 1})"
    (st.success if right_answer else st.error)(
        f"The network picks support **#{decision + 1}** with p = {result['probability'][decision]:.3f}: {verdict}")
tally = st.session_state.oneshot_tally
t1, t2 = st.columns(2)
t1.metric("Your tasks so far", tally["tasks"])
t2.metric("Network right", f"{tally['right']} / {tally['tasks']}",
          f"{100 * tally['right'] / tally['tasks']:.0f} %" if tally["tasks"] else None, delta_color="off")

# --- a task made of the student's own characters --------------------------------------------------------
with st.expander("Invent your own characters: draw a support set and a query"):
    st.markdown("Draw a few characters nobody has seen — your own alphabet — one per box, then draw one of "
                "them again in the query box. The network has never seen them either.")
    try:
        from streamlit_drawable_canvas import st_canvas as own_canvas
    except ImportError:
        own_canvas = None
        st.warning("The drawing canvas (streamlit-drawable-canvas) is not installed.")
    if own_canvas is not None:
        from PIL import Image
        k_own = st.slider("Support characters", 2, 5, 3, key="oneshot_own_k")
        boxes = st.columns(k_own + 1)
        drawn = []
        for k in range(k_own + 1):
            with boxes[k]:
                st.markdown(f"**{'query' if k == k_own else f'#{k + 1}'}**")
                c = own_canvas(stroke_width=8, stroke_color="#000000", background_color="#ffffff", height=150,
                               width=150, return_image_data=True, key=f"oneshot_own_{k}")
                drawn.append(None if c is None else c.image_data)
        try:
            own = [to_model_size(drawing_to_ink(Image.fromarray(np.asarray(d, dtype=np.uint8), "RGBA")),
                                 model.input_size) for d in drawn if d is not None]
            if len(own) < k_own + 1:
                raise ValueError("Draw in every box first.")
            mine = score_task(model, torch.cat(own[:k_own]), own[k_own])
            st.plotly_chart(figures.oneshot_scores(mine["probability"], mine["decision"], None,
                                                   title="Your query against your characters"))
            st.info(f"The network says your query is character **#{mine['decision'] + 1}** "
                    f"(p = {mine['probability'][mine['decision']]:.3f}).")
        except ValueError as exc:
            st.caption(str(exc))

# --- Koch's distortions ------------------------------------------------------------------------------
st.header("Koch's affine distortions")
st.markdown("Koch et al. enlarged their training set by showing every pair 8 more times, each through a random "
            "affine map: rotation θ ∈ [−10°, 10°], shear ρ ∈ [−0.3, 0.3], scale s ∈ [0.8, 1.2], translation "
            "t ∈ [−2, 2] px, each part switched on with probability ½.")
st.latex(r"T = \begin{pmatrix}\cos\theta & -\sin\theta\\ \sin\theta & \cos\theta\end{pmatrix}"
         r"\begin{pmatrix}1 & \rho_x\\ \rho_y & 1\end{pmatrix}\begin{pmatrix}s_x & 0\\ 0 & s_y\end{pmatrix},"
         r"\qquad x' = T x + t")
original = support_native[answer if answer is not None else decision:][:1]
g = torch.Generator().manual_seed(seed)
distorted, params = KochAffine()(original.expand(8, -1, -1, -1).contiguous(), g)
cols = st.columns(9)
cols[0].image(1.0 - original[0, 0].numpy(), caption="original", clamp=True, width="stretch")
for k in range(8):
    cols[k + 1].image(1.0 - distorted[k, 0].numpy(), caption=f"copy {k + 1}", clamp=True, width="stretch")
st.dataframe([{"copy": k + 1, **{n: round(v, 3) for n, v in p.as_dict().items()}} for k, p in enumerate(params)],
             hide_index=True, width="stretch")

# --- measured results -------------------------------------------------------------------------------
st.header("How good is it? Measured on held-out alphabets")
if not REPORT.is_file():
    st.info(f"No results file yet: run `python -m siamese_core oneshot-report assets/{MODEL} "
            f"--out assets/{REPORT.name}`.")
else:
    report = json.loads(REPORT.read_text())
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
    st.markdown(f"1-nearest-neighbour on pixels on the same tasks: **{100 * runs['pixel_1nn_accuracy']:.1f} %** "
                f"(official runs), **{100 * mnist['pixel_1nn_accuracy']:.1f} %** (MNIST). Humans reach "
                f"{100 * paper['human']:.1f} % on the official runs.")
    st.plotly_chart(figures.accuracy_versus_n(report["accuracy_vs_n"], paper, runs["accuracy"],
                                              title="N-way one-shot within one test alphabet (random tasks)"),
                    width="stretch")
    st.caption(f"From `{report['command']}` ({report['accuracy_vs_n'][0]['tasks']} tasks per N, seed "
               f"{report['seed']}).")

notice("- The network never saw these alphabets: it learned a *similarity*, not a list of classes.\n"
       "- Tasks get harder as N grows, but far slower for the network than for raw pixels (1-NN).\n"
       "- Characters of one alphabet look alike, so within-alphabet tasks are harder than mixed ones — "
       "try \"all alphabets mixed\".\n"
       "- Draw a character: the canvas drawing goes through the same steps as the data (binarised at "
       "105×105, ink bright, shrunk to the network's input size).\n"
       "- The MNIST figure is pure transfer: trained on Omniglot strokes, tested on digits that are first "
       "redrawn with Omniglot's pen (binarised at 105×105, thinned to a skeleton, drawn again 5 px wide); "
       "the 1-NN baseline sees the same redrawn digits.")
