"""`benchmarks.lessons --only … --keep FILE`: one experiment measured again, every other row as the earlier
run measured it, and the table says which rows are old."""
from benchmarks.lessons import block_text, kept_rows


def _row(key, experiment, held, seeds):
    return {"key": key, "page": "p", "kind": "measured", "sentence": key, "measure": "m", "experiment": experiment,
            "values": [{"seed": 0, "shown": f"{key} then"}] * seeds, "held": held, "seeds": seeds}


def test_rows_of_experiments_not_run_now_come_from_the_earlier_run():
    earlier = {"conditions": {"before": {"date": "2026-12-01T07:00:00+00:00"}},
               "figures": {"seconds": 900.0, "claims": [_row("a", "miners", 5, 5), _row("b", "oneshot-train", 0, 3)]}}
    now = [_row("a", "miners", 0, 0), _row("b", "oneshot-train", 3, 3), _row("c", "oneshot", 3, 3)]
    extra = kept_rows(now, {"oneshot-train"}, earlier)
    assert now[0]["held"] == 5 and now[1]["held"] == 3 and now[2]["held"] == 3   # a kept, b and c measured now
    assert extra == {"kept": {"experiments": ["miners"], "date": "2026-12-01T07:00:00+00:00", "seconds": 900.0}}
    before = {"date": "2026-12-07T11:00:00+00:00", "cpu_count": 2, "torch": "x", "loadavg": [1.0]}
    text = block_text({"figures": {"claims": now, "seconds": 240.0, **extra},
                       "conditions": {"before": before, "after": before}})
    assert "The rows of miners were measured on 2026-12-01" in text and "again in 4 min" in text
    assert kept_rows(now, {"miners", "oneshot-train"}, earlier) == {}
