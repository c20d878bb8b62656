"""Samplers: balanced pairs, triplets, P×K class-balanced batches, N-way k-shot tasks.

All take integer labels and a seed (or a torch.Generator) and return indices, so the same draw
can be replayed and shown. y = 1 means "same class" everywhere.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch


def _generator(seed: int | torch.Generator | None) -> torch.Generator:
    if isinstance(seed, torch.Generator):
        return seed
    g = torch.Generator()
    g.manual_seed(0 if seed is None else int(seed))
    return g


def _members(labels: torch.Tensor) -> list[torch.Tensor]:
    """members[c] = indices of class c."""
    labels = torch.as_tensor(labels)
    order = torch.argsort(labels, stable=True)
    counts = torch.bincount(labels)
    return list(torch.split(order, counts.tolist()))


def sample_pairs(labels, n_pairs: int, seed: int | torch.Generator | None = 0
                 ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """n_pairs pairs (i, j, y), exactly half same-class (y=1, i≠j) and half different (y=0), shuffled."""
    labels = torch.as_tensor(labels)
    if n_pairs < 2 or n_pairs % 2:
        raise ValueError("n_pairs must be an even number ≥ 2 (half same, half different)")
    g = _generator(seed)
    order = torch.argsort(labels, stable=True)
    counts = torch.bincount(labels)
    starts = torch.cumsum(counts, 0) - counts
    usable = torch.nonzero(counts >= 2).squeeze(1)
    if len(usable) == 0 or int((counts > 0).sum()) < 2:
        raise ValueError("need a class with two examples and at least two classes")
    half = n_pairs // 2
    # Same pairs: a class weighted by its size, then two distinct members a, b of it.
    cls = usable[torch.multinomial(counts[usable].float(), half, replacement=True, generator=g)]
    size = counts[cls]
    a = (torch.rand(half, generator=g) * size).long()
    b = (a + 1 + (torch.rand(half, generator=g) * (size - 1)).long()) % size
    same_i, same_j = order[starts[cls] + a], order[starts[cls] + b]
    # Different pairs: random i, then j drawn until its class differs (vectorised rejection).
    di = torch.randint(len(labels), (half,), generator=g)
    dj = torch.randint(len(labels), (half,), generator=g)
    bad = labels[di] == labels[dj]
    while bad.any():
        dj[bad] = torch.randint(len(labels), (int(bad.sum()),), generator=g)
        bad = labels[di] == labels[dj]
    i = torch.cat([same_i, di])
    j = torch.cat([same_j, dj])
    y = torch.cat([torch.ones(half), torch.zeros(half)])
    perm = torch.randperm(n_pairs, generator=g)
    return i[perm], j[perm], y[perm]


def sample_triplets(labels, n_triplets: int, seed: int | torch.Generator | None = 0
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Random valid triplets (anchor, positive of the same class, negative of another class)."""
    g = _generator(seed)  # one generator for pairs and negatives: a caller's Generator is honoured
    i, j, _ = sample_pairs(labels, 2 * n_triplets, g)
    labels = torch.as_tensor(labels)
    same = labels[i] == labels[j]
    a, p = i[same][:n_triplets], j[same][:n_triplets]
    n = torch.randint(len(labels), (len(a),), generator=g)
    bad = labels[n] == labels[a]
    while bad.any():
        n[bad] = torch.randint(len(labels), (int(bad.sum()),), generator=g)
        bad = labels[n] == labels[a]
    return a, p, n


