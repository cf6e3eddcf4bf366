"""The demo's responses: the 2021 and 2022 campaigns at the minutes' respondents per service
and satisfied share per site, and a recent stream of a few a working day; each with ratings
that agree with its overall one and, now and then, a comment that agrees with them."""

# ruff: noqa: S311  -- demo data drawn from a seeded generator on purpose, not secrets

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..calendar import is_working_day
from ..campaigns import CampaignResolver, default_questionnaire
from ..models import Criterion, Response, Site
from ..response_writes import NewResponse, insert_responses
from .setting import CAMPAIGNS, PARIS, RECENT_DAYS, SURVEYS, weighted
from .text import (
    COMMENTS_OTHER,
    MIXED_BY_CRITERION_FR,
    NEGATIVE_BY_CRITERION_FR,
    POSITIVE_COMMENTS_FR,
)

NAMESPACE = uuid.UUID("6f1f9f4e-2a53-4c8e-9a39-0d6a1b0c9292")
# Responses per working day in the recent stream (the "donnez votre avis" poster).
RECENT_PER_DAY = {"92-nanterre": 2, "92-antony": 1, "92-boulogne": 1}
# Satisfied share of each criterion relative to "overall" (waiting is the sore point).
CRITERION_OFFSET = {
    "courtesy": 0.05,
    "accessibility": 0.02,
    "clarity": 0.03,
    "orientation": 0.01,
    "signage": -0.03,
    "comfort": -0.04,
    "confidentiality": -0.01,
    "waiting_time": -0.14,
}
SKIP = {"accessibility": 0.35, "confidentiality": 0.10}  # share left unanswered; others 5 %
LANGUAGES = [("fr", 820), ("ar", 50), ("en", 40), ("es", 20), ("pt", 20), ("uk", 15),
             ("ru", 10), ("tr", 10), ("ro", 10), ("zh", 5)]  # fmt: skip
CHANNELS = [("kiosk", 45), ("qr", 35), ("paper", 20)]
# Arrivals per opening hour (9:00-16:00), with the morning rush.
HOURS = [(9, 14), (10, 22), (11, 18), (12, 8), (13, 10), (14, 16), (15, 12)]


class ResponseMaker:
    """Draws responses whose satisfied shares follow the site's 2022 figures."""

    def __init__(self, session: Session, sites: dict[str, Site]) -> None:
        self.criteria = dict(session.execute(select(Criterion.code, Criterion.id)).all())
        self.codes = {cid: code for code, cid in self.criteria.items()}
        questionnaire = default_questionnaire(session)
        self.items = [item.criterion.code for item in questionnaire.items]
        self.resolver = CampaignResolver(session)
        self.sites = sites

    def ratings(self, rng: random.Random, rate: float, overall_satisfied: bool) -> dict[int, int]:
        ratings = {}
        for code in self.items:
            if code == "overall":
                satisfied = overall_satisfied
            else:
                if rng.random() < SKIP.get(code, 0.05):
                    continue
                target = min(0.99, max(0.05, rate + CRITERION_OFFSET.get(code, 0.0)))
                # Correlated with "overall" while keeping the criterion's own share.
                k = min(0.5, 0.9 * (1 - target) / max(1 - rate, 1e-6), 0.9 * target / rate)
                p = target + (1 - rate) * k if overall_satisfied else target - rate * k
                satisfied = rng.random() < p
            if satisfied:
                ratings[self.criteria[code]] = 5 if rng.random() < 0.6 else 4
            else:
                ratings[self.criteria[code]] = rng.choices((3, 2, 1), weights=(5, 3, 2))[0]
        return ratings

    def comment(self, rng: random.Random, language: str, ratings: dict[int, int]) -> str | None:
        """A comment that agrees with the ratings: praise when every rating is good, the
        lowest-rated criterion's complaint when the overall one is low, praise with a
        reservation about it when only that criterion is."""
        if rng.random() > 0.22:
            return None
        by_code = {self.codes[cid]: value for cid, value in ratings.items()}
        overall = by_code.get("overall", 3)
        others = {code: value for code, value in by_code.items() if code != "overall"}
        lowest = min(others.values(), default=5)
        worst = rng.choice(sorted(c for c, v in others.items() if v == lowest) or ["overall"])
        low = others.get(worst, 5) <= 2
        if language != "fr":
            happy_texts, unhappy_texts = COMMENTS_OTHER.get(language, ([], []))
            texts = happy_texts if overall >= 4 and not low else unhappy_texts
            return rng.choice(texts) if texts and rng.random() < 0.5 else None
        if overall >= 4:
            if low and worst in MIXED_BY_CRITERION_FR:
                return MIXED_BY_CRITERION_FR[worst]
            return None if low else rng.choice(POSITIVE_COMMENTS_FR)
        key = worst if worst in NEGATIVE_BY_CRITERION_FR else "overall"
        return rng.choice(NEGATIVE_BY_CRITERION_FR[key])

    def make(
        self,
        rng: random.Random,
        key: str,
        site_code: str,
        service_code: str,
        day: date,
        overall_satisfied: bool,
        rate: float,
    ) -> NewResponse:
        site = self.sites[site_code]
        service = next(s for s in site.services if s.code == service_code)
        hour = weighted(rng, HOURS)
        local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), PARIS)
        when = local.astimezone(UTC)
        channel = weighted(rng, CHANNELS)
        language = "fr" if channel == "paper" else weighted(rng, LANGUAGES)
        questionnaire_id, campaign_id = self.resolver.resolve(site.id, service.id, when)
        ratings = self.ratings(rng, rate, overall_satisfied)
        return NewResponse(
            response_id=str(uuid.uuid5(NAMESPACE, key)),
            site_id=site.id,
            service_id=service.id,
            channel=channel,
            language=language,
            submitted_at=when,
            received_at=when + timedelta(seconds=rng.randrange(1, 30)),
            questionnaire_id=questionnaire_id,
            campaign_id=campaign_id,
            ratings=ratings,
            comment=self.comment(rng, language, ratings),
        )


