"""Sites (préfectures, sous-préfectures) and their reception services."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..calendar import HOME_TIMEZONE
from .base import Base, UTCDateTime, utcnow

#: The bloc marque of what belongs to no site, and of a site with no official title.
STATE_MARQUE = "République française"


def marque_lines(title: str | None, default: str = STATE_MARQUE) -> list[str]:
    """The bloc marque written from an official title, line by line (``default`` when the
    title is empty), as the pages' header and footer and the printed documents show it."""
    lines = [line.strip() for line in (title or "").splitlines() if line.strip()]
    return lines or [line.strip() for line in default.splitlines() if line.strip()]


class Site(Base):
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # How the State writes the service heading the site, for the bloc marque of its pages
    # ("Préfet des Hauts-de-Seine"); a line break in it is kept. None: the instance default.
    official_title: Mapped[str | None] = mapped_column(String(200), default=None)
    departement: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64), default=HOME_TIMEZONE)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    services: Mapped[list[Service]] = relationship(
        back_populates="site", order_by="Service.code", cascade="all, delete-orphan"
    )

    @staticmethod
    def by_code(code: str):
        return select(Site).where(Site.code == code)

    def default_service_code(self) -> str | None:
        """The service a site-wide QR code or poster leads to: the accueil when the site
        has one, else its first service (None for a site without services)."""
        codes = [service.code for service in self.services]
        return "accueil" if "accueil" in codes else (codes[0] if codes else None)

    def marque(self, default: str = STATE_MARQUE) -> list[str]:
        """The site's bloc marque, line by line: its official title, else ``default``."""
        return marque_lines(self.official_title, default)

    def __repr__(self) -> str:
        return f"<Site {self.code}>"


class Service(Base):
    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    site: Mapped[Site] = relationship(back_populates="services")

    @staticmethod
    def by_codes(site_code: str, service_code: str):
        return (
            select(Service).join(Site).where(Site.code == site_code, Service.code == service_code)
        )

    def __repr__(self) -> str:
        return f"<Service {self.code}>"
