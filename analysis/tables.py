"""The report's tables as plain rows with typed columns, shared by CSV, XLSX and HTML."""

from __future__ import annotations

from dataclasses import dataclass

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
    # text, usager (text typed by an usager), int, rate (a fraction), number, bool
    kind: str = "text"


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict]


def filters_text(report: Report, fmt: Formatter) -> list[tuple[str, str]]:
    """Return the applied filters as (label, value) pairs, for the top of each export."""
    _ = fmt.gettext
    f = report.filters
    all_sites = _("tous")
    return [
        (_("Période"), f"{f.date_from.isoformat()} – {f.date_to.isoformat()}"),
        (_("Campagne"), f.campaign.code if f.campaign else "–"),
        (_("Sites"), ", ".join(f.site_codes) if f.site_codes else all_sites),
        (_("Services"), ", ".join(f.service_codes) if f.service_codes else all_sites),
        (_("Calculé le"), report.today.isoformat()),
    ]


def report_tables(report: Report, fmt: Formatter) -> list[Table]:
    """Return every table of ``report``, titled in the formatter's language."""
    _ = fmt.gettext
    labels = {c.code: c.label(fmt.language) for c in report.criteria}
    category_labels = {c.code: c.label(fmt.language) for c in report.categories}
    every = _("Tous les sites")
    whole = _("Tout le site")
    caution = _("n < 30 : à interpréter avec prudence")
    satisfaction = [
        {
            **row,
            "site": row["site"] or every,
            "service": row["service"] or (whole if row["site"] else ""),
            "label": labels.get(row["criterion"], row["criterion"]),
            "flag": "" if row["enough"] else caution,
        }
        for row in report.satisfaction
    ]
    comparison = [
        {
            **row,
            "site": row["site"] or every,
            "service": row["service"] or (whole if row["site"] else ""),
            "label": labels.get(row["criterion"], row["criterion"]),
            "difference_points": row["difference_points"],
            "significant": (
                "" if row["significant"] is None else (_("oui") if row["significant"] else _("non"))
            ),
        }
        for row in report.comparison
        if row["previous_n"]
    ]
    days = weekday_names(fmt)
    heatmap = [
        {**row, "weekday": days[row["weekday"]], "hour": f"{row['hour']:02d}h"}
        for row in sorted(report.heatmap, key=lambda r: (r["weekday"], r["hour"]))
    ]
    reclamations = [
        {
            **row,
            "site": row["site"] or every,
            "categories": ", ".join(
                f"{category_labels.get(code, code)} {fmt.percent(share, 0)}"
                for code, share in row["by_category"].items()
            ),
        }
        for row in report.reclamations
        # Sites that received nothing would fill pages of zeros; the total row stays.
        if row["received"] or row["site"] is None
    ]
    comments = [
        {
            **row,
            "submitted_at": row["submitted_at"].strftime("%Y-%m-%d %H:%M"),
            "ratings": ", ".join(f"{code} {value}" for code, value in row["ratings"].items()),
        }
        for row in report.comments
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
    rate_columns = [
        Column("n", "n", "int"),
        Column("satisfied", _("satisfaits"), "int"),
        Column("rate", _("taux"), "rate"),
        Column("ci_low", _("IC 95 % bas"), "rate"),
        Column("ci_high", _("IC 95 % haut"), "rate"),
    ]
    return [
        Table(
            "satisfaction",
            _("Satisfaction par critère"),
            [
                Column("site", _("Site")),
                Column("service", _("Service")),
                Column("criterion", _("Code")),
                Column("label", _("Critère")),
                *rate_columns,
                Column("mean", _("Moyenne sur 5"), "number"),
                Column("target", _("Objectif"), "rate"),
                Column("flag", _("Avertissement")),
            ],
            satisfaction,
        ),
        Table(
            "evolution",
            _("Évolution par rapport à la période précédente"),
            [
                Column("site", _("Site")),
                Column("service", _("Service")),
                Column("label", _("Critère")),
                Column("previous_n", _("n avant"), "int"),
                Column("previous_rate", _("Taux avant"), "rate"),
                Column("n", _("n"), "int"),
                Column("rate", _("Taux"), "rate"),
                Column("difference_points", _("Écart (points)"), "number"),
                Column("significant", _("Au-delà du hasard")),
            ],
            comparison,
        ),
        Table(
            "responses",
            _("Réponses reçues"),
            [
                Column("site", _("Site")),
                Column("service", _("Service")),
                Column("responses", _("Réponses"), "int"),
            ],
            report.responses,
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
                Column("received", _("Reçues"), "int"),
                Column("answered_in_time", _("Répondues dans les délais"), "int"),
                Column("in_time_rate", _("Taux dans les délais"), "rate"),
                Column("mean_delay_working_days", _("Délai moyen (jours ouvrés)"), "number"),
                Column("categories", _("Catégories")),
            ],
            reclamations,
        ),
        Table(
            "comments",
            _("Commentaires des usagers"),
            [
                Column("submitted_at", _("Date")),
                Column("site", _("Site")),
                Column("service", _("Service")),
                Column("channel", _("Canal")),
                Column("language", _("Langue")),
                Column("lowest", _("Note la plus basse"), "int"),
                Column("ratings", _("Notes")),
                Column("comment", _("Commentaire"), "usager"),
            ],
            comments,
        ),
    ]
