"""Writing responses. Every writer of a few responses at a time (API, tablets, paper entry,
demo) stores them through :func:`insert_responses`, and the CSV import of many through
:class:`BulkResponseWriter`; both keep the tallies in the same transaction, so the
aggregates have two places to hook in, side by side in this module."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import and_, bindparam, case, func, insert, select
from sqlalchemy.orm import Session

from . import DomainError
from .bounds import FIRST_DAY, LAST_DAY
from .csvformat import ImportRefused
from .directory import TabletRef, directory
from .i18n import _l
from .languages import USAGER_LANGUAGES
from .models import (
    SUBMITTED_CHANNELS,
    Answer,
    Criterion,
    RefusedSubmission,
    Response,
    Tablet,
    utcnow,
)


@dataclass
class NewResponse:
    """A validated response ready to store; ``ratings`` maps criterion id -> 1..5."""

    response_id: str
    site_id: int
    service_id: int
    channel: str
    language: str
    submitted_at: datetime
    questionnaire_id: int
    ratings: dict[int, int] = field(default_factory=dict)
    comment: str | None = None
    campaign_id: int | None = None
    tablet_id: int | None = None
    finished: bool = True
    received_at: datetime | None = None
    flag: str | None = None  # kept but left out of the rates (see ``Response.flag``)


def insert_responses(
    session: Session, rows: list[NewResponse], *, tallies: bool = True, skip_stored: bool = False
) -> dict[str, int]:
    """Insert ``rows`` and their answers in bulk; return response_id -> primary key.

    The caller has validated the rows and checked that their ids are new; the unique
    constraint on ``response_id`` still refuses a duplicate that slips through a race.
    ``tallies=False`` is for bulk writers only: the caller then passes the same rows to
    :func:`surveys.tallies.add_to_tallies` itself, in the same transaction, in larger groups.
    ``skip_stored=True`` leaves a row whose ``response_id`` is already stored out instead
    (``ON CONFLICT DO NOTHING``): it is then missing from the returned ids, and the
    transaction stays usable without a savepoint.

    The CSV import uses :class:`BulkResponseWriter` below instead, which writes through the
    driver and leaves the tallies to :class:`surveys.tallies.TallyAccumulator`.
    """
    if not rows:
        return {}
    now = utcnow()
    connection = session.connection()
    if skip_stored and tallies and len(rows) == 1 and connection.dialect.name == "postgresql":
        return _insert_one_postgresql(session, connection, rows[0], now)
    # Core statements on the session's connection: the ORM's bulk path costs more than the
    # database's work for the one-row inserts of the API. RETURNING gives the new ids
    # without reading them back (SQLite >= 3.35 and PostgreSQL).
    stored = connection.execute(
        _insert_response(connection.dialect.name if skip_stored else None),
        [dict(zip(RESPONSE_COLUMNS, _response_values(r, now), strict=True)) for r in rows],
    )
    ids = dict(stored.all())
    if len(ids) < len(rows):
        rows = [r for r in rows if r.response_id in ids]
    answers = [
        {"response_id": ids[r.response_id], "criterion_id": criterion_id, "rating": rating}
        for r in rows
        for criterion_id, rating in r.ratings.items()
    ]
    if answers:
        # executemany of one cached statement (a multi-row VALUES is compiled at each call;
        # PostgreSQL's one-response path above needs neither).
        connection.execute(_INSERT_ANSWER, answers)
    # The monthly tallies that reports read are kept in the same transaction.
    from .tallies import add_to_tallies

    if tallies and rows:
        add_to_tallies(session, rows, ids)
    return ids


def _insert_one_postgresql(session: Session, connection, row: NewResponse, now) -> dict[str, int]:
    """PostgreSQL, one response from the API: the response, its answers and the three tally
    upserts as one statement (data-modifying ``WITH``), one round trip instead of five.
    Nothing but the response's own insert happens when its id is already stored."""
    from .tallies import tally_rows, upsert_statements

    statements, tally_params = upsert_statements(
        tally_rows(session, [row]), only_if="EXISTS (SELECT 1 FROM r)"
    )
    params: list = list(_response_values(row, now))
    if row.ratings:
        params += [list(row.ratings), list(row.ratings.values())]
    sql = _one_response_sql(bool(row.ratings), tuple(statements))
    return dict(connection.exec_driver_sql(sql, (*params, *tally_params)).all())


