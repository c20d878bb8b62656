"""The arithmetic of benchmarks/machine_ratio.py: FLOPs as FlopCounterMode counts them, the peak on paper,
and the ratios in its JSON. No timing of real work: the figures come from fixed inputs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from benchmarks.machine_ratio import counted_flops, cpu_clock_ghz, cpu_peak, network_figures

RESULT = Path(__file__).resolve().parents[2] / "docs/results/machine-ratio.json"


def test_a_linear_layer_counts_two_flops_per_multiply_add_forward_and_three_times_that_with_backward():
    n, d_in, d_out = 32, 64, 16
    layer, x = torch.nn.Linear(d_in, d_out), torch.randn(n, d_in, requires_grad=True)
    assert counted_flops(lambda: layer(x)) == 2 * n * d_in * d_out
    # backward: the input's gradient and the weight's gradient, one product of the same size each
    assert counted_flops(lambda: layer(x).sum().backward()) == 3 * 2 * n * d_in * d_out


def test_a_convolution_counts_its_multiply_adds():
    conv, x = torch.nn.Conv2d(3, 8, 3, padding=1), torch.randn(2, 3, 10, 10)
    assert counted_flops(lambda: conv(x)) == 2 * (2 * 8 * 10 * 10) * (3 * 3 * 3)


CPUINFO = "processor : 0\ncpu MHz : 2100.000\nflags : fpu sse2 avx fma avx2 avx512f\n" * 2


def test_the_peak_on_paper_is_cores_times_clock_times_flops_per_cycle():
    p = cpu_peak(2, CPUINFO)
    assert (p["isa"], p["flops_per_cycle"], p["ghz"]) == ("avx512f", 64, 2.1)
    assert p["gflops"] == pytest.approx(2 * 2.1 * 64)
    avx2 = cpu_peak(1, CPUINFO.replace(" avx512f", ""))
    assert (avx2["isa"], avx2["gflops"]) == ("avx2", pytest.approx(2.1 * 32))
    assert cpu_clock_ghz(CPUINFO, "CPU max MHz:  3500.0000\n") == (3.5, "lscpu max MHz")


def test_network_figures_divide_flops_by_the_step_time():
    f = network_figures(flops=2_000_000_000, seconds_per_step=0.05, images=128, peak_gflops=100.0,
                        matmul_gflops=80.0)
    assert f["gflops"] == 40.0 and f["steps_per_s"] == 20.0 and f["images_per_s"] == 2560.0
    assert f["of_peak"] == 0.4 and f["of_matmul"] == 0.5


@pytest.mark.skipif(not RESULT.is_file(), reason="docs/results/machine-ratio.json not written yet")
def test_the_result_file_is_consistent():
    for run in json.loads(RESULT.read_text())["figures"]["runs"]:
        p = run["peak"]
        assert p["gflops"] == pytest.approx(p["cores"] * p["ghz"] * p["flops_per_cycle"], rel=1e-3)
        assert run["matmul_of_peak"] == pytest.approx(run["matmul_gflops"] / p["gflops"], rel=1e-2)
        for x in run["networks"].values():
            assert x["gflops"] == pytest.approx(x["gflop_per_step"] * x["steps_per_s"], rel=1e-2)
            assert x["images_per_s"] == pytest.approx(x["batch"] * x["steps_per_s"], rel=1e-2)
            assert x["of_peak"] == pytest.approx(x["gflops"] / p["gflops"], rel=1e-2)
            assert x["of_matmul"] == pytest.approx(x["gflops"] / run["matmul_gflops"], rel=1e-2)


def test_a_timed_call_runs_on_this_process_s_torch_threads_and_takes_at_least_its_own_time():
    import time

    from benchmarks.machine_ratio import seconds_per_call
    seen, before = [], torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seconds = seconds_per_call(lambda: (seen.append(torch.get_num_threads()), time.sleep(0.002)), 0.05)
    finally:
        torch.set_num_threads(before)
    assert set(seen) == {2}  # torch.utils.benchmark.Timer alone would have timed it on one thread
    assert seconds >= 0.002
