"""The deck's slides of the réclamations: each site's in-time rate in both years beside
the sites' table, every site and service at full width, and the subjects."""

from __future__ import annotations

from .deck_shapes import Deck
from .i18n import Formatter


def reclamation_slides(deck: Deck, tables: dict, now: str, before: str) -> None:
    """Add the réclamations' and their subjects' slides to ``deck``; none without
    réclamations."""
    _in_time_slides(deck, tables, now, before)
    _category_slide(deck)


def _reclamation_line(fmt: Formatter, r: dict, indent: str = "") -> list[str]:
    """Return a réclamations table's row: received, in time and mean delay, both years."""
    return [
        indent + (r["site"] if r["service_code"] is None else r["service"]),
        fmt.integer(r["received"]),
        fmt.integer(r.get("previous_received") or 0),
        fmt.share(r["answered_in_time"], r["counted_for_rate"]) if r["counted_for_rate"] else "–",
        fmt.share(r["previous_answered_in_time"], r["previous_counted_for_rate"])
        if r.get("previous_counted_for_rate")
        else "–",
        fmt.days(r["mean_delay_working_days"]),
        fmt.days(r.get("previous_mean_delay")),
    ]


def _in_time_slides(deck: Deck, tables: dict, now: str, before: str) -> None:
    """Réclamations: the in-time rate of each site in both years and the sites' table, then
    every site and service at full width."""
    from pptx.util import Inches

    fmt = deck.fmt
    _ = fmt.gettext
    recs = tables["reclamations"].rows
    if not recs:
        return
    header = [
        _("Site et service"),
        _("Reçues {period}").format(period=now),
        before,
        _("Dans les délais {period}").format(period=now),
        before,
        _("Délai moyen {period}").format(period=now),
        before,
    ]
    explained = _(
        "Dans les délais : répondues dans les délais / réponses dues (répondues ou "
        "dont l'échéance est passée). Objectifs : 75 % dans les délais, 5 jours "
        "ouvrés de délai moyen."
    )
    slide = deck.slide(_("Réclamations et délais de réponse"))
    sites_only = [r for r in recs if r["service_code"] is None]
    with_rate = [
        r
        for r in sites_only
        if r["site_code"] and (r["counted_for_rate"] or r.get("previous_counted_for_rate"))
    ]
    left = Inches(0.5)
    if with_rate:
        series = {now: [r["in_time_rate"] for r in with_rate]}
        if any(r.get("previous_counted_for_rate") for r in with_rate):
            series[before] = [r.get("previous_in_time_rate") for r in with_rate]
        names = [r["site"] for r in with_rate]
        deck.bars(slide, names, series, Inches(0.3), Inches(1.2), Inches(4.4), Inches(5.5))
        left = Inches(4.8)
    deck.table(
        slide,
        header,
        [_reclamation_line(fmt, r) for r in sites_only],
        left,
        Inches(1.3),
        Inches(13.0) - left,
        [2.5, 1.15, 0.9, 1.9, 1.9, 1.15, 0.9],
        {len(sites_only) - 1},
        size=10,
    )
    deck.text(slide, [explained], Inches(0.5), Inches(6.9), Inches(12.3), Inches(0.5), 10)
    if len(recs) > len(sites_only):
        deck.paged_table(
            _("Réclamations par site et service"),
            header,
            [_reclamation_line(fmt, r, "" if r["service_code"] is None else "    ") for r in recs],
            [3.4, 1.2, 1.0, 2.0, 2.0, 1.2, 1.0],
            {i for i, r in enumerate(recs) if r["service_code"] is None},
            explained,
        )


def _category_slide(deck: Deck) -> None:
    """Réclamations by subject: the shares of the whole, the counts of the first sites."""
    from pptx.util import Inches

    report, fmt, names = deck.report, deck.fmt, deck.names
    _ = fmt.gettext
    total = next((r for r in report.reclamations if r["site"] is None), None)
    if total and total["received"]:
        slide = deck.slide(_("Réclamations par sujet"))
        codes = list(total["by_category"])
        deck.bars(
            slide,
            [names.category(c) for c in codes],
            {_("Part"): [total["by_category"][c] for c in codes]},
            Inches(0.3),
            Inches(1.2),
            Inches(6.2),
            Inches(5.8),
            maximum=min(1.0, (int(max(total["by_category"].values()) * 10) + 1) / 10),
        )
        by_site = [
            r for r in report.reclamations if r["service"] is None and r["site"] and r["received"]
        ][:3]

        def count(row: dict, code: str) -> str:
            share = fmt.percent(row["by_category"].get(code, 0), 0)
            return f"{fmt.integer(row['by_category_count'].get(code, 0))} ({share})"

        body = [
            [names.category(c), *[count(r, c) for r in by_site], count(total, c)] for c in codes
        ]
        header = [_("Sujet"), *[names.site(r["site"]) for r in by_site], names.every_site]
        deck.table(
            slide,
            header,
            body,
            Inches(6.7),
            Inches(1.3),
            Inches(6.3),
            [2.4] + [1.3] * (len(header) - 1),
            size=10,
        )
