"""The reference rows that storing a response reads, kept in memory in each process.

Storing one usager's response needs its site and service by code, the campaign and
questionnaire of that site, service and day, the criteria of the questionnaire and, from a
tablet, the enrolled tablet holding the credential. Read from the database at every
request these cost a dozen queries, more than the write itself. A :class:`Directory` holds
them all (a national rollout has a few thousand such rows) and is reloaded whenever the
stamp of ``surveys.models.versioning`` changes, which every change to those rows does in
its own transaction: one indexed read per request, and a revoked tablet or a new campaign
takes effect at the very next request on every app server.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from .campaigns import CampaignResolver
from .models import (
    Criterion,
    QuestionnaireItem,
    ReferenceStamp,
    Service,
    Site,
    Tablet,
)


@dataclass(frozen=True)
class ServiceRef:
    """A service as a response names it: ``site`` and ``service`` codes."""

    site_id: int
    service_id: int
    timezone: str
    active: bool  # the service and its site both take responses


@dataclass(frozen=True)
class TabletRef:
    """An enrolled, non-revoked tablet (same attribute names as ``models.Tablet``)."""

    id: int
    site_id: int
    service_id: int
    enrolled_at: datetime | None


class Directory:
    """Everything a response is checked against, as loaded at one stamp."""

    def __init__(self, session: Session, stamp: int | None) -> None:
        self.stamp = stamp
        sites = {
            row.id: row
            for row in session.execute(select(Site.id, Site.code, Site.timezone, Site.active))
        }
        self.site_codes = frozenset(row.code for row in sites.values())
        self.timezones = {site_id: row.timezone for site_id, row in sites.items()}
        self.services: dict[tuple[str, str], ServiceRef] = {}
        for row in session.execute(
            select(Service.id, Service.site_id, Service.code, Service.active)
        ):
            site = sites[row.site_id]
            self.services[(site.code, row.code)] = ServiceRef(
                row.site_id,
                row.id,
                site.timezone,
                bool(row.active and site.active),
            )
        self.items: dict[int, dict[str, int]] = {}
        for questionnaire_id, code, criterion_id in session.execute(
            select(QuestionnaireItem.questionnaire_id, Criterion.code, Criterion.id).join(
                Criterion, Criterion.id == QuestionnaireItem.criterion_id
            )
        ):
            self.items.setdefault(questionnaire_id, {})[code] = criterion_id
        self.pooled = frozenset(session.scalars(select(Criterion.id).where(Criterion.pooled())))
        self.campaigns = CampaignResolver(session)
        self.tablets = {
            row.token_hash: TabletRef(row.id, row.site_id, row.service_id, row.enrolled_at)
            for row in session.execute(
                select(
                    Tablet.id,
                    Tablet.token_hash,
                    Tablet.site_id,
                    Tablet.service_id,
                    Tablet.enrolled_at,
                ).where(
                    Tablet.token_hash.is_not(None),
                    Tablet.revoked_at.is_(None),
                    Tablet.enrolled_at.is_not(None),
                )
            )
        }

    def service(self, site_code: str, service_code: str) -> ServiceRef | None:
        return self.services.get((site_code, service_code))

    def resolve(self, site_id: int, service_id: int, when: datetime) -> tuple[int, int | None]:
        """Return (questionnaire_id, campaign_id or None): see ``surveys.campaigns``."""
        return self.campaigns.resolve(site_id, service_id, when)

    def tablet(self, token_hash: str) -> TabletRef | None:
        return self.tablets.get(token_hash)


_STAMP = select(ReferenceStamp.stamp).where(ReferenceStamp.id == 1)
# Per connection pool (an engine and its read-only twin share one), dropped with it.
_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def directory(session: Session) -> Directory:
    """Return the :class:`Directory` of ``session``'s database, reloaded when it changed.

    Reads the stamp inside the session's transaction (once per transaction), so the
    directory is never older than what that transaction can see.
    """
    memo = session.info.get("avis_directory")
    if memo is not None and memo[0] is session.get_transaction() is not None:
        return memo[1]
    connection = session.connection()
    transaction = session.get_transaction()
    stamp = connection.execute(_STAMP).scalar()
    key = connection.engine.pool
    found = _cache.get(key)
    if found is None or stamp is None or found.stamp != stamp:
        found = Directory(session, stamp)
        with _lock:
            _cache[key] = found
    session.info["avis_directory"] = (transaction, found)
    return found


def directory_at(engine: Engine, stamp: int | None, read_sessions) -> Directory:
    """Return the :class:`Directory` of ``engine``'s database at ``stamp``, the stamp a
    writing transaction read (``surveys.write_transaction``): the one loaded already, or,
    when the stamp has changed since, one loaded again through a session of
    ``read_sessions`` (a deferred transaction: the writers' lock is the caller's). That
    session sees every change the writing transaction can, and may see a later one."""
    known = last_loaded(engine)
    if known is not None and stamp is not None and known.stamp == stamp:
        return known
    session = read_sessions()
    try:
        return directory(session)
    finally:
        session.close()


def last_loaded(engine: Engine) -> Directory | None:
    """Return the :class:`Directory` this process last loaded for ``engine``'s database,
    without reading its stamp, or None before the first load. It may miss the very last
    change: only for a decision that the writing transaction makes again, e.g. which
    requests skip a limit only to have their credential checked there anyway."""
    return _cache.get(engine.pool)
