"""The class load test with the trainings on a Dask cluster, against the built-in queue on the same cores.

Starts a scheduler and `--workers` single-thread workers on 127.0.0.1 (benchmarks/local_cluster.py), then the
app with SIAMESE_LAB_SCHEDULER pointing at them, and plays the class of benchmarks/load_test.py (every option
of it passes through). The workers run `--worker-nice` steps nicer than the server, as the built-in queue's
training threads do, so both set-ups share the machine's cores alike.

    python -m benchmarks.cluster_load_test --same-config 0 --quiet-load 1.2 --max-wait 30 \\
        --out docs/results/load-test-cluster.json
    python -m benchmarks.cluster_load_test --builtin --same-config 0 --quiet-load 1.2 --max-wait 30 \\
        --out docs/results/load-test-cluster-builtin.json        # the same class on the built-in queue

`--builtin` plays the same class without a cluster (the server's own queue, `SIAMESE_LAB_WORKERS` = --workers),
so the two files compare set-ups measured back to back."""
from __future__ import annotations

import argparse
import os

from benchmarks import load_test
from benchmarks.local_cluster import local_cluster
from benchmarks.results import command_line, conditions, write_result


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2, help="single-thread workers (or the built-in queue's workers)")
    p.add_argument("--worker-nice", type=int, default=int(os.environ.get("SIAMESE_LAB_WORKER_NICE", "10")))
    p.add_argument("--builtin", action="store_true", help="the same class on the server's own queue")
    p.add_argument("--out", help="the figures and the conditions as JSON")
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
    print(f"{'built-in queue' if args.builtin else 'cluster'}: all results "
          f"{load_test._fmt(figures['all_results_s'])}, median interaction {figures['latency_s']['p50']:.2f} s, "
          f"{len(figures['sessions_failed'])} failed sessions")
    if args.out:
        write_result(args.out, command_line("benchmarks.cluster_load_test", argv), figures, before)
    return figures


if __name__ == "__main__":
    main()
