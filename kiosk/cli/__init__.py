"""The ``avis`` command: a Flask CLI group (``avis run``, ``avis shell``, ``avis routes`` work)
with Avis's own commands, one module per area.

A command's module is imported only when that command is chosen, and the Flask app is built
only by the commands that need it (``with_app``). ``avis report`` needs neither the app nor
Flask: it reads the configuration and the database, and ``main`` runs it without importing
Flask at all (issue 5: the whole command under 2 s on a million responses). Everything else
goes through the FlaskGroup of ``flask_group``."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from surveys.i18n import _l

from .common import user_text

if TYPE_CHECKING:
    from flask import Flask

# Command name -> module of this package that defines it (in that module's ``commands``).
COMMANDS = {
    "db": "db",
    "import": "data",
    "export": "data",
    "demo": "demo",
    "qr": "survey",
    "tablets": "survey",
    "questionnaires": "survey",
    "campaigns": "survey",
    "report": "reports",
    "poster": "reports",
    "tallies": "reports",
    "users": "users",
    "purge": "purge",
    "mail": "purge",
    "backup": "ops",
    "restore": "ops",
}
MODULES = ("db", "data", "demo", "survey", "reports", "users", "purge", "ops")
# Commands that need no app, hence no Flask, when they come first on the command line.
WITHOUT_FLASK = ("report",)
# What FlaskGroup reads from the environment before a command; given, Flask is needed.
FLASK_VARIABLES = ("FLASK_APP", "FLASK_ENV_FILE")
# FlaskGroup reads every option from FLASK_* variables as well (FLASK_REPORT_FORMAT...).
CONTEXT_SETTINGS = {"auto_envvar_prefix": "FLASK"}


def module_commands(module_name: str) -> list[click.Command]:
    """Return the commands of one module of this package, importing it."""
    return importlib.import_module(f"{__name__}.{module_name}").commands


def register_commands(app: Flask) -> None:
    """Add every Avis command to ``app.cli`` (``app.test_cli_runner()`` invokes them there)."""
    for module_name in MODULES:
        for command in module_commands(module_name):
            app.cli.add_command(command)


def create_default_app() -> Flask:
    """Build the app from the environment: what ``avis`` runs when a command needs it."""
    from kiosk import create_app

    return create_app()


def needs_flask(args: Sequence[str]) -> bool:
    """Return False when ``args`` name a command that runs without Flask (``report ...``)
    and nothing asks FlaskGroup for more (``--app`` before it, FLASK_APP...)."""
    if not args or args[0] not in WITHOUT_FLASK:
        return True
    return any(os.environ.get(name) for name in FLASK_VARIABLES)


# What ``avis --help`` says first (both groups below say it).
HELP = _l("Avis : enquêtes de satisfaction, suggestions et réclamations des préfectures.")


class AvisGroup(click.Group):
    """``avis``: the commands of WITHOUT_FLASK run here without importing Flask; any other
    command line (other commands, ``--help``, ``--app``, completion) goes to the FlaskGroup
    ``kiosk.cli.flask_group.flask_main``, which lists and runs every command."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        if needs_flask(args):
            from .flask_group import flask_main

            return flask_main.main(args, prog_name, complete_var, standalone_mode, **extra)
        # A report's objects (imported modules, rows) live until the process ends: the
        # cyclic collector would walk them again and again for nothing, a good share of
        # the command's CPU for the same peak memory (``bench/report.py``).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        finally:
            if collecting:
                gc.enable()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in WITHOUT_FLASK:
            return None
        return next(c for c in module_commands(COMMANDS[name]) if c.name == name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(WITHOUT_FLASK)


@click.group(
    "avis",
    cls=AvisGroup,
    context_settings=CONTEXT_SETTINGS,
    help=user_text(HELP),
)
def main() -> None:
    """The ``avis`` command (its help is in the user's language)."""
