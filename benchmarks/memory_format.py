"""Channels-last weights on the CPU: embedding and training-step time, the same model in both layouts,
measured alternately in one process (so the machine's load falls on both alike); medians and the ratio.
Also the embedding's batch size on the CPU: the probe set in batches of `CPU_BATCH` against one batch.

    python -m benchmarks run memory-format [--repeats 15] [--threads 1] [--out docs/results/memory-format.json]
"""
from __future__ import annotations

import statistics
import time

import torch

from benchmarks.results import conditions, parser, save

NAME = "memory-format"
SUMMARY = "channels-last against the default layout: embedding and a training step on the CPU"


def _seconds(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure(repeats: int, threads: int) -> dict:
    from siamese_core.data import load_dataset
    from siamese_core.data.base import resolve_data_dir
    from siamese_core.models import ModelConfig, SiameseNet
    from siamese_core.models.embed import CPU_BATCH, embed
    from siamese_core.service.live_frames import probe_set

    torch.set_num_threads(threads)
    test = load_dataset("fashion-mnist", "test", data_dir=str(resolve_data_dir()))
    probe = probe_set(test).images                         # what one live frame embeds
    batch = test.images[:128]                               # one training batch of the page's size
    model = SiameseNet(ModelConfig(embedding_dim=32))       # the losses page's default network
    opt = torch.optim.Adam(model.parameters(), 1e-3)

    def step():
        model.train()
        opt.zero_grad()
        model.embed(batch).pow(2).mean().backward()
        opt.step()

    times = {(what, layout): [] for what in ("embed", "step") for layout in ("contiguous", "channels_last")}
    times[("embed_one_batch", "channels_last")] = []
    for k in range(repeats + 2):                             # the first two rounds warm up: not counted
        for layout in ("contiguous", "channels_last"):
            model.to(memory_format=getattr(torch, f"{layout}_format" if layout == "contiguous" else layout))
            e, s = _seconds(lambda: embed(model, probe)), _seconds(step)
            if k >= 2:
                times[("embed", layout)].append(e)
                times[("step", layout)].append(s)
        if k >= 2:  # the same channels-last model, all the probe images in one batch
            times[("embed_one_batch", "channels_last")].append(_seconds(lambda: embed(model, probe, len(probe))))
    med = {f"{w}_{lay}_ms": round(1000 * statistics.median(v), 1) for (w, lay), v in times.items()}
    return {**med, "threads": threads, "repeats": repeats, "probe_images": len(probe), "batch": len(batch),
            "embed_ratio": round(med["embed_channels_last_ms"] / med["embed_contiguous_ms"], 3),
            "step_ratio": round(med["step_channels_last_ms"] / med["step_contiguous_ms"], 3),
            "cpu_batch": CPU_BATCH,
            "batch_ratio": round(med["embed_channels_last_ms"] / med["embed_one_batch_channels_last_ms"], 3)}


def main(argv: list[str] | None = None) -> dict:
    p = parser(NAME, __doc__)
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--threads", type=int, default=1, help="torch threads (the server's default per job: 1)")
    args = p.parse_args(argv)
    before = conditions()
    f = measure(args.repeats, args.threads)
    print(f"embed {f['probe_images']} probe images: {f['embed_contiguous_ms']} ms contiguous, "
          f"{f['embed_channels_last_ms']} ms channels-last (ratio {f['embed_ratio']})")
    print(f"embed {f['probe_images']} probe images channels-last: {f['embed_channels_last_ms']} ms in batches of "
          f"{f['cpu_batch']}, {f['embed_one_batch_channels_last_ms']} ms in one batch (ratio {f['batch_ratio']})")
    print(f"training step, batch {f['batch']}: {f['step_contiguous_ms']} ms contiguous, "
          f"{f['step_channels_last_ms']} ms channels-last (ratio {f['step_ratio']})")
    save(args.out, NAME, argv, f, before)
    return f


if __name__ == "__main__":
    main()
