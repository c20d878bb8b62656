"""2-D projections of embeddings for plotting; seeded so the same run draws the same picture.

`tsne_2d` is what the pages call. It runs openTSNE (Poličar et al.) with Barnes-Hut gradients on as many
threads as torch has in the process (`n_jobs`), exact neighbours and a shorter schedule (250 exaggerated +
500 normal iterations with the learning rate N/12 of Belkina et al. 2019) instead of scikit-learn's 250 + 750
at a smaller rate: the same trustworthiness in less time (docs/results/tsne-speed.json, measured by
benchmarks/tsne_speed.py as it was at commit d1ed1ec). For a few thousand points Barnes-Hut beats
openTSNE's FFT gradients, whose grid grows as the map spreads out."""
from __future__ import annotations

import numpy as np
import torch

EARLY_ITERATIONS, ITERATIONS = 250, 500


def _as_array(x) -> np.ndarray:
    x = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    x = x.astype(np.float32, copy=False)
    if x.ndim != 2 or len(x) < 3:
        raise ValueError("need an N×D array with N ≥ 3")
    return x


def tsne_2d(x, seed: int = 0, perplexity: float = 30.0, n_jobs: int | None = None,
            init: np.ndarray | None = None) -> np.ndarray:
    """t-SNE of N×D embeddings to N×2 (fixed seed), started from PCA or from `init` (e.g. the live map's
    last layout, so the t-SNE keeps its orientation). D = 2 is returned as it is. `n_jobs`: openTSNE's
    threads, by default torch's count in this process: one in a page job, whose server's cores are taken by
    the class (a second thread then waits for a core and makes the map slower, not faster:
    docs/results/threads-busy.json); every core on the command line. A page's own t-SNE, on the server's
    thread, passes a job's count (`experiment.tsne_of_probe`)."""
    x = _as_array(x)
    n_jobs = n_jobs or torch.get_num_threads()
    if x.shape[1] == 2:
        return x.copy()
    perplexity = min(perplexity, (len(x) - 1) / 3)
    try:
        import openTSNE
    except ImportError:  # the slower reference still gives the same kind of picture
        return sklearn_tsne(x, seed, perplexity)
    x64 = x.astype(np.float64)
    affinities = openTSNE.affinity.PerplexityBasedNN(x64, perplexity=perplexity, method="exact",
                                                     n_jobs=n_jobs, random_state=seed)
    if init is None:
        init = openTSNE.initialization.pca(x64, random_state=seed)
    else:  # openTSNE wants a start of tiny spread; the shape (and orientation) is what counts
        init = openTSNE.initialization.rescale(np.asarray(init, dtype=np.float64))
    emb = openTSNE.TSNEEmbedding(init, affinities, learning_rate=max(len(x) / 12, 50.0),
                                 negative_gradient_method="bh", n_jobs=n_jobs, random_state=seed)
    emb = emb.optimize(n_iter=EARLY_ITERATIONS, exaggeration=12, momentum=0.5)
    emb = emb.optimize(n_iter=ITERATIONS, momentum=0.8)
    return np.asarray(emb, dtype=np.float32)


def sklearn_tsne(x, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """scikit-learn's TSNE with its defaults: the fallback without openTSNE (and the baseline tsne_2d was measured
    against)."""
    x = _as_array(x)
    perplexity = min(perplexity, (len(x) - 1) / 3)
    from sklearn.manifold import TSNE  # the fallback alone needs scikit-learn (a second to import)

    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(x)
