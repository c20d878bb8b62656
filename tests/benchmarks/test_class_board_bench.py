"""`python -m benchmarks.class_board`: fills the server's board, times the page, and its block quotes the figures."""
from __future__ import annotations

import json

from benchmarks import class_board


def test_the_board_benchmark_writes_its_figures_and_the_block_quotes_them(tmp_path, capsys):
    out = tmp_path / "board.json"
    assert class_board.main(["--runs", "12", "--repeats", "1", "--out", str(out)]) == 0
    figures = json.loads(out.read_text())["figures"]
    assert figures["runs"] >= 12 and 0 < figures["held_bytes"] < 2**20 and len(figures["render_s"]) == 1
    text = class_board.BLOCKS["class-board"].render(json.loads(out.read_text()))
    assert "Python memory the board holds" in text and f"{figures['render_median_s']:.2f} s" in text
    assert "| the page's script run on the server (median) |" in capsys.readouterr().out
