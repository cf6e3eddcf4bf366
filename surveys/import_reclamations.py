"""Import of réclamations, suggestions and remerciements (history, paper registers) from CSV
or XLSX.

The reply deadline of each row is computed from its channel and its site's département
(:func:`surveys.calendar.reply_deadline`); imported suggestions and réclamations expect a reply
(DESIGN.md); a row with ``answered_on`` is answered, otherwise new. References of the form
``DD-YYYY-NNNNNN`` push the département's counter for that year at least to their number, so
that references given later do not collide. A row without a reference gets one derived
from its content (``DD-AAAA-IMP-XXXXXXXXXX``, see :func:`derived_reference`), so that the same
register imported twice stores nothing new.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .calendar import local_today, reply_deadline
from .csvformat import (
    EMPTY,
    RECLAMATION_COLUMNS,
    REFERENCE_RE,
    CellError,
    DateReader,
    ErrorList,
    ImportResult,
    Progress,
    check_header,
    duplicate_of,
)
from .i18n import _l
from .models import (
    Reclamation,
    ReclamationCategory,
    ReclamationEvent,
    ReferenceCounter,
    Service,
    Site,
    utcnow,
)
from .models.reclamations import CHANNELS, KINDS, REPLY_CHANNELS
from .sheets import Table, open_table
from .spreadsheet import unneutralise

MAX_TEXT = 20_000


def _content(values: dict) -> tuple:
    return tuple(
        values[k]
        for k in (
            "kind",
            "channel",
            "site_id",
            "service_id",
            "category_id",
            "received_on",
            "answered_on",
            "reply_channel",
            "text",
        )
    )


def _parse_row(
    line: int, row: dict[str, str], lookups: dict, errors: ErrorList, dates: DateReader
) -> dict | None:
    """Return the column values of a new réclamation, or None after recording errors; the
    reference is empty when the row has none."""
    before = errors.count
    reference = row.get("reference", "").strip()
    if len(reference) > 32:
        errors.add(line, "reference", _l("une référence a au plus 32 caractères"))
    kind, channel = _parse_kind_and_channel(line, row, errors)
    site, service_id = _parse_place(line, row, lookups, errors)
    category_code = row["category"].strip()
    category_id = lookups["categories"].get(category_code)
    if category_id is None:
        errors.add(line, "category", _l("catégorie inconnue « {value} »", value=category_code))
    received_on, answered_on = _parse_dates(line, row, site, errors, dates)
    reply_channel = row["reply_channel"].strip() or None
    if reply_channel is not None and reply_channel not in REPLY_CHANNELS:
        errors.add(
            line,
            "reply_channel",
            _l(
                "canal de réponse inconnu « {value} » ({known})",
                value=reply_channel,
                known=", ".join(REPLY_CHANNELS),
            ),
        )
    text = unneutralise(row["text"])
    if not text.strip():
        errors.add(line, "text", EMPTY)
    elif len(text) > MAX_TEXT:
        errors.add(line, "text", _l("plus de {limit} caractères", limit=MAX_TEXT))
    if errors.count != before:
        return None
    site_id, departement, timezone = site
    return {
        "reference": reference,
        "kind": kind,
        "channel": channel,
        "site_id": site_id,
        "service_id": service_id,
        "category_id": category_id,
        "received_on": received_on,
        "received_at": datetime.combine(received_on, time(0), ZoneInfo(timezone)),
        "due_on": reply_deadline(received_on, channel, departement, lookups["reply_days"]),
        "answered_on": answered_on,
        "reply_channel": reply_channel,
        "text": text,
        "reply_expected": kind in ("suggestion", "reclamation"),
        "reply_wanted": False,
        "status": "answered" if answered_on else "new",
        "language": "fr",
    }


def _parse_kind_and_channel(line: int, row: dict[str, str], errors: ErrorList) -> tuple[str, str]:
    """Return the row's kind and channel, recording an error for each that is unknown."""
    kind = row["kind"].strip()
    if kind not in KINDS:
        errors.add(
            line,
            "kind",
            _l("nature inconnue « {value} » ({known})", value=kind, known=", ".join(KINDS)),
        )
    channel = row["channel"].strip()
    if channel not in CHANNELS:
        errors.add(
            line,
            "channel",
            _l("canal inconnu « {value} » ({known})", value=channel, known=", ".join(CHANNELS)),
        )
    return kind, channel


