"""A page's training as plain data: one run or a sweep of runs on one dataset, each run's flat config and
name, and how many test points a map shows. Names, numbers and flags only, so that a trainer in another process
can be sent it as JSON and rebuild the run from its own data folder: nothing a student uploaded is part of it."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from ..data import ImageSet
from ..training import TrainConfig
from .experiment import RunReport, run_sweep
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
        """Train and measure, filling `live` as the pages read it: first what the live views need besides the
        frames (the probe's classes, and per run its score kind), then progress, curves and frames."""
        live.update(probe_labels=probe.labels, class_names=list(probe.class_names or splits[1].class_names),
                    as_distance={n: not f["loss"].startswith("bce") for n, f in zip(self.names, self.configs)},
                    embedding_dims={n: f["embedding_dim"] for n, f in zip(self.names, self.configs)})
        reports = run_sweep(self.train_configs(), list(self.names), splits, live, cancel_event, self.n_projection,
                            probe)
        return reports if self.kind == "sweep" else reports[0]


def _size(flat: dict) -> tuple[int, int] | None:
    return tuple(int(v) for v in flat["image_size"]) if flat.get("image_size") else None
