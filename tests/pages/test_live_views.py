"""The live view redraws whenever the frames change, even when their count comes back to an earlier value
within one script run (the recorder replaces the frame at the last step by the reported model's)."""
from streamlit.testing.v1 import AppTest


def _page():
    from types import SimpleNamespace

    import numpy as np
    import streamlit as st

    from lab_ui import live_views
    from siamese_core.service.live_frames import Frame

    def frame(step):
        rng = np.random.default_rng(step)
        edges = np.linspace(-2, 0, 41).astype(np.float32)
        return Frame(step, step / 10, 0.5, 0.8, 0.9, -1.0, rng.normal(size=(30, 2)).astype(np.float16), edges,
                     rng.integers(0, 9, 40).astype(np.int32), rng.integers(0, 9, 40).astype(np.int32), 0.01)

    frames = []
    job = SimpleNamespace(id=7, live={"frames": frames, "probe_labels": np.arange(30) % 3,
                                      "class_names": ["a", "b", "c"], "run_name": "run",
                                      "as_distance": {"run": True}, "embedding_dims": {"run": 8}})
    slot, seen = st.empty(), {}
    for change in ("add", "add", "pop", "add"):  # 1, 2, 1, 2 frames: counts seen before come back
        if change == "add":
            frames.append(frame(len(frames) * 10))
        else:
            frames.pop()
        live_views.draw(job, slot, seen)
    st.write(f"drawn {seen['draws']} times")


def test_a_frame_count_seen_before_redraws_without_a_duplicate_key():
    at = AppTest.from_function(_page, default_timeout=60).run()
    assert not at.exception, at.exception
    assert any("drawn 4 times" in m.value for m in at.markdown)


def test_pages_following_one_training_build_each_figure_once():
    from lab_ui.live_views import SHARED_FIGURES, shared_figure
    live, built = {}, []

    def make(tag):
        built.append(tag)
        return {"figure": tag}
    first = shared_figure(live, ("map", "run", 10), lambda: make("a"))
    again = [shared_figure(live, ("map", "run", 10), lambda: make("b")) for _ in range(9)]  # nine more pages
    assert built == ["a"] and all(f is first for f in again)
    for k in range(3 * SHARED_FIGURES):  # a long run's frames: the cache stays bounded
        shared_figure(live, ("map", "run", 11 + k), lambda k=k: make(k))
    assert len(live["_figures"]) <= SHARED_FIGURES and len(built) == 1 + 3 * SHARED_FIGURES
