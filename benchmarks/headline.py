"""The headline figures that open docs/benchmarks.md: one row each, quoted from the JSON that the sections below
quote in full, with the goal the docs state (a goal, never a measurement) and a link to the section.
"""
from __future__ import annotations

from benchmarks import atlas_sliders, live_training, load_test, memory, shipped_models
from benchmarks.blocks import Block, f4, goal, pct, table

FASHION_BAR, ONESHOT_GOAL = 0.94, 0.97           # the goals docs/benchmarks.md states for these two figures


def headline(fashion: dict, oneshot: dict, faces: dict, load: dict, live: dict, atlas: dict, laptop: dict) -> str:
    acc, official = fashion["accuracy"], oneshot["official_runs"]
    lt, lf, af = load["figures"], live["figures"], atlas["figures"]
    tenth, p50 = lt["all_results_s"], lt["latency_s"]["p50"]
    first, report, goals = lf["first_frame_s"]["median"], lf["report_s"]["median"], lf["goals"]
    class_goal, interaction_goal = load_test.GOALS["all_results_s"], load_test.GOALS["latency_p50_s"]
    moves = {page: p["median_s"] for page, p in af["pages"].items()}
    one = laptop["figures"]["total_pss_mb"]
    load_link, live_link = "[Class load test](#classroom-load-test)", "[Live training](#live-training)"
    rows = [
        ["Fashion-MNIST pair verification after 60 s of training (contrastive, 1 thread): test accuracy", f4(acc),
         f"– (≥ {FASHION_BAR} is the defaults' bar)",
         "[Fashion-MNIST](#fashion-mnist-verification-in-60-seconds-of-training)"],
        [f"Omniglot 20-way one-shot, shipped model, official runs ({official['trials']} trials)",
         pct(official["accuracy"]), goal(f"≥ {100 * ONESHOT_GOAL:g} %", official["accuracy"] >= ONESHOT_GOAL),
         "[One-shot](#one-shot-learning-koch-et-al-2015-on-omniglot-mnist-transfer)"],
        [f"Face verification on ten held-out people ({faces['test_people']}): class model accuracy "
         f"(SFace {f4(faces['models']['sface']['accuracy'])})", f4(faces["models"]["class"]["accuracy"]), "–",
         "[Faces](#face-verification-on-held-out-people-att-s31s40)"],
        [f"Class of {lt['config']['sessions']}, {lt['config']['trainers']} training: class start → all results shown",
         load_test.all_shown(tenth), goal(f"≤ {class_goal:g} s", tenth is not None and tenth <= class_goal),
         load_link],
        ["Class load test: median interaction → page settled", f"{p50:.2f} s",
         goal(f"< {interaction_goal:g} s", p50 < interaction_goal), load_link],
        ["Class load test: server and training processes at their peak (PSS)", f"{lt['server_pss_peak_mb']:.0f} MB",
         goal(f"≤ {load_test.GOALS['server_pss_peak_mb']:g} MB", lt["server_pss_peak_mb"] <= load_test.GOALS[
             "server_pss_peak_mb"]), load_link],
        ["One student's server (default settings) after every page and a run on each training page (PSS)",
         f"{one:.0f} MB", goal(f"≤ {memory.GOALS['total_pss_mb']:g} MB", one <= memory.GOALS["total_pss_mb"]),
         "[Where to run it](classroom.md#where-to-run-it)"],
        ["Live training: click on Train → first live frame (median)", f"{first:.2f} s",
         goal(f"≤ {goals['first_frame_s']:g} s", first <= goals["first_frame_s"]), live_link],
        ["Live training: end of training → full report on the page (median)", f"{report:.2f} s",
         goal(f"≤ {goals['report_s']:g} s", report <= goals["report_s"]), live_link],
        ["Atlas sliders: median move → every chart redrawn (" + ", ".join(moves) + ")",
         ", ".join(f"{v:.2f} s" for v in moves.values()),
         goal(f"≤ {af['goals']['median_s']:g} s", all(v <= af["goals"]["median_s"] for v in moves.values())),
         "[Atlas sliders](#atlas-sliders-in-the-browser)"],
    ]
    return table(["what", "figure", "goal", "section"], rows)


SOURCES = ("docs/results/fashion-60s.eval.json", "assets/one-shot-report.json", "docs/results/faces-benchmark.json",
           "docs/results/load-test.json", "docs/results/live-training.json", "docs/results/atlas-sliders.json",
           "docs/results/memory.json")
COMMANDS = (shipped_models.BLOCKS["fashion-60s"].command, shipped_models.ONESHOT, shipped_models.FACES_BENCH,
            load_test.BLOCKS["load-test"].command, live_training.BLOCKS["live-training"].command,
            atlas_sliders.BLOCKS["atlas-sliders"].command, memory.BLOCKS["memory"].command)
BLOCKS = {"benchmarks-headline": Block(SOURCES, "; ".join(COMMANDS), headline)}
