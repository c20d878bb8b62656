"""Why convolutions: weights of a dense layer on raw pixels versus a convolution layer.

A dense layer connects every input number to every unit, so its size grows with the image; a
convolution shares one small kernel over all positions, so its size does not depend on the image.
"""
from __future__ import annotations

from dataclasses import dataclass

# The workshop's examples: (name, height, width, channels).
WORKSHOP_IMAGES = (("4×4 RGB", 4, 4, 3), ("8K RGB photo", 4320, 7680, 3))


def input_numbers(height: int, width: int, channels: int = 1) -> int:
    """H·W·C numbers in the image: 4·4·3 = 48, 7680·4320·3 = 99,532,800."""
    for v, n in ((height, "height"), (width, "width"), (channels, "channels")):
        if v < 1:
            raise ValueError(f"{n} must be at least 1, got {v}")
    return height * width * channels


def dense_parameters(n_inputs: int, units: int, bias: bool = True) -> int:
    """nn.Linear(n_inputs, units): a weight per (input, unit) pair, plus a bias per unit."""
    return n_inputs * units + (units if bias else 0)


def conv_parameters(kernel: int, in_channels: int, filters: int, bias: bool = True) -> int:
    """nn.Conv2d(in_channels, filters, kernel): k·k·C_in weights per filter, independent of H and W."""
    return kernel * kernel * in_channels * filters + (filters if bias else 0)


@dataclass(frozen=True)
class LayerComparison:
    name: str
    height: int
    width: int
    channels: int
    inputs: int          # H·W·C
    dense: int           # parameters of a dense layer with `units` units
    conv: int            # parameters of a conv layer with `filters` k×k filters
    units: int
    filters: int
    kernel: int

    @property
    def ratio(self) -> float:
        return self.dense / self.conv


def compare_layers(height: int, width: int, channels: int = 1, units: int = 64, filters: int = 64,
                   kernel: int = 3, name: str = "") -> LayerComparison:
    n = input_numbers(height, width, channels)
    return LayerComparison(name, height, width, channels, n, dense_parameters(n, units),
                           conv_parameters(kernel, channels, filters), units, filters, kernel)


def workshop_comparisons(units: int = 64, filters: int = 64, kernel: int = 3) -> list[LayerComparison]:
    return [compare_layers(h, w, c, units, filters, kernel, name) for name, h, w, c in WORKSHOP_IMAGES]
