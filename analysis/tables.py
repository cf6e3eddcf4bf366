"""The report's tables as plain rows with typed columns, shared by CSV, XLSX, HTML, PDF,
PPTX and the dashboard. Every cell a person reads holds a name, never a code."""

from __future__ import annotations

from dataclasses import dataclass

from .bilan import ActionsBeside, action_rows, register_rows
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


@dataclass
class Column:
    key: str
    title: str
    # text, usager (text typed by an usager), int, rate (a fraction), number, points, bool,
    # register (a register indicator's value: the row's ``indicator_kind`` says a rate, a
    # mean or a count, ``<key>_text`` holds it as a person reads it)
    kind: str = "text"


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict]


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


def _significance(fmt: Formatter, row: dict) -> str:
    _ = fmt.gettext
    if not row.get("shown"):
        return (
            _("trop peu de réponses")
            if row.get("previous_n") or row.get("previous_counted_for_rate")
            else ""
        )
    return _("oui") if row["significant"] else _("non")


def satisfaction_rows(report: Report, fmt: Formatter) -> list[dict]:
    """Return the satisfaction rows with names, the flag and the previous period beside."""
    _ = fmt.gettext
    names = Names(report, fmt)
    caution = _("n < 30 : à interpréter avec prudence")
    changes = {(c["site"], c["service"], c["criterion"]): c for c in report.comparison}
    beside = ActionsBeside(report, fmt, names)
    rows = []
    for row in report.satisfaction:
        change = changes.get((row["site"], row["service"], row["criterion"]), {})
        actions = beside.labels("criteria", row["criterion"], row["site"], row["service"])
        rows.append(
            {
                **row,
                "site_code": row["site"],
                "service_code": row["service"],
                "site": names.site(row["site"]),
                "service": names.service(row["site"], row["service"]),
                "label": names.criterion(row["criterion"]),
                "flag": "" if row["enough"] else caution,
                "previous_n": change.get("previous_n", 0),
                "previous_rate": change.get("previous_rate"),
                "difference_points": change.get("difference_points"),
                "significant": _significance(fmt, change),
                "change": change,
                "actions": actions,
                "actions_text": " ; ".join(actions),
            }
        )
    return rows


def site_service_rows(
    report: Report, fmt: Formatter, satisfaction: list[dict] | None = None
) -> list[dict]:
    """Return, per site then per service (most respondents first), the respondents and the
    overall satisfaction rate with its n, flagged under 30 answers, and last year's rate.
    ``satisfaction`` are the rows of :func:`satisfaction_rows` (computed when not given)."""
    _ = fmt.gettext
    names = Names(report, fmt)
    caution = _("n < 30 : à interpréter avec prudence")
    satisfaction = satisfaction_rows(report, fmt) if satisfaction is None else satisfaction
    overall = {
        (r["site_code"], r["service_code"]): r for r in satisfaction if r["criterion"] == "overall"
    }
    by_site: dict[str, list[dict]] = {}
    for row in report.responses:
        by_site.setdefault(row["site"], []).append(row)
    rows = []

    def line(site: str | None, service: str | None, respondents: int) -> dict:
        rate = overall.get((site, service))
        return {
            "site_code": site,
            "service_code": service,
            "site": names.site(site),
            "service": names.service(site, service),
            "responses": respondents,
            "n": rate["n"] if rate else 0,
            "rate": rate["rate"] if rate else None,
            "previous_rate": rate["previous_rate"] if rate else None,
            "previous_n": rate["previous_n"] if rate else 0,
            "difference_points": rate["difference_points"] if rate else None,
            "significant": rate["significant"] if rate else "",
            "change": rate["change"] if rate else {},
            "enough": bool(rate and rate["enough"]),
            "flag": "" if rate and rate["enough"] else caution,
        }

    for site in sorted(by_site, key=names.site):
        services = sorted(
            by_site[site], key=lambda r: (-r["responses"], names.service(site, r["service"]))
        )
        rows.append(line(site, None, sum(r["responses"] for r in services)))
        if not names.one_service():
            rows += [line(site, r["service"], r["responses"]) for r in services]
    if len(by_site) > 1:
        rows.append(line(None, None, report.total_responses))
    return rows


