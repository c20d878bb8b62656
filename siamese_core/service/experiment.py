"""One experiment as the training pages show it: `run_experiment` trains a model (what a page's Train runs),
and `report_for` measures any trained model (a fresh run, or a checkpoint from assets/) into the same
`RunReport`: verification accuracy at the validation threshold, ROC, matched/mismatched distances, sample pairs
with verdicts, and a 2-D map of the test embeddings. A run with live frames (live_frames.FrameRecorder) reuses
them — its last validation's threshold, the test pairs among the probe images scored by the final frame, that
frame's map — so its report follows training at once, with no second pass over test images."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from ..data import ImageSet, load_dataset
from ..data.splits import validation_split as _split
from ..evaluation.metrics import (
    VerificationResult,
    accuracy_at,
    embed,
    equal_error_rate,
    pair_scores,
    roc_auc,
    verification,
)
from ..models.checkpoint import blob_nbytes, model_blob
from ..training import Callback, TrainConfig, train
from ..training.budget_clock import WALL_CAP
from ..viz.projection import tsne_2d
from .live_frames import FrameRecorder, ProbeSet
from .live_state import LiveState

MAX_HISTORY = 400  # rows of the training curve kept per run (evenly thinned)


@dataclass
class PairExample:
    i: int            # test-set index of the first image
    j: int            # … and of the second
    same: bool        # ground truth (y = 1: same class)
    score: float      # the model's similarity (−distance, or p(same) for a pair head)
    predicted_same: bool


@dataclass
class RunReport:
    """Everything the pages draw for one trained model, small enough to keep per user session."""

    name: str
    config: dict                      # the TrainConfig as a dict
    metrics: dict                     # accuracy, auc, eer, threshold, val_accuracy, train_seconds, …
    history: list[dict]               # training curve (thinned)
    val_history: list[dict]
    test_scores: np.ndarray           # similarities of the balanced test pairs
    test_same: np.ndarray             # their ground truth (bool)
    examples: list[PairExample]
    projection: np.ndarray            # n×2 map of test embeddings (see projection_kind)
    projection_labels: np.ndarray     # class of each projected point
    projection_index: np.ndarray      # test-set index of each projected point
    class_names: list[str]
    score_is_probability: bool        # pair head (p in [0, 1]) rather than −distance
    extra: dict = field(default_factory=dict)
    projection_kind: str = "tsne"     # "tsne"; "pca" (the live map's last frame); "plane" (D = 2 itself)
    frames: list = field(default_factory=list)  # live_frames.Frame, oldest first (the replay)
    probe_embeddings: np.ndarray | None = None  # float16, the final probe embeddings (a t-SNE on request)
    model: dict | None = None         # a one-shot run's network, as a checkpoint holds it (the page uses it)

    @property
    def shareable(self) -> bool:
        """Whether another student asking for the same run may be handed this one: not when a busy
        machine starved it until its wall-clock cap (it trained less than its budget)."""
        return self.metrics.get("stopped_because") != WALL_CAP

    @property
    def nbytes(self) -> int:
        arrays = (self.test_scores, self.test_same, self.projection, self.projection_labels, self.projection_index)
        probe = 0 if self.probe_embeddings is None else self.probe_embeddings.nbytes
        extra = probe + sum(f.nbytes for f in self.frames) + (blob_nbytes(self.model) if self.model else 0)
        return int(sum(a.nbytes for a in arrays) + 200 * (len(self.history) + len(self.val_history)) + 4096 + extra)


def _thin(rows: list[dict], limit: int = MAX_HISTORY) -> list[dict]:
    if len(rows) <= limit:
        return list(rows)
    keep = np.linspace(0, len(rows) - 1, limit).round().astype(int)
    return [rows[k] for k in keep]


def _examples(scores: np.ndarray, same: np.ndarray, i: torch.Tensor, j: torch.Tensor, threshold: float,
              per_kind: int = 4) -> list[PairExample]:
    """The first `per_kind` same-class and different-class test pairs (the pairs are already shuffled)."""
    out = []
    for want in (True, False):
        for k in np.flatnonzero(same == want)[:per_kind]:
            out.append(PairExample(int(i[k]), int(j[k]), bool(same[k]), float(scores[k]),
                                   bool(scores[k] >= threshold)))
    return out


def report_for(model, val_set: ImageSet | None, test_set: ImageSet, name: str, config: dict | None = None,
               train_metrics: dict | None = None, history: list[dict] = (), val_history: list[dict] = (),
               n_pairs: int = 2000, n_projection: int = 1000, seed: int = 0, last_val: dict | None = None,
               recorder: FrameRecorder | None = None) -> RunReport:
    """Measure a trained model: threshold on validation pairs, everything else on test data; a fresh run passes
    its `last_val` (the threshold its validation chose) and its frame `recorder`."""
    threshold = None if last_val is None else last_val["threshold"]
    val_accuracy = None if last_val is None else last_val.get("val_accuracy")
    if threshold is not None and recorder is not None and recorder.embeddings is not None:
        result = _probe_verification(model, recorder, threshold, val_accuracy)
    else:
        result = verification(model, val_set, test_set, n_pairs=n_pairs, seed=seed, threshold=threshold,
                              val_accuracy=val_accuracy)
    scores, same = result.test_scores.numpy(), result.test_labels.numpy().astype(bool)
    i, j = result.test_pairs
    report = RunReport(
        name=name, config=dict(config or getattr(model, "train_config", None) or {}),
        metrics={**(train_metrics or {}), **result.summary()}, history=_thin(list(history)),
        val_history=list(val_history), test_scores=scores, test_same=same,
        examples=_examples(scores, same, i, j, result.threshold), projection=np.zeros((0, 2), np.float32),
        projection_labels=np.zeros(0, np.int64), projection_index=np.zeros(0, np.int64),
        class_names=list(test_set.class_names), score_is_probability=model.head is not None)
    if recorder is not None and recorder.frames and recorder.embeddings is not None:
        _map_from_frames(report, recorder)
    else:
        _map_from_tsne(report, model, test_set, n_projection, seed)
    return report


def _probe_verification(model, recorder: FrameRecorder, threshold: float, val_accuracy: float | None
                        ) -> VerificationResult:
    """The test pairs among the probe images, scored from the final frame's embeddings (made after the best
    weights are back) at the validation threshold."""
    probe = recorder.probe
    scores = pair_scores(model, recorder.embeddings, probe.i, probe.j)
    same = torch.as_tensor(probe.same)
    index = torch.as_tensor(probe.index)
    return VerificationResult(threshold, accuracy_at(scores, same, threshold), roc_auc(scores, same),
                              equal_error_rate(scores, same), float("nan") if val_accuracy is None else val_accuracy,
                              len(same), scores, same, (index[probe.i], index[probe.j]))


def _map_from_frames(report: RunReport, recorder: FrameRecorder) -> None:
    """The final live frame's map of the probe set, and the probe embeddings for a t-SNE on request."""
    h, probe = recorder.embeddings, recorder.probe
    report.projection = recorder.frames[-1].layout.astype(np.float32)
    report.projection_labels, report.projection_index = probe.labels, probe.index
    if probe.class_names:  # a probe naming its own classes (Omniglot's): the labels index those
        report.class_names = list(probe.class_names)
    report.projection_kind = "plane" if h.shape[1] == 2 else "pca"
    report.probe_embeddings = h.numpy().astype(np.float16)
    report.frames = list(recorder.frames)
    report.metrics["embedding_dim"] = int(h.shape[1])
    report.metrics["frame_share"] = round(recorder.frame_share, 4)
    last = recorder.frames[-1]
    if last.oneshot is not None:  # a one-shot probe: the trained network's live figure, and the network itself
        report.metrics["oneshot_accuracy"] = last.oneshot
        report.metrics["oneshot_trials"] = recorder.probe.runs.trials


