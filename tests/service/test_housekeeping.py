import gc
import sys
import time

import numpy as np
import psutil
import pytest

from siamese_core.service import housekeeping
from siamese_core.service.housekeeping import Housekeeper


class Holder:
    def __init__(self):
        self.me = self                              # a reference cycle: only the collector frees it
        self.data = np.ones(50_000_000, np.float32)  # 200 MB


def test_a_sweep_frees_cyclic_garbage_the_generational_collector_has_not_reached():
    gc.collect()
    was = gc.isenabled()
    gc.disable()  # as on a big heap, where the oldest generation is collected rarely
    try:
        Holder()
        rss = psutil.Process().memory_info().rss
        keeper = Housekeeper()
        keeper.sweep()
        assert keeper.passes == 1 and keeper.collected >= 1
        assert rss - psutil.Process().memory_info().rss > 150 * 2**20
        assert keeper.freed_mb > 150
    finally:
        if was:
            gc.enable()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_glibc_malloc_trim_is_found_on_linux():
    assert housekeeping._TRIM is not None and housekeeping._TRIM(0) in (0, 1)


def test_the_housekeeper_sweeps_on_its_own_thread_until_stopped_and_zero_turns_it_off():
    keeper = Housekeeper(every=0.05).start()
    deadline = time.monotonic() + 30
    while keeper.passes < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    keeper.stop()
    assert keeper.passes >= 2 and "passes every 0.05 s" in keeper.summary()
    off = Housekeeper(every=0).start()
    time.sleep(0.2)
    assert off.passes == 0 and off._thread is None
