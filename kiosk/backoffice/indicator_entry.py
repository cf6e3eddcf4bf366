"""Back office: the quality mission types the register indicators' monthly values, one
indicator at a time, in a grid of sites × months with the target beside each site.

A rate is typed as a percentage (93 or 93,5), a mean or a count as a number; the count
beside a rate or a mean weighs it (calls received, emails answered). An emptied cell
removes its month's value. A grid with one bad cell keeps nothing."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from analysis.filters import year_earlier
from analysis.indicators import indicator_results
from surveys import DomainError
from surveys.calendar import local_today
from surveys.indicators import (
    active_indicators,
    create_indicator,
    parse_count,
    parse_number,
    parse_value,
    store_value,
    year_values,
)
from surveys.models import INDICATOR_KINDS, INDICATOR_UNITS, Indicator, Site

from ..auth.access import role_required
from ..db import get_session
from ..params import year_arg
from ..reclamation_forms import CsrfOnlyForm
from . import bp
from .admin_common import audit, error_text, site_visible

EDITORS = ("admin", "quality")
MONTHS = range(1, 13)

UNIT_LABELS = {
    "percent": _l("%"),
    "working_days": _l("jours ouvrés"),
    "days": _l("jours"),
    "visits": _l("visites"),
    "updates": _l("mises à jour"),
    "number": "",
}
KIND_LABELS = {
    "rate": _l("taux (en %)"),
    "mean": _l("moyenne (délai, note…)"),
    "count": _l("nombre (visites, mises à jour…)"),
}


def unit_label(indicator: Indicator) -> str:
    """Return the name of the indicator's unit in the reader's language."""
    return str(UNIT_LABELS.get(indicator.unit, indicator.unit))


def shown_value(indicator: Indicator, value: float | None) -> str:
    """Return a value as a person reads it: a rate in percent, in the locale's format."""
    if value is None:
        return ""
    if indicator.kind == "rate":
        return format_decimal(round(value * 100, 2), format="#,##0.##")
    return format_decimal(round(value, 2), format="#,##0.##")


def shown_target(indicator: Indicator) -> str:
    """Return the target with its unit and direction (« ≥ 90 % », « ≤ 5 jours ouvrés »)."""
    if indicator.target is None:
        return "—"
    sign = "≥" if indicator.higher_is_better else "≤"
    return f"{sign} {shown_value(indicator, indicator.target)} {unit_label(indicator)}".strip()


def register_rows(db, date_from: date, date_to: date, sites: list[str]) -> list[dict]:
    """Return the register indicators of ``sites`` over the period as the Indicateurs page
    shows them: by indicator, then site, each value beside its target and the value of the
    same dates a year earlier."""
    results = indicator_results(db, date_from, date_to, sites)
    results.sort(key=lambda r: (r.indicator.position, r.indicator.code, r.site))
    before = {
        (r.site, r.indicator.code): r
        for r in indicator_results(db, year_earlier(date_from), year_earlier(date_to), sites)
    }
    return [
        {
            "indicator": result.indicator,
            "site": result.site,
            "value": shown_value(result.indicator, result.value) or "—",
            "previous": shown_value(
                result.indicator,
                getattr(before.get((result.site, result.indicator.code)), "value", None),
            )
            or "—",
            "unit": unit_label(result.indicator),
            "target": shown_target(result.indicator),
            "met": result.meets_target,
            "months": result.months,
        }
        for result in results
    ]


def _parse_cell(indicator: Indicator, value_text: str, count_text: str):
    """Return (value, count) typed in a cell (value None when empty); raise DomainError."""
    if not value_text.strip():
        return None, None
    value = parse_value(indicator, value_text, bare_is_percent=True)
    count = parse_count(count_text) if indicator.kind != "count" else None
    return value, count


def _read_grid(indicator: Indicator, sites: list[Site]) -> tuple[list, dict, dict]:
    """Read the posted grid: (cells to store as (site, month, value, count), the texts
    typed per cell name, the errors per cell name)."""
    cells, typed, errors = [], {}, {}
    for site in sites:
        for month in MONTHS:
            name, count_name = f"v-{site.id}-{month}", f"c-{site.id}-{month}"
            value_text = request.form.get(name, "")[:40]
            count_text = request.form.get(count_name, "")[:40]
            typed[name], typed[count_name] = value_text, count_text
            try:
                value, count = _parse_cell(indicator, value_text, count_text)
            except DomainError as error:
                errors[count_name if error.field == "count" else name] = error_text(error)
                continue
            cells.append((site, month, value, count))
    return cells, typed, errors


def _store_grid(db, indicator: Indicator, year: int, cells: list, stored: dict) -> dict:
    """Store every cell of a grid read without error, audit the sites it changed and
    commit; return how many values were created, replaced, removed and unchanged."""
    outcomes = {"created": 0, "replaced": 0, "removed": 0, "unchanged": 0}
    changed_sites = set()
    for site, month, value, count in cells:
        result = store_value(
            db,
            site.id,
            indicator,
            date(year, month, 1),
            value,
            count,
            stored=stored[site.id].get((indicator.code, month)),
        )
        outcomes[result.outcome] += 1
        if result.outcome != "unchanged":
            changed_sites.add(site.code)
    if changed_sites:
        detail = (
            f"year={year} sites={','.join(sorted(changed_sites))} "
            f"created={outcomes['created']} replaced={outcomes['replaced']} "
            f"removed={outcomes['removed']}"
        )
        audit(db, "indicator.values", "indicator", indicator.code, detail)
    db.commit()
    return outcomes


