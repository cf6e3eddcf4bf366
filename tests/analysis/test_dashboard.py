from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from surveys.response_writes import insert_responses
from tests.factories import make_service, make_site, make_user

from .helpers import new_response

# The dashboard's default period ends on the day it is shown: the clock is pinned on TODAY.
NOW = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine):
    time_machine.move_to(NOW, tick=True)


@pytest.fixture
def scoped(db):
    nanterre = make_service(db, make_site(db), "accueil")
    antony = make_service(db, make_site(db, "92-antony", "Sous-préfecture d'Antony"), "accueil")
    at = datetime.combine(TODAY.replace(day=1), datetime.min.time(), UTC) + timedelta(hours=9)
    rows = [new_response(db, nanterre, at, {"overall": 5}, comment="Nanterre parfait")]
    rows += [new_response(db, antony, at, {"overall": 2}, comment="Antony trop long")]
    rows += [new_response(db, antony, at, {"overall": 4}, comment="<b>merci</b>")]
    insert_responses(db, rows)
    make_user(db, "quality", "quality@example.org")
    make_user(db, "viewer", "viewer@example.org", scopes=[("92-antony", None)])
    make_user(db, "agent", "agent@example.org", scopes=[("92-antony", None)])
    db.commit()


def test_dashboard_shows_every_site_to_the_quality_mission(client, auth, scoped):
    auth.login()
    page = client.get("/backoffice/dashboard").get_data(as_text=True)
    assert "Sous-préfecture d&#39;Antony" in page and "Préfecture des Hauts-de-Seine" in page
    assert "66,7\u00a0%" in page  # overall: 2 of 3 satisfied
    assert page.count('class="svg-chart"') >= 2


def test_viewer_sees_only_the_sites_of_their_scope(client, auth, scoped):
    auth.login("viewer@example.org")
    page = client.get("/backoffice/dashboard").get_data(as_text=True)
    assert "Préfecture des Hauts-de-Seine" not in page
    assert "50,0\u00a0%" in page  # Antony only: 1 of 2
    assert client.get("/backoffice/dashboard?site=92-nanterre").status_code == 404
    comments = client.get("/backoffice/comments").get_data(as_text=True)
    assert "Antony trop long" in comments and "Nanterre parfait" not in comments
    assert "&lt;b&gt;merci&lt;/b&gt;" in comments


def test_agents_have_no_dashboard(client, auth, scoped):
    auth.login("agent@example.org")
    assert client.get("/backoffice/dashboard").status_code == 403


def test_comments_come_low_ratings_first_and_filter(client, auth, scoped):
    auth.login()
    page = client.get("/backoffice/comments").get_data(as_text=True)
    assert page.index("Antony trop long") < page.index("Nanterre parfait")
    page = client.get("/backoffice/comments?max_rating=2").get_data(as_text=True)
    assert "Antony trop long" in page and "Nanterre parfait" not in page
    page = client.get("/backoffice/comments?q=PARFAIT").get_data(as_text=True)
    assert "Nanterre parfait" in page and "Antony trop long" not in page


def test_comments_name_the_site_service_channel_language_and_criteria_in_local_time(
    client, auth, scoped
):
    auth.login()
    page = client.get("/backoffice/comments?q=parfait").get_data(as_text=True)
    meta = page[page.index('class="meta"') :]
    meta = meta[: meta.index("</p>")]
    # 09:00 UTC on the first of the month, in Paris (10:00 in winter, 11:00 in summer).
    assert f"{TODAY.replace(day=1):%d/%m/%Y}" in meta
    assert " 09:00" not in meta and "UTC" not in meta
    assert "Préfecture des Hauts-de-Seine · Accueil général · Tablette · Français" in meta
    assert "Votre satisfaction globale sur l&#39;accueil et le service rendu" in page
    assert ">overall<" not in page and "kiosk" not in meta


def test_dashboard_downloads_the_viewers_scope_only(client, auth, scoped, tmp_path):
    auth.login("viewer@example.org")
    answer = client.get("/backoffice/dashboard/export?format=xlsx")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    path = tmp_path / "r.xlsx"
    path.write_bytes(answer.data)
    cells = [c.value for row in load_workbook(path)["satisfaction"].iter_rows() for c in row]
    # Names for the reader; the codes stay in the JSON, read by programs.
    assert "Sous-préfecture d'Antony" in cells and "Préfecture des Hauts-de-Seine" not in cells
    assert "92-antony" not in cells
    document = client.get("/backoffice/dashboard/export?format=json").json
    assert {row["site"] for row in document["satisfaction"]} == {"92-antony", None}
    assert client.get("/backoffice/dashboard/export?format=doc").status_code == 404


def test_transparency_poster_of_a_site_in_scope_downloads_as_pdf(client, auth, scoped):
    auth.login("viewer@example.org")
    page = client.get("/backoffice/dashboard?site=92-antony").get_data(as_text=True)
    assert "/backoffice/dashboard/poster?" in page
    answer = client.get("/backoffice/dashboard/poster?site=92-antony")
    assert answer.status_code == 200 and answer.data.startswith(b"%PDF")
    assert client.get("/backoffice/dashboard/poster?site=92-nanterre").status_code == 404
    assert client.get("/backoffice/dashboard/poster").status_code == 404


def test_dashboard_under_a_service_filter_gives_that_services_reclamation_figures(client, auth, db):
    import uuid

    from sqlalchemy import select

    from surveys.models import Reclamation, ReclamationCategory

    boulogne = make_site(db, "92-boulogne", "Sous-préfecture de Boulogne-Billancourt")
    accueil = make_service(db, boulogne, "accueil", "Accueil général")
    make_service(db, boulogne, "cert", "Centre d'expertise et de ressources titres")
    category = db.scalar(select(ReclamationCategory.id).where(ReclamationCategory.code == "other"))
    for answered in (date(2022, 3, 8), date(2022, 3, 9)):
        db.add(
            Reclamation(
                reference=uuid.uuid4().hex[:12],
                kind="reclamation",
                channel="courriel",
                category_id=category,
                site_id=boulogne.id,
                service_id=accueil.id,
                received_on=date(2022, 3, 7),
                due_on=date(2022, 3, 14),
                text="texte",
                reply_wanted=True,
                reply_expected=True,
                answered_on=answered,
                status="answered",
            )
        )
    make_user(db, "quality", "quality@example.org")
    db.commit()
    auth.login()
    period = "from=2022-01-01&to=2022-12-31"

    whole = client.get(f"/backoffice/dashboard?site=92-boulogne&{period}").get_data(as_text=True)
    cert = client.get(f"/backoffice/dashboard?site=92-boulogne&service=cert&{period}")
    cert = cert.get_data(as_text=True)

    assert 'kpi-value">2<' in whole and "100,0\u00a0%" in whole and "1,5\u00a0j" in whole
    assert 'kpi-value">0<' in cert and "100,0\u00a0%" not in cert and "1,5\u00a0j" not in cert
    # The service filter offers the services by their names.
    assert ">Centre d&#39;expertise et de ressources titres</option>" in cert
