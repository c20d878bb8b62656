"""What a page following a run says above its live view: its place in the queue (and the ETA) while it
waits, then the progress bar with the step while it trains."""
import threading

from lab_ui.run_follow import progress_line
from siamese_core.service.jobs import JobQueue


def test_the_place_then_the_bar_with_the_step():
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
        kind, text = progress_line(q, second)
        assert kind == "info" and "number 1 in the queue" in text and "about 10 s" in text

        release.set()
        first.wait(10)
        for _ in range(50):  # the worker takes the second run and sets its progress
            if second.training.live.step == 10:
                break
            second.wait(0.1)
        kind, fraction, text = progress_line(q, second)
        assert kind == "progress" and fraction == 0.5 and "step 10" in text and "second run" in text
    finally:
        release.set()
        release_second.set()
        q.shutdown()
