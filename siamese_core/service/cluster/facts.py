"""What a cluster worker says about itself, asked by the web server before it sends the worker any run.

`worker_facts` runs on every worker (`Client.run`) and travels as its code (`task.as_code`), as the training
task does: neither the scheduler nor a worker that lacks this package has to import anything of it to run the
question, so a worker without the package or the preload can still answer what it lacks. It imports the
package only where the preload already has."""
from __future__ import annotations

import sys

PRELOAD = "siamese_core.service.cluster.worker"


def package_version() -> str:
    """The running siamese_core's version. Python imports a package before any of its modules, so it is there;
    read, not imported, because the package's top sits above this layer."""
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
