"""``avis backup`` and ``avis restore``: the whole database to one file and back."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from surveys import DomainError
from surveys import backup as backups
from surveys.i18n import _l

from ..db import engine
from .common import refusal_text, say
from .common import user_text as _t


def _url() -> str:
    return current_app.config["AVIS_DATABASE_URL"]


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


@click.command(
    "backup",
    help=_t(
        _l(
            "Écrit une sauvegarde cohérente de la base configurée, pendant que l'application "
            "continue de tourner."
        )
    ),
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=_t(
        _l(
            "Fichier à écrire (par défaut : avis-AAAAMMJJ-HHMMSS.sqlite3 ou .pgdump dans le "
            "dossier courant)."
        )
    ),
)
@click.option("--force", is_flag=True, help=_t(_l("Remplace le fichier s'il existe déjà.")))
@with_appcontext
def backup_command(out: Path | None, force: bool) -> None:
    url = _url()
    try:
        kind = backups.database_kind(url)
        if out is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            out = Path(f"avis-{stamp}.{'sqlite3' if kind == 'sqlite' else 'pgdump'}")
        started = time.monotonic()
        say(_l("Sauvegarde de {url} dans {file}…", url=_safe_url(url), file=str(out)), err=True)
        info = backups.backup(url, out, force=force)
    except DomainError as error:
        raise click.ClickException(refusal_text(error)) from error
    say(
        _l(
            "Sauvegarde écrite : {file} ({kind}, {tables} tables, {size}, {seconds} s)",
            file=str(info.path),
            kind=info.kind,
            tables=info.tables,
            size=_size(info.size),
            seconds=round(time.monotonic() - started, 1),
        )
    )


@click.command(
    "restore",
    help=_t(
        _l(
            "Remplace la base configurée par une sauvegarde faite par avis backup. Arrêtez "
            "d'abord les serveurs de l'application, puis lancez avis db upgrade si la sauvegarde "
            "vient d'une version plus ancienne d'Avis."
        )
    ),
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help=_t(_l("Remplace la base configurée même si elle contient des données.")),
)
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    url = _url()
    engine().dispose()  # this process's own pooled connections must not hold the old database
    try:
        say(_l("Restauration de {file} dans {url}…", file=str(file), url=_safe_url(url)), err=True)
        info = backups.restore(url, file, force=force)
    except DomainError as error:
        raise click.ClickException(refusal_text(error)) from error
    say(
        _l(
            "Restauré : {file} ({kind}, {tables} tables). Si cette sauvegarde vient d'une "
            "version plus ancienne, lancez : avis db upgrade",
            file=str(info.path),
            kind=info.kind,
            tables=info.tables,
        )
    )


commands = [backup_command, restore_command]
