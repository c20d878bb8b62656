"""Do the pages' *What to notice* claims hold? Each measured claim's experiment (a page's defaults or a
labelled preset, `siamese_core.lessons.experiments`) is trained with several seeds through the pages' own
path (`run_experiment` with a probe set, one torch thread as a page job); each computed claim is checked
on the shipped models. Prints the claims table its docs block shows (benchmarks/blocks.py): per claim its
sentence, measure, in how many seeds it held and the values measured.

    python -m benchmarks run lessons [--out docs/results/lessons.json]   # the full run (about 15 min)
    python -m benchmarks run lessons --quick                         # fewer seeds, shorter runs (CI-sized)
    python -m benchmarks run lessons --only oneshot-train --keep docs/results/lessons.json --out …  # one again
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import torch

from benchmarks.blocks import Block, conditions_line, table
from benchmarks.results import conditions, parser, save
from siamese_core.lessons import CLAIMS, static
from siamese_core.lessons import experiments as ex
from siamese_core.lessons.checks import runs_by_role
from siamese_core.service import execute
from siamese_core.service.experiment import run_experiment

NAME = "lessons"
SUMMARY = "whether the pages' What to notice claims hold, trained through the pages' own path over several seeds"

# experiment → (configs for a seed, seeds in the full run). Fragile claims (the miners) get 5 seeds.
EXPERIMENTS = {
    "miners": (lambda seed, scale: ex.miner_configs(_scaled(ex.MINING_DEFAULT, scale), seed=seed), 5),
    "collapse": (lambda seed, scale: ex.miner_configs(_scaled(ex.COLLAPSE_PRESET, scale), ex.COLLAPSE_MINERS,
                                                      seed=seed), 5),
    "centre": (lambda seed, scale: ex.centre_configs(seconds=ex.CENTRE_SECONDS * scale, seed=seed), 3),
    "size": (lambda seed, scale: ex.size_configs(seconds=ex.SIZE_SECONDS * scale, seed=seed), 3),
    "losses": (lambda seed, scale: ex.loss_configs(seconds=ex.LOSSES_SECONDS * scale, seed=seed), 3),
    "oneshot-train": (lambda seed, scale: [ex.oneshot_config(ex.ONESHOT_SECONDS * scale, seed=seed)], 3),
}


def _scaled(setting: ex.MiningSetting, scale: float) -> ex.MiningSetting:
    return replace(setting, seconds=setting.seconds * scale)


def _data(name: str, size: tuple[int, int] | None):
    """The splits and probe set a page's run of this dataset trains with (the training processes' own caches)."""
    return execute.split(name, "train", size), execute.split(name, "test", size), execute.probe(name, size)


def train_runs(configs) -> list:
    """The reports of configs trained one after another as a page's sweep trains them."""
    out = []
    for cfg in configs:
        train, test, probe = _data(cfg.dataset, cfg.image_size)
        out.append(run_experiment(cfg, cfg.objective.loss, splits=(train, test), probe=probe, frames=[]))
    return out


def measure(experiments=tuple(EXPERIMENTS), seeds: int | None = None, scale: float = 1.0, log=print) -> list[dict]:
    """One row per claim: its sentence, measure, values per seed and how many seeds it held in."""
    rows = {c.key: {"key": c.key, "page": c.page, "kind": c.kind, "sentence": c.sentence, "measure": c.measure,
                    "experiment": c.experiment, "values": [], "held": 0, "seeds": 0} for c in CLAIMS}
    for name in experiments:
        build, full_seeds = EXPERIMENTS[name]
        for seed in range(seeds or full_seeds):
            t0 = time.perf_counter()
            roles = runs_by_role(train_runs(build(seed, scale)))
            for c in (c for c in CLAIMS if c.experiment == name):
                _record(rows[c.key], c.verdict(roles), seed)
            log(f"{name} seed {seed}: {time.perf_counter() - t0:.0f} s")
    for name, make in static.CONTEXTS.items():
        for seed in ((0, 1, 2) if name == "oneshot" else (0,)):
            ctx = make(seed=seed) if name == "oneshot" else make()
            for c in (c for c in CLAIMS if c.experiment == name):
                _record(rows[c.key], c.verdict(ctx), seed)
        log(f"{name}: computed")
    return list(rows.values())


