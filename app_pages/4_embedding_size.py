"""Embedding size: sweep D with one loss and see where the gains flatten."""
import streamlit as st

from lab_ui import atlas_views, first_look, run_follow, sweep_views, training_jobs
from lab_ui.layout import dataset_select, notice
from lab_ui.lesson_views import lesson_notice
from lab_ui.url_state import set_url, url_choice, url_choices, url_int
from siamese_core.lessons import experiments as ex

SIZES = [2, 4, 8, 16, 32, 64, 128]

st.title("Embedding size")
st.markdown("How long must the embedding be? Train the same network with the same loss for several "
            "embedding sizes D and compare. With D = 2 there is nothing to project: the plot shows the raw "
            "embedding plane (a circle, since contrastive and triplet embeddings are unit length).")

# Explore mode: the sizes of one pretrained (loss, margin) from the atlas, at once.
if atlas_views.mode_toggle("size_mode"):
    atlas = atlas_views.atlas_or_stop()
    loss, margin, _ = atlas_views.controls(atlas, atlas.losses, "atlas_size", with_dim=False)
    atlas_views.explore_sizes(atlas, loss, margin)
    notice(atlas_views.ATLAS_NOTICE)
    st.stop()

with st.sidebar:
    st.header("Sweep")
    data_name = dataset_select(("fashion-mnist", "mnist", "digits"), key="size_dataset")
    training_jobs.warm(data_name)
    loss = st.selectbox("loss", ["contrastive", "triplet"], index=["contrastive", "triplet"].index(
        url_choice("loss", ["contrastive", "triplet"], ex.SIZE_LOSS)), key="size_loss")
    sizes = st.multiselect("sizes D", SIZES, default=url_choices("sizes", SIZES, ex.SIZES), key="size_sizes")
    seconds = st.slider("time budget per size (s)", 1, 60, url_int("seconds", int(ex.SIZE_SECONDS), 1, 60),
                        key="size_seconds")
    set_url(dataset=data_name, loss=loss, sizes=sizes, seconds=seconds)
    go_clicked = st.button("Run the sweep", type="primary", width="stretch")
    if st.button("Stop", width="stretch"):
        training_jobs.stop("sweep")

if go_clicked:
    if len(sizes) < 2:
        st.warning("Pick at least two sizes to compare.")
    else:
        cfgs = ex.size_configs(sizes, data_name, loss, float(seconds))
        training_jobs.start_sweep(cfgs, [f"D={d}" for d in sorted(sizes)], f"{loss} sweep on {data_name}", key="sweep")
sweep = run_follow.follow_into("sweep", "sweep_result")
if not sweep:  # before the student's first sweep: the atlas's pretrained one
    first_look.sizes(loss, sizes, data_name)
    st.stop()
sweep_views.size_sweep(sweep)

lesson_notice("size", sweep)
