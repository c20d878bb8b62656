"""Fixtures of the page tests: the committed atlas."""
from __future__ import annotations

from pathlib import Path

import pytest

ATLAS = Path(__file__).resolve().parents[2] / "assets" / "atlas"


@pytest.fixture
def atlas(monkeypatch):
    from siamese_core.atlas.grid import Atlas
    monkeypatch.setenv("SIAMESE_LAB_ATLAS_WARM", "0")  # no background figure drawing in tests
    return Atlas.load(ATLAS)
