"""Siamese twins & the L1 layer: one network used twice, |h1 − h2|, σ, p(same), and the BCE loss."""
import numpy as np
import pandas as pd
import streamlit as st
import torch

from lab_ui.figure_cache import cached_figure
from lab_ui.layout import available_datasets, notice
from lab_ui.plain_text import SENTENCE, shown
from lab_ui.shared import asset_model, dataset
from lab_ui.twins_parts import l1_inputs, minibatch_run, swaps
from lab_ui.url_state import set_url, url_choice, url_float
from siamese_core.data.sampling import sample_pairs
from siamese_core.explain.architecture import ARCHITECTURES, summarize, twin_dot
from siamese_core.explain.l1_layer import (
    compare_measures,
    explain_pair,
    parse_vector,
    weighted_l1,
)
from siamese_core.explain.minibatch import class_mix, epoch_batches, same_pair_share
from siamese_core.lessons import notice_text
from siamese_core.losses.pair_bce_loss import bce
from siamese_core.viz.conv_figures import bar_vector
from siamese_core.viz.figures import DIFF_COLOUR, SAME_COLOUR, image_grid
from siamese_core.viz.twins_figures import batch_classes, bce_curve, embedding_pair

PAIR_MODEL = "mnist_koch_l1.pt"
BATCH_SIZES, OPTIMIZERS = [8, 16, 32, 64, 128], ["adam", "sgd"]

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


st.header("1 · Two twins, one set of weights")
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
st.header("2 · The L1 layer by hand")
h1_text, h2_text, alpha_text, bias = l1_inputs()
try:
    h1, h2 = parse_vector(h1_text, "h1"), parse_vector(h2_text, "h2")
    alpha = parse_vector(alpha_text, "α")
    alpha = np.full(h1.shape, alpha[0]) if alpha.size == 1 else alpha
    res = weighted_l1(h1, h2, alpha, bias)
except ValueError as exc:
    st.warning(shown(f"{exc}.", SENTENCE))
    res = None
if res is not None:
    def fmt(v):
        return ", ".join(f"{x:.3g}" for x in v)

    st.latex(rf"\lvert h_1 - h_2 \rvert = ({fmt(res.diff)})")
    st.latex(r"z = \sum_j \alpha_j \lvert h_{1j} - h_{2j}\rvert + b = "
             + " + ".join(f"({a:.3g})({d:.3g})" for a, d in zip(res.alpha, res.diff))
             + rf" + ({res.bias:.3g}) = {res.logit:.4f}")
    st.latex(rf"p = \sigma({res.logit:.4f}) = {res.p:.4f}")
    verdict = "same" if res.p > 0.5 else "different"
    st.markdown(f"**p(same) = {res.p:.4f}** → the network says **{verdict}**."
                + (f" Swapped {swaps()}× — p is unchanged, because |h1 − h2| = |h2 − h1|." if swaps() else ""))
    with st.expander("Compare with the other distances and similarities of metric learning"):
        sigma = st.slider("σ of the RBF similarity", 0.1, 10.0, url_float("sigma", 2.0, 0.1, 10.0), key="twins_sigma")
        set_url(sigma=sigma)
        st.dataframe(pd.DataFrame([{"measure": m.name, "kind": m.kind, "value": round(m.value, 4),
                                    "formula": m.latex} for m in compare_measures(h1, h2, sigma)]),
                     hide_index=True)
        st.caption("A distance is 0 for identical vectors and grows; a similarity grows as they get alike. "
                   "All of them are symmetric. Koch's layer is an L1 distance with a learned weight per "
                   "feature, turned into a probability by σ.")

# --- 3. on real images ----------------------------------------------------------------------------
st.header("3 · The same on real images")
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
    r = explain_pair(model, test.rows(i), test.rows(j))
    r_swapped = explain_pair(model, test.rows(j), test.rows(i))
    names_ = test.class_names
    m1, m2 = st.columns([1, 2])
    m1.plotly_chart(cached_figure(image_grid, test.rows([i, j]), [f"#{i}: {names_[int(test.labels[i])]}",
                                                     f"#{j}: {names_[int(test.labels[j])]}"], cols=2))
    verdict = "" if model.threshold is None else (
        f" At the threshold {model.threshold:.3f} (chosen on validation pairs) the model says "
        f"**{'same' if r.p >= model.threshold else 'different'}**.")
    m1.markdown(f"**p(same) = {r.p:.4f}** (logit {r.logit:.3f}); swapped: {r_swapped.p:.4f}.{verdict}")
    m2.plotly_chart(cached_figure(embedding_pair, r.h1, r.h2))
    m2.plotly_chart(cached_figure(bar_vector, r.diff, f"|h1 − h2| (L1 distance {r.diff.sum():.2f})", colour="#264653"))
    m2.plotly_chart(cached_figure(bar_vector, r.weighted,
                                  f"α_j · |h1_j − h2_j|: the terms of the sum (b = {r.bias:.2f})"))
    pos, neg = r.weighted[r.weighted > 0].sum(), r.weighted[r.weighted < 0].sum()
    m2.caption(f"Teal terms (α_j > 0) push towards *same*: {pos:+.2f}; orange terms (α_j < 0) push towards "
               f"*different*: {neg:+.2f}. The model learned which features to trust in which direction.")

# --- 4. binary cross-entropy -------------------------------------------------------------------
st.header("4 · Binary cross-entropy")
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
e2.plotly_chart(cached_figure(bce_curve, ps, bce(ps, 1), bce(ps, 0), you=(p_val, loss)))

# --- 5. mini-batch SGD ---------------------------------------------------------------------------
st.header("5 · Mini-batches and shuffling")
st.markdown("The loss is averaged over a **mini-batch** of pairs and the weights take one gradient step per "
            "batch. Batches must be **shuffled**: a dataset stored class by class would otherwise give "
            "batches of a single class, with no different pairs to learn from.")
f1, f2, f3 = st.columns(3)
batch_size = f1.select_slider("Batch size", BATCH_SIZES, url_choice("bs", BATCH_SIZES, 32), key="twins_bs")
shuffle = f2.toggle("Shuffle", url_choice("shuffle", ["1", "0"], "1") == "1", key="twins_shuffle")
optimizer = f3.radio("Optimizer", OPTIMIZERS, horizontal=True, key="twins_opt",
                     index=OPTIMIZERS.index(url_choice("opt", OPTIMIZERS, "adam")))
set_url(bs=batch_size, shuffle=int(shuffle), opt=optimizer)
digits = dataset("digits", "train")
order = np.argsort(digits.labels.numpy(), kind="stable")  # stored class by class
batches = epoch_batches(len(order), batch_size, shuffle, seed=0)
mix = class_mix(digits.labels.numpy()[order], batches, digits.num_classes)[:20]
share = same_pair_share(mix)
st.plotly_chart(cached_figure(batch_classes, mix, shuffle))
st.markdown(f"{'Shuffled' if shuffle else 'Not shuffled'}: on average **{100 * share.mean():.0f} %** of the pairs "
            f"inside a batch are same-class pairs.")
minibatch_run(batch_size, optimizer)

notice(notice_text("twins"))
