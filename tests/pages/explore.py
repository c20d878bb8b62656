"""A page opened in its explore mode (the atlas of pretrained runs)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def open_explore(page: str, **url) -> AppTest:
    """`page` run once in explore mode with these URL values, checked for an exception."""
    at = AppTest.from_file(page, default_timeout=120)
    at.query_params.update(mode="explore", **url)
    at.run()
    assert not at.exception
    return at


def replay_spec(at: AppTest) -> dict:
    """The one Plotly figure on the page with animation frames and a Play button (the replay), decoded."""
    import json
    (spec,) = [c.proto.spec for c in at.get("plotly_chart") if '"frames"' in c.proto.spec and "Play" in c.proto.spec]
    return json.loads(spec)


def chart_specs(at: AppTest) -> list[str]:
    """Every chart's spec on the page, Plotly's (the replays) and Vega-Lite's (the atlas's other charts)."""
    return [c.proto.spec for kind in ("plotly_chart", "vega_lite_chart") for c in at.get(kind)]
