"""Why a network needs memory (notes 4.2): the clothing sequences, one-hot items, FFNN versus RNN.

A feed-forward net sees only today's item x_t; the RNN also carries h_{t−1}.  On the notes' regular
sequence the next item follows from today's item alone, so both succeed.  On the irregular one the
same item is followed by different items, so no function of x_t alone can be right every time, while
the RNN, which remembers what came before, can.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from desktopnn.engine.device import load_torch_dynamo

from desktopnn.engine.rnn.cell import SimpleRNN, activate, step_losses

CLOTHES = ("white shirt", "blue blouse", "red shirt", "green saree", "tunica", "green blouse", "red frock")
REGULAR = ("white shirt", "blue blouse", "red shirt", "green saree", "blue blouse", "red shirt",
           "green saree", "blue blouse", "red shirt")
IRREGULAR = ("white shirt", "blue blouse", "red shirt", "blue blouse", "green saree", "red shirt",
             "blue blouse", "blue blouse", "red shirt")
DRESSES = ("tunica", "green blouse", "red frock")        # notes 4.3.1: Dress(0), Dress(1), Dress(2)
SEQUENCE_PRESETS = {"regular": REGULAR, "irregular": IRREGULAR, "dresses": DRESSES}
MAX_ITEMS = 12
MAX_LENGTH = 60


def parse_sequence(text: str) -> list[str]:
    """Items separated by commas, semicolons or new lines; ValueError with a sentence otherwise."""
    parts = [re.sub(r"\s+", " ", p).strip().lower() for p in re.split(r"[,;\n]+", text)]
    items = [p for p in parts if p and p not in ("...", "…")]
    if len(items) < 3:
        raise ValueError("type at least 3 items separated by commas, e.g. white shirt, blue blouse, red shirt")
    if len(items) > MAX_LENGTH:
        raise ValueError(f"a sequence may have at most {MAX_LENGTH} items (this one has {len(items)})")
    for it in items:
        if len(it) > 24:
            raise ValueError(f"“{it}” is too long for an item name (24 letters at most); separate items with commas")
    vocabulary(items)   # raises when there are too many different items
    return items


def vocabulary(items) -> list[str]:
    """The notes' clothes, then any new items in order of appearance (one one-hot slot each)."""
    vocab = list(CLOTHES)
    for it in items:
        if it not in vocab:
            vocab.append(it)
    if len(vocab) > MAX_ITEMS + len(CLOTHES):
        raise ValueError(f"too many different items: at most {MAX_ITEMS} new ones besides the notes' clothes")
    return vocab


def one_hot(items, vocab) -> np.ndarray:
    """(T, V) one-hot rows: item i of the vocabulary is a 1 in column i."""
    out = np.zeros((len(items), len(vocab)), np.float64)
    for t, it in enumerate(items):
        out[t, vocab.index(it)] = 1.0
    return out


def successors(items) -> dict[str, Counter]:
    """Which items follow each item, and how often."""
    out: dict[str, Counter] = {}
    for a, b in zip(items[:-1], items[1:]):
        out.setdefault(a, Counter())[b] += 1
    return out


def ambiguous_items(items) -> dict[str, list[str]]:
    """Items followed by different next items: the proof that x_t alone cannot tell what comes next."""
    return {a: sorted(c) for a, c in successors(items).items() if len(c) > 1}


def best_memoryless_accuracy(items) -> float:
    """The best next-item accuracy any function of x_t alone can reach on ``items``."""
    succ = successors(items)
    total = sum(sum(c.values()) for c in succ.values())
    return sum(max(c.values()) for c in succ.values()) / total if total else 1.0


@dataclass
class MemoryResult:
    items: list[str]
    vocab: list[str]
    hidden_size: int
    activation: str
    rnn: SimpleRNN                   # trained, detached
    ffnn: dict                       # {"W1", "b1", "W2", "b2"} tensors
    rnn_pred: list[int]              # (T,) predicted next item after each step (the last one is "tomorrow")
    ffnn_pred: list[int]             # (T,)
    rnn_acc: float                   # over the T−1 steps that have a known next item
    ffnn_acc: float
    best_memoryless: float
    rnn_history: list[float] = field(default_factory=list)    # total loss per epoch
    ffnn_history: list[float] = field(default_factory=list)

    @property
    def targets(self) -> list[int]:
        """Index of the true next item at each step, −1 at the last step (unknown)."""
        return [self.vocab.index(it) for it in self.items[1:]] + [-1]

    def xs(self) -> torch.Tensor:
        return torch.as_tensor(one_hot(self.items, self.vocab))


