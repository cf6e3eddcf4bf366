"""The migrations are history a reader can follow: each file is named by its day and its
revision id, they form one chain, and none imports the application's live code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from alembic.script import ScriptDirectory

from surveys import migrate

LIVE_PACKAGES = {"surveys", "kiosk", "analysis"}


def _scripts() -> list:
    directory = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return list(reversed(list(directory.walk_revisions())))


def test_each_file_is_named_by_its_day_and_its_revision_id():
    for script in _scripts():
        stem = Path(script.path).stem
        day, _, name = stem[:10], stem[10], stem[11:]
        assert re.fullmatch(r"\d{4}_\d{2}_\d{2}", day), stem
        # A bare number as id (the first revision) takes its words in the file name only.
        assert name == script.revision or (
            script.revision.isdigit() and name.startswith(f"{script.revision}_")
        ), f"{stem}.py holds revision {script.revision}"


def test_the_revisions_form_one_chain_in_the_order_of_their_numbers():
    scripts = _scripts()
    assert scripts[0].down_revision is None
    for before, after in zip(scripts, scripts[1:], strict=False):
        assert after.down_revision == before.revision
    numbers = [int(s.revision[:4]) for s in scripts]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert migrate.head_revision() == scripts[-1].revision


def test_no_migration_imports_the_application():
    for script in _scripts():
        tree = ast.parse(Path(script.path).read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
        assert not imported & LIVE_PACKAGES, f"{Path(script.path).name} imports {imported}"
