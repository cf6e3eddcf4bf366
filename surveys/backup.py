"""Backups of the whole database and their restoration, with no web framework.

SQLite is copied with its online backup API: a consistent snapshot taken while tablets keep
writing, checked with ``PRAGMA integrity_check`` before it is kept. PostgreSQL is dumped with
``pg_dump`` in its custom format and restored with ``pg_restore`` in one transaction. A backup
file is written beside its destination and renamed only once complete, so an interrupted
backup never leaves a truncated file under the expected name.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore are the PostgreSQL tools for this
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from . import DomainError
from .i18n import Message, _l, _ln

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


@dataclass
class BackupInfo:
    """What a backup or a restore did: the kind of database, the file and its size."""

    kind: str  # "sqlite" or "postgresql"
    path: Path
    size: int
    tables: int


def database_kind(url: str | URL) -> str:
    """Return ``"sqlite"`` or ``"postgresql"`` for a database URL; refuse anything else."""
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DomainError(
            _l(
                "les sauvegardes prennent en charge SQLite et PostgreSQL, pas {backend}",
                backend=backend,
            ),
            code="backend",
        )
    return backend


def file_kind(path: Path) -> str:
    """Return ``"sqlite"`` or ``"postgresql"`` for a backup file, from its first bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except FileNotFoundError as error:
        raise DomainError(
            _l("aucun fichier de sauvegarde à {path}", path=str(path)), field="file", code="missing"
        ) from error
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise DomainError(
        _l(
            "{path} n'est ni une sauvegarde SQLite ni une archive pg_dump faite par avis backup",
            path=str(path),
        ),
        field="file",
        code="format",
    )


def pg_tool(name: str) -> str:
    """Return the path of a PostgreSQL client program (``pg_dump``, ``pg_restore``).

    ``AVIS_PG_BIN`` names its folder; otherwise the PATH, then Debian's newest
    ``/usr/lib/postgresql/N/bin``.
    """
    folder = os.environ.get("AVIS_PG_BIN")
    if folder:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: (
            int(Path(p).parent.parent.name)
            if Path(p).parent.parent.name.isascii() and Path(p).parent.parent.name.isdigit()
            else 0
        ),
    )
    if versions:
        return versions[-1]
    raise DomainError(
        _l("{name} introuvable : installez postgresql-client ou définissez AVIS_PG_BIN", name=name),
        code="pg_tool",
    )


def _libpq(url: str | URL) -> tuple[list[str], dict[str, str]]:
    """Return pg_dump/pg_restore connection options and an environment holding the password
    (never on the command line, where ``ps`` would show it)."""
    u = make_url(url)
    args = ["--dbname", u.database or "postgres"]
    # A Unix socket folder may be given as ?host=/var/run/postgresql (peer authentication).
    host = u.host or u.query.get("host")
    if isinstance(host, tuple):
        host = host[0]
    if host:
        args += ["--host", host]
    # With a socket folder, the port (which names the socket file) may be given as ?port=.
    port = u.port or u.query.get("port")
    if isinstance(port, tuple):
        port = port[0]
    if port:
        args += ["--port", str(port)]
    if u.username:
        args += ["--username", u.username]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    return args, env


def _sqlite_path(url: str | URL) -> Path:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise DomainError(
            _l("une base de données SQLite en mémoire ne peut pas être sauvegardée"), code="memory"
        )
    return Path(path)


