"""Live frames: while a network trains, a fixed probe set of test images is embedded now and then, and each
frame records what the pages draw — matched/mismatched score histograms with the current best threshold, pair
accuracy and AUC on the probe pairs, and a 2-D map that glides from frame to frame. A frame is a few KB, so a
finished run keeps all of them (the replay)."""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from ..data import ImageSet
from ..data.sampling import sample_pairs
from ..evaluation.metrics import best_threshold, pair_scores
from ..evaluation.validation_runs import ValidationRuns
from ..models.embed import embed
from ..training import Callback
from ..viz.stable_projection import stable_layout

PROBE_IMAGES, PROBE_PAIRS, BINS = 500, 2000, 40
# The frame time allowed by progress p is share × run length × p^FRONT: all of it within the share by the
# end, but front-loaded — the geometry changes fastest in the first steps, so frames come densest there
# and every frame moves the map by about as much as the next (see docs/benchmarks.md).
FRONT = 0.6
# Share of the previous map kept in a frame taken while training (`stable_layout`'s inertia): the map
# glides with the drift of training, not the jitter of single steps (the end frame keeps none).
INERTIA = 0.3


@dataclass(frozen=True)
class ProbeSet:
    """Test images balanced over the classes, and balanced pairs among them: the same for every frame."""

    images: torch.Tensor     # n×1×H×W
    labels: np.ndarray       # class of each probe image
    index: np.ndarray        # its index in the test split
    i: torch.Tensor          # pairs (i[k], j[k]) among the probe images …
    j: torch.Tensor
    same: np.ndarray         # … and whether each pair is of one class
    # A one-shot probe (oneshot_probe.py) also holds fixed 20-way runs, scored at every frame; names its own
    # classes (the labels above index them, not the split's); and can give a stroke model the originals its
    # `prepare_tensor` redraws (evaluation-split rows → their 105×105 scans).
    runs: ValidationRuns | None = None
    class_names: tuple[str, ...] | None = None
    originals: Callable[[torch.Tensor], torch.Tensor] | None = None

    def read_by(self, model) -> ProbeSet:
        """The probe as `model` reads its inputs: a stroke model's images redrawn from the original scans."""
        if self.originals is None or not model.config.strokes:
            return self
        runs = self.runs and replace(self.runs, images=model.prepare_tensor(self.originals(self.runs.index)))
        return replace(self, images=model.prepare_tensor(self.originals(torch.as_tensor(self.index))), runs=runs,
                       originals=None)


def probe_set(test_set: ImageSet, n_images: int = PROBE_IMAGES, n_pairs: int = PROBE_PAIRS, seed: int = 0) -> ProbeSet:
    g = torch.Generator().manual_seed(seed)
    per_class = math.ceil(n_images / test_set.num_classes)
    picked = []
    for c in range(test_set.num_classes):
        idx = torch.nonzero(test_set.labels == c).squeeze(1)
        picked.append(idx[torch.randperm(len(idx), generator=g)[:per_class]])
    index = torch.cat(picked)
    index = index[torch.randperm(len(index), generator=g)[:n_images]].sort().values
    labels = test_set.labels[index]
    i, j, y = sample_pairs(labels, n_pairs, seed=seed)
    return ProbeSet(test_set.rows(index), labels.numpy(), index.numpy(), i, j, y.numpy().astype(bool))


@dataclass(frozen=True)
class Frame:
    step: int
    seconds: float            # training time when it was taken
    loss: float
    accuracy: float           # probe pairs at the frame's own best threshold
    auc: float
    threshold: float          # on the score (similarity: −distance, or p(same) for a pair head)
    layout: np.ndarray        # n×2 float16, aligned to the previous frame
    edges: np.ndarray         # BINS + 1 score bin edges
    same_counts: np.ndarray   # matched pairs per bin
    diff_counts: np.ndarray   # mismatched pairs per bin
    cost: float               # seconds it took to make
    # With a one-shot probe: accuracy on its fixed runs, the trial drawn large (run·N + query), the test-split
    # rows of its query and of its run's N supports, and the query's similarity to each support (the network's
    # pick is the largest; support k is the right one when the query is k).
    oneshot: float | None = None
    task: int | None = None
    task_rows: np.ndarray | None = None
    task_scores: np.ndarray | None = None

    @property
    def nbytes(self) -> int:
        arrays = (self.layout, self.edges, self.same_counts, self.diff_counts, self.task_rows, self.task_scores)
        return int(sum(a.nbytes for a in arrays if a is not None) + 120)


