"""The class load test with the trainings on a Dask cluster, against the built-in queue on the same cores.

Starts a scheduler and `--workers` single-thread workers on 127.0.0.1 (benchmarks/local_cluster.py), then the
app with SIAMESE_LAB_SCHEDULER pointing at them, and plays the class of benchmarks/load_test.py (every option
of it passes through). The workers run `--worker-nice` steps nicer than the server, as the built-in queue's
training threads do, so both set-ups share the machine's cores alike.

    python -m benchmarks run cluster-load-test --same-config 0 --quiet-load 1.2 --max-wait 30 \\
        --out docs/results/load-test-cluster.json
    python -m benchmarks run cluster-load-test --builtin --same-config 0 --quiet-load 1.2 --max-wait 30 \\
        --out docs/results/load-test-cluster-builtin.json        # the same class on the built-in queue

`--builtin` plays the same class without a cluster (the server's own queue, `SIAMESE_LAB_WORKERS` = --workers),
so the two files compare set-ups measured back to back."""
from __future__ import annotations

import os

from benchmarks import load_test
from benchmarks.blocks import Block, conditions_line, side_by_side
from benchmarks.local_cluster import local_cluster
from benchmarks.results import conditions, parser, save

NAME = "cluster-load-test"
SUMMARY = "the class load test with the trainings on a local Dask cluster, against the built-in queue"


def main(argv: list[str] | None = None) -> dict:
    p = parser(NAME, __doc__)
    p.add_argument("--workers", type=int, default=2, help="single-thread workers (or the built-in queue's workers)")
    p.add_argument("--worker-nice", type=int, default=int(os.environ.get("SIAMESE_LAB_WORKER_NICE", "10")))
    p.add_argument("--builtin", action="store_true", help="the same class on the server's own queue")
    args, rest = p.parse_known_args(argv)
    if not 1 <= args.workers <= 8:
        p.error("1 ≤ workers ≤ 8")
    before = conditions()
    if args.builtin:
        os.environ["SIAMESE_LAB_WORKERS"] = str(args.workers)
        figures = load_test.main(rest)
        figures["cluster"] = None
    else:
        with local_cluster(workers=args.workers, nice=args.worker_nice) as cluster:
            os.environ["SIAMESE_LAB_SCHEDULER"] = cluster.address  # the app's server inherits it
            try:
                figures = load_test.main(rest)
            finally:
                del os.environ["SIAMESE_LAB_SCHEDULER"]
        figures["cluster"] = {"workers": args.workers, "threads_per_worker": 1, "worker_nice": args.worker_nice}
        figures["config"]["workers"] = f"{args.workers} cluster workers"
    save(args.out, NAME, argv, figures, before)
    return figures


def block_text(builtin: dict, cluster: dict) -> str:
    """The class on the built-in queue and on a local Dask cluster (the same cores, back to back), and what one
    more worker with a core of its own would change on paper: the runs train in rounds of one per worker."""
    b, c = builtin["figures"], cluster["figures"]
    n, trainers = c["cluster"]["workers"], c["config"]["trainers"]
    rows = [(f"class start → all {trainers} results shown", lambda f: load_test.all_shown(f["all_results_s"])),
            ("median interaction → page settled", lambda f: f"{f['latency_s']['p50']:.2f} s"),
            ("95th percentile interaction", lambda f: f"{f['latency_s']['p95']:.2f} s"),
            ("failed sessions", lambda f: str(len(f["sessions_failed"]))),
            ("runs completed", lambda f: f"{f['runs_completed']} of {trainers}"),
            ("Train pressed → result shown, first / last", lambda f: f"{min(f['run_seconds'], default=0):.0f} s "
             f"/ {max(f['run_seconds'], default=0):.0f} s"),
            ("web server CPU, mean (100 % = one core)", lambda f: f"{f['server_cpu_percent']['mean']:.0f} %"),
            ("web server memory, peak", lambda f: f"{f['server_rss_mb']['peak']:.0f} MB")]
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
             if not f["load_before"].get("quiet", True)]
    if loads:
        paper += " Note: " + "; ".join(loads) + "."
    return "\n".join([
        f"{trainers} of {c['config']['sessions']} students train (`--same-config {c['config']['same_config']}`), "
        f"digits, {c['config']['budget_s']} s each. Built-in queue: {b['config']['workers']} workers in the web "
        f"server. Cluster: a scheduler and {n} `dask worker --nthreads 1` on the same {c['config']['cpus']} CPUs, "
        f"{c['cluster']['worker_nice']} steps nicer than the web server (as the built-in training threads).", "",
        side_by_side(["figure", "built-in queue", f"cluster, {n} workers"], (builtin, cluster), rows), "", paper, "",
        "Built-in queue: " + conditions_line(builtin), "", "Cluster: " + conditions_line(cluster)])


BLOCKS = {"load-test-cluster": Block(
    ("docs/results/load-test-cluster-builtin.json", "docs/results/load-test-cluster.json"),
    "python -m benchmarks.cluster_load_test --builtin --same-config 0 --quiet-load 1.2 --max-wait 30 --out "
    "docs/results/load-test-cluster-builtin.json; python -m benchmarks.cluster_load_test --same-config 0 "
    "--quiet-load 1.2 --max-wait 30 --out docs/results/load-test-cluster.json", block_text)}


if __name__ == "__main__":
    main()
