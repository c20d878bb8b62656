"""The `train` options, generated from the TrainConfig groups' field metadata: one option per setting
(`embedding_dim` → `--embedding-dim`), its help, default and the registry's choices; one help section
per group. Nothing is copied by hand, so a new setting or a registered loss appears here by itself."""
from __future__ import annotations

import argparse
import types
import typing
from dataclasses import MISSING, fields

from ..training.config import GROUP_OF, TrainConfig
from ..training.presets import PRESETS, dataset_recipe
from ..training.settings import GROUPS, choices_of

SECTIONS = {"data": "data", "batches": "batches and pairs", "model": "model", "objective": "loss",
            "optim": "optimiser and learning rate", "budget": "budget", "validation": "validation",
            "run": "run"}


def _base_type(hint):
    """int | None → int; tuple[int, int] | None → tuple[int, int]."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(hint) if a is not type(None))
    return hint


def _kind(hint) -> dict:
    """argparse keywords for a field's type."""
    base = _base_type(hint)
    if base is bool:
        return {"action": argparse.BooleanOptionalAction}
    if typing.get_origin(base) is tuple:
        args = typing.get_args(base)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": args[0], "nargs": "+"}
        return {"type": args[0], "nargs": len(args)}
    return {"type": base}


def _help(f) -> str:
    default = f.default if f.default is not MISSING else None
    shown = " ".join(map(str, default)) if isinstance(default, tuple) else default
    text = f.metadata.get("help", "")
    if "default" not in text:  # some helps say their default in words
        text += f" (default: {shown})"
    return text.replace("%", "%%")


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """Every TrainConfig setting as an option. Untyped options stay out of the namespace (SUPPRESS),
    so a preset's values are overridden only by what the user typed."""
    for group, cls in GROUPS.items():
        section = parser.add_argument_group(SECTIONS.get(group, group))
        hints = typing.get_type_hints(cls)
        for f in fields(cls):
            kw = _kind(hints[f.name])
            if f.metadata.get("metavar"):
                kw["metavar"] = f.metadata["metavar"]
            section.add_argument("--" + f.name.replace("_", "-"), dest=f.name, default=argparse.SUPPRESS,
                                 choices=choices_of(f), help=_help(f), **kw)
    parser.add_argument("--preset", default=None, choices=sorted(PRESETS),
                        help="a named recipe (koch-30k/90k/150k: the paper's; oneshot-cpu, faces-cpu: the shipped "
                             "models; oneshot-fast: a one-shot network in one to five minutes); options typed "
                             "beside it override it")


def config_from_args(a: argparse.Namespace) -> TrainConfig:
    """TrainConfig from the options typed (and the preset, if any, under them)."""
    preset = dict(PRESETS[a.preset]) if getattr(a, "preset", None) else {}
    typed = {k: v for k, v in vars(a).items() if k in GROUP_OF}
    dataset = typed.get("dataset", preset.get("dataset", TrainConfig().dataset))
    # The dataset's own recipe under the preset, under what was typed.
    return TrainConfig.from_dict({**dataset_recipe(dataset), **preset, **typed})
