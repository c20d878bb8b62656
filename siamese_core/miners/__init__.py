"""Miners: which (anchor, positive, negative) triplets of a batch the triplet loss sees."""
from __future__ import annotations

from .all_triplets_miner import AllTripletsMiner
from .base_miner import BaseMiner, label_masks
from .batch_hard_miner import BatchHardMiner
from .hardest_negative_miner import HardestNegativeMiner
from .random_miner import RandomTripletMiner
from .semihard_miner import SemiHardMiner

MINER_NAMES = ("all", "random", "semi-hard", "batch-hard", "hardest")


def make_miner(name: str, margin: float = 0.2, seed: int | None = None) -> BaseMiner:
    """"all", "random" (uses seed), "semi-hard" (uses margin), "batch-hard" or "hardest"."""
    key = name.lower().strip().replace("_", "-") if isinstance(name, str) else name
    key = {"semihard": "semi-hard", "batchhard": "batch-hard"}.get(key, key)
    if key == "all":
        return AllTripletsMiner()
    if key == "random":
        return RandomTripletMiner(seed=seed)
    if key == "semi-hard":
        return SemiHardMiner(margin=margin)
    if key == "batch-hard":
        return BatchHardMiner()
    if key == "hardest":
        return HardestNegativeMiner()
    raise ValueError(f"unknown miner {name!r}; valid names: {', '.join(MINER_NAMES)}")


__all__ = ["MINER_NAMES", "AllTripletsMiner", "BaseMiner", "BatchHardMiner", "HardestNegativeMiner",
           "RandomTripletMiner", "SemiHardMiner", "label_masks", "make_miner"]
