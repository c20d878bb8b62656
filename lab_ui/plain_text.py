"""What a student typed, named or linked (a file name, a gallery name, a value from the URL), shown as text.

Streamlit reads the body of st.markdown, st.error, st.info… as Markdown with LaTeX, emoji shortcodes and
coloured-text directives: a file named `**x**.png` would be shown bold, `$\\frac{a}{b}$` typeset. `shown`
makes any string safe there; `clean` is its first half, for places that show text as it is (tables)."""
from __future__ import annotations

import re
import unicodedata

LIMIT = 60        # characters of a name
SENTENCE = 300    # characters of a sentence that quotes what a student sent
# Control, format (bidirectional overrides and isolates, zero-width characters), private-use, surrogate
# and line/paragraph-separator characters: none belongs in a name, and some reorder or hide what is shown.
HIDDEN = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # ASCII punctuation: CommonMark lets a backslash escape each
# Streamlit turns ":smile:", "https://…", "www.…" and "a@b.c" into an emoji or a link after the Markdown is
# parsed, escapes or not: an invisible word joiner after each ":" and "@", and inside "www.", prevents it.
JOIN = re.compile(r"(?<=[:@])|(?<=www)(?=\.)", re.IGNORECASE)


def clean(value, limit: int = LIMIT) -> str:
    """`value` as one line of visible text: hidden characters dropped, any run of white space one space,
    at most `limit` characters (the cut marked with …)."""
    raw = str(value)[: 4 * limit]  # bounded work, whatever was sent
    text = " ".join("".join(ch for ch in raw if ch.isspace() or unicodedata.category(ch) not in HIDDEN).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value, limit: int = LIMIT) -> str:
    """`clean(value)` escaped for Streamlit's Markdown, so that it is shown exactly as that text."""
    return PUNCTUATION.sub(r"\\\1", JOIN.sub("\u2060", clean(value, limit)))
