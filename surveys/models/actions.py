"""The action plans a site presents to its comité local des usagers: one row per action."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

# prévue, en cours, réalisée, abandonnée: the minutes' words, without accents in code.
ACTION_STATUSES = ("prevue", "en_cours", "realisee", "abandonnee")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Action(Base):
    """An item of a site's yearly action plan (for one of its services, or the whole site).

    ``answers`` says what it was born from: ``{"criteria": [codes], "categories": [codes],
    "comments": [response ids]}``, each list optional.
    """

    __tablename__ = "action"
    __table_args__ = (
        CheckConstraint(_in("status", ACTION_STATUSES), name="status_known"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        Index("ix_action_site_year", "site_id", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="SET NULL"))
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    detail: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="prevue")
    status_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    site = relationship("Site")
    service = relationship("Service")
