"""The package's layers: no module imports from a layer above it or from a sibling, and no cycles.

The order is written once, here (``LAYERS``), bottom-up. A layer is a top-level module or package
of ``roastctl``; a module may import from its own layer and from any layer on a lower floor. Layers
on the same floor are siblings and stay independent of each other. Every import counts, also those
inside a function or under ``TYPE_CHECKING``: a lazy import still ties the layers together.

``roastctl/__init__.py`` (the public facade) and ``roastctl/__main__.py`` sit above everything and
are not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "roastctl"

#: Bottom-up. Each tuple is one floor.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors",),  # the error classes every layer raises
    ("models", "clock", "controls"),  # shared vocabulary: data shapes, time, the ranges of commands
    ("files",),  # writing files safely, reading them within limits
    ("physics",),  # the roaster's physical model and its parameter sets
    ("config",),  # the server's configuration (it names a physics parameter set)
    ("logs",),  # roast logs as files: every format read, Artisan's written
    ("roast",),  # analytics: pure functions of samples, the same live and offline
    ("devices",),  # the Roaster interface, the simulator, the replayed roaster
    ("hottop",),  # the Hottop's protocol, driver and virtual Hottop
    ("safety",),  # the supervisor's rules: no I/O
    ("store", "access"),  # the SQLite roast store; roles, tokens, who is calling
    ("forecast",),  # the live twin estimate and the forecasts made from it
    ("control",),  # what the server carries out by itself every sample: drop targets
    ("session",),  # the session manager, its recorder and the safe stop
    ("twin", "lab"),  # calibration against recorded roasts; measuring harnesses
    ("agents",),  # the built-in demo agent and scripted recipe
    ("web", "artisan"),  # the HTTP front ends: dashboard, access gate, serving; Artisan's WebSocket
    ("mcp",),  # the MCP front end (served over stdio, or over HTTP next to the dashboard)
    ("cli",),  # the command line, which starts every front end
)

#: Libraries that belong to one front end only: the packages that may import them.
FRONT_END_LIBRARIES: dict[str, frozenset[str]] = {
    "mcp": frozenset({"web", "mcp", "agents"}),
    "starlette": frozenset({"web", "mcp", "artisan"}),
    "uvicorn": frozenset({"web", "mcp", "cli"}),
}

UNCHECKED = frozenset({"roastctl", "roastctl.__main__"})


@dataclass(frozen=True)
class Import:
    """One ``import`` of a roastctl module, where it is written."""

    source: str
    target: str
    path: Path
    line: int

    def where(self) -> str:
        return f"{self.path.relative_to(SOURCE.parent)}:{self.line}: {self.source} -> {self.target}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(SOURCE.rglob("*.py"))}


def resolve(name: str, modules: dict[str, Path]) -> str:
    """The module an imported name lives in (``roastctl.a.b.Thing`` -> ``roastctl.a.b``)."""
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imported_names(tree: ast.AST) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield f"{node.module}.{alias.name}", node.lineno
            yield node.module, node.lineno


def roastctl_imports(modules: dict[str, Path]) -> list[Import]:
    found: set[Import] = set()
    for source, path in modules.items():
        for name, line in imported_names(ast.parse(path.read_text("utf-8"))):
            if name.split(".")[0] != "roastctl":
                continue
            target = resolve(name, modules)
            if target != source and target != "roastctl":
                found.add(Import(source, target, path, line))
    return sorted(found, key=lambda i: (i.source, i.target, i.line))


def layer_of(module: str) -> str:
    return module.split(".")[1]


FLOOR = {layer: floor for floor, layers in enumerate(LAYERS) for layer in layers}


def test_every_layer_of_the_package_is_placed_in_the_order() -> None:
    layers = {layer_of(m) for m in all_modules() if m not in UNCHECKED}
    assert not layers - FLOOR.keys(), (
        f"{sorted(layers - FLOOR.keys())} have no floor: add them to LAYERS in tests/test_layers.py"
    )
    assert not FLOOR.keys() - layers, (
        f"LAYERS names {sorted(FLOOR.keys() - layers)}, which do not exist"
    )


def test_no_module_imports_from_a_layer_above_it_or_beside_it() -> None:
    modules = all_modules()
    wrong = [
        imp.where() + f"  ({layer_of(imp.source)} is on floor {FLOOR[layer_of(imp.source)]}, "
        f"{layer_of(imp.target)} on floor {FLOOR[layer_of(imp.target)]})"
        for imp in roastctl_imports(modules)
        if imp.source not in UNCHECKED
        and layer_of(imp.source) != layer_of(imp.target)
        and FLOOR[layer_of(imp.target)] >= FLOOR[layer_of(imp.source)]
    ]
    assert not wrong, "imports that run up or sideways:\n" + "\n".join(wrong)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_module_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for imp in roastctl_imports(all_modules()):
        graph.setdefault(imp.source, set()).add(imp.target)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle_and_passes_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize("library", sorted(FRONT_END_LIBRARIES))
def test_a_front_end_library_is_imported_by_its_front_ends_only(library: str) -> None:
    allowed = FRONT_END_LIBRARIES[library]
    wrong = []
    for module, path in all_modules().items():
        if module in UNCHECKED:
            continue
        for name, line in imported_names(ast.parse(path.read_text("utf-8"))):
            if name.split(".")[0] == library and layer_of(module) not in allowed:
                wrong.append(f"{path.relative_to(SOURCE.parent)}:{line}: imports {name}")
    assert not wrong, f"{library} belongs to {sorted(allowed)} only:\n" + "\n".join(
        sorted(set(wrong))
    )
