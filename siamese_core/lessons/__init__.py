"""What each page teaches, as claims that can be measured: the inventory (`claims`), its checks (`checks`,
`measures`), the pages' default experiments and presets (`experiments`) and the computed contexts
(`static`). Pages and `python -m benchmarks.lessons` both read it."""
from .claims import BY_KEY, CLAIMS, Claim, Verdict, for_page, notice_text
from .notes import run_notes

__all__ = ["BY_KEY", "CLAIMS", "Claim", "Verdict", "for_page", "notice_text", "run_notes"]
