"""A page run, the same wherever it trains: a `RunSpec` in (only its JSON reaches a trainer in another
process: no image, upload or pickled object from a student), its data from this process's own data folder
(each split and probe set loaded once per process), its live state out, its report back.

Both ends of a run that trains elsewhere (a training process of the server's, a Dask worker) live here, on one
clock: the trainer's `execute_spec` sends what changed in its live state every PUMP_SECONDS; the server's
`follow` looks for news every POLL_SECONDS, passes Stop on, and gives up STOP_GRACE_SECONDS after Stop."""
from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from ..data import ImageSet, load_dataset, resolve_data_dir
from ..data.omniglot import VALIDATION_ALPHABETS, alphabet_subset
from ..data.redraw_cache import redrawn
from .experiment import Cancelled, RunReport
from .live_frames import ProbeSet, probe_set
from .live_state import LiveSender, LiveState
from .oneshot_probe import oneshot_probe
from .run_spec import RunSpec

log = logging.getLogger("siamese_lab.training")
PUMP_SECONDS = 0.25
POLL_SECONDS = 0.25
STOP_GRACE_SECONDS = 10.0
NOT_YET = object()   # what `follow`'s poll returns while the run goes on
OUT_OF_MEMORY = ("it needed more memory than its trainer could get here: try a smaller batch, or train it when fewer "
                 "runs share the server.")


class RunOutOfMemory(MemoryError):
    """A run asked for more memory than its process could get (a limit such as `ulimit -d`, or a full machine)."""


@functools.lru_cache(maxsize=8)
def split(name: str, which: str, size: tuple[int, int] | None) -> ImageSet:
    """One split of a dataset from this process's data folder (never downloaded here)."""
    return load_dataset(name, which, data_dir=str(resolve_data_dir()), download=False, image_size=size)


def warm(name: str, size: tuple[int, int] | None) -> None:
    """Load a dataset's train split and probe set now, before anyone presses Train."""
    try:
        train = split(name, "train", size)
        probe(name, size)
        if name == "omniglot":  # the One-shot page trains a stroke model: its drawings redrawn once per machine
            redrawn(train)
            redrawn(alphabet_subset(split(name, "test", size), VALIDATION_ALPHABETS))
    except Exception:  # a dataset this folder lacks: the run that needs it will say so
        pass


@functools.lru_cache(maxsize=8)
def probe(name: str, size: tuple[int, int] | None) -> ProbeSet:
    """The dataset's probe set: the same fixed test images the web server's pages read (Omniglot's: characters
    and one-shot runs of alphabets the network never trains on)."""
    test = split(name, "test", size)
    return oneshot_probe(test) if name == "omniglot" else probe_set(test)


def train_spec(spec: RunSpec, live: LiveState, cancel: threading.Event) -> RunReport | list[RunReport]:
    """Train and measure `spec` here, on this process's data, filling `live` as it goes."""
    name, size = spec.data
    try:
        return spec.execute((split(name, "train", size), split(name, "test", size)), probe(name, size), live, cancel)
    except Exception as exc:
        if not _out_of_memory(exc):
            raise
    # Raised here, not in the except clause: the failed run's frames, and the tensors they hold, are freed first.
    raise RunOutOfMemory(OUT_OF_MEMORY)


def _out_of_memory(exc: Exception) -> bool:
    """Python's MemoryError, or torch's failed allocation (on the CPU a RuntimeError naming its allocator)."""
    import torch

    return (isinstance(exc, (MemoryError, torch.OutOfMemoryError))
            or isinstance(exc, RuntimeError) and "DefaultCPUAllocator" in str(exc))


def execute_spec(spec_json: str, send: Callable[[dict], None], cancel: threading.Event,
                 on_tick: Callable[[], None] = lambda: None, where: dict | None = None
                 ) -> RunReport | list[RunReport]:
    """The trainer's end: train the spec sent as JSON, sending live deltas, once more at the end so that the
    page's bar ends full; `on_tick` runs at every pump (a worker looks at its Stop there); `where` goes into
    each report's `extra` (which process trained it)."""
    live = LiveState()
    sender, done, failures = LiveSender(live), threading.Event(), []

    def pump() -> None:
        try:
            on_tick()
            delta = sender.delta()
            if delta:
                send(delta)
        except Exception as exc:  # the server is away for a moment: training goes on, the next pump retries
            if not failures:  # said once, not four times a second
                log.warning("Siamese Lab: could not reach the server (%s: %s)", type(exc).__name__, exc)
            failures.append(exc)

    def pumping() -> None:
        while not done.wait(PUMP_SECONDS):
            pump()

    thread = threading.Thread(target=pumping, name="siamese-lab-pump", daemon=True)
    thread.start()
    try:
        result = train_spec(RunSpec.from_json(spec_json), live, cancel)
    finally:
        done.set()
        thread.join(timeout=15)
        pump()  # the last progress
    for report in result if isinstance(result, list) else [result]:
        report.extra.update(where or {})
    return result


def follow(poll: Callable[[], Any], cancel: threading.Event, stop: Callable[[], bool],
           give_up: Callable[[], str]) -> Any:
    """The server's end: `poll()` takes the trainer's news (waiting up to POLL_SECONDS) and returns the run's
    outcome, or NOT_YET. After Stop, `stop()` passes it on at every poll (False: nobody trains it yet, so there
    is nothing to wait for); a trainer still at it STOP_GRACE_SECONDS later is given up (`give_up()` says how)."""
    stop_asked = None
    while (outcome := poll()) is NOT_YET:
        if cancel.is_set():
            stop_asked = stop_asked or time.monotonic()
            if not stop() or time.monotonic() - stop_asked > STOP_GRACE_SECONDS:
                raise Cancelled(give_up())
    return outcome
