"""The package's layering (STYLE.md): no import circles, and no layer imports a higher one.

Every module of simmarket is parsed with `ast`; every import counts, including those inside
functions and under `if TYPE_CHECKING`. A module whose top-level name is not in LAYERS fails the
test: a new module must be placed in a layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simmarket"

# bottom to top; a module may import its own layer and the layers below
LAYERS = (
    ("time", "data", "arrays", "kernels"),
    ("params",),
    ("state",),
    ("rules",),
    ("phases",),
    ("agents", "policy"),
    ("start",),
    ("metrics", "invariants"),
    ("model",),
    ("experiment",),
    ("report",),
    ("cli", "dashboard", "__main__"),
)
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}
API = "simmarket"  # simmarket/__init__.py: the Python API, imports anything (lazily)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(name: str, known: dict) -> str:
    """The module an imported name refers to: itself if a module, else the package holding it."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def imports(mod: str, path: Path, known: dict) -> set[str]:
    """Every simmarket module `mod` imports, anywhere in its source."""
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out |= {resolve(a.name, known) for a in node.names if a.name.split(".")[0] == "simmarket"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "").split(".")[0] == "simmarket":
                target = node.module
            else:
                continue
            for a in node.names:  # `from pkg import submodule` imports the submodule
                sub = f"{target}.{a.name}"
                out.add(sub if sub in known else resolve(target, known))
    out.discard(mod)
    out.discard("")
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: imports(m, p, known) for m, p in known.items()}


def layer_of(mod: str) -> int | None:
    parts = mod.split(".")
    return None if len(parts) < 2 else LAYER.get(parts[1])


def test_every_module_is_placed_in_a_layer():
    unplaced = sorted(m for m in modules() if m != API and layer_of(m) is None)
    assert not unplaced, f"modules in no layer (add them to LAYERS in {Path(__file__).name}): {unplaced}"


def test_no_layer_imports_a_higher_one():
    upward = []
    for mod, targets in graph().items():
        here = layer_of(mod)
        if mod == API or here is None:
            continue
        for t in sorted(targets):
            there = layer_of(t)
            if t == API or (there is not None and there > here):
                upward.append(f"{mod} -> {t}")
    assert not upward, "imports from a lower layer to a higher one: " + "; ".join(upward)


def test_no_import_cycles():
    cycles = find_cycles(graph())
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def find_cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


@pytest.mark.parametrize("source, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_the_cycle_finder_finds_cycles(source, expected):
    assert find_cycles(source) == expected


def test_imports_inside_functions_and_relative_imports_are_seen(tmp_path):
    known = {"simmarket.x": None, "simmarket.y": None, "simmarket.p": None, "simmarket.p.z": None}
    src = tmp_path / "x.py"
    src.write_text("def f():\n    from .y import g\n    from .p import z\n    import simmarket.p\n")
    assert imports("simmarket.x", src, known) == {"simmarket.y", "simmarket.p.z", "simmarket.p"}
