"""Options every subcommand shares."""
from __future__ import annotations

import argparse
import shlex

from ..data.base import ENV_VAR


def add_data_args(p: argparse.ArgumentParser, json_flag: bool = True) -> None:
    p.add_argument("--data-dir", default=None,
                   help=f"dataset folder (default: ${ENV_VAR}, else ~/.cache/siamese-lab/data)")
    p.add_argument("--download", action="store_true",
                   help="allow downloading a missing dataset (needs internet); never done otherwise")
    if json_flag:
        p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def command_line(argv: list[str]) -> str:
    """The command that reproduces this run, as a checkpoint records it."""
    return "python -m siamese_core " + " ".join(shlex.quote(x) for x in argv if x)
