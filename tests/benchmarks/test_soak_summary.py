import pytest

from benchmarks.soak import slope_mb_per_min, summarise


def test_growth_counts_only_the_load_after_warm_up_and_the_settling_is_measured_apart():
    # 10 minutes of load: 100 MB while warming up, then +2 MB a minute; afterwards it falls back to 90 MB.
    load = [(t, 100.0 if t < 240 else 100.0 + 2 * (t - 240) / 60) for t in range(0, 601, 5)]
    after = [(t, 90.0) for t in range(605, 841, 5)]
    f = summarise(load + after, warmup=4, minutes=10, settled_from=780)
    assert f["warm_mb"] == 100.0 and f["peak_mb"] == pytest.approx(112.0)
    assert f["slope_after_warmup_mb_per_min"] == pytest.approx(2.0)
    assert f["growth_after_warmup_mb"] == pytest.approx(11.0, abs=1.0)   # the last minute's median
    assert f["settled_mb"] == 90.0 and f["settled_over_warm_mb"] == -10.0
    assert "settled_mb" not in summarise(load, warmup=4, minutes=10)


def test_a_flat_series_has_no_slope():
    assert slope_mb_per_min([(t, 5.0) for t in range(0, 300, 5)]) == 0.0