def _tables(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()


def backup(url: str, out: Path, *, force: bool = False) -> BackupInfo:
    """Write a consistent backup of the database at ``url`` to ``out``; return what was done.

    Refuses to replace an existing file unless ``force``.
    """
    out = Path(out)
    kind = database_kind(url)
    if out.exists() and not force:
        raise DomainError(
            _l(
                "{out} existe déjà ; choisissez un autre nom ou ajoutez --force pour le remplacer",
                out=str(out),
            ),
            field="out",
            code="exists",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    # The file holds personal data: 0600 whatever the umask of the shell it is run from
    # (copied as it is by rsync -a to the backup host). Made empty here, with that mode,
    # then filled by SQLite or pg_dump, which keep the mode of a file they overwrite.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(partial, 0o600)
    try:
        if kind == "sqlite":
            tables = _backup_sqlite(_sqlite_path(url), partial)
        else:
            tables = _backup_postgresql(url, partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(kind=kind, path=out, size=out.stat().st_size, tables=tables)


def _backup_sqlite(source: Path, target: Path) -> int:
    if not source.exists():
        raise DomainError(
            _l("aucune base de données SQLite à {source}", source=str(source)), code="missing"
        )
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        # Copy in steps so writers are not held up for the whole copy.
        src.backup(dst, pages=1024, sleep=0.005)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        _check_sqlite(dst, target)
        tables = dst.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    finally:
        dst.close()
        src.close()
    return int(tables)


def _check_sqlite(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise DomainError(
            _l(
                "{path} ne passe pas son contrôle d'intégrité : {result}",
                path=str(path),
                result=str(result[:3]),
            ),
            code="corrupt",
        )


def _backup_postgresql(url: str, target: Path) -> int:
    args, env = _libpq(url)
    command = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    done = subprocess.run(  # noqa: S603 - fixed program, arguments from our configuration
        [*command, *args, "--file", str(target)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise DomainError(
            _l("échec de pg_dump : {error}", error=done.stderr.strip()), code="pg_dump"
        )
    engine = create_engine(url)
    try:
        return len(_tables(engine))
    finally:
        engine.dispose()


def describe_contents(url: str) -> Message | None:
    """Return what the database at ``url`` holds (its tables, responses and réclamations),
    in words rendered in the reader's language, or None if it is empty."""
    if database_kind(url) == "sqlite":
        path = _sqlite_path(url)
        if not path.exists() or path.stat().st_size == 0:
            return None
    engine = create_engine(url)
    try:
        tables = _tables(engine)
        if not tables:
            return None
        counts = {}
        with engine.connect() as connection:
            for table in ("response", "reclamation"):
                if table in tables:
                    counts[table] = connection.execute(
                        text(f"SELECT count(*) FROM {table}")  # noqa: S608 - our own names
                    ).scalar_one()
    finally:
        engine.dispose()
    held = _ln("{count} table", "{count} tables", len(tables))
    details = []
    if "response" in counts:
        details.append(_ln("{count} réponse", "{count} réponses", counts["response"]))
    if "reclamation" in counts:
        details.append(_ln("{count} réclamation", "{count} réclamations", counts["reclamation"]))
    if len(details) == 2:
        return _l(
            "{tables}, avec {first} et {second}", tables=held, first=details[0], second=details[1]
        )
    if details:
        return _l("{tables}, avec {first}", tables=held, first=details[0])
    return held


def restore(url: str, source: Path, *, force: bool = False) -> BackupInfo:
    """Replace the database at ``url`` with the backup ``source``; return what was done.

    Refuses when the database already holds tables unless ``force``, and refuses a backup
    of the other kind of database (a SQLite file into PostgreSQL and the reverse).
    """
    source = Path(source)
    kind = database_kind(url)
    found = file_kind(source)
    if found != kind:
        raise DomainError(
            _l(
                "{source} est une sauvegarde {found} mais la base de données configurée est "
                "{kind} ; restaurez-la dans une base de données du même type",
                source=str(source),
                found=found,
                kind=kind,
            ),
            field="file",
            code="kind",
        )
    held = describe_contents(url)
    if held and not force:
        raise DomainError(
            _l(
                "la base de données configurée n'est pas vide (elle contient {held}) ; la "
                "restauration la remplacerait entièrement. Arrêtez les serveurs de "
                "l'application, puis relancez avec --force",
                held=held,
            ),
            code="not_empty",
        )
    if kind == "sqlite":
        tables = _restore_sqlite(source, _sqlite_path(url))
    else:
        tables = _restore_postgresql(source, url)
    return BackupInfo(kind=kind, path=source, size=source.stat().st_size, tables=tables)


def _restore_sqlite(source: Path, target: Path) -> int:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _check_sqlite(src, source)
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            # The backup API writes through SQLite's own locking: connections still open on
            # the target see the restored content, and the file is never half-copied.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
            _check_sqlite(dst, target)
            tables = dst.execute("SELECT count(*) FROM sqlite_master WHERE type='table'")
            return int(tables.fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()


def _restore_postgresql(source: Path, url: str) -> int:
    engine = create_engine(url)
    try:
        # Objects the dump does not know (a newer migration's tables) would survive a
        # --clean restore: empty the schema first, in the same spirit as the SQLite copy.
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        args, env = _libpq(url)
        command = [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
        ]
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from our configuration
            [*command, *args, str(source)], env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise DomainError(
                _l("échec de pg_restore : {error}", error=done.stderr.strip()),
                code="pg_restore",
            )
        return len(_tables(engine))
    finally:
        engine.dispose()
