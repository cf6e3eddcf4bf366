"""A stamp that changes whenever the reference rows change.

Every stored response reads the same few reference rows: its site and service by code, the
campaign and questionnaire of the day, the criteria, the tablet holding the credential.
``surveys.directory`` keeps them in memory in each app process and checks this one-row
table at each request; any change to those rows writes a new random stamp in the same
transaction, so every process of every app server reloads at its next request. The
stamp is random rather than a counter so that two databases made from the same template
(tests) or restored from a backup never pass for each other.

The ORM hook below covers every change made through a session (the back office, the CLI,
imports, the demo). Code that changes those tables with plain SQL must call
:func:`bump_reference_stamp` itself.
"""

from __future__ import annotations

import secrets
from itertools import chain

from sqlalchemy import BigInteger, event, inspect, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base
from .questionnaires import Campaign, CampaignScope, Criterion, Questionnaire, QuestionnaireItem
from .responses import Tablet
from .sites import Service, Site


class ReferenceStamp(Base):
    __tablename__ = "reference_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[int] = mapped_column(BigInteger)


WATCHED = (Site, Service, Criterion, Questionnaire, QuestionnaireItem, Campaign, CampaignScope)
# Only these columns of a tablet matter to the credential check; ``last_seen_at`` changes
# every minute and must not empty every cache.
TABLET_COLUMNS = ("token_hash", "revoked_at", "enrolled_at", "site_id", "service_id")


def new_stamp() -> int:
    return secrets.randbits(62)


def bump_reference_stamp(connection) -> None:
    """Write a new stamp (``connection``: a Connection or a Session), in its transaction."""
    changed = connection.execute(
        update(ReferenceStamp).where(ReferenceStamp.id == 1).values(stamp=new_stamp())
    )
    if changed.rowcount == 0:
        connection.execute(ReferenceStamp.__table__.insert().values(id=1, stamp=new_stamp()))


def _tablet_changed(tablet: Tablet) -> bool:
    attrs = inspect(tablet).attrs
    return any(attrs[name].history.has_changes() for name in TABLET_COLUMNS)


def _changes_reference(session: Session) -> bool:
    for obj in chain(session.new, session.deleted):
        if isinstance(obj, (*WATCHED, Tablet)):
            return True
    for obj in session.dirty:
        if isinstance(obj, WATCHED) and session.is_modified(obj):
            return True
        if isinstance(obj, Tablet) and _tablet_changed(obj):
            return True
    return False


@event.listens_for(Session, "before_flush")
def _stamp_reference_changes(session: Session, _context, _instances) -> None:
    if _changes_reference(session):
        bump_reference_stamp(session.connection())
