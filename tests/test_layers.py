"""The package's shape: no import cycle (function-level imports included), no import from a higher layer,
no module over MAX_LINES. An AST walk: nothing of the package is imported."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "siamese_core"
MAX_LINES = 300

# Lowest first. A module may import its own subpackage or one of a strictly lower layer.
LAYERS = [
    {"distances", "vision", "viz", "lazy_exports"},   # parts with no knowledge of the rest
    {"data"},                                 # datasets, samplers, augmentation, the validation split
    {"models", "miners"},
    {"losses"},
    {"evaluation"},
    {"training"},
    {"explain", "service"},                   # teaching maths; the web app's services
    {"faces", "atlas"},                       # face verification on photos; the atlas of pretrained runs
    {"lessons"},                              # the pages' claims, their checks and default experiments
    {"cli"},
    {"__init__", "__main__"},
]
RANK = {name: k for k, layer in enumerate(LAYERS) for name in layer}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the package that `name` imports anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            subs = {f"{base}.{a.name}" for a in node.names} & known
            out |= subs | ({base} & known if len(subs) < len(node.names) else set())
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names} & known
    return out - {name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {m: imports(m, p, set(mods)) for m, p in mods.items()}


def part(module: str) -> str:
    """The layer name of a module: its first subpackage (or module) below siamese_core."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    assert cycles(graph()) == []


def test_cycle_finder_finds_a_planted_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_every_part_has_a_layer():
    assert {part(m) for m in modules()} <= set(RANK)


def test_no_upward_import():
    upward = []
    for m, targets in graph().items():
        for t in targets:
            a, b = part(m), part(t)
            if a != b and RANK[b] >= RANK[a]:
                upward.append(f"{m} → {t}")
    assert upward == []


def test_data_and_models_never_import_training_or_evaluation():
    bad = [(m, t) for m, ts in graph().items() for t in ts
           if part(m) in ("data", "models") and part(t) in ("training", "evaluation", "service", "faces")]
    assert bad == []


def test_no_module_is_too_long():
    long = {m: n for m, p in modules().items() if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_core_never_imports_streamlit():
    uses = [m for m, p in modules().items()
            for node in ast.walk(ast.parse(p.read_text()))
            if isinstance(node, (ast.Import, ast.ImportFrom))
            and any((getattr(node, "module", None) or a.name).split(".")[0] == "streamlit" for a in node.names)]
    assert uses == []
