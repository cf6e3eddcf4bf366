"""``avis qr`` (QR code or poster of a site and service) and ``avis tablets add``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from surveys.models import Campaign, Service
from surveys.tablets import register_tablet

from .common import cli_session


def _service(session, site: str, service: str) -> Service:
    found = session.scalars(Service.by_codes(site, service)).first()
    if found is None:
        raise click.ClickException(f"unknown site or service: {site}/{service}")
    return found


@click.command("qr")
@click.option("--site", required=True, help="Site code, e.g. 92-nanterre.")
@click.option("--service", required=True, help="Service code, e.g. etrangers.")
@click.option("--campaign", default=None, help="Campaign code carried by the link (optional).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.png or FILE.svg (QR code) or FILE.pdf (A4 poster).",
)
@click.option("--url", "print_url", is_flag=True, help="Print the signed survey URL instead.")
@with_appcontext
def qr_command(site, service, campaign, out, print_url):
    """Write the QR code or printable poster of a site and service."""
    from sqlalchemy import select

    from ..posters import render
    from ..public.tokens import survey_url

    with cli_session() as session:
        found = _service(session, site, service)
        if (
            campaign
            and session.scalars(select(Campaign).where(Campaign.code == campaign)).first() is None
        ):
            raise click.ClickException(f"unknown campaign: {campaign}")
        url = survey_url(site, service, campaign)
        if print_url:
            click.echo(url)
            return
        if out is None:
            raise click.UsageError("give --out FILE.(png|svg|pdf) or --url")
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("png", "svg", "pdf"):
            raise click.BadParameter("the file must end in .png, .svg or .pdf", param_hint="--out")
        web_url = current_app.config["AVIS_BASE_URL"] + "/avis"
        data = render(fmt, found.site.name, found.name, url, web_url)
    out.write_bytes(data)
    click.echo(f"{out} ({len(data)} bytes) -> {url}")


@click.group("tablets")
def tablets_group():
    """Register kiosk tablets."""


@tablets_group.command("add")
@click.option("--site", required=True, help="Site code.")
@click.option("--service", required=True, help="Service code.")
@click.option("--name", required=True, help="A name to recognise the tablet (e.g. Hall A).")
@with_appcontext
def tablets_add(site, service, name):
    """Register a tablet and print its one-time enrolment URL."""
    minutes = current_app.config["AVIS_ENROLMENT_MINUTES"]
    with cli_session() as session:
        tablet, code = register_tablet(session, _service(session, site, service), name, minutes)
        tablet_id = tablet.id
    url = f"{current_app.config['AVIS_BASE_URL']}/kiosk/enrol/{code}"
    click.echo(f"Tablet {tablet_id} registered for {site}/{service}.")
    click.echo(f"Open this link on the tablet within {minutes} minutes (once): {url}")


commands = [qr_command, tablets_group]
