"""Teaching state in the URL (`st.query_params`), so a prepared view can be bookmarked and shared.

Pattern: `value = url_choice("dataset", options, default)` gives the widget's starting value from the URL;
after the widget, `set_url(dataset=value)` writes it back. Give such a widget a `key`: without one,
Streamlit's widget identity includes the starting value, which the URL has just changed, so the next
move of the same widget would be dropped (the slider jumps back)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import streamlit as st

T = TypeVar("T")


def url_choice(key: str, options: Sequence[T], default: T) -> T:
    """The option named in the URL under `key`, else `default` (unknown values are ignored)."""
    raw = st.query_params.get(key)
    for option in options:
        if str(option) == raw:
            return option
    return default


def url_int(key: str, default: int, lo: int, hi: int) -> int:
    """An integer from the URL, clamped to [lo, hi]; `default` when missing or not a number."""
    try:
        return min(hi, max(lo, int(st.query_params.get(key, default))))
    except (TypeError, ValueError):
        return default


def url_int_in_range(key: str, default: int, lo: int, hi: int, what: str) -> int:
    """An integer from the URL within [lo, hi]; anything else there gives `default`, and one sentence saying the
    allowed range (`what` names the setting), where `url_int` would clamp silently."""
    raw = st.query_params.get(key)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        st.warning(f"The link's {what} must be a whole number from {lo} to {hi}: using {default}.")
        return default
    return value


def url_choices(key: str, options: Sequence[T], default: Sequence[T]) -> list[T]:
    """The options the URL names under `key`, comma-separated, in the options' order (unknown values are
    ignored; an empty value is an empty choice); `default` when the URL has no `key`."""
    raw = st.query_params.get(key)
    if raw is None:
        return list(default)
    named = set(raw.split(","))
    return [option for option in options if str(option) in named]


def url_float(key: str, default: float, lo: float, hi: float) -> float:
    try:
        return min(hi, max(lo, float(st.query_params.get(key, default))))
    except (TypeError, ValueError):
        return default


def set_url(**values) -> None:
    """Write the current values into the URL (only the ones that changed, to avoid needless reruns); a list
    (a multiselect's choice) is written comma-separated, as `url_choices` reads it."""
    for key, value in values.items():
        text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text
