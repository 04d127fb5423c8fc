"""The package's shape: files, layers, floors, cycles, the largest file, imports against the order.

For the source tree of this checkout (and, with ``--before REV``, of a git revision beside it), it
prints:

* files and lines under ``src/roastctl``, and the modules that sit flat in it;
* the layers (top-level modules and packages) and the imports between them, every import counted,
  lazy ones too;
* layer cycles: groups of layers that import each other, which no order can stack;
* floors: the longest chain of layers, each importing the next (the fewest floors any order needs);
* the largest file and the largest layer, as a share of all lines;
* for this checkout, the imports that run up or sideways against ``LAYERS`` in
  ``tests/test_layers.py``, where the order is written once.

Run: ``.venv/bin/python benchmarks/layout.py [--before e258a09]``
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import io
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Shape:
    """What one source tree looks like."""

    files: int
    lines: int
    flat_modules: list[str]
    layer_lines: Counter[str]
    largest_file: tuple[str, int]
    edges: set[tuple[str, str]]
    module_edges: set[tuple[str, str]]

    @property
    def layers(self) -> set[str]:
        return set(self.layer_lines)


def module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def measure(package: Path) -> Shape:
    """Read every module of a ``roastctl`` source folder."""
    paths = sorted(package.rglob("*.py"))
    modules = {module_name(path, package): path for path in paths}
    sizes = {name: len(path.read_text("utf-8").splitlines()) for name, path in modules.items()}
    layer_lines: Counter[str] = Counter()
    for name, size in sizes.items():
        if name not in ("roastctl", "roastctl.__main__"):
            layer_lines[name.split(".")[1]] += size
    module_edges: set[tuple[str, str]] = set()
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{alias.name}" for alias in node.names]
            for target in targets:
                while target not in modules and "." in target:
                    target = target.rsplit(".", 1)[0]
                if target in modules and target not in (name, "roastctl"):
                    module_edges.add((name, target))
    edges = {
        (source.split(".")[1], target.split(".")[1])
        for source, target in module_edges
        if source not in ("roastctl", "roastctl.__main__")
        and source.split(".")[1] != target.split(".")[1]
    }
    largest = max(sizes, key=lambda name: sizes[name])
    flat = sorted(
        path.name
        for path in package.glob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    )
    return Shape(
        files=len(paths),
        lines=sum(sizes.values()),
        flat_modules=flat,
        layer_lines=layer_lines,
        largest_file=(str(modules[largest].relative_to(package.parent)), sizes[largest]),
        edges=edges,
        module_edges=module_edges,
    )


def strongly_connected(nodes: set[str], edges: set[tuple[str, str]]) -> list[set[str]]:
    """Tarjan's components, each a set of layers that reach one another."""
    graph: dict[str, list[str]] = {node: [] for node in nodes}
    for source, target in edges:
        graph[source].append(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            found.append(group)

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def longest_chain(shape: Shape) -> list[str]:
    """The longest chain of layers each importing the next, top first; a cycle counts as one."""
    groups = strongly_connected(shape.layers, shape.edges)
    group_of = {layer: i for i, group in enumerate(groups) for layer in group}
    chains: dict[int, list[int]] = {}

    def chain(group: int) -> list[int]:
        if group not in chains:
            below = {
                group_of[target]
                for source, target in shape.edges
                if group_of[source] == group and group_of[target] != group
            }
            chains[group] = [
                group,
                *max((chain(lower) for lower in sorted(below)), key=len, default=[]),
            ]
        return chains[group]

    longest = max((chain(group) for group in range(len(groups))), key=len)
    return ["/".join(sorted(groups[group])) for group in longest]


def against_order(shape: Shape) -> list[str]:
    """Module imports that run up or sideways against ``tests/test_layers.py``'s ``LAYERS``."""
    spec = importlib.util.spec_from_file_location("test_layers", ROOT / "tests" / "test_layers.py")
    assert spec is not None
    assert spec.loader is not None
    layers_test = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = layers_test  # dataclasses look their module up while it loads
    spec.loader.exec_module(layers_test)
    floor_of: dict[str, int] = layers_test.FLOOR
    wrong = []
    for source, target in sorted(shape.module_edges):
        if source in ("roastctl", "roastctl.__main__"):
            continue
        low, high = source.split(".")[1], target.split(".")[1]
        if low != high and floor_of.get(high, 99) >= floor_of.get(low, -1):
            wrong.append(f"{source} -> {target}")
    return wrong


def report(title: str, shape: Shape) -> None:
    cycles = [group for group in strongly_connected(shape.layers, shape.edges) if len(group) > 1]
    cycle_edges = sum(
        1 for source, target in shape.edges for group in cycles if {source, target} <= group
    )
    big_layer = max(shape.layer_lines, key=lambda layer: shape.layer_lines[layer])
    name, size = shape.largest_file
    print(f"== {title}")
    print(f"  files                 {shape.files} ({shape.lines} lines)")
    print(
        f"  modules flat in src/roastctl  {len(shape.flat_modules)}: {' '.join(shape.flat_modules)}"
    )
    print(f"  layers                {len(shape.layers)}; imports between layers {len(shape.edges)}")
    print(f"  layer cycles          {len(cycles)} {[sorted(group) for group in cycles]}")
    print(f"  imports inside cycles {cycle_edges}")
    chain = longest_chain(shape)
    print(f"  floors (longest chain) {len(chain)}: {' -> '.join(chain)}")
    print(f"  largest file          {name}: {size} lines, {100 * size / shape.lines:.1f} %")
    big = shape.layer_lines[big_layer]
    print(f"  largest layer         {big_layer}: {big} lines, {100 * big / shape.lines:.1f} %")


def tree_at(revision: str, into: Path) -> Path:
    """Unpack ``src/roastctl`` of a git revision into a folder."""
    # git from PATH, with the revision the user named, as a developer would run it
    archive = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "src/roastctl"],  # noqa: S607
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src" / "roastctl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--before", metavar="REV", help="also measure this git revision")
    args = parser.parse_args()
    if args.before:
        with tempfile.TemporaryDirectory() as folder:
            report(f"before ({args.before})", measure(tree_at(args.before, Path(folder))))
    now = measure(ROOT / "src" / "roastctl")
    report("this checkout", now)
    wrong = against_order(now)
    print(f"  imports against LAYERS {len(wrong)}")
    for line in wrong:
        print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
