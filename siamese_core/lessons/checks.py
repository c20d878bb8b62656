"""One check per measurable claim: inputs (runs by role, or a computed context) → (held, values, shown),
or None when the inputs lack what the check reads (a student who ran two miners out of four).

Run roles: a miner name ("random", "semi-hard", …), a λ (float), an embedding size (int) or a loss name;
`runs_by_role` reads them from each run's config, so a page passes its runs as they are."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from ..explain.diagnostics import COLLAPSE_SPREAD
from . import measures as m

# The claims' quantitative forms (a claim holds when its numbers pass these).
RANDOM_ACTIVE = 0.10     # random miner's late active fraction below this: "most triplets teach nothing"
D2_GAP = 0.02            # D = 8 beats D = 2 by at least 2 points of accuracy: "a few points lower"
FLAT_BAND = 0.02         # D = 32 → 128 within 2 points: 2.5 s.e. of a difference of two 2,000-pair accuracies
SPOKE_RATIO = 1.2        # spread along a class's direction ≥ 1.2× the spread across it: stretched out
SHRINK = 3.0             # λ = 0 → 1 shrinks a distance at least threefold: "several-fold"
EDGE_PERCENTILE = 95     # learned filters' median edge score above this percentile of random filters'
ONE_CLASS_SHARE = 0.6    # unshuffled batches holding a single class


def _r(x, nd: int = 4):
    return None if x is None else (round(float(x), nd) if isinstance(x, (float, np.floating)) else x)


def oneshot_emerges(runs: Mapping):
    """A one-shot run (its frames score the fixed validation runs): 20-way accuracy on unseen alphabets higher at
    its last frame than at its first, and its training loss lower over the last quarter of steps than the first."""
    run = runs.get("prototypical")
    frames = getattr(run, "frames", None)
    if not frames or frames[-1].oneshot is None:
        return None
    first, last = frames[0].oneshot, frames[-1].oneshot
    early, late = m.early_mean(run.history, "loss"), m.late_mean(run.history, "loss")
    held = last > first and late < early
    return held, {"20-way first frame": _r(first), "20-way last frame": _r(last), "loss early": _r(early, 3),
                  "loss late": _r(late, 3)}, (
        f"20-way accuracy on unseen alphabets {100 * first:.1f} % → {100 * last:.1f} %, training loss "
        f"{early:.2f} → {late:.2f}")


def runs_by_role(runs: Sequence) -> dict:
    """RunReports (or anything with `.config`) keyed by what distinguishes them on a page."""
    out = {}
    for r in runs:
        c = r.config
        if c.get("embedding_dim") == 2 and c.get("loss") in ("softmax", "center"):
            out[float(c.get("center_lambda", 0.0)) if c.get("loss") == "center" else 0.0] = r
        elif c.get("loss") == "triplet" and "miner" in c:
            out[c["miner"]] = r
        out.setdefault(c.get("loss"), r)
        out.setdefault(int(c.get("embedding_dim", 0)), r)
    return out


def _need(runs: Mapping, *roles):
    return all(k in runs for k in roles)


# --- triplet mining --------------------------------------------------------------------------------

def random_inactive(runs: Mapping):
    if not _need(runs, "random"):
        return None
    late = m.late_mean(runs["random"].history, "active_fraction")
    held = late < RANDOM_ACTIVE
    return held, {"random late active fraction": _r(late)}, (
        f"random triplets: {late:.0%} still active at the end" + ("" if held else f" — not below {RANDOM_ACTIVE:.0%}"))


def semi_hard_supply(runs: Mapping):
    if not _need(runs, "random", "semi-hard"):
        return None
    semi, rand = (m.late_active_triplets(runs[k].history) for k in ("semi-hard", "random"))
    return semi > rand, {"semi-hard active/batch": _r(semi, 1), "random active/batch": _r(rand, 1)}, (
        f"active triplets per batch at the end: semi-hard {semi:.0f}, random {rand:.0f}")


def hardest_collapses(runs: Mapping):
    if not _need(runs, "hardest"):
        return None
    at = m.collapsed_at(runs["hardest"].history)
    values = {"hardest collapse step": at, "hardest lowest spread": _r(m.lowest_spread(runs["hardest"].history))}
    held = at is not None
    if "semi-hard" in runs:
        low = m.lowest_spread(runs["semi-hard"].history)
        values["semi-hard lowest spread"] = _r(low)
        held = held and low >= COLLAPSE_SPREAD
    shown = (f"hardest negatives collapsed at step {at}" if at is not None else
             f"no collapse this time: hardest's lowest spread was {values['hardest lowest spread']}")
    return held, values, shown


# --- center loss -------------------------------------------------------------------------------------

def _geometry(run) -> dict:
    points = run.probe_embeddings if run.probe_embeddings is not None else run.projection
    return m.class_geometry(np.asarray(points, np.float32), run.projection_labels)


def softmax_spokes(runs: Mapping):
    if not _need(runs, 0.0):
        return None
    radial = _geometry(runs[0.0])["radial"]
    return radial > SPOKE_RATIO, {"λ=0 along/across": _r(radial, 2)}, (
        f"λ = 0: each class is {radial:.1f}× longer along its direction than across it")


def _lambda_ends(runs: Mapping):
    lams = sorted(k for k in runs if isinstance(k, float))
    if len(lams) < 2 or lams[0] != 0.0:
        return None
    return _geometry(runs[0.0]), _geometry(runs[lams[-1]]), lams[-1]


def _falls_with_lambda(runs: Mapping, part: str, what: str):
    """Whether the geometry's `part` at the largest λ is below 1/SHRINK of its value at λ = 0."""
    ends = _lambda_ends(runs)
    if ends is None:
        return None
    g0, g1, lam = ends
    return g1[part] < g0[part] / SHRINK, {f"{part} λ=0": _r(g0[part], 3), f"{part} λ={lam:g}": _r(g1[part], 3)}, (
        f"{what}: {g0[part]:.2f} at λ = 0, {g1[part]:.2f} at λ = {lam:g}")


