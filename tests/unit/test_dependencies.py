"""What the code imports is declared in setup.cfg, and everything declared is pinned in
constraints.txt, so that a new installation gets the versions the suite passed with."""

from __future__ import annotations

import ast
import configparser
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kiosk", "surveys", "analysis")


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> dict[str, set[str]]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg")
    groups = {"install": parser["options"]["install_requires"]}
    groups.update(parser["options.extras_require"])
    return {
        group: {_name(line) for line in text.splitlines() if line.strip()}
        for group, text in groups.items()
    }


def _imported_modules() -> set[str]:
    modules = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts and "versions" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    modules.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - set(PACKAGES)


def test_every_module_the_code_imports_is_a_declared_dependency():
    declared = _declared()
    distributions = packages_distributions()
    missing = []
    for module in sorted(_imported_modules()):
        names = {_name(d) for d in distributions.get(module, [module])}
        if not names & (declared["install"] | declared["redis"]):
            missing.append(f"{module} ({', '.join(sorted(names))})")
    assert not missing, "imported but not in setup.cfg install_requires: " + ", ".join(missing)


def test_redis_is_an_extra_and_tqdm_is_gone():
    declared = _declared()
    assert "redis" not in declared["install"]
    assert "redis" in declared["redis"] and "redis" in declared["test"]
    assert "tqdm" not in set().union(*declared.values())


def test_every_declared_dependency_is_pinned_in_the_constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _sep, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact version"
            pins[_name(name)] = version
    declared = set().union(*_declared().values())
    unpinned = sorted(declared - set(pins))
    assert not unpinned, "run `make constraints`: not pinned in constraints.txt: " + ", ".join(
        unpinned
    )
