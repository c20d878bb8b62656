"""Checkpoints: weights plus the configs that built them, loadable with weights_only=True."""
from __future__ import annotations

import io
import os
from pathlib import Path

import torch

from . import ModelConfig, SiameseNet
from .memory_format import fast_layout

FORMAT = "siamese-lab/1"


def save_checkpoint(path: str | os.PathLike, model: SiameseNet, train_config: dict | None = None,
                    metrics: dict | None = None, command: str | None = None) -> Path:
    """Write atomically (temp file + rename) so a crash never leaves half a checkpoint."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = model_blob(model, train_config, metrics, command)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(blob, tmp)
    os.replace(tmp, path)
    return path


def model_blob(model: SiameseNet, train_config: dict | None = None, metrics: dict | None = None,
               command: str | None = None) -> dict:
    """What a checkpoint file holds, as a dict (a page keeps a student's network so, in memory only)."""
    return {"format": FORMAT, "model_config": model.config.as_dict(), "train_config": train_config,
            "state_dict": {k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
            "threshold": model.threshold, "metrics": metrics or {}, "command": command}


def checkpoint_bytes(model: SiameseNet, train_config: dict | None = None, metrics: dict | None = None) -> bytes:
    """A checkpoint file's bytes, in memory: how a training process hands a network back (plain bytes pickle
    through any pipe; tensors would travel as shared-memory handles the server's process may not open)."""
    buffer = io.BytesIO()
    torch.save(model_blob(model, train_config, metrics), buffer)
    return buffer.getvalue()


def model_from_bytes(data: bytes, device: str | torch.device = "cpu") -> SiameseNet:
    """The network of `checkpoint_bytes` (weights_only, as a file is read)."""
    blob = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise ValueError(f"not a Siamese Lab checkpoint (format {FORMAT!r} expected)")
    return model_from_blob(blob, device)


def checkpoint_in(filename: str, folders: list[str | os.PathLike]) -> Path:
    """The file `filename` inside one of `folders` (first match). Servers load checkpoints only from
    folders they trust: a name that leads elsewhere (`..`, an absolute path, a link out) is refused."""
    for folder in map(Path, folders):
        root = folder.resolve()
        path = (root / filename).resolve()
        if not path.is_relative_to(root):
            raise ValueError(f"{filename!r} is outside the checkpoint folder; only files inside {folder} load")
        if path.is_file():
            return path
    raise FileNotFoundError(f"no checkpoint {filename!r} in " + ", ".join(map(str, folders)))


def read_checkpoint(path: str | os.PathLike) -> dict:
    """The raw checkpoint dict. weights_only=True: a checkpoint can never run code when loaded."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is not a Siamese Lab checkpoint (the file is empty)")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # unpickling refused, truncated file, not a torch file at all
        raise ValueError(f"{path} is not a Siamese Lab checkpoint ({type(exc).__name__}: "
                         f"{(str(exc).splitlines() or [''])[0][:200]})") from None
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise ValueError(f"{path} is not a Siamese Lab checkpoint (format {FORMAT!r} expected)")
    return blob


def load_model(path: str | os.PathLike, device: str | torch.device = "cpu") -> SiameseNet:
    """A trained model in eval mode, with `input_size`, `prepare(images)`, `similarity(a, b)`,
    `threshold` (chosen on validation data, or None), and `metrics` / `train_config` as saved."""
    return model_from_blob(read_checkpoint(path), device)


def model_from_blob(blob: dict, device: str | torch.device = "cpu") -> SiameseNet:
    """The network a checkpoint's dict describes, in eval mode (see `load_model`)."""
    model = SiameseNet(ModelConfig.from_dict(blob["model_config"]))
    model.load_state_dict(blob["state_dict"])
    model.threshold = blob.get("threshold")
    model.metrics = blob.get("metrics") or {}
    model.train_config = blob.get("train_config")
    return fast_layout(model.to(device), device).eval()
