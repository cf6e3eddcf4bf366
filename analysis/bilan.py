"""The rest of the CLU bilan in the report's tables: the register indicators against their
targets beside the previous period, the action plans (the year's, with what was done, and
the next year's), and, beside a criterion or a category, the actions that answer it.

The figures come from :mod:`analysis.indicators` and :mod:`analysis.actions`; this module
only names and formats them for people."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from .actions import answering, concerns
from .i18n import Formatter

if TYPE_CHECKING:
    from .names import Names
    from .report import Report


def register_rows(report: Report, fmt: Formatter, names: Names) -> list[dict]:
    """Return one row per indicator and site with a value this period or the previous one,
    by indicator then site name: the value and the previous one (raw and as read), the
    target, whether it is met and how many months were given."""
    _ = fmt.gettext
    now = {(r.site, r.indicator.code): r for r in report.indicators}
    before = {(r.site, r.indicator.code): r for r in report.previous_indicators}
    indicators = {r.indicator.code: r.indicator for r in report.indicators}
    for result in report.previous_indicators:
        indicators.setdefault(result.indicator.code, result.indicator)
    keys = sorted(
        set(now) | set(before),
        key=lambda k: (indicators[k[1]].position, k[1], names.site(k[0])),
    )
    met = {True: _("oui"), False: _("non"), None: "–"}
    rows = []
    for site, code in keys:
        indicator = indicators[code]
        result, previous = now.get((site, code)), before.get((site, code))
        value = result.value if result else None
        previous_value = previous.value if previous else None
        rows.append(
            {
                "site_code": site,
                "indicator_code": code,
                "site": names.site(site),
                "indicator": indicator.label(fmt.language),
                "indicator_kind": indicator.kind,
                "value": value,
                "value_text": fmt.register_value(indicator.kind, indicator.unit, value),
                "previous_value": previous_value,
                "previous_value_text": fmt.register_value(
                    indicator.kind, indicator.unit, previous_value
                ),
                "target": indicator.target,
                "target_text": fmt.register_target(
                    indicator.kind, indicator.unit, indicator.target, indicator.higher_is_better
                ),
                "meets_target": indicator.meets_target(value),
                "met": met[indicator.meets_target(value)],
                "count": result.count if result else None,
                "months": result.months if result else 0,
            }
        )
    return rows


def action_label(row: dict, fmt: Formatter, names: Names, with_site: bool = False) -> str:
    """Return an action as a line beside a figure: its title, the plan's year and its
    status (``Mettre à jour la signalétique (2023, prévue)``), its site's name first when
    ``with_site``."""
    title = fmt.labelled(names.site(row["site"]), row["title"]) if with_site else row["title"]
    return f"{title} ({row['year']}, {fmt.action_status(row['status'])})"


class ActionsBeside:
    """The actions of the year's and the next year's plans that answer a criterion or a
    réclamation category, for the rows of a table (indexed once per table)."""

    def __init__(self, report: Report, fmt: Formatter, names: Names) -> None:
        rows = [*report.actions["plan"], *report.actions["next"]]
        self.fmt, self.names = fmt, names
        self.by_kind = {kind: answering(rows, kind) for kind in ("criteria", "categories")}
        self.several_sites = len({row["site"] for row in rows}) > 1

    def rows(self, kind: str, code: str, site: str | None, service: str | None = None):
        """Return the action rows answering ``code`` (``kind`` "criteria" or "categories")
        at ``site`` and ``service`` (None: every site, the whole site)."""
        found = self.by_kind[kind].get(code, [])
        return [row for row in found if concerns(row, site, service)]

    def labels(self, kind: str, code: str, site: str | None, service: str | None = None):
        """Return the lines of :meth:`rows` (:func:`action_label`), each action's site
        named on a row of every site when the plans are those of several sites."""
        with_site = site is None and self.several_sites
        return [
            action_label(row, self.fmt, self.names, with_site)
            for row in self.rows(kind, code, site, service)
        ]

    def text(self, kind: str, code: str, site: str | None, service: str | None = None) -> str:
        """Return :meth:`labels` as one cell, joined by « ; »."""
        return " ; ".join(self.labels(kind, code, site, service))


def action_rows(report: Report, fmt: Formatter, names: Names) -> list[dict]:
    """Return the actions of the year's plan then the next year's, by site name, each with
    its names: site, service, status, and the criteria and categories it answers."""
    rows = []
    for part in ("plan", "next"):
        for row in sorted(report.actions[part], key=lambda r: (names.site(r["site"]), r["title"])):
            answers = [names.criterion(c) for c in row["answers"]["criteria"]]
            answers += [names.category(c) for c in row["answers"]["categories"]]
            rows.append(
                {
                    **row,
                    "site_code": row["site"],
                    "service_code": row["service"],
                    "plan": str(row["year"]),
                    "next": part == "next",
                    "site": names.site(row["site"]),
                    "service": names.service(row["site"], row["service"])
                    if row["service"]
                    else names.whole_site,
                    "owner": row["owner"] or "",
                    "due_on": _short(fmt, row["due_on"]),
                    "status_code": row["status"],
                    "status": fmt.action_status(row["status"]),
                    "status_on": _short(fmt, row["status_on"]),
                    "done": row["status"] == "realisee",
                    "answers_text": ", ".join(answers),
                }
            )
    return rows


def _short(fmt: Formatter, iso: str | None) -> str:
    return fmt.short_date(date.fromisoformat(iso)) if iso else ""
