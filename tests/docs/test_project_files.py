"""The README a newcomer reads, the links of the docs, pyproject.toml and CI agree with the repository."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import siamese_core
from benchmarks.docs_figures import ROOT, doc_files

README = ROOT / "README.md"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def requirement_lines(name: str) -> list[str]:
    """The requirement specifiers of a requirements file, without comments, blank lines and `-r` includes."""
    lines = [line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("-r")]


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_readme_is_short_and_its_commands_are_the_real_ones():
    text = README.read_text()
    assert len(README.read_bytes()) < 10240
    for command in ("pip install -r requirements.txt && streamlit run app.py",
                    "pip install -r requirements-test.txt && python -m pytest",
                    'python -m pytest -m "not slow and not browser"',
                    "python -m siamese_core download <name|all>"):
        assert command in text, command
    assert "SIAMESE_LAB_DATA" in text and "--data-dir" in text
    assert (ROOT / "requirements.txt").is_file() and (ROOT / "app.py").is_file()


def test_the_readme_names_every_package_of_the_library():
    text = README.read_text()
    packages = sorted(p.parent.name for p in (ROOT / "siamese_core").glob("*/__init__.py"))
    assert packages, "siamese_core has no subpackages?"
    assert [p for p in packages if f"{p}/" not in text] == []
    assert "tests/test_layers.py" in text and "app_pages/" in text and "lab_ui/" in text


@pytest.mark.parametrize("path", doc_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_points_at_an_existing_file(path: Path):
    broken = []
    for target in LINK.findall(path.read_text()):
        if re.match(r"[a-z]+:", target):  # http(s), mailto: not this repository's files
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md":
            headings = {github_slug(h) for h in re.findall(r"^#+ (.+)$", linked.read_text(), re.M)}
            if anchor not in headings:
                broken.append(target)
    assert broken == []


def test_the_classroom_guide_lists_every_server_setting():
    read = set()
    for source in [*ROOT.glob("lab_ui/*.py"), *ROOT.glob("siamese_core/**/*.py"), ROOT / "app.py"]:
        read |= set(re.findall(r"environ(?:\.get)?\(\s*\"(SIAMESE_LAB_[A-Z_]+)\"", source.read_text()))
    # the training settings, read in one place (siamese_core/service/server_settings.py)
    settings = (ROOT / "siamese_core/service/server_settings.py").read_text()
    read |= set(re.findall(r"\"(SIAMESE_LAB_[A-Z_]+)\"", settings))
    guide = (ROOT / "docs/classroom.md").read_text()
    assert {"SIAMESE_LAB_WORKERS", "SIAMESE_LAB_THREADS_PER_JOB", "SIAMESE_LAB_MAX_WAITING",
            "SIAMESE_LAB_MAX_RUNS", "SIAMESE_LAB_MAX_SESSION_MB"} <= read
    assert sorted(v for v in read - {"SIAMESE_LAB_REQUIRE_DATA"} if f"`{v}`" not in guide) == []
    assert ".streamlit/config.toml" in guide


def test_pyproject_mirrors_the_requirements_files():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the project itself runs on 3.10 too
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    meta = project["project"]
    assert meta["name"] == "siamese-lab" and meta["requires-python"] == ">=3.10" and meta["description"]
    assert "version" in meta["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "siamese_core.__version__"}
    assert siamese_core.__version__ == "0.1.0"
    assert meta["dependencies"] == requirement_lines("requirements.txt")
    assert meta["optional-dependencies"]["test"] == requirement_lines("requirements-test.txt")
    assert meta["optional-dependencies"]["cluster"] == requirement_lines("requirements-cluster.txt")
    assert "-r requirements-cluster.txt" in (ROOT / "requirements-test.txt").read_text()  # CI runs the cluster tests
    assert not any("dask" in r or "distributed" in r for r in requirement_lines("requirements.txt"))
    assert any(r.startswith("ruff>=0.6") for r in requirement_lines("requirements-test.txt"))


def test_ruff_settings_and_ci_runs_ruff_before_the_tests():
    tomllib = pytest.importorskip("tomllib")
    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]
    assert ruff["line-length"] == 120 and ruff["target-version"] == "py310"
    assert set(ruff["lint"]["select"]) == {"E", "F", "W", "I", "B", "UP"}
    assert "exclude" not in ruff and "extend-exclude" not in ruff
    ci = (ROOT / ".ci/run").read_text()
    assert "SIAMESE_LAB_REQUIRE_DATA=1" in ci and "chromium" in ci
    assert 0 <= ci.index("ruff check .") < ci.index("python -m pytest")
    assert "python -m pytest --durations=30" in ci  # where CI's time goes, in every CI log
    # the README's first command is proven in an environment of its own (tests/docs/test_runtime_install.py)
    assert "pip install -q -r requirements.txt" in ci and "export SIAMESE_LAB_RUNTIME_PYTHON=" in ci


# Paths the docs name that need not exist yet: the outputs of the commands beside them (docs/results/,
# assets/NAME.*.json).
NOT_YET = re.compile(r"^docs/results/|NAME")


def test_every_repository_path_the_docs_name_exists():
    named = set()
    for path in doc_files():
        named |= set(re.findall(r"`((?:siamese_core|app_pages|lab_ui|tests|benchmarks|assets|docs|\.ci)/[^` :*{]+)",
                                path.read_text()))
    assert sorted(p for p in named if not NOT_YET.search(p) and not (ROOT / p).exists()) == []
