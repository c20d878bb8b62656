"""Plotly figures built once per distinct input and shared by every session.

Building a figure (plotly validates every property it is given) costs a page tens of milliseconds of server
CPU per chart, on every rerun; a class moving through the same pages asks for the same figures again and
again, and those milliseconds are taken from the runs training beside the pages. A figure is kept frozen
(`FrozenFigure`: the dict the page sends, made once), which nothing writes to, so one serves every session and a
rerun sends it without copying it.

Never change a figure this returns: a page that adds to a figure builds its own."""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import torch

from siamese_core.viz.frozen_figure import FrozenFigure

# The pages' figures are a few to a few tens of KB each (the filter grids are PNGs): the cache stays a few MB.
MAX_FIGURES = 256

_lock = threading.Lock()
_figures: OrderedDict[tuple, object] = OrderedDict()


class _Unkeyable(TypeError):
    """An argument the cache cannot key by value: the figure is built as if there were no cache."""


def cached_figure(build: Callable, *args, **kwargs):
    """`build(*args, **kwargs)` frozen, or the one an earlier call with equal arguments built."""
    try:
        key = (build.__module__, build.__qualname__, _digest((args, sorted(kwargs.items()))))
    except _Unkeyable:
        return FrozenFigure(build(*args, **kwargs))
    with _lock:
        if key in _figures:
            _figures.move_to_end(key)
            return _figures[key]
    figure = FrozenFigure(build(*args, **kwargs))  # outside the lock: two sessions may both build it, once
    with _lock:
        _figures[key] = figure
        while len(_figures) > MAX_FIGURES:
            _figures.popitem(last=False)
    return figure


def cached_count() -> int:
    with _lock:
        return len(_figures)


def _digest(value) -> str:
    h = hashlib.blake2b(digest_size=16)
    _feed(h, value)
    return h.hexdigest()


def _feed(h, value) -> None:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        h.update(f"nd{value.dtype.str}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}(".encode())
        for v in value:
            _feed(h, v)
        h.update(b")")
    elif value is None or isinstance(value, (bool, int, float, str, np.generic)):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    else:
        raise _Unkeyable(type(value).__name__)
