"""`pip install -r requirements.txt` alone is enough for the app and the library: every third-party module
that app.py, app_pages/, lab_ui/ and siamese_core/ import comes from a distribution named there, except Dask,
which only the cluster package imports (requirements-cluster.txt) and which a server reaches only through
one guarded import that names that file."""
from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

from benchmarks.docs_figures import ROOT

CLUSTER_PACKAGE = ROOT / "siamese_core/service/cluster"
FIRST_PARTY = {"siamese_core", "lab_ui", "app_pages", "benchmarks", "app"}


def canonical(name: str) -> str:
    """A distribution's name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def named_distributions(requirements_file: str) -> set[str]:
    """The distributions a requirements file names itself (its `-r` includes left out)."""
    names = set()
    for line in (ROOT / requirements_file).read_text().splitlines():
        spec = line.split("#")[0].strip()
        if spec and not spec.startswith("-"):
            names.add(canonical(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec).group(0)))
    return names


def runtime_sources() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "app_pages").rglob("*.py")), *sorted((ROOT / "lab_ui").rglob("*.py")),
            *sorted((ROOT / "siamese_core").rglob("*.py"))]


def imported_modules(path: Path) -> set[str]:
    """Every import in a file as an absolute name, at any depth (imports inside functions count: they run
    too); a relative import is resolved against the file's package."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            found.add(".".join([*base, *([node.module] if node.module else [])]))
    return found


def third_party_imports() -> dict[str, set[str]]:
    """Top-level third-party module → the files (relative to the repository) that import it."""
    by_module: dict[str, set[str]] = {}
    for path in runtime_sources():
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                by_module.setdefault(top, set()).add(path.relative_to(ROOT).as_posix())
    return by_module


@functools.cache
def _distributions_by_module() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()  # reads every installed distribution's files: once


def providers(module: str) -> set[str]:
    """The installed distributions that provide a top-level module (canonical names)."""
    return {canonical(d) for d in _distributions_by_module().get(module, [])}


def test_every_runtime_import_comes_from_a_distribution_named_in_requirements_txt():
    runtime, cluster = named_distributions("requirements.txt"), named_distributions("requirements-cluster.txt")
    missing, outside_the_cluster_package = [], []
    for module, files in sorted(third_party_imports().items()):
        dists = providers(module)
        assert dists, f"{module} (imported by {sorted(files)}) is not installed here: which distribution is it?"
        if dists & runtime:
            continue
        in_cluster_package = all((ROOT / f).is_relative_to(CLUSTER_PACKAGE) for f in files)
        if dists & cluster and in_cluster_package:
            continue
        (outside_the_cluster_package if dists & cluster else missing).append(f"{module} ({sorted(dists)}): "
                                                                             f"{sorted(files)}")
    assert missing == [], "imported at run time but not named in requirements.txt"
    assert outside_the_cluster_package == [], "the cluster extra is imported outside siamese_core/service/cluster/"


def test_the_check_sees_a_missing_requirement():
    """The check above would fail if a requirement went: psutil, say, which the server needs at import."""
    assert "psutil" in third_party_imports() and providers("psutil") == {"psutil"}
    assert "psutil" in named_distributions("requirements.txt")
    assert "psutil" not in named_distributions("requirements-test.txt")  # named once, where it is needed


def test_the_cluster_package_is_reached_only_through_one_guarded_import():
    importers = sorted(p.relative_to(ROOT).as_posix() for p in runtime_sources()
                       if not p.is_relative_to(CLUSTER_PACKAGE)
                       and any(m.startswith("siamese_core.service.cluster.") for m in imported_modules(p)))
    assert importers == ["siamese_core/service/server_settings.py"]


def test_without_dask_the_cluster_setting_is_refused_with_a_sentence_naming_the_extra(monkeypatch):
    from siamese_core.service.server_settings import ServerSettings

    for name in [m for m in sys.modules if m.split(".")[0] in ("distributed", "dask")
                 or m.startswith("siamese_core.service.cluster.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    monkeypatch.setenv("SIAMESE_LAB_SCHEDULER", "tcp://127.0.0.1:1")
    monkeypatch.setenv("SIAMESE_LAB_SCHEDULER_FALLBACK", "none")
    with pytest.raises(RuntimeError, match=r"pip install -r requirements-cluster\.txt"):
        ServerSettings.from_environ().executor()
