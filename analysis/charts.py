"""Charts of the report as inline SVG (matplotlib, no pyplot state: safe in a web worker)."""

from __future__ import annotations

import itertools
import re
from io import StringIO

import matplotlib

matplotlib.use("Agg")

from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .i18n import Formatter  # noqa: E402

BLUE = "#000091"
RED = "#c9191e"
GREY = "#929292"
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "font.family": "DejaVu Sans",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # Labels are criteria, sites and services named by users: text, never mathtext
        # ("$\\frac{...}$" would be parsed, and an unknown macro fail the whole report).
        "text.parse_math": False,
    }
)


_COUNTER = itertools.count(1)


def _svg(figure: Figure) -> str:
    out = StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight")
    text = out.getvalue()
    text = text[text.index("<svg") :]
    # Several charts share one HTML page: give each its own element ids.
    prefix = f"c{next(_COUNTER)}-"
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(r"#([A-Za-z_][\w.-]*)\)", lambda m: f"#{prefix}{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', text)
    # Fixed sizes in pt would overflow narrow pages: let CSS size the chart.
    return re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r"<svg\1", text, count=1)


def rate_bars(labels: list[str], rows: list[dict], fmt: Formatter, title: str = "") -> str:
    """Return horizontal bars of satisfaction rates with their 95 % interval and target."""
    height = 0.8 + 0.36 * max(len(rows), 1)
    figure = Figure(figsize=(7.5, height))
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    rates = [(row["rate"] or 0) * 100 for row in rows]
    colors = [BLUE if row["enough"] else GREY for row in rows]
    axes.barh(positions, rates, color=colors, height=0.6)
    # One collection per kind of mark: a chart of 40 sites stays quick to draw.
    with_ci = [(p, r) for p, r in zip(positions, rows, strict=True) if r["ci_low"] is not None]
    axes.hlines(
        [p for p, _ in with_ci],
        [r["ci_low"] * 100 for _, r in with_ci],
        [r["ci_high"] * 100 for _, r in with_ci],
        color="#161616",
        lw=1,
    )
    with_target = [(p, r) for p, r in zip(positions, rows, strict=True) if r.get("target")]
    axes.vlines(
        [r["target"] * 100 for _, r in with_target],
        [p - 0.4 for p, _ in with_target],
        [p + 0.4 for p, _ in with_target],
        color=RED,
        lw=1.5,
    )
    if len(rows) <= 12:  # beyond, the values are read in the table beside the chart
        for pos, row in zip(positions, rows, strict=True):
            axes.text(101, pos, fmt.percent(row["rate"]), va="center", fontsize=8)
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, 112)
    axes.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100 %"])
    if title:
        axes.set_title(title, loc="left", fontsize=10)
    return _svg(figure)


def heatmap(cells: list[dict], fmt: Formatter, weekdays: list[str]) -> str:
    """Return a weekday × hour grid coloured by the number of responses."""
    hours = sorted({cell["hour"] for cell in cells}) or list(range(8, 18))
    hours = list(range(min(hours), max(hours) + 1))
    grid = [[0] * len(hours) for _ in range(7)]
    for cell in cells:
        grid[cell["weekday"]][hours.index(cell["hour"])] = cell["responses"]
    figure = Figure(figsize=(6.6, 2.6))
    axes = figure.add_subplot()
    cmap = LinearSegmentedColormap.from_list("avis", ["#f5f5fe", BLUE])
    image = axes.imshow(grid, aspect="auto", cmap=cmap)
    axes.set_yticks(range(7), weekdays)
    step = 1 if len(hours) <= 12 else 2
    axes.set_xticks(range(0, len(hours), step), [f"{h}h" for h in hours[::step]])
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    figure.colorbar(image, ax=axes, shrink=0.8)
    return _svg(figure)


def evolution(months: list[str], series: dict[str, list[float | None]], fmt: Formatter) -> str:
    """Return the monthly satisfaction rate of a few criteria as lines."""
    figure = Figure(figsize=(6.6, 2.8))
    axes = figure.add_subplot()
    for label, values in series.items():
        points = [(i, v * 100) for i, v in enumerate(values) if v is not None]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", ms=3, label=label)
    axes.set_xticks(range(len(months)), months, rotation=45, ha="right")
    axes.set_ylim(0, 100)
    axes.set_ylabel("%")
    axes.legend(fontsize=7, frameon=False, loc="lower left")
    return _svg(figure)