@lru_cache(maxsize=16)
def _one_response_sql(with_answers: bool, tally_statements: tuple[str, ...]) -> str:
    """The text of :func:`_insert_one_postgresql`'s statement: the same for every response
    of one shape, so that the driver and the server parse it once."""
    # Names come from our own constants; every value goes as a parameter.
    columns = ", ".join(RESPONSE_COLUMNS)
    marks = ", ".join(["%s"] * len(RESPONSE_COLUMNS))
    parts = [
        f"r AS (INSERT INTO response ({columns}) VALUES ({marks}) "  # noqa: S608
        "ON CONFLICT (response_id) DO NOTHING RETURNING id, response_id)"
    ]
    if with_answers:
        parts.append(
            "a AS (INSERT INTO answer (response_id, criterion_id, rating) "
            "SELECT r.id, v.criterion_id, v.rating FROM r, "
            "unnest(%s::integer[], %s::smallint[]) AS v(criterion_id, rating))"
        )
    parts.extend(f"t{n} AS ({sql})" for n, sql in enumerate(tally_statements))
    return f"WITH {', '.join(parts)} SELECT response_id, id FROM r"  # noqa: S608


# The columns of a response as the driver-level writers list them (all but ``id``).
RESPONSE_COLUMNS = (
    "response_id",
    "site_id",
    "service_id",
    "channel",
    "language",
    "submitted_at",
    "received_at",
    "questionnaire_id",
    "campaign_id",
    "tablet_id",
    "comment",
    "finished",
    "flag",
)


def _response_values(row: NewResponse, now: datetime) -> tuple:
    """The values of ``row`` in the order of :data:`RESPONSE_COLUMNS`."""
    return (
        row.response_id,
        row.site_id,
        row.service_id,
        row.channel,
        row.language,
        row.submitted_at,
        row.received_at or now,
        row.questionnaire_id,
        row.campaign_id,
        row.tablet_id,
        row.comment,
        row.finished,
        row.flag,
    )


_RESPONSE = Response.__table__
_INSERT_ANSWER = insert(Answer.__table__)


@lru_cache(maxsize=4)
def _insert_response(skipping_stored_on: str | None):
    """The INSERT of responses, returning their ids; ON CONFLICT DO NOTHING on the named
    dialect. Built once: a statement object rebuilt per call is compiled per call."""
    statement = insert(_RESPONSE)
    if skipping_stored_on == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif skipping_stored_on:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    if skipping_stored_on:
        statement = dialect_insert(_RESPONSE).on_conflict_do_nothing(index_elements=["response_id"])
    return statement.returning(_RESPONSE.c.response_id, _RESPONSE.c.id)


# Page cache of SQLite while importing, in KiB (the default is 2 MB).
SQLITE_CACHE_KIB = 256 * 1024


