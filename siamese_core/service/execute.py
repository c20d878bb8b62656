"""The trainer's side of a page run, the same wherever it trains: a `RunSpec` in, its data from this process's
own data folder (`worker_data`), its live state out, its report back.

`train_spec` trains into a `LiveState` the caller reads directly (a thread of the web server's own process).
`execute_spec` does the same in a process of its own — one of the server's training processes or a Dask
worker — and a pump thread sends what changed in `live` every PUMP_SECONDS through `send` (`live_stream`'s
delta), once more at the end so that the page's bar ends full. Only the spec's JSON reaches the trainer: no
image, upload or pickled object from a student."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .experiment import RunReport
from .live_state import LiveState
from .live_stream import PUMP_SECONDS, LiveSender
from .run_spec import RunSpec
from .worker_data import probe, split

log = logging.getLogger("siamese_lab.training")


def train_spec(spec: RunSpec, live: LiveState, cancel: threading.Event) -> RunReport | list[RunReport]:
    """Train and measure `spec` here, on this process's data, filling `live` as it goes."""
    name, size = spec.data
    return spec.execute((split(name, "train", size), split(name, "test", size)), probe(name, size), live, cancel)


def execute_spec(spec_json: str, send: Callable[[dict], None], cancel: threading.Event,
                 on_tick: Callable[[], None] = lambda: None, where: dict | None = None
                 ) -> RunReport | list[RunReport]:
    """Train the spec sent as JSON, sending live deltas; `on_tick` runs at every pump (a worker looks at its
    Stop there); `where` goes into each report's `extra` (which process trained it)."""
    spec = RunSpec.from_json(spec_json)
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
        result = train_spec(spec, live, cancel)
    finally:
        done.set()
        thread.join(timeout=15)
        pump()  # the last progress
    for report in result if isinstance(result, list) else [result]:
        report.extra.update(where or {})
    return result
