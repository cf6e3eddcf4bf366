"""What the CLI commands share: a database session, clear failures, messages in the user's
language, and the Flask app only for the commands that need it.

This module imports neither Flask nor ``kiosk.db``: ``avis report`` reads the configuration
and opens its own engine, so that the command does not build the web application."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from surveys import DomainError
from surveys.db import session_scope
from surveys.i18n import Message, language_from_environment, render

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


def user_text(message: Message) -> str:
    """Return ``message`` in the user's language (``LANG``, read at each message): French,
    or English under an English locale."""
    return message.render(language_from_environment())


def say(message: Message, *, err: bool = False, nl: bool = True) -> None:
    """Print ``message`` in the user's language (see :func:`user_text`)."""
    click.echo(user_text(message), err=err, nl=nl)


def with_app(function: Callable) -> Callable:
    """Like ``flask.cli.with_appcontext``, but Flask is imported when the command runs,
    not when its module is loaded (``avis --help`` and ``avis report`` never need it)."""

    @functools.wraps(function)
    def command(*args, **kwargs):
        from flask.cli import with_appcontext

        return with_appcontext(function)(*args, **kwargs)

    return command


@contextmanager
def cli_session() -> Iterator[Session]:
    """Yield a session committed at the end; a DomainError becomes a clean CLI error."""
    from ..db import session_factory

    try:
        with session_scope(session_factory()) as session:
            yield session
    except DomainError as error:
        where = f" ({error.field})" if error.field else ""
        raise click.ClickException(f"{refusal_text(error)}{where}") from error


def refusal_text(error: DomainError) -> str:
    """The message of a refusal of the domain in the user's language (see ``user_text``)."""
    return str(render(error.message, language_from_environment()))


def _app_read_sessionmaker() -> sessionmaker[Session] | None:
    """Return the read sessions of the Flask app this command runs with, or None when it
    runs without one (``avis report``: ``avis`` builds no app unless a command needs it)."""
    flask = sys.modules.get("flask")
    if flask is None:  # nothing imported Flask, so no app can exist
        return None
    from flask import current_app
    from flask.cli import ScriptInfo

    if current_app:
        return current_app.extensions["avis_read_sessionmaker"]
    context = click.get_current_context(silent=True)
    info = context.find_object(ScriptInfo) if context is not None else None
    if info is None:
        return None
    from . import create_default_app

    if info.create_app is create_default_app and not info.app_import_path:
        return None  # the ``avis`` command itself: the configuration is enough
    # Another app was given (``--app``, a test's CliRunner): its database, its settings.
    app = info.load_app()
    context.with_resource(app.app_context())
    return app.extensions["avis_read_sessionmaker"]


@contextmanager
def read_session() -> Iterator[Session]:
    """Yield a read-only session (reports): from the Flask app when there is one, else
    from an engine on the configured database (AVIS_DATABASE_URL, or the SQLite file of
    the instance folder: the rules of ``create_app``), closed at the end."""
    factory = _app_read_sessionmaker()
    if factory is not None:
        with session_scope(factory) as session:
            yield session
        return
    from surveys.db import make_engine, make_sessionmaker, read_only_engine

    from ..config import database_url, instance_path

    engine = make_engine(database_url(instance_path()))
    try:
        with session_scope(make_sessionmaker(read_only_engine(engine))) as session:
            yield session
    finally:
        engine.dispose()
