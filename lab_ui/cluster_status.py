"""Home's line on the training cluster (`SIAMESE_LAB_SCHEDULER`): whether it can train page runs, and if not
what is missing, in one sentence, before anyone presses Train (docs/scaling.md)."""
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
