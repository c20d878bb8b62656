"""Figures built once per distinct input: equal inputs share one figure, any difference builds another, the
cache stays bounded, and a page's charts come out the same with the cache as without it."""
import numpy as np
import plotly.io as pio
import pytest
import torch

from lab_ui import figure_cache
from lab_ui.figure_cache import cached_figure
from siamese_core.viz.conv_figures import map_grid, matrix_heatmap


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    monkeypatch.setattr(figure_cache, "_figures", type(figure_cache._figures)())


def counting(calls):
    def build(values, title, scale=1.0):
        calls.append(title)
        return {"data": [{"type": "bar", "y": np.asarray(values).ravel().tolist()}], "layout": {"title": title}}
    return build


def test_equal_inputs_share_one_figure_and_any_difference_builds_another():
    calls = []
    build = counting(calls)
    a = np.arange(6.0).reshape(2, 3)
    first = cached_figure(build, a, "x")
    assert cached_figure(build, a.copy(), "x") is first  # equal values, another array
    assert cached_figure(build, torch.tensor(a), "x") is first  # a tensor is keyed by its values too
    changed = a.copy()
    changed[1, 2] += 1e-9
    assert cached_figure(build, changed, "x") is not first  # one value
    assert cached_figure(build, a.reshape(3, 2), "x") is not first  # the shape
    assert cached_figure(build, a.astype(np.float32), "x") is not first  # the dtype
    assert cached_figure(build, a, "y") is not first  # a title
    assert cached_figure(build, a, "x", scale=2.0) is not first  # a keyword
    assert calls == ["x", "x", "x", "x", "y", "x"]


def test_arguments_it_cannot_key_build_every_time():
    calls = []
    build = counting(calls)
    odd = object()
    cached_figure(build, [1.0], odd)
    cached_figure(build, [1.0], odd)
    assert len(calls) == 2 and figure_cache.cached_count() == 0


def test_the_cache_is_bounded_and_keeps_the_recently_used(monkeypatch):
    monkeypatch.setattr(figure_cache, "MAX_FIGURES", 3)
    calls = []
    build = counting(calls)
    kept = cached_figure(build, [0.0], "0")
    for k in range(1, 6):
        cached_figure(build, [0.0], "0")  # used again: stays
        cached_figure(build, [float(k)], str(k))
    assert figure_cache.cached_count() == 3
    assert cached_figure(build, [0.0], "0") is kept
    cached_figure(build, [1.0], "1")  # pushed out long ago: built again
    assert calls.count("1") == 2


def test_a_cached_figure_is_the_figure_the_builder_makes_and_survives_being_shown():
    rng = np.random.default_rng(0)
    maps = rng.normal(size=(8, 5, 5))
    fig = cached_figure(map_grid, maps, cols=4, centre_zero=True)
    spec = pio.to_json(fig.to_dict(), validate=False)  # what st.plotly_chart sends
    assert spec == pio.to_json(map_grid(maps, cols=4, centre_zero=True), validate=False)
    again = cached_figure(map_grid, maps, cols=4, centre_zero=True)
    assert again is fig and pio.to_json(again.to_dict(), validate=False) == spec
    box = cached_figure(matrix_heatmap, maps[0], "Input", box=(np.int64(1), 2, 1, 2))
    assert box is not cached_figure(matrix_heatmap, maps[0], "Input", box=(1, 2, 1, 3))
