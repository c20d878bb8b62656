"""The generated blocks of the docs: which JSON files each block quotes, the command that writes them, and
how their figures are written out. `benchmarks/docs_figures.py` puts them between the markers.

A block's text is a pure function of its JSON files, so a retrain followed by the command that rewrites
the JSON shows up as a stale block in `tests/docs` until `python -m benchmarks.docs_figures` is run.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

LOSSES = ("contrastive", "triplet", "bce-concat", "bce-l1", "softmax")


@dataclass(frozen=True)
class Block:
    sources: tuple[str, ...]          # JSON files, relative to the repository root
    command: str                      # what writes them (shown under the block)
    render: Callable[..., str]        # one dict per source → markdown
    timing: bool = False              # a timing benchmark: may wait, marked "(not measured yet)", for its run


def pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def f4(x: float) -> str:
    return f"{x:.4f}"


def thousands(n: int) -> str:
    return f"{n:,}"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join([*lines, *("| " + " | ".join(r) + " |" for r in rows)])


def conditions_line(result: dict) -> str:
    """When and under what load a timing benchmark ran (benchmarks/results.py)."""
    before, after = result["conditions"]["before"], result["conditions"]["after"]
    return (f"Measured {before['date'][:10]} on {before['cpu_count']} CPUs, torch {before['torch']}, load average "
            f"{before['loadavg'][0]:.1f} before and {after['loadavg'][0]:.1f} after; timings move with the load.")


# --- shipped checkpoints -------------------------------------------------------------------------------

def losses_table(*docs: dict) -> str:
    rows = []
    for loss, evaluation, record in zip(LOSSES, docs[:len(LOSSES)], docs[len(LOSSES):]):
        m = record["metrics"]
        rows.append([loss, f"{m['train_seconds']:.0f} s", thousands(m["steps"]), f4(evaluation["val_accuracy"]),
                     f4(evaluation["accuracy"]), f4(evaluation["auc"]), f4(evaluation["eer"]),
                     f4(evaluation["threshold"])])
    return table(["loss", "training (3 epochs, 1 thread)", "steps", "validation accuracy", "test accuracy",
                  "test AUC", "test EER", "threshold"], rows)


def mnist_koch_l1(evaluation: dict, record: dict) -> str:
    m = record["metrics"]
    return "\n".join([
        f"- checkpoint: {thousands(record['bytes'])} bytes, {thousands(record['parameters'])} parameters;",
        f"- training: {thousands(m['steps'])} steps in {m['epochs']} epochs, {m['train_seconds']:.0f} s on a shared "
        f"2-core CPU; validation accuracy {f4(m['val_accuracy'])}, AUC {f4(m['val_auc'])}, threshold "
        f"{f4(m['threshold'])};",
        f"- test: accuracy {f4(evaluation['accuracy'])}, AUC {f4(evaluation['auc'])}, EER {f4(evaluation['eer'])} "
        f"on {thousands(evaluation['pairs'])} balanced MNIST test pairs at the validation threshold."])


def oneshot_report_text(report: dict) -> str:
    from siamese_core.evaluation.oneshot_report import format_report  # pure formatting, the command's own
    return "```text\n" + format_report(report) + "\n```"


def oneshot_versus_paper(r: dict) -> str:
    p, n20 = r["paper"], next(n for n in r["accuracy_vs_n"] if n["n_way"] == 20)
    return "\n".join([
        f"- the official 20-way runs: **{pct(r['official_runs']['accuracy'])}** "
        f"(Koch {pct(p['official_runs_accuracy'])}, humans {pct(p['human'])}; "
        f"1-NN on the same prepared inputs {pct(r['official_runs']['pixel_1nn_accuracy'])}, Koch's 1-NN on raw pixels "
        f"{pct(p['official_runs_pixel_1nn'])});",
        f"- verification on evaluation-alphabet pairs: **{pct(r['verification']['accuracy'])}** "
        f"(Koch {pct(p['verification_accuracy'])});",
        f"- MNIST 10-way transfer, through the public API: **{pct(r['mnist']['accuracy'])}** on the digits as MNIST "
        f"stores them, {pct(r['mnist_dark_on_white']['accuracy'])} on the same digits dark on white (Koch "
        f"{pct(p['mnist_accuracy'])}); 1-NN on the same prepared inputs {pct(r['mnist']['pixel_1nn_accuracy'])} "
        f"(Koch's 1-NN: {pct(p['mnist_pixel_1nn'])});",
        f"- random 20-way tasks within one test alphabet: {pct(n20['accuracy'])}, harder than the official runs, "
        "whose images come from 8 of the 20 drawers only."])


def oneshot_validation(r: dict) -> str:
    from benchmarks.oneshot_validation import format_comparison  # pure formatting, the command's own
    return "```text\n" + format_comparison(r["figures"]) + "\n```"


def heldout(r: dict) -> str:
    from benchmarks.heldout import format_heldout  # pure formatting, the command's own
    return "```text\n" + format_heldout(r["figures"]) + "\n```\n\n" + conditions_line(r)


def oneshot_seeds(*results: dict) -> str:
    """The one-shot recipe's three training seeds side by side, from their held-out checks."""
    rows = []
    for r in sorted(results, key=lambda r: r["figures"]["model_seed"]):
        f = r["figures"]
        wall, shipped = f["model_training"].get("wall_seconds"), f["model"] == "oneshot-omniglot.pt"
        rows.append([str(f["model_seed"]), f4(f["model_training"]["val_oneshot_accuracy"]),
                     thousands(f["model_training"]["steps"]), f"{wall / 60:.1f} min" if wall else "–",
                     pct(f["official_runs"]["accuracy"]), pct(f["mnist"]["accuracy"]),
                     pct(f["mnist_dark_on_white"]["accuracy"]), "shipped" if shipped else ""])
    official = sorted(r["figures"]["official_runs"]["accuracy"] for r in results)
    return table(["seed", "validation 20-way", "steps", "wall time", "official runs", "MNIST as stored",
                  "MNIST dark on white", ""], rows) + \
        f"\n\nOfficial runs: median {pct(official[len(official) // 2])}, from {pct(official[0])} to " \
        f"{pct(official[-1])}. MNIST: {results[0]['figures']['mnist']['tasks']} tasks drawn from seed " \
        f"{results[0]['figures']['seed']}, the same for every model."


