"""The report's tables as plain rows with typed columns, shared by CSV, XLSX, HTML, PDF,
PPTX and the dashboard. Every cell a person reads holds a name, never a code (the names
are ``analysis.names``'s, the rows ``analysis.table_rows``')."""

from __future__ import annotations

from dataclasses import dataclass

from .bilan import action_rows, register_rows
from .i18n import Formatter
from .names import Names, period_labels, weekday_names
from .report import Report
from .table_rows import (
    category_rows,
    comment_rows,
    reclamation_rows,
    satisfaction_rows,
    site_service_rows,
)


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


def report_tables(report: Report, fmt: Formatter) -> list[Table]:
    """Return every table of ``report``, titled in the formatter's language."""
    now, before = period_labels(report, fmt)
    return [
        *_satisfaction_tables(report, fmt, now, before),
        *_mix_tables(report, fmt),
        *_reclamation_tables(report, fmt, now, before),
        *_bilan_tables(report, fmt, now, before),
        _comments_table(report, fmt),
    ]


def _previous_columns(fmt: Formatter, before: str) -> list[Column]:
    _ = fmt.gettext
    return [
        Column("previous_n", _("n {period}").format(period=before), "int"),
        Column("previous_rate", _("Taux {period}").format(period=before), "rate"),
        Column("difference_points", _("Écart (points)"), "points"),
        Column("significant", _("Au-delà du hasard")),
    ]


def _satisfaction_tables(report: Report, fmt: Formatter, now: str, before: str) -> list[Table]:
    """Satisfaction per criterion, then respondents per site and service."""
    _ = fmt.gettext
    satisfaction = satisfaction_rows(report, fmt)
    previous = _previous_columns(fmt, before)
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
    ]


def _mix_tables(report: Report, fmt: Formatter) -> list[Table]:
    """When usagers answer (day and hour), and through which channel and in which language."""
    _ = fmt.gettext
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
    return [
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
    ]


def _reclamation_tables(report: Report, fmt: Formatter, now: str, before: str) -> list[Table]:
    """Réclamations and reply delays per site and service, then their subjects."""
    _ = fmt.gettext
    return [
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
    ]


def _bilan_tables(report: Report, fmt: Formatter, now: str, before: str) -> list[Table]:
    """The register indicators, then the action plans of the year and the next."""
    _ = fmt.gettext
    names = Names(report, fmt)
    return [
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
    ]


def _comments_table(report: Report, fmt: Formatter) -> Table:
    _ = fmt.gettext
    return Table(
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
    )
