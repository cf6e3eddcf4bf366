"""The committee's deck (``avis report --format pptx``): the report's sections as slides,
each with its chart drawn natively from the data (editable in PowerPoint or Impress) and
its table as a native table, the previous year beside this one."""

from __future__ import annotations

from io import BytesIO

from .deck_bilan import bilan_slides
from .i18n import Formatter
from .render import _evolution_series, _summary
from .report import Report
from .tables import Names, filters_text, period_labels, report_tables, weekday_names

BLUE = (0x00, 0x00, 0x91)
GREY = (0x92, 0x92, 0x92)
ROWS_PER_SLIDE = 15
COMMENTS_PER_SLIDE = 6
COMMENT_SLIDES = 2


def _rgb(color):
    from pptx.dml.color import RGBColor

    return RGBColor(*color)


class _Deck:
    def __init__(self, report: Report, fmt: Formatter) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.report = report
        self.fmt = fmt
        self.names = Names(report, fmt)
        self.pres = Presentation()
        self.pres.slide_width = Inches(13.333)
        self.pres.slide_height = Inches(7.5)

    def slide(self, title: str):
        from pptx.util import Inches, Pt

        slide = self.pres.slides.add_slide(self.pres.slide_layouts[5])  # title only
        shape = slide.shapes.title
        shape.left, shape.top = Inches(0.5), Inches(0.3)
        shape.width, shape.height = Inches(12.3), Inches(0.9)
        shape.text = title
        paragraph = shape.text_frame.paragraphs[0]
        paragraph.font.size = Pt(28)
        paragraph.font.bold = True
        paragraph.font.color.rgb = _rgb(BLUE)
        from pptx.enum.text import PP_ALIGN

        paragraph.alignment = PP_ALIGN.LEFT
        return slide

    def text(self, slide, lines: list[str], left, top, width, height, size: int = 16):
        from pptx.util import Pt

        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        for index, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size = Pt(size)
            paragraph.space_after = Pt(6)
        return box

    def table(
        self,
        slide,
        header: list[str],
        rows: list[list[str]],
        left,
        top,
        width,
        widths,
        bold_rows: set[int] = frozenset(),
        size: int = 11,
        left_columns: int = 1,
    ):
        from pptx.enum.text import PP_ALIGN
        from pptx.util import Pt

        shape = slide.shapes.add_table(
            len(rows) + 1, len(header), left, top, width, Pt(size * 2.2) * (len(rows) + 1)
        )
        table = shape.table
        total = sum(widths)
        for index, share in enumerate(widths):
            table.columns[index].width = int(width * share / total)
        for r, values in enumerate([header, *rows]):
            table.rows[r].height = Pt(size * 2.2)
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.text = value
                cell.margin_top = cell.margin_bottom = Pt(2)
                paragraph = cell.text_frame.paragraphs[0]
                paragraph.font.size = Pt(size)
                paragraph.font.bold = r == 0 or (r - 1) in bold_rows
                paragraph.alignment = PP_ALIGN.LEFT if c < left_columns else PP_ALIGN.RIGHT
        return shape

    def bars(
        self,
        slide,
        categories: list[str],
        series: dict[str, list],
        left,
        top,
        width,
        height,
        *,
        percent: bool = True,
        horizontal: bool = True,
        maximum: float = 1.0,
    ):
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
        from pptx.util import Pt

        data = CategoryChartData()
        data.categories = categories
        for name, values in series.items():
            data.add_series(name, [None if v is None else v for v in values])
        kind = XL_CHART_TYPE.BAR_CLUSTERED if horizontal else XL_CHART_TYPE.COLUMN_CLUSTERED
        chart = slide.shapes.add_chart(kind, left, top, width, height, data).chart
        chart.has_title = False
        chart.has_legend = len(series) > 1
        if chart.has_legend:
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
            chart.legend.font.size = Pt(11)
        value_axis = chart.value_axis
        if percent:
            value_axis.maximum_scale = maximum
            value_axis.minimum_scale = 0.0
            value_axis.major_unit = 0.25 if maximum > 0.5 else 0.1
            value_axis.tick_labels.number_format = "0%"
            value_axis.tick_labels.number_format_is_linked = False
        value_axis.tick_labels.font.size = Pt(10)
        value_axis.has_major_gridlines = False
        chart.category_axis.tick_labels.font.size = Pt(10)
        if horizontal:
            chart.category_axis.reverse_order = True  # first category on top, as read
        plot = chart.plots[0]
        plot.gap_width = 60
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.font.size = Pt(9)
        labels.number_format = "0.0%" if percent else "0"
        labels.number_format_is_linked = False
        for index, chart_series in enumerate(plot.series):
            chart_series.format.fill.solid()
            chart_series.format.fill.fore_color.rgb = _rgb(BLUE if index == 0 else GREY)
        return chart

    def lines(self, slide, months: list[str], series: dict[str, list], left, top, width, height):
        from pptx.chart.data import CategoryChartData
        from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
        from pptx.util import Pt

        data = CategoryChartData()
        data.categories = months
        for name, values in series.items():
            data.add_series(name, values)
        chart = slide.shapes.add_chart(
            XL_CHART_TYPE.LINE_MARKERS, left, top, width, height, data
        ).chart
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(10)
        chart.value_axis.maximum_scale = 1.0
        chart.value_axis.minimum_scale = 0.0
        chart.value_axis.tick_labels.number_format = "0%"
        chart.value_axis.tick_labels.number_format_is_linked = False
        chart.value_axis.tick_labels.font.size = Pt(10)
        chart.category_axis.tick_labels.font.size = Pt(10)
        return chart

    def paged_table(
        self,
        title: str,
        header,
        rows,
        widths,
        bold_rows=frozenset(),
        note="",
        per_slide: int = ROWS_PER_SLIDE,
        size: int = 11,
        left_columns: int = 1,
    ):
        """One slide per ``per_slide`` rows, the title saying it continues."""
        from pptx.util import Inches

        _ = self.fmt.gettext
        font = size
        # Slides of even length: no slide left with the last row alone.
        pages = max(1, -(-len(rows) // per_slide))
        size = max(1, -(-len(rows) // pages))
        for start in range(0, max(len(rows), 1), size):
            heading = title if start == 0 else _("{title} (suite)").format(title=title)
            slide = self.slide(heading)
            part = rows[start : start + size]
            bold = {i - start for i in bold_rows if start <= i < start + size}
            self.table(
                slide,
                header,
                part,
                Inches(0.5),
                Inches(1.3),
                Inches(12.3),
                widths,
                bold,
                font,
                left_columns,
            )
            if note:
                self.text(slide, [note], Inches(0.5), Inches(6.7), Inches(12.3), Inches(0.6), 11)

    def save(self) -> bytes:
        buffer = BytesIO()
        self.pres.save(buffer)
        return buffer.getvalue()


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
    from pptx.util import Inches, Pt

    fmt = Formatter(language)
    _ = fmt.gettext
    deck = _Deck(report, fmt)
    names = deck.names
    tables = {t.name: t for t in report_tables(report, fmt)}
    now, before = period_labels(report, fmt)
    f = report.filters
    significance = _(
        "Écart en points avec les mêmes dates un an plus tôt (ou l'édition précédente de la "
        "campagne) ; * : au-delà du hasard (p < 0,05) ; « trop peu » : moins de 30 réponses "
        "d'un côté."
    )

    # Title slide.
    slide = deck.pres.slides.add_slide(deck.pres.slide_layouts[0])
    slide.shapes.title.text = _("Comité local des usagers")
    slide.shapes.title.text_frame.paragraphs[0].font.color.rgb = _rgb(BLUE)
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

    # In brief.
    slide = deck.slide(_("En bref"))
    deck.text(
        slide, _summary(report, fmt, names), Inches(0.6), Inches(1.4), Inches(12), Inches(5.5), 18
    )

    # Satisfaction per criterion: the chart of both years, the table beside.
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

    # Satisfaction per site: overall of each site in both years; the criteria × sites table.
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
        matrix = {
            (r["site_code"], r["criterion"]): r
            for r in tables["satisfaction"].rows
            if r["service_code"] is None
        }
        body = []
        for criterion in [
            c for c in report.criteria if any(r["criterion"] == c.code for r in totals)
        ]:
            cells = []
            for site in shown_sites:
                cell = matrix.get((site, criterion.code))
                if cell is None:
                    cells.append("–")
                elif criterion.lower_is_better:
                    cells.append(fmt.number(cell["mean"]))
                else:
                    cells.append(fmt.percent(cell["rate"], 0) + ("" if cell["enough"] else " †"))
            body.append([names.criterion(criterion.code), *cells])
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

    # Respondents per site and service.
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

    # Evolution: monthly rates and when usagers answer.
    evolution = _evolution_series(session, report, fmt)
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

    # What usagers say.
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
                meta.font.color.rgb = _rgb((0x55, 0x55, 0x55))
                meta.space_after = Pt(10)
            deck.text(slide, [note], Inches(0.6), Inches(6.8), Inches(12.1), Inches(0.4), 11)

    # Réclamations: the in-time rate of each site in both years and the sites' table, then
    # every site and service at full width.
    recs = tables["reclamations"].rows
    if recs:
        header = [
            _("Site et service"),
            _("Reçues {period}").format(period=now),
            before,
            _("Dans les délais {period}").format(period=now),
            before,
            _("Délai moyen {period}").format(period=now),
            before,
        ]

        def line(r: dict, indent: str = "") -> list[str]:
            return [
                indent + (r["site"] if r["service_code"] is None else r["service"]),
                fmt.integer(r["received"]),
                fmt.integer(r.get("previous_received") or 0),
                fmt.share(r["answered_in_time"], r["counted_for_rate"])
                if r["counted_for_rate"]
                else "–",
                fmt.share(r["previous_answered_in_time"], r["previous_counted_for_rate"])
                if r.get("previous_counted_for_rate")
                else "–",
                fmt.days(r["mean_delay_working_days"]),
                fmt.days(r.get("previous_mean_delay")),
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
            names_ = [r["site"] for r in with_rate]
            deck.bars(slide, names_, series, Inches(0.3), Inches(1.2), Inches(4.4), Inches(5.5))
            left = Inches(4.8)
        deck.table(
            slide,
            header,
            [line(r) for r in sites_only],
            left,
            Inches(1.3),
            Inches(13.0) - left,
            [2.5, 1.15, 0.9, 1.9, 1.9, 1.15, 0.9],
            {len(sites_only) - 1},
            size=10,
        )
        deck.text(slide, [explained], Inches(0.5), Inches(6.9), Inches(12.3), Inches(0.5), 10)
        if len(recs) > len(sites_only):
            bold = {i for i, r in enumerate(recs) if r["service_code"] is None}
            deck.paged_table(
                _("Réclamations par site et service"),
                header,
                [line(r, "" if r["service_code"] is None else "    ") for r in recs],
                [3.4, 1.2, 1.0, 2.0, 2.0, 1.2, 1.0],
                bold,
                explained,
            )

    # Réclamations by subject.
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

    bilan_slides(deck, report, tables, now, before)

    # Method.
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
    return deck.save()
