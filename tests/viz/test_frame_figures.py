import numpy as np
import plotly.graph_objects as go

from siamese_core.service.live_frames import Frame
from siamese_core.viz.frame_figures import frame_histogram, frame_map, layout_range, replay_figure


def _frame(step, shift=0.0, n=30, classes=3):
    rng = np.random.default_rng(step)
    edges = np.linspace(-2, 0, 41).astype(np.float32)
    return Frame(step, step / 10, 1.0 / (step + 1), 0.8, 0.9, -1.0,
                 (rng.normal(size=(n, 2)) + shift).astype(np.float16), edges,
                 rng.integers(0, 9, 40).astype(np.int32), rng.integers(0, 9, 40).astype(np.int32), 0.01)


LABELS = np.arange(30) % 3
NAMES = ["a", "b", "c"]


def test_the_histogram_shows_the_frames_counts_as_distances():
    f = _frame(1)
    fig = frame_histogram(f, as_distance=True)
    same, diff = fig.data
    assert list(same.y) == list(f.same_counts) and list(diff.y) == list(f.diff_counts)
    assert min(same.x) > 0  # scores are −distances: the axis shows distances


def test_the_map_has_one_trace_per_class_with_its_points():
    f = _frame(2)
    fig = frame_map(f, LABELS, NAMES)
    assert [t.name for t in fig.data] == NAMES
    assert sum(len(t.x) for t in fig.data) == 30


def test_a_replay_steps_through_every_run_together_and_keeps_its_axes():
    runs = [("A", [_frame(k) for k in range(5)], True), ("B", [_frame(k, shift=k) for k in range(9)], True)]
    fig = replay_figure(runs, LABELS, NAMES).to_dict()
    assert len(fig["frames"]) == 9 and len(fig["layout"]["sliders"][0]["steps"]) == 9
    # Per run a map and two histograms move; a frame carries their points and heights only.
    assert all(fr["traces"] == list(range(6)) and len(fr["data"]) == 6 for fr in fig["frames"])
    assert all(set(t) <= {"x", "y"} for fr in fig["frames"] for t in fr["data"])
    # The first slider step shows each run's first frame; the last its last frame.
    first, last = fig["frames"][0]["data"][0], fig["frames"][-1]["data"][3]
    assert np.allclose(first["x"], runs[0][1][0].layout[:, 0].astype(np.float32), atol=1e-3)
    assert np.allclose(last["x"], runs[1][1][-1].layout[:, 0].astype(np.float32), atol=1e-3)
    assert (fig["data"][0]["xaxis"], fig["data"][3]["xaxis"]) == ("x", "x2")  # run A's map, run B's map
    assert fig["data"][1]["xaxis"] == "x3"  # run A's histogram, in the row below
    colours = fig["data"][0]["marker"]["color"]
    assert len(colours) == len(LABELS) and colours[0] != colours[1]  # each point its class's colour
    assert [t["name"] for t in fig["data"][6:]] == NAMES  # the classes' key, without points
    r = layout_range(runs[1][1])
    assert tuple(fig["layout"]["xaxis2"]["range"]) == r
    go.Figure(fig)  # and it is a valid Plotly figure


def test_a_long_run_is_thinned_for_the_replay():
    runs = [("A", [_frame(k) for k in range(200)], True)]
    fig = replay_figure(runs, LABELS, NAMES, max_frames=20).to_dict()
    assert len(fig["frames"]) == 20
    assert fig["layout"]["sliders"][0]["steps"][-1]["label"] == "199"


def test_a_replay_of_many_runs_can_draw_a_few_of_each_class_points():
    labels = np.repeat([0, 1, 2], [60, 30, 30])  # classes of unequal size: each keeps the same share
    frames = [_frame(k, n=120) for k in range(3)]
    fig = replay_figure([("A", frames, True), ("B", frames, True)], labels, NAMES, max_points=40).to_dict()
    kept = np.array([c for c in range(3) for _ in range([20, 10, 10][c])])
    colours = fig["data"][0]["marker"]["color"]
    assert len(colours) == 40 and len(fig["frames"][0]["data"][0]["x"]) == 40
    assert colours == fig["data"][3]["marker"]["color"] == [fig["data"][6 + c]["marker"]["color"] for c in kept]
    # The points kept are the same ones in every frame and run: the first and last of the first class among them.
    first_class = frames[-1].layout[labels == 0].astype(np.float32)
    xs = fig["frames"][-1]["data"][0]["x"]
    assert np.isclose(xs[0], first_class[0, 0], atol=1e-3) and np.isclose(xs[19], first_class[-1, 0], atol=1e-3)


def test_a_replay_bins_every_frame_on_common_edges():
    from dataclasses import replace
    frames = [replace(_frame(0), edges=np.linspace(-0.1, 0, 41).astype(np.float32)), _frame(1)]
    fig = replay_figure([("A", frames, True)], LABELS, NAMES).to_dict()
    bars = fig["data"][1]
    assert len(bars["x"]) == len(bars["width"]) == 40  # one set of bins for every frame: frames send heights only
    first = fig["frames"][0]["data"][1]
    assert sum(first["y"]) == frames[0].same_counts.sum()  # nothing lost by re-binning
    assert np.count_nonzero(first["y"]) <= 2  # the early frame's narrow range falls into one or two bins


def test_a_map_a_few_thousandths_wide_keeps_its_points_apart():
    # Layouts stored before the live map was scaled to unit spread (e.g. in an atlas) can be this small.
    f = _frame(3)
    tiny = Frame(**{**f.__dict__, "layout": (f.layout.astype(np.float32) * 0.003).astype(np.float16)})
    fig = frame_map(tiny, LABELS, NAMES)
    points = {(x, y) for trace in fig.data for x, y in zip(trace.x, trace.y)}
    assert len(points) == len(LABELS)
    xs = np.array([x for trace in fig.data for x in trace.x])
    assert np.std(xs) > 0.001  # not rounded to zero


def test_a_replay_opens_on_the_trained_network_and_plays_from_the_first_frame():
    runs = [("A", [_frame(k) for k in range(5)], True), ("B", [_frame(k, shift=k) for k in range(9)], True)]
    fig = replay_figure(runs, LABELS, NAMES).to_dict()
    slider = fig["layout"]["sliders"][0]
    assert slider["active"] == len(fig["frames"]) - 1 == 8       # the slider sits on the last step…
    shown = [{k: t[k] for k in moved} for t, moved in zip(fig["data"], fig["frames"][-1]["data"])]
    assert shown == fig["frames"][-1]["data"]                     # …and the figure shows that step
    play = fig["layout"]["updatemenus"][0]["buttons"][0]
    # All frames, from the current one: Plotly plays from the first frame when the current is the last.
    assert play["label"] == "▶ Play" and play["args"][0] is None and play["args"][1]["fromcurrent"]
