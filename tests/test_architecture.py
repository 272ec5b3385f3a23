"""The shape of the house (ARCHITECTURE.md), checked on the source: layers, no import circles,
one shape for every lesson, modules and functions of a readable size, tests that mirror the code.

Imports are read with ``ast`` from every module, including imports inside functions (a lazy import
that closes a circle is still a circle); only ``if TYPE_CHECKING:`` blocks are left out.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "desktopnn"
QT_TOP = ("PySide6", "shiboken6", "pyqtgraph", "superqt")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
LONG_MARK = "# long:"      # a function over the limit says why on the line above its def (or decorators)

# Who may import whom: each layer only from itself and the layers listed (desktopnn/__init__ is open to all).
LAYERS = {
    "settings": set(),
    "engine": {"settings"},
    "scenes": {"engine", "settings"},
    "workers": set(),
    "sources": {"engine", "settings", "workers"},
    "ui": {"engine", "sources", "scenes", "settings", "workers"},
    "app": {"ui", "engine", "sources", "scenes", "settings", "workers"},
    "bench": {"app", "ui", "engine", "sources", "scenes", "settings", "workers"},
    "cli": {"app", "bench"},
    "__main__": {"cli"},
}
LESSONS = ("convolution", "exercise", "why", "animator", "tensors", "live", "train", "autoencoder", "rnn")
ENGINE_LESSONS = ("convolution", "tensors", "cnn", "autoencoder", "audio", "rnn", "live")


@dataclass
class Module:
    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    imports: dict[str, int] = field(default_factory=dict)      # imported module -> first line


def _modules() -> dict[str, Module]:
    mods = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        mods[".".join(parts)] = Module(".".join(parts), path, is_package, ast.parse(path.read_text(), str(path)))
    for mod in mods.values():
        _read_imports(mod, mods)
    return mods


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    return skip


def _read_imports(mod: Module, mods: dict[str, Module]) -> None:
    skip = _type_checking_nodes(mod.tree)
    base = mod.name if mod.is_package else mod.name.rsplit(".", 1)[0]
    for node in ast.walk(mod.tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                mod.imports.setdefault(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                up = base.split(".")[: len(base.split(".")) - (node.level - 1)]
                target = ".".join(up + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                # "from pkg import sub" imports the submodule; "from mod import name" the module
                mod.imports.setdefault(sub if sub in mods else target, node.lineno)


MODS = _modules()


def _internal(mod: Module) -> dict[str, int]:
    return {m: ln for m, ln in mod.imports.items() if m in MODS and m != mod.name}


def _layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_circles():
    graph = {name: set(_internal(mod)) for name, mod in MODS.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []

    def visit(v: str) -> None:           # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert not circles, "import circles (each list imports itself round):\n" + "\n".join(map(str, circles))


def test_layers_import_downward_only():
    wrong = []
    for name, mod in MODS.items():
        layer = _layer(name)
        if layer == "":
            continue
        allowed = LAYERS[layer] | {layer, ""}
        for target, line in _internal(mod).items():
            if _layer(target) not in allowed:
                wrong.append(f"{mod.path.relative_to(ROOT)}:{line} ({layer}) imports {target}")
    assert not wrong, "imports against the layers of ARCHITECTURE.md:\n" + "\n".join(wrong)


def test_engine_never_imports_qt():
    wrong = [f"{mod.path.relative_to(ROOT)}:{line} imports {target}"
             for name, mod in MODS.items() if _layer(name) == "engine"
             for target, line in mod.imports.items() if target.split(".")[0] in QT_TOP]
    assert not wrong, "\n".join(wrong)


def test_every_module_is_known_to_the_layers():
    assert {_layer(n) for n in MODS} - {""} <= set(LAYERS)


def test_lessons_do_not_import_each_other():
    wrong = []
    for name, mod in MODS.items():
        parts = name.split(".")
        if len(parts) < 3 or parts[1] != "ui" or parts[2] not in LESSONS:
            continue
        for target, line in _internal(mod).items():
            tparts = target.split(".")
            if len(tparts) > 2 and tparts[1] == "ui" and tparts[2] in LESSONS and tparts[2] != parts[2]:
                wrong.append(f"{mod.path.relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "a lesson reaches into another (shared pieces belong in desktopnn/ui/*.py):\n" + "\n".join(wrong)


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_lesson_has_the_same_shape(lesson):
    pkg = PKG / "ui" / lesson
    for part in ("__init__.py", "tab.py", "state.py", "scene.py"):
        assert (pkg / part).is_file(), f"ui/{lesson}/ has no {part}"
    init = MODS[f"desktopnn.ui.{lesson}"].tree
    for node in init.body:
        is_doc = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        is_all = isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["__all__"]
        assert is_doc or is_all or isinstance(node, (ast.Import, ast.ImportFrom)), \
            f"ui/{lesson}/__init__.py only hands names on; line {node.lineno} does more"


@pytest.mark.parametrize("lesson", LESSONS)
def test_state_has_no_widgets(lesson):
    mod = MODS[f"desktopnn.ui.{lesson}.state"]
    widgets = [t for t in mod.imports if t.startswith(("PySide6.QtWidgets", "pyqtgraph"))]
    assert not widgets, f"ui/{lesson}/state.py is what a scene saves; it imports {widgets}"


@pytest.mark.parametrize("lesson", LESSONS)
def test_scene_uses_the_tab_through_public_names_only(lesson):
    mod = MODS[f"desktopnn.ui.{lesson}.scene"]
    assert not any(t.startswith(f"desktopnn.ui.{lesson}.tab") for t in mod.imports), \
        f"ui/{lesson}/scene.py imports the tab module"
    private = sorted({f"line {n.lineno}: .{n.attr}" for n in ast.walk(mod.tree)
                      if isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__")})
    assert not private, f"ui/{lesson}/scene.py reaches into private names: {private}"


def _python_files():
    for folder in ("desktopnn", "tests", "tools"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_modules_stay_readable():
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in _python_files()
            if (n := p.read_text().count("\n")) > MAX_MODULE_LINES]
    assert not long, f"modules over {MAX_MODULE_LINES} lines want splitting:\n" + "\n".join(long)


def test_long_functions_say_why():
    unexplained = []
    for path in _python_files():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            length = node.end_lineno - node.lineno + 1
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            above = lines[first - 2].strip() if first >= 2 else ""
            if length > MAX_FUNCTION_LINES and not above.startswith(LONG_MARK):
                unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines")
    assert not unexplained, (f"functions over {MAX_FUNCTION_LINES} lines, with no '{LONG_MARK} <reason>' comment "
                             "above them:\n" + "\n".join(unexplained))


def test_tests_mirror_the_layout():
    missing = [f"tests/ui/{name}/" for name in LESSONS if not (ROOT / "tests" / "ui" / name).is_dir()]
    missing += [f"tests/engine/{name}/" for name in ENGINE_LESSONS if not (ROOT / "tests" / "engine" / name).is_dir()]
    missing += [f"tests/engine/{name}/ (no such engine package)" for name in ENGINE_LESSONS
                if not (PKG / "engine" / name / "__init__.py").is_file()]
    assert not missing, "tests/ should mirror desktopnn/: " + ", ".join(missing)


def test_the_checks_see_real_imports():
    """The reader itself: it finds a lazy import inside a function and resolves relative imports."""
    tree = ast.parse("def f():\n    from desktopnn.engine.convolution import conv\n")
    mod = Module("desktopnn.ui.x", PKG / "ui" / "x.py", False, tree)
    _read_imports(mod, MODS)
    assert "desktopnn.engine.convolution.conv" in mod.imports
    rel = Module("desktopnn.engine.live.pipeline", PKG, False, ast.parse("from .mosaic import build_mosaic\n"))
    _read_imports(rel, MODS)
    assert "desktopnn.engine.live.mosaic" in rel.imports


def test_the_app_outside_a_lesson_reaches_it_only_through_its_package():
    """Shared parts of the UI (export, presenter, scenes, main window) use a lesson through the names its
    package hands on, never its inner modules: a helper two lessons need lives in a shared module."""
    inner = []
    for mod in MODS.values():
        parts = mod.name.split(".")
        if parts[:2] != ["desktopnn", "ui"] or (len(parts) > 2 and parts[2] in LESSONS):
            continue
        for target, line in mod.imports.items():
            t = target.split(".")
            if t[:2] == ["desktopnn", "ui"] and len(t) > 3 and t[2] in LESSONS:
                inner.append(f"{mod.path.relative_to(ROOT)}:{line} imports {target}")
    assert not inner, "\n".join(inner)
