"""The import rules of docs/architecture.md, checked over the source with ``ast``.

- ``domain`` imports nothing of the project;
- ``parse`` and ``extract`` import no ``db``, ``web``, ``executors``, ``pipeline`` or ``service``;
- ``web`` and ``cli`` import no ``db`` (they call the service layer);
- ``db`` imports no ``service``, ``web``, ``cli``, ``executors`` or ``pipeline``;
- ``pipeline`` imports no ``executors``, ``web`` or ``service``;
- no module is over 400 lines (migrations aside).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "labintake"

FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("",),  # anything of the project
    "parse": ("db", "web", "executors", "pipeline", "service", "cli"),
    "extract": ("db", "web", "executors", "pipeline", "service", "cli", "parse"),
    "web": ("db",),
    "cli": ("db",),
    "db": ("service", "web", "cli", "executors", "pipeline"),
    "pipeline": ("executors", "web", "service", "cli"),
}


def _layer(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _project_imports(path: Path) -> list[str]:
    """Every ``labintake.…`` module the file imports (at any depth, lazy imports too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "labintake"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "labintake":
                found += [f"labintake.{a.name}" for a in node.names]
            elif node.module.startswith("labintake."):
                found.append(node.module)
    return found


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def _violations() -> list[str]:
    bad = []
    for path in _sources():
        layer = _layer(path)
        banned = FORBIDDEN.get(layer)
        if not banned:
            continue
        for module in _project_imports(path):
            target = module.split(".")[1] if "." in module else ""
            if target == layer:
                continue
            if any(b == "" or target == b for b in banned):
                bad.append(f"{path.relative_to(SRC)} imports {module}")
    return bad


def test_layers_import_only_downwards() -> None:
    assert _violations() == []


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from labintake.db import history\n")
    assert _project_imports(sample) == ["labintake.db"]


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_over_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400
