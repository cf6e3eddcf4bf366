"""``avis backup`` and ``avis restore``: a round trip keeps every row of every table, on SQLite
and on PostgreSQL, and the commands refuse what would lose data."""

from __future__ import annotations

import os
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.orm import Session

from kiosk import create_app
from surveys import backup as backups
from surveys import migrate
from surveys.calendar import local_today
from surveys.db import make_engine, make_sessionmaker, session_scope
from surveys.reclamations import NewReclamation, create_reclamation
from surveys.tablets import enrol_tablet, register_tablet
from tests.factories import make_response, make_service, make_site, make_user


def _fill(url: str) -> None:
    """Put rows in most tables: sites, services, tablets, responses, réclamations, users."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(make_sessionmaker(engine)) as session:
        site = make_site(session)
        accueil = make_service(session, site)
        etrangers = make_service(session, site, "etrangers", "Bureau du séjour des étrangers")
        tablet, code = register_tablet(session, accueil, "Hall A")
        enrol_tablet(session, code)
        for day in range(5):
            make_response(
                session,
                accueil if day % 2 else etrangers,
                {"courtesy": 5, "waiting_time": 2, "overall": 4},
                submitted_at=datetime(2026, 3, 2 + day, 10, tzinfo=UTC),
                comment="Très bien, « merci » 👍" if day == 0 else None,
            )
        make_user(session, "quality", scopes=[(site.code, None)])
        create_reclamation(
            session,
            NewReclamation(
                kind="reclamation",
                channel="courriel",
                category="waiting_time",
                site=site.code,
                service="etrangers",
                text="Trois mois sans réponse à ma demande de titre.",
                received_on=local_today() - timedelta(days=3),
                reply_wanted=True,
                contact_email="usager@example.org",
            ),
        )
    engine.dispose()


def _dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    rows = {}
    with Session(engine) as session:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = [tuple(r) for r in session.execute(select(table).order_by(*order))]
    engine.dispose()
    return rows


def _runner(url: str, tmp_path: Path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "backup-test",
            "AVIS_DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path / f"instance-{uuid.uuid4().hex[:6]}"),
        }
    )
    return app, app.test_cli_runner()


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request, tmp_path):
    """(source URL, empty target URL) on SQLite files or on the session's PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/source.db", f"sqlite:///{tmp_path}/target/avis.db"
    cluster = request.getfixturevalue("pg_cluster")
    tag = uuid.uuid4().hex[:8]
    return cluster.create_database(f"src_{tag}"), cluster.create_database(f"dst_{tag}")


def test_backup_then_restore_into_an_empty_database_keeps_every_row_of_every_table(
    two_databases, tmp_path
):
    source, target = two_databases
    _fill(source)
    before = _dump(source)
    assert len(before["response"]) == 5 and len(before["answer"]) == 15
    assert len(before["reclamation"]) == 1 and len(before["tablet"]) == 1

    app, runner = _runner(source, tmp_path)
    out = tmp_path / "nightly.backup"
    done = runner.invoke(args=["backup", "--out", str(out)], env={"LC_ALL": "C"})
    assert done.exit_code == 0, done.output
    assert "Sauvegarde écrite" in done.output and out.exists()
    app.extensions["avis_engine"].dispose()

    app, runner = _runner(target, tmp_path)
    done = runner.invoke(args=["restore", str(out)])
    assert done.exit_code == 0, done.output
    app.extensions["avis_engine"].dispose()

    after = _dump(target)
    assert set(after) == set(before)
    for table, rows in before.items():
        assert after[table] == rows, f"table {table} differs after restore"


def test_restore_refuses_to_overwrite_a_database_holding_data_without_force(
    two_databases, tmp_path, monkeypatch
):
    source, target = two_databases
    _fill(source)
    app, runner = _runner(source, tmp_path)
    out = tmp_path / "b.backup"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    # Something new after the backup: a restore must bring the database back to the backup.
    engine = make_engine(source)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM answer"))
        connection.execute(text("DELETE FROM response"))
    engine.dispose()

    refused = runner.invoke(args=["restore", str(out)])
    assert refused.exit_code == 1
    assert "n'est pas vide" in refused.output and "--force" in refused.output
    # What it holds, counted in the reader's words: French by default, English under LANG.
    tables = len(_dump(source))
    assert f"elle contient {tables} tables, avec 0 réponse et 1 réclamation)" in refused.output
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    refused = runner.invoke(args=["restore", str(out)])
    assert refused.exit_code == 1
    assert f"holds {tables} tables, with 0 responses and 1 réclamation)" in refused.output
    monkeypatch.delenv("LANG")
    assert _dump(source)["response"] == []

    forced = runner.invoke(args=["restore", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    app.extensions["avis_engine"].dispose()
    assert len(_dump(source)["response"]) == 5


def test_a_backup_made_by_hand_under_umask_022_is_readable_by_its_owner_only(
    two_databases, tmp_path
):
    source, _target = two_databases
    _fill(source)
    _app, runner = _runner(source, tmp_path)
    out = tmp_path / "by-hand.backup"
    previous = os.umask(0o022)  # an administrator's shell: new files 0644
    try:
        done = runner.invoke(args=["backup", "--out", str(out)])
        assert done.exit_code == 0, done.output
        replaced = runner.invoke(args=["backup", "--out", str(out), "--force"])
        assert replaced.exit_code == 0, replaced.output
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_backup_refuses_to_replace_an_existing_file_without_force(tmp_path):
    url = f"sqlite:///{tmp_path}/a.db"
    _fill(url)
    _app, runner = _runner(url, tmp_path)
    out = tmp_path / "keep.backup"
    out.write_bytes(b"yesterday's backup")
    refused = runner.invoke(args=["backup", "--out", str(out)])
    assert refused.exit_code == 1 and "existe déjà" in refused.output
    assert out.read_bytes() == b"yesterday's backup"
    assert runner.invoke(args=["backup", "--out", str(out), "--force"]).exit_code == 0
    assert out.read_bytes().startswith(b"SQLite format 3")


def test_restore_refuses_a_file_that_is_not_a_backup_and_a_backup_of_the_other_kind(
    tmp_path, pg_cluster
):
    url = f"sqlite:///{tmp_path}/a.db"
    _fill(url)
    _app, runner = _runner(url, tmp_path)
    junk = tmp_path / "notes.txt"
    junk.write_text("pas une sauvegarde")
    done = runner.invoke(args=["restore", str(junk), "--force"])
    assert done.exit_code == 1
    assert "n'est ni une sauvegarde SQLite ni une archive pg_dump" in done.output

    sqlite_backup = tmp_path / "s.backup"
    assert runner.invoke(args=["backup", "--out", str(sqlite_backup)]).exit_code == 0
    pg_url = pg_cluster.create_database(f"kind_{uuid.uuid4().hex[:8]}")
    _pg_app, pg_runner = _runner(pg_url, tmp_path)
    done = pg_runner.invoke(args=["restore", str(sqlite_backup), "--force"])
    assert done.exit_code == 1 and "est une sauvegarde sqlite" in done.output


def test_pg_dump_is_given_the_socket_folder_and_port_of_a_url_without_a_host_name():
    args, _env = backups._libpq("postgresql+psycopg://avis@/avis?host=/run/pg-avis&port=5433")
    assert args == [
        "--dbname",
        "avis",
        "--host",
        "/run/pg-avis",
        "--port",
        "5433",
        "--username",
        "avis",
    ]
