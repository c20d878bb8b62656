"""A generated block of the docs: the JSON files it quotes, the command that writes them and how their
figures are written out, plus the formatting every renderer shares. A benchmark module declares its blocks as
`BLOCKS = {name: Block(…)}` next to its renderers; `benchmarks/docs_figures.py` puts them between the markers.

A block's text is a pure function of its JSON files, so a retrain followed by the command that rewrites
the JSON shows up as a stale block in `tests/docs` until `python -m benchmarks.docs_figures` is run.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    sources: tuple[str, ...]          # JSON files, relative to the repository root
    command: str                      # what writes them (shown under the block)
    render: Callable[..., str]        # one dict per source → markdown


def pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def f4(x: float) -> str:
    return f"{x:.4f}"


def thousands(n: int) -> str:
    return f"{n:,}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(r) + " |" for r in rows)])


def goal(text: str, met: bool) -> str:
    """A goal column's cell: the goal and whether the figure met it."""
    return f"{text} {'✓' if met else '✗ missed'}"


def side_by_side(header: list[str], results: tuple[dict, ...], rows: list[tuple[str, Callable[[dict], str]]]) -> str:
    """A table with a column per result: each row is its label, then its `cell` of each result's figures."""
    return table(header, [[label, *(cell(r["figures"]) for r in results)] for label, cell in rows])


def conditions_line(result: dict) -> str:
    """When and under what load a timing benchmark ran (benchmarks/results.py)."""
    before, after = result["conditions"]["before"], result["conditions"]["after"]
    return (f"Measured {before['date'][:10]} on {before['cpu_count']} CPUs, torch {before['torch']}, load average "
            f"{before['loadavg'][0]:.1f} before and {after['loadavg'][0]:.1f} after; timings move with the load.")


def text_block(text: str) -> str:
    """A command's own printout, as a fenced block."""
    return "```text\n" + text + "\n```"
