"""The headline table that opens docs/benchmarks.md: one row per figure, each the figure its JSON holds."""
from __future__ import annotations

import json

from benchmarks.blocks import f4, pct
from benchmarks.docs_figures import ROOT
from benchmarks.runner import all_blocks, registry


def test_the_headline_table_quotes_each_figure_from_its_json():
    block = all_blocks()["benchmarks-headline"]
    fashion, oneshot, faces, load, live, atlas, laptop = (json.loads((ROOT / s).read_text()) for s in block.sources)
    rows = block.render(fashion, oneshot, faces, load, live, atlas, laptop).splitlines()[2:]
    assert len(rows) == 10 and all(r.startswith("| ") and r.endswith(") |") for r in rows)
    cells = [r.split(" | ")[1] for r in rows]
    assert cells[0] == f4(fashion["accuracy"])                         # not val_accuracy or auc
    assert cells[1] == pct(oneshot["official_runs"]["accuracy"])        # not the 1-NN baseline
    assert cells[2] == f4(faces["models"]["class"]["accuracy"])         # not SFace's
    assert cells[4] == f"{load['figures']['latency_s']['p50']:.2f} s"
    assert cells[5] == f"{load['figures']['server_pss_peak_mb']:.0f} MB"   # PSS, not the RSS beside it
    assert cells[6] == f"{laptop['figures']['total_pss_mb']:.0f} MB"
    assert cells[7] == f"{live['figures']['first_frame_s']['median']:.2f} s"
    assert fashion["accuracy"] != fashion["val_accuracy"] and faces["models"]["class"]["accuracy"] != 1.0


def test_the_headline_module_declares_a_block_not_a_benchmark():
    assert all(m.__name__ != "benchmarks.headline" for m in registry().values())
    assert all_blocks()["benchmarks-headline"].command.count("; ") >= 5
