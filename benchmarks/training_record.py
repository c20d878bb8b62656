"""What a shipped checkpoint says about its own training, as JSON the docs can quote.

`python -m siamese_core train` stores its command, configs and training metrics (seconds, steps, the
validation figures that picked the epoch) inside the checkpoint; this writes them out beside it:

    python -m benchmarks.training_record assets/*.pt        # assets/NAME.pt → assets/NAME.train.json
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from siamese_core.models.checkpoint import load_model, read_checkpoint


def training_record(path: Path) -> dict:
    blob = read_checkpoint(path)
    model = load_model(path)
    n_params = sum(p.numel() for p in model.parameters())
    n_buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked"))
    return {"checkpoint": path.as_posix(), "bytes": path.stat().st_size, "command": blob["command"],
            "parameters": n_params, "buffer_values": n_buffers, "threshold": blob["threshold"],
            "metrics": blob["metrics"], "train_config": blob["train_config"], "model_config": blob["model_config"]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.training_record", description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoints", nargs="+", type=Path, help=".pt files written by `python -m siamese_core train`")
    a = p.parse_args(argv)
    for path in a.checkpoints:
        out = path.with_suffix(".train.json")
        out.write_text(json.dumps(training_record(path), indent=1, default=float) + "\n")
        print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
