"""Named training recipes: `python -m siamese_core train --preset NAME` (options given beside it win).

koch-30k / koch-90k / koch-150k: Koch, Zemel & Salakhutdinov (2015) as published — the 105×105 ConvNet
with its initialisation, weighted-L1 head and BCE, SGD with per-layer learning rates, momentum rising
linearly from 0.5, 1 % learning-rate decay per epoch, L2 regularisation, a fixed set of 30k/90k/150k
pairs from 12 of the 20 drawers, each pair also seen through 8 affine distortions, up to 200 epochs,
early stopping after 20 epochs without a better 20-way one-shot validation accuracy (320 tasks).
The paper tuned η_j, μ_j, λ_j per layer by Bayesian optimisation and did not publish them; the
values below sit inside its search ranges (η ∈ [1e-4, 1e-1], μ ∈ [0, 1], λ ∈ [0, 0.1]).
Full size, this is days of CPU time.

oneshot-cpu: the recipe behind assets/oneshot-omniglot.pt, trained with `--seconds 1150` on a 2-core CPU: two
twins side by side, one per core, inside 30 minutes of wall time with the redrawing and validation (three
seeds were trained and the one with the median validation accuracy shipped: see docs/models/one-shot.md).

oneshot-fast: the same recipe for a run a class watches, one to five minutes (docs/benchmarks.md, "One-shot
learning in minutes"); the One-shot page trains it as one twin (lessons.experiments.oneshot_config).

faces-cpu: the recipe behind assets/faces_siamese.pt, five twins of about four minutes each on one CPU
core (25 minutes in all; see assets/faces.md for how it was chosen on validation people and what it
reaches on the held-out ones).
"""
from __future__ import annotations

from .config import TrainConfig

_KOCH = dict(
    dataset="omniglot", loss="bce-l1", backbone="koch", embedding_dim=4096, image_size=None, width=1.0,
    batch_size=128, optimizer="koch-sgd", lr=1e-2, momentum=0.9, weight_decay=2e-4,
    # conv1..conv4, dense 4096, the α layer
    layer_lrs=(1e-2, 1e-2, 1e-2, 1e-2, 1e-2, 1e-2), layer_momentum=(0.9,) * 6,
    layer_l2=(2e-4, 2e-4, 2e-4, 2e-4, 1e-3, 0.0), lr_decay=0.01,
    augment=True, train_drawers=12, epochs=200, patience=20,
    val_metric="oneshot", val_data="omniglot-validation", val_n_way=20, val_tasks=320,
    val_pairs=2000)

PRESETS: dict[str, dict] = {
    "koch-30k": {**_KOCH, "pair_set": 30_000},
    "koch-90k": {**_KOCH, "pair_set": 90_000},
    "koch-150k": {**_KOCH, "pair_set": 150_000},
    "oneshot-cpu": dict(
        # Koch's twin scaled down (28×28 input, half the channels, batch norm); every P×K batch of
        # 64 characters × 2 drawings is a 64-way one-shot task (prototypical loss, Snell et al. 2017).
        dataset="omniglot", loss="prototypical", backbone="koch-small", batch_norm=True, embedding_dim=128,
        image_size=(28, 28), width=0.5, batch_size=128, samples_per_class=2, distance="l2",
        # Every character also turned by 90/180/270° as a class of its own (3,856 classes), so a
        # half-hour run does not learn the 964 by heart; each batch takes its 64 characters from as few
        # alphabets as hold them (like the within-alphabet test tasks); the learning rate follows a
        # cosine to 0 over the time budget (--seconds), whatever number of steps the machine manages
        # in it; embeddings are averaged over 1-pixel moves at test time (and at validation); every drawing
        # is redrawn with Omniglot's pen, upright and centred, in training and in prepare() alike (strokes).
        rotations=True, alphabet_batches=True, test_shifts=1, strokes=True,
        optimizer="adam", lr=1e-3, lr_schedule="cosine", epochs=50, steps_per_epoch=400,
        val_metric="oneshot", val_data="omniglot-validation", val_n_way=20, val_tasks=320,
        # Koch's affine distortions on every training drawing; two such twins (seeds seed, seed+1) trained
        # side by side, one per core, their embeddings set end to end as each learned them (a squared
        # distance is the mean of the two members', so p(c | x) keeps the scale the loss trained).
        augment=True, members=2, member_join="concat", member_processes=2),
    # The same recipe, 60 s unless --seconds says otherwise, validated on 100 tasks rather than 320 (a page run's
    # own frames score 400 fixed trials besides).
    "oneshot-fast": dict(
        dataset="omniglot", loss="prototypical", backbone="koch-small", batch_norm=True, embedding_dim=128,
        image_size=(28, 28), width=0.5, batch_size=128, samples_per_class=2, distance="l2",
        rotations=True, alphabet_batches=True, test_shifts=1, strokes=True,
        optimizer="adam", lr=1e-3, lr_schedule="cosine", epochs=50, steps_per_epoch=400, seconds=60.0,
        clock="cpu",  # --seconds counts each twin's CPU time, as a page's runs do: a busy machine trains as many steps
        val_metric="oneshot", val_data="omniglot-validation", val_n_way=20, val_tasks=100,
        augment=True, members=2, member_join="concat", member_processes=2),
    "faces-cpu": dict(
        # AT&T people s1–s30 (6 of them held out for validation): a small batch-normed CNN on 56×46
        # pictures trained as a CosFace classifier of the 24 others, mirrored/turned/re-lit pictures,
        # AdamW with a warm-up and a cosine decay; evaluated on each picture and its mirror image.
        dataset="faces", loss="cosface", backbone="face-cnn", embedding_dim=128, dropout=0.3,
        image_size=(56, 46), margin=0.35, batch_size=64, samples_per_class=4,
        optimizer="adamw", lr=1e-3, weight_decay=5e-4, lr_schedule="warmup-cosine",
        epochs=10, steps_per_epoch=50, augment=True, augmentation="faces", flip_average=True,
        val_fraction=0.2,
        # Five such twins (seeds 0–4, the same 24 people), their unit embeddings averaged; pairs scored
        # by S-norm against the 240 training pictures.
        members=5, score_norm=True),
}


# What a dataset trains with when no option says otherwise (`train --dataset NAME`). Fashion-MNIST:
# triplet loss with semi-hard negatives at margin 0.1, Adam at 3·10⁻³ following a cosine over the time
# budget, no dropout — chosen on validation pairs and pairs of a development seed as the best 60-s recipe
# (docs/benchmarks.md, "Fashion-MNIST from the defaults"). The losses page trains with its learning rate,
# schedule and dropout whatever loss and margin a student picks.
DATASET_RECIPES: dict[str, dict] = {
    "fashion-mnist": dict(loss="triplet", margin=0.1, lr=3e-3, lr_schedule="cosine", dropout=0.0),
}


def dataset_recipe(dataset: str) -> dict:
    """The settings `dataset` trains with by default (empty: TrainConfig's own defaults)."""
    return dict(DATASET_RECIPES.get(dataset, {}))


def recipe_for_loss(dataset: str) -> dict:
    """The dataset's recipe for a run whose loss and margin are chosen elsewhere (the losses page's menu and
    slider): its training settings only (learning rate, schedule, dropout)."""
    recipe = dataset_recipe(dataset)
    recipe.pop("loss", None)
    recipe.pop("margin", None)
    return recipe


def preset_config(name: str, **overrides) -> TrainConfig:
    """The TrainConfig of a named recipe, with some fields replaced."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; valid names: {', '.join(PRESETS)}")
    return TrainConfig(**{**PRESETS[name], **overrides})
