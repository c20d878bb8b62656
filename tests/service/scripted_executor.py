"""A fake executor for the queue's own tests: it runs a `RunSpec` by a script read from the run's name, in
milliseconds, so that places, caps, sharing, kept results, Stop, closed tabs and a dead worker are tested
without training. That real runs go through every real executor the same way is tests/service/test_executors.py's
contract."""
from __future__ import annotations

import threading
from dataclasses import dataclass

from siamese_core.service.executors import Executor
from siamese_core.service.run_spec import RunSpec
from siamese_core.training import TrainConfig

DIGITS = TrainConfig(dataset="digits", embedding_dim=8, seconds=5.0)
DEAD_WORKER = "its training process stopped; press Train to try again"


@dataclass
class Report:
    name: str
    shareable: bool = True
    nbytes: int = 100


def spec(script: str, seed: int = 0) -> RunSpec:
    """A page's run whose name is its script: 'fail…' raises, 'die…' loses its worker, 'starved…' returns a
    result that may not be handed on, anything else trains until the executor's `release` (or Stop). Equal
    seeds are the same run (what sharing compares)."""
    return RunSpec.of("run", [DIGITS.replace(seed=seed)], [script], 100)


class ScriptedExecutor(Executor):
    def __init__(self, workers: int = 1):
        self.capacity = workers
        self.release = threading.Event()
        self.ran: list[str] = []          # the runs it really started, in order

    def run(self, spec: RunSpec, live, cancel: threading.Event):
        script = spec.names[0]
        self.ran.append(script)
        live.update(progress=0.5, step=10)
        if script.startswith("fail"):
            raise ValueError("margin must be > 0")
        if script.startswith("die"):
            raise RuntimeError(DEAD_WORKER)
        while not (self.release.is_set() or cancel.is_set()):
            cancel.wait(0.005)
        return Report(script, shareable=not script.startswith("starved"))
