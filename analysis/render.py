"""The report as one self-contained HTML file (charts as inline SVG) and as an A4 PDF."""

from __future__ import annotations

import textwrap
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import svgcharts
from .counts import monthly_counts
from .i18n import Formatter, translations
from .names import Names, filters_text, period_labels, weekday_names
from .pdf import FONT_STACK, marque_html, print_css, shared_marque, write_pdf
from .report import Report
from .satisfaction import satisfied_count, threshold_for
from .summary import summary_lines
from .tables import report_tables

TEMPLATES = Path(__file__).parent / "templates"
SITES_IN_CHART = 15
SITES_PER_TABLE = 4
COMMENTS_IN_DOCUMENT = 40


def environment(language: str) -> Environment:
    """Return the Jinja2 environment of the reports with the language's translations."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=False)
    env.globals.update(print_css=print_css, font_stack=FONT_STACK, marque_html=marque_html)
    return env


def chunks(items: list, size: int) -> list[list]:
    """Return ``items`` in consecutive groups of at most ``size``."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def evolution_series(session, report: Report, fmt: Formatter):
    """Return (months as YYYY-MM, {criterion label: monthly rates}) or None."""
    frame = monthly_counts(session, report.filters)
    if frame.empty or frame["month"].nunique() < 2:
        return None
    threshold = threshold_for(session, report.filters)
    wanted = [c for c in report.criteria if not c.lower_is_better][:4]
    months = sorted(frame["month"].unique())
    counts = frame.groupby(["criterion_id", "month"])[["r1", "r2", "r3", "r4", "r5"]].sum()
    series = {}
    for criterion in wanted:
        values = []
        for month in months:
            key = (criterion.id, month)
            if key not in counts.index:
                values.append(None)
                continue
            row = counts.loc[key]
            n = int(row.sum())
            good = satisfied_count(row.tolist(), threshold, criterion.lower_is_better)
            values.append(good / n if n >= 10 else None)
        series[criterion.label(fmt.language)] = values
    return [m.strftime("%Y-%m") for m in months], series


def _sites_in_chart(overall: list[dict], fmt: Formatter) -> tuple[list[dict], str]:
    """Return the sites' overall rows the chart shows, and the note saying which: all of
    them, or with many sites those to watch (every site stays in the table)."""
    if len(overall) <= SITES_IN_CHART:
        return overall, ""
    ranked = sorted((r for r in overall if r["enough"]), key=lambda r: r["rate"])
    shown = ranked[:SITES_IN_CHART]
    note = fmt.gettext(
        "Les {n} sites les moins satisfaits parmi ceux qui ont au moins 30 réponses."
    )
    return shown, note.format(n=len(shown))


def report_context(session, report: Report, language: str = "fr") -> dict:
    """Return everything the report template shows, formatted for ``language``, its charts
    as accessible inline SVG (``analysis.svgcharts``) for the dashboard and the printed
    report alike."""
    fmt = Formatter(language)
    names = Names(report, fmt)
    tables = {t.name: t for t in report_tables(report, fmt)}
    totals = [r for r in tables["satisfaction"].rows if r["site_code"] is None]
    labels = names.criteria
    sites = sorted(
        {r["site"] for r in report.satisfaction if r["site"]}, key=lambda code: names.site(code)
    )
    criteria = [c for c in report.criteria if any(r["criterion"] == c.code for r in totals)]
    matrix = {(r["site"], r["criterion"]): r for r in report.satisfaction if r["service"] is None}
    weekdays = weekday_names(fmt)
    overall, sites_note = _sites_in_chart(
        [matrix[(site, "overall")] for site in sites if (site, "overall") in matrix], fmt
    )
    now, before = period_labels(report, fmt)
    reclamation_sites = [
        r for r in tables["reclamations"].rows if r["service_code"] is None and r["site_code"]
    ]
    categories = tables["categories"].rows
    category_sites = list(dict.fromkeys(r["site_code"] for r in categories))
    category_names = list(dict.fromkeys(r["category"] for r in categories))
    comments = report.comments[:COMMENTS_IN_DOCUMENT]
    return {
        "fmt": fmt,
        "names": names,
        "language": language,
        "report": report,
        "filter_lines": filters_text(report, fmt),
        "period_text": fmt.period(report.filters.date_from, report.filters.date_to),
        "now_label": now,
        "before_label": before,
        "compared_text": _compared_text(report, fmt),
        "summary": summary_lines(report, fmt, names),
        "tables": tables,
        "totals": totals,
        "labels": labels,
        "sites": sites,
        "site_chunks": chunks(sites, SITES_PER_TABLE),
        "site_names": report.site_names,
        "criteria": criteria,
        "matrix": matrix,
        "weekdays": weekdays,
        "sites_note": sites_note,
        **_charts(session, report, fmt, totals, labels, overall, weekdays),
        "site_services": tables["responses"].rows,
        "reclamation_rows": tables["reclamations"].rows,
        "reclamation_sites": reclamation_sites,
        "category_chunks": chunks(category_sites, SITES_PER_TABLE),
        "category_names": category_names,
        "category_cells": {(r["site_code"], r["category"]): r for r in categories},
        "category_actions": _category_actions(tables["categories"].rows),
        "comments": comments,
        "comments_note": _comments_note(report, fmt, len(comments)),
        "register_groups": register_groups(tables["indicators"].rows),
        "action_plans": action_plans(report, fmt, tables["actions"].rows),
    }


