"""``avis report`` as an operator runs it: a process of its own that reads the configuration
and the database without building the Flask app (issue 5: the whole command under 2 s)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from kiosk import cli, config
from tests.factories import make_service, make_site

from .helpers import store

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "analysis" / "schemas" / "report.schema.json").read_text())
PERIOD = ["--from", "2026-01-01", "--to", "2026-02-20"]  # February: a partial month
REPORT = ["report", *PERIOD, "--format", "json", "--out"]

# Imported by building the app or by the other formats: a report in JSON needs none of them,
# not even Flask (kiosk.cli.main runs ``avis report`` without the FlaskGroup).
NOT_NEEDED = (
    "flask",
    "werkzeug",
    "jinja2",
    "kiosk.backoffice",
    "kiosk.api",
    "kiosk.tablet",
    "kiosk.public",
    "kiosk.auth",
    "kiosk.extensions",
    "kiosk.db",
    "flask_babel",
    "flask_limiter",
    "pandas",
    "openpyxl",
    "weasyprint",
)


@pytest.fixture
def responses(db):
    nanterre = make_site(db)
    accueil = make_service(db, nanterre, "accueil")
    etrangers = make_service(db, nanterre, "etrangers", "Étrangers")
    antony = make_service(db, make_site(db, "92-antony", "Sous-préfecture d'Antony"), "accueil")
    # Whole January (tallies) and a partial February (raw answers), in Paris time.
    for day in range(1, 29):
        for service, base in ((accueil, 5), (etrangers, 3), (antony, 4)):
            at = datetime(2026, 1, day, 9 + day % 8, tzinfo=UTC)
            store(db, service, at, {"courtesy": base, "overall": max(1, base - day % 3)})
        store(db, etrangers, datetime(2026, 2, day, 10, tzinfo=UTC), {"effort": 1 + day % 5})
    db.commit()


def _environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AVIS_DATABASE_URL", "FLASK_APP")}
    # This checkout's packages, not an installed copy.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env.update(values)
    return env


def _avis(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the ``avis`` console script (``python -m kiosk.cli`` when there is none)."""
    script = Path(sys.executable).with_name("avis")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kiosk.cli"]
    return subprocess.run(
        [*command, *args], env=_environment(**env), capture_output=True, text=True, timeout=120
    )


def test_report_command_writes_json_that_matches_the_schema_and_the_app(
    responses, database_url, runner, tmp_path
):
    out = tmp_path / "report.json"
    done = _avis(*REPORT, str(out), env={"AVIS_DATABASE_URL": database_url})
    assert done.returncode == 0, done.stderr
    assert "2026-01-01 – 2026-02-20" in done.stderr
    document = json.loads(out.read_text())
    jsonschema.validate(document, SCHEMA)
    total = next(
        r for r in document["satisfaction"] if r["site"] is None and r["criterion"] == "courtesy"
    )
    assert (total["n"], total["satisfied"]) == (84, 56)
    effort = next(
        r for r in document["satisfaction"] if r["site"] is None and r["criterion"] == "effort"
    )
    assert (effort["n"], effort["satisfied"]) == (20, 8)  # 1 or 2 of 5: felt easy

    # The same document as the command run inside the app (its database, its context).
    in_app = tmp_path / "in-app.json"
    result = runner.invoke(args=["report", *PERIOD, "--format", "json", "--out", str(in_app)])
    assert result.exit_code == 0, result.output
    assert json.loads(in_app.read_text()) == document


