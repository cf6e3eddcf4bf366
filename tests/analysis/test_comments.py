"""Comments ranked as the committee reads them: the overall rating first, then the mean."""

from __future__ import annotations

from datetime import UTC, date, datetime

from analysis.comments import comment_count, comments
from analysis.filters import make_filters
from analysis.render import report_html
from analysis.report import build_report
from surveys.response_writes import insert_responses
from tests.factories import make_service

from .helpers import new_response

AT = datetime(2022, 3, 10, 10, tzinfo=UTC)


def test_comments_rank_by_overall_rating_then_mean_and_the_report_says_how_many(db):
    service = make_service(db)
    given = [
        # (comment, ratings): mean of the ratings given, the felt effort left out.
        ("Rapide et efficace, rien à redire.", {"overall": 5, "waiting_time": 1}),  # 3.0
        ("Trop d'attente.", {"overall": 2, "courtesy": 4, "waiting_time": 1}),  # 2.33
        ("Agent peu aimable.", {"overall": 2, "courtesy": 1, "waiting_time": 1}),  # 1.33
        ("Bien, sans plus.", {"overall": 3, "courtesy": 3}),  # 3.0
        ("Sans note globale.", {"courtesy": 1}),
        ("Parfait.", {"overall": 5, "courtesy": 5, "effort": 5}),  # 5.0 (effort left out)
    ]
    insert_responses(
        db, [new_response(db, service, AT, ratings, comment=text) for text, ratings in given]
    )
    insert_responses(db, [new_response(db, service, AT, {"overall": 1})])  # no comment
    db.commit()
    filters = make_filters(db, date_from=date(2022, 1, 1), date_to=date(2022, 12, 31))

    found = comments(db, filters)
    assert [c["comment"] for c in found] == [
        "Agent peu aimable.",
        "Trop d'attente.",
        "Bien, sans plus.",
        "Rapide et efficace, rien à redire.",
        "Parfait.",
        "Sans note globale.",
    ]
    assert [round(c["mean"], 2) for c in found[:2]] == [1.33, 2.33]
    assert found[4]["mean"] == 5.0
    assert comment_count(db, filters) == 6
    assert [c["comment"] for c in comments(db, filters, max_rating=2)] == [
        "Agent peu aimable.",
        "Trop d'attente.",
    ]
    assert comment_count(db, filters, max_rating=2) == 2

    report = build_report(db, filters, today=date(2023, 1, 1), comment_limit=2)
    assert (len(report.comments), report.comments_total) == (2, 6)
    html = report_html(db, report)
    assert "2 commentaires sur les 6 de la période, classés par note globale" in html
    assert "note globale : 2/5" in html and "note la plus basse" not in html