def _stored_texts(indicator: Indicator, sites: list[Site], stored: dict) -> dict[str, str]:
    """Return the stored values and counts of the grid as its cells show them."""
    typed = {}
    for site in sites:
        for month in MONTHS:
            row = stored[site.id].get((indicator.code, month))
            typed[f"v-{site.id}-{month}"] = shown_value(indicator, row and row.value)
            count = row.count if row is not None else None
            typed[f"c-{site.id}-{month}"] = "" if count is None else str(count)
    return typed


@bp.route("/indicateurs/saisie", methods=["GET", "POST"])
@role_required(*EDITORS)
def indicator_entry():
    db = get_session()
    indicators = active_indicators(db)
    if not indicators:
        abort(404)
    code = request.values.get("indicator") or indicators[0].code
    indicator = next((i for i in indicators if i.code == code), None)
    if indicator is None:
        abort(404)
    year = year_arg(local_today().year)
    sites = [
        site
        for site in db.scalars(select(Site).where(Site.active.is_(True)).order_by(Site.name))
        if site_visible(site.id)
    ]
    stored = {site.id: year_values(db, site.id, year) for site in sites}
    form = CsrfOnlyForm()
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["form"] = _("La page a expiré. Merci de renvoyer le formulaire.")
        cells, typed, cell_errors = _read_grid(indicator, sites)
        errors.update(cell_errors)
        if not errors:
            outcomes = _store_grid(db, indicator, year, cells, stored)
            flash(
                _(
                    "Valeurs enregistrées : %(created)s ajoutées, %(replaced)s remplacées, "
                    "%(removed)s effacées.",
                    created=outcomes["created"],
                    replaced=outcomes["replaced"],
                    removed=outcomes["removed"],
                ),
                "success",
            )
            return redirect(
                url_for("backoffice.indicator_entry", indicator=indicator.code, year=year),
                code=303,
            )
    return render_template(
        "backoffice/indicators/entry.html",
        form=form,
        indicators=indicators,
        indicator=indicator,
        year=year,
        sites=sites,
        months=[(month, date(year, month, 1)) for month in MONTHS],
        typed=typed or _stored_texts(indicator, sites, stored),
        errors=errors,
        unit=unit_label(indicator),
        target=shown_target(indicator),
    ), (400 if errors else 200)


@bp.post("/indicateurs/affiche")
@role_required(*EDITORS)
def indicator_poster():
    """Tick or untick the indicator for the transparency poster."""
    db = get_session()
    form = CsrfOnlyForm()
    indicator = db.scalar(select(Indicator).where(Indicator.code == request.form.get("indicator")))
    if indicator is None:
        abort(404)
    year = year_arg(local_today().year)
    if not form.validate_on_submit():
        flash(_("La page a expiré. Merci de renvoyer le formulaire."), "error")
    else:
        wanted = request.form.get("on_poster") == "yes"
        if wanted != indicator.on_poster:
            indicator.on_poster = wanted
            audit(db, "indicator.poster", "indicator", indicator.code, f"on_poster={wanted}")
            db.commit()
        if wanted:
            flash(_("L'indicateur figure sur l'affiche de transparence."), "success")
        else:
            flash(_("L'indicateur ne figure plus sur l'affiche de transparence."), "success")
    return redirect(
        url_for("backoffice.indicator_entry", indicator=indicator.code, year=year), code=303
    )


@bp.route("/indicateurs/nouveau", methods=["GET", "POST"])
@role_required(*EDITORS)
def indicator_new():
    db = get_session()
    form = CsrfOnlyForm()
    errors: dict[str, str] = {}
    values = request.form if request.method == "POST" else {"higher": "yes"}
    if request.method == "POST":
        if not form.validate_on_submit():
            errors["form"] = _("La page a expiré. Merci de renvoyer le formulaire.")
        else:
            kind = request.form.get("kind", "")
            try:
                target_text = request.form.get("target", "").replace("%", "")[:40]
                target = parse_number(target_text) if target_text.strip() else None
                if target is not None and kind == "rate":
                    target = target / 100
                indicator = create_indicator(
                    db,
                    code=request.form.get("code", ""),
                    labels={
                        "fr": request.form.get("name_fr", ""),
                        "en": request.form.get("name_en", ""),
                    },
                    kind=kind,
                    unit="percent" if kind == "rate" else request.form.get("unit", ""),
                    target=target,
                    higher_is_better=request.form.get("higher") == "yes",
                    on_poster=request.form.get("on_poster") == "yes",
                )
            except DomainError as error:
                db.rollback()
                field = "target" if error.field == "value" else (error.field or "form")
                errors[field] = error_text(error)
            else:
                audit(db, "indicator.create", "indicator", indicator.code)
                db.commit()
                flash(_("Indicateur « %(name)s » ajouté.", name=indicator.label("fr")), "success")
                return redirect(
                    url_for("backoffice.indicator_entry", indicator=indicator.code), code=303
                )
    return render_template(
        "backoffice/indicators/new.html",
        form=form,
        errors=errors,
        values=values,
        kinds=[(code, KIND_LABELS[code]) for code in INDICATOR_KINDS],
        units=[(code, UNIT_LABELS[code]) for code in INDICATOR_UNITS if code != "percent"],
    ), (400 if errors else 200)


from . import actions  # noqa: E402, F401  (the action plans, the other half of the bilan)