class BulkResponseWriter:
    """Stores many validated responses through the driver, for the CSV import.

    A row is ``(response_id, site_id, service_id, channel, language, submitted_at,
    questionnaire_id, campaign_id, comment)`` with ``submitted_at`` aware, and its ratings
    one byte 0..5 (0 = unanswered) per criterion of ``criterion_ids``. No ORM object is
    built: SQLite gets ``executemany`` with ids assigned here (the import transaction began
    with BEGIN IMMEDIATE, so no other writer can take one), PostgreSQL gets COPY with ids
    drawn from the sequence in one query, and the foreign keys are checked once per
    referenced row rather than per written row where the role may (see
    :meth:`_check_references_at_once`). The tallies are the caller's: it counts the same
    rows with :class:`surveys.tallies.TallyAccumulator` and writes them in this transaction,
    before :meth:`close`.
    """

    COLUMNS = ("id", *RESPONSE_COLUMNS)

    def __init__(self, session: Session, criterion_ids: list[int]) -> None:
        session.flush()
        self.criterion_ids = list(criterion_ids)
        self._connection = session.connection()
        self.sqlite = self._connection.dialect.name == "sqlite"
        self._driver = self._connection.connection.dbapi_connection
        self._now = utcnow()
        if self.sqlite:
            self._next_id = (self._scalar("SELECT max(id) FROM response") or 0) + 1
            # Empty at the start and no other writer meanwhile: no id of the file is stored
            # already (the file's own repeats are the caller's to find).
            self.started_empty = self._scalar("SELECT 1 FROM response LIMIT 1") is None
            # A page cache large enough for the indexes being filled (random response_ids
            # touch every page of theirs); this connection's own, given back by close().
            self._cache_size = self._scalar("PRAGMA cache_size")
            self._connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        else:
            self.started_empty = False  # other writers may store responses meanwhile
            self._replication_role = None
            self._held: dict[str, set[int]] = {
                table: set() for table in ("criterion", *(table for table, _ in self.PARENTS))
            }
            self.checks_at_once = self._check_references_at_once()

    # The parent tables a response row refers to, with the row's position (see the class
    # docstring) of the reference; answers refer to their response and to a criterion.
    PARENTS = (("site", 1), ("service", 2), ("questionnaire", 6), ("campaign", 7))

    def _check_references_at_once(self) -> bool:
        """PostgreSQL: switch the foreign-key triggers off for this transaction, if the role
        may, and say whether it did.

        Those triggers check every written row: about 26 million checks, most of the
        server's work, for a million responses with their answers and tallies. Instead,
        :meth:`_hold` makes the same check once per referenced row: it locks each site,
        service, questionnaire, campaign and criterion ``FOR KEY SHARE``, as the triggers
        would, before the first row that refers to it is written, so none can be deleted
        until the import ends. The answers need no check of their response: they are
        written with the keys just drawn for it. The switch (``session_replication_role``)
        is allowed to a superuser, or on PostgreSQL 15 to a role granted ``SET ON PARAMETER
        session_replication_role`` (deploy/README.md); any other role keeps the triggers.
        :meth:`close` switches them back on before the transaction goes on.
        """
        if (self._connection.dialect.server_version_info or (0,)) >= (15,):
            allowed = self._scalar(
                "SELECT has_parameter_privilege('session_replication_role', 'SET')"
            )
        else:
            allowed = self._scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not allowed:
            return False
        self._replication_role = self._scalar("SELECT current_setting('session_replication_role')")
        self._connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        return True

    def _hold(self, table: str, ids) -> None:
        """Lock the rows ``ids`` of ``table`` FOR KEY SHARE (once each); refuse the file if
        one of them has been deleted since the import read it."""
        wanted = set(ids) - self._held[table] - {None}
        if not wanted:
            return
        found = {
            pk
            for (pk,) in self._connection.exec_driver_sql(
                f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",  # noqa: S608
                (sorted(wanted),),
            )
        }
        if missing := sorted(wanted - found):
            raise ImportRefused(
                [
                    _l(
                        "{table} {id} a été supprimé pendant l'import du fichier",
                        table=table,
                        id=pk,
                    )
                    for pk in missing
                ]
            )
        self._held[table] |= found

    def close(self) -> None:
        """Give the connection its own settings back (the transaction stays open)."""
        if self.sqlite and self._cache_size is not None:
            self._connection.exec_driver_sql(f"PRAGMA cache_size = {int(self._cache_size)}")
            self._cache_size = None
        if not self.sqlite and self._replication_role is not None:
            self._connection.exec_driver_sql(
                "SELECT set_config('session_replication_role', %s, true)",
                (self._replication_role,),
            )
            self._replication_role = None

    def _scalar(self, sql: str):
        row = self._connection.exec_driver_sql(sql).first()
        return row[0] if row else None

    def _rows_where_in(self, select_where: str, values: list):
        """Yield the rows of ``select_where`` (ending with a column) IN ``values``: in
        groups of 500 on SQLite (its limit on parameters), at once with ``ANY`` on
        PostgreSQL."""
        step = 500 if self.sqlite else max(len(values), 1)
        for start in range(0, len(values), step):
            part = values[start : start + step]
            if self.sqlite:
                where, params = f"IN ({', '.join('?' * len(part))})", tuple(part)
            else:
                where, params = "= ANY(%s)", (part,)
            yield from self._connection.exec_driver_sql(f"{select_where} {where}", params)

    def stored(self, response_ids: list[str]) -> dict[str, tuple]:
        """Return, for those of ``response_ids`` already stored, their :meth:`content`."""
        if self.started_empty or not response_ids:
            return {}
        found: dict[int, list] = {}
        answers: dict[int, list[tuple[int, int]]] = {}
        for row in self._rows_where_in(
            "SELECT id, response_id, site_id, service_id, channel, language, "
            "submitted_at, comment FROM response WHERE response_id",
            response_ids,
        ):
            found[row[0]] = list(row[1:])
        if not found:
            return {}
        for pk, criterion_id, rating in self._rows_where_in(
            "SELECT response_id, criterion_id, rating FROM answer WHERE response_id", list(found)
        ):
            answers.setdefault(pk, []).append((criterion_id, rating))
        return {
            response_id: (
                site_id,
                service_id,
                channel,
                language,
                _utc_second(submitted_at),
                comment,
                tuple(sorted(answers.get(pk, []))),
            )
            for pk, (
                response_id,
                site_id,
                service_id,
                channel,
                language,
                submitted_at,
                comment,
            ) in found.items()
        }

    def content(self, row: tuple, ratings: bytes) -> tuple:
        """Return what :meth:`stored` returns for ``row`` once stored (to compare them)."""
        return (
            row[1],
            row[2],
            row[3],
            row[4],
            _utc_second(row[5]),
            row[8],
            tuple(sorted((c, r) for c, r in zip(self.criterion_ids, ratings, strict=True) if r)),
        )

    def _response_rows(self, keys, rows: list[tuple]):
        """Yield the rows of table ``response`` (in :attr:`COLUMNS` order) for ``rows``,
        whose primary keys are ``keys``; times as the driver of this database takes them."""
        if self.sqlite:
            when, now, finished = _sqlite_time, _sqlite_time(self._now), 1
        else:
            when, now, finished = None, self._now, True
        for pk, row in zip(keys, rows, strict=True):
            rid, site, service, channel, language, at, questionnaire, campaign, comment = row
            at = when(at) if when else at
            yield (
                pk, rid, site, service, channel, language, at, now,
                questionnaire, campaign, None, comment, finished, None,
            )  # fmt: skip

    def write(self, rows: list[tuple], ratings: list[bytes]) -> None:
        """Insert ``rows`` and their answers (``ratings[i]`` belongs to ``rows[i]``)."""
        if not rows:
            return
        criteria = list(enumerate(self.criterion_ids))
        if self.sqlite:
            first = self._next_id
            self._next_id += len(rows)
            cursor = self._driver.cursor()
            try:
                cursor.executemany(
                    f"INSERT INTO response ({', '.join(self.COLUMNS)}) "  # noqa: S608
                    f"VALUES ({', '.join('?' * len(self.COLUMNS))})",
                    self._response_rows(range(first, first + len(rows)), rows),
                )
                cursor.executemany(
                    "INSERT INTO answer (response_id, criterion_id, rating) VALUES (?, ?, ?)",
                    (
                        (pk, criterion_id, values[column])
                        for pk, values in enumerate(ratings, first)
                        for column, criterion_id in criteria
                        if values[column]
                    ),
                )
            finally:
                cursor.close()
            return
        if self.checks_at_once:
            self._hold("criterion", self.criterion_ids)
            for table, position in self.PARENTS:
                self._hold(table, {row[position] for row in rows})
        with self._driver.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('response', 'id')) "
                "FROM generate_series(1, %s)",
                (len(rows),),
            )
            keys = [pk for (pk,) in cursor.fetchall()]
            with cursor.copy(f"COPY response ({', '.join(self.COLUMNS)}) FROM STDIN") as copy:
                for values in self._response_rows(keys, rows):
                    copy.write_row(values)
            with cursor.copy("COPY answer (response_id, criterion_id, rating) FROM STDIN") as copy:
                # Text lines built here: write_row per answer would cost more than the COPY.
                lines = []
                for pk, values in zip(keys, ratings, strict=True):
                    lines.extend(
                        f"{pk}\t{criterion_id}\t{values[column]}\n"
                        for column, criterion_id in criteria
                        if values[column]
                    )
                    if len(lines) >= 50_000:
                        copy.write("".join(lines))
                        lines.clear()
                if lines:
                    copy.write("".join(lines))


