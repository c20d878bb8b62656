"""What a shipped checkpoint says about its own training, as JSON the docs can quote.

`python -m siamese_core train` stores its command, configs and training metrics (seconds, steps, the
validation figures that picked the epoch) inside the checkpoint; this writes them out beside it:

    python -m benchmarks run training-record assets/*.pt        # assets/NAME.pt → assets/NAME.train.json
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.blocks import Block, f4, thousands
from siamese_core.models.checkpoint import load_model, read_checkpoint

NAME = "training-record"
SUMMARY = "writes what a shipped checkpoint says about its own training beside it, as JSON"
RECORD = "python -m benchmarks.training_record assets/{0}.pt"


def training_record(path: Path) -> dict:
    blob = read_checkpoint(path)
    model = load_model(path)
    n_params = sum(p.numel() for p in model.parameters())
    n_buffers = sum(b.numel() for name, b in model.named_buffers() if not name.endswith("num_batches_tracked"))
    return {"checkpoint": path.as_posix(), "bytes": path.stat().st_size, "command": blob["command"],
            "parameters": n_params, "buffer_values": n_buffers, "threshold": blob["threshold"],
            "metrics": blob["metrics"], "train_config": blob["train_config"], "model_config": blob["model_config"]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=f"python -m benchmarks run {NAME}", description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoints", nargs="+", type=Path, help=".pt files written by `python -m siamese_core train`")
    a = p.parse_args(argv)
    for path in a.checkpoints:
        out = path.with_suffix(".train.json")
        out.write_text(json.dumps(training_record(path), indent=1, default=float) + "\n")
        print(out)
    return 0


def record_text(record: dict) -> str:
    m, members = record["metrics"], record["model_config"].get("members", 1)
    together = record["train_config"].get("member_processes", 1) > 1
    lines = [f"- checkpoint: {thousands(record['bytes'])} bytes, {thousands(record['parameters'])} parameters;",
             f"- {thousands(m['steps'])} steps, {m['epochs']} epochs (stopped: {m['stopped_because']}); "
             f"{m['train_seconds']:.0f} s of training"
             + (f" + {m['validation_seconds']:.0f} s of validation" if "validation_seconds" in m else "")
             + (f", {m['cpu_seconds']:.0f} CPU seconds on {m['threads']} thread(s)" if "cpu_seconds" in m else "")
             + (f", all of it summed over {members} members"
                + (" trained side by side, one process each" if together else " trained one after another")
                if members > 1 else "")
             + (f"; {m['wall_seconds']:.0f} s on the wall clock for the whole command, data preparation included"
                if "wall_seconds" in m else "")
             + ";",
             f"- the kept epoch's validation: accuracy {f4(m['val_accuracy'])}, AUC {f4(m['val_auc'])}, "
             f"threshold {f4(m['threshold'])}"
             + (f", 20-way one-shot {f4(m['val_oneshot_accuracy'])}" if "val_oneshot_accuracy" in m else "") + "."]
    return "\n".join(lines)


BLOCKS = {name: Block((f"assets/{stem}.train.json",), RECORD.format(stem), record_text)
          for name, stem in (("one-shot-training", "oneshot-omniglot"), ("faces-training", "faces_siamese"))}


if __name__ == "__main__":
    raise SystemExit(main())
