"""A package's public names imported on first use (PEP 562), so that importing one light module of the
package (the server's settings, the training process's starter) does not import torch, torchvision and
scikit-learn through the package's `__init__`: seconds of a server's first start."""
from __future__ import annotations

import importlib
import sys


def lazy_exports(package: str, exports: dict[str, str]):
    """The `__getattr__` for `package`: each name in `exports` comes from its module (relative to `package`)
    the first time it is asked for, and is kept in the package from then on."""
    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name], package), name)
        setattr(sys.modules[package], name, value)
        return value
    return __getattr__
