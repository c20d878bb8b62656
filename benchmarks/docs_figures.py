"""Rewrite the generated figure blocks of README.md and docs/ from the JSON files that commands write.

A block in a markdown file:

    <!-- figures: NAME -->
    …written by this command, never by hand…
    <!-- /figures -->

NAME is a block that a benchmark module declares in its `BLOCKS` (benchmarks/blocks.py), which names its
JSON files and the command that writes them; a block whose JSON is missing is an error that names the command.

    python -m benchmarks.docs_figures            # rewrite every block
    python -m benchmarks.docs_figures --check    # list stale or broken blocks, exit 1 if any
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from benchmarks.runner import all_blocks

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"<!-- figures: (?P<name>[a-z0-9-]+) -->\n(?P<body>.*?)<!-- /figures -->", re.S)


def doc_files(root: Path = ROOT) -> list[Path]:
    """The markdown files whose figures are checked: the README, docs/ and the notes beside the checkpoints."""
    return [p for p in [root / "README.md", *sorted((root / "docs").rglob("*.md")),
                        *sorted((root / "assets").glob("*.md"))] if p.is_file()]


def render(name: str, root: Path = ROOT) -> str:
    """The block's body. Raises ValueError for an unknown block and FileNotFoundError for a missing JSON."""
    blocks = all_blocks()
    if name not in blocks:
        raise ValueError(f"unknown figures block {name!r} (known: {', '.join(sorted(blocks))})")
    block = blocks[name]
    missing = [s for s in block.sources if not (root / s).is_file()]
    source_note = ", ".join(f"`{s}`" for s in block.sources)
    if missing:
        raise FileNotFoundError(f"block {name!r} quotes {', '.join(missing)}, which does not exist: run "
                                f"`{block.command}`")
    docs = [json.loads((root / s).read_text()) for s in block.sources]
    return f"{block.render(*docs)}\n\n<sub>Generated from {source_note} (written by `{block.command}`).</sub>\n"


def rewrite_text(text: str, root: Path = ROOT) -> str:
    def replace(m: re.Match) -> str:
        return f"<!-- figures: {m['name']} -->\n{render(m['name'], root)}<!-- /figures -->"
    return MARKER.sub(replace, text)


def problems(root: Path = ROOT) -> list[str]:
    """Every block that differs from what its JSON gives, names an unknown block or a missing JSON."""
    found = []
    for path in doc_files(root):
        text = path.read_text()
        where = path.relative_to(root)
        if text.count("<!-- figures:") != len(MARKER.findall(text)):
            found.append(f"{where}: a `<!-- figures: NAME -->` marker without its `<!-- /figures -->`")
        for m in MARKER.finditer(text):
            try:
                body = render(m["name"], root)
            except (ValueError, FileNotFoundError) as exc:
                found.append(f"{where}: {exc}")
                continue
            if body != m["body"]:
                found.append(f"{where}: block {m['name']!r} is stale: run `python -m benchmarks.docs_figures`")
    return found


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.docs_figures", description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="change nothing; list stale or broken blocks")
    a = p.parse_args(argv)
    if a.check:
        found = problems(ROOT)
        print("\n".join(found) or "every figures block matches its JSON")
        return 1 if found else 0
    try:
        for path in doc_files(ROOT):
            text = path.read_text()
            new = rewrite_text(text, ROOT)
            if new != text:
                path.write_text(new)
                print(f"rewrote {path.relative_to(ROOT)}")
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
