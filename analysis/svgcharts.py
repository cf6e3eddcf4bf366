"""The charts of the dashboard and of the HTML and PDF report, as SVG written directly
(no plotting library): a request draws them in milliseconds, each is an image with its
label for screen readers (``role="img"``), and they carry only presentation attributes,
which the back office's Content-Security-Policy allows inline. Names are escaped text,
never parsed as markup or formulas."""

from __future__ import annotations

from markupsafe import Markup, escape

from .i18n import Formatter

BLUE = "#000091"
GREY = "#929292"
RED = "#c9191e"
INK = "#161616"


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    # Every text put in the drawing goes through escape() first.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" class="svg-chart" '
        'font-family="Marianne, DejaVu Sans, Arial, sans-serif" font-size="12">'
        + "".join(body)
        + "</svg>"
    )


def bars(labels: list[str], rows: list[dict], fmt: Formatter, label: str) -> Markup:
    """Return horizontal bars of rates (0..1) with their 95 % interval and target."""
    left, width, row_height = 330, 360, 24
    height = 30 + row_height * len(rows)
    body = []
    for tick in (0, 25, 50, 75, 100):
        x = left + width * tick / 100
        body.append(
            f'<line x1="{x}" y1="4" x2="{x}" y2="{height - 20}" stroke="#dddddd"/>'
            f'<text x="{x}" y="{height - 6}" text-anchor="middle" fill="#555">{tick}</text>'
        )
    for index, (name, row) in enumerate(zip(labels, rows, strict=True)):
        y = 6 + index * row_height
        rate = row["rate"] or 0
        colour = BLUE if row["enough"] else GREY
        body.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" fill="{INK}">'
            f"{escape(name[:48])}</text>"
            f'<rect x="{left}" y="{y + 3}" width="{width * rate:.1f}" height="15" '
            f'fill="{colour}"/>'
        )
        if row.get("ci_low") is not None:
            x1, x2 = left + width * row["ci_low"], left + width * row["ci_high"]
            body.append(
                f'<line x1="{x1:.1f}" y1="{y + 10.5}" x2="{x2:.1f}" y2="{y + 10.5}" '
                f'stroke="{INK}" stroke-width="1.5"/>'
            )
        if row.get("target"):
            x = left + width * row["target"]
            body.append(
                f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 21}" stroke="{RED}" '
                'stroke-width="2"/>'
            )
        body.append(
            f'<text x="{left + width + 8}" y="{y + 14}" fill="{INK}">'
            f"{escape(fmt.percent(row['rate']))}</text>"
        )
    return _svg(left + width + 70, height, label, body)


def heatmap(cells: list[dict], weekdays: list[str], label: str) -> Markup:
    """Return a weekday × hour grid, darker where more usagers answered."""
    hours = sorted({c["hour"] for c in cells}) or list(range(8, 18))
    hours = list(range(min(hours), max(hours) + 1))
    counts = {(c["weekday"], c["hour"]): c["responses"] for c in cells}
    top = max(counts.values(), default=0) or 1
    left, size = 90, 26
    body = []
    for day, name in enumerate(weekdays):
        y = 4 + day * size
        body.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{escape(name)}</text>')
        for column, hour in enumerate(hours):
            share = counts.get((day, hour), 0) / top
            # From the palette's light blue to Marianne blue.
            red = int(245 - (245 - 0) * share)
            green = int(245 - (245 - 0) * share)
            blue = int(254 - (254 - 145) * share)
            body.append(
                f'<rect x="{left + column * size}" y="{y}" width="{size - 2}" height="{size - 2}" '
                f'fill="rgb({red},{green},{blue})"><title>{escape(name)} {hour}h : '
                f"{counts.get((day, hour), 0)}</title></rect>"
            )
    for column, hour in enumerate(hours):
        body.append(
            f'<text x="{left + column * size + size / 2 - 1}" y="{4 + 7 * size + 14}" '
            f'text-anchor="middle" font-size="11">{hour}h</text>'
        )
    return _svg(left + len(hours) * size + 10, 7 * size + 26, label, body)


def lines(months: list[str], series: dict[str, list[float | None]], label: str) -> Markup:
    """Return the monthly rates (0..1) of a few criteria as lines with a legend."""
    colours = [BLUE, "#e1000f", "#18753c", "#b34000", "#6a6af4"]
    left, width, height = 40, 560, 200
    step = width / max(len(months) - 1, 1)
    body = []
    for tick in (0, 25, 50, 75, 100):
        y = 10 + height * (1 - tick / 100)
        body.append(
            f'<line x1="{left}" y1="{y}" x2="{left + width}" y2="{y}" stroke="#dddddd"/>'
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" fill="#555">{tick}</text>'
        )
    for index, month in enumerate(months):
        body.append(
            f'<text x="{left + index * step}" y="{height + 28}" text-anchor="middle" '
            f'font-size="10">{escape(month)}</text>'
        )
    series = {name: values for name, values in series.items() if any(v is not None for v in values)}
    for number, (name, values) in enumerate(series.items()):
        colour = colours[number % len(colours)]
        points = [
            (left + i * step, 10 + height * (1 - v)) for i, v in enumerate(values) if v is not None
        ]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
        # A month alone between two gaps (under 10 answers around it) still shows.
        body.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points)
        y = height + 48 + number * 16
        body.append(
            f'<rect x="{left}" y="{y - 9}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{left + 18}" y="{y - 4}">{escape(name)}</text>'
        )
    return _svg(left + width + 20, height + 48 + 16 * len(series), label, body)
