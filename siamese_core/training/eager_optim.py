"""Optimizer steps without torch.compile's guards. Nothing here is compiled, yet an optimizer's first
add_param_group and every step import torch._dynamo (with sympy and the inductor), only to tell a compiler to
leave them alone: 85 MB of a training process, and a second of its first run (docs/classroom.md). Where torch's
wrappers are not as expected, or a step needs them (hooks, a differentiable optimizer), torch's own step runs."""
from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable

import torch
from torch.optim.optimizer import _global_optimizer_post_hooks, _global_optimizer_pre_hooks


@functools.cache
def skip_compile_guards() -> None:
    """Mark the optimizer methods torch wraps with `torch._disable_dynamo` as disabled already, in the slot that
    wrapper caches its disabled function in, so their first call does not import torch._dynamo to make it."""
    guard = getattr(torch, "_disable_dynamo", None)
    if guard is None:
        return
    wrapper_code = guard(lambda: None).__code__
    for name, module in list(sys.modules.items()):
        if not name.startswith("torch.optim") or module is None:
            continue
        for value in list(vars(module).values()):
            for fn in vars(value).values() if isinstance(value, type) else (value,):
                if getattr(fn, "__code__", None) is wrapper_code and hasattr(fn, "__wrapped__"):
                    fn.__wrapped__.__dynamo_disable = fn.__wrapped__


def step(optimizer: torch.optim.Optimizer) -> None:
    """`optimizer.step()`: its update under no_grad, as torch's wrapper runs it for a non-differentiable
    optimizer, without the wrapper's graph break for the compiler."""
    body = _body(type(optimizer))
    if body is None or optimizer.defaults.get("differentiable") or _has_hooks(optimizer):
        optimizer.step()
        return
    with torch.no_grad():
        body(optimizer)


@functools.cache
def _body(cls: type) -> Callable | None:
    """The class's own step under torch's wrappers (profiling and hooks, then the no_grad and graph break)."""
    body = inspect.unwrap(cls.step)
    return body if body is not cls.step and body.__qualname__.endswith(".step") else None


def _has_hooks(optimizer: torch.optim.Optimizer) -> bool:
    return bool(optimizer._optimizer_step_pre_hooks or optimizer._optimizer_step_post_hooks
                or _global_optimizer_pre_hooks or _global_optimizer_post_hooks)