def reclamation_rows(report: Report, fmt: Formatter) -> list[dict]:
    """Return the réclamation rows with names, denominators and the previous period."""
    names = Names(report, fmt)
    changes = {(c["site"], c["service"]): c for c in report.reclamation_comparison}
    rows = []
    for row in report.reclamations:
        change = changes.get((row["site"], row["service"]), {})
        # Sites that received nothing in either year would fill pages of zeros.
        if not (row["received"] or change.get("previous_received") or row["site"] is None):
            continue
        if row["service"] is not None and names.one_service():
            continue  # the site's row already counts that service only
        rows.append(
            {
                **row,
                "site_code": row["site"],
                "service_code": row["service"],
                "site": names.site(row["site"]),
                "service": names.service(row["site"], row["service"]),
                **{key: value for key, value in change.items() if key.startswith("previous_")},
                "difference_points": change.get("difference_points"),
                "delay_difference": change.get("delay_difference"),
                "significant": _significance(fmt, change),
                "change": change,
            }
        )
    return rows


def category_rows(report: Report, fmt: Formatter) -> list[dict]:
    """Return per site (and every site) the count and share of each category received."""
    names = Names(report, fmt)
    beside = ActionsBeside(report, fmt, names)
    rows = []
    for row in report.reclamations:
        if row["service"] is not None or not row["received"]:
            continue
        for code, share in row["by_category"].items():
            actions = beside.labels("categories", code, row["site"])
            rows.append(
                {
                    "site_code": row["site"],
                    "site": names.site(row["site"]),
                    "category_code": code,
                    "category": names.category(code),
                    "count": row["by_category_count"][code],
                    "share": share,
                    "actions": actions,
                    "actions_text": " ; ".join(actions),
                }
            )
    return rows


def comment_rows(report: Report, fmt: Formatter) -> list[dict]:
    """Return the comments with names and the ratings by criterion name."""
    names = Names(report, fmt)
    return [
        {
            **row,
            "submitted_at": fmt.short_date(row["submitted_at"]),
            "site": names.site(row["site"]),
            "service": names.service(row["site"], row["service"]),
            "channel": fmt.channel(row["channel"]),
            "language": fmt.language_name(row["language"]),
            "ratings": ", ".join(
                f"{names.criterion(code)} {value}" for code, value in row["ratings"].items()
            ),
        }
        for row in report.comments
    ]


