"""The figure blocks that quote the shipped checkpoints' files and the other JSON that `python -m siamese_core`
commands write (evaluations, the one-shot report, the faces benchmark, a command-line run): no benchmark of
this package writes them, so their blocks are declared here.
"""
from __future__ import annotations

from benchmarks.blocks import Block, f4, pct, table, text_block, thousands
from benchmarks.training_record import RECORD

LOSSES = ("contrastive", "triplet", "bce-concat", "bce-l1", "softmax")


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
    return text_block(format_report(report))


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


def cli_run(train: dict, evaluation: dict) -> str:
    return (f"{thousands(train['steps'])} steps in {train['train_seconds']:.0f} s of training; validation accuracy "
            f"{f4(train['val_accuracy'])}; test accuracy **{f4(evaluation['accuracy'])}**, AUC "
            f"{f4(evaluation['auc'])}, EER {f4(evaluation['eer'])} on {thousands(evaluation['pairs'])} balanced test "
            "pairs at the validation threshold.")


EVAL = "assets/{}.eval.json"  # what EVALUATE writes for a checkpoint
FASHION_EVALS = tuple(EVAL.format(f"fashion_{loss}") for loss in LOSSES)
FASHION_RECORDS = tuple(f"assets/fashion_{loss}.train.json" for loss in LOSSES)
EVALUATE = "python -m siamese_core evaluate assets/{0}.pt --task verification --json > assets/{0}.eval.json"
ONESHOT = "python -m siamese_core oneshot-report assets/oneshot-omniglot.pt --out assets/one-shot-report.json"
FACES_BENCH = "python -m siamese_core.faces.benchmark --json > docs/results/faces-benchmark.json"

BLOCKS: dict[str, Block] = {
    "headline": Block(("assets/one-shot-report.json", EVAL.format("faces_siamese"), "docs/results/faces-benchmark.json",
                       *FASHION_EVALS), f"{ONESHOT}; {EVALUATE.format('NAME')}; {FACES_BENCH}", headline),
    "losses-table": Block(FASHION_EVALS + FASHION_RECORDS, f"{EVALUATE.format('fashion_LOSS')}; "
                          f"{RECORD.format('fashion_LOSS')}", losses_table),
    "mnist-koch-l1": Block((EVAL.format("mnist_koch_l1"), "assets/mnist_koch_l1.train.json"),
                           f"{EVALUATE.format('mnist_koch_l1')}; {RECORD.format('mnist_koch_l1')}", mnist_koch_l1),
    "mnist-koch-edges": Block((EVAL.format("mnist_koch_edges"), "assets/mnist_koch_edges.train.json"),
                              f"{EVALUATE.format('mnist_koch_edges')}; {RECORD.format('mnist_koch_edges')}",
                              mnist_koch_l1),
    "one-shot-report": Block(("assets/one-shot-report.json",), ONESHOT, oneshot_report_text),
    "one-shot-vs-paper": Block(("assets/one-shot-report.json",), ONESHOT, oneshot_versus_paper),
    "faces-eval": Block((EVAL.format("faces_siamese"),), EVALUATE.format("faces_siamese"), verification_eval),
    "faces-benchmark": Block(("docs/results/faces-benchmark.json",), FACES_BENCH, faces_benchmark),
    "fashion-60s": Block(("docs/results/fashion-60s.train.json", "docs/results/fashion-60s.eval.json"),
                         "python -m siamese_core train --dataset fashion-mnist --loss contrastive --seconds 60 "
                         "--threads 1 --out run.pt --json > "
                         "docs/results/fashion-60s.train.json; python -m siamese_core evaluate run.pt --task "
                         "verification --json > docs/results/fashion-60s.eval.json", cli_run),
}
