"""A simple RNN written out by hand (notes 4.3.4–4.3.9), so the numbers on screen are the real ones.

The memory cell of the notes, with row vectors (a batch of rows works the same way)::

    a_t = h_{t-1} @ W_hh + x_t @ W_hx + b_h        # = W_hhᵀ h_{t-1} + W_hxᵀ x_t + b_h
    h_t = g(a_t)                                   # g = tanh (or relu)
    z_t = h_t @ W_hy + b_y                         # scores for the next item (optional head)

``torch.nn.RNN`` computes the same thing with ``weight_ih_l0 = W_hxᵀ``, ``weight_hh_l0 = W_hhᵀ`` and
``bias_ih_l0 + bias_hh_l0 = b_h`` (:meth:`SimpleRNN.from_torch`, :meth:`SimpleRNN.to_torch`); the
tests check outputs and gradients against it.  :func:`bptt` runs backpropagation through time by
hand, step by step, so a view can animate it, and supports truncation to a window of steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

ACTIVATIONS = ("tanh", "relu")


def _check_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {name!r}")
    return name


def activate(a: torch.Tensor, name: str) -> torch.Tensor:
    return torch.tanh(a) if name == "tanh" else torch.relu(a)


def activation_slope(a: torch.Tensor, h: torch.Tensor, name: str) -> torch.Tensor:
    """g'(a_t), written with h_t = g(a_t): 1 − h² for tanh, 1 where a > 0 for relu."""
    return 1 - h * h if name == "tanh" else (a > 0).to(a.dtype)


@dataclass
class Unrolled:
    """Every step of a forward pass through time."""

    a: torch.Tensor              # (..., T, H) pre-activations
    h: torch.Tensor              # (..., T, H) hidden states h_0 … h_{T-1}
    logits: torch.Tensor | None  # (..., T, O) output scores, when the model has a head
    h0: torch.Tensor             # (..., H) the state before the first step, h_{-1}