@torch.no_grad()
def frame_and_embeddings(model, probe: ProbeSet, step: int, seconds: float, loss: float,
                         previous: np.ndarray | None = None, device=None, inertia: float = 0.0,
                         task: int | None = None) -> tuple[Frame, torch.Tensor]:
    """The frame, and the probe embeddings it was made from (n×D on the CPU). `task`: the one-shot trial to
    draw large (None: the first, in a fixed order, that the network gets wrong now)."""
    t0 = time.perf_counter()
    h = embed(model, probe.images, device=device)
    scores = pair_scores(model, h, probe.i, probe.j).numpy().astype(np.float64)
    threshold, accuracy = best_threshold(scores, probe.same)
    auc = _auc(scores, probe.same)
    layout = stable_layout(h.numpy(), previous, inertia)
    lo, hi = float(scores.min()), float(scores.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1e-6, BINS + 1)
    same_counts = np.histogram(scores[probe.same], edges)[0].astype(np.int32)
    diff_counts = np.histogram(scores[~probe.same], edges)[0].astype(np.int32)
    oneshot = task_rows = task_scores = None
    if probe.runs is not None:
        runs = probe.runs
        scores = runs.scores(model, embed(model, runs.images, device=device))
        oneshot = runs.accuracy(scores)
        task = first_wrong(runs.picks(scores), runs.n_way) if task is None else task
        task_rows = runs.trial_rows(task)
        task_scores = scores[task // runs.n_way, task % runs.n_way].numpy().astype(np.float32)
    frame = Frame(step, float(seconds), float(loss), accuracy, auc, threshold, layout.astype(np.float16),
                  edges.astype(np.float32), same_counts, diff_counts, time.perf_counter() - t0, oneshot, task,
                  task_rows, task_scores)
    return frame, h


def first_wrong(picks: torch.Tensor, n_way: int, seed: int = 0) -> int:
    """The first trial, in an order fixed by `seed`, whose query the network matches to a wrong support: the
    trial a run draws large, so students see its pick go from wrong to right (the first trial if none is wrong)."""
    order = torch.randperm(picks.numel(), generator=torch.Generator().manual_seed(seed))
    wrong = picks.reshape(-1)[order] != (order % n_way)
    return int(order[int(wrong.float().argmax())]) if bool(wrong.any()) else 0


class FrameRecorder(Callback):
    """Appends a Frame to `frames` at the start (free: before the clock starts), every so often while training,
    and at the end (after the best weights are back). Frames cost training time: they are taken only while their
    total cost, the end frame's included, stays within `allowance`, so by the end they took ≤ `share` of the
    run. Past `max_frames`, every second old frame is dropped and frames come half as often."""

    def __init__(self, probe: ProbeSet, frames: list | None = None, share: float = 0.09, max_frames: int = 240):
        if not 0 < share < 1 or max_frames < 4:
            raise ValueError("share must be in (0, 1) and max_frames ≥ 4")
        self.probe, self.share, self.max_frames = probe, share, max_frames
        self.frames: list[Frame] = frames if frames is not None else []
        self.cost, self.gap = 0.0, 0.0   # seconds spent on frames; least training seconds between frames
        # Frames are scheduled on the wall clock (what they cost) even when the budget counts CPU time.
        self.wall_at_frame, self.wall = 0.0, 0.0
        self.embeddings: torch.Tensor | None = None  # the probe embeddings of the latest frame

    def _record(self, trainer, step: int, seconds: float, loss: float, counts: bool = True,
                inertia: float = INERTIA) -> None:
        previous = self.frames[-1].layout.astype(np.float32) if self.frames else None
        task = self.frames[0].task if self.frames else None  # one trial drawn large for the whole run
        frame, self.embeddings = frame_and_embeddings(trainer.model, self.probe, step, seconds, loss, previous,
                                                      trainer.device, inertia, task)
        self.cost += frame.cost if counts else 0.0
        if len(self.frames) >= self.max_frames:
            del self.frames[1::2]
            self.gap = max(2 * self.gap, self.wall / len(self.frames))
        self.frames.append(frame)

    def on_train_start(self, trainer) -> None:
        self.probe = self.probe.read_by(trainer.model)
        # Before the clock starts: not charged to the share. The first call pays the warm-up, so the frame
        # is made again, and its cost — what the next frames will cost — schedules the early frames.
        self._record(trainer, 0, 0.0, float("nan"), counts=False)
        self.frames.pop()
        self._record(trainer, 0, 0.0, float("nan"), counts=False)

    def on_step(self, trainer, state) -> None:
        last = self.frames[-1] if self.frames else None
        # Room for this frame and for the one at the end, each costing about what the last few did
        # (their median: one slow frame on a busy machine does not hold the next ones back):
        # then all frames together stay within the allowance, the end frame included.
        recent = sorted(f.cost for f in self.frames[-3:])
        cost = recent[len(recent) // 2] if recent else 0.0
        self.wall = state.wall
        since = state.wall - self.wall_at_frame if last else state.wall
        if self.cost + 2 * cost <= self.allowance(state.wall, state.progress) and since >= self.gap:
            self._record(trainer, state.step, state.elapsed, state.loss)
            self.wall_at_frame = state.wall

    def allowance(self, elapsed: float, progress: float) -> float:
        """Seconds of frames allowed after `elapsed` training seconds, `progress` (0..1) of the run: `share` × the
        run's length × progress^FRONT, never less than `share` × the time so far."""
        if not 0 < progress <= 1:
            return self.share * elapsed
        return self.share * max(elapsed, elapsed / progress * progress ** FRONT)

    def on_train_end(self, trainer, state) -> None:
        # The model as reported (best weights back): it replaces a frame taken at this very step.
        if len(self.frames) > 1 and self.frames[-1].step == state.step:
            self.frames.pop()
        self.wall = state.wall
        self._record(trainer, state.step, state.elapsed, state.loss, inertia=0.0)

    @property
    def frame_share(self) -> float:
        """Time spent on frames as a share of the training's wall-clock time (frames included)."""
        return self.cost / self.wall if self.wall > 0 else float("nan")


def _auc(scores: np.ndarray, same: np.ndarray) -> float:
    """ROC AUC as the Mann–Whitney statistic (ties count a half), the same number as scikit-learn's
    roc_auc_score in a fraction of its time: a frame is paid for out of training time."""
    n_pos = int(same.sum())
    n_neg = len(same) - n_pos
    if not n_pos or not n_neg:
        return float("nan")
    ranks = _mean_ranks(np.asarray(scores))
    return float((ranks[same].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _mean_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n, tied values sharing their mean rank: scipy's rankdata, without importing scipy.stats (half a
    second of a training process's start)."""
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])   # where each run of equal values starts
    ends = np.r_[starts[1:], len(x)]
    ranks = np.empty(len(x))
    ranks[order] = np.repeat((starts + ends + 1) / 2, ends - starts)   # a run's ranks are starts+1 … ends
    return ranks
