"""Tablets and the usagers' responses with one answer row per criterion answered."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

RESPONSE_CHANNELS = ("kiosk", "qr", "web", "paper")
# The channels that reach the API from a usager's screen (paper is typed by an agent).
SUBMITTED_CHANNELS = ("kiosk", "qr", "web")


class Tablet(Base):
    """A kiosk bound to one site and service; its credentials are stored hashed only."""

    __tablename__ = "tablet"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    token_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    enrolment_code_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    site = relationship("Site")
    service = relationship("Service")


class Response(Base):
    """One usager's answers; ``response_id`` is made by the client so retries store once."""

    __tablename__ = "response"
    __table_args__ = (
        CheckConstraint("channel IN ('kiosk', 'qr', 'web', 'paper')", name="channel_known"),
        Index("ix_response_site_submitted", "site_id", "submitted_at"),
        # The per-tablet limit counts one tablet's responses of the last hour.
        Index("ix_response_tablet_submitted", "tablet_id", "submitted_at"),
        # A report's partial months read the days of one site.
        Index("ix_response_site_local_day", "site_id", "local_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(String(36), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16), default="fr")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    tablet_id: Mapped[int | None] = mapped_column(ForeignKey("tablet.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    finished: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why the response is kept but left out of the rates, or None: ``min_interval`` is a
    # tablet response given within the tablet's minimum interval of another one, which
    # the tablet's own flow never produces (see ``surveys.responses.TabletLimits``).
    flag: Mapped[str | None] = mapped_column(String(32))
    # Where the answer falls in its site's own calendar (``surveys.tallies.local_buckets``,
    # the one definition), written with the response: the day, the first of its month, the
    # weekday (0 = Monday) and the hour. Every tally and partial-month count groups on these.
    local_day: Mapped[date | None] = mapped_column(Date)
    local_month: Mapped[date | None] = mapped_column(Date)
    local_weekday: Mapped[int | None] = mapped_column(SmallInteger)
    local_hour: Mapped[int | None] = mapped_column(SmallInteger)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", lazy="selectin"
    )
    site = relationship("Site")
    service = relationship("Service")


class Answer(Base):
    """A rating 1–5 of one criterion in one response (unanswered criteria have no row)."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("response_id", "criterion_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"))
    # No index of its own: answers are always reached through their response.
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    rating: Mapped[int] = mapped_column(SmallInteger)

    response: Mapped[Response] = relationship(back_populates="answers")


class RefusedSubmission(Base):
    """Submissions of a tablet refused by the server (its hourly ceiling, or invalid),
    counted per tablet, reason and hour: never silently dropped, shown in the back office."""

    __tablename__ = "refused_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    tablet_id: Mapped[int | None] = mapped_column(ForeignKey("tablet.id"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    count: Mapped[int] = mapped_column(Integer, default=1)


@event.listens_for(Response, "before_insert")
def _local_buckets_of_an_orm_response(_mapper, connection, target: Response) -> None:
    """A response added through the ORM (the writers of the app use Core and fill them
    themselves) gets its place in its site's calendar too, from the same function."""
    if target.local_day is not None:
        return
    from ..tallies import local_buckets
    from .sites import Site

    zone = connection.execute(select(Site.timezone).where(Site.id == target.site_id)).scalar()
    if zone is None:
        return  # no such site: the insert fails on its foreign key, as it should
    day, month, weekday, hour = local_buckets(target.submitted_at, zone)
    target.local_day, target.local_month = day, month
    target.local_weekday, target.local_hour = weekday, hour
