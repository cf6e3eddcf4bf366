"""Criteria, versioned questionnaires and campaigns."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class Criterion(Base):
    """What a star rating measures; ``labels`` maps a language code to its label."""

    __tablename__ = "criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    labels: Mapped[dict] = mapped_column(JSON, default=dict)
    # The felt-effort score is reported as a mean out of 5 where lower is better.
    lower_is_better: Mapped[bool] = mapped_column(Boolean, default=False)
    default_target: Mapped[float] = mapped_column(Float, default=0.8)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("fr") or self.code

    @classmethod
    def pooled(cls):  # noqa: ANN206 - a SQL expression
        """The criteria whose ratings are pooled, where higher is better: the hour and
        channel tallies, their partial days, the heat map and the comments' mean rating.
        The felt effort (lower is better) would pull them the wrong way. The one rule;
        ``surveys.directory`` keeps their ids for the writers."""
        return cls.lower_is_better.is_(False)


class Questionnaire(Base):
    """An ordered list of criteria on a 1–5 scale; frozen once it has responses."""

    __tablename__ = "questionnaire"
    __table_args__ = (
        UniqueConstraint("code", "version"),
        CheckConstraint("satisfied_threshold BETWEEN 1 AND 5", name="threshold_range"),
        CheckConstraint("scale_max = 5", name="five_point_scale"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    titles: Mapped[dict] = mapped_column(JSON, default=dict)
    satisfied_threshold: Mapped[int] = mapped_column(Integer, default=4)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The first day this version is in force; None: a draft that no usager sees.
    published_on: Mapped[date | None] = mapped_column(Date)

    items: Mapped[list[QuestionnaireItem]] = relationship(
        back_populates="questionnaire",
        order_by="QuestionnaireItem.position",
        cascade="all, delete-orphan",
    )

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles.get("fr") or self.code

    @property
    def is_draft(self) -> bool:
        return self.published_on is None


class QuestionnaireItem(Base):
    __tablename__ = "questionnaire_item"
    __table_args__ = (UniqueConstraint("questionnaire_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    position: Mapped[int] = mapped_column(Integer)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="items")
    criterion: Mapped[Criterion] = relationship(lazy="joined")


class Campaign(Base):
    """A questionnaire run over a date range on chosen sites and services."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("target_n >= 0", name="target_n_positive"),
        CheckConstraint("target_rate > 0 AND target_rate <= 1", name="target_rate_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    target_n: Mapped[int] = mapped_column(Integer, default=0)
    target_rate: Mapped[float] = mapped_column(Float, default=0.8)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship()
    scopes: Mapped[list[CampaignScope]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )
    targets: Mapped[list[CampaignTarget]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )


class CampaignScope(Base):
    """One site (all its services when ``service_id`` is null) or one service in a campaign."""

    __tablename__ = "campaign_scope"
    __table_args__ = (UniqueConstraint("campaign_id", "site_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))

    campaign: Mapped[Campaign] = relationship(back_populates="scopes")


class CampaignTarget(Base):
    """The target satisfaction rate of one criterion in a campaign."""

    __tablename__ = "campaign_target"
    __table_args__ = (
        UniqueConstraint("campaign_id", "criterion_id"),
        CheckConstraint("target_rate > 0 AND target_rate <= 1", name="target_rate_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    target_rate: Mapped[float] = mapped_column(Float)

    campaign: Mapped[Campaign] = relationship(back_populates="targets")
