"""Result files: what a benchmark printed plus the conditions it ran under, as one JSON object.

`--out FILE.json` on every benchmark writes one of these; `python -m benchmarks.docs_figures` quotes the
figures into the docs. Timings mean little without the machine's load, so the conditions travel with them.
Every benchmark builds its options on `parser` and writes its file with `save`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Time with `n` torch threads, then give the process back the count it had: a benchmark run inside a test
    process must not leave that process on more threads than it was given (on a busy CPU, two threads per
    process fight each other's OpenMP spin-waits, and every later test of the process ran several times slower)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def conditions() -> dict:
    """The machine, its load and the library versions, now (call once before and once after a benchmark)."""
    import torch  # imported here: the benchmarks import it anyway, the docs generator never needs it
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()],
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "machine": platform.machine()}


def quiet(load1: float, threshold: float) -> bool:
    return load1 < threshold


def wait_until_quiet(threshold: float, max_wait: float, poll: float = 15.0) -> dict:
    """Poll the 1-minute load average until it is below `threshold` or `max_wait` seconds have passed."""
    t0 = time.monotonic()
    while True:
        load1 = os.getloadavg()[0]
        if quiet(load1, threshold) or time.monotonic() - t0 >= max_wait:
            waited = time.monotonic() - t0
            print(f"  load average {load1:.2f} after waiting {waited:.0f} s"
                  + ("" if quiet(load1, threshold) else f" (never below {threshold}: measured anyway)"), flush=True)
            return {"load1": round(load1, 2), "waited_s": round(waited), "quiet": quiet(load1, threshold),
                    "threshold": threshold}
        time.sleep(poll)


def quiet_load_options(p: argparse.ArgumentParser, quiet_load: float | None) -> None:
    """`--quiet-load` and `--max-wait`: measure once the machine is quiet (`wait_until_quiet`)."""
    p.add_argument("--quiet-load", type=float, default=quiet_load,
                   help="first wait until the 1-minute load average is below this")
    p.add_argument("--max-wait", type=float, default=900.0, help="longest wait for a quiet machine (s)")


def result(command: str, figures: dict, before: dict) -> dict:
    """{command, conditions (before/after), figures}: what a result file holds."""
    return {"command": command, "conditions": {"before": before, "after": conditions()}, "figures": figures}


def _write(path: str | os.PathLike, blob: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(blob, indent=1, default=float) + "\n")
    return path


def write_result(path: str | os.PathLike, command: str, figures: dict, before: dict) -> Path:
    """Write {command, conditions (before/after), figures} to `path` (its folder is created)."""
    return _write(path, result(command, figures, before))


def parser(name: str, doc: str, data_dir: bool = False) -> argparse.ArgumentParser:
    """The options every benchmark shares: its docstring's first paragraph as the description, `--out`, and
    `--data-dir` for those that read a dataset."""
    p = argparse.ArgumentParser(prog=f"python -m benchmarks run {name}", description=doc.split("\n\n")[0])
    if data_dir:
        p.add_argument("--data-dir", default=None, help="the datasets' folder (default: SIAMESE_LAB_DATA)")
    p.add_argument("--out", default=None, help="also write the figures and the conditions to this JSON file")
    return p


def save(out: str | None, name: str, argv: list[str] | None, figures: dict, before: dict,
         show: Callable[[dict], str] | None = None) -> Path | None:
    """The end of benchmark `name`: its result printed as its docs block shows it (`show`, given the result as
    the JSON file holds it) and, with `--out`, written with the command that reproduces it."""
    # the command as typed, with the module of `name` (`load-test` → `benchmarks.load_test`): how to make it again
    args = sys.argv[1:] if argv is None else argv
    blob = result(" ".join(["python -m", "benchmarks." + name.replace("-", "_"), *map(shlex.quote, args)]), figures,
                  before)
    if show:
        print(show(json.loads(json.dumps(blob, default=float))))
    if not out:
        return None
    path = _write(out, blob)
    print(f"wrote {path}")
    return path
