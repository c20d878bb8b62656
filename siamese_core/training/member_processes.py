"""An ensemble's members trained side by side, each in a process of its own (`member_processes` > 1).

On a CPU, one small network does not keep two cores busy (a second thread speeds a step up far less
than twice), but two networks, one per core, train twice the images in the same wall time. The parent
prepares the data once (Omniglot's redraw takes minutes) and hands every member the same images; each
member then runs the ordinary `Trainer` with its own seed and sends back its twin's weights and state.

Members started with `spawn`, never `fork`: a forked copy of a process whose torch thread pools have
already run can hang.
"""
from __future__ import annotations

import io
import multiprocessing as mp
import queue
import sys
import threading
import types
from contextlib import contextmanager

import torch

from ..data import ImageSet
from .config import TrainConfig
from .progress_lines import PrintProgress
from .state import TrainState
from .trainer import Trainer

POLL_SECONDS = 0.5  # how often the parent looks for results, dead members and a cancel


def _train_member(k: int, config: dict, train_set: ImageSet, val_set: ImageSet, threads: int,
                  progress: bool, results) -> None:
    """Runs in the member's process: train, then send (k, twin weights, state, stop reason)."""
    torch.set_num_threads(threads)
    cfg = TrainConfig.from_dict(config)
    r = Trainer(cfg, train_set, val_set, callbacks=[PrintProgress(label=f"member {k}")] if progress else []).fit()
    r.state.history = []  # per-step rows stay with the member: the parent needs the totals
    # Sent as bytes: a tensor sent as itself is a handle into this process's shared memory, and this
    # process ends before the parent reads it.
    sent = io.BytesIO()
    torch.save((r.model.twin.state_dict(), r.state, r.stopped_because), sent)
    results.put((k, sent.getvalue()))


def train_members(configs: list[TrainConfig], train_set: ImageSet, val_set: ImageSet, processes: int,
                  progress: bool = False, cancel_event: threading.Event | None = None
                  ) -> list[tuple[dict, TrainState, str]] | None:
    """Train each config (one member each) in processes, at most `processes` at a time, sharing this
    process's torch threads among them (at least one each). Returns (twin state_dict, state, stop reason) per member in
    order, or None when `cancel_event` was set (the members still training are ended at once)."""
    ctx = mp.get_context("spawn")
    results = ctx.Queue()
    threads = max(1, torch.get_num_threads() // processes)
    waiting = list(range(len(configs)))
    running: dict[int, mp.Process] = {}
    done: dict[int, tuple] = {}
    try:
        while len(done) < len(configs):
            while waiting and len(running) < processes:
                k = waiting.pop(0)
                running[k] = ctx.Process(target=_train_member, daemon=True,
                                         args=(k, configs[k].flat(), train_set, val_set, threads, progress,
                                               results))
                with _bare_main():
                    running[k].start()
            if cancel_event is not None and cancel_event.is_set():
                return None
            dead = [k for k, p in running.items() if not p.is_alive()]
            try:
                # a member that has ended has flushed its result into the pipe already, if it sent one
                k, sent = results.get(timeout=5.0 if dead else POLL_SECONDS)
            except queue.Empty:
                if dead:
                    raise RuntimeError(f"member {dead[0]}'s training process ended (exit code "
                                       f"{running[dead[0]].exitcode}) without sending its weights") from None
                continue
            done[k] = torch.load(io.BytesIO(sent), weights_only=False)
            running.pop(k).join()
        return [done[k] for k in range(len(configs))]
    finally:
        for p in running.values():
            p.terminate()
            p.join()


@contextmanager
def _bare_main():
    """`spawn` runs the parent's __main__ again in every child (by module name or by file). Under a test
    runner or Streamlit's AppTest that can be a page script; a member needs none of it, so each child is
    started while __main__ is an empty module."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main
