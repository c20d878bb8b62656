"""The class board: the page runs students chose to share, on one page the instructor projects.

A thread-safe, bounded store, one per web server. Each entry is what the board draws of one run, kept small:
its nickname, settings and metrics, a histogram of its test-pair distances (counts) and at most MAP_POINTS
points of its test map. Identical runs (the same share key: same settings, seed and budget) are one entry
with a count. At most `capacity` entries; the oldest leaves first. `version` changes with every add, clear,
hide and pin, so a page redraws only when something changed. Clearing, hiding and pinning need the
instructor's key, compared in constant time; a wrong key is logged."""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..training.objectives import loss_class, loss_names
from .experiment import RunReport

log = logging.getLogger("siamese_lab.board")
NICKNAME_LIMIT = 24   # characters of a nickname
HIST_BINS = 30        # bins of a run's distance histogram
MAP_POINTS = 300      # points of a run's test map
MAX_NAMES = 5         # nicknames an entry lists for a run several students trained
MAX_CLAIMS = 2000     # nicknames remembered for the suffix rule (the oldest are forgotten first)
# The x axes the instructor may pick: setting key → its label.
AXES = {"margin": "margin", "embedding_dim": "embedding size", "loss": "loss", "miner": "miner",
        "center_lambda": "λ (center loss)", "seconds": "time budget (s)"}
METRICS = {"accuracy": "test accuracy", "auc": "ROC AUC", "eer": "equal error rate"}
HIGHER_IS_BETTER = {"accuracy": True, "auc": True, "eer": False}


def _digest(text: str | None) -> bytes:
    return hashlib.sha256(str(text or "").encode()).digest()


class WrongKey(PermissionError):
    """The instructor's key was missing or wrong."""


@dataclass(frozen=True)
class BoardEntry:
    """One shared run as the board draws it (a few KB)."""

    id: int
    key: str                          # the run's share key: identical runs are one entry
    nicknames: tuple[str, ...]        # who shared it, first first (at most MAX_NAMES)
    count: int                        # how many shared it
    settings: dict                    # the AXES' values, and the dataset
    metrics: dict                     # accuracy, auc, eer, seconds
    hist_edges: np.ndarray            # float32, HIST_BINS + 1 edges on the distance (or similarity) axis
    hist_same: np.ndarray             # int32 counts of same-class pairs per bin
    hist_diff: np.ndarray             # int32 counts of different-class pairs per bin
    map_points: np.ndarray            # float16, ≤ MAP_POINTS × 2
    map_labels: np.ndarray            # uint8 class of each point
    class_names: tuple[str, ...]
    as_distance: bool                 # the histogram's axis is a distance (else a pair head's probability)
    threshold: float                  # on that axis
    added: float = field(default_factory=time.time)
    hidden: bool = False

    @property
    def nickname(self) -> str:
        more = self.count - 1
        return self.nicknames[0] + (f" +{more}" if more else "")

    @property
    def summary(self) -> str:
        """Its settings in a line, e.g. "contrastive · margin 0.5 · embedding size 8 · time budget (s) 5"."""
        s = self.settings
        return " · ".join([str(s.get("loss"))] + [f"{label} {s[k]:g}" if isinstance(s[k], float) else f"{label} {s[k]}"
                                                  for k, label in AXES.items() if k != "loss" and s.get(k) is not None])

    @property
    def nbytes(self) -> int:
        """About the Python memory it holds: its arrays, texts and dicts with their object headers."""
        arrays = (self.hist_edges, self.hist_same, self.hist_diff, self.map_points, self.map_labels)
        texts = (*self.nicknames, self.key, *self.class_names, *map(str, self.settings.values()))
        parts = (*arrays, *texts, self.settings, self.metrics, self.nicknames, self.class_names)
        return int(sum(map(sys.getsizeof, parts)) + 32 * (len(self.settings) + len(self.metrics)) + 400)


def run_settings(config: dict, embedding_dim: int | None = None) -> dict:
    """The board's settings of a run: a margin the loss uses (its default where the run left it unset), the
    miner of a triplet loss, λ of center loss, and None for what the loss does not use."""
    loss = config.get("loss")
    known = loss in loss_names()
    uses_margin = known and loss_class(loss).uses_margin
    margin = config.get("margin")
    if uses_margin and margin is None:
        margin = loss_class(loss).default_margin
    return {"dataset": config.get("dataset"), "loss": loss, "margin": margin if uses_margin else None,
            "embedding_dim": embedding_dim or config.get("embedding_dim"),
            "miner": config.get("miner") if loss == "triplet" else None,
            "center_lambda": config.get("center_lambda") if loss == "center" else None,
            "seconds": config.get("seconds")}


def entry_parts(report: RunReport, seed: int = 0) -> dict:
    """The small arrays and numbers the board keeps of a finished run."""
    as_distance = not report.score_is_probability
    values = np.asarray(report.test_scores, dtype=np.float64) * (-1.0 if as_distance else 1.0)
    same = np.asarray(report.test_same, dtype=bool)
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, HIST_BINS + 1)
    points = np.asarray(report.projection, dtype=np.float32)
    keep = np.arange(len(points))
    if len(points) > MAP_POINTS:
        keep = np.sort(np.random.default_rng(seed).choice(len(points), MAP_POINTS, replace=False))
    m = report.metrics
    return {"settings": run_settings(report.config, m.get("embedding_dim")),
            "metrics": {k: float(m[k]) for k in ("accuracy", "auc", "eer") if m.get(k) is not None}
            | {"seconds": float(m.get("train_seconds") or 0.0)},
            "hist_edges": edges.astype(np.float32),
            "hist_same": np.histogram(values[same], edges)[0].astype(np.int32),
            "hist_diff": np.histogram(values[~same], edges)[0].astype(np.int32),
            "map_points": points[keep].astype(np.float16),
            "map_labels": np.asarray(report.projection_labels)[keep].astype(np.uint8),
            "class_names": tuple(str(c) for c in report.class_names), "as_distance": as_distance,
            "threshold": float(m["threshold"]) * (-1.0 if as_distance else 1.0)}