def training_record(record: dict) -> str:
    m, members = record["metrics"], record["model_config"].get("members", 1)
    together = record["train_config"].get("member_processes", 1) > 1
    lines = [f"- checkpoint: {thousands(record['bytes'])} bytes, {thousands(record['parameters'])} parameters;",
             f"- {thousands(m['steps'])} steps, {m['epochs']} epochs (stopped: {m['stopped_because']}); "
             f"{m['train_seconds']:.0f} s of training"
             + (f" + {m['validation_seconds']:.0f} s of validation" if "validation_seconds" in m else "")
             + (f", {m['cpu_seconds']:.0f} CPU seconds on {m['threads']} thread(s)" if "cpu_seconds" in m else "")
             + (f", all of it summed over {members} members"
                + (" trained side by side, one process each" if together else " trained one after another")
                if members > 1 else "")
             + (f"; {m['wall_seconds']:.0f} s on the wall clock for the whole command, data preparation included"
                if "wall_seconds" in m else "")
             + ";",
             f"- the kept epoch's validation: accuracy {f4(m['val_accuracy'])}, AUC {f4(m['val_auc'])}, "
             f"threshold {f4(m['threshold'])}"
             + (f", 20-way one-shot {f4(m['val_oneshot_accuracy'])}" if "val_oneshot_accuracy" in m else "") + "."]
    return "\n".join(lines)


def verification_eval(e: dict) -> str:
    return table(["pairs", "accuracy", "AUC", "EER", "threshold", "validation accuracy"],
                 [[thousands(e["pairs"]), f4(e["accuracy"]), f4(e["auc"]), f4(e["eer"]), f4(e["threshold"]),
                   f4(e["val_accuracy"])]])


def faces_benchmark(r: dict) -> str:
    rows = [[m["name"], m["input"], f4(m["threshold"]), f4(m["accuracy"]), f4(m["auc"]), f4(m["eer"]),
             f4(m["far"]), f4(m["frr"])] for m in r["models"].values()]
    ms = r["ms_per_pair"]
    return "\n".join([
        f"Held-out people {r['test_people']}: {r['pictures']} pictures, {thousands(r['pairs'])} balanced pairs "
        f"(seed {r['seed']}). Faces found: YuNet {r['yunet_detected']}/{r['pictures']}, Haar cascade "
        f"{r['haar_detected']}/{r['pictures']}.", "",
        table(["model", "input", "threshold", "accuracy", "AUC", "EER", "FAR", "FRR"], rows), "",
        f"Per pair on 368×448 photos (detect both, crop, embed, score; median of {r['latency_pairs']}, rough on a "
        f"shared CPU): class model {ms['class']:.0f} ms, SFace {ms['sface']:.0f} ms."])


def headline(oneshot: dict, faces: dict, bench: dict, *fashion: dict) -> str:
    best = max(zip(LOSSES, fashion), key=lambda t: t[1]["accuracy"])
    worst = min(zip(LOSSES, fashion), key=lambda t: t[1]["accuracy"])
    p = oneshot["paper"]
    return "\n".join([
        f"- Omniglot 20-way one-shot, official runs: {pct(oneshot['official_runs']['accuracy'])} (Koch et al. "
        f"{pct(p['official_runs_accuracy'])}, humans {pct(p['human'])}); MNIST 10-way transfer "
        f"{pct(oneshot['mnist']['accuracy'])} (Koch {pct(p['mnist_accuracy'])}).",
        f"- Faces, ten people never seen in training: class model {pct(faces['accuracy'])}, OpenCV's SFace "
        f"{pct(bench['models']['sface']['accuracy'])}.",
        f"- Fashion-MNIST pair verification, pretrained runs: test accuracy {f4(worst[1]['accuracy'])} ({worst[0]}) "
        f"to {f4(best[1]['accuracy'])} ({best[0]})."])


