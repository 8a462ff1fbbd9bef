"""The package's import graph, read from the source with ast (nothing is imported).

python tests/import_graph.py [ROOT]   # modules, depth of the longest import chain, circles

Every `import` counts, also one inside a function (a lazy import still ties two modules).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = "autocomplete"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that `path` imports (`from a import b` counts b when b is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in modules}


def graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package modules it imports (package __init__ files left out as targets
    when they are only the parent of what is imported)."""
    paths = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    modules = set(paths)
    edges = {name: imports(path, modules) - {name} for name, path in paths.items()}
    for name, targets in edges.items():  # `from autocomplete.engine import x`: x, not engine
        edges[name] = {t for t in targets if not any(o.startswith(t + ".") for o in targets)}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def depth(edges: dict[str, set[str]]) -> int:
    """Modules on the longest import chain (a circle's members count once)."""
    memo: dict[str, int] = {}

    def longest(node: str, path: frozenset[str]) -> int:
        if node in memo:
            return memo[node]
        below = [longest(t, path | {node}) for t in edges.get(node, ()) if t not in path]
        memo[node] = 1 + max(below, default=0)
        return memo[node]

    return max((longest(node, frozenset()) for node in edges), default=0)


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / PACKAGE
    edges = graph(root)
    print(f"{len(edges)} modules, {sum(map(len, edges.values()))} imports")
    print(f"depth: {depth(edges)} modules on the longest import chain")
    circles = cycles(edges)
    print(f"circles: {len(circles)}")
    for circle in circles:
        print("  " + " <-> ".join(circle))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
