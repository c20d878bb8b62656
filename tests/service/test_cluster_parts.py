"""The cluster backend's parts that need no cluster: the run spec a worker is sent, the live-dict stream,
where a GPU run goes, and a server without SIAMESE_LAB_SCHEDULER never importing Dask."""
import json
import subprocess
import sys

import pytest

from benchmarks.browser import ROOT
from siamese_core.service.cluster.placement import NoGpuWorker, placement
from siamese_core.service.live_state import LiveSender, apply_delta
from siamese_core.service.run_spec import RunSpec
from siamese_core.training import TrainConfig


def test_a_run_spec_travels_as_json_and_comes_back_equal_and_checked():
    cfgs = [TrainConfig(dataset="digits", loss="triplet", embedding_dim=d, seconds=5, image_size=(8, 8))
            for d in (2, 8)]
    spec = RunSpec.of("sweep", cfgs, ["D=2", "D=8"], 600)
    wire = spec.to_json()
    assert json.loads(wire)["configs"][1]["embedding_dim"] == 8  # plain JSON: numbers, names, flags
    back = RunSpec.from_json(wire)
    assert back.names == ("D=2", "D=8") and back.data == ("digits", (8, 8))
    assert [c.flat() for c in back.train_configs()] == [c.flat() for c in cfgs]
    bad = json.loads(wire)
    bad["configs"][0]["loss"] = "no-such-loss"
    with pytest.raises(ValueError, match="loss must be one of"):
        RunSpec.from_json(json.dumps(bad))
    with pytest.raises(ValueError, match="JSON object with kind"):
        RunSpec.from_json(json.dumps({**json.loads(wire), "pickle": "…"}))
    with pytest.raises(ValueError, match="same dataset"):
        RunSpec.of("sweep", [cfgs[0], TrainConfig(dataset="mnist")], ["a", "b"], 600)


def test_the_live_stream_sends_only_what_changed_and_follows_lists_changed_in_place():
    worker, server = {}, {"kept": "the server's own key"}
    sender = LiveSender(worker)
    rows = worker.setdefault("history", [])
    worker.update(progress=0.1, probe_labels=[3, 1])
    rows += [{"step": 1}, {"step": 2}]
    first = sender.delta()
    apply_delta(server, first)
    assert server["history"] == [{"step": 1}, {"step": 2}] and server["progress"] == 0.1
    rows.append({"step": 3})
    worker["progress"] = 0.2
    second = sender.delta()
    assert second["history"] == ("list", 2, [{"step": 3}]) and "probe_labels" not in second  # unchanged: not sent
    apply_delta(server, second)
    del rows[1::2]                      # thinned in place, as the frame recorder does
    rows.append({"step": 4})
    apply_delta(server, sender.delta())
    assert server["history"] == rows and server["kept"] == "the server's own key"
    frames = worker.setdefault("frames", {})  # a sweep: one list per run, the first appears later
    apply_delta(server, sender.delta())
    frames["D=2"] = ["f0"]
    apply_delta(server, sender.delta())
    frames["D=2"].append("f1")
    frames["D=8"] = ["g0"]
    apply_delta(server, sender.delta())
    assert server["frames"] == {"D=2": ["f0", "f1"], "D=8": ["g0"]}
    assert sender.delta() == {}


def test_a_gpu_run_goes_to_a_gpu_worker_and_says_when_there_is_none():
    cpu_only = {"tcp://a:1": {"nthreads": 1, "resources": {}}}
    mixed = {**cpu_only, "tcp://g:1": {"nthreads": 1, "resources": {"GPU": 1}}}
    assert placement("cuda", mixed, {}) == {"resources": {"GPU": 1}}
    assert placement("auto", mixed, {}) == {"resources": {"GPU": 1}}
    assert placement("auto", mixed, {"tcp://g:1": 1}) == {}       # the GPU is busy: any worker will do
    assert placement("cpu", mixed, {}) == {} and placement("auto", cpu_only, {}) == {}
    with pytest.raises(NoGpuWorker, match="no worker of the training cluster has one"):
        placement("cuda", cpu_only, {})


@pytest.mark.slow  # a fresh Python that imports torch: about 5 s
def test_without_the_setting_the_server_never_imports_dask():
    code = ("import sys; import lab_ui.training_jobs, siamese_core.service.jobs, siamese_core.service.run_spec, "
            "siamese_core.service.cluster; print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    env = {k: v for k, v in __import__("os").environ.items() if k != "SIAMESE_LAB_SCHEDULER"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"
