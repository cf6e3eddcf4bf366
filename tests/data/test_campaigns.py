"""Which campaign and questionnaire a response is filed under."""

from __future__ import annotations

from datetime import UTC, date, datetime

from surveys.campaigns import CampaignResolver, questionnaire_and_campaign_for
from surveys.models import Campaign, CampaignScope, Questionnaire
from tests.factories import default_questionnaire, make_service, make_site


def _questionnaire(db, code: str = "special") -> Questionnaire:
    questionnaire = Questionnaire(code=code, version=1, titles={"fr": code})
    db.add(questionnaire)
    db.flush()
    return questionnaire


def _campaign(db, code, questionnaire, starts_on, ends_on, scopes) -> Campaign:
    campaign = Campaign(
        code=code,
        name=code,
        questionnaire_id=questionnaire.id,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    campaign.scopes = [CampaignScope(site_id=s, service_id=v) for s, v in scopes]
    db.add(campaign)
    db.flush()
    return campaign


def _both(db, site_id, service_id, when):
    questionnaire, campaign = questionnaire_and_campaign_for(db, site_id, service_id, when)
    cached = CampaignResolver(db).resolve(site_id, service_id, when)
    assert cached == (questionnaire.id, campaign.id if campaign else None)
    return questionnaire, campaign


def test_response_without_campaign_gets_default_questionnaire(db):
    service = make_service(db)
    questionnaire, campaign = _both(
        db, service.site_id, service.id, datetime(2026, 3, 2, 10, tzinfo=UTC)
    )
    assert campaign is None
    assert questionnaire.id == default_questionnaire(db).id


def test_the_default_version_in_force_on_the_day_is_used_and_a_draft_never(db):
    service = make_service(db)
    old = default_questionnaire(db)
    old.published_on = date(2026, 1, 1)
    old.is_default = False
    newer = Questionnaire(
        code=old.code, version=old.version + 1, titles={}, published_on=date(2026, 3, 1)
    )
    draft = Questionnaire(code=old.code, version=old.version + 2, is_default=True, titles={})
    db.add_all([newer, draft])
    db.flush()

    def on(day: datetime) -> int:
        return _both(db, service.site_id, service.id, day)[0].id

    # 1 March 00:30 in Paris is still 28 February in UTC: the site's local date counts.
    assert on(datetime(2026, 2, 28, 23, 30, tzinfo=UTC)) == newer.id
    assert on(datetime(2026, 2, 28, 22, 30, tzinfo=UTC)) == old.id
    assert on(datetime(2027, 6, 1, tzinfo=UTC)) == newer.id
    # History older than every publication gets the first version published.
    assert on(datetime(2020, 5, 1, tzinfo=UTC)) == old.id


def test_whole_site_campaign_covers_every_service(db):
    site = make_site(db)
    accueil = make_service(db, site, "accueil")
    pan = make_service(db, site, "pan", "Point d'accueil numérique")
    special = _questionnaire(db)
    campaign = _campaign(db, "c1", special, date(2026, 1, 1), date(2026, 12, 31), [(site.id, None)])
    for service in (accueil, pan):
        questionnaire, found = _both(db, site.id, service.id, datetime(2026, 6, 1, tzinfo=UTC))
        assert (questionnaire.id, found.id) == (special.id, campaign.id)


def test_service_campaign_does_not_cover_other_services_or_sites(db):
    site = make_site(db)
    accueil = make_service(db, site, "accueil")
    pan = make_service(db, site, "pan")
    other = make_service(db, make_site(db, "92-antony", "Sous-préfecture d'Antony"), "accueil")
    _campaign(
        db, "c1", _questionnaire(db), date(2026, 1, 1), date(2026, 12, 31), [(site.id, pan.id)]
    )
    when = datetime(2026, 6, 1, tzinfo=UTC)
    assert _both(db, site.id, accueil.id, when)[1] is None
    assert _both(db, other.site_id, other.id, when)[1] is None
    assert _both(db, site.id, pan.id, when)[1].code == "c1"


def test_campaign_dates_are_read_in_the_sites_time_zone(db):
    service = make_service(db)
    _campaign(
        db,
        "c1",
        _questionnaire(db),
        date(2026, 3, 1),
        date(2026, 3, 31),
        [(service.site_id, None)],
    )
    # 23:30 UTC on 31 March is already 1 April in Paris (UTC+2): outside the campaign.
    late = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert _both(db, service.site_id, service.id, late)[1] is None
    # 23:30 UTC on 28 February is 1 March 00:30 in Paris: inside.
    early = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    assert _both(db, service.site_id, service.id, early)[1].code == "c1"


def test_overlapping_campaigns_the_one_started_last_wins(db):
    service = make_service(db)
    site_id = service.site_id
    year = _campaign(
        db, "year", _questionnaire(db, "a"), date(2026, 1, 1), date(2026, 12, 31), [(site_id, None)]
    )
    spring = _campaign(
        db,
        "spring",
        _questionnaire(db, "b"),
        date(2026, 4, 1),
        date(2026, 5, 31),
        [(site_id, service.id)],
    )
    same_start = _campaign(
        db,
        "spring2",
        _questionnaire(db, "c"),
        date(2026, 4, 1),
        date(2026, 4, 30),
        [(site_id, None)],
    )
    assert _both(db, site_id, service.id, datetime(2026, 2, 1, 9, tzinfo=UTC))[1].id == year.id
    assert _both(db, site_id, service.id, datetime(2026, 5, 10, 9, tzinfo=UTC))[1].id == spring.id
    # Same start date: the newest campaign (highest id) wins.
    assert _both(db, site_id, service.id, datetime(2026, 4, 10, 9, tzinfo=UTC))[1].id == (
        same_start.id
    )