def _map_from_tsne(report: RunReport, model, test_set: ImageSet, n_projection: int, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    index = torch.randperm(len(test_set), generator=g)[:n_projection].sort().values
    h = embed(model, test_set.images[index])
    report.projection = tsne_2d(h, seed=seed).astype(np.float32)
    report.projection_labels, report.projection_index = test_set.labels[index].numpy(), index.numpy()
    report.projection_kind = "plane" if h.shape[1] == 2 else "tsne"
    report.metrics["embedding_dim"] = int(h.shape[1])


def tsne_of_probe(report: RunReport, seed: int = 0, threads: int | None = None) -> np.ndarray:
    """t-SNE of a fresh run's final probe embeddings, started from its last live map (same orientation).
    `threads`: a page asks on the server's own thread, whose torch count is every core: it passes a job's."""
    if report.probe_embeddings is None:
        raise ValueError("this run kept no probe embeddings (a pretrained run shows its t-SNE already)")
    return tsne_2d(report.probe_embeddings.astype(np.float32), seed=seed, n_jobs=threads, init=report.projection)


def load_splits(cfg: TrainConfig, data_dir: str | None = None) -> tuple[ImageSet, ImageSet]:
    """(train split, test split) of the config's dataset, resized as the config asks; never downloads."""
    train = load_dataset(cfg.dataset, "train", data_dir=data_dir, image_size=cfg.image_size)
    test = load_dataset(cfg.dataset, "test", data_dir=data_dir, image_size=cfg.image_size)
    return train, test


def validation_split(cfg: TrainConfig | dict, train_set: ImageSet) -> tuple[ImageSet, ImageSet]:
    """The (train, validation) split the trainer uses for a config or its flat dict (`val_data="split"`)."""
    c = cfg if isinstance(cfg, dict) else cfg.flat()
    return _split(train_set, c.get("val_fraction", 0.1), c.get("seed", 0))


class Cancelled(Exception):
    """The run was stopped before it produced a model worth measuring."""


def run_experiment(cfg: TrainConfig, name: str, data_dir: str | None = None, callbacks=(),
                   cancel_event: threading.Event | None = None, splits: tuple[ImageSet, ImageSet] | None = None,
                   n_pairs: int = 2000, n_projection: int = 1000, probe: ProbeSet | None = None,
                   frames: list | None = None, recorder: FrameRecorder | None = None) -> RunReport:
    """Train `cfg` on its dataset's train split through `training.train` (the command line's path), then
    `report_for` the best weights at the threshold of the trainer's own validation set. With a `probe` set,
    live frames go into `frames` while it trains (a page draws them; or a `recorder` of one's own takes them)."""
    train_set, test_set = splits or load_splits(cfg, data_dir)
    recorder = recorder or (FrameRecorder(probe, frames) if probe is not None else None)
    result = train(cfg, data=train_set, callbacks=[*callbacks, *([recorder] if recorder else [])],
                   cancel=cancel_event, data_dir=data_dir)
    if result.stopped_because == "cancelled":
        raise Cancelled("stopped before the first validation")
    st = result.state
    t0 = time.perf_counter()
    report = report_for(result.model, result.val_set, test_set, name, cfg.flat(),
                        {"train_seconds": round(st.elapsed, 2), "wall_seconds": round(st.wall, 2),
                         "budget_clock": cfg.clock, "steps": st.step, "epochs": st.epoch,
                         "stopped_because": result.stopped_because},
                        st.history, st.val_history, n_pairs=n_pairs, n_projection=n_projection, seed=cfg.seed,
                        last_val=result.best_val if recorder else None, recorder=recorder)
    report.metrics["evaluation_seconds"] = round(time.perf_counter() - t0, 2)
    if recorder is not None and recorder.probe.runs is not None:  # the One-shot page puts it to work
        report.model = model_blob(result.model, cfg.flat(), report.metrics, arrays=True)  # it crosses a pipe
    return report


class ProgressRecorder(Callback):
    """Copies the trainer's progress into a LiveState (a page follows it); run `part` of `parts` (a sweep) reports
    its share of the whole: progress and ETA are overall."""

    def __init__(self, sink: LiveState, part: int = 0, parts: int = 1, label: str | None = None):
        self.sink, self.part, self.parts, self.label = sink, part, parts, label

    def on_train_start(self, trainer):
        self.sink.update(part=self.part, parts=self.parts, current=self.label, history=[], val_history=[])

    def on_step(self, trainer, state):
        left_after = (self.parts - self.part - 1) * (state.elapsed / max(state.progress, 1e-6))
        self.sink.update(progress=(self.part + state.progress) / self.parts,
                         eta=None if state.eta is None else state.eta + left_after,
                         step=state.step, loss=state.loss, history=state.history, val_history=state.val_history)

    def on_epoch_end(self, trainer, state):
        self.sink.update(val=state.val, val_history=state.val_history)


def run_sweep(configs: list[TrainConfig], names: list[str], splits: tuple[ImageSet, ImageSet], live: LiveState,
              cancel_event: threading.Event | None = None, n_projection: int = 1000,
              probe: ProbeSet | None = None) -> list[RunReport]:
    """Several runs on the same data one after another (an embedding-size sweep, a miner comparison; a single
    run is a sweep of one); stops at the first cancelled run. With a `probe`, each run's live frames go to
    live.frames[name]."""
    reports, by_run = [], live.frames
    for k, (cfg, name) in enumerate(zip(configs, names)):
        frames = by_run.setdefault(name, []) if probe is not None else None
        reports.append(run_experiment(cfg, name, callbacks=[ProgressRecorder(live, k, len(configs), name)],
                                      cancel_event=cancel_event, splits=splits, n_projection=n_projection,
                                      probe=probe, frames=frames))
    return reports
