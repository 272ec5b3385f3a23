"""Tokenizer and parser of the tensor expression language (notes 2.12) — never ``eval``.

Grammar (everything else is refused with an error that points at the offending part)::

    statement := [NAME '='] expr
    expr      := term (('+' | '-') term)*
    term      := unary (('*' | '/') unary)*
    unary     := ('-' | '+') unary | postfix
    postfix   := atom ('[' index (',' index)* ']' | '.' METHOD '(' args ')' | '.shape')*
    atom      := NUMBER | NAME | ['tf.'] FUNCTION '(' args ')' | '(' expr ')' | '[' expr, ... ']'
    index     := INT | [INT] ':' [INT] [':' [INT]]

Functions: ``reshape(t, [2, -1])``, ``transpose(t)``, ``transpose(t, [1, 0])``, ``range(n)``,
``rank(t)``, ``size(t)`` and, as in the notes, ``tf.constant``, ``tf.reshape``, ``tf.transpose``,
``tf.multiply``/``add``/``subtract``/``divide``. Methods: ``.reshape(…)``, ``.transpose(…)``,
``.numpy()``; attribute ``.shape`` (and ``.shape.as_list()``). The evaluator is
in :mod:`desktopnn.engine.tensors.expr`.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

MAX_LENGTH = 400           # characters in one expression
MAX_DEPTH = 40             # nesting of brackets and signs
MAX_WHOLE = 2 ** 63 - 1    # the largest whole number a tensor holds (int64)
FUNCTIONS = ("reshape", "transpose", "constant", "multiply", "add", "subtract", "divide", "range", "rank", "size")
METHODS = ("reshape", "transpose", "numpy", "as_list")
_BINARY = {"multiply": "*", "add": "+", "subtract": "-", "divide": "/"}
RESERVED = set(FUNCTIONS) | {"tf", "shape"} | set(keyword.kwlist) | set(keyword.softkwlist)


class TensorExprError(ValueError):
    """A refused expression: ``message`` plus where (``start``..``end`` in ``text``)."""

    def __init__(self, message: str, text: str = "", start: int = 0, end: int | None = None):
        self.message, self.text, self.start = message, text, start
        self.end = max(start + 1, end if end is not None else start + 1)
        self.details: dict = {}      # e.g. {"shapes": (a, b)} for a refused broadcast
        super().__init__(str(self))

    def pointer(self) -> str:
        """The caret line under the expression: ``      ^^^^``."""
        return " " * self.start + "^" * max(1, min(self.end, len(self.text) + 1) - self.start)

    def __str__(self) -> str:
        if not self.text:
            return self.message
        return f"{self.message} (at column {self.start + 1})\n  {self.text}\n  {self.pointer()}"


# ---- tokens ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str      # NUM NAME STR OP END
    text: str
    start: int
    end: int


_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<str>[\'"])
  | (?P<op>[\[\](),:+\-*/.=])
""", re.VERBOSE)


def tokenize(text: str) -> list[Token]:
    text = text.replace("−", "-")
    if len(text) > MAX_LENGTH:
        raise TensorExprError(f"the expression is longer than {MAX_LENGTH} characters", text, MAX_LENGTH, len(text))
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise TensorExprError(f"“{text[pos]}” is not part of tensor expressions", text, pos)
        kind = m.lastgroup
        if kind == "str":
            close = text.find(text[pos], pos + 1)
            end = len(text) if close < 0 else close + 1
            out.append(Token("STR", text[pos:end], pos, end))
            pos = end
            continue
        if kind != "ws":
            out.append(Token(kind.upper(), m.group(), pos, m.end()))
        pos = m.end()
    out.append(Token("END", "", len(text), len(text)))
    return out


# ---- syntax tree ----------------------------------------------------------------------------
@dataclass
class Node:
    start: int
    end: int


@dataclass
class Num(Node):
    value: float | int = 0


@dataclass
class ListLit(Node):
    items: list = field(default_factory=list)


@dataclass
class Name(Node):
    id: str = ""


@dataclass
class Call(Node):
    func: str = ""
    args: list = field(default_factory=list)
    obj: Node | None = None          # set for methods: t.reshape(...)


@dataclass
class Shape(Node):
    obj: Node | None = None


