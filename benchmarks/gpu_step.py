"""On CUDA: a trainer step's time in float32 and under bf16 autocast, with the weights in the default layout
and channels-last, in alternating rounds of one process (benchmarks/gpu_check.sh runs it). The trainer
uses bf16 autocast on CUDA (`--precision auto`) and the default layout there; this says whether either
choice should change.

    python -m benchmarks run gpu-step [--seconds 2] [--out FILE.json]
"""
from __future__ import annotations

import torch

from benchmarks.results import conditions, parser, save

NAME = "gpu-step"
SUMMARY = "on CUDA: a training step in float32 and under bf16 autocast, default layout and channels-last"
VARIANTS = {"fp32": ("fp32", False), "bf16": ("bf16", False), "fp32 channels-last": ("fp32", True),
            "bf16 channels-last": ("bf16", True)}


def compare(name: str, seconds: float, rounds: int = 3, device: str = "cuda") -> dict:
    from benchmarks.machine_ratio import StepTimer, median_ms_interleaved, trainer_for
    timers = {}
    for label, (precision, channels_last) in VARIANTS.items():
        trainer = trainer_for(name, device=device, precision=precision)
        if channels_last:
            trainer.model.to(memory_format=torch.channels_last)
        timers[label] = StepTimer(trainer)
        for _ in range(5):
            timers[label].step()
    ms = median_ms_interleaved({label: t.step for label, t in timers.items()}, seconds, rounds, 3)
    images = trainer.batches.images_per_step
    return {"ms_per_step": ms, "images_per_s": {k: round(1000 * images / v, 1) for k, v in ms.items()},
            "over_fp32": {k: round(v / ms["fp32"], 3) for k, v in ms.items()}}


def main(argv: list[str] | None = None) -> dict:
    from benchmarks.machine_ratio import NETWORKS
    p = parser(NAME, __doc__)
    p.add_argument("--seconds", type=float, default=2.0, help="timed steps per variant and network")
    a = p.parse_args(argv)
    if not torch.cuda.is_available():
        raise SystemExit("This benchmark needs a CUDA device, and torch sees none.")
    before = conditions()
    result = {name: compare(name, a.seconds) for name in NETWORKS}
    for name, r in result.items():
        print(f"{name}: " + ", ".join(f"{k} {v:.2f} ms ({r['over_fp32'][k]:.2f}×)"
                                      for k, v in r["ms_per_step"].items()))
    save(a.out, NAME, argv, result, before)
    return result


if __name__ == "__main__":
    main()
