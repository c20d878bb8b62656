"""Home's lines on where runs train: the training cluster (`SIAMESE_LAB_SCHEDULER`), whether it can train page
runs and if not what is missing, in one sentence, before anyone presses Train (docs/scaling.md); and a small
machine's one training process."""
import streamlit as st

from . import training_jobs


def cluster_status() -> None:
    """Nothing without a cluster; opening Home connects the server's queue to it."""
    if not training_jobs.SETTINGS.scheduler:
        return
    stats = training_jobs.job_queue().stats()
    if "cluster_status" not in stats:  # Dask is not installed here: the server trains runs itself (its log says so)
        return
    st.subheader("Training cluster")
    say = st.success if stats["cluster_complete"] else st.info if stats["cluster_ready"] else st.warning
    say(stats["cluster_status"])


def small_machine_status() -> None:
    """On a machine with little memory the server trains in one process: say so, and how to change it."""
    gb = training_jobs.SETTINGS.small_machine
    if gb is not None:
        st.info(f"This server has {gb:g} GB of memory, so it trains one run at a time, in one training process "
                "(`SIAMESE_LAB_WORKERS` sets another count; docs/classroom.md says what each needs).")