@dataclass
class Slice(Node):
    lo: int | None = None
    hi: int | None = None
    step: int | None = None


@dataclass
class Index(Node):
    obj: Node | None = None
    items: list = field(default_factory=list)   # ints and Slices (with spans: (value, start, end))


@dataclass
class BinOp(Node):
    op: str = "+"
    left: Node | None = None
    right: Node | None = None


@dataclass
class Neg(Node):
    operand: Node | None = None


@dataclass
class Assign(Node):
    target: str = ""
    value: Node | None = None


class _Parser:
    def __init__(self, text: str):
        self.text = text.replace("−", "-")
        self.toks = tokenize(text)
        self.i = 0
        self.depth = 0

    # helpers
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def error(self, message: str, tok: Token | None = None, end: int | None = None):
        tok = tok or self.tok
        return TensorExprError(message, self.text, tok.start, end if end is not None else tok.end)

    def advance(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def at(self, text: str) -> bool:
        return self.tok.kind == "OP" and self.tok.text == text

    def expect(self, text: str, what: str) -> Token:
        if not self.at(text):
            raise self.error(f"expected “{text}” {what}, found {self.describe(self.tok)}")
        return self.advance()

    @staticmethod
    def describe(tok: Token) -> str:
        return "the end" if tok.kind == "END" else f"“{tok.text}”"

    def check_name(self, tok: Token) -> None:
        if tok.text.startswith("_"):
            raise self.error("names starting with “_” are not allowed: no Python internals here", tok)
        if keyword.iskeyword(tok.text) or keyword.issoftkeyword(tok.text):
            raise self.error(f"“{tok.text}” is Python, not part of tensor expressions", tok)

    # grammar
    def statement(self) -> Node:
        if self.tok.kind == "NAME" and self.toks[self.i + 1].text == "=" and self.toks[self.i + 1].kind == "OP":
            name = self.advance()
            self.check_name(name)
            if name.text in RESERVED:
                raise self.error(f"“{name.text}” is a reserved word; choose another name", name)
            self.advance()
            value = self.expr()
            node = Assign(name.start, value.end, name.text, value)
        else:
            node = self.expr()
        if self.tok.kind != "END":
            raise self.error(f"unexpected {self.describe(self.tok)}: the expression should end here")
        return node

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"brackets and signs are nested more than {MAX_DEPTH} deep here; "
                             f"the Tensors tab reads at most {MAX_DEPTH} levels")

    def expr(self) -> Node:
        self.nest()
        node = self.term()
        while self.at("+") or self.at("-"):
            op = self.advance().text
            right = self.term()
            node = BinOp(node.start, right.end, op, node, right)
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at("*") or self.at("/"):
            op = self.advance()
            if self.at("*") or self.at("/"):
                raise self.error(f"“{op.text}{self.tok.text}” is not an operator here; use + - * /")
            right = self.unary()
            node = BinOp(node.start, right.end, op.text, node, right)
        return node

    def unary(self) -> Node:
        if self.at("-") or self.at("+"):
            op = self.advance()
            self.nest()
            operand = self.unary()
            self.depth -= 1
            if op.text == "+":
                return operand
            if isinstance(operand, Num):
                return Num(op.start, operand.end, -operand.value)
            return Neg(op.start, operand.end, operand)
        return self.postfix(self.atom())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at("["):
                self.advance()
                items = [self.index_item()]
                while self.at(","):
                    self.advance()
                    items.append(self.index_item())
                close = self.expect("]", "to close the index")
                node = Index(node.start, close.end, node, items)
            elif self.at("."):
                dot = self.advance()
                name = self.tok
                if name.kind != "NAME":
                    raise self.error(f"expected a method name after “.”, found {self.describe(name)}")
                self.advance()
                if name.text == "shape":
                    node = Shape(node.start, name.end, node)
                    continue
                if name.text not in METHODS or not self.at("("):
                    raise self.error(f"“.{name.text}” is not allowed: after a tensor you can write .reshape(…), "
                                     ".transpose(…), .numpy() or .shape", dot, name.end)
                args, close = self.args()
                node = Call(node.start, close.end, name.text, args, obj=node)
            else:
                return node

    def index_item(self):
        start = self.tok.start
        if self.tok.kind == "STR":
            raise self.error("strings are not part of tensor expressions")
        parts: list[int | None] = [self.opt_int()]
        colons = 0
        while self.at(":") and colons < 2:
            self.advance()
            colons += 1
            parts.append(self.opt_int())
        end = self.toks[self.i - 1].end if self.i else start
        if colons == 0:
            if parts[0] is None:
                raise self.error(f"expected an index (a whole number or a slice like 1:3), found {self.describe(self.tok)}")
            return (parts[0], start, end)
        while len(parts) < 3:
            parts.append(None)
        if parts[2] == 0:
            raise TensorExprError("a slice step cannot be 0", self.text, start, end)
        return Slice(start, end, parts[0], parts[1], parts[2])

    def opt_int(self) -> int | None:
        sign = 1
        first = self.tok
        if self.at("-"):
            self.advance()
            sign = -1
        if self.tok.kind == "NUM":
            t = self.advance()
            if not re.fullmatch(r"\d+", t.text):
                raise self.error(f"an index must be a whole number, not {t.text}", t)
            return sign * int(t.text)
        if sign == -1:
            raise self.error("expected a whole number after “-”", first, self.tok.end)
        return None

    def number(self, tok: Token) -> float | int:
        """A literal's value: whole numbers must fit a tensor's int64, others are floats (1e999 is inf)."""
        if re.search(r"[.eE]", tok.text):
            return float(tok.text)
        digits = tok.text.lstrip("0") or "0"
        if len(digits) > len(str(MAX_WHOLE)) or int(digits) > MAX_WHOLE:
            raise self.error(f"{tok.text[:24]}{'…' if len(tok.text) > 24 else ''} is too large for a whole number "
                             f"in a tensor: the largest is {MAX_WHOLE} (write 1e30 for a rough large number)", tok)
        return int(digits)

    def args(self) -> tuple[list[Node], Token]:
        self.expect("(", "to start the arguments")
        args = []
        if not self.at(")"):
            args.append(self.expr())
            while self.at(","):
                self.advance()
                args.append(self.expr())
        return args, self.expect(")", "to close the arguments")

    def atom(self) -> Node:
        tok = self.tok
        if tok.kind == "NUM":
            self.advance()
            return Num(tok.start, tok.end, self.number(tok))
        if tok.kind == "STR":
            raise self.error("strings are not part of tensor expressions", tok)
        if tok.kind == "NAME":
            return self.name_or_call()
        if self.at("("):
            self.advance()
            if self.at(")"):
                raise self.error("empty parentheses: put an expression inside")
            inner = self.expr()
            close = self.expect(")", "to close “(”")
            inner.start, inner.end = tok.start, close.end
            return inner
        if self.at("["):
            self.advance()
            self.nest()
            items = []
            if not self.at("]"):
                items.append(self.expr())
                while self.at(","):
                    self.advance()
                    if self.at("]"):
                        break
                    items.append(self.expr())
            close = self.expect("]", "to close the list")
            self.depth -= 1
            return ListLit(tok.start, close.end, items)
        raise self.error(f"expected a number, a tensor name, a list or “(”, found {self.describe(tok)}")

    def name_or_call(self) -> Node:
        tok = self.advance()
        self.check_name(tok)
        func, start = tok.text, tok.start
        if func == "tf" and self.at("."):
            self.advance()
            name = self.tok
            if name.kind != "NAME" or name.text not in FUNCTIONS:
                raise self.error(f"tf.{name.text} is not available; try tf." + ", tf.".join(FUNCTIONS), tok, name.end)
            self.advance()
            func = name.text
            if not self.at("("):
                raise self.error(f"tf.{func} is a function: call it with (…)")
        if self.at("("):
            if func not in FUNCTIONS:
                raise self.error(f"unknown function “{func}”; you can call " + ", ".join(FUNCTIONS), tok)
            args, close = self.args()
            return Call(start, close.end, func, args)
        if func in FUNCTIONS or func == "tf":
            raise self.error(f"“{func}” is a function: call it with (…)", tok)
        return Name(tok.start, tok.end, func)


def parse(text: str) -> Node:
    """The syntax tree of ``text``; :class:`TensorExprError` for anything outside the grammar."""
    if not text.strip():
        raise TensorExprError("type an expression, e.g. t[1, :, -1] or reshape(t, [5, -1])", text, 0)
    return _Parser(text).statement()
