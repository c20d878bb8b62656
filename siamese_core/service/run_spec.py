"""A page's training as plain data, and the one function that runs it wherever it runs.

What a page asks the queue to train is a `RunSpec`: one run or a sweep of runs on one dataset, each run's
flat config and name, and how many test points a map shows. It holds names, numbers and flags only, so a
cluster worker can be sent it as JSON and rebuild the run from its own data folder (`service/cluster/`):
nothing a student uploaded is ever part of it. The queue hands it to its executor (executors.py), and the
trainer loads the data where it trains (execute.py)."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from ..data import ImageSet
from ..training import TrainConfig
from .experiment import ProgressRecorder, RunReport, run_experiment, run_sweep
from .live_frames import ProbeSet
from .live_state import LiveState

KINDS = ("run", "sweep")
MAX_RUNS_PER_SPEC = 16        # the longest sweep a page builds is 5 runs
MAX_PROJECTION = 5000


@dataclass(frozen=True)
class RunSpec:
    kind: str                     # "run": one RunReport; "sweep": a list of them, trained one after another
    configs: tuple[dict, ...]     # each run's flat TrainConfig (`TrainConfig.flat()`)
    names: tuple[str, ...]        # each run's name, as the page shows it
    n_projection: int             # test points of a map drawn without live frames

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"a run spec's kind is one of {KINDS}, not {self.kind!r}")
        if not 1 <= len(self.configs) == len(self.names) <= MAX_RUNS_PER_SPEC:
            raise ValueError(f"a run spec needs 1 to {MAX_RUNS_PER_SPEC} configs, each with one name")
        if self.kind == "run" and len(self.configs) != 1:
            raise ValueError("a single run has exactly one config")
        if not all(isinstance(n, str) for n in self.names) or not all(isinstance(c, dict) for c in self.configs):
            raise ValueError("a run spec holds flat config dicts and string names")
        if not (isinstance(self.n_projection, int) and 1 <= self.n_projection <= MAX_PROJECTION):
            raise ValueError(f"n_projection must be an integer from 1 to {MAX_PROJECTION}")
        datasets = {(c.get("dataset"), _size(c)) for c in self.configs}
        if len(datasets) != 1:
            raise ValueError("every run of a sweep trains on the same dataset at the same image size")

    @classmethod
    def of(cls, kind: str, cfgs: list[TrainConfig], names: list[str], n_projection: int) -> RunSpec:
        return cls(kind, tuple(c.flat() for c in cfgs), tuple(names), int(n_projection))

    # --- the wire form: JSON, read back with every config checked again ----------------------------
    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "configs": list(self.configs), "names": list(self.names),
                           "n_projection": self.n_projection})

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        d = json.loads(text)
        if not isinstance(d, dict) or set(d) != {"kind", "configs", "names", "n_projection"}:
            raise ValueError("a run spec is a JSON object with kind, configs, names and n_projection")
        spec = cls(d["kind"], tuple(d["configs"]), tuple(d["names"]), d["n_projection"])
        spec.train_configs()  # refuses an unknown loss, dataset, …, with the config's own sentence
        return spec

    def train_configs(self) -> list[TrainConfig]:
        return [TrainConfig.from_dict(c) for c in self.configs]

    @property
    def data(self) -> tuple[str, tuple[int, int] | None]:
        """(dataset name, image size or None): what every run of the spec trains on."""
        return self.configs[0]["dataset"], _size(self.configs[0])

    @property
    def device(self) -> str:
        return self.configs[0].get("device", "auto")

    # --- running it -------------------------------------------------------------------------------
    def execute(self, splits: tuple[ImageSet, ImageSet], probe: ProbeSet, live: LiveState,
                cancel_event: threading.Event) -> RunReport | list[RunReport]:
        """Train and measure, filling `live` as the pages read it (progress, curves, frames)."""
        cfgs = self.train_configs()
        describe_probe(live, probe, splits[1], self.configs, self.names)
        if self.kind == "run":
            return run_experiment(cfgs[0], self.names[0], callbacks=[ProgressRecorder(live)],
                                  cancel_event=cancel_event, splits=splits, n_projection=self.n_projection,
                                  probe=probe, frames=live.frames.setdefault(self.names[0], []))
        return run_sweep(cfgs, list(self.names), splits, live, cancel_event, n_projection=self.n_projection,
                         probe=probe)


def describe_probe(live: LiveState, probe: ProbeSet, test: ImageSet, flats, names) -> None:
    """What the live views need besides the frames: the probe's classes, and per run its score kind."""
    live.update(probe_labels=probe.labels, class_names=list(test.class_names),
                as_distance={n: not f["loss"].startswith("bce") for n, f in zip(names, flats)},
                embedding_dims={n: f["embedding_dim"] for n, f in zip(names, flats)})


def _size(flat: dict) -> tuple[int, int] | None:
    return tuple(int(v) for v in flat["image_size"]) if flat.get("image_size") else None
