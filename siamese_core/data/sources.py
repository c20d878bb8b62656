"""Where each downloadable dataset lives on the internet: files, mirrors, sizes and checksums.

The checksums are the ones torchvision and scikit-learn check (MNIST.resources, FashionMNIST.resources,
sklearn's Olivetti FACES), plus the published sha256 of the Omniglot npz arrays and the md5 of the
official one-shot runs. Setting $SIAMESE_LAB_MIRROR to a base URL fetches every file from
<base>/<its path in the data dir> instead (a local copy of a data dir served over HTTP), and never from
the internet.
"""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from .mnist import MNIST, FashionMNIST, IdxDataset
from .omniglot import RUNS_MD5, RUNS_URL

MIRROR_ENV = "SIAMESE_LAB_MIRROR"


@dataclass(frozen=True)
class RemoteFile:
    path: str                  # where it lands under the data dir (and its path under a mirror)
    urls: tuple[str, ...]      # where the world keeps it, tried in order
    size: int                  # bytes, for progress and the Datasets panel
    md5: str | None = None     # checked with base.md5_matches
    sha256: tuple[str, ...] = ()  # any one of these is accepted

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def urls_for(file: RemoteFile) -> tuple[str, ...]:
    """The URLs to try now: the mirror from $SIAMESE_LAB_MIRROR alone when set (read at call time)."""
    mirror = os.environ.get(MIRROR_ENV)
    return (f"{mirror.rstrip('/')}/{file.path}",) if mirror else file.urls


def _torchvision_files(cls: IdxDataset, sizes: dict[str, int]) -> tuple[RemoteFile, ...]:
    folder = f"{cls.folder}/raw"
    return tuple(RemoteFile(f"{folder}/{name}", tuple(m + name for m in cls.mirrors), sizes[name], md5=md5)
                 for name, md5 in cls.resources)


_NPZ = "https://raw.githubusercontent.com/bitsandscraps/omniglot/b0481240b7eb42393285a93ce7d2f266ff10c62b/"
# sklearn.datasets._olivetti_faces.FACES (url and sha256), and the same 400 faces re-saved in 2013 as
# sjgershm/DBM's olivettifaces.mat (array-identical; the file shared/data keeps, see its README §5).
OLIVETTI_URL = "https://ndownloader.figshare.com/files/5976027"
OLIVETTI_SHA256 = ("b612fb967f2dc77c9c62d3e1266e0c73d5fca46a4b8906c18e454d41af987794",
                   "b1988d02c72fe5b8ee82b5ef3bb7982eafc74f1e1ff0ae0ade35061ad0af534d")
OLIVETTI_MAT = "olivetti/olivettifaces.mat"

SOURCES: dict[str, tuple[RemoteFile, ...]] = {
    "mnist": _torchvision_files(MNIST, {
        "train-images-idx3-ubyte.gz": 9_912_422, "train-labels-idx1-ubyte.gz": 28_881,
        "t10k-images-idx3-ubyte.gz": 1_648_877, "t10k-labels-idx1-ubyte.gz": 4_542}),
    "fashion-mnist": _torchvision_files(FashionMNIST, {
        "train-images-idx3-ubyte.gz": 26_421_880, "train-labels-idx1-ubyte.gz": 29_515,
        "t10k-images-idx3-ubyte.gz": 4_422_102, "t10k-labels-idx1-ubyte.gz": 5_148}),
    "omniglot": (
        RemoteFile("omniglot/npz/images_background.npz", (_NPZ + "images_background.npz",), 3_340_794,
                   sha256=("8bf84167413cd00beacdce3fe582f780ab538d8dbef043a6d688f2527bbce199",)),
        RemoteFile("omniglot/npz/images_evaluation.npz", (_NPZ + "images_evaluation.npz",), 2_415_269,
                   sha256=("0b84c7ffd94c4841c0040e529c86a82eaaccb986d8eadad5673f7991b7475276",)),
        RemoteFile("omniglot/official/all_runs.zip", (RUNS_URL,), 352_787, md5=RUNS_MD5),
    ),
    "olivetti": (RemoteFile(OLIVETTI_MAT, (OLIVETTI_URL,), 1_432_511, sha256=OLIVETTI_SHA256),),
}


def download_bytes(name: str) -> int:
    """Approximate bytes a download of dataset `name` fetches (0 when it has no files to fetch)."""
    return sum(f.size for f in SOURCES.get(name, ()))


# The Omniglot npz arrays hold characters in the canonical char_id order: alphabets one after another,
# characters 01.. within each. (alphabet, characters) per set rebuilds the character index the loader reads.
OMNIGLOT_ALPHABETS = {
    "images_background": (
        ("Arcadian", 26), ("Armenian", 41), ("Asomtavruli_(Georgian)", 40), ("Balinese", 24), ("Bengali", 46),
        ("Blackfoot_(Canadian_Aboriginal_Syllabics)", 14), ("Braille", 26), ("Cyrillic", 33),
        ("Early_Aramaic", 22), ("Syriac_(Estrangelo)", 23), ("Anglo-Saxon_Futhorc", 29), ("Futurama", 26),
        ("Grantha", 43), ("Greek", 24), ("Gujarati", 48), ("Hebrew", 22), ("Japanese_(hiragana)", 52),
        ("Inuktitut_(Canadian_Aboriginal_Syllabics)", 16), ("Malay_(Jawi_-_Arabic)", 40),
        ("Japanese_(katakana)", 47), ("Korean", 40), ("Latin", 26), ("Alphabet_of_the_Magi", 20),
        ("Mkhedruli_(Georgian)", 41), ("Burmese_(Myanmar)", 34), ("N_Ko", 33),
        ("Ojibwe_(Canadian_Aboriginal_Syllabics)", 14), ("Sanskrit", 42), ("Tagalog", 17), ("Tifinagh", 55)),
    "images_evaluation": (
        ("Angelic", 20), ("Atemayar_Qelisayer", 26), ("Atlantean", 26), ("Aurek-Besh", 26), ("Avesta", 26),
        ("Ge_ez", 26), ("Glagolitic", 45), ("Gurmukhi", 45), ("Kannada", 41), ("Keble", 26),
        ("Malayalam", 47), ("Manipuri", 40), ("Mongolian", 30), ("Old_Church_Slavonic_(Cyrillic)", 45),
        ("Oriya", 46), ("Syriac_(Serto)", 23), ("Sylheti", 28), ("Tengwar", 25), ("Tibetan", 42), ("ULOG", 26)),
}


def write_omniglot_index(path: Path) -> None:
    """omniglot_character_index.csv (set, npz_index, char_id, alphabet, character) for the npz arrays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        out = csv.writer(f)  # csv's own \r\n: byte-identical to the index shared/data keeps
        out.writerow(["set", "npz_index", "char_id", "alphabet", "character"])
        char_id = 0
        for split, alphabets in OMNIGLOT_ALPHABETS.items():
            index = 0
            for alphabet, count in alphabets:
                for k in range(count):
                    char_id += 1
                    out.writerow([split, index, char_id, alphabet, f"character{k + 1:02d}"])
                    index += 1
