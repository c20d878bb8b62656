"""A long-lived server's memory housekeeping: now and then a full garbage collection and, on glibc, a
malloc_trim that hands freed memory back to the operating system (`python -m benchmarks.soak` reports them).

Why: the server turns Streamlit's full collection after every script run off (.streamlit/config.toml says
why), and Python's own collector then rarely reaches its oldest generation on a heap this size, so cycles
holding tensors can wait a long time; and glibc keeps what the many threads freed in their own arenas."""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
import time
from dataclasses import dataclass, field

import psutil


def _libc_trim():
    """glibc's malloc_trim, or None where there is none (macOS, musl, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except OSError:
        return None
    if trim is not None:
        trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


@dataclass
class Housekeeper:
    """Runs `sweep` every `every` seconds on a daemon thread; keeps a tally a benchmark can read."""

    every: float = 60.0
    passes: int = 0
    seconds: float = 0.0          # spent sweeping, all passes together
    freed_mb: float = 0.0         # resident memory the passes gave back, all together
    collected: int = 0            # unreachable objects the collections found
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def sweep(self) -> None:
        proc = psutil.Process()
        t0, before = time.perf_counter(), proc.memory_info().rss
        self.collected += gc.collect()
        trim = _TRIM
        if trim is not None:
            trim(0)
        self.freed_mb += max(0, before - proc.memory_info().rss) / 2**20
        self.seconds += time.perf_counter() - t0
        self.passes += 1

    def start(self) -> Housekeeper:
        if self.every > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="siamese-lab-housekeeping", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.sweep()

    def summary(self) -> str:
        return (f"housekeeping: {self.passes} passes every {self.every:g} s, {self.seconds:.2f} s in all, "
                f"{self.collected} objects collected, {self.freed_mb:.0f} MB handed back")


_TRIM = _libc_trim()
