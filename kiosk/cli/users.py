"""``avis users``: the first admin and other accounts, from the server's shell."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from surveys import DomainError
from surveys.audit import record
from surveys.i18n import _l, _ln
from surveys.models import ROLES, User
from surveys.users import create_user, find_by_email, set_active

from .common import cli_session, say, user_text
from .common import user_text as _t


@click.group("users", help=_t(_l("Comptes du back-office.")))
def users_group() -> None:
    pass


@users_group.command("create", help=_t(_l("Crée un compte du back-office.")))
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option(
    "--site",
    "sites",
    multiple=True,
    help=_t(_l("SITE ou SITE:SERVICE du périmètre du compte (répétable).")),
)
@click.password_option(help=_t(_l("Demandé s'il n'est pas donné.")))
@with_appcontext
def create(email: str, name: str, role: str, sites: tuple[str, ...], password: str) -> None:
    if role in ("agent", "viewer") and not sites:
        raise click.UsageError(
            user_text(_l("un agent ou un lecteur a besoin d'au moins un --site"))
        )
    scopes = [(s.split(":", 1)[0], s.split(":", 1)[1] if ":" in s else None) for s in sites]
    with cli_session() as session:
        user = create_user(
            session, email=email, name=name, password=password, role=role, scopes=scopes
        )
        record(session, None, "user.create", "user", user.id, f"role={role} via=cli")
        say(_l("Compte {role} créé : {email}", role=user.role, email=user.email))


@users_group.command(
    "list", help=_t(_l("Liste les comptes : adresse, rôle, état, taille du périmètre."))
)
@with_appcontext
def list_users() -> None:
    with cli_session() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            state = _l("actif") if user.active else _l("désactivé")
            scopes = _ln("{count} périmètre", "{count} périmètres", len(user.scopes))
            click.echo("\t".join((user.email, user.role, user_text(state), user_text(scopes))))


@users_group.command(
    "disable", help=_t(_l("Désactive un compte ; ses sessions ouvertes se terminent aussitôt."))
)
@click.argument("email")
@with_appcontext
def disable(email: str) -> None:
    with cli_session() as session:
        user = find_by_email(session, email)
        if user is None:
            raise DomainError(_l("Aucun compte à cette adresse."), field="email")
        set_active(user, False)
        record(session, None, "user.disable", "user", user.id, "via=cli")
        say(_l("Compte désactivé : {email}", email=user.email))


commands = [users_group]
