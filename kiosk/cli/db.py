"""``avis db upgrade`` / ``avis db current``: migrations of the configured database."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext

from surveys.db import COMMAND_CONNECTIONS, MAX_OVERFLOW
from surveys.i18n import _l

from ..db import engine
from .common import say
from .common import user_text as _t


@click.group("db", help=_t(_l("Schéma de la base de données : migrations et vérifications.")))
def db_group() -> None:
    pass


@db_group.command(
    "upgrade", help=_t(_l("Applique les migrations à la base de données configurée."))
)
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    from surveys import migrate  # alembic is loaded only by the commands that need it

    before = migrate.current_revision(engine())
    migrate.upgrade(engine(), revision)
    after = migrate.current_revision(engine())
    if before == after:
        say(_l("Base de données déjà à la révision {revision}.", revision=after))
    elif before is None:
        say(_l("Base de données créée à la révision {revision}.", revision=after))
    else:
        say(_l("Base de données mise à jour de {before} à {after}.", before=before, after=after))


@db_group.command(
    "current", help=_t(_l("Affiche la révision de la base de données et la plus récente livrée."))
)
@with_appcontext
def current() -> None:
    from surveys import migrate

    say(
        _l(
            "base de données : {revision}",
            revision=migrate.current_revision(engine()) or _l("vide"),
        )
    )
    say(_l("la plus récente : {revision}", revision=migrate.head_revision()))


def default_workers() -> int:
    """Return gunicorn's worker count as deploy/gunicorn.conf.py computes it: AVIS_WORKERS,
    else 2 × the CPUs this process may run on + 1."""
    if os.environ.get("AVIS_WORKERS"):
        return int(os.environ["AVIS_WORKERS"])
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cpus or 1) * 2 + 1


@db_group.command(
    "check",
    help=_t(
        _l(
            "Vérifie que le schéma est à jour et que les pools de connexions des serveurs de "
            "l'application tiennent dans le max_connections de PostgreSQL ; sinon, sort avec le "
            "statut 1 et dit quoi changer."
        )
    ),
)
@click.option(
    "--servers",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help=_t(_l("Serveurs de l'application.")),
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help=_t(
        _l(
            "Workers gunicorn par serveur (par défaut : comme deploy/gunicorn.conf.py sur cette "
            "machine)."
        )
    ),
)
@with_appcontext
def check(servers: int, workers: int | None) -> None:
    from flask import current_app

    from surveys import migrate
    from surveys.db import is_sqlite

    problems = []
    current, newest = migrate.current_revision(engine()), migrate.head_revision()
    say(
        _l(
            "schéma : {current} (le plus récent : {newest})",
            current=current or _l("vide"),
            newest=newest,
        )
    )
    if current != newest:
        problems.append(_l("le schéma n'est pas le plus récent : lancez avis db upgrade"))

    if is_sqlite(current_app.config["AVIS_DATABASE_URL"]):
        say(_l("connexions : SQLite, aucune limite de connexions à vérifier"))
    else:
        problems += _connection_problems(servers, workers or default_workers())
    for problem in problems:
        say(_l("ATTENTION : {problem}", problem=problem), err=True)
    if problems:
        raise SystemExit(1)
    click.echo("ok")


def _connection_problems(servers: int, workers: int) -> list:
    """Say how many connections the app servers' pools may open and how many PostgreSQL
    accepts; return the problem to report when they do not fit."""
    from flask import current_app
    from sqlalchemy import text

    from surveys.db import connections_needed, pool_size_for

    threads = current_app.config.get("AVIS_THREADS", 1)
    needed = connections_needed(servers, workers, threads)
    with engine().connect() as connection:
        limit = int(connection.execute(text("SHOW max_connections")).scalar_one())
        reserved = int(connection.execute(text("SHOW superuser_reserved_connections")).scalar_one())
    pool = pool_size_for(threads)
    say(
        _l(
            "connexions : jusqu'à {needed} = {servers} serveur(s) × {workers} workers × "
            "{each} (pool de {pool} + {overflow} en pointe) + {commands} pour la ligne "
            "de commande et les minuteurs",
            needed=needed,
            servers=servers,
            workers=workers,
            each=pool + MAX_OVERFLOW,
            pool=pool,
            overflow=MAX_OVERFLOW,
            commands=COMMAND_CONNECTIONS,
        )
    )
    say(
        _l(
            "PostgreSQL : max_connections = {limit}, dont {reserved} réservées aux "
            "superutilisateurs",
            limit=limit,
            reserved=reserved,
        )
    )
    if needed <= limit - reserved:
        return []
    return [
        _l(
            "les serveurs de l'application peuvent ouvrir {needed} connexions mais "
            "PostgreSQL en accepte {accepted} : réglez max_connections = {wanted} ou "
            "plus (puis redémarrez PostgreSQL), ou baissez AVIS_WORKERS",
            needed=needed,
            accepted=limit - reserved,
            wanted=needed + reserved,
        )
    ]


commands = [db_group]
