"""The README's first command, proven: an environment built from requirements.txt alone (no test extras)
runs the command line's few-step `train`, and serves the app: the accessibility tests
(tests/browser/test_accessibility.py) start their server with its Python and open every page from the sidebar.
The Dockerfile installs that same file (no Docker here: its install is this environment's, its command is run
with it below).
`.ci/run` builds that environment beside the test one and names its Python in SIAMESE_LAB_RUNTIME_PYTHON;
without it these tests skip (and under CI a skip fails the run)."""
from __future__ import annotations

import json
import os
import subprocess
import urllib.request

import pytest

from benchmarks.browser import ROOT, free_port, lab_server

pytestmark = pytest.mark.slow  # fresh Pythons of another environment
RUNTIME_PYTHON = os.environ.get("SIAMESE_LAB_RUNTIME_PYTHON", "")


@pytest.fixture(scope="module")
def runtime_python() -> str:
    if not os.access(RUNTIME_PYTHON, os.X_OK):
        pytest.skip("SIAMESE_LAB_RUNTIME_PYTHON names no Python of an environment built from requirements.txt "
                    "alone (.ci/run builds one)")
    return RUNTIME_PYTHON


def run(python: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([python, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_the_runtime_environment_holds_no_test_extra(runtime_python):
    """Otherwise the checks below would prove nothing the test environment does not already prove."""
    for module in ("pytest", "playwright", "distributed"):
        assert run(runtime_python, "-c", f"import {module}").returncode != 0, f"{module} is installed there"


def test_the_command_line_runs_from_requirements_txt_alone(runtime_python, tmp_path):
    # A few-step `train` imports all that --help and `datasets` do (they are checked in this process:
    # tests/cli/test_cli.py), and the model, trainer and checkpoint code besides.
    out = tmp_path / "digits.pt"
    train = run(runtime_python, "-m", "siamese_core", "train", "--dataset", "digits", "--loss", "contrastive",
                "--epochs", "1", "--steps-per-epoch", "5", "--batch-size", "32", "--out", str(out), "--quiet")
    assert train.returncode == 0, train.stderr
    assert out.is_file() and out.stat().st_size > 0


def test_the_container_installs_requirements_txt_and_its_command_serves_the_app(runtime_python):
    recipe = (ROOT / "Dockerfile").read_text().splitlines()
    installs = [line for line in recipe if line.startswith("RUN pip install")]
    assert installs == ["RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu "
                        "-r requirements.txt"]  # nothing the README's command does not install, only CPU wheels
    assert "ENV SIAMESE_LAB_DATA=/data" in recipe and "VOLUME /data" in recipe and "EXPOSE 8501" in recipe
    command = json.loads(next(line for line in recipe if line.startswith("CMD "))[4:])
    assert command == ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
    # Its command, run by the runtime environment here on a free port of 127.0.0.1 (with the data the volume holds).
    port = free_port()
    here = [*command[:3], f"--server.port={port}", "--server.address=127.0.0.1"]
    with lab_server(port, python=runtime_python, args=here) as (url, _):
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200 and b"<noscript>" in page.read()
