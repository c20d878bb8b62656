"""The docs quote their figures from JSON files that commands write: every generated block matches its file,
a stale or broken block is caught, and no measured figure is typed by hand outside a block."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from benchmarks import docs_figures
from benchmarks.docs_figures import ROOT, doc_files, problems, rewrite_text

# Figures typed outside generated blocks that are not measurements of this project: the course's and the
# papers' own numbers, and worked examples. Each anchor is removed, with its context, before the scan.
ALLOWED_ANCHORS = {
    "p = 0.99 → 0.0101": "the course's binary cross-entropy worked example (−log 0.99)",
    "p = 0.001 → 6.9078": "the course's binary cross-entropy worked example (−log 0.001)",
    "Koch's 92.0 %": "Koch et al. 2015, Omniglot 20-way one-shot (the paper's table)",
    "humans 95.5 %": "Lake et al., human one-shot accuracy on Omniglot",
    "Koch's 70.3 %": "Koch et al. 2015, MNIST 10-way transfer",
    "OpenCV's published threshold 0.363": "SFace's cosine threshold as published by the OpenCV Zoo",
}

# A measured figure: a decimal with three or more places (0.9205), a decimal percentage (95.75 %), or a
# decimal with a unit of time, size or ratio (2.78 s, 23.2 MB, 1.68×). Settings (lr 3e-3, margin 0.35,
# 10 %) and integers are not caught: this is a heuristic for the figures the old notebook typed.
MEASURED = re.compile(r"(?<![\w.])\d+\.\d{3,}(?![\w.])"                         # 0.9205
                      r"|(?<![\w.])\d+\.\d+ ?%"                                  # 95.75 %
                      r"|(?<![\w.])\d+\.\d+ ?(?:×|(?:ms|s|min|MB|GB)\b)")       # 2.78 s, 1.68×


def measured_figures(text: str) -> list[str]:
    """The measured-looking figures of `text` outside generated blocks and allowed anchors."""
    text = docs_figures.MARKER.sub("", text)
    for anchor in ALLOWED_ANCHORS:
        text = text.replace(anchor, "")
    return MEASURED.findall(text)


def copy_docs(dst: Path) -> Path:
    """README, docs/ and the JSON/markdown beside the checkpoints (not the checkpoints) in a scratch repo."""
    shutil.copy(ROOT / "README.md", dst / "README.md")
    shutil.copytree(ROOT / "docs", dst / "docs", ignore=shutil.ignore_patterns("*.png"))
    (dst / "assets").mkdir()
    for f in [*ROOT.glob("assets/*.json"), *ROOT.glob("assets/*.md")]:
        shutil.copy(f, dst / "assets" / f.name)
    return dst


def rewrite_all(root: Path) -> None:
    for path in doc_files(root):
        path.write_text(rewrite_text(path.read_text(), root))


def test_every_generated_block_matches_its_json():
    assert problems() == []


def test_the_docs_have_generated_blocks_in_readme_and_docs():
    names = {p.relative_to(ROOT).as_posix(): [m["name"] for m in docs_figures.MARKER.finditer(p.read_text())]
             for p in doc_files()}
    assert "headline" in names["README.md"]
    assert "faces-eval" in names["docs/models/faces.md"]
    assert "one-shot-report" in names["docs/benchmarks.md"]


def test_a_retrained_model_leaves_its_blocks_stale_until_the_generator_runs(tmp_path):
    root = copy_docs(tmp_path)
    assert problems(root) == []
    evaluation = root / "assets/faces_siamese.eval.json"
    figures = json.loads(evaluation.read_text())
    figures["accuracy"] = 0.9876  # what a retrain followed by `evaluate … --json > …` would write
    evaluation.write_text(json.dumps(figures))
    stale = problems(root)
    assert any("docs/models/faces.md" in p and "'faces-eval' is stale" in p for p in stale), stale
    assert any("README.md" in p and "'headline' is stale" in p for p in stale), stale
    rewrite_all(root)
    assert problems(root) == []
    assert "98.76 %" in (root / "README.md").read_text()
    assert "0.9876" in (root / "docs/models/faces.md").read_text()


def test_a_block_edited_by_hand_is_stale(tmp_path):
    root = copy_docs(tmp_path)
    doc = root / "docs/models/losses.md"
    doc.write_text(doc.read_text().replace("| triplet |", "| triplet (best) |"))
    assert problems(root) == ["docs/models/losses.md: block 'losses-table' is stale: run "
                              "`python -m benchmarks.docs_figures`"]


def test_a_marker_naming_a_missing_json_fails(tmp_path):
    root = copy_docs(tmp_path)
    (root / "assets/mnist_koch_l1.eval.json").unlink()
    found = problems(root)
    assert found and all("assets/mnist_koch_l1.eval.json, which does not exist" in p for p in found), found
    assert any(p.startswith("docs/models/convolution-and-twins.md") for p in found)


def test_unknown_blocks_and_unclosed_markers_fail(tmp_path):
    root = copy_docs(tmp_path)
    (root / "docs/extra.md").write_text("<!-- figures: no-such-block -->\n<!-- /figures -->\n"
                                        "<!-- figures: headline -->\nnever closed\n")
    found = [p for p in problems(root) if p.startswith("docs/extra.md")]
    assert any("unknown figures block 'no-such-block'" in p for p in found), found
    assert any("without its `<!-- /figures -->`" in p for p in found), found


def test_no_measured_figure_is_typed_outside_a_generated_block():
    typed = {p.relative_to(ROOT).as_posix(): measured_figures(p.read_text()) for p in doc_files()}
    assert {k: v for k, v in typed.items() if v} == {}


def test_the_figure_heuristic_catches_what_the_old_notebook_typed():
    old = ("it reaches **92.05 %** against 0.9185 on raw pictures; 2.78 s for 2,000 embeddings, 1.68× faster; "
           "about 23.2 MB per student")
    assert measured_figures(old) == ["92.05 %", "0.9185", "2.78 s", "1.68×", "23.2 MB"]
    settings = "lr 3e-3, margin 0.35, zoom ±10 %, 5-s runs, 1,300 s of training, torch 2.5, Koch's 92.0 %"
    assert measured_figures(settings) == []
    inside = "<!-- figures: headline -->\n0.9205 and 95.75 %\n<!-- /figures -->"
    assert measured_figures(inside) == []


def test_the_generator_command_reports_and_fixes(tmp_path, monkeypatch, capsys):
    root = copy_docs(tmp_path)
    doc = root / "docs/models/faces.md"
    doc.write_text(doc.read_text().replace("| 2,000 |", "| 2000 |"))
    monkeypatch.setattr(docs_figures, "ROOT", root)
    assert docs_figures.main(["--check"]) == 1
    assert "'faces-eval' is stale" in capsys.readouterr().out
    assert docs_figures.main([]) == 0
    assert docs_figures.main(["--check"]) == 0
    assert "| 2,000 |" in doc.read_text()
