"""A page following a run sends its queue place or progress bar only when what it says has changed: each
message is a redraw in the student's browser and a message for the server to send, twice a second per page."""
import threading

from lab_ui.training_jobs import _draw_progress
from siamese_core.service.jobs import JobQueue


class Slot:
    """Records what a page placeholder was asked to show."""

    def __init__(self):
        self.shown = []

    def info(self, text):
        self.shown.append(("info", text))

    def progress(self, value, text):
        self.shown.append(("progress", value, text))


def test_the_place_and_the_bar_are_sent_again_only_when_they_change():
    q = JobQueue(workers=1)
    release, release_second, running = threading.Event(), threading.Event(), threading.Event()

    def blocks(job):
        running.set()
        release.wait(30)
        return "first"

    def trains(job):
        job.training.live.update(progress=0.5, step=10)
        release_second.wait(30)
        return "second"

    try:
        first = q.submit(blocks, "a", "first run", expected_seconds=5)
        assert running.wait(10)
        second = q.submit(trains, "b", "second run", expected_seconds=5)
        slot, shown = Slot(), {}
        for _ in range(3):
            _draw_progress(q, second, slot, shown)
        assert len(slot.shown) == 1 and slot.shown[0][0] == "info" and "number 1 in the queue" in slot.shown[0][1]

        release.set()
        first.wait(10)
        for _ in range(50):  # the worker takes the second run and sets its progress
            if second.training.live.get("step") == 10:
                break
            second.wait(0.1)
        for _ in range(3):
            _draw_progress(q, second, slot, shown)
        assert [s[0] for s in slot.shown] == ["info", "progress"]
        assert slot.shown[1][1] == 0.5 and "step 10" in slot.shown[1][2]
    finally:
        release.set()
        release_second.set()
        q.shutdown()
