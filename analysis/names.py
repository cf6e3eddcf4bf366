"""What a reader knows the report's codes by, in the reader's language: sites, services,
criteria and categories by name, the days of the week, the period's short name and the
filters applied, for every format of the report."""

from __future__ import annotations

from .i18n import Formatter
from .report import Report


def weekday_names(fmt: Formatter) -> list[str]:
    """Return the names of the days of the week, Monday first, in the formatter's language."""
    _ = fmt.gettext
    return [
        _("lundi"),
        _("mardi"),
        _("mercredi"),
        _("jeudi"),
        _("vendredi"),
        _("samedi"),
        _("dimanche"),
    ]


class Names:
    """What a reader knows the report's codes by, in the formatter's language."""

    def __init__(self, report: Report, fmt: Formatter) -> None:
        _ = fmt.gettext
        self.report = report
        self.fmt = fmt
        self.criteria = {c.code: c.label(fmt.language) for c in report.all_criteria}
        self.criteria.update({c.code: c.label(fmt.language) for c in report.criteria})
        self.categories = {c.code: c.label(fmt.language) for c in report.categories}
        self.every_site = _("Tous les sites")
        self.whole_site = _("Tout le site")
        self.selected = _("Services choisis")

    def site(self, code: str | None) -> str:
        if code is None:
            return self.every_site
        return self.report.site_names.get(code, code)

    def _any_service(self, code: str) -> str:
        for (_site, service), name in self.report.service_names.items():
            if service == code:
                return name
        return code

    def service(self, site: str | None, code: str | None) -> str:
        """The service's name; for a site's row, « Tout le site » (or the chosen services
        under a service filter); nothing for the row of every site."""
        if code is not None:
            return self.report.service_names.get((site, code)) or self._any_service(code)
        chosen = self.report.filters.service_codes
        if chosen:
            return ", ".join(
                self.report.service_names.get((site, c)) or self._any_service(c) for c in chosen
            )
        return self.whole_site if site is not None else ""

    def criterion(self, code: str) -> str:
        return self.criteria.get(code, code)

    def category(self, code: str) -> str:
        return self.categories.get(code, code)

    def services_filter(self) -> str:
        """The chosen services by name; a code named differently on two sites gives both."""
        names = []
        for code in self.report.filters.service_codes:
            found = sorted({n for (_s, c), n in self.report.service_names.items() if c == code})
            names.append(" / ".join(found) or code)
        return ", ".join(names)

    def one_service(self) -> bool:
        """Whether a single service is chosen: its rows would repeat their site's."""
        return len(self.report.filters.service_codes) == 1


def period_labels(report: Report, fmt: Formatter) -> tuple[str, str]:
    """Return the short names of the report's period and of the one it is compared with
    (``2022`` and ``2021``, or the campaigns' names)."""
    f, before = report.filters, report.previous_filters
    now = f.campaign.name if f.campaign else fmt.period_label(f.date_from, f.date_to)
    if before is None:
        return now, ""
    if report.comparison_label:
        return now, report.comparison_label
    return now, fmt.period_label(before.date_from, before.date_to)


def filters_text(report: Report, fmt: Formatter) -> list[tuple[str, str]]:
    """Return the applied filters as (label, value) pairs, for the top of each export."""
    _ = fmt.gettext
    names = Names(report, fmt)
    f = report.filters
    lines = [(_("Période"), fmt.period(f.date_from, f.date_to))]
    if report.previous_filters is not None:
        before = report.previous_filters
        compared = fmt.period(before.date_from, before.date_to)
        if report.comparison_label:
            compared = f"{report.comparison_label} ({compared})"
        lines.append((_("Comparé à"), compared))
    lines += [
        (_("Campagne"), f.campaign.name if f.campaign else "–"),
        (_("Sites"), ", ".join(names.site(c) for c in f.site_codes) or _("tous")),
        (_("Services"), names.services_filter() or _("tous")),
        (_("Calculé le"), fmt.date(report.today)),
    ]
    return lines
