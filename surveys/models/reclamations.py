"""Suggestions, réclamations and remerciements, their events and their reference counters."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

KINDS = ("suggestion", "reclamation", "remerciement")
# services_publics_plus: an expérience told on the Services Publics+ platform.
CHANNELS = (
    "kiosk",
    "web",
    "qr",
    "courriel",
    "courrier",
    "urne",
    "telephone",
    "services_publics_plus",
)
STATUSES = ("new", "assigned", "answered", "closed")
REPLY_CHANNELS = ("courriel", "courrier", "telephone", "guichet", "services_publics_plus")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ReclamationCategory(Base):
    """A category of réclamation (data, so a quality mission can add one)."""

    __tablename__ = "reclamation_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("fr") or self.code


class Reclamation(Base):
    __tablename__ = "reclamation"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind_known"),
        CheckConstraint(_in("channel", CHANNELS), name="channel_known"),
        CheckConstraint(_in("status", STATUSES), name="status_known"),
        CheckConstraint(
            "answered_on IS NULL OR answered_on >= received_on", name="answered_after_received"
        ),
        # Contact details exist only when the usager asked for a reply.
        CheckConstraint(
            "reply_wanted OR (contact_name IS NULL AND contact_email IS NULL"
            " AND contact_address IS NULL)",
            name="contact_only_if_reply_wanted",
        ),
        Index("ix_reclamation_site_received", "site_id", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # The client-made id of an API submission, so that a retry stores once.
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32))
    category_id: Mapped[int] = mapped_column(ForeignKey("reclamation_category.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    language: Mapped[str] = mapped_column(String(16), default="fr")
    received_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_on: Mapped[date | None] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    reply_wanted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Imported rows of kind suggestion/réclamation expect a reply even without contact details.
    reply_expected: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(320), index=True)
    contact_address: Mapped[str | None] = mapped_column(Text)
    contact_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="new")
    assigned_service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    answered_on: Mapped[date | None] = mapped_column(Date)
    reply_channel: Mapped[str | None] = mapped_column(String(32))
    reply_text: Mapped[str | None] = mapped_column(Text)
    # When the reply was typed in (``answered_on`` is the day it was given, maybe earlier).
    reply_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The réponse-type the reply started from, if any (counted for the committee's review).
    reply_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("reply_template.id", ondelete="SET NULL")
    )
    last_exchange_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[ReclamationCategory] = relationship(lazy="joined")
    site = relationship("Site")
    service = relationship("Service", foreign_keys=[service_id])
    assigned_service = relationship("Service", foreign_keys=[assigned_service_id])
    events: Mapped[list[ReclamationEvent]] = relationship(
        back_populates="reclamation",
        order_by="ReclamationEvent.at",
        cascade="all, delete-orphan",
    )


class ReplyTemplate(Base):
    """A réponse-type: a reply the mission wrote once for a category and a service (either
    may be null: every one), per language (``texts``: language -> text, French required),
    with placeholders filled from the réclamation (``surveys.reply_templates``)."""

    __tablename__ = "reply_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("reclamation_category.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category = relationship("ReclamationCategory")
    service = relationship("Service")


class ReclamationEvent(Base):
    """One step of a réclamation's life (received, assigned, answered...): who and when."""

    __tablename__ = "reclamation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    reclamation_id: Mapped[int] = mapped_column(
        ForeignKey("reclamation.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(32))
    # Never the usager's text nor contact details: a short factual note.
    detail: Mapped[str | None] = mapped_column(String(500))

    reclamation: Mapped[Reclamation] = relationship(back_populates="events")


class ReferenceCounter(Base):
    """The last sequence number given per département and year (``92-2026-000123``)."""

    __tablename__ = "reference_counter"
    __table_args__ = (UniqueConstraint("departement", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    departement: Mapped[str] = mapped_column(String(3))
    year: Mapped[int] = mapped_column(Integer)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
