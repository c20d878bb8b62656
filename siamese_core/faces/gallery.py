"""Identification: a gallery of enrolled people (embeddings only, never photos) and a ranked answer
for a probe. Enrolling a new person is storing an embedding — no retraining (the passport-gate idea)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .embedders import Embedder


@dataclass(frozen=True)
class Match:
    name: str
    similarity: float   # best score over this person's enrolled photos
    photos: int


@dataclass
class Gallery:
    """One embedder's gallery: name → list of D-dimensional embeddings."""
    entries: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def enrol(self, name: str, embedding: np.ndarray) -> None:
        name = name.strip()
        if not name:
            raise ValueError("Give the person a name before enrolling them.")
        emb = np.asarray(embedding, dtype=np.float32).reshape(-1)
        dims = {e.shape[0] for rows in self.entries.values() for e in rows}
        if dims and emb.shape[0] not in dims:
            raise ValueError(f"This embedding has {emb.shape[0]} numbers; the gallery holds {dims.pop()}.")
        if any(np.array_equal(emb, e) for rows in self.entries.values() for e in rows):
            # the same photo again (a second click of Enrol): it would count twice as evidence
            raise ValueError("This photo is already enrolled; choose another photo to enrol.")
        self.entries.setdefault(name, []).append(emb)

    def remove(self, name: str) -> None:
        self.entries.pop(name, None)

    @property
    def names(self) -> list[str]:
        return list(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def rank(self, embedder: Embedder, probe: np.ndarray) -> list[Match]:
        """Everyone enrolled, most similar first (a person scores their best-matching photo)."""
        probe = np.asarray(probe, dtype=np.float32).reshape(1, -1)
        out = []
        for name, rows in self.entries.items():
            g = np.stack(rows)
            scores = embedder.similarity(np.repeat(probe, len(g), axis=0), g)
            out.append(Match(name, float(np.max(scores)), len(rows)))
        return sorted(out, key=lambda m: -m.similarity)

    def identify(self, embedder: Embedder, probe: np.ndarray, threshold: float | None = None
                 ) -> tuple[str | None, list[Match]]:
        """(the best match's name, or None for "unknown" when even it is below the threshold; the ranking)."""
        if not self.entries:
            raise ValueError("The gallery is empty: enrol at least one person first.")
        ranking = self.rank(embedder, probe)
        thr = embedder.threshold if threshold is None else threshold
        return (ranking[0].name if ranking[0].similarity >= thr else None), ranking
