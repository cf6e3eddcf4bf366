"""The ``avis`` command: a Flask CLI group (``avis run``, ``avis shell``, ``avis routes`` work)
with Avis's own commands, one module per area."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from . import data, db, ops, purge, reports, survey, users

MODULES = (db, data, survey, reports, users, purge, ops)


def register_commands(app: Flask) -> None:
    for module in MODULES:
        for command in module.commands:
            app.cli.add_command(command)


def _create_app():
    from kiosk import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """Avis: satisfaction surveys, suggestions and réclamations of the préfectures."""
