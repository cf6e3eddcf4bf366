"""The register indicators: figures Avis keeps but does not measure (calls answered,
information emails, website updates, PAN visits, issuance delays, Services Publics+
attainment), and their monthly values per site."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

# rate: a fraction in [0, 1]; mean: a mean (days...); count: a number of things in a month.
INDICATOR_KINDS = ("rate", "mean", "count")
# What a value is counted in; the screens name each unit in the reader's language.
INDICATOR_UNITS = ("percent", "working_days", "days", "visits", "updates", "number")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Indicator(Base):
    """A register indicator (data, like a category: a quality mission can add one)."""

    __tablename__ = "indicator"
    __table_args__ = (
        CheckConstraint(_in("kind", INDICATOR_KINDS), name="kind_known"),
        CheckConstraint(
            "kind <> 'rate' OR target IS NULL OR (target >= 0 AND target <= 1)",
            name="rate_target_fraction",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    kind: Mapped[str] = mapped_column(String(8))
    unit: Mapped[str] = mapped_column(String(32))
    # None: the programme sets no target for it.
    target: Mapped[float | None] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Ticked by the quality mission: shown on the transparency poster with its target.
    on_poster: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("fr") or self.code

    def meets_target(self, value: float | None) -> bool | None:
        """Return whether ``value`` reaches the target (None without a value or target)."""
        if value is None or self.target is None:
            return None
        return value >= self.target if self.higher_is_better else value <= self.target


class IndicatorValue(Base):
    """The value of an indicator at a site for one month (``month`` is its first day);
    ``count`` weighs a rate or a mean over several months (calls received, emails answered)."""

    __tablename__ = "indicator_value"
    __table_args__ = (
        UniqueConstraint("site_id", "indicator_id", "month"),
        CheckConstraint("count IS NULL OR count >= 0", name="count_not_negative"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    count: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    indicator: Mapped[Indicator] = relationship(lazy="joined")
    site = relationship("Site")
