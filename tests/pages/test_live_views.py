"""The live view of a job, as each rerun of a page's live fragment draws it: one chart per run and kind whose
spec stays the same for the whole job (so the browser updates the charts it has), whatever the frames."""
from streamlit.testing.v1 import AppTest


def _page():
    from types import SimpleNamespace

    import numpy as np
    import streamlit as st

    from lab_ui import live_views
    from siamese_core.service.live_frames import Frame
    from siamese_core.service.live_state import LiveState

    def frame(step):
        rng = np.random.default_rng(step)
        edges = np.linspace(-2, 0, 41).astype(np.float32)
        return Frame(step, step / 10, 0.5, 0.8, 0.9, -1.0, rng.normal(size=(30, 2)).astype(np.float16), edges,
                     rng.integers(0, 9, 40).astype(np.int32), rng.integers(0, 9, 40).astype(np.int32), 0.01)

    sweep = st.session_state.get("sweep", False)
    frames = [frame(10 * k) for k in range(st.session_state.get("frames", 1))]
    live = LiveState(frames={"D=2": frames, "D=8": list(frames)} if sweep else {"run": frames},
                     probe_labels=np.arange(30) % 3, class_names=["a", "b", "c"],
                     as_distance={"run": True}, embedding_dims={"run": 8})
    live_views.draw(SimpleNamespace(id=7, live=live))


def charts(at) -> list:
    return [e.proto for e in at.get("vega_lite_chart")]


def test_each_chart_keeps_its_spec_from_frame_to_frame_and_only_its_data_changes():
    """The browser updates a Vega-Lite chart in place when its key and spec are the same as before."""
    at = AppTest.from_function(_page, default_timeout=60)
    drawn = []
    for n in (1, 2, 1, 3):  # counts seen before come back (the recorder replaces the frame at the last step)
        at.session_state["frames"] = n
        at.run()
        assert not at.exception, at.exception
        drawn.append(charts(at))
    assert all(len(d) == 2 for d in drawn)
    for k in range(2):  # the map, the histogram
        assert len({d[k].spec for d in drawn}) == 1
        assert len({d[k].data.data for d in drawn}) == 3  # frames 1, 2 and 3 differ; 1 came back as itself


def test_a_sweep_draws_one_column_of_charts_per_run():
    at = AppTest.from_function(_page, default_timeout=60)
    at.session_state["sweep"] = True
    at.run()
    assert not at.exception, at.exception
    assert len(charts(at)) == 4 and [m.value for m in at.markdown if m.value.startswith("**D=")] == [
        "**D=2** · step 0 · AUC 0.900", "**D=8** · step 0 · AUC 0.900"]