# --- timing benchmarks (run by the integrator on a quiet machine) ---------------------------------------

def fashion_speed(r: dict) -> str:
    f = r["figures"]
    key = f"seconds_to_val_{f['target']}"
    rows = [[x["run"], thousands(x["steps"]), f4(x["test_accuracy"]), f4(x["test_auc"]),
             f"{x[key]:.1f} s" if x[key] is not None else "not reached"] for x in f["runs"]]
    ratio = (f"In-batch pairs reach validation accuracy {f['target']} **{f['speedup_to_target']:.2f}× sooner** than "
             "the course's explicit pair lists." if f["speedup_to_target"] else "")
    return "\n".join([table(["run", "steps", "test accuracy", "test AUC", f"validation {f['target']} after"], rows),
                      "", f"Best after {f['seconds']:.0f} s: {f['best']}, test accuracy "
                      f"**{f4(f['best_test_accuracy'])}**. {ratio}", "", conditions_line(r)])


def cli_run(train: dict, evaluation: dict) -> str:
    return (f"{thousands(train['steps'])} steps in {train['train_seconds']:.0f} s of training; validation accuracy "
            f"{f4(train['val_accuracy'])}; test accuracy **{f4(evaluation['accuracy'])}**, AUC "
            f"{f4(evaluation['auc'])}, EER {f4(evaluation['eer'])} on {thousands(evaluation['pairs'])} balanced test "
            "pairs at the validation threshold.")


def tsne_speed(r: dict) -> str:
    f = r["figures"]
    rows = [[name, f"{x['median_seconds']:.2f} s", *(f4(x[f"trustworthiness@{k}"]) for k in (5, 10, 30))]
            for name, x in f["runs"].items()]
    return "\n".join([f"{thousands(f['points'])} points, {f['data']}; seeds 0–{f['repeats'] - 1}.", "",
                      table(["method", "median time", "T@5", "T@10", "T@30"], rows), "",
                      f"Speed-up over scikit-learn's default: **{f['speedup']:.2f}×**.", "", conditions_line(r)])


def threads(r: dict) -> str:
    f = r["figures"]
    rows = [[f"{n} torch thread(s)", f"{ms:.1f} ms"] for n, ms in f["ms_per_step"].items()]
    return "\n".join([f"{f['cpus']} CPUs, {f['busy_processes']} busy processes beside it.", "",
                      table(["threads", "per training step"], rows), "",
                      f"Many threads / one thread: **{f['ratio_many_over_one']:.2f}×** the time.", "",
                      conditions_line(r)])


def load_test(r: dict) -> str:
    f = r["figures"]
    c, lat, rss = f["config"], f["latency_s"], f["server_rss_mb"]
    return "\n".join([
        f"- {c['sessions']} students ({c['browsers']} in Chromium), {c['trainers']} training, {c['cpus']} CPUs, "
        f"workers {c['workers']}, threads per job {c['threads_per_job']}; wall {f['wall_s']:.0f} s;",
        f"- sessions: {f['sessions_ok']} ok, {len(f['sessions_failed'])} failed; runs: {f['runs_completed']} "
        f"completed, {len(f['runs_failed'])} failed;",
        f"- interaction → settled ({thousands(f['interactions'])} interactions): median **{lat['p50']:.2f} s**, "
        f"95th percentile {lat['p95']:.2f} s; by client: "
        + ", ".join(f"{k} {v:.2f} s" for k, v in f["latency_p50_by_client_s"].items()) + ";",
        "- median by action: " + ", ".join(f"{k} {v:.2f} s" for k, v in f["latency_p50_by_action_s"].items()) + ";",
        f"- time to first complete render: median {f['first_render_s']['p50']:.2f} s, max "
        f"{f['first_render_s']['max']:.2f} s{_slowest_render(f)};",
        f"- Train pressed → result shown: first {min(f['run_seconds'], default=0):.0f} s, last "
        f"{max(f['run_seconds'], default=0):.0f} s;",
        f"- server memory: {rss['warm']:.0f} MB after one visitor opened every page, peak {rss['peak']:.0f} MB, "
        f"about **{rss['per_session']:.0f} MB per student**; server CPU mean {f['server_cpu_percent']['mean']:.0f} % "
        "of one core" + _training_cpu(f) + _generator_cpu(f) + ".", *_run_accuracies(f), "", conditions_line(r)])


def _training_cpu(f: dict) -> str:
    """Trainings in processes of the server's own: their memory is in the server's, their CPU said apart."""
    share = f.get("training_processes_cpu_percent_mean", 0.0)
    if not share:
        return " (trainings in threads of the server's process)"
    return (f" and its {f['config']['workers']} training processes' {share:.0f} % (their memory is counted in the "
            "server's)")


def _slowest_render(f: dict) -> str:
    by = {k: v for k, v in f.get("first_render_max_by_client_s", {}).items() if v is not None}
    return " (slowest " + ", ".join(f"{k} {v:.2f} s" for k, v in by.items()) + ")" if by else ""


