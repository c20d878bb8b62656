"""One atlas cell on disk: a RunReport (with its live frames) as one compressed `.npz` of plain arrays (the
frames' stacked in their own dtypes) plus one JSON string (exact for Python floats): a cell loads back equal,
with `allow_pickle=False`, so it cannot run code."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..service.experiment import PairExample, RunReport
from ..service.live_frames import Frame

FORMAT = 1
FRAME_SCALARS = ("step", "seconds", "loss", "accuracy", "auc", "threshold", "cost")


def _meta(report: RunReport) -> dict:
    return {"format": FORMAT, "name": report.name, "config": report.config, "metrics": report.metrics,
            "history": report.history, "val_history": report.val_history,
            "examples": [asdict(e) for e in report.examples], "class_names": list(report.class_names),
            "score_is_probability": bool(report.score_is_probability), "extra": report.extra,
            "projection_kind": report.projection_kind,
            "frames": [{k: getattr(f, k) for k in FRAME_SCALARS} for f in report.frames]}


def save_cell(path: str | Path, report: RunReport) -> int:
    """Write `report` to `path` (.npz); returns the file's size in bytes."""
    frames = report.frames
    arrays = {
        "meta": np.array(json.dumps(_meta(report), default=float)),  # a 0-d unicode array, not an object
        "test_scores": report.test_scores.astype(np.float32), "test_same": report.test_same.astype(bool),
        "projection": report.projection.astype(np.float16 if frames else np.float32),
        "projection_labels": report.projection_labels.astype(np.int16),
        "projection_index": report.projection_index.astype(np.int32),
    }
    if report.probe_embeddings is not None:
        arrays["probe_embeddings"] = report.probe_embeddings.astype(np.float16)
    if frames:
        arrays.update(frame_layouts=np.stack([f.layout for f in frames]),
                      frame_edges=np.stack([f.edges for f in frames]),
                      frame_same=np.stack([f.same_counts for f in frames]),
                      frame_diff=np.stack([f.diff_counts for f in frames]))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:  # a file object: numpy would otherwise append ".npz" to other names
        np.savez_compressed(fh, **arrays)
    return path.stat().st_size


def load_cell(path: str | Path) -> RunReport:
    """The RunReport stored at `path`, frames and all."""
    with np.load(path, allow_pickle=False) as z:
        a = {k: z[k] for k in z.files}
    meta = json.loads(str(a["meta"]))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} is an atlas cell of format {meta.get('format')}, this code reads format {FORMAT}")
    frames = [Frame(layout=a["frame_layouts"][k], edges=a["frame_edges"][k], same_counts=a["frame_same"][k],
                    diff_counts=a["frame_diff"][k], **scalars) for k, scalars in enumerate(meta["frames"])]
    projection = a["projection"].astype(np.float32)
    return RunReport(
        name=meta["name"], config=meta["config"], metrics=meta["metrics"], history=meta["history"],
        val_history=meta["val_history"], test_scores=a["test_scores"], test_same=a["test_same"],
        examples=[PairExample(**e) for e in meta["examples"]], projection=projection,
        projection_labels=a["projection_labels"].astype(np.int64),
        projection_index=a["projection_index"].astype(np.int64), class_names=meta["class_names"],
        score_is_probability=meta["score_is_probability"], extra=meta["extra"],
        projection_kind=meta["projection_kind"], frames=frames, probe_embeddings=a.get("probe_embeddings"))
