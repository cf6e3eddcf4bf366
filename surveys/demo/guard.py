"""What keeps ``avis demo`` out of a real database: the demo's accounts have published
passwords (``admin.demo@example.org`` / ``demo-admin-2022``), so it is loaded only into a
database that holds nothing but the demo's own sites and accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Site, User
from .setting import SITES, USERS


@dataclass(frozen=True)
class ForeignData:
    """What a database holds besides the demo: the codes of its own sites, and how many
    accounts are not the demo's (counted, not listed: the addresses of real agents are
    personal data). False when there is nothing."""

    sites: list[str]
    accounts: int

    def __bool__(self) -> bool:
        return bool(self.sites or self.accounts)


def foreign_data(session: Session) -> ForeignData:
    """Return what the database holds besides the demo's own sites and accounts (nothing
    when the database is new or holds only the demo)."""
    demo_sites = {code: entry[0] for code, entry in SITES.items()}
    demo_emails = {entry[1] for entry in USERS}
    sites = [
        code
        for code, name in session.execute(select(Site.code, Site.name).order_by(Site.code))
        if demo_sites.get(code) != name
    ]
    accounts = [
        email
        for email in session.scalars(select(User.email).order_by(User.email))
        if email not in demo_emails
    ]
    return ForeignData(sites, len(accounts))
