"""What a web server sends to the cluster, as its code rather than by name: the training task
(`run_page_training`) and the question every worker is asked before it gets any run (`worker_facts`). So the
scheduler needs nothing of this project to read the task, and a worker without the package or the preload can
still answer what it lacks; both import the package only where the worker's preload already has.

Dask pickles a task graph with plain pickle, which names a function by its module: `as_code()` wraps the
function in an object that pickles as `cloudpickle.loads(<the function's code>)` instead."""
from __future__ import annotations

import sys

import cloudpickle

PRELOAD = "siamese_core.service.cluster.worker"


def run_page_training(spec_json: str, channel: str):
    import importlib

    return importlib.import_module(PRELOAD).train_on_worker(spec_json, channel)


def package_version() -> str:
    """The running siamese_core's version, read (a package is imported before its modules), not imported: the
    package's top sits above this layer."""
    return sys.modules["siamese_core"].__version__


def worker_facts(dask_worker=None) -> dict:
    """Plain facts: can this worker import siamese_core, did its preload set it up, which version it runs,
    its data folder and the datasets found there (the last three only after the preload)."""
    import importlib.util

    preload = sys.modules.get(PRELOAD)
    if dask_worker is None:  # submitted as a task rather than run on every worker
        from distributed import get_worker
        dask_worker = get_worker()
    facts = {"importable": importlib.util.find_spec("siamese_core") is not None,
             "preload": preload is not None and dask_worker in preload.SET_UP,
             "version": None, "data_dir": None, "datasets": []}
    if facts["preload"]:
        data = sys.modules["siamese_core.data"]
        facts.update(version=package_version(), data_dir=str(data.resolve_data_dir()),
                     datasets=sorted(name for name, there in data.dataset_status().items() if there))
    return facts


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
