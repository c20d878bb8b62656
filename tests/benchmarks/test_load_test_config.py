"""The class load test's trainers: who asks for which run, and what it reports as its goals."""
from __future__ import annotations

import pytest

from benchmarks.load_test import GOALS, trainer_seeds


def test_every_trainer_has_its_own_run_unless_asked_to_share():
    seeds = trainer_seeds(10, 0)
    assert len(seeds) == 10 and len(set(seeds)) == 10
    assert len(set(trainer_seeds(10, 1))) == 10          # one "sharer" shares with nobody


def test_half_the_trainers_ask_for_one_run():
    seeds = trainer_seeds(10, 5)
    assert seeds[:5] == [0] * 5                          # exactly the same config: trained once
    assert len(set(seeds[5:])) == 5 and 0 not in seeds[5:]
    assert len(set(seeds)) == 6
    assert trainer_seeds(4, 4) == [0, 0, 0, 0]


def test_more_sharers_than_trainers_is_refused():
    with pytest.raises(ValueError, match="between 0 and the number of trainers"):
        trainer_seeds(3, 4)
    with pytest.raises(ValueError):
        trainer_seeds(3, -1)


def test_the_goals_are_the_brief_s():
    assert GOALS == {"all_results_s": 60.0, "failed_sessions": 0, "latency_p50_s": 1.0, "server_pss_peak_mb": 2000}
