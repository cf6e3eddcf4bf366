"""The committee's deck (``avis report --format pptx``): the report's sections as slides,
each with its chart drawn natively from the data (editable in PowerPoint or Impress) and
its table as a native table, the previous year beside this one. One function per section;
the drawing is ``deck_shapes``'s."""

from __future__ import annotations

from .deck_bilan import bilan_slides
from .deck_reclamations import reclamation_slides
from .deck_shapes import BLUE, Deck, rgb
from .i18n import Formatter
from .names import filters_text, period_labels, weekday_names
from .render import evolution_series
from .report import Report
from .summary import summary_lines
from .tables import report_tables

COMMENTS_PER_SLIDE = 6
COMMENT_SLIDES = 2


def _rate(fmt: Formatter, rate, n) -> str:
    return f"{fmt.percent(rate)} (n = {fmt.integer(n)})" if n else "–"


def _change(fmt: Formatter, row: dict) -> str:
    _ = fmt.gettext
    change = row.get("change") or {}
    if change.get("shown"):
        return fmt.points(row["difference_points"]) + (" *" if change["significant"] else "")
    if change.get("previous_n") or change.get("previous_counted_for_rate"):
        return _("trop peu")
    return "–"


def report_pptx(session, report: Report, language: str = "fr") -> bytes:
    """Return the committee's deck of ``report`` as a PPTX file."""
    fmt = Formatter(language)
    deck = Deck(report, fmt)
    tables = {t.name: t for t in report_tables(report, fmt)}
    now, before = period_labels(report, fmt)
    _title_slide(deck)
    _brief_slide(deck)
    _criteria_slide(deck, tables, now, before)
    _sites_slide(deck, tables, now, before)
    _respondents_slides(deck, tables, now, before)
    _evolution_slide(deck, session, tables)
    _comment_slides(deck)
    reclamation_slides(deck, tables, now, before)
    bilan_slides(deck, report, tables, now, before)
    _method_slide(deck)
    return deck.save()


def _title_slide(deck: Deck) -> None:
    from pptx.util import Inches, Pt

    report, fmt = deck.report, deck.fmt
    _ = fmt.gettext
    f = report.filters
    slide = deck.pres.slides.add_slide(deck.pres.slide_layouts[0])
    slide.shapes.title.text = _("Comité local des usagers")
    slide.shapes.title.text_frame.paragraphs[0].font.color.rgb = rgb(BLUE)
    slide.shapes.title.text_frame.paragraphs[0].font.bold = True
    lines = [_("Rapport de satisfaction des usagers"), fmt.period(f.date_from, f.date_to)]
    lines += [fmt.labelled(label, value) for label, value in filters_text(report, fmt)[1:4]]
    subtitle = slide.placeholders[1]
    subtitle.text = "\n".join(lines)
    for paragraph in subtitle.text_frame.paragraphs:
        paragraph.font.size = Pt(18)
    title = slide.shapes.title
    title.left, title.top = Inches(0.8), Inches(1.6)
    title.width, title.height = Inches(11.7), Inches(1.3)
    subtitle.left, subtitle.top = Inches(0.8), Inches(3.2)
    subtitle.width, subtitle.height = Inches(11.7), Inches(3.2)


def _brief_slide(deck: Deck) -> None:
    from pptx.util import Inches

    report, fmt, names = deck.report, deck.fmt, deck.names
    _ = fmt.gettext
    slide = deck.slide(_("En bref"))
    deck.text(
        slide,
        summary_lines(report, fmt, names),
        Inches(0.6),
        Inches(1.4),
        Inches(12),
        Inches(5.5),
        18,
    )


def _criteria_slide(deck: Deck, tables: dict, now: str, before: str) -> None:
    """Satisfaction per criterion: the chart of both years, the table beside."""
    from pptx.util import Inches

    fmt = deck.fmt
    _ = fmt.gettext
    significance = _(
        "Écart en points avec les mêmes dates un an plus tôt (ou l'édition précédente de la "
        "campagne) ; * : au-delà du hasard (p < 0,05) ; « trop peu » : moins de 30 réponses "
        "d'un côté."
    )
    totals = [r for r in tables["satisfaction"].rows if r["site_code"] is None]
    shown = [r for r in totals if not r["lower_is_better"]]
    if shown:
        slide = deck.slide(_("Satisfaction par critère"))
        series = {now: [r["rate"] for r in shown]}
        if any(r["previous_n"] for r in shown):
            series[before] = [r["previous_rate"] if r["previous_n"] else None for r in shown]
        deck.bars(
            slide,
            [r["label"] for r in shown],
            series,
            Inches(0.3),
            Inches(1.2),
            Inches(5.2),
            Inches(5.9),
        )
        deck.table(
            slide,
            [_("Critère"), now, before, _("Écart")],
            [
                [
                    r["label"],
                    _rate(fmt, r["rate"], r["n"]),
                    _rate(fmt, r["previous_rate"], r["previous_n"]),
                    _change(fmt, r),
                ]
                for r in totals
            ],
            Inches(5.6),
            Inches(1.3),
            Inches(7.4),
            [3.0, 1.8, 1.8, 1.1],
            size=10,
        )
        deck.text(slide, [significance], Inches(0.5), Inches(7.0), Inches(12.3), Inches(0.4), 10)


