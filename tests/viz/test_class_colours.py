"""The ten class colours of the maps stay apart for readers with a colour-vision deficiency: each is simulated
for complete protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, severity 1, applied
to linear RGB), and every pair must still differ by a CIEDE2000 distance of at least MIN_DELTA_E."""
from __future__ import annotations

import itertools

import numpy as np
import plotly.colors
import pytest
from skimage.color import deltaE_ciede2000, rgb2lab

from siamese_core.viz.figures import CLASS_COLOURS, tsne_scatter
from siamese_core.viz.frame_figures import PALETTE

# Machado et al. (2009), table of simulation matrices, severity 1.0.
SIMULATIONS = {
    "normal vision": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
# Two map points whose colours differ by 10 or more are told apart at a glance.
MIN_DELTA_E = 10.0


def _srgb(hex_colours) -> np.ndarray:
    return np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in hex_colours]) / 255.0


def _to_linear(c):
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _to_srgb(c):
    c = np.clip(c, 0.0, 1.0)
    return np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def closest_pair(hex_colours, matrix) -> tuple[float, str, str]:
    """The smallest CIEDE2000 distance between two of the colours as `matrix` simulates them, and that pair."""
    lab = rgb2lab(_to_srgb(_to_linear(_srgb(hex_colours)) @ matrix.T)[None])[0]
    return min((float(deltaE_ciede2000(lab[i], lab[j])), hex_colours[i], hex_colours[j])
               for i, j in itertools.combinations(range(len(hex_colours)), 2))


@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_every_pair_of_class_colours_stays_apart(vision):
    assert len(CLASS_COLOURS) == 10
    distance, a, b = closest_pair(CLASS_COLOURS, SIMULATIONS[vision])
    assert distance >= MIN_DELTA_E, f"{a} and {b} are only {distance:.1f} apart under {vision}"


def test_plotly_default_ten_fail_the_check():
    """The maps' colours before: Plotly's blue and violet merge under protanopia, its blue and red stay apart."""
    distance, a, b = closest_pair(plotly.colors.qualitative.Plotly, SIMULATIONS["protanopia"])
    assert distance < 0.25 * MIN_DELTA_E and {a, b} == {"#636EFA", "#AB63FA"}
    assert closest_pair(["#636EFA", "#EF553B"], SIMULATIONS["protanopia"])[0] > MIN_DELTA_E


def test_every_map_draws_its_classes_in_these_colours():
    fig = tsne_scatter(np.random.default_rng(0).normal(size=(30, 2)), np.arange(30) % 3)
    assert [t.marker.color for t in fig.data] == CLASS_COLOURS[:3]
    assert list(PALETTE) == CLASS_COLOURS  # the replay's and live maps' colours