def centre_shrinks(runs: Mapping):
    return _falls_with_lambda(runs, "within", "mean distance to the own centre")


def centres_crowd(runs: Mapping):
    return _falls_with_lambda(runs, "between", "mean distance between centres")


# --- embedding size ----------------------------------------------------------------------------------

def _acc(runs, d) -> float:
    return float(runs[d].metrics["accuracy"])


def d2_lower(runs: Mapping):
    if not _need(runs, 2, 8):
        return None
    gap = _acc(runs, 8) - _acc(runs, 2)
    return gap >= D2_GAP, {"acc D=2": _r(_acc(runs, 2)), "acc D=8": _r(_acc(runs, 8))}, (
        f"D = 2 → 8 gained {100 * gap:.1f} points")


def size_flattens(runs: Mapping):
    if not _need(runs, 2, 8, 32, 128):
        return None
    low, high = _acc(runs, 8) - _acc(runs, 2), _acc(runs, 128) - _acc(runs, 32)
    held = abs(high) < FLAT_BAND and low > high
    return held, {"acc D=32": _r(_acc(runs, 32)), "acc D=128": _r(_acc(runs, 128))}, (
        f"D = 32 → 128 changed accuracy by {100 * high:+.1f} points (D = 2 → 8: {100 * low:+.1f})")


# --- losses ------------------------------------------------------------------------------------------

def _p1(run) -> float:
    if run.probe_embeddings is None:
        return math.nan
    return m.precision_at_1(run.probe_embeddings.astype(np.float32), run.projection_labels)


def bce_ranks_poorly(runs: Mapping):
    if not _need(runs, "bce-concat", "contrastive", "triplet"):
        return None
    p = {k: _p1(runs[k]) for k in ("bce-concat", "contrastive", "triplet")}
    if any(math.isnan(v) for v in p.values()):
        return None
    held = p["bce-concat"] < min(p["contrastive"], p["triplet"])
    return held, {f"P@1 {k}": _r(v, 3) for k, v in p.items()}, (
        "precision@1: " + ", ".join(f"{k} {v:.3f}" for k, v in p.items()))


def contrastive_gap(runs: Mapping):
    if not _need(runs, "contrastive"):
        return None
    r = runs["contrastive"]
    margin = r.config.get("margin") or 1.0
    d = -np.asarray(r.test_scores)   # scores are −distance
    same, diff = float(np.median(d[r.test_same])), float(np.median(d[~r.test_same]))
    return same < margin / 2 < diff, {"median d same": _r(same, 3), "median d different": _r(diff, 3)}, (
        f"median distance: same pairs {same:.2f}, different pairs {diff:.2f} (m = {margin:g})")