def _working_days(start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if is_working_day(day, "92"):
            days.append(day)
        day += timedelta(days=1)
    return days


def store_new(session: Session, rows: list[NewResponse]) -> int:
    """Store those of ``rows`` not yet stored, in chunks; return how many were new."""
    created = 0
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        known = set(
            session.scalars(
                select(Response.response_id).where(
                    Response.response_id.in_([r.response_id for r in chunk])
                )
            )
        )
        fresh = [r for r in chunk if r.response_id not in known]
        insert_responses(session, fresh)
        created += len(fresh)
    return created


def build_year_responses(
    session: Session, maker: ResponseMaker, scale: float, year: int = 2022
) -> list[NewResponse]:
    """Return the responses of ``year``'s campaigns: the respondents per service of
    :data:`SURVEYS` on the campaign's working days, the exact satisfied share of
    "overall" per site."""
    rows = []
    for campaign_year, _code, _name, starts_on, ends_on, site_codes in CAMPAIGNS:
        if campaign_year != year:
            continue
        days = _working_days(starts_on, ends_on)
        for site_code in site_codes:
            rate, services = SURVEYS[year][site_code]
            rng = random.Random(f"demo-{year}-{site_code}")
            chosen = [
                code
                for code, count in services.items()
                for _ in range(max(1, round(count * scale)))
            ]
            n = len(chosen)
            satisfied = [i < round(rate * n) for i in range(n)]
            rng.shuffle(satisfied)
            dates = sorted(rng.choices(days, k=n))
            for i, (service_code, day, happy) in enumerate(
                zip(chosen, dates, satisfied, strict=True)
            ):
                rows.append(
                    maker.make(
                        rng, f"{year}/{site_code}/{i}", site_code, service_code, day, happy, rate
                    )
                )
    return rows


def build_recent_responses(
    session: Session, maker: ResponseMaker, scale: float, today: date, now: datetime
) -> list[NewResponse]:
    """Return the responses of the last :data:`RECENT_DAYS` days, none after ``now``."""
    rows = []
    for day in _working_days(today - timedelta(days=RECENT_DAYS), today):
        for site_code, per_day in RECENT_PER_DAY.items():
            rng = random.Random(f"demo-recent-{site_code}-{day.isoformat()}")
            rate, services = SURVEYS[2022][site_code]
            expected = per_day * scale * rng.uniform(0.5, 1.5)
            n = int(expected) + (rng.random() < expected % 1)  # small scales still get some
            for i in range(n):
                service_code = weighted(rng, list(services.items()))
                row = maker.make(
                    rng,
                    f"recent/{site_code}/{day}/{i}",
                    site_code,
                    service_code,
                    day,
                    rng.random() < rate,
                    rate,
                )
                if row.submitted_at <= now:
                    rows.append(row)
    return rows
