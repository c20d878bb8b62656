"""The pages' claims checked on the student's own runs: one line per claim these runs can check, saying
whether this run showed it, and the section's *What to notice* note built from the same claims."""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from siamese_core.lessons import notice_text, run_notes

from .layout import notice


def run_checks(page: str, runs: Sequence) -> dict:
    """Show each checkable claim's verdict on `runs`; return the verdicts by claim key (for the note)."""
    notes = run_notes(page, runs) if runs else []
    if notes:
        st.markdown("**Do these runs show what the note below says?**")
    for _claim, v in notes:
        if v.held:
            st.success(f"✓ {v.shown}.", icon=None)
        else:
            st.warning(f"**Not this time:** {v.shown}. Runs differ from seed to seed; the table in "
                       "docs/lessons.md says how often each claim holds with these settings.")
    return {c.key: v for c, v in notes}


def lesson_notice(page: str, runs: Sequence = ()) -> None:
    """The claims of `page` as its *What to notice* note, after checking them on `runs`."""
    notice(notice_text(page, run_checks(page, runs)))
