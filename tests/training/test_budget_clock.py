"""What a time budget counts: on the CPU clock a run that the machine keeps waiting trains as many steps
as one that never waits, only later; a run starved past its wall-clock cap stops and says so."""
import time

import pytest

from siamese_core.training import budget_clock
from siamese_core.training.budget_clock import WALL_CAP, BudgetClock
from siamese_core.training.settings import BudgetSettings
from siamese_core.training.state import Callback
from siamese_core.training.trainer import TrainConfig, Trainer

CFG = dict(backbone="koch-small", width=0.25, batch_size=16, steps_per_epoch=10_000, val_pairs=50)


class Waits(Callback):
    """Keeps the training thread off the CPU for a while every step, as a busy machine would."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def on_step(self, trainer, state):
        time.sleep(self.seconds)


def test_the_cpu_clock_does_not_count_time_off_the_cpu():
    clock = BudgetClock(BudgetSettings(seconds=1.0, clock="cpu"))
    time.sleep(0.2)
    assert clock.wall() >= 0.2 and clock.elapsed() < 0.05
    spin = time.thread_time()  # 0.1 s on the CPU, however long a busy machine takes to give it
    while time.thread_time() - spin < 0.1:
        pass
    assert clock.elapsed() >= 0.1
    wall = BudgetClock(BudgetSettings(seconds=1.0))
    time.sleep(0.1)
    assert wall.elapsed() >= 0.1 and wall.cap is None


def test_a_waiting_run_trains_its_whole_cpu_budget(digits_train):
    budget = 0.6
    waited = Trainer(TrainConfig(**CFG, seconds=budget, clock="cpu"), digits_train, callbacks=[Waits(0.02)]).fit()
    st = waited.state
    assert waited.stopped_because == "time budget"
    assert budget <= st.elapsed < budget + 0.5
    # Every step also waited 20 ms off the CPU: on the clock the run took that much longer, and the budget
    # did not count it (on the wall clock, the same run would have stopped after about a third of the steps).
    assert st.wall >= st.elapsed + 0.02 * st.step * 0.9
    on_wall = Trainer(TrainConfig(**CFG, seconds=budget), digits_train, callbacks=[Waits(0.02)]).fit()
    assert on_wall.state.step < 0.8 * st.step
    # The same clock read twice (a busy machine may pause the thread between the reads); the CPU clock's run
    # above differs by 20 ms a step, several tenths of a second.
    assert on_wall.state.wall == pytest.approx(on_wall.state.elapsed, abs=0.2)


def test_a_starved_run_stops_at_its_wall_clock_cap(digits_train, monkeypatch):
    monkeypatch.setattr(budget_clock, "WALL_CAP_FACTOR", 1.0)
    monkeypatch.setattr(budget_clock, "WALL_CAP_EXTRA", 0.3)
    result = Trainer(TrainConfig(**CFG, seconds=0.5, clock="cpu"), digits_train, callbacks=[Waits(0.05)]).fit()
    assert result.stopped_because == WALL_CAP
    # state.wall is read before the last step's wait; the cap (0.8 s) after it.
    assert 0.7 <= result.state.wall < 1.6 and result.state.elapsed < 0.5


def test_the_clock_is_a_checked_setting():
    with pytest.raises(ValueError, match="clock must be one of"):
        TrainConfig(seconds=5, clock="sundial")
    assert TrainConfig(seconds=5).clock == "wall"


def test_early_etas_lean_on_the_idle_rate_and_then_follow_the_measured_one():
    # Wall clock: the budget left, exactly.
    assert budget_clock.wall_eta(0.25, 30.0, 120.0) == pytest.approx(90.0)
    # A CPU-clock run 2 s in with 0.3 s of CPU: the raw rate (0.15) would say 798 s for the 119.7 s left;
    # the prior keeps this first guess within a few times the idle one.
    first = budget_clock.wall_eta(0.3 / 120, 2.0, 120.0)
    assert 119.7 < first < 3 * 119.7
    # 200 s in at a steady rate of 0.3: the estimate is within 10 % of the measured rate's.
    later = budget_clock.wall_eta(60 / 120, 200.0, 120.0)
    assert later == pytest.approx(60 / 0.3, rel=0.1)
    # Epoch budgets keep the plain extrapolation.
    assert budget_clock.wall_eta(0.5, 10.0) == pytest.approx(10.0)
