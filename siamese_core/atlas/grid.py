"""The atlas: a grid of pretrained runs (loss × margin × embedding size, one seed, a fixed number of steps)
under assets/atlas/, so the pages' sliders show a cell's histograms, map and replay at once instead of
training. `build` makes it; on disk, `index.json` (the grid, the command, the settings, each cell's file
and key metrics) and one `.npz` per cell (`store`), nothing pickled."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..service.experiment import RunReport
from ..training.objectives import loss_class
from .store import load_cell

INDEX = "index.json"
# The losses page's losses; margins only where the loss has one (contrastive: a distance to push
# different pairs beyond; triplet: a gap between positive and negative distances).
MARGINS: dict[str, tuple[float, ...]] = {"contrastive": (0.25, 0.5, 1.0, 1.5), "triplet": (0.1, 0.2, 0.5, 1.0),
                                         "bce-concat": (), "bce-l1": (), "softmax": ()}
# The course's embedding-size sweep (and the embedding-size page's default sizes): 16 and 64 would add
# 22 cells (40 % more build time) on the flat part of the curve, where the course says gains flatten.
DIMS = (2, 4, 8, 32, 128)
# ≈ the losses page's default 20-s budget: 13.0 steps/s measured once on this 2-core CPU at one torch
# thread (contrastive, D = 32, Fashion-MNIST, batch 128, load average about 1); steps, not seconds, so
# the same command gives the same atlas whatever the machine's load.
STEPS = 250
FRAME_EVERY = 16   # training steps between two live frames (plus one before and one after training)


def _fmt(values) -> str:
    return ", ".join(f"{v:g}" for v in values)


def margin_key(loss: str, margin: float | None) -> float | None:
    """The margin as the grid spells it (None for a loss without one)."""
    return round(float(margin), 4) if MARGINS.get(loss) and margin is not None else None


def cell_file(loss: str, margin: float | None, dim: int) -> str:
    return f"{loss}_d{dim}.npz" if margin is None else f"{loss}_m{margin:g}_d{dim}.npz"


def cell_label(loss: str, margin: float | None, dim: int) -> str:
    return f"atlas · {loss}" + ("" if margin is None else f" · m={margin:g}") + f" · D={dim}"


@dataclass
class Atlas:
    """A loaded atlas: every cell's report in memory (a few MB), read-only: never modify a report."""

    root: Path
    index: dict
    reports: dict[tuple, RunReport] = field(default_factory=dict)   # (loss, margin, dim) → report

    @classmethod
    def load(cls, path: str | Path) -> Atlas:
        root = Path(path)
        if not (root / INDEX).is_file():
            raise FileNotFoundError(f"no atlas in {root}: make one with `python -m siamese_core atlas build "
                                    f"--out {root}`")
        index = json.loads((root / INDEX).read_text())
        reports = {(c["loss"], c["margin"], c["dim"]): load_cell(root / c["file"]) for c in index["cells"]}
        return cls(root, index, reports)

    @property
    def command(self) -> str:
        return self.index["command"]

    @property
    def losses(self) -> list[str]:
        return [loss for loss in self.index["grid"] if self.grid(loss)["dims"]]

    def grid(self, loss: str) -> dict[str, list]:
        """The values the sliders offer for `loss`: {"margins": [...] (empty without a margin), "dims": [...]},
        only those with a stored cell."""
        keys = [k for k in self.reports if k[0] == loss]
        return {"margins": sorted({m for _, m, _ in keys if m is not None}), "dims": sorted({d for _, _, d in keys})}

    def check(self, loss: str, margin: float | None, dim: int) -> tuple:
        """The cell's key, or a ValueError in one sentence that names the grid's values."""
        if loss not in self.losses:
            raise ValueError(f"The loss {loss!r} is not in the atlas, whose losses are {', '.join(self.losses)}.")
        g, m = self.grid(loss), margin_key(loss, margin)
        if g["margins"] and m not in g["margins"]:
            raise ValueError(f"The margin {margin} is not on the atlas's grid for {loss}, whose margins are "
                             f"{_fmt(g['margins'])}.")
        if dim not in g["dims"]:
            raise ValueError(f"The embedding size {dim} is not on the atlas's grid for {loss}, whose sizes are "
                             f"{_fmt(g['dims'])}.")
        return loss, m if g["margins"] else None, int(dim)

    def cell(self, loss: str, margin: float | None, dim: int) -> RunReport:
        """The pretrained report of one cell; a loss without a margin ignores `margin`."""
        return self.reports[self.check(loss, margin, dim)]

    def nearest(self, loss: str, margin: float | None, dim: int) -> tuple:
        """The key of the stored cell closest to (loss, margin, dim): that loss if stored (else the atlas's
        first), then its grid's nearest margin (to the loss's default margin when `margin` is None) and size."""
        loss = loss if loss in self.losses else self.losses[0]
        g = self.grid(loss)
        wanted = loss_class(loss).default_margin if margin is None else margin
        m = min(g["margins"], key=lambda v: abs(v - wanted)) if g["margins"] else None
        return loss, m, min(g["dims"], key=lambda d: abs(d - dim))

    def sizes(self, loss: str, margin: float | None) -> list[RunReport]:
        """Every stored embedding size of (loss, margin), smallest first: the embedding-size page's sweep."""
        return [self.cell(loss, margin, d) for d in self.grid(loss)["dims"]]

    def cell_command(self, loss: str, margin: float | None, dim: int) -> str:
        """The command that made the atlas, and which of its cells this is."""
        key = self.check(loss, margin, dim)
        row = next((c for c in self.index["cells"] if (c["loss"], c["margin"], c["dim"]) == key), {})
        return f"{row.get('command', self.command)}  (cell: {cell_label(*key).removeprefix('atlas · ')})"

    def summary(self) -> list[dict]:
        """index.json's one row per cell: loss, margin, dim, file and key metrics."""
        return list(self.index["cells"])
