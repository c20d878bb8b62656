"""A finished Plotly figure as the dict a page sends.

st.plotly_chart validates a dict figure again, property by property, and calls `to_dict()` (a deep copy)
on a Figure: for a replay of 60 frames × 12 traces that is over a second. A FrozenFigure is built once
(from plain dicts, or from a Figure) and returns the same dict every time; nothing writes to it."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.basedatatypes import BaseFigure


class FrozenFigure(BaseFigure):
    """Its BaseFigure parent only passes st.plotly_chart's type check; no plotly machinery is used."""

    def __init__(self, fig: go.Figure | dict):  # no BaseFigure.__init__ on purpose
        object.__setattr__(self, "_frozen", fig if isinstance(fig, dict) else fig.to_dict())

    def to_dict(self) -> dict:
        return self._frozen

    def to_plotly_json(self) -> dict:
        return self._frozen
