"""Every screenshot the docs show is one that `python -m benchmarks.screenshots` takes from the real app (its
SHOTS), docs/screenshots/ holds no other, and the command has a screenshot for every page app.py lists."""
from __future__ import annotations

import re

from benchmarks.browser import app_pages
from benchmarks.docs_figures import doc_files
from benchmarks.screenshots import OUT, PAGE_SHOTS, SHOTS

SHOWN = re.compile(r"\]\((?:docs/)?screenshots/([^)\s]+)\)")


def shown_in_docs() -> dict[str, list[str]]:
    """{screenshot file: the docs that show it}."""
    found: dict[str, list[str]] = {}
    for doc in doc_files():
        for name in SHOWN.findall(doc.read_text()):
            found.setdefault(name, []).append(doc.name)
    return found


def test_every_screenshot_the_docs_show_is_taken_by_the_command():
    shown = shown_in_docs()
    assert not {n: docs for n, docs in shown.items() if n not in SHOTS}, "not taken by benchmarks.screenshots"
    assert sorted(set(SHOTS) - set(shown)) == [], "taken, but no doc shows it"
    assert "classroom_home.png" in shown and "README.md" in shown["classroom_home.png"]


def test_the_screenshot_folder_holds_only_the_commands_screenshots():
    assert sorted(p.name for p in OUT.iterdir()) == sorted(SHOTS)


def test_the_command_photographs_every_page_of_the_app():
    assert sorted(url for _, _, url in app_pages()) == sorted(PAGE_SHOTS)