def _category_actions(rows: list[dict]) -> dict[str, list[str]]:
    """The actions beside each category of the matrix: those of every site (of the only
    site when the report has one)."""
    found: dict[str, list[str]] = {}
    sites = {r["site_code"] for r in rows}
    wanted = None if None in sites else next(iter(sites), None)
    for row in rows:
        if row["site_code"] == wanted and row["actions"]:
            found[row["category"]] = row["actions"]
    return found


def register_groups(rows: list[dict]) -> list[dict]:
    """Return the register indicators' rows grouped by indicator (its name, then its sites'
    rows), in the table's order."""
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(row["indicator_code"], {"name": row["indicator"], "rows": []})
        group["rows"].append(row)
    return list(groups.values())


def done_text(fmt: Formatter, rows: list[dict]) -> str:
    """Return how many of a plan's action rows are done (« 4 actions réalisées sur 5 »)."""
    done = sum(1 for r in rows if r["done"])
    return fmt.ngettext(
        "{done} action réalisée sur {total}", "{done} actions réalisées sur {total}", done
    ).format(done=fmt.integer(done), total=fmt.integer(len(rows)))


def action_plans(report: Report, fmt: Formatter, rows: list[dict]) -> list[dict]:
    """Return the action plans as the report shows them: per plan (the year's, then the
    next year's) and site, its title, how many of its actions are done, and its rows."""
    _ = fmt.gettext
    plans: dict[tuple[bool, str], dict] = {}
    for row in rows:
        key = (row["next"], row["site"])
        if key not in plans:
            title = _("Plan d'actions {year} – {site}").format(year=row["plan"], site=row["site"])
            plans[key] = {"title": title, "next": row["next"], "rows": []}
        plans[key]["rows"].append(row)
    for plan in plans.values():
        plan["done_text"] = done_text(fmt, plan["rows"])
    return list(plans.values())


def _compared_text(report: Report, fmt: Formatter) -> str:
    before = report.previous_filters
    if before is None:
        return ""
    text = fmt.period(before.date_from, before.date_to)
    return f"{report.comparison_label} ({text})" if report.comparison_label else text


def _comments_note(report: Report, fmt: Formatter, shown: int) -> str:
    _ = fmt.gettext
    if not report.comments_total:
        return ""
    return _(
        "{shown} commentaires sur les {total} de la période, classés par note globale "
        "(la plus basse d'abord) puis par moyenne des notes."
    ).format(shown=fmt.integer(shown), total=fmt.integer(report.comments_total))


def _charts(session, report, fmt, totals, labels, overall, weekdays) -> dict:
    _ = fmt.gettext
    shown = [r for r in totals if not r["lower_is_better"]]
    names = [
        textwrap.shorten(labels.get(r["criterion"], r["criterion"]), 48, placeholder="…")
        for r in shown
    ]
    site_names = [
        textwrap.shorten(report.site_names.get(r["site"], r["site"]), 40) for r in overall
    ]
    evolution = evolution_series(session, report, fmt)
    return {
        "criteria_chart": svgcharts.bars(names, shown, fmt, _("Satisfaction par critère"))
        if shown
        else None,
        "sites_chart": svgcharts.bars(site_names, overall, fmt, _("Satisfaction par site"))
        if len(overall) > 1
        else None,
        "heatmap_chart": svgcharts.heatmap(
            report.heatmap, weekdays, _("Quand les usagers répondent")
        )
        if report.heatmap
        else None,
        "evolution_chart": svgcharts.lines(*evolution, _("Évolution")) if evolution else None,
    }


def report_html(session, report: Report, language: str = "fr") -> str:
    """Return the report as one self-contained, printable HTML document, headed by the
    bloc marque its sites share (the dashboard, which shares the rest, has its own)."""
    return (
        environment(language)
        .get_template("report.html")
        .render(
            **report_context(session, report, language),
            cover_marque=shared_marque(session, report.filters.site_codes),
        )
    )


def report_pdf(session, report: Report, language: str = "fr") -> bytes:
    """Return the report as an A4 PDF printed from the HTML."""
    return write_pdf(report_html(session, report, language))
