"""The bloc marque of the pages: the site's official title, else the instance's."""

from __future__ import annotations


def test_a_page_without_a_site_shows_the_instance_title_in_its_bloc_marque(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<p class="fr-logo">République française</p>' in page


def test_the_instance_title_keeps_its_line_breaks(app, client):
    app.config["AVIS_OFFICIAL_TITLE"] = "Préfet\ndes Hauts-de-Seine"
    page = client.get("/login").get_data(as_text=True)
    assert '<p class="fr-logo">Préfet<br>des Hauts-de-Seine</p>' in page


def test_the_reclamation_form_of_a_site_names_its_prefecture(app, client, db):
    from kiosk.public.tokens import make_survey_token
    from tests.factories import make_service

    service = make_service(db)
    service.site.official_title = "Préfet\ndes Hauts-de-Seine"
    db.commit()
    with app.app_context():
        token = make_survey_token(service.site.code, service.code)
    page = client.get(f"/reclamation?t={token}").get_data(as_text=True)
    assert '<p class="fr-logo">Préfet<br>des Hauts-de-Seine</p>' in page
    # Without a site (the web form), the instance's title.
    assert '<p class="fr-logo">République française</p>' in client.get("/reclamation").get_data(
        as_text=True
    )
