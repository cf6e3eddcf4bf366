"""``avis db upgrade`` / ``avis db current``: migrations of the configured database."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..db import engine


@click.group("db")
def db_group() -> None:
    """Database schema: migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Apply the migrations to the configured database."""
    from surveys import schema  # alembic is loaded only by the commands that need it

    before = schema.current_revision(engine())
    schema.upgrade(engine(), revision)
    after = schema.current_revision(engine())
    if before == after:
        click.echo(f"database already at {after}")
    else:
        click.echo(f"database upgraded from {before or 'empty'} to {after}")


@db_group.command("current")
@with_appcontext
def current() -> None:
    """Print the revision of the database and the newest one shipped."""
    from surveys import schema

    click.echo(f"database: {schema.current_revision(engine()) or 'empty'}")
    click.echo(f"newest:   {schema.head_revision()}")


commands = [db_group]
