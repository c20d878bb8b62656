"""TrainConfig: one training run's settings in groups (data, batches, model, objective, optim, budget,
validation, run), checked once when built.

Two forms travel: the grouped one (`nested()`, `TrainConfig(model=ModelSettings(...))`) and the old
flat one — every setting under its own name — that every checkpoint in assets/ stores and the pages
build (`from_dict(flat)`, `flat()`, `replace(**flat)`, `TrainConfig(loss="triplet", margin=0.3)`).
Reading `cfg.margin` finds the setting in its group, so code that reads one setting needs no group name.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from .objectives import loss_class
from .settings import (
    GROUPS,
    BatchSettings,
    BudgetSettings,
    DataSettings,
    ModelSettings,
    ObjectiveSettings,
    OptimSettings,
    RunSettings,
    ValidationSettings,
)

# flat setting name → the group that holds it
GROUP_OF: dict[str, str] = {f.name: g for g, cls in GROUPS.items() for f in fields(cls)}


@dataclass(init=False)
class TrainConfig:
    data: DataSettings
    batches: BatchSettings
    model: ModelSettings
    objective: ObjectiveSettings
    optim: OptimSettings
    budget: BudgetSettings
    validation: ValidationSettings
    run: RunSettings

    def __init__(self, **settings):
        """Keyword arguments: groups by name (a settings object or a dict) and/or single settings by
        their flat names, which win over the groups; anything else is refused."""
        values: dict[str, dict] = {g: {} for g in GROUPS}
        for key, value in settings.items():
            if key in GROUPS:
                values[key].update(value if isinstance(value, dict) else asdict(value))
        for key, value in settings.items():
            if key in GROUP_OF:
                values[GROUP_OF[key]][key] = value
            elif key not in GROUPS:
                raise TypeError(f"TrainConfig has no setting {key!r}")
        for g, cls in GROUPS.items():
            known = {f.name for f in fields(cls)}
            object.__setattr__(self, g, cls(**{k: v for k, v in values[g].items() if k in known}))
        self._check()

    def _check(self) -> None:
        """Rules that span groups; each objective says what it needs."""
        needs = loss_class(self.objective.loss)
        if self.validation.val_data == "omniglot-validation" and self.data.dataset != "omniglot":
            raise ValueError("val_data='omniglot-validation' needs dataset='omniglot'")
        if self.batches.pair_set is not None and (self.batches.pair_set < 2 or not needs.pairs):
            raise ValueError("pair_set needs ≥ 2 pairs and a pair loss (one that trains on explicit pairs)")
        if self.run.score_norm and needs.head is not None:
            raise ValueError("score_norm needs distance scores: a loss without a pair head")
        members = self.run.members
        if members < 1 or (members > 1 and needs.head is not None):
            raise ValueError("members must be ≥ 1; more than 1 needs a loss without a pair head")
        if self.run.member_processes < 1:
            raise ValueError("member_processes must be ≥ 1")

    # --- flat names read (and written) through to their group -----------------------------------
    def __getattr__(self, name: str):
        group = GROUP_OF.get(name)
        if group is None:
            raise AttributeError(f"TrainConfig has no setting {name!r}")
        return getattr(object.__getattribute__(self, group), name)

    def __setattr__(self, name: str, value) -> None:
        target = getattr(self, GROUP_OF[name]) if name in GROUP_OF else self
        object.__setattr__(target, name, value)

    @property
    def resolved_margin(self) -> float:
        return self.objective.resolved_margin

    # --- the two forms -----------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        """From the flat form (every checkpoint's) or the nested one; unknown names are ignored."""
        return cls(**{k: v for k, v in d.items() if k in GROUPS or k in GROUP_OF})

    def flat(self) -> dict:
        """Every setting under its own name (what checkpoints and pages read)."""
        return {name: getattr(getattr(self, g), name) for name, g in GROUP_OF.items()}

    def nested(self) -> dict:
        """{group: {setting: value}}; `from_dict` reads it back."""
        return {g: asdict(getattr(self, g)) for g in GROUPS}

    def replace(self, **flat_overrides) -> TrainConfig:
        """A copy with some settings (by their flat names) changed, checked again."""
        return TrainConfig.from_dict({**self.flat(), **flat_overrides})