def _generator_cpu(f: dict) -> str:
    if "generator_cpu_percent_mean" not in f:
        return ""
    nice, c = f["config"]["generator_nice"], f["config"]
    if "chromium_not_confined" not in c:  # measured before the load test held Chromium to the generator's nice
        who = f"its clients at nice {nice}, its Chromium at the share of a session of its own"
    elif c["chromium_not_confined"] is None:
        who = f"its clients and Chromium, nice {nice}"
    else:
        who = f"its clients at nice {nice}; Chromium could not be held to it: {c['chromium_not_confined']}"
    chromium = (f", Chromium {f['generator_chromium_cpu_percent_mean']:.0f} %"
                if "generator_chromium_cpu_percent_mean" in f else "")
    return (f"; the load generator ({who}) {f['generator_cpu_percent_mean']:.0f} % of one core{chromium}, "
            "on the same machine")


def _run_accuracies(f: dict) -> list[str]:
    accs = [t["accuracy"] for t in f.get("trainer_runs", []) if t.get("accuracy") is not None]
    if not accs:
        return []
    return [f"- the runs' test accuracy: {min(accs):.3f} to {max(accs):.3f} (a run counts as trained from "
            f"{f['config']['trained_accuracy']:.2f})."]


def class_load_test(r: dict) -> str:
    """The class load test against its goals (tenth result ≤ 60 s, no failed session, median < 1 s)."""
    f = r["figures"]
    c, tenth, failed, p50 = f["config"], f.get("all_results_s"), len(f["sessions_failed"]), f["latency_s"]["p50"]
    mark = {True: "✓", False: "✗ missed"}
    load = f.get("load_before", {})
    quiet = "" if load.get("quiet", True) else (f" The machine never got quiet (1-minute load {load['load1']:.1f} "
                                                 "when it started): other work shared the two cores.")
    return "\n".join([
        f"{c['trainers']} trainers, {c['distinct_configs']} distinct configs (`--same-config {c['same_config']}`, "
        f"shared runs {'on' if c.get('share_runs', True) else 'off'}), workers {c['workers']}.{quiet}", "",
        table(["figure", "measured", "goal"], [
            [f"class start → all {c['trainers']} results shown",
             "not all shown" if tenth is None else f"{tenth:.1f} s",
             f"≤ 60 s {mark[tenth is not None and tenth <= 60]}"],
            ["failed sessions", str(failed), f"0 {mark[failed == 0]}"],
            ["median interaction → page settled", f"{p50:.2f} s", f"< 1 s {mark[p50 < 1]}"]]), "",
        *_repeats(f), load_test(r)])


def _repeats(f: dict) -> list[str]:
    """With `--repeats`: the table is the median class's; here is every class, in the order they ran."""
    runs = f.get("repeats", [])
    if len(runs) < 2:
        return []
    return [f"The median of {len(runs)} classes run one after another (`--repeats {len(runs)}`); all of them: "
            + "; ".join(f"{'not all shown' if c['all_results_s'] is None else format(c['all_results_s'], '.1f') + ' s'}"
                        f", median {c['latency_p50_s']:.2f} s, {c['failed_sessions']} failed"
                        for c in runs) + ".", ""]


