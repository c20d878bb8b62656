"""`datasets` (what is available offline) and `download` (one dataset, or all of them)."""
from __future__ import annotations

import argparse
import sys

from ..data import DATASETS, dataset_status, resolve_data_dir
from ..data.download import download_all, download_dataset


def add_data_parsers(sub) -> None:
    s = sub.add_parser("datasets", help="which datasets are available offline")
    s.add_argument("--data-dir", default=None, help="dataset folder")
    s.add_argument("--json", action="store_true", help="print JSON")

    g = sub.add_parser("download", help="download a dataset, or all of them, into the data folder (needs internet)")
    g.add_argument("name", choices=[*sorted(DATASETS), "all"], help="a dataset, or all")
    g.add_argument("--data-dir", default=None, help="dataset folder")
    g.add_argument("--json", action="store_true", help="print JSON")


def cmd_datasets(a: argparse.Namespace) -> dict:
    return {"data_dir": str(resolve_data_dir(a.data_dir)), "available": dataset_status(a.data_dir)}


def print_progress(what: str, fraction: float) -> None:
    print(f"  {100 * fraction:3.0f}%  {what}", file=sys.stderr, flush=True)


def cmd_download(a: argparse.Namespace) -> dict:
    if a.name == "all":
        download_all(a.data_dir, print_progress)
    else:
        download_dataset(a.name, a.data_dir, print_progress)
    return {"downloaded": a.name, "data_dir": str(resolve_data_dir(a.data_dir))}


def print_datasets(result: dict) -> None:
    print(f"data folder: {result['data_dir']}")
    for name, ok in result["available"].items():
        print(f"  {name:15s} {'available' if ok else 'missing'}  {DATASETS[name].title}")
