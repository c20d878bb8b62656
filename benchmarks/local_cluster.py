"""A Dask cluster on 127.0.0.1 for the tests and the cluster load test: a `dask scheduler` and `dask worker`
processes, started with the commands docs/scaling.md gives an instructor, read from that page
(benchmarks/doc_commands.py). What has to differ on a test machine is changed, and only that: free ports on
127.0.0.1 instead of port 8786 on every interface, the scheduler's address, the data folder, no dashboards,
the repository for `siamese-lab`, and worker names the tests can stop by.

Each worker runs in its own process session, so `kill(name)` stops its nanny and its worker at once with
SIGKILL, as when a machine goes away. Every process's address space is capped (`memory_gb`), so a runaway
worker fails alone instead of taking the machine with it. `nice` lowers the workers' priority: a cluster on the web
server's own cores, as the built-in queue's training threads run nicer (SIAMESE_LAB_WORKER_NICE)."""
from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks.browser import ROOT, free_port
from benchmarks.doc_commands import DocCommand, doc_commands

PRELOAD = "siamese_core.service.cluster.worker"
SCHEDULER = "tcp://scheduler-host:8786"  # the scheduler's address in the page's commands


def dask_command() -> str:
    here = Path(sys.executable).parent / "dask"
    found = str(here) if here.exists() else shutil.which("dask")
    if not found:
        raise RuntimeError("the `dask` command is not installed: pip install -r requirements-cluster.txt")
    return found


class LocalCluster:
    def __init__(self, memory_gb: float = 6.0, env: dict[str, str] | None = None, nice: int = 0):
        self.port, self.memory, self.nice = free_port(), int(memory_gb * 2**30), nice
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.docs = doc_commands()
        # The workers read the same data folder as the server, unless `env` names another.
        self.env = {**os.environ, **(env or {})}
        self.env.setdefault("SIAMESE_LAB_DATA", str(ROOT.parent / "shared" / "data"))
        self.logs = tempfile.TemporaryDirectory(prefix="siamese-lab-cluster-")
        self.scheduler: subprocess.Popen | None = None
        self.workers: dict[str, subprocess.Popen] = {}

    def _spawn(self, name: str, command: DocCommand, extra: list[str], env: dict[str, str], cwd: Path,
               nice: int = 0) -> subprocess.Popen:
        log = open(Path(self.logs.name) / f"{name}.log", "ab")  # a file, never a pipe nobody reads

        def limits():
            resource.setrlimit(resource.RLIMIT_AS, (self.memory, self.memory))
            os.nice(nice)
        return subprocess.Popen([dask_command(), *command.argv[1:], *extra], cwd=cwd, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=limits)

    def start_scheduler(self, timeout: float = 60.0) -> None:
        # As the page says, `dask scheduler` wherever: here outside the repository and without PYTHONPATH, so it
        # cannot import this project (the task it is sent must not need it).
        env = {k: v for k, v in self.env.items() if k != "PYTHONPATH"}
        self.scheduler = self._spawn("scheduler", self.docs["scheduler"], ["--host", "127.0.0.1", "--port",
                                     str(self.port), "--no-dashboard"], env, Path(self.logs.name))
        t0 = time.monotonic()
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.scheduler.poll() is not None or time.monotonic() - t0 > timeout:
                raise RuntimeError(f"the scheduler did not start: {self.log('scheduler')[-2000:]}")
            time.sleep(0.2)

    def start_worker(self, name: str, gpu: bool = False, preload: bool = True,
                     env: dict[str, str] | None = None) -> None:
        """The page's worker command (`cd siamese-lab && SIAMESE_LAB_DATA=… PYTHONPATH=. dask worker …`) with
        `--resources GPU=1` when `gpu` (a label only: nothing checks a GPU). A worker started wrongly, for the
        tests of what the server says of it: `preload=False` leaves `--preload` out, `env` changes its
        environment (another data folder, another PYTHONPATH)."""
        command = self.docs["worker"].replace(SCHEDULER, self.address)
        if not preload:
            at = command.argv.index("--preload")
            command.argv[at:at + 2] = []
        extra = ["--host", "127.0.0.1", "--name", name, "--no-dashboard"] + (["--resources", "GPU=1"] if gpu else [])
        full_env = {**self.env, **command.env, "SIAMESE_LAB_DATA": self.env["SIAMESE_LAB_DATA"], **(env or {})}
        self.workers[name] = self._spawn(name, command, extra, full_env, ROOT, self.nice)

    def web_server(self, port: int) -> tuple[list[str], dict[str, str]]:
        """The page's web-server command on this cluster: (its arguments after `python -m`, its environment).
        On 127.0.0.1 and `port` rather than every interface and 8501, headless, in the repository."""
        command = self.docs["web server"].replace(SCHEDULER, self.address).replace("0.0.0.0", "127.0.0.1")
        return ([*command.argv, "--server.port", str(port), "--server.headless", "true",
                 "--browser.gatherUsageStats", "false"], command.env)

    def wait_for_workers(self, names: list[str], timeout: float = 120.0) -> dict[str, str]:
        """Block until these workers joined; returns name → address."""
        from distributed import Client
        with Client(self.address, timeout=30, set_as_default=False) as client:
            t0 = time.monotonic()
            while True:
                joined = {w["name"]: a for a, w in client.scheduler_info(n_workers=-1)["workers"].items()}
                if set(names) <= set(joined):
                    return {n: joined[n] for n in names}
                dead = [n for n in names if self.workers[n].poll() is not None]
                if dead or time.monotonic() - t0 > timeout:
                    raise RuntimeError(f"workers {dead or names} did not join: {self.log(names[0])[-2000:]}")
                time.sleep(0.3)

    def kill(self, name: str) -> None:
        """SIGKILL a worker's nanny and worker together: its machine went away."""
        proc = self.workers.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)

    def stop_scheduler(self) -> None:
        os.killpg(self.scheduler.pid, signal.SIGKILL)
        self.scheduler.wait(30)

    def log(self, name: str) -> str:
        path = Path(self.logs.name) / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        procs = [*self.workers.values(), *([self.scheduler] if self.scheduler else [])]
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(15)
        self.workers.clear()
        self.logs.cleanup()


@contextmanager
def local_cluster(workers: int = 2, **kwargs):
    """A scheduler and `workers` single-thread workers (w0, w1, …)."""
    cluster = LocalCluster(**kwargs)
    try:
        cluster.start_scheduler()
        names = [f"w{k}" for k in range(workers)]
        for name in names:
            cluster.start_worker(name)
        cluster.wait_for_workers(names)
        yield cluster
    finally:
        cluster.close()