def cluster_load_test(builtin: dict, cluster: dict) -> str:
    """The class on the built-in queue and on a local Dask cluster (the same cores, back to back), and what one
    more worker with a core of its own would change on paper: the runs train in rounds of one per worker."""
    b, c = builtin["figures"], cluster["figures"]
    n, trainers = c["cluster"]["workers"], c["config"]["trainers"]

    def tenth(f):
        return "not all shown" if f["all_results_s"] is None else f"{f['all_results_s']:.1f} s"

    def both(label, cell):
        return [label, cell(b), cell(c)]
    rows = [both(f"class start → all {trainers} results shown", tenth),
            both("median interaction → page settled", lambda f: f"{f['latency_s']['p50']:.2f} s"),
            both("95th percentile interaction", lambda f: f"{f['latency_s']['p95']:.2f} s"),
            both("failed sessions", lambda f: str(len(f["sessions_failed"]))),
            both("runs completed", lambda f: f"{f['runs_completed']} of {trainers}"),
            both("Train pressed → result shown, first / last", lambda f: f"{min(f['run_seconds'], default=0):.0f} s "
                 f"/ {max(f['run_seconds'], default=0):.0f} s"),
            both("web server CPU, mean (100 % = one core)", lambda f: f"{f['server_cpu_percent']['mean']:.0f} %"),
            both("web server memory, peak", lambda f: f"{f['server_rss_mb']['peak']:.0f} MB")]
    rounds, more = -(-trainers // n), -(-trainers // (n + 1))
    at = c["results_at_s"]
    if c["all_results_s"] is None or rounds < 2:
        paper = "No estimate for one more worker: not every run finished, or they all fit in one round."
    else:
        # The first round ends when the n-th result is in (the class's own start included); each round after
        # it takes the same time on paper, since a further worker brings its own core.
        per_round = (at[-1] - at[n - 1]) / (rounds - 1)
        paper = (f"On paper, one more worker with a core of its own: the {trainers} runs train in {more} rounds of "
                 f"{n + 1} instead of {rounds} rounds of {n}. The first round ended at {at[n - 1]:.0f} s and each "
                 f"later one took {per_round:.1f} s, so the last result would come after about "
                 f"**{at[n - 1] + per_round * (more - 1):.0f} s** instead of {at[-1]:.0f} s. A further worker on these "
                 f"same {c['config']['cpus']} cores adds no core, only another process to share them.")
    loads = [f"the {side} class started at a 1-minute load of {f['load_before']['load1']:.1f}, not the quiet "
             "machine asked for" for side, f in (("built-in", b), ("cluster", c))
             if not f.get("load_before", {}).get("quiet", True)]
    if loads:
        paper += " Note: " + "; ".join(loads) + "."
    return "\n".join([
        f"{trainers} of {c['config']['sessions']} students train (`--same-config {c['config']['same_config']}`), "
        f"digits, {c['config']['budget_s']} s each. Built-in queue: {b['config']['workers']} workers in the web "
        f"server. Cluster: a scheduler and {n} `dask worker --nthreads 1` on the same {c['config']['cpus']} CPUs, "
        f"{c['cluster']['worker_nice']} steps nicer than the web server (as the built-in training threads).", "",
        table(["figure", "built-in queue", f"cluster, {n} workers"], rows), "", paper, "",
        "Built-in queue: " + conditions_line(builtin), "", "Cluster: " + conditions_line(cluster)])


def where_runs_train(threads: dict, processes: dict, wall: dict) -> str:
    """The same class (every trainer a different run) with the runs in the server's threads, in its training
    processes, and in its training processes on the wall clock, one after another on the same cores."""
    runs = [("threads of the server", threads), ("training processes", processes),
            ("training processes, wall-clock budgets", wall)]
    trainers = processes["figures"]["config"]["trainers"]

    def accs(f):
        a = [t["accuracy"] for t in f.get("trainer_runs", []) if t.get("accuracy") is not None]
        return f"{min(a):.3f}–{max(a):.3f}" if a else "–"

    def row(label, cell):
        return [label, *(cell(r["figures"]) for _, r in runs)]
    rows = [row(f"class start → all {trainers} results shown (goal ≤ 60 s)",
                lambda f: "not all shown" if f["all_results_s"] is None else f"{f['all_results_s']:.1f} s"),
            row("median interaction → page settled (goal < 1 s)", lambda f: f"{f['latency_s']['p50']:.2f} s"),
            row("failed sessions", lambda f: str(len(f["sessions_failed"]))),
            row(f"runs trained (test accuracy ≥ {processes['figures']['config']['trained_accuracy']:.2f})",
                lambda f: f"{f['runs_completed']} of {trainers}"),
            row("the runs' test accuracy", accs),
            row("web server CPU, mean (100 % = one core)", lambda f: f"{f['server_cpu_percent']['mean']:.0f} %"),
            row("training processes' CPU, mean", lambda f: f"{f.get('training_processes_cpu_percent_mean', 0):.0f} %"),
            row("load generator's CPU, mean", lambda f: f"{f.get('generator_cpu_percent_mean', 0):.0f} %"),
            row("… of which its Chromium (three pages)", lambda f: "–" if "generator_chromium_cpu_percent_mean" not in f
                else f"{f['generator_chromium_cpu_percent_mean']:.0f} %"),
            row("Chromium held to the generator's nice", lambda f: "no (before the fix)"
                if "chromium_not_confined" not in f["config"] else "yes" if f["config"]["chromium_not_confined"] is None
                else f"no: {f['config']['chromium_not_confined']}"),
            row("server memory, peak (with its training processes)", lambda f: f"{f['server_rss_mb']['peak']:.0f} MB")]
    return "\n".join([
        f"{trainers} of {processes['figures']['config']['sessions']} students train, every one a different run "
        f"(digits, 5 s, {processes['figures']['config']['workers']} at a time).", "",
        table(["figure", *(name for name, _ in runs)], rows), "",
        "\n\n".join(f"{name.capitalize()}: {conditions_line(r)}" for name, r in runs)])


def gil_convoy(r: dict) -> str:
    f = r["figures"]
    med = f["median_steps"]
    rows = [[f"beside a busy {what}" if what != "nothing" else "alone", f"{med[what]:.0f}",
             f"{100 * med[what] / med['nothing']:.0f} %"] for what in ("nothing", "thread", "process")]
    first = f"Training steps in {f['seconds']:g} s (digits, one torch thread; medians of {f['repeats']})."
    return "\n".join([first, "",
                      table(["the training thread", "steps", "of alone"], rows), "", conditions_line(r)])


def live_training(r: dict) -> str:
    from benchmarks.live_training import figures_table
    f = r["figures"]
    rows = [[name, value, goal if goal == "–" else f"{goal} {'✓' if met else '✗ missed'}"]
            for name, value, goal, met in figures_table(f)]
    loads = [x["load1"] for x in f.get("page_runs", []) + f.get("frame_runs", [])]
    lines = [table(["figure", "measured", "goal"], rows), ""]
    if "page_runs" in f:
        lines.append(f"Page: {len(f['page_runs'])} runs of {f['page_budget_s']} s on {f['dataset']} in Chromium; "
                     f"end of training = {f['end_of_training']}. Click → report, per run: "
                     + ", ".join(f"{x['click_to_report_s']:.1f} s" for x in f["page_runs"]) + ".")
    if "frame_runs" in f:
        lines.append(f"Frames: {len(f['frame_runs'])} runs of {f['frame_seconds']:g} s in process "
                     f"({f['config']}); frames per run "
                     + ", ".join(str(x["frames"]) for x in f["frame_runs"])
                     + f"; mean displacement per frame {f['movement_ratio']['stable_mean']:.3f} (the live map) vs "
                     f"{f['movement_ratio']['tsne_mean']:.3f} (a t-SNE per frame, own seed); report computed "
                     + ", ".join(f"{x['evaluation_s']:.1f} s" for x in f["frame_runs"]) + " after training.")
    if loads:
        lines.append(f"1-minute load average at each run's start: {min(loads):.1f}–{max(loads):.1f}"
                     + ("." if f.get("all_quiet") else " — not the quiet machine asked for: other work shared "
                        "the two cores, so the timings are upper bounds of an idle machine's."))
    return "\n".join([*lines, "", conditions_line(r)])


def rerun_cost(r: dict) -> str:
    f = r["figures"]
    labels = list(f["servers"])
    rows = [[page, *(f"{f['servers'][k][page]['cpu_ms']:.0f} ms CPU, {f['servers'][k][page]['median_ms']:.0f} ms"
                     for k in labels)] for page in f["pages"]]
    return "\n".join([table(["page", *labels], rows), "", conditions_line(r)])


def upload_budget(r: dict) -> str:
    f = r["figures"]
    rows = [[name, thousands(x["bytes"]), f"{x['seconds']:.2f} s", f"{x['peak_mb']:.0f} MB"]
            for name, x in f["images"].items()]
    return "\n".join([table(["accepted upload", "bytes", "decode + find faces", "memory above idle"], rows), "",
                      conditions_line(r)])


def upload_fairness(r: dict) -> str:
    f = r["figures"]
    return "\n".join([f"A plain face-page load, median of {f['loads']}: **{f['quiet_median_s']:.2f} s** on a quiet "
                      f"server, **{f['busy_median_s']:.2f} s** while {f['uploaders']} other session(s) kept "
                      f"uploading the costliest accepted image ({f['image']}, {f['uploads']} uploads of "
                      f"{f['upload_median_s']:.2f} s each): **{f['ratio']:.2f}×**.", "", conditions_line(r)])


def soak(r: dict) -> str:
    f = r["figures"]
    return "\n".join([
        f"{f['minutes']:g} minutes, {f['sessions']} sessions ({f['uploaders']} uploading, {f['trainers']} training, "
        f"{f['browsers']} browsing at any time): {f['uploads']} uploads, {f['trainings']} trainings, "
        f"{f['failures']} failures. Server memory: {f['start_mb']:.0f} MB at start, {f['warm_mb']:.0f} MB after "
        f"{f['warmup_minutes']:g} minutes, {f['end_mb']:.0f} MB in the last minute (peak {f['peak_mb']:.0f} MB): "
        f"**{f['growth_after_warmup_mb']:+.0f} MB** after the warm-up "
        f"({f['slope_after_warmup_mb_per_min']:+.1f} MB per minute)."
        + (f" With every session closed, it settled at {f['settled_mb']:.0f} MB within {f['settle_s']:g} s "
           f"(**{f['settled_over_warm_mb']:+.0f} MB** against the server after the warm-up)."
           if "settled_mb" in f else ""), "", conditions_line(r)])


def lessons(r: dict) -> str:
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
                      f"Whole run: {f['seconds'] / 60:.0f} min. " + conditions_line(r)])


