"""The drawing of the committee's deck: slides with a title, text boxes, native tables
(paged when long) and native bar and line charts, in the DSFR's blue (``python-pptx`` is
imported when a deck is drawn, not when the report is computed)."""

from __future__ import annotations

import re
from io import BytesIO

from .i18n import Formatter
from .names import Names
from .report import Report

BLUE = (0x00, 0x00, 0x91)
GREY = (0x92, 0x92, 0x92)
ROWS_PER_SLIDE = 15


def rgb(color: tuple[int, int, int]):
    """Return ``color`` (red, green, blue) as python-pptx's colour."""
    from pptx.dml.color import RGBColor

    return RGBColor(*color)


THEME_FONT = b"Marianne"
# The heading and body faces of a theme's font scheme: <a:majorFont><a:latin typeface="…"/>.
THEME_LATIN = re.compile(rb'(<a:(?:major|minor)Font><a:latin typeface=")[^"]*(")')


def in_marianne(pres) -> None:
    """Set the theme's heading and body faces to Marianne, as the pages and the printed
    report are: every text of the deck, charts and tables included, takes the theme's
    faces, since none names its own. A deck names its faces without carrying them
    (python-pptx embeds none): where Marianne is not installed, PowerPoint shows its own
    substitute."""
    from pptx.opc.constants import RELATIONSHIP_TYPE

    theme = pres.slide_master.part.part_related_by(RELATIONSHIP_TYPE.THEME)
    blob, found = THEME_LATIN.subn(rb"\g<1>" + THEME_FONT + rb"\g<2>", theme.blob)
    if found != 2:  # another template than python-pptx's: say so rather than half-dress it
        raise RuntimeError(f"the deck's theme has {found} latin faces, not 2")
    theme._blob = blob


class Deck:
    """A 16:9 presentation being drawn for ``report`` in ``fmt``'s language, with the
    report's names."""

    def __init__(self, report: Report, fmt: Formatter) -> None:
        from pptx import Presentation
        from pptx.util import Inches

        self.report = report
        self.fmt = fmt
        self.names = Names(report, fmt)
        self.pres = Presentation()
        self.pres.slide_width = Inches(13.333)
        self.pres.slide_height = Inches(7.5)
        in_marianne(self.pres)

    def slide(self, title: str):
        """Add and return a slide holding only ``title``, in blue."""
        from pptx.util import Inches, Pt

        slide = self.pres.slides.add_slide(self.pres.slide_layouts[5])  # title only
        shape = slide.shapes.title
        shape.left, shape.top = Inches(0.5), Inches(0.3)
        shape.width, shape.height = Inches(12.3), Inches(0.9)
        shape.text = title
        paragraph = shape.text_frame.paragraphs[0]
        paragraph.font.size = Pt(28)
        paragraph.font.bold = True
        paragraph.font.color.rgb = rgb(BLUE)
        from pptx.enum.text import PP_ALIGN

        paragraph.alignment = PP_ALIGN.LEFT
        return slide

    def text(self, slide, lines: list[str], left, top, width, height, size: int = 16):
        """Add a text box of ``lines``, one paragraph each, to ``slide``."""
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
        """Add a native table (``header`` in bold, then ``rows``, those of ``bold_rows``
        in bold too) to ``slide``; ``widths`` are the columns' shares of ``width``, and
        the first ``left_columns`` are aligned left, the figures right."""
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
        """Add a native bar chart of ``series`` over ``categories`` to ``slide``: the first
        series in blue, the other (the previous year) in grey, rates up to ``maximum``
        unless ``percent`` is false."""
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
            chart_series.format.fill.fore_color.rgb = rgb(BLUE if index == 0 else GREY)
        return chart

    def lines(self, slide, months: list[str], series: dict[str, list], left, top, width, height):
        """Add a line chart of monthly rates (0..1), one line per series, to ``slide``."""
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
        """Return the presentation as the bytes of a PPTX file."""
        buffer = BytesIO()
        self.pres.save(buffer)
        return buffer.getvalue()
