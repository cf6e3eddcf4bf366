"""The ``avis`` command: a Flask CLI group (``avis run``, ``avis shell``, ``avis routes`` work)
with Avis's own commands, one module per area.

A command's module is imported only when that command is chosen, and the Flask app is built
only by the commands that need it (``with_app``): ``avis report`` reads the configuration
and the database without loading the web application, its blueprints and its catalogs."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import click
from flask.cli import FlaskGroup

if TYPE_CHECKING:
    from flask import Flask

# Command name -> module of this package that defines it (in that module's ``commands``).
COMMANDS = {
    "db": "db",
    "import": "data",
    "export": "data",
    "demo": "data",
    "qr": "survey",
    "tablets": "survey",
    "report": "reports",
    "poster": "reports",
    "tallies": "reports",
    "users": "users",
    "purge": "purge",
    "mail": "purge",
    "backup": "ops",
    "restore": "ops",
}
MODULES = ("db", "data", "survey", "reports", "users", "purge", "ops")


def _module_commands(module_name: str) -> list[click.Command]:
    return importlib.import_module(f"{__name__}.{module_name}").commands


def register_commands(app: Flask) -> None:
    """Add every Avis command to ``app.cli`` (``app.test_cli_runner()`` invokes them there)."""
    for module_name in MODULES:
        for command in _module_commands(module_name):
            app.cli.add_command(command)


def create_default_app() -> Flask:
    """Build the app from the environment: what ``avis`` runs when a command needs it."""
    from kiosk import create_app

    return create_app()


class AvisGroup(FlaskGroup):
    """A FlaskGroup that imports a command's module only when that command is chosen, and
    builds the app only for the commands that ask for it (Flask's own and the extensions'
    commands, found on ``app.cli``, still load the app as FlaskGroup does)."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module_name = COMMANDS.get(name)
        if module_name is None:
            return super().get_command(ctx, name)
        return next(c for c in _module_commands(module_name) if c.name == name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        # Listing (``avis --help``) still loads the app, so that the commands it adds
        # (``limiter``) are listed as before; running one of ours does not.
        return sorted({*super().list_commands(ctx), *COMMANDS})


@click.group(
    cls=AvisGroup, create_app=create_default_app, add_version_option=False, load_dotenv=False
)
def main() -> None:
    """Avis: satisfaction surveys, suggestions and réclamations of the préfectures."""
