"""``avis users create``: the first admin and other accounts, from the server's shell."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from surveys.models import ROLES
from surveys.users import create_user

from .common import cli_session


@click.group("users")
def users_group() -> None:
    """Back-office accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option(
    "--site", "sites", multiple=True, help="SITE or SITE:SERVICE in the user's scope (repeatable)."
)
@click.password_option(help="Asked for when not given.")
@with_appcontext
def create(email: str, name: str, role: str, sites: tuple[str, ...], password: str) -> None:
    """Create a back-office account."""
    scopes = [(s.split(":", 1)[0], s.split(":", 1)[1] if ":" in s else None) for s in sites]
    with cli_session() as session:
        user = create_user(
            session, email=email, name=name, password=password, role=role, scopes=scopes
        )
        click.echo(f"created {user.role} account {user.email}")


commands = [users_group]
