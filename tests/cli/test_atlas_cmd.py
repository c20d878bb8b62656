"""`python -m siamese_core atlas build|list`: a tiny real atlas on digits into a temporary folder."""
import json

import pytest

from siamese_core.atlas.grid import DIMS, Atlas
from siamese_core.cli import main


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`atlas build --only softmax`: one cell per embedding size, 6 steps each."""
    out = tmp_path_factory.mktemp("atlas")
    return out, main(["atlas", "build", "--dataset", "digits", "--steps", "6", "--only", "softmax", "--out", str(out)])


@pytest.mark.slow
def test_build_writes_a_cell_per_size_and_reports_progress(built, capsys):
    out, code = built
    assert code == 0
    atlas = Atlas.load(out)
    assert atlas.losses == ["softmax"] and atlas.grid("softmax")["dims"] == list(DIMS)
    assert atlas.index["settings"]["steps"] == 6 and atlas.index["settings"]["dataset"] == "digits"
    assert atlas.command == (f"python -m siamese_core atlas build --dataset digits --steps 6 --only softmax "
                             f"--out {out}")
    assert all(r.metrics["steps"] == 6 for r in atlas.reports.values())


@pytest.mark.slow
def test_list_prints_the_grid_with_each_cells_accuracy(built, capsys):
    out, _ = built
    capsys.readouterr()
    assert main(["atlas", "list", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    atlas = Atlas.load(out)
    row = next(line for line in text.splitlines() if line.strip().startswith("–"))
    assert [float(x) for x in row.split()[1:]] == [round(atlas.cell("softmax", None, d).metrics["accuracy"], 3)
                                                   for d in DIMS]
    assert "D=2" in text and "cells    5" in text
    assert main(["atlas", "list", "--out", str(out), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["dim"] for c in listed["cells"]] == list(DIMS) and listed["steps"] == 6


@pytest.mark.slow
def test_build_progress_goes_to_stderr(tmp_path, capsys):
    assert main(["atlas", "build", "--dataset", "digits", "--steps", "2", "--only", "bce-l1", "--out",
                 str(tmp_path)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == len(DIMS) and err[0].startswith(f"[1/{len(DIMS)}] atlas · bce-l1 · D=2: accuracy ")


def test_bad_input_is_one_sentence(tmp_path, capsys):
    assert main(["atlas", "list", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"error: no atlas in {tmp_path}: make one with `python -m siamese_core "
                                       f"atlas build --out {tmp_path}`\n")
    assert main(["atlas", "build", "--steps", "0", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "error: --steps and --jobs must be ≥ 1\n"
    with pytest.raises(SystemExit):
        main(["atlas", "build", "--only", "hinge"])
