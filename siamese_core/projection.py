"""2-D projections of embeddings for plotting; seeded so the same run draws the same picture."""
from __future__ import annotations

import numpy as np
import torch
from sklearn.manifold import TSNE


def tsne_2d(x, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """t-SNE of N×D embeddings to N×2 (PCA start, fixed seed). D = 2 is returned as it is."""
    x = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    x = x.astype(np.float32, copy=False)
    if x.ndim != 2 or len(x) < 3:
        raise ValueError("need an N×D array with N ≥ 3")
    if x.shape[1] == 2:
        return x.copy()
    perplexity = min(perplexity, (len(x) - 1) / 3)
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(x)