@dataclass(frozen=True)
class BoardView:
    """What the board holds at one version: entries newest first (hidden ones left out), the pinned pair."""

    version: int
    entries: tuple[BoardEntry, ...]
    pinned: tuple[BoardEntry, ...]
    nbytes: int


class ClassBoard:
    """The server's board. `key`: the instructor's key ("" or None: no instructor, nothing can be cleared,
    hidden or pinned). `clean`: how a typed nickname becomes one line of plain text (lab_ui.plain_text.clean)."""

    def __init__(self, capacity: int = 200, key: str | None = None,
                 clean: Callable[[str, int], str] = lambda s, n: str(s)[:n]):
        self.capacity = int(capacity)
        self._key = _digest(key) if key else b""
        self._clean = clean
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, BoardEntry] = OrderedDict()   # oldest first
        self._claims: OrderedDict[str, str] = OrderedDict()           # student token → nickname
        self._pinned: tuple[str, ...] = ()
        self._ids = itertools.count(1)
        self.version = 0

    @property
    def has_key(self) -> bool:
        return bool(self._key)

    # --- students ------------------------------------------------------------------------------
    def claim_nickname(self, token: str, wanted: str) -> str | None:
        """The nickname `token` (a student's random id, nothing else about them) appears under: `wanted` made
        plain and clipped, with a suffix (" (2)") when another student holds it. None for one with no visible
        character; the student's earlier nickname is then kept."""
        base = self._clean(wanted, NICKNAME_LIMIT)
        if not base.strip():
            return None
        with self._lock:
            held = {name for who, name in self._claims.items() if who != token}
            name, k = base, 2
            while name in held:
                suffix = f" ({k})"
                name, k = base[: NICKNAME_LIMIT - len(suffix)].rstrip() + suffix, k + 1
            self._claims[token] = name
            self._claims.move_to_end(token)
            while len(self._claims) > MAX_CLAIMS:
                self._claims.popitem(last=False)
            return name

    def add(self, report: RunReport, nickname: str, share_key: str | None = None) -> BoardEntry:
        """Share a finished run under `nickname` (one from claim_nickname). A run identical to one on the board
        (the same `share_key`) counts once more there, under each nickname once."""
        nickname = self._clean(nickname, NICKNAME_LIMIT + 6) or "Anonymous"
        parts = entry_parts(report)  # outside the lock: numpy work
        with self._lock:
            key = share_key or f"unshared-{next(self._ids)}"
            old = self._entries.pop(key, None)
            if old is not None and nickname in old.nicknames:
                entry = old
            elif old is not None:
                names = old.nicknames + ((nickname,) if len(old.nicknames) < MAX_NAMES else ())
                entry = dataclasses.replace(old, nicknames=names, count=old.count + 1, added=time.time())
            else:
                entry = BoardEntry(id=next(self._ids), key=key, nicknames=(nickname,), count=1, **parts)
            self._entries[key] = entry  # newest last
            while len(self._entries) > self.capacity:
                gone, _ = self._entries.popitem(last=False)
                self._pinned = tuple(k for k in self._pinned if k != gone)
            self.version += 1
            return entry

    def view(self) -> BoardView:
        with self._lock:
            entries = tuple(reversed(self._entries.values()))
            pinned = tuple(self._entries[k] for k in self._pinned if k in self._entries)
            return BoardView(self.version, tuple(e for e in entries if not e.hidden), pinned,
                             sum(e.nbytes for e in entries))

    # --- the instructor ------------------------------------------------------------------------
    def check_key(self, given: str | None) -> bool:
        """Whether `given` is the instructor's key: compared in constant time, a wrong one logged. Always
        False when the server has no key."""
        if not self._key:
            return False
        ok = hmac.compare_digest(_digest(given), self._key)  # equal lengths: no length to learn either
        if not ok:
            log.warning("Class board: a wrong instructor key was given.")
        return ok

    def _instructor(self, given: str | None) -> None:
        if not self.check_key(given):
            raise WrongKey("That is not the instructor's key: the board is unchanged.")

    def clear(self, given: str | None) -> None:
        self._instructor(given)
        with self._lock:
            self._entries.clear()
            self._pinned = ()
            self.version += 1

    def hide(self, given: str | None, entry_id: int) -> None:
        self._instructor(given)
        with self._lock:
            for k, e in self._entries.items():
                if e.id == entry_id:
                    self._entries[k] = dataclasses.replace(e, hidden=True)
                    self._pinned = tuple(p for p in self._pinned if p != k)
            self.version += 1

    def pin(self, given: str | None, entry_ids: list[int]) -> None:
        """Pin at most two runs side by side (an empty list unpins)."""
        self._instructor(given)
        with self._lock:
            wanted = set(entry_ids[:2])
            self._pinned = tuple(k for k, e in self._entries.items() if e.id in wanted)
            self.version += 1