def _parse_place(
    line: int, row: dict[str, str], lookups: dict, errors: ErrorList
) -> tuple[tuple | None, int | None]:
    """Return the row's site (id, département, time zone; None when unknown) and service id
    (None when the row names none or an unknown one), recording the errors."""
    site_code = row["site"].strip()
    site = lookups["sites"].get(site_code)
    if site is None:
        errors.add(line, "site", _l("site inconnu « {value} »", value=site_code))
    service_code = row["service"].strip()
    service_id = None
    if service_code:
        service_id = lookups["services"].get((site_code, service_code))
        if site is not None and service_id is None:
            errors.add(
                line,
                "service",
                _l(
                    "service inconnu « {value} » au site {site}", value=service_code, site=site_code
                ),
            )
    return site, service_id


def _parse_dates(
    line: int, row: dict[str, str], site: tuple | None, errors: ErrorList, dates: DateReader
) -> tuple[date | None, date | None]:
    """Return the row's ``received_on`` (not after the site's today) and ``answered_on``
    (not before it), None for a date that is missing or wrong, recording the errors."""
    received_on = answered_on = None
    try:
        received_on = dates.date(row["received_on"])
        if received_on > local_today(site[2] if site else None):
            errors.add(line, "received_on", _l("date à venir"))
    except CellError as error:
        errors.add(line, "received_on", error.reason)
    if row["answered_on"].strip():
        try:
            answered_on = dates.date(row["answered_on"])
            if received_on and answered_on < received_on:
                errors.add(line, "answered_on", _l("avant la date de réception (received_on)"))
        except CellError as error:
            errors.add(line, "answered_on", error.reason)
    return received_on, answered_on


def derived_reference(values: dict, departement: str, rank: int) -> str:
    """Return the reference of a row without one: ``DD-AAAA-IMP-`` and ten characters of a
    digest of what the usager wrote and where (not of the reply, so that a register
    re-imported once its replies are typed conflicts instead of storing the réclamation
    twice), and of its ``rank`` among identical rows of the file."""
    content = "\x1f".join(
        str(values[key])
        for key in ("kind", "channel", "site_id", "service_id", "category_id", "received_on")
    )
    digest = hashlib.sha256(f"{content}\x1f{values['text'].strip()}\x1f{rank}".encode())
    code = base64.b32encode(digest.digest()).decode()[:10]
    return f"{departement}-{values['received_on'].year}-IMP-{code}"


def _push_counters(session: Session, references: list[str]) -> None:
    """Raise each (département, year) counter to the highest imported sequence number."""
    highest: dict[tuple[str, int], int] = {}
    for reference in references:
        match = REFERENCE_RE.match(reference)
        if match:
            key = (match.group(1), int(match.group(2)))
            highest[key] = max(highest.get(key, 0), int(match.group(3)))
    for (departement, year), value in highest.items():
        counter = session.scalar(
            select(ReferenceCounter)
            .where(ReferenceCounter.departement == departement, ReferenceCounter.year == year)
            .with_for_update()
        )
        if counter is None:
            session.add(ReferenceCounter(departement=departement, year=year, last_value=value))
        elif counter.last_value < value:
            counter.last_value = value


