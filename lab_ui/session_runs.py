"""A student's finished runs, kept in their session (never shared: another student's are never seen), within
the server's cap per session (`SIAMESE_LAB_MAX_RUNS`, `SIAMESE_LAB_MAX_SESSION_MB`)."""
from __future__ import annotations

import streamlit as st

from siamese_core.service.experiment import RunReport


def runs() -> list[RunReport]:
    """This session's finished runs, oldest first."""
    return st.session_state.setdefault("runs", [])


def add_run(report: RunReport) -> None:
    runs().append(report)


def room_for_another(most: int, most_bytes: int) -> str | None:
    """None when a new run fits in this session's memory cap, else the sentence to show."""
    kept = runs()
    used = sum(r.nbytes for r in kept)
    if len(kept) >= most or used >= most_bytes:
        runs_word = "run" if most == 1 else "runs"
        return (f"Your session keeps at most {most} {runs_word} ({most_bytes / 2**20:.0f} MB); it holds "
                f"{len(kept)} ({used / 2**20:.1f} MB). Remove some runs below to train again.")
    return None


def unique_name(base: str) -> str:
    names = {r.name for r in runs()}
    if base not in names:
        return base
    k = 2
    while f"{base} ({k})" in names:
        k += 1
    return f"{base} ({k})"
