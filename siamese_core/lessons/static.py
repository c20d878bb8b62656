"""Contexts of the computed claims: what a shipped model or a fixed computation shows, without training.
Each function returns the dict a check in `checks.py` reads."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from ..data import load_dataset
from ..data.omniglot import TEST_ALPHABETS
from ..data.sampling import sample_tasks
from ..evaluation import metrics as ev
from ..evaluation.inputs import load_for
from ..explain.minibatch import class_mix, epoch_batches, same_pair_share
from ..models.checkpoint import load_model

ASSETS = Path(__file__).resolve().parents[2] / "assets"
# The convolution page's "what a trained network's first layer finds" (command in docs/models/).
CONV_FILTER_MODEL = "mnist_koch_edges.pt"
TWINS_BATCH_SIZE = 32      # the twins page's default batch size
# The face page's pairs (person, photo) × 2: the default (both models right) and a failure of the class model.
FACE_DEFAULT_PAIR = (("s31", 1), ("s31", 8))
FACE_FAILURE_PAIR = (("s36", 1), ("s36", 6))


def first_layer(model) -> np.ndarray:
    """The first convolution's filters of a one-channel network, n×k×k."""
    conv = next(m for m in model.twin.modules() if isinstance(m, torch.nn.Conv2d))
    return conv.weight.detach().cpu().numpy()[:, 0]


def conv_filters(path: Path | None = None) -> dict:
    return {"filters": first_layer(load_model(path or ASSETS / CONV_FILTER_MODEL))}


def batches(data_dir=None, batch_size: int = TWINS_BATCH_SIZE) -> dict:
    """The twins page's digits stored class by class, cut into batches with and without shuffling."""
    labels = load_dataset("digits", "train", data_dir).labels.numpy()
    labels = np.sort(labels, kind="stable")
    out = {}
    for shuffle in (False, True):
        mix = class_mix(labels, epoch_batches(len(labels), batch_size, shuffle, seed=0), int(labels.max()) + 1)
        out["shuffled_same_share" if shuffle else "unshuffled_same_share"] = float(same_pair_share(mix).mean())
        if not shuffle:
            out["unshuffled_one_class"] = float(((mix > 0).sum(1) == 1).mean())
    return out


def oneshot(model=None, data_dir=None, tasks: int = 200, seed: int = 0) -> dict:
    """The one-shot page's model on random tasks of the test alphabets: within-alphabet accuracy at N = 2
    and 20 for the network and for 1-NN on pixels, and mixed-alphabet 20-way accuracy."""
    model = model or load_model(ASSETS / "oneshot-omniglot.pt")
    test = load_for(model, "omniglot", "evaluation", data_dir, alphabets=TEST_ALPHABETS)
    net, pix = {}, {}
    for n in (2, 20):
        t = sample_tasks(test.labels, n, tasks, 1, seed, test.alphabets, within_alphabet=True)
        net[n] = ev.oneshot_accuracy(t, test.images, *ev.model_scorer(model))
        pix[n] = ev.oneshot_accuracy(t, test.images, *ev.pixel_scorer())
    mixed = sample_tasks(test.labels, 20, tasks, 1, seed, test.alphabets, within_alphabet=False)
    return {"net": net, "pixels": pix, "net_mixed20": ev.oneshot_accuracy(mixed, test.images, *ev.model_scorer(model))}


def face_verdicts(pairs=(FACE_DEFAULT_PAIR, FACE_FAILURE_PAIR), data_dir=None) -> list[dict]:
    """Each pair through the face page's steps (detect, crop, both embedders, their thresholds):
    {truth, class, sface} where each is "same person?" as a bool."""
    from PIL import Image

    from ..data.att_faces import dataset_rgb
    from ..faces import ClassModelEmbedder, FaceDetector, SFaceEmbedder, find_faces, verify
    from ..faces.embedders import training_dataset
    from ..faces.verify import validation_threshold

    model = load_model(ASSETS / "faces_siamese.pt")
    train = load_dataset(training_dataset(model), "train", data_dir, image_size=model.input_size)
    detector = FaceDetector()
    embedders = [ClassModelEmbedder(model, validation_threshold(model, train)), SFaceEmbedder()]
    samples = load_dataset("faces", "test", data_dir)

    def crops(person: str, photo: int) -> dict:
        k = (int(person[1:]) - 31) * 10 + photo - 1   # test split: s31…s40 × photos 1…10
        p = find_faces(Image.fromarray(dataset_rgb(samples, k)), detector, att_framed=True)
        return p.crops(p.face(0), embedders)

    out = []
    for (pa, na), (pb, nb) in pairs:
        a, b = crops(pa, na), crops(pb, nb)
        v = {e.short: verify(e, a[e.short], b[e.short]).same for e in embedders}
        out.append({"truth": pa == pb, "class": v["class"], "sface": v["sface"]})
    return out


def faces(data_dir=None) -> dict:
    default, failure = face_verdicts(data_dir=data_dir)
    return {"default_pair": default, "failure_pair": failure}


def faces_benchmark() -> dict:
    """The face benchmark's result file (`python -m siamese_core.faces.benchmark`)."""
    path = ASSETS.parent / "docs" / "results" / "faces-benchmark.json"
    return {"faces_benchmark": json.loads(path.read_text())} if path.is_file() else {}


CONTEXTS = {"conv-filters": conv_filters, "batches": batches, "oneshot": oneshot, "faces": faces,
            "faces-benchmark": faces_benchmark}
