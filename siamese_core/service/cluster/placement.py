"""A run that wants a GPU goes to a worker that has one: GPU workers say so when they start (`dask worker …
--resources "GPU=1"`), and the scheduler hands that resource to one run at a time."""
from __future__ import annotations

GPU = "GPU"


class NoGpuWorker(RuntimeError):
    """A run asks for CUDA and no worker of the cluster has a GPU."""


def gpu_workers(workers: dict[str, dict]) -> list[str]:
    """Addresses of the workers that offer a GPU (the scheduler's worker info: address → {"resources": …})."""
    return [a for a, w in workers.items() if (w.get("resources") or {}).get(GPU, 0) >= 1]


def placement(device: str, workers: dict[str, dict], busy: dict[str, int]) -> dict:
    """Keyword arguments for `Client.submit`. `busy`: trainings running or waiting per worker address.

    - `cuda`: a GPU worker, whichever is free first; none in the cluster → NoGpuWorker.
    - `auto`: a GPU worker when one has room now, else any worker (which then trains on its own device).
    - `cpu`, `mps`: any worker."""
    gpus = gpu_workers(workers)
    if device == "cuda":
        if not gpus:
            raise NoGpuWorker("This run asks for a GPU, and no worker of the training cluster has one (a GPU "
                              "machine joins with `dask worker … --resources \"GPU=1\"`).")
        return {"resources": {GPU: 1}}
    if device == "auto" and any(busy.get(a, 0) < (workers[a].get("nthreads") or 1) for a in gpus):
        return {"resources": {GPU: 1}}
    return {}
