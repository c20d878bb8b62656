"""The live charts of a one-shot run (Vega-Lite, a spec fixed for the run and a table that changes with every
frame, as live_charts.py explains): the 20-way accuracy on the fixed validation trials against steps, beside
reference lines, and the trial drawn large, one bar per candidate with the network's pick and the right answer."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .figures import DIFF_COLOUR, SAME_COLOUR
from .live_charts import title_spec

CURVE_COLOUR, REFERENCE_COLOUR, OTHER_COLOUR = "#264653", "#6c757d", "#c9c9c9"
CHANCE = 0.05
OTHER = "other candidate"
TRIAL_KEY = ("Green: the network's pick, when right; orange: its pick, when wrong; blue, outlined: the right "
             "answer.")
KOCH = 0.92  # Koch et al. 2015, 20-way on Lake et al.'s official runs (evaluation.oneshot_report.PAPER)


def references(shipped: float | None) -> list[tuple[float, str]]:
    """The accuracy chart's reference lines: chance, Koch's figure, and the shipped model's on the same trials
    (once measured)."""
    lines = [(CHANCE, "chance 5 %"), (KOCH, "Koch et al. 92 % (official runs)")]
    if shipped is not None:
        lines.append((shipped, f"shipped model {100 * shipped:.1f} % (these trials)"))
    return lines


def accuracy_chart(frames: Sequence, trials: int, lines: Sequence[tuple[float, str]], height: int = 300,
                   title: str | None = None) -> tuple[pd.DataFrame, dict]:
    """One point per frame: the share of the `trials` fixed 20-way trials the network gets right, with
    horizontal reference lines (value, label)."""
    points = pd.DataFrame({"step": [f.step for f in frames], "accuracy": [f.oneshot for f in frames],
                           "kind": "this run"})
    rules = pd.DataFrame({"step": [None] * len(lines), "accuracy": [v for v, _ in lines],
                          "kind": [label for _, label in lines], "below": [k >= 2 for k in range(len(lines))]})
    table = pd.concat([points, rules], ignore_index=True)
    y = {"field": "accuracy", "type": "quantitative", "title": f"20-way accuracy ({trials} trials)",
         "scale": {"domain": [0, 1]}, "axis": {"format": ".0%"}}
    curve = {"transform": [{"filter": "datum.kind == 'this run'"}],
             "mark": {"type": "line", "point": True, "color": CURVE_COLOUR},
             "encoding": {"x": {"field": "step", "type": "quantitative", "title": "step"}, "y": y,
                          "tooltip": [{"field": "step", "type": "quantitative"},
                                      {"field": "accuracy", "type": "quantitative", "format": ".1%"}]}}
    rule = {"transform": [{"filter": "datum.kind != 'this run'"}],
            "mark": {"type": "rule", "strokeDash": [4, 3], "color": REFERENCE_COLOUR},
            "encoding": {"y": y}}
    # Koch's 92 % and the shipped model's figure lie close together: the shipped model's label goes under its line.
    labels = [{"transform": [{"filter": f"datum.kind != 'this run' && {'' if below else '!'}datum.below"}],
               "mark": {"type": "text", "align": "left", "dx": 4, "dy": 7 if below else -6, "fontSize": 11,
                        "color": "#3d4246"},
               "encoding": {"y": y, "x": {"value": 0}, "text": {"field": "kind"}}} for below in (False, True)]
    return table, {"title": title_spec(title or f"20-way one-shot accuracy on {trials} fixed trials"),
                   "height": height, "layer": [rule, *labels, curve]}


def trial_table(frame) -> pd.DataFrame:
    """The trial drawn large as the chart and the captions read it: per candidate its number (from 1), the
    distance of the query to it, and whether it is the network's pick and the right answer."""
    distance = -np.asarray(frame.task_scores, dtype=np.float64)
    n = len(distance)
    pick, answer = int(distance.argmin()), frame.task % n
    role = ["right answer" if k == answer else OTHER for k in range(n)]
    if pick != answer:
        role[pick] = "pick (wrong)"
    else:
        role[pick] = "pick (right)"
    return pd.DataFrame({"candidate": np.arange(1, n + 1), "distance": distance, "role": role})


def trial_chart(frame, height: int = 300, title: str = "Distance of the query to each candidate"
                ) -> tuple[pd.DataFrame, dict]:
    """One bar per candidate: the pick (shortest distance) green when right, orange when wrong, the right answer
    outlined in dark; the others grey."""
    table = trial_table(frame)
    roles = ["pick (right)", "pick (wrong)", "right answer", OTHER]
    spec = {"title": title_spec(title), "height": height, "width": "container",  # bars as wide as the column
            "mark": {"type": "bar", "strokeWidth": 2},
            "encoding": {"x": {"field": "candidate", "type": "ordinal", "title": "candidate",
                               "axis": {"labelAngle": 0}},
                         "y": {"field": "distance", "type": "quantitative", "title": "distance to the query"},
                         "color": {"field": "role", "type": "nominal", "title": None,
                                   "scale": {"domain": roles, "range": [SAME_COLOUR, DIFF_COLOUR, "#8ab6d6",
                                                                       OTHER_COLOUR]},
                                   "legend": None},  # a legend would take the bars' height: TRIAL_KEY says it
                         "stroke": {"condition": {"test": "datum.role == 'right answer'", "value": "#264653"},
                                    "value": None},
                         "tooltip": [{"field": "candidate", "type": "ordinal"},
                                     {"field": "distance", "type": "quantitative", "format": ".3f"},
                                     {"field": "role", "type": "nominal"}]}}
    return table, spec


def trial_verdict(frame) -> str:
    """One sentence on the trial drawn large, as the network sees it at this frame."""
    table = trial_table(frame)
    pick = int(table["distance"].idxmin())
    answer = frame.task % len(table)
    d = table["distance"]
    if pick == answer:
        return f"Step {frame.step}: the network picks candidate #{pick + 1} (distance {d[pick]:.3f}) — right ✅"
    return (f"Step {frame.step}: the network picks candidate #{pick + 1} (distance {d[pick]:.3f}) — wrong ❌; "
            f"the right answer, #{answer + 1}, is at distance {d[answer]:.3f}")