def _record(row: dict, verdict, seed: int) -> None:
    if verdict is None:
        return
    row["values"].append({"seed": seed, **verdict.values, "shown": verdict.shown})
    row["seeds"] += 1
    row["held"] += int(verdict.held)


def main(argv: list[str] | None = None) -> int:
    p = parser(NAME, __doc__)
    p.add_argument("--only", nargs="*", choices=list(EXPERIMENTS), default=list(EXPERIMENTS),
                   help="measured experiments to run")
    p.add_argument("--quick", action="store_true", help="2 seeds and half the time budgets (a smoke run)")
    p.add_argument("--keep", default=None, metavar="FILE.json",
                   help="an earlier run's result: the claims of the experiments not run now keep its rows")
    a = p.parse_args(argv)
    torch.set_num_threads(1)  # as a page job runs
    before, t0 = conditions(), time.perf_counter()
    rows = measure(a.only, seeds=2 if a.quick else None, scale=0.5 if a.quick else 1.0)
    figures = {"claims": rows, "seconds": round(time.perf_counter() - t0, 1), "quick": a.quick}
    if a.keep:
        figures.update(kept_rows(rows, set(a.only), json.loads(Path(a.keep).read_text())))
    save(a.out, NAME, argv, figures, before, show=block_text)
    return 0


def kept_rows(rows: list[dict], measured_now: set[str], earlier: dict) -> dict:
    """`rows` with the earlier run's rows for the claims of experiments not measured now (in place); what to
    record of it: when the kept rows were measured, and what that run took."""
    theirs = {c["key"]: c for c in earlier["figures"]["claims"]}
    kept = set()
    for k, row in enumerate(rows):
        if row["experiment"] in EXPERIMENTS and row["experiment"] not in measured_now and row["key"] in theirs:
            rows[k] = theirs[row["key"]]
            kept.add(row["experiment"])
    return {"kept": {"experiments": sorted(kept), "date": earlier["conditions"]["before"]["date"],
                     "seconds": earlier["figures"]["seconds"]}} if kept else {}


def block_text(r: dict) -> str:
    """The claims table: every measurable claim of the pages, its measure, and in how many seeds it held."""
    f = r["figures"]

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")
    rows = [[f"`{c['key']}`", cell(c["sentence"]), cell(c["measure"]), f"**{c['held']}/{c['seeds']}**",
             cell("; ".join(f"seed {v['seed']}: {v['shown']}" if c["seeds"] > 1 else v["shown"] for v in c["values"]))]
            for c in f["claims"] if c["kind"] != "background"]
    background = [c["key"] for c in f["claims"] if c["kind"] == "background"]
    return "\n".join([table(["claim", "the page says", "measure", "held", "measured"], rows), "",
                      f"Not measurable on screen (reasoning or published figures): {', '.join(background)}.", "",
                      _whole_run(f) + conditions_line(r)])


def _whole_run(f: dict) -> str:
    kept = f.get("kept")
    if not kept:
        return f"Whole run: {f['seconds'] / 60:.0f} min. "
    return (f"The rows of {', '.join(kept['experiments'])} were measured on {kept['date'][:10]} (a whole run of "
            f"{kept['seconds'] / 60:.0f} min) and kept (`--keep`); the others were measured again in "
            f"{f['seconds'] / 60:.0f} min. ")


BLOCKS = {"lessons": Block(("docs/results/lessons.json",),
                           "python -m benchmarks.lessons --out docs/results/lessons.json (or, to measure some "
                           "experiments again: --only NAME… --keep docs/results/lessons.json)", block_text)}


if __name__ == "__main__":
    raise SystemExit(main())