def batch_pairs(labels: torch.Tensor, generator: torch.Generator | None = None
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Balanced pairs inside one batch: every same-class pair plus as many random different pairs."""
    n = len(labels)
    ii, jj = torch.triu_indices(n, n, offset=1)
    same = labels[ii] == labels[jj]
    pos_i, pos_j = ii[same], jj[same]
    neg_i, neg_j = ii[~same], jj[~same]
    k = min(len(pos_i), len(neg_i))
    pick = torch.randperm(len(neg_i), generator=generator)[:k]
    if len(pos_i) > k:
        pos_pick = torch.randperm(len(pos_i), generator=generator)[:k]
        pos_i, pos_j = pos_i[pos_pick], pos_j[pos_pick]
    i = torch.cat([pos_i, neg_i[pick]])
    j = torch.cat([pos_j, neg_j[pick]])
    y = torch.cat([torch.ones(len(pos_i)), torch.zeros(k)])
    return i, j, y


class PKBatchSampler:
    """Batches of P classes × K examples each (for in-batch mining); `steps` batches per pass."""

    def __init__(self, labels, p: int, k: int, steps: int, seed: int | None = 0, groups=None):
        members = _members(torch.as_tensor(labels))
        kept = [c for c, m in enumerate(members) if len(m) > 0]
        self.members = [members[c] for c in kept]
        if p < 1 or k < 1 or steps < 1:
            raise ValueError("p, k and steps must be ≥ 1")
        if p > len(self.members):
            raise ValueError(f"P = {p} classes per batch, but the data has only {len(self.members)}")
        self.p, self.k, self.steps = p, k, steps
        self.generator = _generator(seed)
        # groups[c] (e.g. the alphabet of class c): a batch then takes its P classes from as few
        # groups as hold them, so it is as hard as a within-alphabet test task.
        self.groups = None
        if groups is not None:
            by_group: dict = {}
            for n, c in enumerate(kept):
                by_group.setdefault(groups[c], []).append(n)
            self.groups = [torch.tensor(v) for v in by_group.values()]

    def _classes(self) -> torch.Tensor:
        g = self.generator
        if self.groups is None:
            return torch.randperm(len(self.members), generator=g)[: self.p]
        picked, need = [], self.p
        for gi in torch.randperm(len(self.groups), generator=g).tolist():
            group = self.groups[gi]
            picked.append(group[torch.randperm(len(group), generator=g)[:need]])
            need -= len(picked[-1])
            if need == 0:
                break
        return torch.cat(picked)

    def __len__(self) -> int:
        return self.steps

    def __iter__(self) -> Iterator[torch.Tensor]:
        g = self.generator
        for _ in range(self.steps):
            classes = self._classes()
            batch = []
            for c in classes.tolist():
                m = self.members[c]
                # Without replacement when the class has K examples, else with.
                pick = (torch.randperm(len(m), generator=g)[: self.k] if len(m) >= self.k
                        else torch.randint(len(m), (self.k,), generator=g))
                batch.append(m[pick])
            yield torch.cat(batch)


class PairSetBatches:
    """Koch et al.'s training set: a FIXED list of `n_pairs` balanced pairs drawn once (30k, 90k or
    150k in the paper), each seen once as drawn and `distortions` more times through a random affine
    distortion per epoch (Koch: 8). Yields (i, j, y, distort) batches: image indices of both sides,
    y = 1 for same, and which rows to distort."""

    def __init__(self, labels, n_pairs: int, batch_size: int, distortions: int = 8, seed: int | None = 0):
        if batch_size < 2 or distortions < 0:
            raise ValueError("batch_size must be ≥ 2 and distortions ≥ 0")
        self.generator = _generator(seed)
        self.i, self.j, self.y = sample_pairs(labels, n_pairs, self.generator)
        self.batch_size, self.copies = batch_size, 1 + distortions

    def __len__(self) -> int:
        return -(-len(self.y) * self.copies // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
        n = len(self.y)
        order = torch.randperm(n * self.copies, generator=self.generator)
        for s in range(0, len(order), self.batch_size):
            rows = order[s:s + self.batch_size]
            pair = rows % n
            yield self.i[pair], self.j[pair], self.y[pair], rows >= n  # copy 0 is the undistorted one


@dataclass
class Task:
    """One N-way k-shot task: support indices (N·k, class-major), their class ids, one query."""

    support: torch.Tensor        # (N·k,) dataset indices
    support_classes: torch.Tensor  # (N,) dataset class id of each way
    query: int                   # dataset index of the query (not among the support)
    answer: int                  # which way (0..N-1) the query belongs to

    @property
    def n_way(self) -> int:
        return len(self.support_classes)


def sample_tasks(labels, n_way: int, n_tasks: int, k_shot: int = 1, seed: int = 0,
                 alphabets: Sequence[str] | None = None, within_alphabet: bool = False) -> list[Task]:
    """N-way k-shot tasks: N distinct classes, k support images each, one query of one of them
    that is a different image (a different drawing) from its supports.

    within_alphabet: draw all N classes from one alphabet (Koch's and Lake's protocol); `alphabets`
    gives the alphabet of each class."""
    labels = torch.as_tensor(labels)
    if n_way < 2:
        raise ValueError("n_way must be ≥ 2")
    g = _generator(seed)
    members = _members(labels)
    ok = [c for c, m in enumerate(members) if len(m) >= k_shot + 1]
    if within_alphabet:
        if alphabets is None:
            raise ValueError("within_alphabet needs the alphabet of each class")
        groups: dict[str, list[int]] = {}
        for c in ok:
            groups.setdefault(alphabets[c], []).append(c)
        pools = [cs for cs in groups.values() if len(cs) >= n_way]
        if not pools:
            raise ValueError(f"no alphabet has {n_way} characters")
    else:
        if len(ok) < n_way:
            raise ValueError(f"{n_way}-way tasks need {n_way} classes with {k_shot + 1}+ images; "
                             f"the data has {len(ok)}")
        pools = [ok]
    tasks = []
    for _ in range(n_tasks):
        pool = pools[int(torch.randint(len(pools), (1,), generator=g))]
        ways = [pool[c] for c in torch.randperm(len(pool), generator=g)[:n_way].tolist()]
        answer = int(torch.randint(n_way, (1,), generator=g))
        support, query = [], -1
        for w, c in enumerate(ways):
            m = members[c]
            pick = torch.randperm(len(m), generator=g)
            support.append(m[pick[:k_shot]])
            if w == answer:
                query = int(m[pick[k_shot]])
        tasks.append(Task(torch.cat(support), torch.tensor(ways), query, answer))
    return tasks
