"""Counts of ratings kept up to date on write, so that a report's cost grows with the
number of groups, not of responses.

Each row holds, for one local calendar month of a site (in the site's time zone), one
service and one campaign (0 = outside any campaign), how many ratings of each value 1..5
were given; any satisfied threshold can then be applied at read time. ``surveys.tallies``
writes them (from ``insert_responses``) and can rebuild them from the answers.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

COUNTS = ("r1", "r2", "r3", "r4", "r5")


class _Counts:
    r1: Mapped[int] = mapped_column(Integer, default=0)
    r2: Mapped[int] = mapped_column(Integer, default=0)
    r3: Mapped[int] = mapped_column(Integer, default=0)
    r4: Mapped[int] = mapped_column(Integer, default=0)
    r5: Mapped[int] = mapped_column(Integer, default=0)


class RatingTally(_Counts, Base):
    """Ratings of one criterion per (month, site, service, campaign)."""

    __tablename__ = "tally_rating"
    __table_args__ = (
        UniqueConstraint(
            "month",
            "site_id",
            "service_id",
            "campaign_id",
            "criterion_id",
            name="uq_tally_rating_key",
        ),
        # Covering, in the order reports group by (migration 0007).
        Index(
            "ix_tally_rating_months",
            "criterion_id",
            "month",
            "site_id",
            "service_id",
            "campaign_id",
            *COUNTS,
        ),
        Index(
            "ix_tally_rating_groups",
            "site_id",
            "service_id",
            "criterion_id",
            "month",
            "campaign_id",
            *COUNTS,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(Integer, default=0)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"))


class HourTally(_Counts, Base):
    """Responses and their pooled ratings (criteria where higher is better) per local
    weekday (0 = Monday) and hour, per (month, site, service, campaign)."""

    __tablename__ = "tally_hour"
    __table_args__ = (
        UniqueConstraint(
            "month",
            "site_id",
            "service_id",
            "campaign_id",
            "weekday",
            "hour",
            name="uq_tally_hour_key",
        ),
        Index(
            "ix_tally_hour_groups",
            "weekday",
            "hour",
            "month",
            "site_id",
            "service_id",
            "campaign_id",
            "responses",
            *COUNTS,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(Integer, default=0)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    hour: Mapped[int] = mapped_column(SmallInteger)
    responses: Mapped[int] = mapped_column(Integer, default=0)


class MixTally(_Counts, Base):
    """Responses and their pooled ratings per channel and language, per (month, site,
    service, campaign)."""

    __tablename__ = "tally_mix"
    __table_args__ = (
        UniqueConstraint(
            "month",
            "site_id",
            "service_id",
            "campaign_id",
            "channel",
            "language",
            name="uq_tally_mix_key",
        ),
        Index(
            "ix_tally_mix_groups",
            "site_id",
            "service_id",
            "channel",
            "language",
            "month",
            "campaign_id",
            "responses",
            *COUNTS,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    responses: Mapped[int] = mapped_column(Integer, default=0)
