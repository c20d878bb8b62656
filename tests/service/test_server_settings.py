"""The server's training settings are read once from its environment; a bad value stops it with one sentence
that names the setting, and the settings pick where trainings run."""
import pytest

from siamese_core.service.executors import ProcessExecutor, ThreadExecutor
from siamese_core.service.server_settings import ServerSettings


def test_the_defaults_train_in_processes_on_the_cpu_clock(monkeypatch):
    for name in ("SIAMESE_LAB_WORKERS", "SIAMESE_LAB_THREADS_PER_JOB", "SIAMESE_LAB_BUDGET_CLOCK",
                 "SIAMESE_LAB_TRAIN_IN", "SIAMESE_LAB_SCHEDULER", "SIAMESE_LAB_MAX_SESSION_MB"):
        monkeypatch.delenv(name, raising=False)
    s = ServerSettings.from_environ()
    assert s.train_in == "processes" and s.budget_clock == "cpu" and s.threads_per_job == 1
    assert s.max_session_bytes == 50 * 2**20 and s.share_runs and not s.scheduler
    monkeypatch.setenv("SIAMESE_LAB_THREADS_PER_JOB", "2")
    assert ServerSettings.from_environ().budget_clock == "wall"  # CPU time is all of a run's work only with one


@pytest.mark.parametrize("name, value, says", [
    ("SIAMESE_LAB_WORKERS", "two", "SIAMESE_LAB_WORKERS must be a number ≥ 1, not 'two'"),
    ("SIAMESE_LAB_WORKERS", "0", "SIAMESE_LAB_WORKERS must be a number ≥ 1, not '0'"),
    ("SIAMESE_LAB_MAX_SESSION_MB", "-5", "SIAMESE_LAB_MAX_SESSION_MB must be a number ≥ 0, not '-5'"),
    ("SIAMESE_LAB_TRAIN_IN", "gpu", "SIAMESE_LAB_TRAIN_IN must be one of processes, server, not 'gpu'"),
    ("SIAMESE_LAB_BUDGET_CLOCK", "sundial", "SIAMESE_LAB_BUDGET_CLOCK must be one of"),
    ("SIAMESE_LAB_SCHEDULER_FALLBACK", "maybe", "SIAMESE_LAB_SCHEDULER_FALLBACK must be one of none, local"),
])
def test_a_bad_value_is_one_sentence_naming_the_setting(monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as caught:
        ServerSettings.from_environ()
    assert str(caught.value).startswith(says) and "\n" not in str(caught.value)


def test_the_settings_pick_the_executor(monkeypatch):
    monkeypatch.delenv("SIAMESE_LAB_SCHEDULER", raising=False)
    monkeypatch.setenv("SIAMESE_LAB_TRAIN_IN", "server")
    monkeypatch.setenv("SIAMESE_LAB_WORKERS", "3")
    executor = ServerSettings.from_environ().executor()
    assert type(executor) is ThreadExecutor and executor.capacity == 3
    monkeypatch.setenv("SIAMESE_LAB_TRAIN_IN", "processes")
    monkeypatch.setenv("SIAMESE_LAB_WORKERS", "1")
    executor = ServerSettings.from_environ().executor()
    try:
        assert type(executor) is ProcessExecutor and executor.capacity == 1
    finally:
        executor.close()
