"""The layers point down only (DESIGN.md section 1): checked on the source, by AST."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "commune_desk"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


RULES = {
    "domain": ("PySide6", "sqlalchemy", "commune_desk.store", "commune_desk.services", "commune_desk.ui",
               "commune_desk.printing", "commune_desk.sync", "commune_desk.reports"),
    "store": ("PySide6", "commune_desk.ui", "commune_desk.services"),
    "services": ("PySide6", "commune_desk.ui"),
    "printing": ("PySide6", "commune_desk.ui"),
    "sync": ("PySide6", "commune_desk.ui"),
    "reports": ("PySide6", "commune_desk.ui"),
}


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports_point_down(layer):
    bad = []
    for path in (PKG / layer).rglob("*.py"):
        for name in imports_of(path):
            if any(name == f or name.startswith(f + ".") for f in RULES[layer]):
                bad.append(f"{path.relative_to(PKG)} imports {name}")
    assert not bad, "\n".join(bad)