# Softmax and contrastive EERs differed by 0.003–0.008 over 3 seeds (docs/results/lessons.json); 0.02 leaves
# room for that spread twice over and still says "about the same" of a ~0.09 EER.
EER_CLOSE = 0.02


def classifier_eer(runs: Mapping):
    if not _need(runs, "softmax", "contrastive", "triplet"):
        return None
    e = {k: float(runs[k].metrics["eer"]) for k in ("softmax", "contrastive", "triplet")}
    return abs(e["softmax"] - e["contrastive"]) < EER_CLOSE, {f"EER {k}": _r(v) for k, v in e.items()}, (
        "EER: " + ", ".join(f"{k} {v:.3f}" for k, v in e.items()))


# --- computed claims (no training): their contexts come from `static.py` ------------------------------

def first_layer_edges(ctx: Mapping):
    if "filters" not in ctx:
        return None
    learned = m.edge_scores(ctx["filters"])
    chance = float(np.percentile(m.random_edge_scores(ctx["filters"].shape), EDGE_PERCENTILE))
    med = float(np.median(learned))
    return med > chance, {"median edge score": _r(med, 3), f"random p{EDGE_PERCENTILE}": _r(chance, 3),
                          "share above": _r(float((learned > chance).mean()), 3)}, (
        f"median edge score {med:.2f} against {chance:.2f} for noise")


def unshuffled_batches(ctx: Mapping):
    if "unshuffled_one_class" not in ctx:
        return None
    one, same, shuffled = ctx["unshuffled_one_class"], ctx["unshuffled_same_share"], ctx["shuffled_same_share"]
    return one >= ONE_CLASS_SHARE and same > 0.9 > shuffled, {
        "one-class batches": _r(one, 3), "same pairs unshuffled": _r(same, 3), "same pairs shuffled": _r(shuffled, 3)
    }, f"{one:.0%} of unshuffled batches hold one class"


def oneshot_slower(ctx: Mapping):
    if "net" not in ctx:
        return None
    net, pix = ctx["net"], ctx["pixels"]   # {n_way: accuracy}
    dn, dp = net[2] - net[20], pix[2] - pix[20]
    return dn < dp / 2, {"net 2→20 drop": _r(dn, 3), "1-NN 2→20 drop": _r(dp, 3)}, (
        f"N = 2 → 20: the network lost {100 * dn:.0f} points, 1-NN {100 * dp:.0f}")


def within_harder(ctx: Mapping):
    if "net_mixed20" not in ctx:
        return None
    w, mixed = ctx["net"][20], ctx["net_mixed20"]
    return w < mixed, {"20-way within": _r(w, 3), "20-way mixed": _r(mixed, 3)}, (
        f"20-way: {w:.1%} within one alphabet, {mixed:.1%} mixed")


def _pair(ctx, key):
    if key not in ctx:
        return None
    p = ctx[key]
    return p["truth"], p["class"], p["sface"]


def faces_default_pair(ctx: Mapping):
    got = _pair(ctx, "default_pair")
    if got is None:
        return None
    truth, cls, sface = got
    return cls == truth and sface == truth, {"class model right": cls == truth, "SFace right": sface == truth}, (
        "default pair: " + ("both models right" if cls == truth == sface else "a model is wrong"))


def faces_failure_pair(ctx: Mapping):
    got = _pair(ctx, "failure_pair")
    if got is None:
        return None
    truth, cls, sface = got
    return cls != truth and sface == truth, {"class model right": cls == truth, "SFace right": sface == truth}, (
        "failure pair: class model " + ("wrong" if cls != truth else "right") + ", SFace "
        + ("right" if sface == truth else "wrong"))


def faces_gap(ctx: Mapping):
    if "faces_benchmark" not in ctx:
        return None
    models = ctx["faces_benchmark"]["models"]
    cls, sface = float(models["class"]["accuracy"]), float(models["sface"]["accuracy"])
    return sface > cls > 0.5, {"class accuracy": _r(cls), "SFace accuracy": _r(sface)}, (
        f"held-out pairs: class model {cls:.1%}, SFace {sface:.1%}")
