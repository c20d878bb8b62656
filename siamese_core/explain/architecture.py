"""The twin network as a table of layers and as a Graphviz diagram, computed from the real modules.

`layer_table` runs one dummy image through a backbone with forward hooks, so the shapes and
parameter counts shown are those of the code that trains, not numbers typed in by hand.
`twin_dot` draws both twins reading the SAME `SiameseNet.twin` module, joined by the L1 head.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ..models import ModelConfig, SiameseNet, count_parameters

# The two networks the course shows: Koch et al.'s full-size ConvNet and the course's VGG backbone.
ARCHITECTURES = {
    "Koch et al. 2015 (105×105, 4096-d)": ModelConfig(backbone="koch", embedding_dim=4096,
                                                       input_size=(105, 105), head="l1"),
    "Course VGG backbone (28×28, 32-d)": ModelConfig(backbone="vgg", embedding_dim=32,
                                                      input_size=(28, 28), head="l1"),
}

_SHOWN = (nn.Conv2d, nn.MaxPool2d, nn.Linear, nn.Flatten, nn.BatchNorm2d, nn.BatchNorm1d, nn.Sigmoid)


@dataclass(frozen=True)
class LayerRow:
    name: str            # module path inside the twin, e.g. "features.0"
    layer: str           # "Conv2d 64@10×10", "MaxPool 2×2", …
    output_shape: tuple[int, ...]  # C×H×W or D, for one image
    parameters: int


def _describe(m: nn.Module) -> str:
    if isinstance(m, nn.Conv2d):
        k = m.kernel_size
        return f"Conv {m.out_channels}@{k[0]}×{k[1]}" + (f", pad {m.padding[0]}" if m.padding[0] else "")
    if isinstance(m, nn.MaxPool2d):
        return f"MaxPool {m.kernel_size}×{m.kernel_size}"
    if isinstance(m, nn.Linear):
        return f"Dense {m.out_features}"
    return type(m).__name__


@torch.no_grad()
def layer_table(model: SiameseNet) -> list[LayerRow]:
    """One row per conv, pool, batch-norm, flatten, dense and sigmoid layer of the twin (ReLU and
    dropout carry no shape change and no parameters, so they are folded away)."""
    twin = model.twin
    rows: list[LayerRow] = []
    hooks = []
    for name, m in twin.named_modules():
        if isinstance(m, _SHOWN):
            params = sum(p.numel() for p in m.parameters(recurse=False))
            hooks.append(m.register_forward_hook(
                lambda mod, _inp, out, name=name, params=params:
                rows.append(LayerRow(name, _describe(mod), tuple(out.shape[1:]), params))))
    was_training = twin.training
    twin.eval()
    try:
        h, w = model.input_size
        twin(torch.zeros(1, 1, h, w, device=model.device))
    finally:
        for hk in hooks:
            hk.remove()
        twin.train(was_training)
    return rows


@dataclass(frozen=True)
class ArchitectureSummary:
    title: str
    config: ModelConfig
    rows: list[LayerRow]
    twin_parameters: int       # the one shared twin
    head_parameters: int       # α and b of the L1 head
    total_parameters: int      # what SiameseNet trains: twin once + head
    bn_statistics: int         # batch-norm running mean/var (buffers, not trained)


def summarize(title: str, config: ModelConfig) -> ArchitectureSummary:
    model = SiameseNet(config)
    twin = count_parameters(model.twin)
    total = count_parameters(model)
    head = sum(p.numel() for p in model.head.parameters()) if model.head is not None else 0
    return ArchitectureSummary(title, config, layer_table(model), twin["parameters"], head,
                               total["parameters"], twin["bn_statistics"])


def _shape(s: tuple[int, ...]) -> str:
    return "×".join(str(v) for v in s)


def twin_dot(summary: ArchitectureSummary, same_colour: str = "#2a9d8f", diff_colour: str = "#e76f51") -> str:
    """Graphviz DOT: input 1 and input 2 each pass through a tower of the same layers; a dashed
    'same weights' edge ties each pair of layers, and both towers are labelled as one module."""
    rows, h, w = summary.rows, *summary.config.input_size
    lines = ["digraph twins {", 'rankdir=TB; newrank=true; node [shape=box, style="rounded,filled", '
             'fillcolor="#f4f4f4", fontname="Helvetica", fontsize=10]; edge [fontsize=9];']
    for t, colour in ((1, same_colour), (2, diff_colour)):
        lines.append(f'x{t} [label="input {t}\\n1×{h}×{w}", fillcolor="{colour}", fontcolor="white"];')
        lines.append(f'subgraph cluster_{t} {{ label="twin (shared weights)"; style="dashed"; color="#888888";')
        for i, r in enumerate(rows):
            p = f"\\n{r.parameters:,} params" if r.parameters else ""
            lines.append(f'  l{t}_{i} [label="{r.layer}\\n→ {_shape(r.output_shape)}{p}"];')
        lines.append("}")
        chain = [f"x{t}"] + [f"l{t}_{i}" for i in range(len(rows))] + [f"h{t}"]
        lines.append(f'h{t} [label="h{t} ({rows[-1].output_shape[0]:,}-d)", shape=ellipse];')
        lines.append(" -> ".join(chain) + f' [color="{colour}"];')
    for i in range(len(rows)):
        if rows[i].parameters:
            lines.append(f'l1_{i} -> l2_{i} [dir=both, style=dashed, color="#888888", constraint=false, '
                         f'label="same W"];')
        lines.append(f"{{rank=same; l1_{i}; l2_{i};}}")
    lines += ['l1d [label="|h1 − h2|\\ncomponent-wise", shape=ellipse];',
              f'p [label="p = σ(Σ α_j |h1_j − h2_j| + b)\\n{summary.head_parameters:,} params", '
              'shape=box, fillcolor="#e9c46a"];',
              "h1 -> l1d; h2 -> l1d; l1d -> p;",
              f'note [shape=note, fillcolor="white", label="one twin module: {summary.twin_parameters:,} '
              f'parameters, used twice\\nwhole network: {summary.total_parameters:,} parameters"];',
              "p -> note [style=invis];", "}"]
    return "\n".join(lines)
