"""Siamese twins & the L1 layer: one network used twice, |h1 − h2|, σ, p(same), and the BCE loss."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch

from lab_ui.layout import available_datasets, notice
from lab_ui.shared import asset_model, dataset
from lab_ui.url_state import set_url, url_choice, url_float
from siamese_core import Callback, Trainer
from siamese_core.explain.architecture import ARCHITECTURES, summarize, twin_dot
from siamese_core.viz.conv_figures import bar_vector
from siamese_core.viz.figures import DIFF_COLOUR, SAME_COLOUR, TEMPLATE, image_grid, training_curves
from siamese_core.explain.l1_layer import WORKSHOP_H1, WORKSHOP_H2, compare_measures, explain_pair, parse_vector, weighted_l1
from siamese_core.losses.pair_bce_loss import bce
from siamese_core.explain.minibatch import class_mix, epoch_batches, minibatch_config, same_pair_share
from siamese_core.data.sampling import sample_pairs

PAIR_MODEL = "mnist_koch_l1.pt"

st.title("Siamese twins & the L1 layer")
st.markdown("A Siamese network is **one** embedding network used **twice** (Bromley & LeCun 1993 for "
            "signatures; Koch, Zemel & Salakhutdinov 2015 for one-shot images). Both images go through the "
            "same weights, so similar images get similar features and swapping the inputs cannot change "
            "the answer. Koch's **L1 layer** then weighs the component-wise differences:")
st.latex(r"p(\text{same}) = \sigma\Big(\sum_j \alpha_j\, \lvert h_{1j} - h_{2j} \rvert + b\Big),"
         r"\qquad \sigma(z) = \frac{1}{1 + e^{-z}}")


# --- 1. the architecture ------------------------------------------------------------------------
@st.cache_data(show_spinner="Building the network to count its parameters…")
def architecture(name: str):
    summary = summarize(name, ARCHITECTURES[name])
    return summary, twin_dot(summary, SAME_COLOUR, DIFF_COLOUR)


st.subheader("1 · Two twins, one set of weights")
names = list(ARCHITECTURES)
arch = st.radio("Network", names, horizontal=True, index=names.index(url_choice("arch", names, names[0])),
                key="twins_arch")
set_url(arch=arch)
summary, dot = architecture(arch)
a1, a2, a3 = st.columns(3)
a1.metric("Parameters of the twin (stored once)", f"{summary.twin_parameters:,}")
a2.metric("L1 head (α and b)", f"{summary.head_parameters:,}")
a3.metric("Whole Siamese network", f"{summary.total_parameters:,}")
if summary.bn_statistics:
    st.caption(f"Plus {summary.bn_statistics:,} batch-norm running statistics (buffers, not trained); Keras "
               f"counts them too: {summary.twin_parameters + summary.bn_statistics:,}.")
d1, d2 = st.columns([3, 2])
d1.graphviz_chart(dot)
d2.dataframe(pd.DataFrame([{"layer": r.layer, "output": "×".join(map(str, r.output_shape)),
                            "parameters": f"{r.parameters:,}"} for r in summary.rows]), hide_index=True,
             height=420)
d2.caption("Computed from the real `SiameseNet` by running one image through it; both twins are the "
           "same `model.twin` module, so two twins cost the parameters of one.")

# --- 2. the L1 layer by hand -------------------------------------------------------------------
st.subheader("2 · The L1 layer by hand")


def _vec_state(key: str, default) -> None:
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(key, ", ".join(f"{v:g}" for v in default))


def _swap() -> None:
    st.session_state["twins_h1"], st.session_state["twins_h2"] = (st.session_state["twins_h2"],
                                                                  st.session_state["twins_h1"])
    st.session_state["twins_swaps"] = st.session_state.get("twins_swaps", 0) + 1


for key, default in (("twins_h1", WORKSHOP_H1), ("twins_h2", WORKSHOP_H2), ("twins_alpha", (-1.0,))):
    _vec_state(key, default)
c1, c2, c3, c4 = st.columns([3, 3, 2, 1])
h1_text = c1.text_input("Features h1 of image 1", key="twins_h1")
h2_text = c2.text_input("Features h2 of image 2", key="twins_h2")
alpha_text = c3.text_input("Weights α (one number = the same α for all)", key="twins_alpha")
bias = c4.number_input("Bias b", -20.0, 20.0, url_float("b", 3.0, -20.0, 20.0), 0.5, key="twins_bias")
st.button("⇄ Swap h1 and h2", on_click=_swap, key="twins_swap")
set_url(twins_h1=h1_text, twins_h2=h2_text, twins_alpha=alpha_text, b=bias)
try:
    h1, h2 = parse_vector(h1_text, "h1"), parse_vector(h2_text, "h2")
    alpha = parse_vector(alpha_text, "α")
    alpha = np.full(h1.shape, alpha[0]) if alpha.size == 1 else alpha
    res = weighted_l1(h1, h2, alpha, bias)
except ValueError as exc:
    st.warning(f"{exc}.")
    res = None
if res is not None:
    fmt = lambda v: ", ".join(f"{x:.3g}" for x in v)
    st.latex(rf"\lvert h_1 - h_2 \rvert = ({fmt(res.diff)})")
    st.latex(rf"z = \sum_j \alpha_j \lvert h_{{1j}} - h_{{2j}}\rvert + b = "
             + " + ".join(f"({a:.3g})({d:.3g})" for a, d in zip(res.alpha, res.diff))
             + rf" + ({res.bias:.3g}) = {res.logit:.4f}")
    st.latex(rf"p = \sigma({res.logit:.4f}) = {res.p:.4f}")
    verdict = "same" if res.p > 0.5 else "different"
    st.markdown(f"**p(same) = {res.p:.4f}** → the network says **{verdict}**."
                + (f" Swapped {st.session_state['twins_swaps']}× — p is unchanged, because |h1 − h2| = "
                   "|h2 − h1|." if st.session_state.get("twins_swaps") else ""))
    with st.expander("Compare with the other distances and similarities of metric learning"):
        sigma = st.slider("σ of the RBF similarity", 0.1, 10.0, 2.0, key="twins_sigma")
        st.dataframe(pd.DataFrame([{"measure": m.name, "kind": m.kind, "value": round(m.value, 4),
                                    "formula": m.latex} for m in compare_measures(h1, h2, sigma)]),
                     hide_index=True)
        st.caption("A distance is 0 for identical vectors and grows; a similarity grows as they get alike. "
                   "All of them are symmetric. Koch's layer is an L1 distance with a learned weight per "
                   "feature, turned into a probability by σ.")

# --- 3. on real images ----------------------------------------------------------------------------
st.subheader("3 · The same on real images")
try:
    model = asset_model(PAIR_MODEL)
except (FileNotFoundError, ValueError) as exc:
    model = None
    st.info(f"The pretrained model is not available ({exc}).")
if model is not None and "mnist" not in available_datasets():
    st.info("This part needs MNIST in the data folder (`python -m siamese_core download mnist`).")
elif model is not None:
    test = dataset("mnist", "test")
    b1, b2 = st.columns(2)
    for col, kind, y in ((b1, "same class", 1), (b2, "different class", 0)):
        if col.button(f"New {kind} pair", key=f"twins_pair_{y}"):
            st.session_state["twins_pair_seed"] = st.session_state.get("twins_pair_seed", 0) + 1
            st.session_state["twins_pair_y"] = y
    seed, want = st.session_state.get("twins_pair_seed", 0), st.session_state.get("twins_pair_y", 1)
    i, j, yy = sample_pairs(test.labels, 20, seed=seed)
    k = int(np.flatnonzero(yy.numpy() == want)[0])
    i, j = int(i[k]), int(j[k])
    r = explain_pair(model, test.images[i], test.images[j])
    r_swapped = explain_pair(model, test.images[j], test.images[i])
    names_ = test.class_names
    m1, m2 = st.columns([1, 2])
    m1.plotly_chart(image_grid(test.images[[i, j]], [f"#{i}: {names_[int(test.labels[i])]}",
                                                     f"#{j}: {names_[int(test.labels[j])]}"], cols=2))
    verdict = "" if model.threshold is None else (
        f" At the threshold {model.threshold:.3f} (chosen on validation pairs) the model says "
        f"**{'same' if r.p >= model.threshold else 'different'}**.")
    m1.markdown(f"**p(same) = {r.p:.4f}** (logit {r.logit:.3f}); swapped: {r_swapped.p:.4f}.{verdict}")
    emb = go.Figure([go.Bar(y=r.h1, name="h1", marker_color=SAME_COLOUR),
                     go.Bar(y=r.h2, name="h2", marker_color=DIFF_COLOUR)])
    emb.update_layout(barmode="group", template=TEMPLATE, height=260, title=f"Both embeddings ({len(r.h1)}-d)",
                      margin={"l": 10, "r": 10, "t": 40, "b": 10})
    m2.plotly_chart(emb)
    m2.plotly_chart(bar_vector(r.diff, f"|h1 − h2| (L1 distance {r.diff.sum():.2f})", colour="#264653"))
    m2.plotly_chart(bar_vector(r.weighted, f"α_j · |h1_j − h2_j|: the terms of the sum (b = {r.bias:.2f})"))
    pos, neg = r.weighted[r.weighted > 0].sum(), r.weighted[r.weighted < 0].sum()
    m2.caption(f"Teal terms (α_j > 0) push towards *same*: {pos:+.2f}; orange terms (α_j < 0) push towards "
               f"*different*: {neg:+.2f}. The model learned which features to trust in which direction.")

# --- 4. binary cross-entropy -------------------------------------------------------------------
st.subheader("4 · Binary cross-entropy")
st.latex(r"L = -\big[\, y \log p + (1 - y) \log(1 - p) \,\big]\qquad y = 1\ \text{same},\ y = 0\ \text{different}")
e1, e2 = st.columns([1, 2])
y_val = e1.radio("Label y", [1, 0], horizontal=True, key="twins_y",
                 index=[1, 0].index(url_choice("y", [1, 0], 1)))
p_val = e1.slider("Predicted p", 0.001, 0.999, url_float("p", 0.99, 0.001, 0.999), 0.001, format="%.3f",
                  key="twins_p")
set_url(y=y_val, p=p_val)
loss = bce(p_val, y_val)
e1.latex(rf"L = -\log({p_val if y_val else 1 - p_val:.3f}) = {loss:.4f}")
e1.dataframe(pd.DataFrame([{"y": y, "p": p, "L": round(bce(p, y), 4)} for y, p in ((1, 0.99), (1, 0.001))]),
             hide_index=True)
e1.caption("The workshop's two worked examples: confident and right costs ≈ 0.01, confident and wrong ≈ 6.9.")
ps = torch.linspace(0.001, 0.999, 400, dtype=torch.float64)
curve = go.Figure([go.Scatter(x=ps, y=bce(ps, 1).numpy(), name="y = 1",
                              line={"color": SAME_COLOUR}),
                   go.Scatter(x=ps, y=bce(ps, 0).numpy(), name="y = 0", line={"color": DIFF_COLOUR}),
                   go.Scatter(x=[p_val], y=[loss], mode="markers", marker={"size": 12, "color": "black"},
                              name="you")])
curve.update_layout(template=TEMPLATE, xaxis_title="p", yaxis_title="loss L", height=320,
                    margin={"l": 10, "r": 10, "t": 30, "b": 10})
e2.plotly_chart(curve)

# --- 5. mini-batch SGD ---------------------------------------------------------------------------
st.subheader("5 · Mini-batches and shuffling")
st.markdown("The loss is averaged over a **mini-batch** of pairs and the weights take one gradient step per "
            "batch. Batches must be **shuffled**: a dataset stored class by class would otherwise give "
            "batches of a single class, with no different pairs to learn from.")
f1, f2, f3 = st.columns(3)
batch_size = f1.select_slider("Batch size", [8, 16, 32, 64, 128], 32, key="twins_bs")
shuffle = f2.toggle("Shuffle", True, key="twins_shuffle")
optimizer = f3.radio("Optimizer", ["adam", "sgd"], horizontal=True, key="twins_opt")
digits = dataset("digits", "train")
order = np.argsort(digits.labels.numpy(), kind="stable")  # stored class by class
batches = epoch_batches(len(order), batch_size, shuffle, seed=0)
mix = class_mix(digits.labels.numpy()[order], batches, digits.num_classes)[:20]
share = same_pair_share(mix)
heat = go.Figure(go.Heatmap(z=mix.T, colorscale="Blues", hovertemplate="batch %{x}, class %{y}: %{z}<extra></extra>"))
heat.update_layout(template=TEMPLATE, height=280, xaxis_title="batch", yaxis_title="class",
                   title=f"Classes in the first {len(mix)} batches ({'shuffled' if shuffle else 'not shuffled'})",
                   margin={"l": 10, "r": 10, "t": 40, "b": 10})
st.plotly_chart(heat)
st.markdown(f"{'Shuffled' if shuffle else 'Not shuffled'}: on average **{100 * share.mean():.0f} %** of the pairs "
            f"inside a batch are same-class pairs.")


@st.cache_data(show_spinner=False, max_entries=20)
def train_curve(batch_size: int, optimizer: str) -> dict:
    """A real run of the project's Trainer (60 steps on 8×8 digits); cached per settings."""
    bar = st.progress(0.0, text="Training…")

    class Progress(Callback):
        def on_step(self, trainer, state):
            if state.step % 5 == 0:
                bar.progress(min(1.0, state.progress), text=f"step {state.step}, loss {state.loss:.3f}")

    result = Trainer(minibatch_config(batch_size, optimizer), dataset("digits", "train"),
                     callbacks=[Progress()]).fit()
    bar.progress(1.0, text=f"Trained {result.state.step} steps in {result.state.elapsed:.1f} s")
    return {"history": result.state.history, "val": result.state.val_history, "best": result.best_val}


if st.button("Train 60 steps with this batch size", key="twins_train") or st.session_state.get("twins_trained"):
    st.session_state["twins_trained"] = True
    run = train_curve(batch_size, optimizer)
    st.plotly_chart(training_curves(run["history"], run["val"], smooth=5))
    st.markdown(f"Validation pair accuracy after 60 steps: **{run['best']['val_accuracy']:.3f}** "
                f"(AUC {run['best']['val_auc']:.3f}).")
    st.caption("The project's Trainer always draws shuffled P×K batches (P classes × 2 images each), so the "
               "shuffle switch above changes the picture, not this run. Small batches: noisier curve, more "
               "updates per epoch; large batches: smoother but each step costs more.")

notice("- Both twins are the same module: the parameter count is that of **one** twin plus the tiny head.\n"
       "- Swap h1 and h2: |h1 − h2| and therefore p do not change — the network is symmetric.\n"
       "- With negative α a large difference pushes p towards 0 (different); the bias sets p for identical inputs.\n"
       "- BCE punishes confident mistakes hard: −log 0.001 ≈ 6.9, while −log 0.99 ≈ 0.01.\n"
       "- Unshuffled batches hold one class: no different pairs, nothing to learn about differences.")
