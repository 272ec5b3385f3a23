"""A network's computation as a torch.fx graph: its convolutional layers, their receptive fields and
output shapes, and forwards cut at any layer (notes 2.2, 2.5, 2.13).

``torch.fx.symbolic_trace`` turns a torchvision model into a graph of calls, branches included (a
ResNet block adds its shortcut; a MobileNet block multiplies by its squeeze-and-excitation gate).
Walking that graph once gives, for every node, the receptive field ``(jump, size, offset)`` along
one axis: a convolution or pooling of kernel k, stride s, padding p and dilation d turns (j, r, o)
into (j·s, r + (k − 1)·d·j, o − p·j); where two branches meet (add, multiply) the field is the union
of theirs. A global average (the gate of squeeze-and-excitation, the classifier's pooling) sees the
whole picture; a gate that only rescales channels is left out of the union, so the field drawn is
that of the convolutional path, and :attr:`ConvLayer.gated` says when a global gate also acts.

A layer shown is a convolution with what follows it directly on its own (batch norm, activation):
the maps the next layer reads. A convolution on a 1×1 global average (the gate's two "fc" layers)
is a dense layer in disguise and is not listed.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import torch
import torch.fx as fx
import torch.nn as nn

GLOBAL = "global"      # the receptive field of a node that sees the whole picture (a global average)
ACTIVATIONS = (nn.ReLU, nn.ReLU6, nn.Hardswish, nn.SiLU, nn.GELU, nn.LeakyReLU, nn.ELU)
FOLLOWERS = (nn.BatchNorm2d,) + ACTIVATIONS                   # shown together with the convolution before them
PASS_THROUGH = FOLLOWERS + (nn.Dropout, nn.Identity, nn.Hardsigmoid, nn.Sigmoid)
MEETS = {operator.add, operator.mul, torch.add, torch.mul, operator.iadd, operator.imul}
ACT_NAMES = {nn.ReLU: "ReLU", nn.ReLU6: "ReLU6", nn.Hardswish: "hard swish", nn.SiLU: "SiLU"}


@dataclass(frozen=True)
class ConvLayer:
    """One convolutional layer as the live view lists it."""

    name: str                      # "conv 5 · features.10"
    module: str                    # the convolution's qualified name in the model, "features.10"
    conv_node: str                 # the graph node of the convolution itself
    node: str                      # the graph node whose output is shown (after batch norm / activation)
    pre_node: str                  # the node before the last activation (the same when there is none)
    channels: int
    kernel: int
    stride: int
    padding: int
    groups: int
    then: tuple[str, ...]          # what follows the convolution in the maps shown: ("batch norm", "ReLU")
    jump: int                      # receptive field along one axis, in input pixels
    size: int
    offset: int
    gated: bool = False            # a global squeeze-and-excitation gate acts before this layer

    @property
    def receptive_field(self) -> tuple[int, int, int]:
        return self.jump, self.size, self.offset

    def describe(self) -> str:
        kind = "depthwise " if self.groups > 1 and self.groups == self.channels else ""
        extra = f", then {' → '.join(self.then)}" if self.then else ""
        return (f"{self.kernel}×{self.kernel} {kind}convolution, stride {self.stride}, padding {self.padding}, "
                f"{self.channels} maps{extra}; receptive field {self.size}×{self.size} pixels, every {self.jump}")


def as_leaf(t: torch.Tensor) -> torch.Tensor:
    """Cut the graph here: what comes before needs no gradient, gradients stop at this tensor."""
    return t.detach().requires_grad_(True)


def _pair_first(v) -> int:
    return int(v[0] if isinstance(v, tuple) else v)


def _window(mod: nn.Module) -> tuple[int, int, int, int, bool] | None:
    """(kernel, stride, padding, dilation, ceil_mode) of a sliding-window layer, None otherwise."""
    if isinstance(mod, nn.Conv2d):
        if isinstance(mod.padding, str):
            raise ValueError(f"padding {mod.padding!r} is not supported in the live view's layer list")
        return (_pair_first(mod.kernel_size), _pair_first(mod.stride), _pair_first(mod.padding),
                _pair_first(mod.dilation), False)
    if isinstance(mod, (nn.MaxPool2d, nn.AvgPool2d)):
        dil = _pair_first(getattr(mod, "dilation", 1))
        return (_pair_first(mod.kernel_size), _pair_first(mod.stride), _pair_first(mod.padding), dil, mod.ceil_mode)
    return None


def _out_len(n: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= n + p:       # PyTorch: the last window must start inside the input
        out -= 1
    return out


def _union(fields):
    fields = [f for f in fields if isinstance(f, tuple)]
    if not fields:
        return GLOBAL
    jumps = {f[0] for f in fields}
    if len(jumps) != 1:
        raise ValueError("branches with different strides meet; their receptive fields cannot be united")
    start = min(f[2] for f in fields)
    end = max(f[2] + f[1] for f in fields)
    return fields[0][0], end - start, start


class NetGraph:
    """A traced model: its convolutional layers (with receptive fields) and forwards cut at any node."""

    def __init__(self, model: nn.Module):
        self.traced = fx.symbolic_trace(model)
        self.nodes = {n.name: n for n in self.traced.graph.nodes}
        self.logits_node = next(n for n in self.traced.graph.nodes if n.op == "output").args[0].name
        self.fields = self._receptive_fields()
        self.layers = self._conv_layers()
        self._cut: dict[tuple, fx.GraphModule] = {}

    def module(self, node: fx.Node) -> nn.Module | None:
        return self.traced.get_submodule(node.target) if node.op == "call_module" else None

    def _receptive_fields(self) -> dict[str, object]:
        """Every node's receptive field (jump, size, offset), GLOBAL, or None (not a picture)."""
        out: dict[str, object] = {}
        for node in self.traced.graph.nodes:
            ins = [out.get(a.name) for a in node.all_input_nodes]
            mod = self.module(node)
            if node.op == "placeholder":
                out[node.name] = (1, 1, 0)
            elif mod is not None and (win := _window(mod)) is not None and isinstance(ins[0], tuple):
                k, s, p, d, _ceil = win
                j, r, o = ins[0]
                out[node.name] = (j * s, r + (k - 1) * d * j, o - p * j)
            elif mod is not None and isinstance(mod, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
                out[node.name] = GLOBAL
            elif (mod is not None and isinstance(mod, PASS_THROUGH)) and ins:
                out[node.name] = ins[0]
            elif node.op == "call_function" and node.target in MEETS:
                out[node.name] = _union(ins) if any(f is not None for f in ins) else None
            else:
                out[node.name] = None          # flatten, linear: no longer a picture
        return out

    def _chain(self, node: fx.Node) -> tuple[fx.Node, fx.Node, list[str]]:
        """From a convolution, follow batch norm and activation while they are its only user."""
        end, pre, then = node, node, []
        while len(end.users) == 1:
            nxt = next(iter(end.users))
            mod = self.module(nxt)
            if mod is None or not isinstance(mod, FOLLOWERS):
                break
            if isinstance(mod, nn.BatchNorm2d):
                then.append("batch norm")
                pre = nxt
            else:
                then.append(ACT_NAMES.get(type(mod), type(mod).__name__))
                pre = end
            end = nxt
        return end, pre, then

    def _gated(self, node: fx.Node) -> bool:
        seen, todo = set(), [node]
        while todo:
            n = todo.pop()
            if n.name in seen:
                continue
            seen.add(n.name)
            if self.fields.get(n.name) == GLOBAL:
                return True
            todo.extend(n.all_input_nodes)
        return False

    def _conv_layers(self) -> list[ConvLayer]:
        layers = []
        for node in self.traced.graph.nodes:
            mod = self.module(node)
            if not isinstance(mod, nn.Conv2d) or not isinstance(self.fields[node.name], tuple):
                continue             # a convolution on a global average: a dense layer in disguise
            end, pre, then = self._chain(node)
            jump, size, offset = self.fields[node.name]
            k, s, p, _d, _c = _window(mod)
            layers.append(ConvLayer(
                name=f"conv {len(layers) + 1} · {node.target}", module=node.target, conv_node=node.name, node=end.name,
                pre_node=pre.name, channels=mod.out_channels, kernel=k, stride=s, padding=p, groups=mod.groups,
                then=tuple(then), jump=jump, size=size, offset=offset, gated=self._gated(node)))
        return layers

    def chain_modules(self, layer: ConvLayer) -> list[nn.Module]:
        """The convolution and the modules after it up to the node shown (batch norm, activation)."""
        node = self.nodes[layer.conv_node]
        mods = [self.module(node)]
        while node.name != layer.node:
            node = next(iter(node.users))
            mods.append(self.module(node))
        return mods

    def spatial_sizes(self, height: int, width: int) -> dict[str, tuple[int, int] | None]:
        """Every picture node's (height, width) for an input of that size (the output-size formula, notes 2.6)."""
        out: dict[str, tuple[int, int] | None] = {}
        for node in self.traced.graph.nodes:
            ins = [out.get(a.name) for a in node.all_input_nodes]
            mod = self.module(node)
            if node.op == "placeholder":
                out[node.name] = (height, width)
            elif mod is not None and (win := _window(mod)) is not None and ins[0] is not None:
                out[node.name] = tuple(_out_len(n, *win) for n in ins[0])
            elif mod is not None and isinstance(mod, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
                size = mod.output_size if isinstance(mod.output_size, tuple) else (mod.output_size,) * 2
                out[node.name] = tuple(s if s is not None else n for s, n in zip(size, ins[0]))
            elif mod is not None and isinstance(mod, PASS_THROUGH) and ins:
                out[node.name] = ins[0]
            elif node.op == "call_function" and node.target in MEETS:
                sizes = [s for s in ins if s is not None]
                out[node.name] = max(sizes, key=lambda s: s[0] * s[1]) if sizes else None
            else:
                out[node.name] = None
        return out

    def cut(self, outputs: tuple[str, ...], leaf: str | None = None) -> fx.GraphModule:
        """A module computing only ``outputs`` (node names, in that order) from the input.

        With ``leaf``, that node's output becomes a fresh tensor that requires a gradient: nothing
        before it builds an autograd graph, and ``torch.autograd.grad(..., leaf_output)`` stops there.
        """
        key = (outputs, leaf)
        if key not in self._cut:
            graph = fx.Graph()
            env: dict[str, fx.Node] = {}
            need = set(outputs)
            for node in self.traced.graph.nodes:
                if not need:
                    break
                if node.op == "output":
                    raise ValueError(f"no node named {sorted(need)} in the graph")
                env[node.name] = graph.node_copy(node, lambda n: env[n.name])
                if node.name == leaf:
                    env[node.name] = graph.call_function(as_leaf, (env[node.name],))
                need.discard(node.name)
            graph.output(tuple(env[n] for n in outputs))
            module = fx.GraphModule(self.traced, graph)
            module.graph.eliminate_dead_code()
            module.recompile()
            self._cut[key] = module
        return self._cut[key]