def _sites_slide(deck: Deck, tables: dict, now: str, before: str) -> None:
    """Satisfaction per site: overall of each site in both years; the criteria × sites
    table."""
    from pptx.util import Inches

    report, fmt, names = deck.report, deck.fmt, deck.names
    _ = fmt.gettext
    sites = sorted({r["site"] for r in report.satisfaction if r["site"]}, key=names.site)
    overall = {
        (r["site_code"], r["service_code"]): r
        for r in tables["satisfaction"].rows
        if r["criterion"] == "overall"
    }
    if len(sites) > 1:
        slide = deck.slide(_("Satisfaction par site"))
        rows = [overall.get((site, None)) for site in sites]
        series = {now: [r["rate"] if r else None for r in rows]}
        if any(r and r["previous_n"] for r in rows):
            series[before] = [r["previous_rate"] if r and r["previous_n"] else None for r in rows]
        deck.bars(
            slide,
            [names.site(s) for s in sites],
            series,
            Inches(0.3),
            Inches(1.2),
            Inches(5.2),
            Inches(5.9),
        )
        shown_sites = sites[:4]
        body = _criteria_by_site(deck, tables, shown_sites)
        deck.table(
            slide,
            [_("Critère"), *[names.site(s) for s in shown_sites]],
            body,
            Inches(5.7),
            Inches(1.3),
            Inches(7.3),
            [3.0] + [1.4] * len(shown_sites),
            size=10,
        )
        deck.text(
            slide,
            [_("† : moins de 30 réponses, à interpréter avec prudence.")],
            Inches(5.7),
            Inches(7.0),
            Inches(7.3),
            Inches(0.4),
            10,
        )


def _criteria_by_site(deck: Deck, tables: dict, sites: list[str]) -> list[list[str]]:
    """Return the rows of the criteria × ``sites`` table: a rate per site (a mean for a
    criterion where lower is better), « † » under 30 answers."""
    fmt, names = deck.fmt, deck.names
    rows = tables["satisfaction"].rows
    totals = {r["criterion"] for r in rows if r["site_code"] is None}
    matrix = {(r["site_code"], r["criterion"]): r for r in rows if r["service_code"] is None}
    body = []
    for criterion in [c for c in deck.report.criteria if c.code in totals]:
        cells = []
        for site in sites:
            cell = matrix.get((site, criterion.code))
            if cell is None:
                cells.append("–")
            elif criterion.lower_is_better:
                cells.append(fmt.number(cell["mean"]))
            else:
                cells.append(fmt.percent(cell["rate"], 0) + ("" if cell["enough"] else " †"))
        body.append([names.criterion(criterion.code), *cells])
    return body


def _respondents_slides(deck: Deck, tables: dict, now: str, before: str) -> None:
    """Respondents per site and service, sites in bold, over as many slides as needed."""
    fmt = deck.fmt
    _ = fmt.gettext
    rows, bold = [], set()
    for index, r in enumerate(tables["responses"].rows):
        if r["service_code"] is None:
            bold.add(index)
        label = r["site"] if r["service_code"] is None else "    " + r["service"]
        flag = "" if r["enough"] or not r["n"] else " †"
        rows.append(
            [
                label,
                fmt.integer(r["responses"]),
                _rate(fmt, r["rate"], r["n"]) + flag,
                _rate(fmt, r["previous_rate"], r["previous_n"]),
                _change(fmt, r),
            ]
        )
    if rows:
        deck.paged_table(
            _("Répondants par site et service"),
            [
                _("Site et service"),
                _("Répondants"),
                _("Satisfaction globale {period}").format(period=now),
                before,
                _("Écart"),
            ],
            rows,
            [4.2, 1.3, 2.2, 2.2, 1.2],
            bold,
            _(
                "Satisfaction globale : 4 ou 5 sur 5 à la question d'ensemble. † : moins de 30 "
                "réponses, à interpréter avec prudence."
            ),
        )


