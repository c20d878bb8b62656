"""How much of the CPU a training step uses: training images per second and GFLOP/s of the course's VGG twin
and of the one-shot network, against the CPU's peak on paper and against a large fp32 matrix product measured
in the same process (docs/benchmarks.md, "How much of the CPU a training step uses", says how each is counted).

    python -m benchmarks run machine-ratio [--threads 1|2] [--seconds 8] [--out docs/results/machine-ratio.json]
"""
from __future__ import annotations

import re
import statistics
from pathlib import Path

import torch
from torch.utils.benchmark import Timer
from torch.utils.flop_counter import FlopCounterMode

from benchmarks.blocks import Block, conditions_line, pct, table, thousands
from benchmarks.results import conditions, parser, save, torch_threads

NAME = "machine-ratio"
SUMMARY = "a training step's GFLOP/s against the CPU's peak on paper and a large matrix product"

# fp32 FLOPs per cycle per core: lanes × 2 (a fused multiply-add is two FLOPs) × FMA units. Server cores
# with AVX-512 (Skylake-SP and later Xeon Gold/Platinum, Sapphire Rapids) have two 512-bit FMA units;
# AVX2 cores (Haswell and later) two 256-bit ones.
FLOPS_PER_CYCLE = {"avx512f": 16 * 2 * 2, "avx2": 8 * 2 * 2, "sse2": 4 * 2 * 1}

NETWORKS = {
    # what `python -m siamese_core train --dataset fashion-mnist` trains: the course's VGG twin
    "vgg-fashion": dict(dataset="fashion-mnist"),
    # the one-shot recipe: koch-small with batch norm, 28×28, 64 characters × 2 drawings per batch; one
    # twin, as each of the recipe's member processes trains its own
    "oneshot-cpu": dict(preset="oneshot-cpu", members=1, member_processes=1),
}


# --- the machine's peak on paper ------------------------------------------------------------------------

def cpu_clock_ghz(cpuinfo: str, lscpu: str = "") -> tuple[float, str]:
    """(GHz, where it came from): lscpu's max MHz when it reports one, else /proc/cpuinfo's highest "cpu MHz"
    (under a hypervisor often the nominal clock; turbo may run above it)."""
    m = re.search(r"CPU max MHz:\s*([\d.]+)", lscpu)
    if m:
        return float(m.group(1)) / 1000, "lscpu max MHz"
    mhz = [float(x) for x in re.findall(r"^cpu MHz\s*:\s*([\d.]+)", cpuinfo, re.M)]
    return (max(mhz) / 1000, "/proc/cpuinfo cpu MHz") if mhz else (float("nan"), "unknown")


def cpu_peak(cores: int, cpuinfo: str | None = None, lscpu: str = "") -> dict:
    """Peak fp32 GFLOP/s on paper: cores × GHz × FLOPs per cycle for the widest ISA the flags list."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if cpuinfo is None else cpuinfo
    m = re.search(r"^flags\s*:\s*(.*)$", cpuinfo, re.M)
    flags = set(m.group(1).split()) if m else set()
    isa = next((name for name in FLOPS_PER_CYCLE if name in flags), "sse2")
    ghz, clock_source = cpu_clock_ghz(cpuinfo, lscpu)
    per_cycle = FLOPS_PER_CYCLE[isa]
    return {"cores": cores, "ghz": ghz, "clock_source": clock_source, "isa": isa, "flops_per_cycle": per_cycle,
            "gflops": round(cores * ghz * per_cycle, 1)}


def _lscpu() -> str:
    import subprocess
    try:
        return subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


# --- counting and timing ---------------------------------------------------------------------------------

def counted_flops(fn) -> int:
    """FLOPs of what `fn()` runs (forward and, if it calls backward, backward), as FlopCounterMode counts."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


MATMUL_N = 2048  # 2·2048³ ≈ 17 GFLOP a product: large enough for the kernel's best, small enough to repeat


def seconds_per_call(fn, seconds: float) -> float:
    """Median seconds of one `fn()`, timed in blocks for at least `seconds` after a warm-up (torch.utils.benchmark,
    which synchronises CUDA), on this process's torch threads: the Timer's own default is one thread."""
    timer = Timer("fn()", globals={"fn": fn}, num_threads=torch.get_num_threads())
    return timer.blocked_autorange(min_run_time=seconds).median


