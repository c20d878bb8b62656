"""A live chart drawn in place, and built once for every page that follows the same training (live_views and
oneshot_live draw with these)."""
from __future__ import annotations

import weakref

import streamlit as st

from siamese_core.service.live_state import LiveState

SHARED_FIGURES = 16  # charts kept per training for its followers (a few frames' worth, of every run)
_FIGURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # live state → its charts, gone with it


def shared_figure(live: LiveState, key: tuple, make):
    """The chart `make()` builds, built once for every page that follows the same training: when a class asks
    for one run, ten students' pages would otherwise each build the same charts at every frame. Kept beside
    the training's live state (never in it), at most SHARED_FIGURES per training; read-only once built."""
    cache = _FIGURES.setdefault(live, {})
    made = cache.get(key)
    if made is None:
        if len(cache) >= SHARED_FIGURES:
            cache.clear()
        made = cache[key] = make()
    return made


def chart(made: tuple, key: str, canvas: bool = False) -> None:
    """A chart (table, Vega-Lite spec) under the same key and spec at every redraw, so the browser updates the
    chart it has in place (live_charts.py says why not Plotly here). `canvas`: drawn on a canvas rather than as
    SVG, for the charts a followed run redraws every second (hundreds of SVG marks to restyle and lay out at
    each frame kept Chromium busy)."""
    table, spec = made
    if canvas:
        spec = {**spec, "usermeta": {"embedOptions": {"renderer": "canvas"}}}
    st.vega_lite_chart(table, spec, key=key, width="stretch")
