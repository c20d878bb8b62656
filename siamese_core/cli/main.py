"""Command line: `python -m siamese_core {train,evaluate,oneshot-report,datasets,download} …` — the same
code the pages run."""
from __future__ import annotations

import argparse
import json
import sys

from ..data import DatasetNotFoundError
from .atlas_cmd import add_atlas_parser, cmd_atlas
from .data_cmd import add_data_parsers, cmd_datasets, cmd_download, print_datasets
from .evaluate_cmd import add_evaluate_parsers, cmd_evaluate, cmd_oneshot_report
from .train_cmd import add_train_parser, cmd_train

HANDLERS = {"train": cmd_train, "evaluate": cmd_evaluate, "oneshot-report": cmd_oneshot_report,
            "datasets": cmd_datasets, "download": cmd_download, "atlas": cmd_atlas}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m siamese_core",
                                     description="Siamese Lab: train and evaluate Siamese networks on real data.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_train_parser(sub)
    add_evaluate_parsers(sub)
    add_data_parsers(sub)
    add_atlas_parser(sub)
    return parser


def print_human(result: dict) -> None:
    if "available" in result:
        print_datasets(result)
        return
    width = max(len(k) for k in result)
    for k, v in result.items():
        print(f"{k:{width}s}  {v:.4f}" if isinstance(v, float) else f"{k:{width}s}  {v}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        result = HANDLERS[args.command](args)
    except (DatasetNotFoundError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    if getattr(args, "json", False):
        print(json.dumps(result, default=float))
    elif args.command != "oneshot-report":  # the report prints its own table
        print_human(result)
    return 0
