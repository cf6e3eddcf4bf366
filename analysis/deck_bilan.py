"""The deck's slides of the rest of the CLU bilan: the register indicators against their
targets beside the previous period, the year's action plan with what was done, the next
year's, and the actions that answer a criterion or a subject."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .bilan import ActionsBeside
from .render import done_text

if TYPE_CHECKING:
    from .report import Report

# Long names (the Services Publics+ engagements, actions) take two lines: fewer rows a slide.
ROWS_PER_SLIDE = 12


def bilan_slides(deck, report: Report, tables: dict, now: str, before: str) -> None:
    """Add the register indicators', the action plans' and the answering actions' slides
    to ``deck`` (an ``analysis.deck_shapes.Deck``); a part without rows adds no slide."""
    _register_slides(deck, tables, now, before)
    _plan_slides(deck, report, tables)
    _answering_slides(deck, report, tables)


def _register_slides(deck, tables: dict, now: str, before: str) -> None:
    _ = deck.fmt.gettext
    register = tables["indicators"].rows
    if register:
        deck.paged_table(
            _("Indicateurs du registre"),
            [_("Indicateur"), _("Site"), now, _("Objectif"), before],
            [
                [
                    r["indicator"],
                    r["site"],
                    r["value_text"],
                    r["target_text"],
                    r["previous_value_text"],
                ]
                for r in register
            ],  # fmt: skip
            [5.2, 3.0, 1.2, 1.2, 1.2],
            left_columns=2,
            note=_(
                "Chiffres tenus par la mission, saisis par mois ; sur la période, un taux ou "
                "un délai est la moyenne des mois pondérée par leur nombre, un nombre est "
                "leur somme."
            ),
            per_slide=ROWS_PER_SLIDE,
            size=10,
        )


def _plan_slides(deck, report: Report, tables: dict) -> None:
    fmt = deck.fmt
    _ = fmt.gettext
    actions = tables["actions"].rows
    for upcoming, year in ((False, report.plan_year), (True, report.plan_year + 1)):
        rows = [r for r in actions if r["next"] == upcoming]
        if not rows:
            continue
        note = "" if upcoming else done_text(fmt, rows)
        deck.paged_table(
            _("Plan d'actions {year}").format(year=year),
            [_("Action"), _("Site"), _("Pilote"), _("Échéance"), _("Statut")],
            [
                [
                    ("✓ " if r["done"] else "") + r["title"],
                    r["site"],
                    r["owner"] or "–",
                    r["due_on"] or "–",
                    r["status"],
                ]
                for r in rows
            ],  # fmt: skip
            [5.4, 2.8, 2.0, 1.1, 1.1],
            left_columns=3,
            note=note,
            per_slide=ROWS_PER_SLIDE,
            size=10,
        )


def _answering_slides(deck, report: Report, tables: dict) -> None:
    """The actions that answer a criterion or a réclamation subject, for the whole report."""
    fmt, names = deck.fmt, deck.names
    _ = fmt.gettext
    beside = ActionsBeside(report, fmt, names)
    answered = []
    totals = [r for r in tables["satisfaction"].rows if r["site_code"] is None]
    for row in totals:
        for action in beside.rows("criteria", row["criterion"], None):
            answered.append((row["label"], action))
    total = next((r for r in report.reclamations if r["site"] is None), None)
    for code in (total or {}).get("by_category", {}):
        for action in beside.rows("categories", code, None):
            answered.append((names.category(code), action))
    if answered:
        deck.paged_table(
            _("Actions en réponse aux critères et aux sujets"),
            [_("Critère ou sujet"), _("Action"), _("Site"), _("Plan d'actions"), _("Statut")],
            [
                [
                    what,
                    a["title"],
                    names.site(a["site"]),
                    str(a["year"]),
                    fmt.action_status(a["status"]),
                ]
                for what, a in answered
            ],  # fmt: skip
            [3.0, 5.0, 2.4, 1.0, 1.1],
            left_columns=3,
            per_slide=ROWS_PER_SLIDE,
            size=10,
        )
