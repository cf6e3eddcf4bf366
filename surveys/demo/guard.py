"""What keeps ``avis demo`` out of a real database: the demo's accounts have published
passwords (``admin.demo@example.org`` / ``demo-admin-2022``), so it is loaded only into a
database that holds nothing but the demo's own sites and accounts."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Site, User
from .setting import SITES, USERS


def foreign_data(session: Session) -> list[str]:
    """Return what the database holds besides the demo's own sites and accounts, one short
    description per kind (empty when the database is new or holds only the demo)."""
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
    found = []
    if sites:
        found.append(f"{len(sites)} site(s) of its own ({', '.join(sites[:3])}{_more(sites)})")
    if accounts:
        # Counted, not listed: the addresses of real agents are personal data.
        found.append(f"{len(accounts)} account(s) that are not the demo's")
    return found


def _more(items: list[str]) -> str:
    return ", ..." if len(items) > 3 else ""
