"""The arithmetic a training step's forward pass and loss run in.

On CUDA, bf16 autocast runs convolutions and matrix products in bfloat16 on the tensor cores (with
float32 weights, optimiser state and reductions); bf16 keeps float32's exponent range, so it needs no
loss scaling. Everywhere else, and whenever `precision` is "fp32", the step runs in float32 exactly
as before: on the CPU the context is a no-op.
"""
from __future__ import annotations

import contextlib

import torch

PRECISIONS = ("auto", "fp32", "bf16")


def uses_bf16(device: torch.device | str, precision: str = "auto") -> bool:
    """Whether a step on `device` runs under bf16 autocast: CUDA only, unless fp32 is asked for."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
    if torch.device(device).type != "cuda" or precision == "fp32":
        return False
    if not torch.cuda.is_bf16_supported():
        if precision == "bf16":
            raise ValueError("precision bf16: this GPU has no bfloat16 support")
        return False  # auto on an older GPU: float32
    return True


def step_precision(device: torch.device | str, precision: str = "auto"):
    """Context for the forward pass and the loss (not for backward or the optimiser step)."""
    if uses_bf16(device, precision):
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()