def matmul_gflops(n: int = MATMUL_N, seconds: float = 1.0) -> float:
    """A large fp32 product (torch.mm, n×n by n×n, 2n³ FLOPs): the practical peak of this process."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    return 2 * n**3 / seconds_per_call(lambda: torch.mm(a, b), seconds) / 1e9


def trainer_for(name: str, data_dir: str | None = None, device: str = "cpu", **settings):
    """The Trainer the command line would build for this network (the real batch shape and data)."""
    from siamese_core.data import load_dataset
    from siamese_core.training import TrainConfig
    from siamese_core.training.presets import preset_config
    from siamese_core.training.run import training_data
    from siamese_core.training.trainer import Trainer

    spec = dict(NETWORKS[name])
    cfg = preset_config(spec.pop("preset")).replace(**spec) if "preset" in spec else TrainConfig(**spec)
    cfg = cfg.replace(device=device, **settings)
    key = (name, data_dir)
    if key not in _PREPARED:  # Omniglot's redraw takes minutes: once per network, not once per trainer
        data = load_dataset(cfg.data.dataset, "train", data_dir=data_dir, image_size=cfg.data.image_size)
        _PREPARED[key] = training_data(cfg, data, data_dir)
    return Trainer(cfg, *_PREPARED[key])


_PREPARED: dict = {}  # (network, data_dir) → (train_set, val_set); trainers only read them


class StepTimer:
    """Runs the trainer's own steps (batch drawing, forward, loss, backward, optimiser step, bookkeeping).
    Each step reads its loss back to the host (`float(loss)`), so on a GPU the time of a step is complete."""

    def __init__(self, trainer):
        from siamese_core.training.budget_clock import BudgetClock
        from siamese_core.training.state import TrainState
        self.trainer, self.state = trainer, TrainState()
        self.clock = BudgetClock(trainer.config.budget)
        self.drawn = iter(())
        trainer.model.train()

    def step(self) -> None:
        try:
            drawn = next(self.drawn)
        except StopIteration:
            self.drawn = iter(self.trainer.batches.sampler())
            drawn = next(self.drawn)
        self.trainer._step(drawn, self.state, self.clock)
        if len(self.state.history) > 1000:  # a long benchmark must not grow the history without end
            del self.state.history[:-1]


def median_ms_interleaved(fns: dict, seconds: float, rounds: int, digits: int) -> dict:
    """Median milliseconds of a call of each function, timed in turns (`rounds` rounds sharing `seconds`), so
    a change in the machine's load falls on every variant alike."""
    times = {label: [] for label in fns}
    for _ in range(rounds):
        for label, fn in fns.items():
            times[label].append(seconds_per_call(fn, seconds / rounds))
    return {label: round(1000 * statistics.median(v), digits) for label, v in times.items()}


def network_figures(flops: int, seconds_per_step: float, images: int, peak_gflops: float,
                    matmul_gflops: float) -> dict:
    """A network's throughput and its ratios: achieved GFLOP/s = FLOPs per step × steps per second."""
    gflops = flops / seconds_per_step / 1e9
    return {"batch": images, "gflop_per_step": round(flops / 1e9, 4), "ms_per_step": round(1000 * seconds_per_step, 2),
            "steps_per_s": round(1 / seconds_per_step, 2), "images_per_s": round(images / seconds_per_step, 1),
            "gflops": round(gflops, 2), "of_peak": round(gflops / peak_gflops, 4),
            "of_matmul": round(gflops / matmul_gflops, 4)}


def measure_network(name: str, seconds: float, peak_gflops: float, matmul: float,
                    data_dir: str | None = None) -> dict:
    timer = StepTimer(trainer_for(name, data_dir))
    for _ in range(3):  # warm-up: first calls allocate and pick kernels
        timer.step()
    flops = counted_flops(timer.step)
    per_step = statistics.median(seconds_per_call(timer.step, seconds / 3) for _ in range(3))
    return network_figures(flops, per_step, timer.trainer.batches.images_per_step, peak_gflops, matmul)


def measure(threads: int, seconds: float, data_dir: str | None = None) -> dict:
    peak = cpu_peak(threads, lscpu=_lscpu())
    with torch_threads(threads):
        mm = matmul_gflops()
        nets = {name: measure_network(name, seconds, peak["gflops"], mm, data_dir) for name in NETWORKS}
    return {"threads": threads, "peak": peak, "matmul_n": MATMUL_N, "matmul_gflops": round(mm, 1),
            "matmul_of_peak": round(mm / peak["gflops"], 4), "networks": nets}


def main(argv: list[str] | None = None) -> dict:
    p = parser(NAME, __doc__, data_dir=True)
    p.add_argument("--threads", type=int, default=1, help="measure with 1 torch thread, and also with 2 if 2")
    p.add_argument("--seconds", type=float, default=8.0, help="timed training per network and thread count")
    a = p.parse_args(argv)
    before = conditions()
    figures = {"runs": [measure(n, a.seconds, a.data_dir) for n in range(1, a.threads + 1)]}
    save(a.out, NAME, argv, figures, before, show=block_text)
    return figures


def block_text(r: dict) -> str:
    """Training throughput and GFLOP/s against the CPU's peak on paper and a large matrix product."""
    f, lines = r["figures"], []
    for run in f["runs"]:
        p = run["peak"]
        rows = [[name, thousands(x["batch"]), f"{x['gflop_per_step']:.2f}", f"{x['ms_per_step']:.1f} ms",
                 f"{x['images_per_s']:,.0f}", f"{x['gflops']:.1f}", f"**{pct(x['of_peak'])}**", pct(x["of_matmul"])]
                for name, x in run["networks"].items()]
        lines += [f"{run['threads']} torch thread(s). Peak on paper: {p['cores']} core(s) × {p['ghz']:g} GHz "
                  f"({p['clock_source']}) × {p['flops_per_cycle']} fp32 FLOPs per cycle ({p['isa']}) = "
                  f"{p['gflops']:.1f} GFLOP/s; a {run['matmul_n']}² fp32 `torch.mm` reached "
                  f"{run['matmul_gflops']:.1f} GFLOP/s ({pct(run['matmul_of_peak'])} of it"
                  + ("; above half, so two FMA units)." if run["matmul_of_peak"] > 0.5 else ")."), "",
                  table(["network", "images per step", "GFLOP per step", "per step", "training images/s",
                         "GFLOP/s", "of peak", "of torch.mm"], rows), ""]
    return "\n".join([*lines, conditions_line(r)])


BLOCKS = {"machine-ratio": Block(("docs/results/machine-ratio.json",), "python -m benchmarks.machine_ratio --threads 2 "
                                   "--out docs/results/machine-ratio.json", block_text)}


if __name__ == "__main__":
    main()