def machine_ratio(r: dict) -> str:
    """Training throughput and GFLOP/s against the CPU's peak on paper and a large matrix product."""
    f, lines = r["figures"], []
    for run in f["runs"]:
        p = run["peak"]
        rows = [[name, thousands(x["batch"]), f"{x['gflop_per_step']:.2f}", f"{x['ms_per_step']:.1f} ms",
                 f"{x['images_per_s']:,.0f}", f"{x['gflops']:.1f}", f"**{pct(x['of_peak'])}**", pct(x["of_matmul"])]
                for name, x in run["networks"].items()]
        lines += [f"{run['threads']} torch thread(s). Peak on paper: {p['cores']} core(s) × {p['ghz']:g} GHz "
                  f"({p['clock_source']}) × {p['flops_per_cycle']} fp32 FLOPs per cycle ({p['isa']}) = "
                  f"{p['gflops']:.1f} GFLOP/s; a {run['matmul_n']}² fp32 `torch.mm` reached "
                  f"{run['matmul_gflops']:.1f} GFLOP/s ({pct(run['matmul_of_peak'])} of it"
                  + ("; above half, so two FMA units)." if run["matmul_of_peak"] > 0.5 else ")."), "",
                  table(["network", "images per step", "GFLOP per step", "per step", "training images/s",
                         "GFLOP/s", "of peak", "of torch.mm"], rows), ""]
    for name, c in f.get("candidates", {}).items():
        lines.append(f"- {name}, per step beside the trainer as it is: " + ", ".join(
            f"{k} {ms:.1f} ms ({c['over_as_is'][k]:.2f}×)" for k, ms in c["ms_per_step"].items()) + ";")
    if f.get("candidates"):
        cands = list(f["candidates"].values())
        faster = [k for k in cands[0]["over_as_is"] if k != "as-is" and all(c["over_as_is"][k] <= 0.95 for c in cands)]
        lines.append(f"- at least 5 % faster on every network: {', '.join(faster) or 'none'}.")
    return "\n".join([*lines, "", conditions_line(r)])