def _ffnn_forward(p, x, act):
    return activate(x @ p["W1"] + p["b1"], act) @ p["W2"] + p["b2"]


def _accuracy(pred, targets) -> float:
    pairs = [(p, t) for p, t in zip(pred, targets) if t >= 0]
    return sum(p == t for p, t in pairs) / len(pairs) if pairs else 1.0


# Both networks trained side by side in one seeded loop, so the notes' FFNN-versus-RNN comparison
# long: reads as one piece and the two draw their random numbers in a fixed order
def train_memory(items, hidden_size: int = 4, activation: str = "tanh", seed: int = 0,
                 max_epochs: int = 1600, progress: Callable[[float], None] | None = None) -> MemoryResult:
    """Train a feed-forward net (x_t → next item) and a SimpleRNN (x_0…x_t → next item) on ``items``.

    Both are small, seeded and trained full-batch with Adam, so the result is the same every time and
    takes well under a second on a CPU.  ``progress(fraction)`` is called now and then (it may raise
    to cancel).
    """
    items = [str(i) for i in items]
    if len(items) < 3:
        raise ValueError("a sequence needs at least 3 items")
    if not 1 <= hidden_size <= 64:
        raise ValueError("hidden size must be between 1 and 64")
    vocab = vocabulary(items)
    V = len(vocab)
    xs = torch.as_tensor(one_hot(items, vocab))
    targets = torch.as_tensor([vocab.index(it) for it in items[1:]] + [-1])
    known = targets >= 0
    torch.manual_seed(seed)

    # feed-forward: sees only x_t
    g = torch.Generator().manual_seed(seed + 1)
    k1, k2 = 1 / V ** 0.5, 1 / hidden_size ** 0.5
    ffnn = {"W1": (torch.rand(V, hidden_size, generator=g, dtype=torch.float64) * 2 - 1) * k1,
            "b1": torch.full((hidden_size,), 0.1, dtype=torch.float64),   # alive relus
            "W2": (torch.rand(hidden_size, V, generator=g, dtype=torch.float64) * 2 - 1) * k2,
            "b2": torch.zeros(V, dtype=torch.float64)}
    for p in ffnn.values():
        p.requires_grad_(True)
    rnn = SimpleRNN.init(V, hidden_size, V, activation, seed=seed).requires_grad_(True)
    load_torch_dynamo()
    opt_f = torch.optim.Adam(list(ffnn.values()), lr=0.08)
    opt_r = torch.optim.Adam(rnn.parameters(), lr=0.08)
    hist_f: list[float] = []
    hist_r: list[float] = []
    min_epochs, restart_every = 80, 400
    for epoch in range(max_epochs):
        opt_f.zero_grad()
        loss_f = step_losses(_ffnn_forward(ffnn, xs, activation), targets)[known].sum()
        loss_f.backward()
        opt_f.step()
        opt_r.zero_grad()
        loss_r = step_losses(rnn.forward(xs).logits, targets)[known].sum()
        loss_r.backward()
        torch.nn.utils.clip_grad_norm_(rnn.parameters(), 5.0)
        opt_r.step()
        hist_f.append(float(loss_f.detach()))
        hist_r.append(float(loss_r.detach()))
        if progress is not None and epoch % 50 == 0:
            progress(epoch / max_epochs)
        solved = hist_r[-1] < 0.05 * len(items)
        if epoch >= min_epochs and solved and abs(hist_f[-2] - hist_f[-1]) < 1e-4:
            break
        if epoch % restart_every == restart_every - 1 and not solved:
            # stuck on a plateau (e.g. dead relus): start the RNN again from other random weights
            rnn = SimpleRNN.init(V, hidden_size, V, activation, seed=seed + epoch + 1).requires_grad_(True)
            opt_r = torch.optim.Adam(rnn.parameters(), lr=0.08)
    net = rnn.detached()
    with torch.no_grad():
        ffnn_d = {k: v.detach().clone() for k, v in ffnn.items()}
        f_pred = _ffnn_forward(ffnn_d, xs, activation).argmax(-1).tolist()
        r_pred = net.forward(xs).logits.argmax(-1).tolist()
    tl = targets.tolist()
    return MemoryResult(items, vocab, hidden_size, activation, net, ffnn_d, r_pred, f_pred,
                        _accuracy(r_pred, tl), _accuracy(f_pred, tl), best_memoryless_accuracy(items),
                        hist_r, hist_f)
