"""One submitted response (the API, the phone and web pages): reading it, deciding what
becomes of it (stored, already stored, refused by its tablet's limits) and storing it through
:func:`surveys.response_writes.insert_one`, in a session's transaction or on the driver's
own connection (:class:`surveys.write_transaction.WriteTransaction`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from . import DomainError
from .bounds import FIRST_DAY, LAST_DAY
from .directory import TabletRef
from .fields import canonical_uuid
from .i18n import Message, _l
from .languages import USAGER_LANGUAGES
from .models import SUBMITTED_CHANNELS, Tablet, utcnow
from .response_writes import NewResponse, insert_one
from .write_transaction import WriteTransaction

COMMENT_MAX = 2000
# A submission may claim a time up to this far ahead of the server clock (tablet clocks
# drift); further ahead it is refused, so nobody can book ratings into the future.
CLOCK_SKEW = timedelta(minutes=5)
# A tablet that was offline keeps its responses at most this long before sending them.
OFFLINE_WINDOW = timedelta(days=14)
NOT_A_TIME = _l("submitted_at doit être une date et heure ISO 8601.")
UNKNOWN_PLACE = {"site": _l("Site inconnu."), "service": _l("Service inconnu.")}


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

    Both read the responses' own ``submitted_at`` (not the time of receipt), so that a
    tablet flushing an hour of offline answers at once is not refused. The time claimed is
    bounded (no later than now plus CLOCK_SKEW, no earlier than the enrolment nor the
    offline window), so a stolen token cannot claim more than the ceiling per hour of the
    past fortnight. The tablet row is locked (FOR UPDATE) so that concurrent app servers
    see each other's writes.
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


def _fail(message: Message, field_name: str, code: str = "invalid") -> DomainError:
    return DomainError(message, field=field_name, code=code)


def parse_submission(payload: object) -> Submission:
    """Return the :class:`Submission` in a decoded JSON body; DomainError names the field.

    Strict on types: ratings are JSON integers 1..5 (not "5", 5.5, true or null); unknown
    keys are ignored so that newer clients keep working.
    """
    if not isinstance(payload, dict):
        raise _fail(_l("Le corps de la requête doit être un objet JSON."), "body")
    response_id = canonical_uuid(payload.get("response_id"))
    if response_id is None:
        raise _fail(_l("response_id doit être un UUID."), "response_id")
    strings = {}
    for name in ("site", "service", "channel"):
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            raise _fail(_l("{name} est obligatoire (un code).", name=name), name)
        strings[name] = value.strip()
    if strings["channel"] not in SUBMITTED_CHANNELS:
        raise _fail(_l("channel doit valoir kiosk, qr ou web."), "channel")
    language = payload.get("language", "fr")
    if not isinstance(language, str) or language not in USAGER_LANGUAGES:
        raise _fail(_l("language n'est pas une des langues des usagers."), "language")
    submitted_at = _parse_time(payload.get("submitted_at"))
    ratings = payload.get("ratings")
    if not isinstance(ratings, dict) or not ratings:
        raise _fail(_l("ratings doit être un objet qui contient au moins une note."), "ratings")
    for code, value in ratings.items():
        if type(value) is not int or not 1 <= value <= 5:
            raise _fail(_l("Une note est un nombre entier de 1 à 5."), f"ratings.{code}")
    comment = payload.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise _fail(_l("comment doit être une chaîne de caractères."), "comment")
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise _fail(_l("comment dépasse {limit} caractères.", limit=COMMENT_MAX), "comment")
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
        raise _fail(NOT_A_TIME, "submitted_at")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _fail(NOT_A_TIME, "submitted_at") from None
    if parsed.tzinfo is None:
        raise _fail(_l("submitted_at doit porter un fuseau horaire (Z ou +01:00)."), "submitted_at")
    # Year 1 at +14:00 has no UTC time at all: days past the bounds are refused first.
    if not FIRST_DAY <= parsed.date() <= LAST_DAY:
        raise _fail(_l("submitted_at est hors des bornes."), "submitted_at")
    return parsed.astimezone(UTC)


def store_submission(
    db: Session | WriteTransaction,
    submission: Submission,
    *,
    tablet: Tablet | TabletRef | None = None,
    token_hash: str | None = None,
    limits: TabletLimits | None = None,
    now: datetime | None = None,
    stamped_on_receipt: bool = False,
) -> Outcome:
    """Store ``submission`` once, in ``db``'s transaction (a session's or a
    :class:`~surveys.write_transaction.WriteTransaction`); return its :class:`Outcome`.
    The caller commits, also after a DomainError: what an enrolled tablet sent and was
    refused is counted (RefusedSubmission, per reason) for the back office.

    - ``token_hash``: the hash of the tablet credential the request carried (``kiosk``),
      looked up in this transaction: a tablet revoked a moment ago is refused
      (DomainError ``unauthorized`` on ``credential``);
    - the same ``response_id`` with the same content -> ``exists`` (nothing changes);
      with other content -> DomainError ``conflict`` (the stored one is unchanged). A copy
      is checked as the first one was (no query ahead of the insert): a retry that has
      become invalid since, e.g. older than the offline window, gets that error;
    - ``stamped_on_receipt``: ``submitted_at`` is the server's time of receipt (phone and
      web forms): a copy sent again seconds later (a double tap) is the same response;
    - unknown site, service or criterion, a criterion outside the questionnaire, a time
      in the future or older than the offline window -> DomainError naming the field;
    - a ``kiosk`` submission needs ``tablet`` (the authenticated device) bound to the same
      site and service (DomainError ``forbidden`` otherwise); past its hourly ceiling it is
      ``refused`` (counted in RefusedSubmission — the caller commits); given within its
      minimum interval of another response it is stored with ``flag = "min_interval"``
      (:class:`TabletLimits`). Places and criteria come from :func:`surveys.directory.directory`.
    """
    transaction = _transaction(db)
    now = now or utcnow()
    if token_hash is not None:
        tablet = transaction.directory().tablet(token_hash)
        if tablet is None:
            raise _fail(_l("Tablette inconnue ou révoquée."), "credential", "unauthorized")
    try:
        decided = _decide(transaction, submission, tablet, limits, now)
        if isinstance(decided, Outcome):
            return decided
        if insert_one(transaction, decided, now) is not None:
            return Outcome(
                "created", submission.response_id, tablet_id=decided.tablet_id, flag=decided.flag
            )
        # A copy: stored before, or by another request between our check and our insert.
        if _same_as_stored(transaction, decided, compare_time=not stamped_on_receipt):
            return Outcome("exists", submission.response_id, tablet_id=decided.tablet_id)
        raise DomainError(
            _l("Une autre réponse est déjà enregistrée avec ce response_id."),
            field="response_id",
            code="conflict",
        )
    except DomainError as refused:
        if tablet is not None and submission.channel == "kiosk":
            # A tablet drops what the server refuses: the refusal is counted.
            record_refusal(transaction, tablet.id, refused.code, now)
        raise


def _transaction(db: Session | WriteTransaction) -> WriteTransaction:
    return db if isinstance(db, WriteTransaction) else WriteTransaction.in_session(db)


def _decide(
    transaction: WriteTransaction,
    submission: Submission,
    tablet: Tablet | TabletRef | None,
    limits: TabletLimits | None,
    now: datetime,
) -> NewResponse | Outcome:
    """The row to insert for ``submission``, or its ``refused`` outcome (counted), or a
    DomainError; writes nothing else."""
    if submission.submitted_at > now + CLOCK_SKEW:
        raise _fail(_l("submitted_at est dans le futur."), "submitted_at")
    if submission.submitted_at < now - OFFLINE_WINDOW:
        raise _fail(_l("submitted_at est trop ancien."), "submitted_at")
    ref = transaction.directory()
    service = ref.service(submission.site, submission.service)
    if service is None:
        field_name = "service" if submission.site in ref.site_codes else "site"
        raise _fail(UNKNOWN_PLACE[field_name], field_name, code=f"unknown_{field_name}")
    if not service.active:
        raise _fail(_l("Ce service ne reçoit plus de réponses."), "service", code="inactive")
    if submission.channel == "kiosk":
        if tablet is None:
            raise _fail(_l("Une tablette doit s'identifier."), "credential", "unauthorized")
        if (tablet.site_id, tablet.service_id) != (service.site_id, service.service_id):
            raise _fail(_l("Cette tablette est d'un autre site ou service."), "site", "forbidden")
    questionnaire_id, campaign_id = ref.resolve(
        service.site_id, service.service_id, submission.submitted_at
    )
    allowed = ref.items.get(questionnaire_id, {})
    for code in submission.ratings:
        if code not in allowed:
            raise _fail(_l("Critère inconnu dans ce questionnaire."), f"ratings.{code}", "unknown")
    if submission.channel == "kiosk" and tablet is not None:
        if tablet.enrolled_at and submission.submitted_at < tablet.enrolled_at - CLOCK_SKEW:
            raise _fail(_l("submitted_at précède l'enregistrement de la tablette."), "submitted_at")
        reason = _tablet_limit_reached(
            transaction, tablet.id, submission.response_id, submission.submitted_at, limits
        )
        if reason == "hourly_limit":
            record_refusal(transaction, tablet.id, reason, now)
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


_STORED = (
    "SELECT id, site_id, service_id, channel, language, submitted_at, comment "
    "FROM response WHERE response_id = ?"
)
_STORED_ANSWERS = "SELECT criterion_id, rating FROM answer WHERE response_id = ?"


def _same_as_stored(
    transaction: WriteTransaction, decided: NewResponse, compare_time: bool = True
) -> bool:
    """Whether the response stored under ``decided.response_id`` holds what ``decided``
    would (site, service, channel, language, ratings, comment and, with ``compare_time``,
    the time within a second); False when none is stored after all."""
    stored = transaction.execute(_STORED, (decided.response_id,)).fetchone()
    if stored is None:
        return False
    key, site_id, service_id, channel, language, submitted_at, comment = stored
    ratings = dict(transaction.execute(_STORED_ANSWERS, (key,)).fetchall())
    when = transaction.time(submitted_at)
    return (
        (site_id, service_id, channel, language)
        == (decided.site_id, decided.service_id, decided.channel, decided.language)
        and (not compare_time or abs((when - decided.submitted_at).total_seconds()) < 1)
        and ratings == decided.ratings
        and (comment or None) == decided.comment
    )


def _tablet_limit_reached(
    transaction: WriteTransaction,
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
    if not transaction.sqlite:
        # Serialise the submissions of one tablet across app servers (SQLite's writers
        # are already serialised by BEGIN IMMEDIATE).
        transaction.execute(_LOCK_TABLET, (tablet_id,))
    hour = timedelta(hours=1)
    at = transaction.value
    close, in_hour = transaction.execute(
        _LIMIT_COUNTS,
        (
            at(when - gap),
            at(when + gap),
            at(when - hour),
            at(when),
            tablet_id,
            response_id,
            at(when - max(gap, hour)),
            at(when + gap),
        ),
    ).fetchone()
    if gap and close:
        return "min_interval"
    if limits.hourly_limit > 0 and (in_hour or 0) >= limits.hourly_limit:
        return "hourly_limit"
    return None


_LOCK_TABLET = "SELECT id FROM tablet WHERE id = ? FOR UPDATE"
# Responses of the tablet given within the minimum interval of ``when`` (either side),
# and in the hour up to ``when``; read through ``ix_response_tablet_submitted``.
_LIMIT_COUNTS = (
    "SELECT count(CASE WHEN submitted_at > ? AND submitted_at < ? THEN 1 END), "
    "count(CASE WHEN submitted_at > ? AND submitted_at <= ? THEN 1 END) "
    "FROM response WHERE tablet_id = ? AND response_id <> ? "
    "AND submitted_at > ? AND submitted_at <= ?"
)


def record_refusal(
    db: Session | WriteTransaction, tablet_id: int, reason: str, now: datetime
) -> None:
    """Count one refused submission of ``tablet_id`` (one row per tablet, reason and hour)."""
    transaction = _transaction(db)
    hour = transaction.value(now.replace(minute=0, second=0, microsecond=0))
    counted = transaction.execute(_COUNT_REFUSAL, (tablet_id, reason, hour)).rowcount
    if not counted:
        transaction.execute(_FIRST_REFUSAL, (tablet_id, reason, hour))


_COUNT_REFUSAL = (
    "UPDATE refused_submission SET count = count + 1 WHERE tablet_id = ? AND reason = ? AND at = ?"
)
_FIRST_REFUSAL = "INSERT INTO refused_submission (tablet_id, reason, at, count) VALUES (?, ?, ?, 1)"
