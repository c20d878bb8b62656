"""AppTest of the twins page: the L1 layer's numbers, the swap, BCE, real pairs and a real mini-run."""
import math
import re
import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lab_ui import training_jobs
from siamese_core.explain.architecture import ARCHITECTURES
from siamese_core.models import SiameseNet, count_parameters

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "2_siamese_twins.py")


@pytest.fixture(scope="module")
def at():
    return AppTest.from_file(PAGE, default_timeout=240).run()


def _text(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [x.value for x in at.latex])


def _p(at) -> float:
    return float(re.search(r"\*\*p\(same\) = ([\d.]+)\*\* → the network", _text(at)).group(1))


@pytest.mark.slow
def test_workshop_example_and_swap(at):
    assert not at.exception
    assert r"\lvert h_1 - h_2 \rvert = (3.6, 0.1, 2.1)" in _text(at)
    # α = −1 for all, b = 3: z = −5.8 + 3 = −2.8, p = σ(−2.8).
    assert _p(at) == pytest.approx(1 / (1 + math.exp(2.8)), abs=1e-4)
    before = _p(at)
    at.button(key="twins_swap").click().run()
    assert at.text_input(key="twins_h1").value.startswith("3.7")
    assert _p(at) == before and "Swapped 1×" in _text(at)


def test_alpha_and_bias_change_p(at):
    at.text_input(key="twins_alpha").input("0.5, 1, 2").run()
    at.number_input(key="twins_bias").set_value(-1.0).run()
    z = 0.5 * 3.6 + 1 * 0.1 + 2 * 2.1 - 1
    assert _p(at) == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-4)
    assert f"{z:.4f}" in _text(at)


def test_bad_vector_warns_and_the_rest_still_works(at):
    at.text_input(key="twins_h2").input("1, two, 3").run()
    assert not at.exception
    assert any("numbers separated by commas" in w.value for w in at.warning)
    assert any(r"L = -\log" in x.value for x in at.latex)
    at.text_input(key="twins_h2").input("0.1, 0.4, 1.1").run()
    assert not at.warning


@pytest.mark.slow
def test_parameter_counts_come_from_the_real_modules(at):
    for name in ARCHITECTURES:
        at.radio(key="twins_arch").set_value(name).run()
        total = count_parameters(SiameseNet(ARCHITECTURES[name]))["parameters"]
        shown = {m.label: m.value for m in at.metric}
        assert shown["Whole Siamese network"] == f"{total:,}"
    assert shown["Parameters of the twin (stored once)"] == "428,552"


@pytest.mark.slow
def test_bce_worked_examples(at):
    at.radio(key="twins_y").set_value(1).run()
    at.slider(key="twins_p").set_value(0.99).run()
    assert r"L = -\log(0.990) = 0.0101" in _text(at)
    at.slider(key="twins_p").set_value(0.001).run()
    assert r"L = -\log(0.001) = 6.9078" in _text(at)
    at.radio(key="twins_y").set_value(0).run()
    assert r"L = -\log(0.999) = 0.0010" in _text(at)


@pytest.mark.slow  # loads MNIST and the shipped model
def test_real_pair_from_the_shipped_model(at):
    for key in ("twins_pair_1", "twins_pair_0"):
        at.button(key=key).click().run()
        m = re.search(r"\*\*p\(same\) = ([\d.]+)\*\* \(logit (-?[\d.]+)\); swapped: (\d+\.\d+)", _text(at))
        assert m, "the real-pair result is missing"
        p, logit, swapped = map(float, m.groups())
        assert p == swapped and p == pytest.approx(1 / (1 + math.exp(-logit)), abs=1e-3)


@pytest.mark.slow
def test_minibatch_run_trains_for_real_on_the_queue(at):
    at.toggle(key="twins_shuffle").set_value(False).run()
    plain = int(re.search(r"Not shuffled: on average \*\*(\d+) %\*\*", _text(at)).group(1))
    assert plain > 85  # class-sorted storage: nearly every pair in a batch is same-class
    at.toggle(key="twins_shuffle").set_value(True).run()
    shuffled = int(re.search(r"Shuffled: on average \*\*(\d+) %\*\*", _text(at)).group(1))
    assert shuffled < 25
    at.select_slider(key="twins_bs").set_value(16).run()
    # Other students' jobs hold every worker of the queue until this page's run is waiting behind them: the
    # run must go through the server's queue, not train on the page's own script thread.
    q, started, seen, released = training_jobs.job_queue(), [], [], threading.Event()

    def ahead(job):
        started.append(job)
        deadline = time.monotonic() + 60
        while not released.is_set() and time.monotonic() < deadline:
            if len(started) == q.workers and q.stats()["waiting"] >= 1:  # every worker held, the page's run behind
                seen.append(q.stats()["waiting"])
                released.set()  # the first to see it lets every holder go
            time.sleep(0.05)

    for k in range(q.workers):
        q.submit(ahead, owner=f"another student {k}", label="another run")
    deadline = time.monotonic() + 60
    while len(started) < q.workers and time.monotonic() < deadline:  # all held, none waiting
        time.sleep(0.05)
    at.button(key="twins_train").click().run()
    assert not at.exception
    assert seen and seen[0] == 1, "the mini-batch run did not wait in the server's queue"
    run = at.session_state["twins_runs"][(16, "adam")]
    assert run.metrics["steps"] == 60 and run.history
    acc = float(re.search(r"Validation pair accuracy after 60 steps: \*\*([\d.]+)\*\*", _text(at)).group(1))
    assert acc == pytest.approx(run.metrics["val_accuracy"], abs=5e-4)
    assert acc > 0.55  # 60 real steps already beat chance on 8×8 digits
    # Another batch size has no run yet; going back shows the kept one without training again.
    at.select_slider(key="twins_bs").set_value(32).run()
    assert "Validation pair accuracy" not in _text(at)
    at.select_slider(key="twins_bs").set_value(16).run()
    assert f"**{acc:.3f}**" in _text(at)