class SimpleRNN:
    """The recurrence of notes 4.3.5 with shared W_hh, W_hx, b_h and an optional output layer."""

    def __init__(self, W_hx, W_hh, b_h, W_hy=None, b_y=None, activation: str = "tanh"):
        self.W_hx = W_hx    # (I, H)
        self.W_hh = W_hh    # (H, H)
        self.b_h = b_h      # (H,)
        self.W_hy = W_hy    # (H, O) or None
        self.b_y = b_y      # (O,) or None
        self.activation = _check_activation(activation)
        if W_hh.shape[0] != W_hh.shape[1] or W_hx.shape[1] != W_hh.shape[0] or b_h.shape != (W_hh.shape[0],):
            raise ValueError(f"inconsistent shapes: W_hx {tuple(W_hx.shape)}, W_hh {tuple(W_hh.shape)}, "
                             f"b_h {tuple(b_h.shape)}")

    @classmethod
    def init(cls, input_size: int, hidden_size: int, output_size: int = 0, activation: str = "tanh",
             seed: int = 0, dtype=torch.float64) -> "SimpleRNN":
        """Random weights, uniform in ±1/√H like torch.nn.RNN, from a fixed seed."""
        if input_size < 1 or hidden_size < 1:
            raise ValueError("input and hidden size must be at least 1")
        g = torch.Generator().manual_seed(int(seed))
        k = 1.0 / math.sqrt(hidden_size)

        def u(*shape):
            return (torch.rand(*shape, generator=g, dtype=dtype) * 2 - 1) * k

        head = (u(hidden_size, output_size), u(output_size)) if output_size else (None, None)
        return cls(u(input_size, hidden_size), u(hidden_size, hidden_size), u(hidden_size), *head,
                   activation=activation)

    # ---- sizes and parameters ----------------------------------------------------------------
    @property
    def input_size(self) -> int:
        return int(self.W_hx.shape[0])

    @property
    def hidden_size(self) -> int:
        return int(self.W_hh.shape[0])

    @property
    def output_size(self) -> int:
        return 0 if self.W_hy is None else int(self.W_hy.shape[1])

    def parameters(self) -> list[torch.Tensor]:
        return [p for p in (self.W_hx, self.W_hh, self.b_h, self.W_hy, self.b_y) if p is not None]

    def requires_grad_(self, on: bool = True) -> "SimpleRNN":
        for p in self.parameters():
            p.requires_grad_(on)
        return self

    def detached(self, W_hh_scale: float = 1.0) -> "SimpleRNN":
        """A copy without autograd history; ``W_hh_scale`` multiplies W_hh (vanishing/exploding demo)."""
        d = [None if p is None else p.detach().clone() for p in (self.W_hx, self.W_hh, self.b_h, self.W_hy, self.b_y)]
        d[1] = d[1] * float(W_hh_scale)
        return SimpleRNN(*d, activation=self.activation)

    # ---- forward -----------------------------------------------------------------------------
    def step(self, h_prev: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One tick of the memory cell: returns (a_t, h_t)."""
        a = h_prev @ self.W_hh + x @ self.W_hx + self.b_h
        return a, activate(a, self.activation)

    def forward(self, xs: torch.Tensor, h0: torch.Tensor | None = None, keep=None) -> Unrolled:
        """Unroll over ``xs`` (..., T, I); every h_t is kept. ``keep(t, h)`` may replace h_t
        (tests use it to ``retain_grad`` or detach)."""
        xs = torch.as_tensor(xs, dtype=self.W_hh.dtype)
        if xs.shape[-1] != self.input_size:
            raise ValueError(f"each x_t needs {self.input_size} numbers, got {xs.shape[-1]}")
        if h0 is None:
            h0 = torch.zeros(*xs.shape[:-2], self.hidden_size, dtype=self.W_hh.dtype)
        h, a_list, h_list = h0, [], []
        for t in range(xs.shape[-2]):
            a, h = self.step(h, xs[..., t, :])
            if keep is not None:
                h = keep(t, h)
            a_list.append(a)
            h_list.append(h)
        a_all = torch.stack(a_list, dim=-2)
        h_all = torch.stack(h_list, dim=-2)
        logits = None if self.W_hy is None else h_all @ self.W_hy + self.b_y
        return Unrolled(a_all, h_all, logits, h0)

    # ---- torch.nn.RNN interchange --------------------------------------------------------------
    @classmethod
    def from_torch(cls, rnn: torch.nn.RNN, linear: torch.nn.Linear | None = None) -> "SimpleRNN":
        """The same network as a one-layer ``torch.nn.RNN`` (and an optional ``nn.Linear`` head)."""
        if rnn.num_layers != 1 or rnn.bidirectional:
            raise ValueError("only a single-layer, one-directional torch.nn.RNN maps onto the notes' cell")
        act = "tanh" if rnn.nonlinearity == "tanh" else "relu"
        W_hx = rnn.weight_ih_l0.detach().T.clone()
        W_hh = rnn.weight_hh_l0.detach().T.clone()
        if rnn.bias:
            b_h = (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach().clone()
        else:
            b_h = torch.zeros(W_hh.shape[0], dtype=W_hh.dtype)
        head = (None, None)
        if linear is not None:
            b_y = linear.bias.detach().clone() if linear.bias is not None else torch.zeros(linear.out_features)
            head = (linear.weight.detach().T.clone(), b_y)
        return cls(W_hx, W_hh, b_h, *head, activation=act)

    def to_torch(self) -> tuple[torch.nn.RNN, torch.nn.Linear | None]:
        rnn = torch.nn.RNN(self.input_size, self.hidden_size, nonlinearity=self.activation,
                           batch_first=True, dtype=self.W_hh.dtype)
        with torch.no_grad():
            rnn.weight_ih_l0.copy_(self.W_hx.T)
            rnn.weight_hh_l0.copy_(self.W_hh.T)
            rnn.bias_ih_l0.copy_(self.b_h)
            rnn.bias_hh_l0.zero_()
        linear = None
        if self.W_hy is not None:
            linear = torch.nn.Linear(self.hidden_size, self.output_size, dtype=self.W_hh.dtype)
            with torch.no_grad():
                linear.weight.copy_(self.W_hy.T)
                linear.bias.copy_(self.b_y)
        return rnn, linear


def step_losses(logits: torch.Tensor, targets) -> torch.Tensor:
    """Cross-entropy at every step (notes 4.3.8); steps whose target is −1 have no loss (0)."""
    targets = torch.as_tensor(targets, dtype=torch.long)
    losses = torch.nn.functional.cross_entropy(logits, targets.clamp(min=0), reduction="none")
    return torch.where(targets >= 0, losses, torch.zeros_like(losses))


@dataclass
class BpttResult:
    """Backpropagation through time, kept step by step for animation (notes 4.3.9)."""

    h: torch.Tensor            # (T, H)
    losses: torch.Tensor       # (T,) loss at each step (0 where there is no target)
    total_loss: float
    loss_steps: list[int]      # the steps whose loss is back-propagated
    dh: torch.Tensor           # (T, H) d loss / d h_t, everything that reaches step t
    grad_norms: torch.Tensor   # (T,) ‖d loss / d h_t‖
    grad_W_hh: torch.Tensor
    grad_W_hx: torch.Tensor
    grad_b_h: torch.Tensor
    window: int | None         # truncation window in steps, None for full BPTT

    @property
    def order(self) -> list[int]:
        """The order in which the backward pass visits the steps: last to first."""
        return list(range(len(self.grad_norms) - 1, -1, -1))


def bptt(model: SimpleRNN, xs, targets, loss: str = "total", window: int | None = None) -> BpttResult:
    """Back-propagate the sequence loss by hand, one step at a time.

    ``loss``: "total" (Σ_t L_t) or "last" (only the last step that has a target: the clearest view of
    vanishing/exploding gradients).  ``window``: truncated BPTT — each loss sends its gradient back
    through at most ``window`` steps (to h_t … h_{t−window+1}); None sends it all the way.
    """
    if model.W_hy is None:
        raise ValueError("bptt needs a model with an output layer")
    if loss not in ("total", "last"):
        raise ValueError(f"loss must be 'total' or 'last', not {loss!r}")
    if window is not None and window < 1:
        raise ValueError("the truncation window must be at least 1 step")
    m = model.detached()
    with torch.no_grad():
        xs = torch.as_tensor(xs, dtype=m.W_hh.dtype)
        run = m.forward(xs)
        targets = torch.as_tensor(targets, dtype=torch.long)
        T, H = run.h.shape
        losses = step_losses(run.logits, targets)
        steps = [t for t in range(T) if targets[t] >= 0]
        if loss == "last":
            steps = steps[-1:]
        onehot = torch.zeros_like(run.logits)
        for t in steps:
            onehot[t, targets[t]] = 1.0
        dz = torch.softmax(run.logits, dim=-1) - onehot          # (T, O)
        mask = torch.zeros(T, 1, dtype=m.W_hh.dtype)
        mask[steps] = 1.0
        direct = (dz * mask) @ m.W_hy.T                             # (T, H) dL_t/dh_t through y_t
        slope = activation_slope(run.a, run.h, m.activation)
        h_prev = torch.cat([run.h0[None], run.h[:-1]], dim=0)
        dh = torch.zeros(T, H, dtype=m.W_hh.dtype)
        gWhh, gWhx, gb = torch.zeros_like(m.W_hh), torch.zeros_like(m.W_hx), torch.zeros_like(m.b_h)
        # full BPTT is one sweep; truncated BPTT one short sweep per loss
        sweeps = [(T - 1, 0, None)] if window is None else [(t, max(0, t - window + 1), t) for t in steps]
        for start, stop, only in sweeps:
            carry = torch.zeros(H, dtype=m.W_hh.dtype)
            for t in range(start, stop - 1, -1):
                g = carry + (direct[t] if only is None or t == only else 0)
                dh[t] += g
                da = g * slope[t]
                gWhh += torch.outer(h_prev[t], da)
                gWhx += torch.outer(xs[t], da)
                gb += da
                carry = da @ m.W_hh.T
        total = float(losses[steps].sum()) if steps else 0.0
    return BpttResult(run.h, losses, total, steps, dh, dh.norm(dim=1), gWhh, gWhx, gb, window)


def autograd_dh(model: SimpleRNN, xs, targets, loss: str = "total") -> torch.Tensor:
    """d loss / d h_t for every step by torch autograd (``retain_grad``): the reference for :func:`bptt`."""
    m = model.detached().requires_grad_(True)
    kept: list[torch.Tensor] = []

    def keep(_t, h):
        h.retain_grad()
        kept.append(h)
        return h

    run = m.forward(torch.as_tensor(xs, dtype=m.W_hh.dtype), keep=keep)
    losses = step_losses(run.logits, targets)
    tg = torch.as_tensor(targets)
    steps = [t for t in range(len(tg)) if tg[t] >= 0]
    if loss == "last":
        steps = steps[-1:]
    losses[steps].sum().backward()
    return torch.stack([h.grad if h.grad is not None else torch.zeros_like(h) for h in kept])
