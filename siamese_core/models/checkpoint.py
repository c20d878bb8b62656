"""Checkpoints: weights plus the configs that built them, loadable with weights_only=True."""
from __future__ import annotations

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
               command: str | None = None, arrays: bool = False) -> dict:
    """What a checkpoint file holds, as a dict (a page keeps a student's network so, in memory only). `arrays`:
    the weights as numpy arrays, for a blob that crosses a multiprocessing pipe (a tensor goes there as a shared-
    memory handle, which a process started by another parent may not take: multiprocessing's authentication)."""
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    return {"format": FORMAT, "model_config": model.config.as_dict(), "train_config": train_config,
            "state_dict": {k: v.numpy() for k, v in state.items()} if arrays else state,
            "threshold": model.threshold, "metrics": metrics or {}, "command": command}


def blob_nbytes(blob: dict) -> int:
    return int(sum(v.nbytes for v in blob["state_dict"].values()))


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
    """The network a checkpoint's dict describes (its weights as tensors or numpy arrays), in eval mode (see
    `load_model`)."""
    model = SiameseNet(ModelConfig.from_dict(blob["model_config"]))
    model.load_state_dict({k: torch.as_tensor(v) for k, v in blob["state_dict"].items()})
    model.threshold = blob.get("threshold")
    model.metrics = blob.get("metrics") or {}
    model.train_config = blob.get("train_config")
    return fast_layout(model.to(device), device).eval()
