"""Losses: BCE on pairs vs contrastive vs triplet — train live, then compare runs side by side."""
import streamlit as st

from lab_ui import atlas_views, first_look, live_views, pretrained, run_follow, run_views, session_runs, training_jobs
from lab_ui.layout import dataset_select, notice
from lab_ui.lesson_views import lesson_notice
from lab_ui.url_state import set_url, url_choice, url_choices, url_float, url_int
from siamese_core.data import DatasetNotFoundError
from siamese_core.explain.margins import margin_warning
from siamese_core.lessons import experiments as ex
from siamese_core.training import TrainConfig
from siamese_core.training.objectives import loss_class
from siamese_core.training.presets import recipe_for_loss

LOSSES = {"contrastive": "Contrastive", "triplet": "Triplet (semi-hard mining)",
          "bce-concat": "BCE on pairs (concat head)", "bce-l1": "BCE on pairs (Koch's L1 head)",
          "softmax": "Plain classifier (softmax)"}
SIZES = [2, 4, 8, 16, 32, 64, 128]
DISTANCES = ["l2", "cosine", "l1"]

st.title("Losses: BCE vs contrastive vs triplet")
st.markdown("Three ways to train the same twin network (the course's VGG-style backbone). "
            "Pick a loss, press **Train**, and watch what each does to the embedding.")
st.latex(r"L_{BCE} = -[y\log p + (1-y)\log(1-p)] \qquad L_{con} = y\,d^2 + (1-y)\max(m-d,0)^2")
st.latex(r"L_{tri} = \max(d(a,p) - d(a,n) + m,\ 0)")
st.caption("y = 1 means *same class*. Embeddings are L2-normalised for contrastive and triplet, so one "
           "margin fits every embedding size (L2 and cosine distances lie in [0, 2], L1 in [0, 2√D]).")

# --- explore mode: the sliders look pretrained runs up in the atlas, at once --------------------------
if atlas_views.mode_toggle("losses_mode"):
    atlas = atlas_views.atlas_or_stop()
    atlas_views.explore_cell(atlas, *atlas_views.controls(atlas, list(LOSSES), "atlas"))
    notice(atlas_views.ATLAS_NOTICE)
    st.stop()

# --- controls ---------------------------------------------------------------------------------
with st.sidebar:
    st.header("Train a run")
    data_name = dataset_select(("fashion-mnist", "mnist", "digits"), key="losses_dataset")
    training_jobs.warm(data_name)
    loss = st.selectbox("loss", list(LOSSES), format_func=LOSSES.get,
                        index=list(LOSSES).index(url_choice("loss", list(LOSSES), "contrastive")), key="losses_loss")
    uses_margin = loss_class(loss).uses_margin
    # Each loss its own margin slider, starting at the loss's own default (the URL's margin is the URL's loss's).
    own_margin = loss_class(loss).default_margin
    if url_choice("loss", list(LOSSES), None) == loss:
        own_margin = url_float("margin", own_margin, 0.05, 2.0)
    margin = st.slider("margin m", 0.05, 2.0, own_margin, 0.05, disabled=not uses_margin,
                       help="contrastive and triplet only", key=f"losses_margin_{loss}")
    dim = st.select_slider("embedding size", SIZES, value=url_choice("dim", SIZES, ex.LOSSES_DIM), key="losses_dim")
    distance = st.selectbox("distance", DISTANCES, disabled=loss.startswith("bce"), key="losses_distance",
                            index=DISTANCES.index(url_choice("distance", DISTANCES, DISTANCES[0])))
    seconds = st.slider("time budget (s)", 5, 120, url_int("seconds", int(ex.LOSSES_SECONDS), 5, 120), 5,
                        key="losses_seconds")
    seed = st.number_input("seed", 0, 10_000, url_int("seed", 0, 0, 10_000), key="losses_seed")
    set_url(dataset=data_name, loss=loss, margin=margin, dim=dim, distance=distance, seconds=seconds, seed=seed)
    train_clicked = st.button("Train", type="primary", width="stretch")
    stop_clicked = st.button("Stop", width="stretch")

# A margin no two unit-length embeddings can be apart by can never be met: say so, train nothing.
problem = margin_warning(distance, dim, margin) if uses_margin else None
if problem:
    st.warning(problem)

if stop_clicked:
    training_jobs.stop()
if train_clicked and not problem:
    # The dataset's training settings (learning rate, schedule, dropout: presets.DATASET_RECIPES), as the
    # command line uses them; the loss and margin are the student's.
    cfg = TrainConfig.from_dict({**recipe_for_loss(data_name), "dataset": data_name, "loss": loss,
                                 "embedding_dim": dim, "distance": distance, "margin": margin if uses_margin else None,
                                 "seconds": float(seconds), "seed": int(seed)})
    label = f"{LOSSES[loss].split(' (')[0]} · m={margin if uses_margin else '–'} · D={dim}"
    training_jobs.start(cfg, session_runs.unique_name(label))
finished = run_follow.follow()
if finished is not None:
    session_runs.add_run(finished)

# --- the runs ---------------------------------------------------------------------------------
pre = pretrained.available()
with st.sidebar:
    st.header("Pretrained runs")
    shown = st.multiselect("show instantly", list(pre), default=url_choices("pretrained", list(pre), []),
                           format_func=pre.get, key="losses_pretrained",
                           help="trained on Fashion-MNIST by the commands in assets/losses.md")
    set_url(pretrained=shown)
mine = session_runs.runs()
reports = list(mine)
for f in shown:
    try:
        reports.append(pretrained.pretrained_report(f, pre[f]))
    except DatasetNotFoundError as exc:
        st.warning(f"{pre[f]} needs Fashion-MNIST: {exc}")

if not reports:  # before the student's first run: the atlas's pretrained run for these settings
    first_look.losses(loss, margin if uses_margin else None, dim, data_name, distance)
    st.stop()

st.header("Runs")
st.dataframe(run_views.runs_table(reports), hide_index=True, width="stretch")
if mine and st.button("Remove my runs"):
    mine.clear()
    st.rerun()

by_name = {r.name: r for r in reports}
tab_one, tab_compare = st.tabs(["One run", "Side by side"])
with tab_one:
    # The student's latest run (the one just trained), else the first pretrained one.
    chosen = st.selectbox("run", list(by_name), index=list(by_name).index(mine[-1].name) if mine else 0)
    run_views.full_report(by_name[chosen], key="one")
with tab_compare:
    pair = st.multiselect("two runs", list(by_name), default=list(by_name)[-2:], max_selections=2)
    if len(pair) < 2:  # one run is already drawn in full on the first tab
        st.info("Pick two runs to see them side by side." if len(by_name) > 1
                else "Train or pick a second run to compare it with this one.")
        pair = []
    cols = st.columns(max(1, len(pair)))
    for col, name in zip(cols, pair):
        with col:
            run_views.metrics_row(by_name[name])
            run_views.histogram(by_name[name], key=f"cmp-h-{name}")
            run_views.projection(by_name[name], key=f"cmp-p-{name}")
    if len(pair) == 2:  # the two runs step together
        live_views.replay([by_name[n] for n in pair], key="cmp-replay")

lesson_notice("losses", reports)
