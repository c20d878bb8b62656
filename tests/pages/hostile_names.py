"""Names a careless or hostile student might give, and how a page's Markdown body must show them: as the
text itself, every ASCII punctuation mark backslash-escaped (CommonMark then shows it as it is; the real
browser's rendering of such a body is checked in tests/browser), no hidden characters, clipped."""
from __future__ import annotations

import re
import unicodedata

NAMES = ["**bold**", '<a href="#">link</a>', r"$\frac{a}{b}$", ":red[red] :smile:", "[x](https://evil.example)",
         "www.evil.example mail@evil.example", "\u202egnp.exe", "tab\tnul\x00esc\x1b[31m", "two\nlines",
         "`code` # no heading", "&lt;b&gt; ~~s~~ _i_", "x" * 500]
PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


def visible(name: str, limit: int) -> str:
    """What a reader should see of `name`: without control or format characters, white space as single
    spaces, at most `limit` characters (the cut marked with …)."""
    text = " ".join("".join(c for c in name if c.isspace() or unicodedata.category(c)[0] != "C").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def as_text(text: str) -> str:
    """A pattern for `text` written in a Markdown body so that it reads as itself: each punctuation mark
    escaped; an invisible word joiner may stand between two characters (it keeps ":smile:" from becoming an
    emoji and "https://…" a link)."""
    return "\u2060?".join(r"\\" + re.escape(c) if PUNCTUATION.fullmatch(c) else re.escape(c) for c in text)


def no_hidden(body: str) -> bool:
    return not [c for c in body if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c != "\u2060"]


def shows_as_text(body: str, name: str, limit: int) -> bool:
    """Whether `name` appears in `body` as its visible text, escaped."""
    return no_hidden(body) and re.search(as_text(visible(name, limit)), body) is not None


def fully_escaped(body: str) -> bool:
    """A sentence that quotes a student's value, shown as text as a whole: no unescaped punctuation."""
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "", body)
    return not PUNCTUATION.search(unescaped) and no_hidden(body)


def as_read(body: str) -> str:
    """What a reader sees of an escaped body."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", body).replace("\u2060", "")
