"""A training's typed live state: a trainer's copy streams to the server's copy field by field, the server's
version grows with each delta it takes, fields it does not know are ignored, and a restart forgets what a
trainer sent but keeps the server's notice."""
from siamese_core.service.live_state import WIRE_NAMES, LiveSender, LiveState


def test_a_trainer_s_state_reaches_the_server_s_copy_and_counts_versions():
    trainer, server = LiveState(), LiveState()
    sender = LiveSender(trainer)
    trainer.update(progress=0.25, step=10, history=[{"step": 1, "loss": 0.9}])
    trainer.frames.setdefault("run", []).append("frame 1")
    server.apply(sender.delta())
    assert (server.progress, server.step, server.history, server.frames) == (0.25, 10, [{"step": 1, "loss": 0.9}],
                                                                           {"run": ["frame 1"]})
    assert server.version == 1
    trainer.frames["run"].append("frame 2")
    trainer.update(step=11)
    delta = sender.delta()
    assert set(delta) == {"frames", "step"}  # only what changed travels
    server.apply(delta)
    assert server.frames == {"run": ["frame 1", "frame 2"]} and server.step == 11 and server.version == 2
    assert sender.delta() == {}


def test_unknown_and_server_fields_are_ignored_in_a_delta():
    server = LiveState(notice="Its worker went away")
    server.apply({"progress": ("set", 0.5), "_figures": ("set", {"a": "chart"}), "version": ("set", 99),
                  "notice": ("set", None)})
    assert server.progress == 0.5 and server.version == 1 and not hasattr(server, "_figures")
    assert server.notice == "Its worker went away"  # the server's own: a trainer's fresh state never clears it
    assert {"version", "notice", "traceback"}.isdisjoint(WIRE_NAMES) and "notice" not in server.wire()


def test_a_restart_forgets_the_trainer_s_fields_and_keeps_the_notice():
    live = LiveState(progress=0.7, step=300, notice="Its worker went away")
    live.frames["run"] = ["old frame"]
    live.restart()
    assert (live.progress, live.step, live.frames, live.notice) == (0.0, 0, {}, "Its worker went away")
