"""One-shot learning: N-way tasks on Omniglot alphabets the network never saw, your own drawings,
Koch's affine distortions, and the measured results against the paper."""
import numpy as np
import streamlit as st
import torch

from lab_ui import oneshot_training, shared
from lab_ui.layout import notice
from lab_ui.oneshot_live import SHIPPED_MODEL as MODEL
from lab_ui.oneshot_views import (
    measured_results,
    network_pick,
    own_characters,
    task_and_query,
)
from lab_ui.url_state import set_url, url_choice, url_int
from siamese_core.data import DatasetNotFoundError, resolve_data_dir
from siamese_core.data.augment import KochAffine
from siamese_core.data.omniglot import native_images
from siamese_core.explain.oneshot_demo import draw_task
from siamese_core.lessons import notice_text

REPORT = shared.ASSETS / "one-shot-report.json"
RANDOM, MIXED = "a random alphabet", "all alphabets mixed"
MAX_TASK = 1_000_000  # task numbers (seeds) a link may name

st.title("One-shot learning")
st.markdown(
    "A new character appears: you get **one** drawing of it, and must recognise another drawing of the same "
    "character among others. A classifier cannot do this (it has no output for a class it never saw). A "
    "Siamese network can: it learned on 30 *other* alphabets how alike two drawings are, so an **N-way "
    "one-shot task** — one support image for each of N new characters, and a query — is solved by "
    "comparing the query with each support image and picking the most similar (Koch et al. 2015):")
st.latex(r"C^{*} = \arg\max_{c \in \{1..N\}} \; s(x, x_c), \qquad s(x, x_c) = -\lVert f(x) - f(x_c) \rVert,"
         r"\qquad p(c \mid x) = \frac{e^{-\lVert f(x) - f(x_c)\rVert^2}}{\sum_{k} e^{-\lVert f(x) - f(x_k)\rVert^2}}")
st.caption("The network here is the shipped checkpoint `assets/oneshot-omniglot.pt` (or yours, once you have "
           "trained one below and chosen it): two twins trained apart with different seeds and used as one, "
           "trained only on the background alphabets; the tasks below come from the 20 evaluation alphabets. Its "
           "training made every batch a small one-shot task (prototypical loss), so p(c | x) is the probability it "
           "learned to output. It reads every drawing, its training drawings and yours alike, redrawn with "
           "Omniglot's pen, upright and centred, so a thick marker or a slanted hand does not change what it sees.")

try:
    shipped = shared.asset_model(MODEL)
    data = shared.dataset("omniglot", "evaluation", tuple(shipped.input_size))
except (FileNotFoundError, DatasetNotFoundError) as exc:
    st.error(f"{exc}")
    st.info("This page needs Omniglot (`python -m siamese_core download omniglot`, or set SIAMESE_LAB_DATA "
            "to a folder holding it) and the shipped model in assets/.")
    st.stop()

model = oneshot_training.section(shipped)  # the network every part below uses: the shipped one, or the student's

alphabets = sorted(set(data.alphabets))
size = {a: data.alphabets.count(a) for a in alphabets}

# --- the task ---------------------------------------------------------------------------------------
st.header("An N-way one-shot task")
if model is not shipped:
    st.caption("Your own network scores this task and your drawings below (the choice is in the section above).")
c1, c2, c3 = st.columns([2, 2, 1])
n_way = c1.slider("N (ways)", 2, 40, url_int("n", 20, 2, 40), key="oneshot_n")
choice = c2.selectbox("Alphabet", [RANDOM, MIXED, *alphabets],
                      index=[RANDOM, MIXED, *alphabets].index(url_choice("alphabet", [RANDOM, MIXED, *alphabets],
                                                                         RANDOM)), key="oneshot_alphabet")
st.session_state.setdefault("oneshot_seed", url_int("task", 0, 0, MAX_TASK))
# One tally per network (the shipped one, the student's): a task the shipped network got right says nothing of theirs.
tally = st.session_state.setdefault("oneshot_tallies", {}).setdefault(id(model), {"tasks": 0, "right": 0,
                                                                                   "seen": set()})
c3.write("")
if c3.button("New task", type="primary", key="oneshot_new_task"):
    st.session_state.oneshot_seed = (st.session_state.oneshot_seed + 1) % (MAX_TASK + 1)
seed = st.session_state.oneshot_seed
set_url(n=n_way, alphabet=choice, task=seed)

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

root = resolve_data_dir()
support_native = native_images(root, "evaluation", task.support_rows)
where = alphabet or "several alphabets"
st.markdown(f"**{n_way}-way task from {where.replace('_', ' ')}** (task #{seed}).")
picked = task_and_query(task, native_images(root, "evaluation", [task.query_row]), support_native)
answer = decision = None
if picked is not None:  # else no query yet, or an upload that is not a drawing: the reason is shown beside
    query, answer = picked
    decision = network_pick(model, support_native, query, answer, (seed, n_way, alphabet), tally)
t1, t2 = st.columns(2)
t1.metric("Your tasks so far", tally["tasks"])
t2.metric("Network right", f"{tally['right']} / {tally['tasks']}",
          f"{100 * tally['right'] / tally['tasks']:.0f} %" if tally["tasks"] else None, delta_color="off")

own_characters(model)

# --- Koch's distortions ------------------------------------------------------------------------------
st.header("Koch's affine distortions")
st.markdown("Koch et al. enlarged their training set by showing every pair 8 more times, each through a random "
            "affine map: rotation θ ∈ [−10°, 10°], shear ρ ∈ [−0.3, 0.3], scale s ∈ [0.8, 1.2], translation "
            "t ∈ [−2, 2] px, each part switched on with probability ½.")
st.latex(r"T = \begin{pmatrix}\cos\theta & -\sin\theta\\ \sin\theta & \cos\theta\end{pmatrix}"
         r"\begin{pmatrix}1 & \rho_x\\ \rho_y & 1\end{pmatrix}\begin{pmatrix}s_x & 0\\ 0 & s_y\end{pmatrix},"
         r"\qquad x' = T x + t")
original = support_native[answer if answer is not None else decision or 0:][:1]
g = torch.Generator().manual_seed(seed)
distorted, params = KochAffine()(original.expand(8, -1, -1, -1).contiguous(), g)
cols = st.columns(9)
cols[0].image(1.0 - original[0, 0].numpy(), caption="original", clamp=True, width="stretch",
              alt="The support drawing the copies are made from")
for k in range(8):
    cols[k + 1].image(1.0 - distorted[k, 0].numpy(), caption=f"copy {k + 1}", clamp=True, width="stretch",
                      alt=f"Copy {k + 1} of that drawing, distorted by the parameters of copy {k + 1} in the table")
st.dataframe([{"copy": k + 1, **{n: round(v, 3) for n, v in p.as_dict().items()}} for k, p in enumerate(params)],
             hide_index=True, width="stretch")

# --- measured results -------------------------------------------------------------------------------
st.header("How good is it? Measured on held-out alphabets")
measured_results(REPORT, MODEL)

notice(notice_text("one-shot"))
