"""What the class found, from the board's entries: the best value of each setting so far and how many runs back
it, and the table of runs (the board's CSV)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .class_board import AXES, HIGHER_IS_BETTER, METRICS, BoardEntry

# A spreadsheet runs a cell that starts with one of these as a formula: a nickname must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Finding:
    setting: str        # an AXES key
    best: object        # its value with the best mean metric
    mean: float         # that mean
    runs: int           # runs (students' shares included) at that value
    values: int         # how many values of it the class tried

    def sentence(self, metric: str) -> str:
        label = AXES[self.setting]
        best = f"{self.best:g}" if isinstance(self.best, float) else str(self.best)
        runs = "1 run" if self.runs == 1 else f"{self.runs} runs"
        if self.values < 2:
            return (f"**{label}**: only {best} tried so far ({runs}, mean {METRICS[metric]} {self.mean:.3f}); "
                    "try another value to compare.")
        return (f"**{label}**: best so far {best}, mean {METRICS[metric]} {self.mean:.3f} over {runs} "
                f"({self.values} values tried).")


def findings(entries: Sequence[BoardEntry], metric: str = "accuracy") -> list[Finding]:
    """Per setting the class varied or used: the value whose runs have the best mean `metric` (higher accuracy
    and AUC, lower EER). A run several students shared counts that many times."""
    out = []
    for setting in AXES:
        groups: dict[object, list[tuple[float, int]]] = {}
        for e in entries:
            value = e.settings.get(setting)
            if value is not None and metric in e.metrics:
                groups.setdefault(value, []).append((e.metrics[metric], e.count))
        if not groups:
            continue
        means = {v: sum(m * n for m, n in rows) / sum(n for _, n in rows) for v, rows in groups.items()}
        pick = max if HIGHER_IS_BETTER[metric] else min
        best = pick(means, key=means.get)
        out.append(Finding(setting, best, means[best], sum(n for _, n in groups[best]), len(groups)))
    return out


def table_rows(entries: Sequence[BoardEntry]) -> list[dict]:
    """One row per entry, newest first as given: nickname, settings, metrics, seconds and the count."""
    rows = []
    for e in entries:
        s, m = e.settings, e.metrics
        rows.append({"nickname": e.nickname, "dataset": s.get("dataset"), "loss": s.get("loss"),
                     "margin": s.get("margin"), "embedding size": s.get("embedding_dim"), "miner": s.get("miner"),
                     "λ": s.get("center_lambda"), "budget (s)": s.get("seconds"),
                     "accuracy": _round(m.get("accuracy")), "AUC": _round(m.get("auc")), "EER": _round(m.get("eer")),
                     "seconds": round(m.get("seconds", 0.0), 1), "students": e.count})
    return rows


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def csv_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text
