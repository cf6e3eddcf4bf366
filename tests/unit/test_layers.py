"""The data flows one way (STYLE.md): views parse and authorise, ``surveys/`` decides and
writes, ``analysis/`` computes. Checked on the imports of every module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imports_of(package: str) -> dict[str, set[str]]:
    """{module path: every module it imports, absolute or resolved from relative}."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".")
                    base = base[: len(base) - node.level + (path.name == "__init__.py")]
                    names.add(".".join([*base, node.module] if node.module else base))
                else:
                    names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path} imports {name}"
        for path, names in imports_of(package).items()
        for name in names
        if name.split(".")[0] in forbidden or name.startswith(forbidden)
    )


def test_the_domain_and_the_analysis_know_no_flask_and_no_view():
    assert offending("surveys", ("flask", "flask_babel", "flask_login", "kiosk", "analysis")) == []
    assert offending("analysis", ("flask", "flask_babel", "flask_login", "kiosk")) == []


def test_no_view_depends_on_the_command_line():
    views = {
        path: names
        for path, names in imports_of("kiosk").items()
        if not path.startswith("kiosk/cli/")
    }
    assert (
        sorted(
            f"{path} imports {name}"
            for path, names in views.items()
            for name in names
            if name == "kiosk.cli" or name.startswith("kiosk.cli.")
        )
        == []
    )