def _sqlite_time(value: datetime) -> str:
    """Return an aware time as SQLAlchemy stores it in SQLite (naive UTC, microseconds)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _utc_second(value: datetime | str) -> str:
    """Return a stored or parsed time as ``YYYY-MM-DD HH:MM:SS`` in UTC (to compare)."""
    if isinstance(value, str):  # SQLite: naive UTC text
        return value[:19]
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "seconds")


# --- Validation and storage of one submitted response (API, phone and web pages) -------

COMMENT_MAX = 2000
# A submission may claim a time up to this far ahead of the server clock (tablet clocks
# drift); further ahead it is refused, so nobody can book ratings into the future.
CLOCK_SKEW = timedelta(minutes=5)
# A tablet that was offline keeps its responses at most this long before sending them.
OFFLINE_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Submission:
    """A response as submitted, checked for form only (codes not yet looked up)."""

    response_id: str
    site: str
    service: str
    channel: str
    language: str
    submitted_at: datetime
    ratings: dict[str, int]
    comment: str | None


@dataclass(frozen=True)
class TabletLimits:
    """The anti-abuse rule of a tablet, in one place.

    - ``min_interval_seconds``: the tablet's own flow never gives two responses closer
      than this (after a tap its stars wait this long, ``kiosk.js``), so a response given
      closer than this to another of the same tablet is unusual: it is stored all the
      same (the tablet thanked someone for it) with ``flag = "min_interval"``, which the
      back office shows and the rates leave out;
    - ``hourly_limit``: a ceiling per hour of answering time, past which responses are
      refused (counted in RefusedSubmission and shown in the back office), so a stolen
      token cannot fill the database.
    """

    min_interval_seconds: int = 2
    hourly_limit: int = 300


@dataclass(frozen=True)
class Outcome:
    """What became of a submission: ``created``, ``exists`` (same content) or ``refused``."""

    status: str
    response_id: str
    reason: str | None = None
    tablet_id: int | None = None  # the tablet that sent it (``kiosk``)
    flag: str | None = None  # ``created`` but left out of the rates (``Response.flag``)


def _fail(message: str, field_name: str, code: str = "invalid") -> DomainError:
    return DomainError(message, field=field_name, code=code)


def parse_submission(payload: object) -> Submission:
    """Return the :class:`Submission` in a decoded JSON body; DomainError names the field.

    Strict on types: ratings are JSON integers 1..5 (not "5", 5.5, true or null); unknown
    keys are ignored so that newer clients keep working.
    """
    if not isinstance(payload, dict):
        raise _fail("The body must be a JSON object.", "body")
    raw_id = payload.get("response_id")
    try:
        if not isinstance(raw_id, str):
            raise ValueError
        response_id = str(uuid.UUID(raw_id))
    except ValueError:
        raise _fail("response_id must be a UUID.", "response_id") from None
    strings = {}
    for name in ("site", "service", "channel"):
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            raise _fail(f"{name} is required (a code).", name)
        strings[name] = value.strip()
    if strings["channel"] not in SUBMITTED_CHANNELS:
        raise _fail("channel must be kiosk, qr or web.", "channel")
    language = payload.get("language", "fr")
    if not isinstance(language, str) or language not in USAGER_LANGUAGES:
        raise _fail("language is not one of the usager languages.", "language")
    submitted_at = _parse_time(payload.get("submitted_at"))
    ratings = payload.get("ratings")
    if not isinstance(ratings, dict) or not ratings:
        raise _fail("ratings must be an object with at least one rating.", "ratings")
    for code, value in ratings.items():
        if type(value) is not int or not 1 <= value <= 5:
            raise _fail("A rating is an integer from 1 to 5.", f"ratings.{code}")
    comment = payload.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise _fail("comment must be a string.", "comment")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise _fail(f"comment is longer than {COMMENT_MAX} characters.", "comment")
    return Submission(
        response_id=response_id,
        site=strings["site"],
        service=strings["service"],
        channel=strings["channel"],
        language=language,
        submitted_at=submitted_at,
        ratings=dict(ratings),
        comment=comment,
    )


def _parse_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise _fail("submitted_at must be an ISO-8601 date and time.", "submitted_at")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _fail("submitted_at must be an ISO-8601 date and time.", "submitted_at") from None
    if parsed.tzinfo is None:
        raise _fail("submitted_at must carry a time zone (Z or +01:00).", "submitted_at")
    # Year 1 at +14:00 has no UTC time at all: days past the bounds are refused first.
    if not FIRST_DAY <= parsed.date() <= LAST_DAY:
        raise _fail("submitted_at is out of range.", "submitted_at")
    return parsed.astimezone(UTC)


def store_submission(
    session: Session,
    submission: Submission,
    *,
    tablet: Tablet | TabletRef | None = None,
    token_hash: str | None = None,
    limits: TabletLimits | None = None,
    now: datetime | None = None,
    stamped_on_receipt: bool = False,
) -> Outcome:
    """Store ``submission`` once, in the session's transaction; return its
    :class:`Outcome`. The caller commits, also after a DomainError: what an enrolled tablet
    sent and was refused is counted (RefusedSubmission, per reason) for the back office.

    - ``token_hash``: the hash of the tablet credential the request carried (``kiosk``),
      looked up in this transaction, so that a tablet revoked a moment ago is refused
      (DomainError ``unauthorized`` on ``credential``);

    - the same ``response_id`` with the same content -> ``exists`` (nothing changes);
      with other content -> DomainError ``conflict`` (the stored one is unchanged). A copy
      is checked as the first one was before the insert finds it stored (no query ahead
      of it): a retry that has become invalid since, e.g. older than the offline window,
      gets that error rather than ``exists``;
    - ``stamped_on_receipt``: ``submitted_at`` is the server's time of receipt (the phone
      and web forms), so a copy sent again seconds later, a double tap on a slow network,
      differs only by that time and is the same response; its time is not compared;
    - unknown site, service or criterion, a criterion outside the questionnaire, a time
      in the future or older than the offline window -> DomainError naming the field;
    - a ``kiosk`` submission needs ``tablet`` (the authenticated device) bound to the same
      site and service (DomainError ``forbidden`` otherwise); past its hourly ceiling it is
      ``refused`` (counted in RefusedSubmission — the caller commits); given within its
      minimum interval of another response it is stored with ``flag = "min_interval"``
      (:class:`TabletLimits`).

    The tablet limits read the responses' own ``submitted_at`` so that a tablet flushing
    an hour of offline answers at once is not refused: a response given less than
    ``min_interval_seconds`` from another of the same tablet is marked, and one hour of
    that time holds at most ``hourly_limit``. The time claimed is bounded (no later than now
    plus CLOCK_SKEW, no earlier than the enrolment nor the offline window), so a stolen
    token cannot claim more than the ceiling per hour of the past fortnight. The tablet
    row is locked (FOR UPDATE) so that concurrent app servers see each other's writes.

    Sites, services, campaigns and criteria come from the per-process
    :func:`surveys.directory.directory`: one read of its stamp instead of a dozen queries.
    """
    now = now or utcnow()
    if token_hash is not None:
        tablet = directory(session).tablet(token_hash)
        if tablet is None:
            raise DomainError("Unknown or revoked tablet.", field="credential", code="unauthorized")
    try:
        decided = _decide(session, submission, tablet, limits, now)
        if isinstance(decided, Outcome):
            return decided
        if insert_responses(session, [decided], skip_stored=True):
            return Outcome(
                "created", submission.response_id, tablet_id=decided.tablet_id, flag=decided.flag
            )
        # A copy: stored before, or by another request between our check and our insert.
        return _existing_outcome(
            session, submission, decided.tablet_id, compare_time=not stamped_on_receipt
        )
    except DomainError as refused:
        if tablet is not None and submission.channel == "kiosk":
            # A tablet drops what the server refuses: the refusal is counted.
            record_refusal(session, tablet.id, refused.code, now)
        raise


def _decide(
    session: Session,
    submission: Submission,
    tablet: Tablet | TabletRef | None,
    limits: TabletLimits | None,
    now: datetime,
) -> NewResponse | Outcome:
    """The row to insert for ``submission``, or its ``refused`` outcome (counted), or a
    DomainError; writes nothing else."""
    if submission.submitted_at > now + CLOCK_SKEW:
        raise _fail("submitted_at is in the future.", "submitted_at")
    if submission.submitted_at < now - OFFLINE_WINDOW:
        raise _fail("submitted_at is too old.", "submitted_at")
    ref = directory(session)
    service = ref.service(submission.site, submission.service)
    if service is None:
        field_name = "service" if submission.site in ref.site_codes else "site"
        raise _fail(f"Unknown {field_name}.", field_name, code=f"unknown_{field_name}")
    if not service.active:
        raise _fail("This service no longer takes responses.", "service", code="inactive")
    if submission.channel == "kiosk":
        if tablet is None:
            raise DomainError("A tablet credential is required.", "credential", "unauthorized")
        if (tablet.site_id, tablet.service_id) != (service.site_id, service.service_id):
            raise DomainError(
                "This tablet belongs to another site or service.", "site", "forbidden"
            )
    questionnaire_id, campaign_id = ref.resolve(
        service.site_id, service.service_id, submission.submitted_at
    )
    allowed = ref.items.get(questionnaire_id, {})
    for code in submission.ratings:
        if code not in allowed:
            raise _fail("Unknown criterion for this questionnaire.", f"ratings.{code}", "unknown")
    if submission.channel == "kiosk" and tablet is not None:
        if tablet.enrolled_at and submission.submitted_at < tablet.enrolled_at - CLOCK_SKEW:
            raise _fail("submitted_at is before the tablet was enrolled.", "submitted_at")
        reason = _tablet_limit_reached(
            session, tablet.id, submission.response_id, submission.submitted_at, limits
        )
        if reason == "hourly_limit":
            record_refusal(session, tablet.id, reason, now)
            return Outcome("refused", submission.response_id, reason, tablet.id)
    else:
        reason = None
    return NewResponse(
        response_id=submission.response_id,
        site_id=service.site_id,
        service_id=service.service_id,
        channel=submission.channel,
        language=submission.language,
        submitted_at=submission.submitted_at,
        questionnaire_id=questionnaire_id,
        ratings={allowed[code]: value for code, value in submission.ratings.items()},
        comment=submission.comment,
        campaign_id=campaign_id,
        tablet_id=tablet.id if tablet is not None and submission.channel == "kiosk" else None,
        finished=True,
        flag=reason,  # "min_interval": kept, marked, left out of the rates
    )


def _existing_outcome(
    session: Session,
    submission: Submission,
    tablet_id: int | None = None,
    *,
    compare_time: bool = True,
) -> Outcome:
    """The outcome of a submission whose ``response_id`` is already stored (or not after all)."""
    existing = session.scalars(
        select(Response).where(Response.response_id == submission.response_id)
    ).first()
    if existing is not None and _same_content(session, existing, submission, compare_time):
        return Outcome("exists", submission.response_id, tablet_id=tablet_id)
    raise DomainError(
        "A different response with this response_id is already stored.",
        field="response_id",
        code="conflict",
    )


def _same_content(
    session: Session, stored: Response, submission: Submission, compare_time: bool = True
) -> bool:
    codes = dict(session.execute(select(Criterion.id, Criterion.code)).all())
    stored_ratings = {codes[a.criterion_id]: a.rating for a in stored.answers}
    when = stored.submitted_at
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (
        stored.site.code == submission.site
        and stored.service.code == submission.service
        and stored.channel == submission.channel
        and stored.language == submission.language
        and (not compare_time or abs((when - submission.submitted_at).total_seconds()) < 1)
        and stored_ratings == submission.ratings
        and (stored.comment or None) == submission.comment
    )


def _tablet_limit_reached(
    session: Session,
    tablet_id: int,
    response_id: str,
    when: datetime,
    limits: TabletLimits | None,
) -> str | None:
    # The response itself, if a first copy is stored already, does not count: its retry
    # must reach the insert and be answered "exists".
    limits = limits or TabletLimits()
    gap = timedelta(seconds=max(limits.min_interval_seconds, 0))
    if not gap and limits.hourly_limit <= 0:
        return None
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        # Serialise the submissions of one tablet across app servers (SQLite's writers
        # are already serialised by BEGIN IMMEDIATE).
        connection.execute(_LOCK_TABLET, {"tablet_id": tablet_id})
    hour = timedelta(hours=1)
    close, in_hour = connection.execute(
        _LIMIT_COUNTS,
        {
            "tablet_id": tablet_id,
            "close_from": when - gap,
            "close_to": when + gap,
            "hour_from": when - hour,
            "when": when,
            "earliest": when - max(gap, hour),
            "rid": response_id,
        },
    ).one()
    if gap and close:
        return "min_interval"
    if limits.hourly_limit > 0 and (in_hour or 0) >= limits.hourly_limit:
        return "hourly_limit"
    return None


_LOCK_TABLET = select(Tablet.id).where(Tablet.id == bindparam("tablet_id")).with_for_update()
_at = Response.submitted_at
_LIMIT_COUNTS = select(
    func.count(case((and_(_at > bindparam("close_from"), _at < bindparam("close_to")), 1))),
    func.count(case((and_(_at > bindparam("hour_from"), _at <= bindparam("when")), 1))),
).where(
    Response.tablet_id == bindparam("tablet_id"),
    Response.response_id != bindparam("rid"),
    _at > bindparam("earliest"),
    _at <= bindparam("close_to"),
)


def record_refusal(session: Session, tablet_id: int | None, reason: str, now: datetime) -> None:
    """Count one refused submission of ``tablet_id`` (one row per tablet, reason and hour)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    row = session.scalars(
        select(RefusedSubmission).where(
            RefusedSubmission.tablet_id == tablet_id,
            RefusedSubmission.reason == reason,
            RefusedSubmission.at == hour,
        )
    ).first()
    if row is None:
        session.add(RefusedSubmission(tablet_id=tablet_id, reason=reason, at=hour, count=1))
    else:
        row.count += 1
    session.flush()
