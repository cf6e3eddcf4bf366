"""The report's « En bref »: the few sentences that open the document and the deck (who
answered, how satisfied, against the target and the year before, the réclamations, the
bilan's other figures), each in the reader's language."""

from __future__ import annotations

from .i18n import Formatter
from .names import Names, period_labels
from .report import Report


def summary_lines(report: Report, fmt: Formatter, names: Names) -> list[str]:
    """Return the report's « En bref » sentences: who answered, how satisfied, the
    réclamations and their delays, and how far the register and the action plans got."""
    f = report.filters
    sites = len({row["site"] for row in report.responses})
    lines = [
        fmt.ngettext(
            "Du {start} au {end}, {n} usagers ont répondu à l'enquête ({sites} site).",
            "Du {start} au {end}, {n} usagers ont répondu à l'enquête ({sites} sites).",
            sites,
        ).format(
            start=fmt.date(f.date_from),
            end=fmt.date(f.date_to),
            n=fmt.integer(report.total_responses),
            sites=sites,
        )
    ]
    before = period_labels(report, fmt)[1]
    return [
        *lines,
        *_satisfaction_lines(report, fmt, names, before),
        *_reclamation_lines(report, fmt, before),
        *_bilan_lines(report, fmt),
    ]


def _satisfaction_lines(report: Report, fmt: Formatter, names: Names, before: str) -> list[str]:
    _ = fmt.gettext
    lines = []
    totals = [r for r in report.satisfaction if r["site"] is None and not r["lower_is_better"]]
    overall = next((r for r in totals if r["criterion"] == "overall"), None)
    changes = {c["criterion"]: c for c in report.comparison if c["site"] is None}
    if overall:
        lines.append(
            _(
                "{rate} des usagers se déclarent satisfaits de l'accueil "
                "dans son ensemble (n = {n})."
            ).format(rate=fmt.percent(overall["rate"]), n=fmt.integer(overall["n"]))
        )
        change = changes.get("overall")
        if change and change["previous_n"]:
            lines.append(_comparison_sentence(fmt, change, before))
    ranked = sorted((r for r in totals if r["enough"]), key=lambda r: r["rate"])
    if len(ranked) >= 2:
        lines.append(
            _(
                "Le critère le mieux noté est « {best} » ({best_rate}) ; "
                "le moins bien noté est « {worst} » ({worst_rate})."
            ).format(
                best=names.criterion(ranked[-1]["criterion"]),
                best_rate=fmt.percent(ranked[-1]["rate"]),
                worst=names.criterion(ranked[0]["criterion"]),
                worst_rate=fmt.percent(ranked[0]["rate"]),
            )
        )
    if totals:
        met = sum(1 for r in totals if r["meets_target"])
        lines.append(
            _("Critères atteignant leur objectif : {met} sur {total}.").format(
                met=met, total=len(totals)
            )
        )
    return lines


def _reclamation_lines(report: Report, fmt: Formatter, before: str) -> list[str]:
    _ = fmt.gettext
    lines = []
    everything = next((r for r in report.reclamations if r["site"] is None), None)
    if everything and everything["received"]:
        lines.append(
            _(
                "{received} messages (suggestions, réclamations, remerciements) ont été reçus ; "
                "{in_time} des {counted} réponses dues ont été données dans les délais "
                "({rate}), en {delay} jours ouvrés en moyenne."
            ).format(
                received=fmt.integer(everything["received"]),
                in_time=fmt.integer(everything["answered_in_time"]),
                counted=fmt.integer(everything["counted_for_rate"]),
                rate=fmt.percent(everything["in_time_rate"]),
                delay=fmt.number(everything["mean_delay_working_days"]),
            )
        )
        change = next((c for c in report.reclamation_comparison if c["site"] is None), None)
        if change and change["previous_received"]:
            lines.append(
                _(
                    "En {period} : {received} messages reçus, {rate} de réponses dans les "
                    "délais ({in_time} sur {counted}), {delay} jours ouvrés de délai moyen."
                ).format(
                    period=before,
                    received=fmt.integer(change["previous_received"]),
                    rate=fmt.percent(change["previous_in_time_rate"]),
                    in_time=fmt.integer(change["previous_answered_in_time"]),
                    counted=fmt.integer(change["previous_counted_for_rate"]),
                    delay=fmt.number(change["previous_mean_delay"]),
                )
            )
    return lines


def _bilan_lines(report: Report, fmt: Formatter) -> list[str]:
    _ = fmt.gettext
    lines = []
    targeted = [r for r in report.indicators if r.meets_target is not None]
    if targeted:
        lines.append(
            _("Indicateurs du registre atteignant leur objectif : {met} sur {total}.").format(
                met=sum(1 for r in targeted if r.meets_target), total=len(targeted)
            )
        )
    plan, coming = report.actions["plan"], report.actions["next"]
    if plan:
        done = sum(1 for r in plan if r["status"] == "realisee")
        lines.append(
            fmt.ngettext(
                "Plan d'actions {year} : {done} action réalisée sur {total}.",
                "Plan d'actions {year} : {done} actions réalisées sur {total}.",
                done,
            ).format(year=report.plan_year, done=done, total=len(plan))
        )
    if coming:
        lines.append(
            fmt.ngettext(
                "Plan d'actions {year} : {total} action prévue.",
                "Plan d'actions {year} : {total} actions prévues.",
                len(coming),
            ).format(year=report.plan_year + 1, total=len(coming))
        )
    return lines


def _comparison_sentence(fmt: Formatter, change: dict, before: str) -> str:
    _ = fmt.gettext
    if not change["shown"]:
        return _("En {period} : {rate} (n = {n}) ; trop peu de réponses pour comparer.").format(
            period=before,
            rate=fmt.percent(change["previous_rate"]),
            n=fmt.integer(change["previous_n"]),
        )
    if change["significant"]:
        text = _("En {period} : {rate} (n = {n}), soit un écart de {points}, au-delà du hasard.")
    else:
        text = _(
            "En {period} : {rate} (n = {n}), soit un écart de {points}, qui peut tenir au hasard."
        )
    return text.format(
        period=before,
        rate=fmt.percent(change["previous_rate"]),
        n=fmt.integer(change["previous_n"]),
        points=fmt.points(change["difference_points"]),
    )
