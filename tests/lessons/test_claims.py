"""The claims inventory: every page note comes from it, every measurable claim has a check and an
experiment that the benchmark runs, and a run that contradicts a claim is called out, not repeated."""
import ast
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from benchmarks.lessons import EXPERIMENTS
from siamese_core.lessons import CLAIMS, Verdict, checks, notice_text, run_notes, static

PAGES = Path(__file__).resolve().parents[2] / "app_pages"


def test_every_page_note_is_built_from_the_claims():
    literal = []
    for page in sorted(PAGES.glob("*.py")):
        for node in ast.walk(ast.parse(page.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "notice":
                arg = node.args[0]
                ok = (isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "notice_text") or \
                     (isinstance(arg, ast.Attribute) and arg.attr == "ATLAS_NOTICE")
                if not ok:
                    literal.append(f"{page.name}:{node.lineno}")
    assert literal == [], "a page writes its What-to-notice note by hand instead of from siamese_core.lessons"


def test_every_checkable_claim_names_its_measure_check_and_experiment():
    keys = [c.key for c in CLAIMS]
    assert len(keys) == len(set(keys))
    for c in CLAIMS:
        assert c.kind in ("measured", "computed", "background")
        if c.kind == "background":
            assert c.check is None
            continue
        assert c.measure and c.check is not None, c.key
        where = EXPERIMENTS if c.kind == "measured" else static.CONTEXTS
        assert c.experiment in where, c.key


def test_a_contradicted_claim_is_not_repeated_as_if_it_held():
    claim = next(c for c in CLAIMS if c.key == "mining.hardest-collapses")
    failed = {claim.key: Verdict(False, {}, "no collapse this time: hardest's lowest spread was 0.4")}
    text = notice_text("mining", failed)
    bullets = text.splitlines()
    assert f"- {claim.sentence}" not in bullets
    assert any("did not show" in b and "no collapse this time" in b for b in bullets)
    assert f"- {claim.sentence}" in notice_text("mining").splitlines()


def _run(miner, spread, active, mined=300.0):
    history = [{"step": s, "embedding_spread": spread(s), "active_fraction": active(s), "num_triplets": mined}
               for s in range(1, 201)]
    return SimpleNamespace(config={"loss": "triplet", "miner": miner, "embedding_dim": 32}, history=history)


def test_run_notes_check_the_miner_claims_on_the_runs_given():
    collapsed = _run("hardest", lambda s: 1.0 if s < 20 else 0.001, lambda s: 1.0)
    healthy = _run("semi-hard", lambda s: 0.9, lambda s: 1.0)
    random = _run("random", lambda s: 0.9, lambda s: 0.5 if s < 50 else 0.02)
    notes = {c.key: v for c, v in run_notes("mining", [random, healthy, collapsed])}
    assert set(notes) == {"mining.random-inactive", "mining.semi-hard-supply", "mining.hardest-collapses"}
    assert all(v.held for v in notes.values())
    assert notes["mining.hardest-collapses"].values["hardest collapse step"] == 20
    no_collapse = {c.key: v for c, v in run_notes("mining", [_run("hardest", lambda s: 0.5, lambda s: 1.0)])}
    assert set(no_collapse) == {"mining.hardest-collapses"}
    assert not no_collapse["mining.hardest-collapses"].held
    assert "no collapse this time" in no_collapse["mining.hardest-collapses"].shown


def test_unshuffled_digit_batches_hold_one_class():
    ctx = static.batches()
    held, values, _ = checks.unshuffled_batches(ctx)
    assert held, values
    assert ctx["shuffled_same_share"] < 0.2          # ten classes: about one pair in ten


def test_white_noise_filters_do_not_pass_the_edge_check():
    held, values, _ = checks.first_layer_edges({"filters": np.random.default_rng(3).normal(size=(32, 5, 5))})
    assert not held, values
