"""`python -m siamese_core atlas {build,list}`: the pages' atlas of pretrained runs (siamese_core.atlas)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..atlas.build import build
from ..atlas.grid import MARGINS, STEPS, Atlas
from .common import add_data_args, command_line

DEFAULT_OUT = str(Path(__file__).resolve().parents[2] / "assets" / "atlas")


def add_atlas_parser(sub) -> None:
    p = sub.add_parser("atlas", help="build or list the atlas of pretrained runs the pages explore",
                       description="The atlas: every loss of the losses page × margins × embedding sizes, "
                                   "trained for a fixed number of steps with seed 0, stored for instant display.")
    actions = p.add_subparsers(dest="action", required=True)
    b = actions.add_parser("build", help="train the grid and store it (about 15 min with --jobs 2)")
    b.add_argument("--dataset", default="fashion-mnist", help="dataset of every cell (default: fashion-mnist)")
    b.add_argument("--steps", type=int, default=STEPS, help=f"training steps per cell (default: {STEPS})")
    b.add_argument("--out", default=DEFAULT_OUT, help="folder to write (default: assets/atlas)")
    b.add_argument("--jobs", type=int, default=1, help="cells trained in parallel, one torch thread each")
    b.add_argument("--only", default=None, choices=list(MARGINS), help="build only this loss's cells")
    b.add_argument("--resume", action="store_true",
                   help="keep cells already stored with the same settings (go on with an interrupted build)")
    add_data_args(b)
    ls = actions.add_parser("list", help="the grid and each cell's accuracy")
    ls.add_argument("--out", default=DEFAULT_OUT, help="atlas folder (default: assets/atlas)")
    ls.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def cmd_atlas(a: argparse.Namespace) -> dict:
    if a.action == "build":
        quiet = a.json
        index = build(a.out, a.dataset, a.steps, a.jobs, a.only, a.resume, command=command_line(
            [x for x in a.argv if x != "--resume"]),
                      data_dir=a.data_dir, progress=(lambda line: None) if quiet else
                      (lambda line: print(line, file=sys.stderr, flush=True)))
        return _summary(a.out, index)
    atlas = Atlas.load(a.out)
    if not a.json:
        _print_table(atlas)
    return _summary(a.out, atlas.index) | ({"cells": atlas.summary()} if a.json else {})


def _summary(out: str, index: dict) -> dict:
    return {"atlas": str(out), "cells": len(index["cells"]), "size_mb": round(index["total_bytes"] / 2**20, 2),
            "dataset": index["settings"]["dataset"], "steps": index["settings"]["steps"], "command": index["command"]}


def _print_table(atlas: Atlas) -> None:
    """One block per loss: margins down, embedding sizes across, test accuracy in each cell."""
    for loss in atlas.losses:
        g = atlas.grid(loss)
        print(f"{loss}: test pair accuracy")
        print(f"  {'margin':>8s} " + " ".join(f"{'D=' + str(d):>7s}" for d in g["dims"]))
        for m in g["margins"] or [None]:
            accs = [atlas.cell(loss, m, d).metrics["accuracy"] for d in g["dims"]]
            print(f"  {'–' if m is None else f'{m:g}':>8s} " + " ".join(f"{x:7.3f}" for x in accs))
    print()
