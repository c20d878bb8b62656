"""The live view of a job, as each rerun of a page's live fragment draws it: one chart per run and kind whose
spec stays the same for the whole job (so the browser updates the charts it has), whatever the frames."""
import json

import numpy as np
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from siamese_core.service.live_frames import Frame


def frame(step: int) -> Frame:
    """A frame of 30 probe images in 3 classes at `step` (AUC 0.9), the same for the same step."""
    rng = np.random.default_rng(step)
    edges = np.linspace(-2, 0, 41).astype(np.float32)
    return Frame(step, step / 10, 0.5, 0.8, 0.9, -1.0, rng.normal(size=(30, 2)).astype(np.float16), edges,
                 rng.integers(0, 9, 40).astype(np.int32), rng.integers(0, 9, 40).astype(np.int32), 0.01)


def _page():
    from types import SimpleNamespace

    import numpy as np
    import streamlit as st

    from lab_ui import live_views
    from siamese_core.service.live_state import LiveState
    from tests.pages.test_live_views import frame

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
        "**D=2** — step 0 · AUC 0.900", "**D=8** — step 0 · AUC 0.900"]


def _following_page():
    """A page following a sweep mid-run (run 3 of 4, batch-hard, trained past its latest frame), or a single run."""
    from types import SimpleNamespace

    import numpy as np
    import streamlit as st

    from lab_ui.run_follow import draw_following
    from siamese_core.service.jobs import RUNNING, JobQueue
    from siamese_core.service.live_state import LiveState
    from tests.pages.test_live_views import frame

    names = st.session_state["names"]
    frames = {name: [frame(0), frame(40 + 10 * k)] for k, name in enumerate(names[:-1])}
    frames[names[-1]] = [frame(0), frame(34)]  # the run training now: its latest frame is at step 34 …
    history = [{"step": s, "loss": 1.0 / (s + 1)} for s in range(st.session_state.get("steps", 127))]  # … 126 steps
    live = LiveState(progress=0.6, step=126, eta=20.0, part=len(names) - 1, parts=st.session_state["parts"],
                     current=names[-1] if len(names) > 1 else None, history=history,
                     val_history=[{"step": 20, "val_accuracy": 0.7}, {"step": 100, "val_accuracy": 0.8}],
                     frames=frames, probe_labels=np.arange(30) % 3, class_names=["a", "b", "c"],
                     embedding_dims=dict(zip(names, st.session_state["dims"])))
    job = SimpleNamespace(id=9, live=live, label=st.session_state["label"], done=False, asked_by=1,
                          training=SimpleNamespace(status=RUNNING))
    q = JobQueue(workers=1)
    try:
        draw_following(q, job)
    finally:
        q.shutdown()


def following(names, dims, label, parts, steps=127) -> AppTest:
    at = AppTest.from_function(_following_page, default_timeout=60)
    for key, value in {"names": names, "dims": dims, "label": label, "parts": parts, "steps": steps}.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def vega_titles(at) -> list[str]:
    return [json.loads(c.spec)["title"]["text"] for c in charts(at)]


def test_every_panel_of_the_run_training_now_shows_its_name_and_one_step():
    """The progress line, the run's column and the curve: one run name, one step (its latest frame's)."""
    at = following(["random", "semi-hard", "batch-hard"], [32, 32, 32], "miners at m=0.2", 4)
    assert "run 3 of 4: batch-hard”: step 34," in at.get("progress")[0].proto.text
    assert "**batch-hard** — step 34 · AUC 0.900" in [m.value for m in at.markdown]
    assert "**batch-hard** — step 34" in [m.value for m in at.markdown]  # above the curve
    assert "Training curve: batch-hard" in vega_titles(at)
    curve = convert_arrow_bytes_to_pandas_df(charts(at)[-1].data.data)
    assert curve["step"].max() == 34  # the curve ends where the run's map and histograms are


def test_a_single_runs_large_panel_is_named_after_it_and_says_what_its_map_shows():
    at = following(["Contrastive · m=1.0 · D=32"], [32], "Contrastive · m=1.0 · D=32", 1)
    assert "step 34," in at.get("progress")[0].proto.text
    assert any(m.value.startswith("**Contrastive · m=1.0 · D=32** — step 34 · ") for m in at.markdown)
    titles = vega_titles(at)
    assert "Contrastive · m=1.0 · D=32: aligned PCA of the 32-D embedding" in titles
    assert "Training curve: Contrastive · m=1.0 · D=32" in titles
    assert not any("raw 2-D" in t for t in titles)
    plane = following(["D=2"], [2], "contrastive sweep on digits", 5)  # the first run of a size sweep
    assert "D=2: the raw 2-D embedding plane" in vega_titles(plane)


def test_the_curve_is_mounted_with_the_first_frame_even_before_the_first_loss():
    """The first frame is taken before the first step: a curve that came a rerun later than the run's map and
    histograms was one more chart mounting on its own, an empty box in the browser for a moment."""
    before, after = (charts(following(["run"], [32], "run", 1, steps=n)) for n in (0, 127))
    assert len(before) == len(after) == 3 and before[-1].spec == after[-1].spec