def _evolution_slide(deck: Deck, session, tables: dict) -> None:
    """Evolution: monthly rates and when usagers answer."""
    from pptx.util import Inches

    report, fmt = deck.report, deck.fmt
    _ = fmt.gettext
    evolution = evolution_series(session, report, fmt)
    if evolution or report.heatmap:
        slide = deck.slide(_("Évolution"))
        if evolution:
            months, series = evolution
            deck.lines(slide, months, series, Inches(0.3), Inches(1.2), Inches(7.4), Inches(5.9))
        if report.heatmap:
            days = weekday_names(fmt)
            by_day = [0] * 7
            for cell in report.heatmap:
                by_day[cell["weekday"]] += cell["responses"]
            used = [i for i in range(7) if by_day[i]]
            deck.text(
                slide,
                [_("Quand les usagers répondent")],
                Inches(7.9),
                Inches(1.2),
                Inches(5),
                Inches(0.4),
                14,
            )
            deck.bars(
                slide,
                [days[i] for i in used],
                {_("Réponses"): [by_day[i] for i in used]},
                Inches(7.9),
                Inches(1.6),
                Inches(5.1),
                Inches(2.6),
                percent=False,
                horizontal=False,
            )
            channels = tables["channels"].rows
            deck.table(
                slide,
                [_("Canal"), _("Réponses"), _("Taux de satisfaction")],
                [
                    [r["channel"], fmt.integer(r["responses"]), fmt.percent(r["rate"])]
                    for r in channels
                ],
                Inches(7.9),
                Inches(4.5),
                Inches(5.1),
                [2, 1, 1.4],
                size=10,
            )


def _comment_slides(deck: Deck) -> None:
    """What usagers say: the first comments, lowest overall rating first."""
    from pptx.util import Inches, Pt

    report, fmt, names = deck.report, deck.fmt, deck.names
    _ = fmt.gettext
    comments = report.comments[: COMMENTS_PER_SLIDE * COMMENT_SLIDES]
    if comments:
        note = _(
            "{shown} commentaires sur les {total} de la période, classés par note globale "
            "(la plus basse d'abord) puis par moyenne des notes."
        ).format(shown=fmt.integer(len(comments)), total=fmt.integer(report.comments_total))
        for start in range(0, len(comments), COMMENTS_PER_SLIDE):
            title = _("Ce que disent les usagers")
            slide = deck.slide(title if start == 0 else _("{title} (suite)").format(title=title))
            box = slide.shapes.add_textbox(Inches(0.6), Inches(1.3), Inches(12.1), Inches(5.4))
            frame = box.text_frame
            frame.word_wrap = True
            for index, c in enumerate(comments[start : start + COMMENTS_PER_SLIDE]):
                paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
                paragraph.text = fmt.quoted(c["comment"][:300])
                paragraph.font.size = Pt(16)
                meta = frame.add_paragraph()
                overall_text = f"{c['overall']}/5" if c["overall"] is not None else "–"
                meta.text = " · ".join(
                    [
                        fmt.short_date(c["submitted_at"]),
                        names.site(c["site"]),
                        names.service(c["site"], c["service"]),
                        _("note globale : {value}").format(value=overall_text),
                        _("moyenne des notes : {value}").format(value=fmt.number(c["mean"])),
                    ]
                )
                meta.font.size = Pt(11)
                meta.font.color.rgb = rgb((0x55, 0x55, 0x55))
                meta.space_after = Pt(10)
            deck.text(slide, [note], Inches(0.6), Inches(6.8), Inches(12.1), Inches(0.4), 11)


def _method_slide(deck: Deck) -> None:
    from pptx.util import Inches

    report, fmt = deck.report, deck.fmt
    _ = fmt.gettext
    slide = deck.slide(_("Méthode et effectifs"))
    deck.text(
        slide,
        [
            _(
                "Le taux de satisfaction d'un critère est la part des notes égales ou "
                "supérieures au seuil de satisfaction (4 sur 5 par défaut) parmi les notes "
                "données à ce critère ; un critère laissé sans réponse n'est pas compté."
            ),
            _(
                "Chaque taux est donné avec son intervalle de confiance à 95 % (méthode de "
                "Wilson). En dessous de 30 réponses, un taux est signalé et doit être lu avec "
                "prudence. Une évolution n'est commentée que lorsque les deux périodes "
                "comptent au moins 30 réponses ; elle est dite au-delà du hasard quand le test "
                "de comparaison de deux proportions donne p < 0,05."
            ),
            *[fmt.labelled(label, value) for label, value in filters_text(report, fmt)],
        ],
        Inches(0.6),
        Inches(1.4),
        Inches(12),
        Inches(5.6),
        16,
    )
