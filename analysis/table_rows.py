"""The rows of the report's tables: the report's figures with names instead of codes, the
caution under 30 answers, the previous period beside and the actions that answer them."""

from __future__ import annotations

from .bilan import ActionsBeside
from .i18n import Formatter
from .names import Names
from .report import Report


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