def report_tables(report: Report, fmt: Formatter) -> list[Table]:
    """Return every table of ``report``, titled in the formatter's language."""
    _ = fmt.gettext
    now, before = period_labels(report, fmt)
    caution = _("n < 30 : à interpréter avec prudence")
    days = weekday_names(fmt)
    heatmap = [
        {**row, "weekday": days[row["weekday"]], "hour": f"{row['hour']:02d}h"}
        for row in sorted(report.heatmap, key=lambda r: (r["weekday"], r["hour"]))
    ]
    channels = [
        {**row, "channel": fmt.channel(row["channel"]), "flag": "" if row["enough"] else caution}
        for row in report.channels
    ]
    languages = [
        {
            **row,
            "language": fmt.language_name(row["language"]),
            "flag": "" if row["enough"] else caution,
        }
        for row in report.languages
    ]
    satisfaction = satisfaction_rows(report, fmt)
    names = Names(report, fmt)
    previous = [
        Column("previous_n", _("n {period}").format(period=before), "int"),
        Column("previous_rate", _("Taux {period}").format(period=before), "rate"),
        Column("difference_points", _("Écart (points)"), "points"),
        Column("significant", _("Au-delà du hasard")),
    ]
    return [
        Table(
            "satisfaction",
            _("Satisfaction par critère"),
            [
                Column("site", _("Site")),
                Column("service", _("Service")),
                Column("label", _("Critère")),
                Column("n", "n", "int"),
                Column("satisfied", _("satisfaits"), "int"),
                Column("rate", _("Taux {period}").format(period=now), "rate"),
                Column("ci_low", _("IC 95 % bas"), "rate"),
                Column("ci_high", _("IC 95 % haut"), "rate"),
                Column("mean", _("Moyenne sur 5"), "number"),
                Column("target", _("Objectif"), "rate"),
                *previous,
                Column("flag", _("Avertissement")),
                Column("actions_text", _("Actions qui y répondent")),
            ],
            satisfaction,
        ),
        Table(
            "responses",
            _("Répondants par site et service"),
            [
                Column("site", _("Site")),
                Column("service", _("Service")),
                Column("responses", _("Répondants"), "int"),
                Column("n", _("n (satisfaction globale)"), "int"),
                Column("rate", _("Satisfaction globale {period}").format(period=now), "rate"),
                Column(
                    "previous_rate",
                    _("Satisfaction globale {period}").format(period=before),
                    "rate",
                ),
                Column("difference_points", _("Écart (points)"), "points"),
                Column("significant", _("Au-delà du hasard")),
                Column("flag", _("Avertissement")),
            ],
            site_service_rows(report, fmt, satisfaction),
        ),
        Table(
            "hours",
            _("Jour et heure des réponses"),
            [
                Column("weekday", _("Jour")),
                Column("hour", _("Heure")),
                Column("responses", _("Réponses"), "int"),
                Column("rate", _("Taux de satisfaction"), "rate"),
            ],
            heatmap,
        ),
        Table(
            "channels",
            _("Par canal"),
            [
                Column("channel", _("Canal")),
                Column("responses", _("Réponses"), "int"),
                Column("ratings", _("Notes"), "int"),
                Column("rate", _("Taux de satisfaction"), "rate"),
                Column("flag", _("Avertissement")),
            ],
            channels,
        ),
        Table(
            "languages",
            _("Par langue"),
            [
                Column("language", _("Langue")),
                Column("responses", _("Réponses"), "int"),
                Column("ratings", _("Notes"), "int"),
                Column("rate", _("Taux de satisfaction"), "rate"),
                Column("flag", _("Avertissement")),
            ],
            languages,
        ),
        Table(
            "reclamations",
            _("Réclamations et délais de réponse"),
            [
                Column("site", _("Site")),
                Column("service", _("Service")),
                Column("received", _("Reçues {period}").format(period=now), "int"),
                Column("previous_received", _("Reçues {period}").format(period=before), "int"),
                Column("expecting_reply", _("Réponses attendues"), "int"),
                Column("counted_for_rate", _("Réponses dues (répondues ou échues)"), "int"),
                Column("answered_in_time", _("Répondues dans les délais"), "int"),
                Column(
                    "in_time_rate", _("Taux dans les délais {period}").format(period=now), "rate"
                ),
                Column(
                    "previous_counted_for_rate",
                    _("Réponses dues {period}").format(period=before),
                    "int",
                ),
                Column(
                    "previous_in_time_rate",
                    _("Taux dans les délais {period}").format(period=before),
                    "rate",
                ),
                Column("difference_points", _("Écart (points)"), "points"),
                Column("significant", _("Au-delà du hasard")),
                Column(
                    "mean_delay_working_days",
                    _("Délai moyen {period} (jours ouvrés)").format(period=now),
                    "number",
                ),
                Column(
                    "previous_mean_delay",
                    _("Délai moyen {period} (jours ouvrés)").format(period=before),
                    "number",
                ),
            ],
            reclamation_rows(report, fmt),
        ),
        Table(
            "categories",
            _("Réclamations par sujet"),
            [
                Column("site", _("Site")),
                Column("category", _("Sujet")),
                Column("count", _("Nombre"), "int"),
                Column("share", _("Part"), "rate"),
                Column("actions_text", _("Actions qui y répondent")),
            ],
            category_rows(report, fmt),
        ),
        Table(
            "indicators",
            _("Indicateurs du registre"),
            [
                Column("indicator", _("Indicateur")),
                Column("site", _("Site")),
                Column("value", _("Valeur {period}").format(period=now), "register"),
                Column("target_text", _("Objectif")),
                Column("met", _("Objectif atteint")),
                Column("previous_value", _("Valeur {period}").format(period=before), "register"),
                Column("count", _("Nombre pondérant la valeur"), "int"),
                Column("months", _("Mois renseignés"), "int"),
            ],
            register_rows(report, fmt, names),
        ),
        Table(
            "actions",
            _("Plans d'actions {year} et {next}").format(
                year=report.plan_year, next=report.plan_year + 1
            ),
            [
                Column("plan", _("Plan d'actions")),
                Column("site", _("Site")),
                Column("service", _("Service")),
                Column("title", _("Action")),
                Column("owner", _("Pilote")),
                Column("due_on", _("Échéance")),
                Column("status", _("Statut")),
                Column("status_on", _("Depuis le")),
                Column("answers_text", _("Répond à")),
            ],
            action_rows(report, fmt, names),
        ),
        Table(
            "comments",
            _(
                "Commentaires des usagers ({shown} sur {total}, note globale la plus basse d'abord)"
            ).format(
                shown=fmt.integer(len(report.comments)),
                total=fmt.integer(report.comments_total),
            ),
            [
                Column("submitted_at", _("Date")),
                Column("site", _("Site")),
                Column("service", _("Service")),
                Column("channel", _("Canal")),
                Column("language", _("Langue")),
                Column("overall", _("Note globale"), "int"),
                Column("mean", _("Moyenne des notes"), "number"),
                Column("ratings", _("Notes")),
                Column("comment", _("Commentaire"), "usager"),
            ],
            comment_rows(report, fmt),
        ),
    ]
