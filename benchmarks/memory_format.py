"""Channels-last weights on the CPU: embedding and training-step time, the same model in both layouts,
timed in alternating rounds of one process (so the machine's load falls on both alike; each round times each
variant for at least `ROUND_S` with torch.utils.benchmark); medians and the ratio. Also the embedding's batch
size on the CPU: the probe set in batches of `CPU_BATCH` against one batch.

    python -m benchmarks run memory-format [--repeats 15] [--threads 1] [--out docs/results/memory-format.json]
"""
from __future__ import annotations

import copy

import torch

from benchmarks.machine_ratio import median_ms_interleaved
from benchmarks.results import conditions, parser, save, torch_threads

NAME = "memory-format"
SUMMARY = "channels-last against the default layout: embedding and a training step on the CPU"
ROUND_S = 0.2


def measure(repeats: int, threads: int) -> dict:
    from siamese_core.data import load_dataset
    from siamese_core.data.base import resolve_data_dir
    from siamese_core.models import ModelConfig, SiameseNet
    from siamese_core.models.embed import CPU_BATCH, embed
    from siamese_core.service.live_frames import probe_set

    test = load_dataset("fashion-mnist", "test", data_dir=str(resolve_data_dir()))
    probe = probe_set(test).images                         # what one live frame embeds
    batch = test.images[:128]                               # one training batch of the page's size
    model = SiameseNet(ModelConfig(embedding_dim=32))       # the losses page's default network

    def step(model, opt):
        model.train()
        opt.zero_grad()
        model.embed(batch).pow(2).mean().backward()
        opt.step()

    fns = {}
    for layout, fmt in (("contiguous", torch.contiguous_format), ("channels_last", torch.channels_last)):
        m = copy.deepcopy(model).to(memory_format=fmt)
        opt = torch.optim.Adam(m.parameters(), 1e-3)
        fns[f"embed_{layout}_ms"] = lambda m=m: embed(m, probe)
        fns[f"step_{layout}_ms"] = lambda m=m, opt=opt: step(m, opt)
    fns["embed_one_batch_channels_last_ms"] = lambda: embed(m, probe, len(probe))  # m: the channels-last one
    with torch_threads(threads):
        med = median_ms_interleaved(fns, ROUND_S * repeats, repeats, 1)
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