def import_reclamations(
    session: Session,
    path: str | Path,
    progress: Progress | None = None,
    reply_days: dict[str, int] | None = None,
) -> ImportResult:
    """Check and store the réclamations of a CSV or XLSX file; return the counts.

    Raises :class:`~surveys.csvformat.ImportRefused` listing the bad lines (nothing stored).
    ``reply_days`` overrides the working days allowed per channel.
    """
    errors = ErrorList()
    source = open_table(path, errors)
    if source.header is not None:
        check_header(
            source.header, RECLAMATION_COLUMNS[1:], errors, allowed=set(RECLAMATION_COLUMNS)
        )
    errors.raise_if_any()
    dates = DateReader()
    lookups = _lookups(session, reply_days)
    result = ImportResult(source=source.source)
    rows = _checked_rows(source, lookups, errors, dates, result, progress)
    fresh = _fresh_rows(session, rows, errors, result)
    errors.raise_if_any()
    _insert(session, fresh)
    _push_counters(session, [v["reference"] for v in fresh])
    session.flush()
    result.created = len(fresh)
    if dates.note is not None:
        result.notes.append(dates.note)
    return result


def _lookups(session: Session, reply_days: dict[str, int] | None) -> dict:
    """Everything a row is checked against, read once: the sites (id, département, time
    zone) and services by code, the categories' ids and the working days to reply."""
    return {
        "sites": {
            code: (site_id, departement, tz)
            for code, site_id, departement, tz in session.execute(
                select(Site.code, Site.id, Site.departement, Site.timezone)
            )
        },
        "services": {
            (site_code, code): service_id
            for site_code, code, service_id in session.execute(
                select(Site.code, Service.code, Service.id).join(Service.site)
            )
        },
        "categories": dict(
            session.execute(select(ReclamationCategory.code, ReclamationCategory.id)).all()
        ),
        "reply_days": reply_days,
    }


def _checked_rows(
    source: Table,
    lookups: dict,
    errors: ErrorList,
    dates: DateReader,
    result: ImportResult,
    progress: Progress | None,
) -> list[tuple[int, dict]]:
    """Return (line, column values) of the rows of ``source`` that pass :func:`_parse_row`,
    counted in ``result.read``, each with its reference (derived when the row has none); a
    reference met twice is an error of its second line."""
    seen: dict[str, int] = {}
    copies: dict[tuple, int] = {}
    rows: list[tuple[int, dict]] = []
    for line, row in source.rows():
        result.read += 1
        values = _parse_row(line, row, lookups, errors, dates)
        if progress:
            progress(1)
        if values is None:
            continue
        if not values["reference"]:
            departement = lookups["sites"][row["site"].strip()][1]
            key = derived_reference(values, departement, 0)
            copies[key] = copies.get(key, 0) + 1
            values["reference"] = derived_reference(values, departement, copies[key])
        first = seen.setdefault(values["reference"], line)
        if first != line:
            errors.add(line, "reference", duplicate_of(first))
            continue
        rows.append((line, values))
    return rows


def _fresh_rows(
    session: Session, rows: list[tuple[int, dict]], errors: ErrorList, result: ImportResult
) -> list[dict]:
    """Return the values of the rows whose reference is not stored yet; a stored one with
    the same content is counted unchanged, with other content it is an error of its line."""
    stored: dict[str, tuple] = {}
    references = [v["reference"] for _, v in rows]
    for start in range(0, len(references), 1000):
        for stored_row in session.execute(
            select(Reclamation).where(Reclamation.reference.in_(references[start : start + 1000]))
        ).scalars():
            stored[stored_row.reference] = _content(stored_row.__dict__)
    fresh = []
    for line, values in rows:
        known = stored.get(values["reference"])
        if known is None:
            fresh.append(values)
        elif known == _content(values):
            result.unchanged += 1
        else:
            errors.add(line, "reference", _l("diffère de la réclamation déjà enregistrée"))
    return fresh


def _insert(session: Session, fresh: list[dict]) -> None:
    """Insert the réclamations ``fresh`` by thousands, each with its ``imported`` event."""
    now = utcnow()
    for start in range(0, len(fresh), 1000):
        batch = fresh[start : start + 1000]
        session.execute(insert(Reclamation), batch)
        ids = session.execute(
            select(Reclamation.id, Reclamation.answered_on).where(
                Reclamation.reference.in_([v["reference"] for v in batch])
            )
        ).all()
        events = [
            {"reclamation_id": pk, "at": now, "action": "imported", "detail": "CSV import"}
            for pk, _ in ids
        ]
        session.execute(insert(ReclamationEvent), events)
