"""The Flask side of ``avis``: a FlaskGroup, so that ``avis run``, ``avis shell``,
``avis routes``, ``--app`` and ``--debug`` work as in any Flask app. Importing this module
imports Flask; ``kiosk.cli.main`` does it for every command but those that need no app."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from . import COMMANDS, HELP, create_default_app, module_commands
from .common import user_text


class AvisFlaskGroup(FlaskGroup):
    """A FlaskGroup that imports a command's module only when that command is chosen, and
    builds the app only for the commands that ask for it (Flask's own and the extensions'
    commands, found on ``app.cli``, still load the app as FlaskGroup does)."""

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return super().get_command(ctx, name)
        return next(c for c in module_commands(COMMANDS[name]) if c.name == name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        # Listing (``avis --help``) still loads the app, so that the commands it adds
        # (``limiter``) are listed as before; running one of ours does not.
        return sorted({*super().list_commands(ctx), *COMMANDS})


@click.group(
    "avis",
    cls=AvisFlaskGroup,
    create_app=create_default_app,
    add_version_option=False,
    load_dotenv=False,
    help=user_text(HELP),
)
def flask_main() -> None:
    """``avis`` as a FlaskGroup (its help is in the user's language)."""
