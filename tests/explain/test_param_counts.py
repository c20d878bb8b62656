"""Dense versus conv parameter counts against the real torch layers (built on the meta device)."""
import pytest
from torch import nn

from siamese_core.explain.param_counts import (
    compare_layers,
    conv_parameters,
    dense_parameters,
    input_numbers,
    workshop_comparisons,
)


def _count(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def test_workshop_examples():
    assert input_numbers(4, 4, 3) == 48
    assert input_numbers(4320, 7680, 3) == 99_532_800
    small, eight_k = workshop_comparisons(units=64, filters=64, kernel=3)
    assert (small.inputs, eight_k.inputs) == (48, 99_532_800)
    assert small.conv == eight_k.conv  # a conv layer does not care how big the image is


@pytest.mark.parametrize("h,w,c,units,filters,k", [(4, 4, 3, 64, 64, 3), (28, 28, 1, 128, 32, 5),
                                                   (4320, 7680, 3, 1000, 64, 3), (105, 105, 1, 4096, 64, 10)])
def test_counts_match_torch_layers(h, w, c, units, filters, k):
    r = compare_layers(h, w, c, units, filters, k)
    assert r.dense == _count(nn.Linear(h * w * c, units, device="meta")) == dense_parameters(h * w * c, units)
    assert r.conv == _count(nn.Conv2d(c, filters, k, device="meta")) == conv_parameters(k, c, filters)
    assert r.ratio == pytest.approx(r.dense / r.conv)


def test_bad_sizes_raise():
    with pytest.raises(ValueError, match="height must be at least 1"):
        input_numbers(0, 4, 3)
