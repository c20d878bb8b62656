"""Honest notes: a page's claims checked on the student's own runs, so a run that contradicts a claim is
called out instead of the claim being repeated."""
from __future__ import annotations

from collections.abc import Sequence

from .checks import runs_by_role
from .claims import Claim, Verdict, for_page


def run_notes(page: str, runs: Sequence) -> list[tuple[Claim, Verdict]]:
    """(claim, verdict) for every measured claim of `page` that these runs can check."""
    roles = runs_by_role(runs)
    out = []
    for claim in for_page(page):
        if claim.kind != "measured":
            continue
        v = claim.verdict(roles)
        if v is not None:
            out.append((claim, v))
    return out