def test_report_command_reports_an_unknown_site_as_before(responses, database_url, tmp_path):
    out = tmp_path / "report.json"
    env = {"AVIS_DATABASE_URL": database_url, "LC_ALL": "C"}  # C: the reference, French
    done = _avis(*REPORT, str(out), "--site", "nowhere", env=env)
    assert done.returncode == 1
    assert "Error: Site inconnu : nowhere" in done.stderr
    assert not out.exists()
    # Under an English locale, in English, as every other command.
    done = _avis(*REPORT, str(out), "--site", "nowhere", env={**env, "LC_ALL": "en_GB.UTF-8"})
    assert done.returncode == 1
    assert "Error: Unknown site: nowhere" in done.stderr, done.stderr
    done = _avis(
        "report", "--format", "doc", "--out", str(out), env={"AVIS_DATABASE_URL": database_url}
    )
    assert done.returncode == 2 and "Invalid value for '--format'" in done.stderr


def test_report_command_imports_neither_flask_nor_a_blueprint_nor_pandas(
    responses, database_url, tmp_path
):
    out = tmp_path / "report.json"
    program = (
        "import json, sys\n"
        "from kiosk.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], prog_name='avis')\n"
        "except SystemExit as end:\n"
        "    code = end.code\n"
        "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, *REPORT, str(out)],
        env=_environment(AVIS_DATABASE_URL=database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["code"] == 0
    assert json.loads(out.read_text())["satisfaction"]
    loaded = [
        name
        for name in answer["modules"]
        if any(name == prefix or name.startswith(prefix + ".") for prefix in NOT_NEEDED)
    ]
    assert loaded == []


def test_report_command_reads_the_instance_database_without_a_url(
    responses, database_url, tmp_path
):
    if not database_url.startswith("sqlite:///"):
        pytest.skip("the default database is the instance folder's SQLite file")
    instance = Path(database_url.removeprefix("sqlite:///")).parent  # it holds avis.db
    out = tmp_path / "report.json"
    done = _avis(*REPORT, str(out), env={"AVIS_INSTANCE_PATH": str(instance)})
    assert done.returncode == 0, done.stderr
    assert len(json.loads(out.read_text())["satisfaction"]) > 0


def test_instance_path_is_the_one_the_app_finds(monkeypatch, tmp_path):
    from flask import Flask

    monkeypatch.delenv("AVIS_INSTANCE_PATH", raising=False)
    assert config.instance_path() == Flask("kiosk").instance_path
    monkeypatch.setenv("AVIS_INSTANCE_PATH", str(tmp_path))
    assert config.instance_path() == str(tmp_path)


def test_database_url_prefers_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("AVIS_DATABASE_URL", raising=False)
    assert config.database_url(str(tmp_path)) == f"sqlite:///{tmp_path}/avis.db"
    monkeypatch.setenv("AVIS_DATABASE_URL", "postgresql+psycopg://avis@db/avis")
    assert config.database_url(str(tmp_path)) == "postgresql+psycopg://avis@db/avis"


def test_other_command_lines_still_go_through_the_flask_group(responses, database_url, tmp_path):
    env = {"AVIS_DATABASE_URL": database_url, "AVIS_INSTANCE_PATH": str(tmp_path / "instance")}
    listing = _avis("--help", env=env)
    assert listing.returncode == 0, listing.stderr
    listed = {line.split()[0] for line in listing.stdout.split("Commands:")[1].splitlines() if line}
    assert {"report", "poster", "db", "import", "export", "users", "run", "shell", "routes"} <= (
        listed
    )
    out = tmp_path / "debug.json"
    done = _avis("--debug", *REPORT, str(out), env=env)  # Flask's option first: FlaskGroup
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["period"] == {"from": "2026-01-01", "to": "2026-02-20"}
    assert _avis("nosuch", env=env).returncode == 2


def test_report_run_in_process_leaves_the_garbage_collector_on(
    responses, database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("AVIS_DATABASE_URL", database_url)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli.main, [*REPORT, str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["satisfaction"]
    assert gc.isenabled()  # the command turns it off for its own run only


def test_every_command_is_found_in_the_module_the_lazy_table_names():
    found = {
        command.name: module for module in cli.MODULES for command in cli.module_commands(module)
    }
    assert found == cli.COMMANDS
