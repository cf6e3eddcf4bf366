"""``avis db upgrade`` / ``avis db current``: migrations of the configured database."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from surveys.db import COMMAND_CONNECTIONS, MAX_OVERFLOW

from ..db import engine


@click.group("db")
def db_group() -> None:
    """Database schema: migrations and checks."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Apply the migrations to the configured database."""
    from surveys import migrate  # alembic is loaded only by the commands that need it

    before = migrate.current_revision(engine())
    migrate.upgrade(engine(), revision)
    after = migrate.current_revision(engine())
    if before == after:
        click.echo(f"database already at {after}")
    else:
        click.echo(f"database upgraded from {before or 'empty'} to {after}")


@db_group.command("current")
@with_appcontext
def current() -> None:
    """Print the revision of the database and the newest one shipped."""
    from surveys import migrate

    click.echo(f"database: {migrate.current_revision(engine()) or 'empty'}")
    click.echo(f"newest:   {migrate.head_revision()}")


def default_workers() -> int:
    """Return gunicorn's worker count as deploy/gunicorn.conf.py computes it: AVIS_WORKERS,
    else 2 × the CPUs this process may run on + 1."""
    if os.environ.get("AVIS_WORKERS"):
        return int(os.environ["AVIS_WORKERS"])
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cpus or 1) * 2 + 1


@db_group.command("check")
@click.option(
    "--servers", default=1, show_default=True, type=click.IntRange(1), help="App servers."
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="gunicorn workers per server (default: as deploy/gunicorn.conf.py on this machine).",
)
@with_appcontext
def check(servers: int, workers: int | None) -> None:
    """Check the schema is current and that the app servers' connection pools fit within
    PostgreSQL's max_connections; exit with status 1 and say what to change otherwise."""
    from flask import current_app
    from sqlalchemy import text

    from surveys import migrate
    from surveys.db import connections_needed, is_sqlite, pool_size_for

    problems = []
    current, newest = migrate.current_revision(engine()), migrate.head_revision()
    click.echo(f"schema: {current or 'empty'} (newest: {newest})")
    if current != newest:
        problems.append("the schema is not the newest: run avis db upgrade")

    if is_sqlite(current_app.config["AVIS_DATABASE_URL"]):
        click.echo("connections: SQLite, no connection limit to check")
    else:
        workers = workers or default_workers()
        threads = current_app.config.get("AVIS_THREADS", 1)
        needed = connections_needed(servers, workers, threads)
        with engine().connect() as connection:
            limit = int(connection.execute(text("SHOW max_connections")).scalar_one())
            reserved = int(
                connection.execute(text("SHOW superuser_reserved_connections")).scalar_one()
            )
        pool = pool_size_for(threads)
        click.echo(
            f"connections: up to {needed} = {servers} server(s) × {workers} workers × "
            f"{pool + MAX_OVERFLOW} (pool of {pool} + {MAX_OVERFLOW} in bursts) + "
            f"{COMMAND_CONNECTIONS} for the command line and timers"
        )
        click.echo(f"PostgreSQL: max_connections = {limit}, {reserved} reserved for superusers")
        if needed > limit - reserved:
            problems.append(
                f"the app servers may open {needed} connections but PostgreSQL accepts "
                f"{limit - reserved}: set max_connections = {needed + reserved} or more "
                "(then restart PostgreSQL), or lower AVIS_WORKERS"
            )
    for problem in problems:
        click.echo(f"WARNING: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("ok")


commands = [db_group]
