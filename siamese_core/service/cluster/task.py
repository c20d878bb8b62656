"""The one function a web server submits to the cluster, sent as its code: the scheduler reads the task with
Dask and the standard library alone, so it needs nothing of this project installed or importable. On the
worker it imports the project, which the worker's preload has already done (`dask worker … --preload
siamese_core.service.cluster.worker`).

Dask pickles a task graph with plain pickle, which names a function by its module: the scheduler would have
to import this package to read the graph. `as_code()` wraps the function in an object that pickles as
`cloudpickle.loads(<the function's code>)`, which the scheduler can run with Dask's own cloudpickle."""
from __future__ import annotations

import sys

import cloudpickle


def run_page_training(spec_json: str, channel: str):
    import importlib

    worker = importlib.import_module("siamese_core.service.cluster.worker")
    return worker.train_on_worker(spec_json, channel)


class _AsCode:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __reduce__(self):
        return cloudpickle.loads, (cloudpickle.dumps(self.fn),)


def as_code(fn) -> _AsCode:
    """`fn`, to be sent as its code: its module's functions and globals are pickled by value, not by name."""
    cloudpickle.register_pickle_by_value(sys.modules[fn.__module__])
    return _AsCode(fn)
