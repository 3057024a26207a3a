"""The integration's modules import one way only, and the domain stays free of Home Assistant.

docs/architecture.md draws the layers; these tests keep the drawing true.
"""

import ast
from pathlib import Path

PACKAGE = (
    Path(__file__).resolve().parent.parent / "custom_components" / "backup_access_codes"
)
# The rules, in plain Python: no Home Assistant import, so they can be read and tested alone.
DOMAIN_MODULES = (
    "codes",
    "coverage",
    "engine",
    "grant_events",
    "grants",
    "lock_state",
    "outcomes",
    "pool",
    "pool_keeper",
    "reservations",
    "retry",
    "slot_plan",
    "slots",
)


def module_name(path: Path) -> str:
    """Dotted name inside the package ('' for the package itself)."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """Return the package modules and the outside top-level packages a module imports.

    Imports under ``if TYPE_CHECKING:`` count as well: a circle hidden there is still one.
    """
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside: set[str] = set()
    outside: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            outside.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            outside.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".") if package else []
            base = parts[: len(parts) - (node.level - 1)]
            if node.module:
                inside.add(".".join([*base, node.module]))
            else:
                inside.update(".".join([*base, alias.name]) for alias in node.names)
    return inside, outside


def graph() -> dict[str, set[str]]:
    """Return each module of the package with the package modules it imports."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {dep for dep in imports_of(path)[0] if dep in modules}
        for name, path in modules.items()
    }


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """Return one import circle, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for dep in sorted(edges[node]):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (cycle := visit(dep, [*path, dep])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start, [start])):
            return cycle
    return None


def test_no_import_circle() -> None:
    """Platforms → grant operations → coordinator → engine → domain: never back up."""
    assert find_cycle(graph()) is None, " → ".join(find_cycle(graph()) or [])


def test_cycle_finder_finds_a_circle() -> None:
    """The check above can fail."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_domain_has_no_home_assistant_imports() -> None:
    """The rules import nothing from Home Assistant, and only other domain modules."""
    edges = graph()
    for name in DOMAIN_MODULES:
        _, outside = imports_of(PACKAGE / f"{name}.py")
        assert "homeassistant" not in outside, name
        assert edges[name] <= {"const", *DOMAIN_MODULES}, (name, edges[name])
