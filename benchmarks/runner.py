"""One entry point for every benchmark:

    python -m benchmarks list                   # each benchmark and what it measures
    python -m benchmarks run NAME [options]     # run one (`run NAME --help` lists its options)

A benchmark is one module of this package that declares `NAME` (its module name with hyphens), a one-line
`SUMMARY` and `main(argv)`; the figure blocks it fills in the docs are its `BLOCKS`. Nothing else lists them:
adding a benchmark is adding its module.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from functools import cache
from types import ModuleType

import benchmarks
from benchmarks.blocks import Block


@cache
def _modules() -> tuple[ModuleType, ...]:
    """Every module of the package, imported (the declarations are module-level names)."""
    return tuple(importlib.import_module(f"benchmarks.{m.name}") for m in pkgutil.iter_modules(benchmarks.__path__)
                 if not m.name.startswith("_"))


def registry() -> dict[str, ModuleType]:
    """NAME → module, for each module that declares a benchmark."""
    found = {}
    for module in _modules():
        if hasattr(module, "NAME"):
            if module.NAME in found:
                raise ValueError(f"two benchmarks are named {module.NAME!r}")
            found[module.NAME] = module
    return dict(sorted(found.items()))


def all_blocks() -> dict[str, Block]:
    """Every figures block that a module declares, by name."""
    found: dict[str, Block] = {}
    for module in _modules():
        for name, block in getattr(module, "BLOCKS", {}).items():
            if name in found:
                raise ValueError(f"two modules declare the figures block {name!r}")
            found[name] = block
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    benches = registry()
    if args[:1] == ["list"] and len(args) == 1:
        width = max(map(len, benches))
        print("\n".join(f"{name:<{width}}  {m.SUMMARY}" for name, m in benches.items()))
        return 0
    if args[:1] == ["run"] and len(args) >= 2 and args[1] in benches:
        result = benches[args[1]].main(args[2:])
        return result if isinstance(result, int) else 0
    if args[:1] == ["run"] and len(args) >= 2:
        print(f"There is no benchmark named {args[1]!r}; `python -m benchmarks list` shows them.", file=sys.stderr)
        return 2
    print(__doc__.split("\n\n")[1].rstrip(), file=sys.stderr)
    return 2
