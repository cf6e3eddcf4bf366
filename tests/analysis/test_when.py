from datetime import UTC, date, datetime

import pytest

from analysis.filters import make_filters
from analysis.report import build_report
from tests.factories import make_service, make_site

from .helpers import store


@pytest.fixture
def two_zones(db):
    paris = make_service(db, make_site(db))
    reunion = make_service(
        db, make_site(db, "974-saint-denis", "Préfecture de La Réunion", "974", "Indian/Reunion")
    )
    # Wednesday 14 January 2026 at 9:30 local time in both: UTC+1 in Paris, UTC+4 in Réunion.
    store(db, paris, datetime(2026, 1, 14, 8, 30, tzinfo=UTC), {"overall": 5}, channel="qr")
    store(db, reunion, datetime(2026, 1, 14, 5, 30, tzinfo=UTC), {"overall": 2}, language="en")
    # Wednesday 1 July 2026 at 9:30 in Paris (summer time, UTC+2).
    store(db, paris, datetime(2026, 7, 1, 7, 30, tzinfo=UTC), {"overall": 4})
    # Saturday 31 January 2026, 23:30 UTC: already Sunday 1 February, 3:30, in Réunion.
    store(db, reunion, datetime(2026, 1, 31, 23, 30, tzinfo=UTC), {"overall": 4})
    db.commit()


@pytest.mark.parametrize(
    "period",
    [
        (date(2026, 1, 1), date(2026, 12, 31)),  # whole months: from the tallies
        (date(2026, 1, 2), date(2026, 12, 30)),  # partial months at both ends: raw answers
    ],
)
def test_hours_and_weekdays_are_local_to_each_site(db, two_zones, period):
    filters = make_filters(db, date_from=period[0], date_to=period[1])
    report = build_report(db, filters, today=date(2027, 1, 1))
    cells = {(c["weekday"], c["hour"]): (c["responses"], c["satisfied"]) for c in report.heatmap}
    assert cells == {(2, 9): (3, 2), (6, 3): (1, 1)}


def test_local_day_decides_the_period(db, two_zones):
    # 31 January 23:30 UTC is 1 February in Réunion: outside a January report.
    filters = make_filters(db, date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    report = build_report(db, filters, today=date(2026, 3, 1))
    assert report.total_responses == 2
    filters = make_filters(db, date_from=date(2026, 2, 1), date_to=date(2026, 2, 1))
    assert build_report(db, filters, today=date(2026, 3, 1)).total_responses == 1


def test_channels_and_languages_count_responses_and_their_rates(db, two_zones):
    filters = make_filters(db, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
    report = build_report(db, filters, today=date(2027, 1, 1))
    channels = {c["channel"]: (c["responses"], c["rate"]) for c in report.channels}
    assert channels == {"qr": (1, 1.0), "kiosk": (3, 2 / 3)}
    languages = {c["language"]: c["responses"] for c in report.languages}
    assert languages == {"fr": 3, "en": 1}


@pytest.mark.parametrize(
    ("language", "names", "caution"),
    [
        ("fr", {"QR code", "Tablette", "Français", "Anglais"}, "n < 30 : à interpréter avec"),
        ("en", {"QR code", "Tablet", "French", "English"}, "n < 30: read with caution"),
    ],
)
def test_channel_and_language_tables_name_them_and_flag_few_answers(
    db, two_zones, language, names, caution
):
    from analysis.i18n import Formatter
    from analysis.tables import report_tables

    filters = make_filters(db, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
    report = build_report(db, filters, today=date(2027, 1, 1))
    tables = {t.name: t for t in report_tables(report, Formatter(language))}
    rows = tables["channels"].rows + tables["languages"].rows
    assert {r.get("channel") or r.get("language") for r in rows} == names
    # Four responses in all: every rate comes with the warning of fewer than 30 answers.
    assert all(r["flag"].startswith(caution) for r in rows)
    assert "flag" in [c.key for c in tables["channels"].columns]
