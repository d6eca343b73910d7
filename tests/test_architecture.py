"""The import graph (issue 17): plain imports only, no cycle between files, packages layered
retrieval <- assistant <- training <- ui (an arrow: "is imported by"); every import counts, also those
inside functions."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("retrieval", "assistant", "training", "ui")  # each may import only the ones before it


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            name = ".".join(f.relative_to(ROOT).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = f
    return out


def _imported(name: str, path: Path) -> set[str]:
    """Every module of ours that ``path`` imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".")[: -node.level + (1 if path.name == "__init__.py" else 0) or None]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m.split(".")[0] in PACKAGES}


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    mods = _modules()

    def resolve(target: str) -> str | None:
        while target and target not in mods:
            target = target.rpartition(".")[0]
        return target or None

    g = nx.DiGraph()
    g.add_nodes_from(mods)
    for name, path in mods.items():
        for target in _imported(name, path):
            resolved = resolve(target)
            if resolved and resolved != name:
                g.add_edge(name, resolved)
    return g


def test_no_import_cycle_between_files(graph):
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_packages_are_layered(graph):
    rank = {p: i for i, p in enumerate(PACKAGES)}
    upward = defaultdict(list)
    for a, b in graph.edges:
        pa, pb = a.split(".")[0], b.split(".")[0]
        if rank[pb] > rank[pa]:
            upward[(pa, pb)].append(f"{a} -> {b}")
    assert not upward, dict(upward)


def test_no_import_fallbacks_for_our_own_modules():
    """Optional *third-party* dependencies may be guarded (ray); our own modules are imported plainly."""
    pattern = re.compile(r"import_module|ModuleNotFoundError|_optional\b|except ImportError")
    hits = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
            for path in _modules().values()
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    allowed = {"ui/replay/ray_backend.py"}  # `ray` is optional at import time (clear error when missing)
    assert [h for h in hits if h.split(":")[0] not in allowed] == []
