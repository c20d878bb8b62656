"""The inventory: every sentence of a page's *What to notice* note, as a named claim.

A claim is one of three kinds:
- "measured": a prediction about a training run; `check` reads the runs of the experiment it names
  (the page's defaults or a labelled preset, `experiments.py`) and says whether it held, with the numbers;
- "computed": a prediction about a shipped model or a fixed computation, checked without training;
- "background": reasoning or a published figure, not something the student's screen can show.

Pages print the sentences from here and run `check` on the student's own runs, so what a page says and
what `python -m benchmarks.lessons` measures cannot drift apart."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import checks
from .static import FACE_DEFAULT_PAIR, FACE_FAILURE_PAIR

_A, _B = FACE_DEFAULT_PAIR
_F = FACE_FAILURE_PAIR


@dataclass(frozen=True)
class Verdict:
    held: bool
    values: dict                  # the measured numbers, rounded, for the table and the page
    shown: str                    # one sentence: what this run showed


@dataclass(frozen=True)
class Claim:
    key: str                      # "mining.hardest-collapses"
    page: str                     # the page section whose note shows it
    sentence: str                 # markdown, as the page shows it
    kind: str                     # "measured", "computed" or "background"
    measure: str = ""             # how it is measured, in one sentence
    experiment: str | None = None  # experiments.EXPERIMENTS key (measured) or checks' static name (computed)
    check: Callable[[Mapping], tuple[bool, dict, str]] | None = field(default=None, repr=False)

    def verdict(self, inputs: Mapping) -> Verdict | None:
        """The check on `inputs` (runs by role, or a computed context); None when they lack what it reads."""
        if self.check is None:
            return None
        out = self.check(inputs)
        return None if out is None else Verdict(*out)


def _c(key, page, sentence, kind="background", measure="", experiment=None, check=None) -> Claim:
    return Claim(key, page, sentence, kind, measure, experiment, check)


CLAIMS: tuple[Claim, ...] = (
    # --- Convolution & pooling ---
    _c("conv.not-flipped", "convolution", "The kernel is **not** flipped: PyTorch's `conv2d` is a "
       "cross-correlation, and so is this page."),
    _c("conv.stride-padding", "convolution", "Stride 2 halves the map; padding ⌊k/2⌋ with stride 1 keeps its "
       "size ('same' padding)."),
    _c("conv.sobel", "convolution", "Sobel x lights up on vertical edges, Sobel y on horizontal ones; ReLU keeps "
       "only one sign of edge."),
    _c("conv.pooling", "convolution", "Max-pooling 2×2/2 keeps a quarter of the numbers but still says "
       "*whether* a feature was nearby."),
    _c("conv.scale", "convolution", "A conv layer's size depends on k, channels and filters, never on the "
       "image: that is why CNNs scale to 8K photos."),
    _c("conv.edges", "convolution", "The trained first-layer filters look like edge and stroke detectors: "
       "most match an oriented edge or bar far better than random filters do.", "computed",
       f"median over the filters of the best |correlation| with 16 oriented edge/bar kernels, against the "
       f"{checks.EDGE_PERCENTILE}th percentile of the same score for white-noise filters of the same size",
       "conv-filters", checks.first_layer_edges),
    # --- Siamese twins ---
    _c("twins.one-twin", "twins", "Both twins are the same module: the parameter count is that of **one** twin "
       "plus the tiny head."),
    _c("twins.symmetric", "twins", "Swap h1 and h2: |h1 − h2| and therefore p do not change — the network is "
       "symmetric."),
    _c("twins.alpha", "twins", "With negative α a large difference pushes p towards 0 (different); the bias "
       "sets p for identical inputs."),
    _c("twins.bce-values", "twins", "BCE punishes confident mistakes hard: −log 0.001 ≈ 6.9, while "
       "−log 0.99 ≈ 0.01."),
    _c("twins.unshuffled", "twins", "Unshuffled batches hold one class: no different pairs, nothing to learn "
       "about differences.", "computed",
       "with the page's digits stored class by class and batches of 32: share of unshuffled batches that hold "
       f"one class (≥ {checks.ONE_CLASS_SHARE:.0%}) and share of same-class pairs inside them, against shuffled",
       "batches", checks.unshuffled_batches),
    # --- Losses ---
    _c("losses.bce-ranks-poorly", "losses", "**BCE on pairs** learns *a decision*, not a geometry: its histogram "
       "separates, but its embedding's nearest neighbours are of the right class less often than with "
       "contrastive or triplet loss, so it ranks poorly.", "measured",
       "precision@1 (the nearest other probe image has the same class) of BCE-concat below both contrastive's "
       "and triplet's", "losses", checks.bce_ranks_poorly),
    _c("losses.contrastive-gap", "losses", "**Contrastive**: same pairs are pulled towards d = 0, different "
       "pairs pushed out towards the margin — look for the gap in the histogram below m.", "measured",
       "median test distance of same pairs < m/2 and of different pairs > m/2 (m = 1)",
       "losses", checks.contrastive_gap),
    _c("losses.triplet", "losses", "**Triplet** only asks that the positive be closer than the negative by m: "
       "clusters form, distances are relative."),
    _c("losses.classifier-eer", "losses", "The **plain classifier**'s embeddings cluster by class too: it was "
       "never trained to make a distance meaningful, yet in runs of the same length its EER is about that of "
       "contrastive loss — compare the two.",
       "measured", f"test EER of softmax within {checks.EER_CLOSE} of contrastive's", "losses",
       checks.classifier_eer),
    _c("losses.protocol", "losses", "Thresholds are chosen on validation pairs, accuracy is measured on test "
       "pairs."),
    # --- Embedding size ---
    _c("size.d2-lower", "size", "D = 2 can hold only a few well-separated classes on a circle: with ten "
       "classes accuracy is a few points lower than at D = 8.", "measured",
       f"test accuracy at D = 8 minus at D = 2 ≥ {checks.D2_GAP}", "size",
       checks.d2_lower),
    _c("size.flatten", "size", "For ten classes the gains flatten somewhere around D = 8–32; beyond that, a "
       "bigger embedding gains nothing (from run to run D = 128 lands within a couple of points of D = 32, "
       "either side).", "measured",
       f"|accuracy at D = 128 − at D = 32| < {checks.FLAT_BAND} while D = 2 → 8 gains more than D = 32 → 128",
       "size", checks.size_flattens),
    _c("size.same-time", "size", "Each size gets the same *time*, not the same number of steps: the "
       "steps-per-second chart shows what a bigger last layer costs (on this small network, little)."),
    # --- Triplet mining ---
    _c("mining.random-inactive", "mining", "Random triplets: the active fraction drops fast — most random "
       "triplets are already satisfied and teach nothing (the few active ones still do).", "measured",
       f"random miner's active fraction over the last quarter of its steps < {checks.RANDOM_ACTIVE:.0%}",
       "miners", checks.random_inactive),
    _c("mining.semi-hard-supply", "mining", "Semi-hard keeps a steady supply of useful triplets — more active "
       "triplets per batch than random, to the end; that is why FaceNet uses it with big batches.", "measured",
       "active triplets per batch over the last quarter: semi-hard above random", "miners",
       checks.semi_hard_supply),
    _c("mining.hardest-collapses", "mining", "Hardest negatives early in training (the **show me collapse** "
       "preset): watch the spread fall to 0 (collapse) — then d(a,p) = d(a,n). Semi-hard, under the same "
       "settings, does not collapse.", "measured",
       f"under the preset, hardest's batch spread stays < {checks.COLLAPSE_SPREAD} for 5 steps in a row "
       "(explain.diagnostics.collapse_step); semi-hard's lowest spread stays above it", "collapse",
       checks.hardest_collapses),
    _c("mining.margin", "mining", "Without a margin, f(x) = 0 for every x would satisfy d(a,p) ≤ d(a,n): the "
       "margin is what forbids it."),
    # --- Center loss ---
    _c("centre.spokes", "centre", "λ = 0 (softmax alone): each class stretches out from the origin along its own "
       "direction — softmax cares about the direction, so two points far apart can share a class.", "measured",
       f"median over classes of the spread along the class's direction over the spread across it > "
       f"{checks.SPOKE_RATIO} at λ = 0", "centre", checks.softmax_spokes),
    _c("centre.shrink", "centre", "Growing λ pulls every feature towards its class centre: from λ = 0 to λ = 1 "
       "the mean distance to the own centre shrinks several-fold.", "measured",
       f"mean distance to the own class centre at λ = 1 below 1/{checks.SHRINK} of that at λ = 0", "centre",
       checks.centre_shrinks),
    _c("centre.crowd", "centre", "In a run this short the centres come closer together just as fast, so the "
       "classes crowd each other rather than separate better — read the axes: the whole picture shrinks.",
       "measured", f"mean distance between class centres at λ = 1 below 1/{checks.SHRINK} of that at λ = 0",
       "centre", checks.centres_crowd),
    _c("centre.lfw", "centre", "Center loss was one of the recipes behind 99.28 % on LFW (FaceNet: 99.63 %)."),
    # --- One-shot ---
    _c("oneshot.unseen", "one-shot", "The network never saw these alphabets: it learned a *similarity*, not a "
       "list of classes."),
    _c("oneshot.emerges", "one-shot", "Train your own: the network only ever learns which background drawings go "
       "together, yet its 20-way accuracy on alphabets it never sees rises while its training loss falls. It "
       "starts well above chance: even an untrained network compares these redrawn strokes better than 1 in 20.",
       "measured", "the last live frame's 20-way accuracy on the 400 fixed validation trials above the first "
       "frame's, and the mean training loss of the last quarter of steps below the first quarter's",
       "oneshot-train", checks.oneshot_emerges),
    _c("oneshot.slower-than-pixels", "one-shot", "Tasks get harder as N grows, but far slower for the network "
       "than for raw pixels (1-NN).", "computed",
       "accuracy lost from N = 2 to N = 20 within one alphabet: the network's < half of 1-NN's",
       "oneshot", checks.oneshot_slower),
    _c("oneshot.within-harder", "one-shot", "Characters of one alphabet look alike, so within-alphabet tasks are "
       "harder than mixed ones — try \"all alphabets mixed\".", "computed",
       "20-way accuracy within one alphabet below 20-way accuracy with all alphabets mixed",
       "oneshot", checks.within_harder),
    _c("oneshot.canvas", "one-shot", "Draw a character: the canvas drawing goes through the same steps as the "
       "data (binarised at 105×105, ink bright, shrunk to the network's input size)."),
    _c("oneshot.mnist", "one-shot", "The MNIST figure is pure transfer: trained on Omniglot strokes, tested on "
       "digits that are first redrawn with Omniglot's pen (binarised at 105×105, thinned to a skeleton, drawn "
       "again 5 px wide); the 1-NN baseline sees the same redrawn digits."),
    # --- Faces ---
    _c("faces.default-pair", "faces", f"The pair shown first ({_A[0]}, photos {_A[1]} and {_B[1]}: the same person) "
       "is one both models get right.", "computed", "both models' verdicts on the default pair equal the truth",
       "faces", checks.faces_default_pair),
    _c("faces.failure-pair", "faces", f"Now try **{_F[0][0]}, photos {_F[0][1]} and {_F[1][1]}** (the same person "
       "again): the class model says *different people* — a failure — while SFace gets it right.", "computed",
       "class model wrong and SFace right on that pair", "faces", checks.faces_failure_pair),
    _c("faces.threshold", "faces", "Move τ: a lower threshold accepts more impostors (FAR up), a higher one "
       "rejects more genuine pairs (FRR up); the ROC point moves along the curve. There is no threshold without "
       "a cost."),
    _c("faces.data-gap", "faces", "The class model learned from 24 people and 240 grey pictures in about 25 "
       "minutes of one CPU core; SFace learned from hundreds of thousands of faces. On the same held-out pairs "
       "the gap is the lesson: metric learning works, and data is what makes it generalise.", "computed",
       "held-out pair accuracy of SFace above the class model's, both above chance "
       "(docs/results/faces-benchmark.json)", "faces-benchmark", checks.faces_gap),
    _c("faces.own-photo", "faces", "Your own photo is far from the AT&T pictures (colour, lighting, background, "
       "camera): the small model is out of its depth there, SFace much less so. Detection and alignment matter "
       "as much as the network — compare the YuNet and Haar boxes."),
    _c("gallery.enrol", "gallery", "Enrolling a new person took no training: one embedding is stored (the "
       "passport-gate idea)."),
    _c("gallery.unknown", "gallery", "Identification is many verifications at once, so false accepts add up "
       "with gallery size; the *unknown* answer is what keeps an open-world system honest."),
    # --- Home ---
    _c("home.retrain", "home", "A classifier must be retrained for every new class; an embedding plus a "
       "distance does not."),
    _c("home.measured", "home", "Every number in this app is measured on real data by `siamese_core`, and the "
       "same numbers come out of `python -m siamese_core` on the command line."),
)

BY_KEY = {c.key: c for c in CLAIMS}


def for_page(page: str) -> list[Claim]:
    return [c for c in CLAIMS if c.page == page]


def notice_text(page: str, verdicts: Mapping[str, Verdict] | None = None) -> str:
    """The page section's *What to notice* note: its claims' sentences as bullets. A claim the student's own
    run contradicts (`verdicts`, by claim key) is not repeated: the bullet says what the run showed."""
    lines = []
    for c in for_page(page):
        v = (verdicts or {}).get(c.key)
        if v is not None and not v.held:
            lines.append(f"- ⚠️ **Your run did not show this one:** {v.shown}. The note usually reads: "
                         f"*{c.sentence}* — see the check below the results.")
        else:
            lines.append(f"- {c.sentence}")
    return "\n".join(lines)
