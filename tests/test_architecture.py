"""The shape of the house, checked from the source: no import cycle inside whrd_cli (function-level
imports included), no module over 400 lines, and a CLI that never touches storage.

The import graph is built here from the source with `ast`, independently of Python's import
machinery, and searched for cycles with Tarjan's algorithm; the graph builder is itself tested on
a small package written out below, whose cycles are known.
"""

from __future__ import annotations

import ast
import itertools
import pkgutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "whrd_cli"
MAX_LINES = 400


@dataclass(frozen=True)
class Edge:
    """`source` imports `target` (both modules of the package) at `line` of the source's file."""

    source: str
    target: str
    line: int


def package_modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of `package` under `root`: dotted name -> file (a package is its __init__.py)."""
    modules: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a `from X import ...` statement names (relative levels resolved)."""
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    if not is_package:
        parts.pop()  # a plain module's relative imports start from its package
    if node.level > 1:
        parts = parts[: len(parts) - (node.level - 1)]
    return ".".join([*parts, node.module] if node.module else parts)


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in the file, at any depth (functions, classes,
    `if TYPE_CHECKING:` blocks), keeping only modules of the package. `from P import x` names the
    submodule P.x when there is one, else P itself.

    Not edges: the parent packages Python initialises before a submodule (a module's own package
    is no dependency of design), and `importlib.import_module` with a computed name (the root
    group's lazy table, whose command modules import nothing back from `whrd_cli.cli`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in modules:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, is_package, node)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    yield submodule, node.lineno
                elif base in modules:
                    yield base, node.lineno


def import_graph(root: Path, package: str) -> dict[str, list[Edge]]:
    """module -> the edges to the package's modules it imports (no self-edges from `from . import`)."""
    modules = package_modules(root, package)
    graph: dict[str, list[Edge]] = {name: [] for name in modules}
    for name, path in modules.items():
        seen: set[str] = set()
        for target, line in imports_of(name, path, modules):
            if target != name and target not in seen:
                seen.add(target)
                graph[name].append(Edge(name, target, line))
    return graph


def strongly_connected(graph: Mapping[str, list[Edge]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            edges = graph[node]
            if position < len(edges):
                work.append((node, position + 1))
                target = edges[position].target
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


def a_cycle(graph: Mapping[str, list[Edge]], component: list[str]) -> list[Edge]:
    """One concrete cycle through the first module of a component (breadth-first, so shortest)."""
    members = set(component)
    start = component[0]
    came_by: dict[str, Edge] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for edge in graph[node]:
            if edge.target not in members:
                continue
            if edge.target == start:
                path = [edge]
                while path[0].source != start:
                    path.insert(0, came_by[path[0].source])
                return path
            if edge.target not in came_by:
                came_by[edge.target] = edge
                queue.append(edge.target)
    raise AssertionError(f"no cycle through {start} in its own component")  # pragma: no cover


def describe(edges: list[Edge]) -> str:
    return " -> ".join(f"{e.source} (line {e.line})" for e in edges) + f" -> {edges[0].source}"


# -- the graph builder, on a package whose imports are written out here ------------------------------

TOY = {
    "toy/__init__.py": "",
    "toy/a.py": "from . import b\n",  # b is a module: a -> b
    "toy/b.py": "def late():\n    from .sub import c\n",  # function level: b -> toy.sub.c
    "toy/sub/__init__.py": "from .c import VALUE\n",  # toy.sub -> toy.sub.c
    "toy/sub/c.py": (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from ..a import thing\n"  # c -> a: closes a -> b -> c -> a
        "VALUE = 1\n"
    ),
    "toy/d.py": "import toy.e\nfrom toy import sub\n",  # absolute: d -> e, d -> toy.sub
    "toy/e.py": "from .d import x\nimport os\n",  # e -> d: a second cycle; os is outside
    "toy/f.py": "from . import VALUE_IN_INIT\nfrom .sub.c import VALUE\n",  # f -> toy, f -> toy.sub.c
}


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    for name, text in TOY.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_the_graph_builder_resolves_every_kind_of_import(toy: Path) -> None:
    graph = import_graph(toy, "toy")
    edges = {name: sorted((e.target, e.line) for e in out) for name, out in graph.items()}
    assert edges == {
        "toy": [],
        "toy.a": [("toy.b", 1)],
        "toy.b": [("toy.sub.c", 2)],
        "toy.sub": [("toy.sub.c", 1)],
        "toy.sub.c": [("toy.a", 3)],
        "toy.d": [("toy.e", 1), ("toy.sub", 2)],
        "toy.e": [("toy.d", 1)],
        "toy.f": [("toy", 1), ("toy.sub.c", 2)],
    }


def test_tarjan_finds_each_cycle_and_only_those(toy: Path) -> None:
    graph = import_graph(toy, "toy")
    assert sorted(strongly_connected(graph)) == [["toy.a", "toy.b", "toy.sub.c"], ["toy.d", "toy.e"]]
    assert describe(a_cycle(graph, ["toy.a", "toy.b", "toy.sub.c"])) == (
        "toy.a (line 1) -> toy.b (line 2) -> toy.sub.c (line 3) -> toy.a"
    )
    del graph["toy.sub.c"][0]  # drop c -> a: the first cycle is gone, the second stays
    assert strongly_connected(graph) == [["toy.d", "toy.e"]]


def _reachable(graph: Mapping[str, list[Edge]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for edge in graph[todo.pop()]:
            if edge.target not in seen:
                seen.add(edge.target)
                todo.append(edge.target)
    return seen


@pytest.mark.parametrize("seed", range(20))
def test_tarjan_agrees_with_reachability_on_random_graphs(seed: int) -> None:
    """The oracle: two modules share a cycle when each reaches the other."""
    import random

    rng = random.Random(seed)
    names = [f"m{i}" for i in range(12)]
    graph = {
        name: [Edge(name, target, 1) for target in rng.sample(names, rng.randint(0, 3)) if target != name]
        for name in names
    }
    reach = {name: _reachable(graph, name) for name in names}
    expected = {
        frozenset(
            other for other in names if other == name or (other in reach[name] and name in reach[other])
        )
        for name in names
    }
    assert {frozenset(c) for c in strongly_connected(graph)} == {c for c in expected if len(c) > 1}
    for component in strongly_connected(graph):
        cycle = a_cycle(graph, component)
        assert cycle[0].source == cycle[-1].target == component[0]
        assert all(a.target == b.source for a, b in itertools.pairwise(cycle))
        assert all(edge in graph[edge.source] for edge in cycle)


# -- the package itself --------------------------------------------------------------------------


def test_the_package_graph_is_complete() -> None:
    """The graph sees the package: a few edges known from the source, function-level ones included."""
    graph = import_graph(SRC, PACKAGE)
    targets = {name: {e.target for e in edges} for name, edges in graph.items()}
    assert "whrd_cli.cli.boundary" in targets["whrd_cli.cli"]
    assert "whrd_cli.errors" in targets["whrd_cli.cli.boundary"]
    assert "whrd_cli.lang" in targets["whrd_cli.model"]  # imported inside functions only
    import whrd_cli

    found_by_python = {info.name for info in pkgutil.walk_packages(whrd_cli.__path__, f"{PACKAGE}.")}
    assert set(graph) == {PACKAGE, *found_by_python}


def _cycles() -> list[str]:
    graph = import_graph(SRC, PACKAGE)
    return [
        f"{', '.join(component)}: {describe(a_cycle(graph, component))}"
        for component in strongly_connected(graph)
    ]


def test_no_import_cycle_inside_the_package() -> None:
    cycles = _cycles()
    assert cycles == [], "import cycles (modules in the cycle: one path through them):\n" + "\n".join(cycles)


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _oversized() -> dict[str, int]:
    sizes = {name: _line_count(path) for name, path in package_modules(SRC, PACKAGE).items()}
    return {name: n for name, n in sizes.items() if n > MAX_LINES}


def test_no_module_over_400_lines() -> None:
    assert _oversized() == {}


def test_the_size_check_counts_lines(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("a = 1\n" * 401 + "b = 2", encoding="utf-8")
    assert _line_count(tmp_path / "m.py") == 402


# -- the CLI only translates: it never touches storage ---------------------------------------------

# What a CLI module may take from the store: the archive, and nothing of how it is kept.
STORE_NAMES_FOR_THE_CLI = frozenset({"Archive"})
STORE = f"{PACKAGE}.store"
STORAGE = f"{PACKAGE}.storage"
STORAGE_LIBRARIES = frozenset({"tinydb", "filelock", "orjson"})


def _forbidden(name: str) -> bool:
    """A dotted name the CLI must not import: storage libraries, `whrd_cli.storage`, the store
    module as a whole, or any name of the store but `Archive`."""
    if name.split(".")[0] in STORAGE_LIBRARIES or name == STORAGE or name.startswith(f"{STORAGE}."):
        return True
    if name == STORE:
        return True
    return name.startswith(f"{STORE}.") and name.removeprefix(f"{STORE}.") not in STORE_NAMES_FOR_THE_CLI


def storage_uses(module: str, path: Path) -> list[str]:
    """What a module takes from storage, as 'line N: dotted.name', at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, is_package, node)
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [f"line {node.lineno}: {name}" for name in names if _forbidden(name)]
    return found


def test_the_storage_check_sees_each_way_in(tmp_path: Path) -> None:
    folder = tmp_path / "whrd_cli" / "cli"
    folder.mkdir(parents=True)
    path = folder / "x.py"
    path.write_text(
        "from ..store import Archive\n"
        "def f():\n"
        "    from ..store import find_damage, Archive\n"
        "    import tinydb.table\n"
        "    from .. import storage\n"
        "    from ..storage.atomic import write\n"
        "    from ..records import to_bulletin\n"
        "    from .. import store, records\n"
        "    import whrd_cli.store, whrd_cli.filters\n",
        encoding="utf-8",
    )
    assert storage_uses("whrd_cli.cli.x", path) == [
        "line 3: whrd_cli.store.find_damage",
        "line 4: tinydb.table",
        "line 5: whrd_cli.storage",
        "line 6: whrd_cli.storage.atomic.write",
        "line 8: whrd_cli.store",
        "line 9: whrd_cli.store",
    ]


CLI_MODULES = {
    name: path for name, path in package_modules(SRC, PACKAGE).items() if name.startswith(f"{PACKAGE}.cli")
}


@pytest.mark.parametrize(
    "module",
    sorted(CLI_MODULES),
)
def test_the_cli_does_not_touch_storage(module: str) -> None:
    assert storage_uses(module, CLI_MODULES[module]) == []


def test_rendering_and_the_model_do_not_load_tinydb() -> None:
    code = (
        "import sys\n"
        "import whrd_cli.render, whrd_cli.model, whrd_cli.records, whrd_cli.entryform\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tinydb', 'filelock', 'orjson')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