def _eval(name: str) -> str:
    return f"assets/{name}.eval.json"


FASHION_EVALS = tuple(_eval(f"fashion_{loss}") for loss in LOSSES)
FASHION_RECORDS = tuple(f"assets/fashion_{loss}.train.json" for loss in LOSSES)
EVALUATE = "python -m siamese_core evaluate assets/{0}.pt --task verification --json > assets/{0}.eval.json"
RECORD = "python -m benchmarks.training_record assets/{0}.pt"
ONESHOT = "python -m siamese_core oneshot-report assets/oneshot-omniglot.pt --out assets/one-shot-report.json"
HELDOUT = "python -m benchmarks.heldout --seed 7919 --out docs/results/heldout.json"
FACES_BENCH = "python -m siamese_core.faces.benchmark --json > docs/results/faces-benchmark.json"

BLOCKS: dict[str, Block] = {
    "headline": Block(("assets/one-shot-report.json", _eval("faces_siamese"), "docs/results/faces-benchmark.json",
                       *FASHION_EVALS), f"{ONESHOT}; {EVALUATE.format('NAME')}; {FACES_BENCH}", headline),
    "losses-table": Block(FASHION_EVALS + FASHION_RECORDS, f"{EVALUATE.format('fashion_LOSS')}; "
                          f"{RECORD.format('fashion_LOSS')}", losses_table),
    "mnist-koch-l1": Block((_eval("mnist_koch_l1"), "assets/mnist_koch_l1.train.json"),
                           f"{EVALUATE.format('mnist_koch_l1')}; {RECORD.format('mnist_koch_l1')}", mnist_koch_l1),
    "mnist-koch-edges": Block((_eval("mnist_koch_edges"), "assets/mnist_koch_edges.train.json"),
                              f"{EVALUATE.format('mnist_koch_edges')}; {RECORD.format('mnist_koch_edges')}",
                              mnist_koch_l1),
    "one-shot-report": Block(("assets/one-shot-report.json",), ONESHOT, oneshot_report_text),
    "one-shot-seeds-before": Block(tuple(f"docs/results/heldout-oneshot-seed{s}.json" for s in (0, 1, 2)),
                                   "python -m benchmarks.heldout --seed 7919 --skip-fashion --model seedN.pt "
                                   "--out docs/results/heldout-oneshot-seedN.json", oneshot_seeds),
    "one-shot-validation": Block(("docs/results/oneshot-validation.json",), "python -m benchmarks.oneshot_validation "
                                 "MODELS.pt --out docs/results/oneshot-validation.json", oneshot_validation),
    "one-shot-vs-paper": Block(("assets/one-shot-report.json",), ONESHOT, oneshot_versus_paper),
    "heldout": Block(("docs/results/heldout.json",), HELDOUT, heldout),
    "one-shot-seeds": Block(("docs/results/heldout.json", "docs/results/heldout-oneshot-seed10.json",
                             "docs/results/heldout-oneshot-seed20.json"),
                            f"{HELDOUT}; python -m benchmarks.heldout --seed 7919 --skip-fashion --model seedN.pt "
                            "--out docs/results/heldout-oneshot-seedN.json", oneshot_seeds),
    "one-shot-training": Block(("assets/oneshot-omniglot.train.json",), RECORD.format("oneshot-omniglot"),
                               training_record),
    "faces-training": Block(("assets/faces_siamese.train.json",), RECORD.format("faces_siamese"), training_record),
    "faces-eval": Block((_eval("faces_siamese"),), EVALUATE.format("faces_siamese"), verification_eval),
    "faces-benchmark": Block(("docs/results/faces-benchmark.json",), FACES_BENCH, faces_benchmark),
    "fashion-speed": Block(("docs/results/fashion-speed.json",),
                           "python -m benchmarks.fashion_speed --threads 1 --out docs/results/fashion-speed.json",
                           fashion_speed, timing=True),
    "fashion-60s": Block(("docs/results/fashion-60s.train.json", "docs/results/fashion-60s.eval.json"),
                         "python -m siamese_core train --dataset fashion-mnist --loss contrastive --seconds 60 "
                         "--lr 3e-3 --lr-schedule cosine --threads 1 --out run.pt --json > "
                         "docs/results/fashion-60s.train.json; python -m siamese_core evaluate run.pt --task "
                         "verification --json > docs/results/fashion-60s.eval.json", cli_run, timing=True),
    "tsne-speed": Block(("docs/results/tsne-speed.json",),
                        "python -m benchmarks.tsne_speed --repeats 5 --out docs/results/tsne-speed.json",
                        tsne_speed, timing=True),
    "tsne-speed-pixels": Block(("docs/results/tsne-speed-pixels.json",), "python -m benchmarks.tsne_speed "
                               "--repeats 5 --pixels --out docs/results/tsne-speed-pixels.json",
                               tsne_speed, timing=True),
    "machine-ratio": Block(("docs/results/machine-ratio.json",), "python -m benchmarks.machine_ratio --threads 2 "
                           "--candidates --out docs/results/machine-ratio.json", machine_ratio, timing=True),
    "threads": Block(("docs/results/threads.json",),
                     "python -m benchmarks.threads --repeats 2 --steps 30 --out docs/results/threads.json",
                     threads, timing=True),
    "threads-busy": Block(("docs/results/threads-busy.json",), "python -m benchmarks.threads --repeats 1 "
                          "--steps 30 --busy 2 --out docs/results/threads-busy.json", threads, timing=True),
    "load-test": Block(("docs/results/load-test.json",), "python -m benchmarks.load_test --sessions 30 "
                       "--trainers 10 --max-seconds 600 --out docs/results/load-test.json", load_test, timing=True),
    "live-training": Block(("docs/results/live-training.json",), "python -m benchmarks.live_training --repeats 5 "
                           "--runs 5 --page-budget 20 --out docs/results/live-training.json", live_training,
                           timing=True),
    **{f"load-test-{name}": Block((f"docs/results/load-test-{name}.json",),
                                  f"{env}python -m benchmarks.load_test --same-config {same} --quiet-load 1.2 "
                                  f"{wait}--out docs/results/load-test-{name}.json", class_load_test, timing=True)
       for name, same, env, wait in (("different", 0, "", "--max-wait 30 --repeats 3 "),
                                     ("half-same", 5, "", "--max-wait 30 "),
                                     ("different-workers1", 0, "SIAMESE_LAB_WORKERS=1 ", ""),
                                     ("half-same-workers1", 5, "SIAMESE_LAB_WORKERS=1 ", ""))},
    "gil-convoy": Block(("docs/results/gil-convoy.json",), "python -m benchmarks.gil_convoy --out "
                        "docs/results/gil-convoy.json", gil_convoy, timing=True),
    "load-test-threads-vs-processes": Block(
        ("docs/results/load-test-different-threads.json", "docs/results/load-test-different.json",
         "docs/results/load-test-different-wall.json"),
        "SIAMESE_LAB_TRAIN_IN=server python -m benchmarks.load_test --same-config 0 --quiet-load 1.2 --max-wait 30 "
        "--out docs/results/load-test-different-threads.json; python -m benchmarks.load_test --same-config 0 "
        "--quiet-load 1.2 --max-wait 30 --repeats 3 --out docs/results/load-test-different.json; "
        "SIAMESE_LAB_BUDGET_CLOCK=wall "
        "python -m benchmarks.load_test --same-config 0 --quiet-load 1.2 --max-wait 30 "
        "--out docs/results/load-test-different-wall.json", where_runs_train, timing=True),
    "load-test-cluster": Block(("docs/results/load-test-cluster-builtin.json", "docs/results/load-test-cluster.json"),
                               "python -m benchmarks.cluster_load_test --builtin --same-config 0 --quiet-load 1.2 "
                               "--max-wait 30 --out docs/results/load-test-cluster-builtin.json; python -m "
                               "benchmarks.cluster_load_test --same-config 0 --quiet-load 1.2 --max-wait 30 "
                               "--out docs/results/load-test-cluster.json", cluster_load_test, timing=True),
    "upload-budget": Block(("docs/results/upload-budget.json",),
                           "python -m benchmarks.upload_budget --out docs/results/upload-budget.json",
                           upload_budget, timing=True),
    "upload-fairness": Block(("docs/results/upload-fairness.json",), "python -m benchmarks.upload_fairness "
                             "--out docs/results/upload-fairness.json", upload_fairness, timing=True),
    "soak": Block(("docs/results/soak.json",), "python -m benchmarks.soak --minutes 20 --out docs/results/soak.json",
                  soak, timing=True),
    "lessons": Block(("docs/results/lessons.json",), "python -m benchmarks.lessons --out docs/results/lessons.json",
                     lessons),
    "rerun-cost": Block(("docs/results/rerun-cost.json",),
                        "python -m benchmarks.rerun_cost --repeats 10 --out docs/results/rerun-cost.json",
                        rerun_cost, timing=True),
}
